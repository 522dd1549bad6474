//! Fuzz mojibake repair: arbitrary text never panics, and an unchanged text reports no repair.
#![no_main]

use std::borrow::Cow;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qingxi_fuzz::{text_of, CONFIG};
use qingxi_mojibake::Mojibake;

static STAGE: LazyLock<Mojibake> =
    LazyLock::new(|| CONFIG.mojibake.build().expect("default [mojibake] builds"));

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    let repaired = STAGE.repair(&text);
    match &repaired.text {
        Cow::Borrowed(_) => assert!(repaired.repairs.is_empty()),
        Cow::Owned(new) => {
            assert!(!repaired.repairs.is_empty());
            // Repairs work line by line: line breaks are never added or removed.
            assert_eq!(new.matches('\n').count(), text.matches('\n').count());
        }
    }
});
