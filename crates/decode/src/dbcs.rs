//! Table-driven decoding of the double-byte CJK encodings (GBK, Big5, EUC-KR, Shift_JIS)
//! for the stretch of input that is error-free.
//!
//! encoding_rs decodes these at roughly 30 instructions per byte; almost all of that is
//! per-character bookkeeping, not the lookup itself. Once the encoding is known, the whole
//! input is decoded here instead with one table per encoding: what each byte means alone,
//! and what each lead and trail byte pair decodes to. The tables are built from encoding_rs
//! itself (every byte and every pair decoded once), so a character decoded here is exactly
//! what encoding_rs gives. Anything the tables do not cover — a malformed sequence, a
//! GB18030 four-byte sequence, a pair that stands for two characters or one outside the
//! Basic Multilingual Plane — stops the fast path between two characters, where a fresh
//! encoding_rs decoder takes over for the rest.

use std::sync::OnceLock;

use encoding_rs::{Encoding, BIG5, EUC_KR, GB18030, GBK, SHIFT_JIS};

const LEAD_START: u8 = 0x81;
const TRAIL_START: u8 = 0x40;
/// Trail bytes 0x40..=0xFE.
const TRAILS: usize = 0xFF - TRAIL_START as usize;
/// Lead bytes 0x81..=0xFE.
const LEADS: usize = 0xFF - LEAD_START as usize;

/// What the bytes of one encoding decode to, as UTF-8 ready to copy: an entry holds up
/// to three bytes of UTF-8 and their count in the top byte (0 for "not covered").
#[derive(Debug)]
pub(crate) struct Table {
    /// The character each byte decodes to on its own (ASCII, and single-byte characters
    /// such as Shift_JIS half-width katakana); 0 for lead and invalid bytes.
    single: [u32; 256],
    /// The character of each lead/trail pair, by [`pair_index`]; 0 where the pair is not
    /// exactly one character of the Basic Multilingual Plane.
    pairs: Vec<u32>,
}

/// The table of `enc`, built on first use, when it is one of the double-byte encodings.
pub(crate) fn table(enc: &'static Encoding) -> Option<&'static Table> {
    static TABLES: [OnceLock<Table>; 5] = [const { OnceLock::new() }; 5];
    let i = [GBK, GB18030, BIG5, EUC_KR, SHIFT_JIS].iter().position(|e| *e == enc)?;
    Some(TABLES[i].get_or_init(|| Table::build(enc)))
}

/// A character as a table entry, when its UTF-8 form has at most three bytes.
fn entry(c: char) -> u32 {
    let mut utf8 = [0u8; 4];
    let len = c.encode_utf8(&mut utf8).len();
    if len > 3 {
        return 0;
    }
    utf8[3] = len as u8;
    u32::from_le_bytes(utf8)
}

impl Table {
    fn build(enc: &'static Encoding) -> Table {
        // Some 24 000 sequences per encoding: decode each into a buffer on the stack, not
        // into a fresh String.
        let one_char = |bytes: &[u8]| -> Option<char> {
            let mut decoder = enc.new_decoder_without_bom_handling();
            let mut buf = [0u8; 16];
            let (result, read, written) =
                decoder.decode_to_utf8_without_replacement(bytes, &mut buf, true);
            if result != encoding_rs::DecoderResult::InputEmpty || read != bytes.len() {
                return None;
            }
            let text = std::str::from_utf8(&buf[..written]).ok()?;
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        };
        let mut single = [0u32; 256];
        for (b, slot) in single.iter_mut().enumerate() {
            *slot = one_char(&[b as u8]).map_or(0, entry);
        }
        let mut pairs = vec![0u32; LEADS * TRAILS];
        for lead in LEAD_START..=0xFE {
            // A byte that is a character alone is never the start of a pair.
            if single[usize::from(lead)] != 0 {
                continue;
            }
            for trail in TRAIL_START..=0xFE {
                pairs[pair_index(lead, trail)] = one_char(&[lead, trail]).map_or(0, entry);
            }
        }
        Table { single, pairs }
    }

    /// Decode `bytes` as far as the table covers them (always to a character boundary):
    /// the UTF-8 text and how many bytes it came from.
    pub(crate) fn decode_prefix(&self, bytes: &[u8]) -> (String, usize) {
        // Every entry writes three bytes and advances by its length; two input bytes make
        // at most three output bytes, and one byte (ASCII) usually one.
        let mut out = vec![0u8; bytes.len() + bytes.len() / 2 + 8];
        let mut pos = 0;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let mut e = self.single[usize::from(b)];
            let mut step = 1;
            if e == 0 {
                e = match bytes.get(i + 1) {
                    Some(&trail)
                        if (LEAD_START..=0xFE).contains(&b)
                            && (TRAIL_START..=0xFE).contains(&trail) =>
                    {
                        self.pairs[pair_index(b, trail)]
                    }
                    _ => 0,
                };
                if e == 0 {
                    break;
                }
                step = 2;
            }
            if pos + 3 > out.len() {
                // Only single bytes that stand for three-byte characters get here.
                out.resize(out.len() * 2, 0);
            }
            let [b0, b1, b2, len] = e.to_le_bytes();
            out[pos..pos + 3].copy_from_slice(&[b0, b1, b2]);
            pos += usize::from(len);
            i += step;
        }
        out.truncate(pos);
        // Valid by construction (every entry is a whole character); checking costs a
        // fraction of a cycle per byte and keeps the crate free of `unsafe`.
        // (If it ever failed, nothing is consumed and encoding_rs decodes everything.)
        match simdutf8::basic::from_utf8(&out) {
            Ok(text) => (text.to_owned(), i),
            Err(_) => (String::new(), 0),
        }
    }
}

