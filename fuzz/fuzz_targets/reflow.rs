//! Fuzz the `reflow` stage: arbitrary text never panics, and the stage is idempotent.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qingxi_fuzz::{check_text_stage, text_of, CONFIG};
use qingxi_normalize::Reflow;

static STAGE: LazyLock<Reflow> =
    LazyLock::new(|| CONFIG.reflow.build().expect("default [reflow] builds"));

fuzz_target!(|data: &[u8]| check_text_stage(&*STAGE, text_of(data)));
