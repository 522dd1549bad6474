//! Fuzz the `normalize` stage: arbitrary text never panics, and the stage is idempotent.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qingxi_fuzz::{check_text_stage, text_of, CONFIG};
use qingxi_normalize::Normalize;

static STAGE: LazyLock<Normalize> =
    LazyLock::new(|| CONFIG.normalize.build().expect("default [normalize] builds"));

fuzz_target!(|data: &[u8]| check_text_stage(&*STAGE, text_of(data)));
