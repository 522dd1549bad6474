//! Fuzz the whole default pipeline on arbitrary bytes, as a file input would reach it: a
//! record or a binary skip, never a panic or an internal error; the record serializes; and
//! cleaning the cleaned text again gives the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qingxi_core::{Input, InputContent};
use qingxi_fuzz::{check_properties, PIPELINE};
use qingxi_pipeline::Rejection;

fn input(content: InputContent) -> Input {
    Input {
        id: "fuzz.txt".into(),
        origin: "fuzz.txt".into(),
        site: "fuzz".into(),
        content,
        fields: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let out = match PIPELINE.clean(input(InputContent::Bytes(data.to_vec()))) {
        Ok(out) => out,
        Err(Rejection::Binary { .. }) => return,
        Err(Rejection::Failed(f)) => panic!("pipeline failed: {f}"),
    };
    serde_json::to_string(&out.to_json()).expect("the record serializes");
    if !check_properties() {
        return;
    }
    let again = match PIPELINE.clean(input(InputContent::Text(out.text.clone()))) {
        Ok(again) => again,
        Err(e) => panic!("cleaned text rejected on a second pass: {e:?}"),
    };
    assert!(
        again.text == out.text,
        "pipeline is not idempotent:\n once: {:?}\ntwice: {:?}",
        out.text,
        again.text
    );
});
