//! Codec tables for the round trips: GBK and Big5 double-byte decoding, GBK encoding, and
//! the single-byte code page (windows-1252 as browsers use it, with Latin-1's C1 controls).
//!
//! The tables are built once from `encoding_rs` and shared; lookups are array indexing so
//! the clean-text fast path stays cheap.

use std::sync::OnceLock;

use encoding_rs::{DecoderResult, Encoding, BIG5, GBK};

/// How a character is written in GBK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gbk {
    Ascii(u8),
    Pair(u8, u8),
}

#[derive(Debug)]
pub(crate) struct Tables {
    /// (lead − 0x81) × 191 + (trail − 0x40) → code point, 0 when invalid.
    gbk_dec: Vec<u32>,
    big5_dec: Vec<u32>,
    /// BMP code point → GBK pair as `lead << 8 | trail`, 0 when not encodable as a pair.
    gbk_enc: Vec<u16>,
    /// BMP code point → in Big5 level 1 (the 5401 common traditional characters).
    big5_common: Vec<bool>,
    /// Bit per BMP code point: its GBK pair can open a UTF-8 sequence of two or more bytes
    /// (lead 0xC2–0xF4, trail 0x80–0xBF). 8 KB, so the clean-text scan stays in L1.
    start: Box<[u64; 1024]>,
}

static TABLES: OnceLock<Tables> = OnceLock::new();

pub(crate) fn tables() -> &'static Tables {
    TABLES.get_or_init(Tables::build)
}

fn pair_index(lead: u8, trail: u8) -> Option<usize> {
    if (0x81..=0xFE).contains(&lead) && (0x40..=0xFE).contains(&trail) && trail != 0x7F {
        Some(usize::from(lead - 0x81) * 191 + usize::from(trail - 0x40))
    } else {
        None
    }
}

/// Private-use code points come from user-defined byte ranges that real text does not use,
/// so they are treated as undecodable rather than as characters.
fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF)
}

/// What `enc` decodes the two bytes to as a whole, or `None` when they are malformed:
/// `decode_without_bom_handling_and_without_replacement` without its `String`.
/// `buf` needs room for two characters.
fn decode_pair<'a>(enc: &'static Encoding, pair: [u8; 2], buf: &'a mut str) -> Option<&'a str> {
    decode_all(enc, &pair, buf)
}

/// `bytes` decoded as a whole without replacement into `out`, or `None` when malformed (or
/// when `out` is too short). Into a `str`, so the output needs no UTF-8 check.
fn decode_all<'a>(enc: &'static Encoding, bytes: &[u8], out: &'a mut str) -> Option<&'a str> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let (result, read, written) = decoder.decode_to_str_without_replacement(bytes, out, true);
    let out: &'a str = out;
    match result {
        DecoderResult::InputEmpty if read == bytes.len() => Some(&out[..written]),
        _ => None,
    }
}

/// Code point per pair index ([`pair_index`]): the one character the pair decodes to on
/// its own, 0 when it is malformed, decodes to several characters, private use or ASCII.
///
/// Decoding 48 thousand pairs one call each was most of the stage's start-up, so each lead
/// byte's row (every trail byte but 0x7F) is decoded as one stretch. That is exact as far
/// as the stretch decodes without error to one character per pair: these decoders return
/// to their initial state after every valid pair and every valid pair yields at least one
/// character, so the stretch's characters are, in order, what each pair decodes to alone.
/// Where the decoder reports a malformed sequence starting at a pair, that pair is malformed
/// on its own too (a trail byte here never opens a longer sequence), so it stays 0 and the
/// row goes on after it. Anything else (a pair that yields two characters) sends the rest
/// of the row pair by pair. Stretches decode to UTF-16, which is cheaper to count and read
/// back than UTF-8.
fn decode_table(enc: &'static Encoding) -> Vec<u32> {
    let mut table = vec![0u32; 126 * 191];
    let mut set = |i: usize, c: char| {
        if !is_private_use(c) && !c.is_ascii() {
            table[i] = c as u32;
        }
    };
    let trails: Vec<u8> = (0x40..=0x7Eu8).chain(0x80..=0xFE).collect();
    let mut bytes = Vec::with_capacity(2 * trails.len());
    let mut out = vec![0u16; 4 * trails.len()];
    let mut buf = "\0".repeat(16);
    for lead in 0x81..=0xFEu8 {
        bytes.clear();
        for &trail in &trails {
            bytes.extend_from_slice(&[lead, trail]);
        }
        // Trails before `k` are done.
        let mut k = 0;
        while k < trails.len() {
            let mut decoder = enc.new_decoder_without_bom_handling();
            let input = &bytes[2 * k..];
            let (result, read, written) =
                decoder.decode_to_utf16_without_replacement(input, &mut out, true);
            // Bytes that decoded before any error, and whether a malformed pair follows them.
            let (good, malformed) = match result {
                DecoderResult::InputEmpty if read == input.len() => (read, false),
                DecoderResult::Malformed(bad, extra) => {
                    (read - usize::from(bad) - usize::from(extra), true)
                }
                _ => (0, false),
            };
            let units = &out[..written];
            let n = good / 2;
            // Every valid pair yields a character at least, so as many characters as pairs
            // is one each (a character outside the BMP being a surrogate pair).
            let chars = || char::decode_utf16(units.iter().copied());
            let one_each = good % 2 == 0 && chars().try_fold(0, |k, c| c.map(|_| k + 1)) == Ok(n);
            if !one_each || (n == 0 && !malformed) {
                break;
            }
            for (&trail, c) in trails[k..].iter().zip(chars().flatten()) {
                set(pair_index(lead, trail).expect("trail in range"), c);
            }
            k += n + usize::from(malformed);
        }
        for &trail in &trails[k..] {
            let i = pair_index(lead, trail).expect("trail in range");
            if let Some(s) = decode_pair(enc, [lead, trail], &mut buf) {
                let mut it = s.chars();
                if let (Some(c), None) = (it.next(), it.next()) {
                    set(i, c);
                }
            }
        }
    }
    table
}

