//! Fuzz the `annotations` stage: arbitrary text never panics, and the stage is idempotent.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qingxi_fuzz::{check_text_stage, text_of, CONFIG};
use qingxi_normalize::Annotations;

static STAGE: LazyLock<Annotations> =
    LazyLock::new(|| CONFIG.annotations.build().expect("default [annotations] builds"));

fuzz_target!(|data: &[u8]| check_text_stage(&*STAGE, text_of(data)));