fn pair_index(lead: u8, trail: u8) -> usize {
    usize::from(lead - LEAD_START) * TRAILS + usize::from(trail - TRAIL_START)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte and every lead/trail pair the table covers decodes as encoding_rs decodes
    /// it, and a sequence it does not cover stops the fast path before it.
    #[test]
    fn tables_agree_with_encoding_rs_on_every_pair() {
        for enc in [GBK, GB18030, BIG5, EUC_KR, SHIFT_JIS] {
            let t = table(enc).expect("double-byte encoding");
            let mut covered = 0;
            for lead in 0x80u8..=0xFF {
                for trail in 0x00u8..=0xFF {
                    let bytes = [lead, trail];
                    let (out, n) = t.decode_prefix(&bytes);
                    let (want, _) = enc.decode_without_bom_handling(&bytes[..n]);
                    assert_eq!(out, want, "{} {lead:02X} {trail:02X}", enc.name());
                    if n == 2 {
                        covered += 1;
                    }
                }
            }
            // Most of the code space is covered (the exact share differs per encoding).
            assert!(covered > 10_000, "{}: {covered}", enc.name());
        }
        assert!(table(encoding_rs::WINDOWS_1252).is_none());
    }

    fn enc_prefix(bytes: &[u8], n: usize) -> String {
        GB18030.decode_without_bom_handling(&bytes[..n]).0.into_owned()
    }

    #[test]
    fn decoding_stops_before_what_the_table_does_not_cover() {
        let t = table(GB18030).expect("table");
        let cases: &[(&str, &[u8], usize)] = &[
            ("clean", b"ab\xD6\xD0\xCE\xC4\n", 7),
            ("four-byte sequence", b"\xD6\xD0\x81\x30\x81\x30", 2),
            ("truncated pair at the end", b"\xD6\xD0\xCE", 2),
            ("lead before a byte that is no trail", b"a\xD6 ", 1),
            ("ASCII trail", b"\xD6b", 2),
            ("0xFF", b"\xD6\xD0\xFF", 2),
        ];
        for (name, bytes, want) in cases {
            let (out, n) = t.decode_prefix(bytes);
            assert_eq!(n, *want, "{name}");
            assert_eq!(out, enc_prefix(bytes, n), "{name}");
        }
    }
}