impl Tables {
    fn build() -> Self {
        let gbk_dec = decode_table(GBK);
        let big5_dec = decode_table(BIG5);
        let mut gbk_enc = vec![0u16; 0x10000];
        for lead in 0x81..=0xFEu8 {
            for trail in 0x40..=0xFEu8 {
                let Some(i) = pair_index(lead, trail) else { continue };
                let c = gbk_dec[i] as usize;
                // First pair wins: the decoder maps a few characters twice.
                if c != 0 && c < 0x10000 && gbk_enc[c] == 0 {
                    gbk_enc[c] = u16::from(lead) << 8 | u16::from(trail);
                }
            }
        }
        let mut big5_common = vec![false; 0x10000];
        for lead in 0xA4..=0xC6u8 {
            for trail in 0x40..=0xFEu8 {
                let Some(i) = pair_index(lead, trail) else { continue };
                let c = big5_dec[i] as usize;
                if c != 0 && c < 0x10000 && (lead, trail) <= (0xC6, 0x7E) {
                    big5_common[c] = true;
                }
            }
        }
        let mut start = Box::new([0u64; 0x10000 / 64]);
        for (c, &v) in gbk_enc.iter().enumerate() {
            if matches!(v >> 8, 0xC2..=0xF4) && matches!(v & 0xFF, 0x80..=0xBF) {
                start[c / 64] |= 1 << (c % 64);
            }
        }
        Tables { gbk_dec, big5_dec, gbk_enc, big5_common, start }
    }

    /// The character a GBK pair decodes to.
    pub(crate) fn gbk_decode(&self, lead: u8, trail: u8) -> Option<char> {
        pair_index(lead, trail).and_then(|i| char::from_u32(self.gbk_dec[i])).filter(|c| *c != '\0')
    }

    /// The character a Big5 pair decodes to.
    pub(crate) fn big5_decode(&self, lead: u8, trail: u8) -> Option<char> {
        pair_index(lead, trail)
            .and_then(|i| char::from_u32(self.big5_dec[i]))
            .filter(|c| *c != '\0')
    }

    /// True for the common traditional characters (Big5 level 1).
    pub(crate) fn is_big5_common(&self, c: char) -> bool {
        self.big5_common.get(c as usize).copied().unwrap_or(false)
    }

    /// True when the character's GBK pair can open a UTF-8 sequence of two or more bytes:
    /// where a UTF-8-read-as-GBK repair can begin.
    #[inline]
    pub(crate) fn is_start(&self, c: char) -> bool {
        self.is_start_cp(c as u32)
    }

    /// [`Tables::is_start`] by code point.
    #[inline]
    pub(crate) fn is_start_cp(&self, cp: u32) -> bool {
        let u = cp as usize;
        u < 0x10000 && self.start[(u / 64) % 1024] >> (u % 64) & 1 != 0
    }

    /// The GBK double-byte pair of a code point, if it has one.
    #[inline]
    pub(crate) fn gbk_pair_cp(&self, cp: u32) -> Option<(u8, u8)> {
        let v = *self.gbk_enc.get(cp as usize)?;
        (v != 0).then_some(((v >> 8) as u8, (v & 0xFF) as u8))
    }

