//! Fuzz the filter stages (boilerplate, spam, template, repeats) over arbitrary text: no
//! panics, filters only label blocks, and every block ends up in exactly one place.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qingxi_core::{Document, Label, Stage};
use qingxi_fuzz::{check_properties, text_of, CONFIG};

static FILTERS: LazyLock<Vec<Box<dyn Stage>>> = LazyLock::new(|| {
    let base = Path::new(".");
    vec![
        Box::new(CONFIG.boilerplate.build(base).expect("default [boilerplate] builds")),
        Box::new(CONFIG.spam.build(base).expect("default [spam] builds")),
        Box::new(CONFIG.template.build(None).expect("default [template] builds")),
        Box::new(CONFIG.repeats.build().expect("default [repeats] builds")),
    ]
});

fuzz_target!(|data: &[u8]| {
    let mut doc = Document::new("fuzz", text_of(data));
    doc.site = "fuzz".into();
    doc.split_blocks();
    let before: Vec<String> = doc.blocks.iter().map(|b| b.text.clone()).collect();
    let text = doc.text.clone();
    for f in FILTERS.iter() {
        f.run(&mut doc);
    }
    let out = doc.assemble();
    if !check_properties() {
        return;
    }
    assert_eq!(doc.text, text, "filters must not rewrite text");
    let after: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(before, after, "filters must only label blocks");
    for b in &doc.blocks {
        assert!(b.label == Label::Content || b.rule.is_some(), "label without a rule: {b:?}");
    }
    let content = doc.blocks.iter().filter(|b| b.is_content()).count();
    let template = doc.blocks.iter().filter(|b| b.label == Label::Template).count();
    assert_eq!(content + template + out.removed.len(), doc.blocks.len());
});
