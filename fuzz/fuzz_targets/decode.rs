//! Fuzz the decoder: any bytes decode to text or are refused as binary, never a panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use qingxi_decode::{decode_utf8_lossy, Decision, Decoder};

static DECODER: LazyLock<Decoder> = LazyLock::new(Decoder::default);

fuzz_target!(|data: &[u8]| {
    match DECODER.decode(data) {
        Decision::Text(d) => {
            assert!((0.0..=1.0).contains(&d.confidence), "confidence {}", d.confidence);
            // Valid UTF-8 without a BOM is borrowed, never copied or altered.
            if d.encoding == "UTF-8" && !d.bom && d.malformed == 0 {
                assert_eq!(d.text.as_bytes(), data);
            }
        }
        Decision::Binary(_) => {}
    }
    let lossy = decode_utf8_lossy(data);
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(lossy.malformed, 0);
        assert_eq!(&*lossy.text, s.strip_prefix('\u{feff}').unwrap_or(s));
    } else {
        assert!(lossy.malformed > 0);
    }
});