    /// The GBK bytes of a character (ASCII or a double-byte pair), if GBK has it.
    pub(crate) fn gbk_encode(&self, c: char) -> Option<Gbk> {
        if c.is_ascii() {
            return Some(Gbk::Ascii(c as u8));
        }
        let v = *self.gbk_enc.get(c as usize)?;
        (v != 0).then_some(Gbk::Pair((v >> 8) as u8, (v & 0xFF) as u8))
    }
}

/// windows-1252 bytes 0x80–0x9F; the five undefined ones decode to C1 controls in browsers.
#[cfg(test)]
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The byte a character has in the single-byte code pages a mis-decoding reader used:
/// ASCII, Latin-1 (including C1 controls) and the windows-1252 extras.
#[inline]
pub(crate) fn single_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x100 {
        return Some(u as u8);
    }
    // A match, not a search of `CP1252_HIGH`: “”—… are common in Chinese text and this runs
    // on every character of the clean-text scan.
    if !(0x152..=0x2122).contains(&u) {
        return None;
    }
    let b = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// True for the windows-1252 extras (not Latin-1).
pub(crate) fn is_cp1252_extra(c: char) -> bool {
    (c as u32) > 0xFF && single_byte(c).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_round_trips_common_text() {
        let t = tables();
        for (c, bytes) in
            [('中', Gbk::Pair(0xD6, 0xD0)), ('A', Gbk::Ascii(b'A')), ('·', Gbk::Pair(0xA1, 0xA4))]
        {
            assert_eq!(t.gbk_encode(c), Some(bytes), "{c}");
            if let Gbk::Pair(l, r) = bytes {
                assert_eq!(t.gbk_decode(l, r), Some(c));
            }
        }
    }

    #[test]
    fn single_byte_covers_cp1252_and_c1() {
        for (c, b) in
            [('é', 0xE9), ('€', 0x80), ('\u{81}', 0x81), ('—', 0x97), ('Ÿ', 0x9F), ('a', b'a')]
        {
            assert_eq!(single_byte(c), Some(b), "{c:?}");
        }
        assert_eq!(single_byte('中'), None);
        assert!(is_cp1252_extra('™'));
        assert!(!is_cp1252_extra('é'));
    }

    #[test]
    fn single_byte_agrees_with_the_code_page_table() {
        for (i, &c) in CP1252_HIGH.iter().enumerate() {
            assert_eq!(single_byte(c), Some(0x80 + i as u8), "{c:?}");
        }
        for u in 0x100..0x3000u32 {
            let c = char::from_u32(u).unwrap();
            assert_eq!(
                single_byte(c),
                CP1252_HIGH.iter().position(|&x| x == c).map(|i| 0x80 + i as u8)
            );
        }
    }

    /// The allocation-free pair decode is encoding_rs's whole-input decode.
    #[test]
    fn decode_pair_agrees_with_encoding_rs() {
        let mut buf = "\0".repeat(16);
        for enc in [GBK, BIG5] {
            for lead in 0x80..=0xFFu8 {
                for trail in 0x00..=0xFFu8 {
                    let bytes = [lead, trail];
                    let want = enc.decode_without_bom_handling_and_without_replacement(&bytes);
                    let got = decode_pair(enc, [lead, trail], &mut buf);
                    assert_eq!(got, want.as_deref(), "{} {lead:02X} {trail:02X}", enc.name());
                }
            }
        }
    }

    /// The table decoded by stretches is the table decoded pair by pair through
    /// encoding_rs's whole-input decode.
    #[test]
    fn decode_table_agrees_with_pair_by_pair() {
        for enc in [GBK, BIG5] {
            let table = decode_table(enc);
            for lead in 0x81..=0xFEu8 {
                for trail in 0x40..=0xFEu8 {
                    let Some(i) = pair_index(lead, trail) else { continue };
                    let bytes = [lead, trail];
                    let mut want = 0;
                    if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(&bytes)
                    {
                        let mut it = s.chars();
                        if let (Some(c), None) = (it.next(), it.next()) {
                            if !is_private_use(c) && !c.is_ascii() {
                                want = c as u32;
                            }
                        }
                    }
                    assert_eq!(table[i], want, "{} {lead:02X} {trail:02X}", enc.name());
                }
            }
        }
    }

    #[test]
    fn big5_decodes_traditional() {
        assert_eq!(tables().big5_decode(0xA4, 0xA4), Some('中'));
    }
}
