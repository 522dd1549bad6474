//! Fuzz the `script` stage: arbitrary text never panics, and the stage is idempotent.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qingxi_fuzz::{check_text_stage, text_of, CONFIG};
use qingxi_normalize::Script;

static STAGE: LazyLock<Script> =
    LazyLock::new(|| CONFIG.script.build().expect("default [script] builds"));

fuzz_target!(|data: &[u8]| check_text_stage(&*STAGE, text_of(data)));
