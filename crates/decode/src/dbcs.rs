//! Table-driven decoding of the double-byte CJK encodings (GBK, Big5, EUC-KR, Shift_JIS)
//! for the stretch of input that is error-free.
//!
//! encoding_rs decodes these at roughly 30 instructions per byte; almost all of that is
//! per-character bookkeeping, not the lookup itself. Once the encoding is known, the whole
//! input is decoded here instead with one table per encoding: what each byte means alone,
//! and what each lead and trail byte pair decodes to. The tables are built from encoding_rs
//! itself (every byte and every pair decoded once; the pairs of a lead byte when text first
//! uses it), so a character decoded here is exactly what encoding_rs gives. Anything the
//! tables do not cover — a malformed sequence, a GB18030 four-byte sequence, a pair that
//! stands for two characters or one outside the Basic Multilingual Plane — stops the fast
//! path between two characters, where a fresh encoding_rs decoder takes over for the rest.

use std::sync::OnceLock;

use encoding_rs::{DecoderResult, Encoding, BIG5, EUC_KR, GB18030, GBK, SHIFT_JIS};

const LEAD_START: u8 = 0x81;
const TRAIL_START: u8 = 0x40;
/// Trail bytes 0x40..=0xFE.
const TRAILS: usize = 0xFF - TRAIL_START as usize;

/// What the bytes of one encoding decode to, as UTF-8 ready to copy: an entry holds up
/// to three bytes of UTF-8 and their count in the top byte (0 for "not covered").
#[derive(Debug)]
pub(crate) struct Table {
    /// The character each byte decodes to on its own (ASCII, and single-byte characters
    /// such as Shift_JIS half-width katakana); 0 for lead and invalid bytes.
    single: [u32; 256],
    /// The encoding, to build `rows` from.
    enc: &'static Encoding,
    /// The row of `rows` for each byte as a lead: 0 (the row of zeros) for a byte that
    /// starts no pair. Rows span every trail byte, so a lookup needs no range check.
    row_of: [u8; 256],
    /// The character of each pair by lead row and trail byte; 0 where the pair is not
    /// exactly one character of the Basic Multilingual Plane, or the trail is outside
    /// 0x40..=0xFE. A row is built when text first uses its lead byte: Chinese text uses
    /// about half of the GBK leads and a third of the Big5 ones, and a row costs some
    /// 24 000 instructions.
    rows: [OnceLock<Box<[u32; 256]>>; ROWS],
}

/// Why [`Table::run`] stopped.
enum Stop {
    /// At the end of its stretch.
    End,
    /// Before a character the table does not cover.
    Uncovered,
    /// Before a pair whose lead byte's row is not built yet.
    Row(u8),
}

/// Rows of a table: one per lead byte 0x81..=0xFE, and the row of zeros.
const ROWS: usize = 128;

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

/// [`entry`] of a UTF-16 code unit that is not a surrogate, without going through `char`.
fn bmp_entry(unit: u16) -> u32 {
    let u = u32::from(unit);
    match u {
        0..=0x7F => u | (1 << 24),
        0x80..=0x7FF => (0xC0 | (u >> 6)) | ((0x80 | (u & 0x3F)) << 8) | (2 << 24),
        _ => {
            (0xE0 | (u >> 12))
                | ((0x80 | ((u >> 6) & 0x3F)) << 8)
                | ((0x80 | (u & 0x3F)) << 16)
                | (3 << 24)
        }
    }
}

/// The character `bytes` decode to when they are exactly one character (what a fresh
/// decoder gives for them as a whole input), as in the per-sequence construction the
/// batched one must agree with.
fn one_char(enc: &'static Encoding, bytes: &[u8]) -> Option<char> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut buf = [0u8; 16];
    let (result, read, written) = decoder.decode_to_utf8_without_replacement(bytes, &mut buf, true);
    if result != DecoderResult::InputEmpty || read != bytes.len() {
        return None;
    }
    let text = std::str::from_utf8(&buf[..written]).ok()?;
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Whether `lead` alone is the start of a sequence: the decoder takes it and waits for more.
fn starts_pair(enc: &'static Encoding, lead: u8) -> bool {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut buf = [0u8; 16];
    let (result, read, written) =
        decoder.decode_to_utf8_without_replacement(&[lead], &mut buf, false);
    result == DecoderResult::InputEmpty && read == 1 && written == 0
}

/// Fill `row` with the entries of every pair of `lead` (which [`starts_pair`]), decoded in
/// one stream: one decoder call per pair costs ~350 instructions, the stream ~125 a pair
/// with the bookkeeping below.
///
/// The pairs are laid out back to back, so each must be attributed its part of the output:
/// a malformed pair is reported with its position (and gives back an ASCII trail, which then
/// decodes as itself, or swallows any other trail); a well-formed one writes one UTF-16 unit,
/// or a surrogate pair for a character beyond the Basic Multilingual Plane (not covered). A
/// pair that writes two characters (four Big5 pairs do) breaks that accounting, so the walk
/// must end exactly at the end of the output; when it does not, this returns false and the
/// caller decodes the row pair by pair. A unit test compares every pair of every encoding
/// with the pair-by-pair construction.
fn decode_row(enc: &'static Encoding, lead: u8, row: &mut [u32]) -> bool {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut input = [0u8; 2 * TRAILS];
    for (pair, trail) in input.chunks_exact_mut(2).zip(TRAIL_START..=0xFE) {
        pair.copy_from_slice(&[lead, trail]);
    }
    let mut out = [0u16; 2 * TRAILS + 8];
    let mut malformed = [false; TRAILS];
    let (mut read, mut written) = (0, 0);
    loop {
        let (result, r, w) =
            decoder.decode_to_utf16_without_replacement(&input[read..], &mut out[written..], true);
        read += r;
        written += w;
        match result {
            DecoderResult::InputEmpty => break,
            // The last byte of the malformed sequence is before the bytes read after it.
            DecoderResult::Malformed(_, after) => {
                match (read - usize::from(after)).checked_sub(1) {
                    Some(last) => malformed[last / 2] = true,
                    None => return false,
                }
            }
            DecoderResult::OutputFull => return false,
        }
    }
    let out = &out[..written];
    let mut at = 0;
    for ((slot, trail), bad) in row.iter_mut().zip(TRAIL_START..=0xFE).zip(malformed) {
        let Some(&unit) = out.get(at) else { return false };
        if bad {
            *slot = 0;
            if trail < 0x80 {
                if unit != u16::from(trail) {
                    return false;
                }
                at += 1;
            }
        } else if (0xD800..0xDC00).contains(&unit) {
            *slot = 0;
            at += 2;
        } else {
            *slot = bmp_entry(unit);
            at += 1;
        }
    }
    at == out.len()
}

impl Table {
    fn build(enc: &'static Encoding) -> Table {
        let mut single = [0u32; 256];
        for (b, slot) in single.iter_mut().enumerate() {
            *slot = one_char(enc, &[b as u8]).map_or(0, entry);
        }
        let mut row_of = [0u8; 256];
        for (lead, row) in (LEAD_START..=0xFE).zip(1..) {
            // A byte that is a character alone, or malformed alone, starts no pair (old
            // construction: every pair starting with it was not one character).
            if single[usize::from(lead)] == 0 && starts_pair(enc, lead) {
                row_of[usize::from(lead)] = row;
            }
        }
        let rows = [const { OnceLock::new() }; ROWS];
        rows[0].get_or_init(|| Box::new([0; 256]));
        Table { enc, single, row_of, rows }
    }

    /// The entries of every pair of `lead` (which starts pairs), by trail byte.
    fn build_row(enc: &'static Encoding, lead: u8) -> Box<[u32; 256]> {
        let mut row = Box::new([0u32; 256]);
        let trails = &mut row[usize::from(TRAIL_START)..];
        if !decode_row(enc, lead, trails) {
            for (slot, trail) in trails.iter_mut().zip(TRAIL_START..=0xFE) {
                *slot = one_char(enc, &[lead, trail]).map_or(0, entry);
            }
        }
        row
    }

    /// The row of entries of `lead`, built on first use.
    fn row(&self, lead: u8) -> &[u32; 256] {
        let row = usize::from(self.row_of[usize::from(lead)]) % ROWS;
        self.rows[row].get_or_init(|| Self::build_row(self.enc, lead))
    }

    /// The entry of a lead/trail pair.
    #[cfg(test)]
    fn pair(&self, lead: u8, trail: u8) -> u32 {
        self.row(lead)[usize::from(trail)]
    }

    /// Decode from `bytes[*i..]` into `out[*pos..]` until `end`, a character not covered, or
    /// a lead byte whose row is not built yet. `out` must have room for three bytes per
    /// input byte up to `end`, and one more. Kept apart from the building so that the loop
    /// holds everything in registers.
    #[inline(never)]
    fn run(
        &self,
        bytes: &[u8],
        end: usize,
        out: &mut [u8],
        i: &mut usize,
        pos: &mut usize,
    ) -> Stop {
        let (mut at, mut to) = (*i, *pos);
        let stop = loop {
            let Some(&b) = bytes.get(at).filter(|_| at < end) else { break Stop::End };
            let mut e = self.single[usize::from(b)];
            let mut step = 1;
            if e == 0 {
                let Some(&trail) = bytes.get(at + 1) else { break Stop::Uncovered };
                let row = usize::from(self.row_of[usize::from(b)]) % ROWS;
                let Some(row) = self.rows[row].get() else { break Stop::Row(b) };
                e = row[usize::from(trail)];
                if e == 0 {
                    break Stop::Uncovered;
                }
                step = 2;
            }
            out[to..to + 4].copy_from_slice(&e.to_le_bytes());
            to += (e >> 24) as usize;
            at += step;
        };
        (*i, *pos) = (at, to);
        stop
    }

    /// Decode `bytes` as far as the table covers them (always to a character boundary):
    /// the UTF-8 text and how many bytes it came from.
    pub(crate) fn decode_prefix(&self, bytes: &[u8]) -> (String, usize) {
        // Every entry writes four bytes (its length byte too, overwritten next) and advances
        // by its length. Two input bytes make at most three output bytes and one byte
        // (ASCII) usually one, so the output starts at one and a half times the input; it
        // only grows for single bytes that stand for three-byte characters.
        let mut out = vec![0u8; bytes.len() + bytes.len() / 2 + 16];
        let mut pos = 0;
        let mut i = 0;
        while i < bytes.len() {
            // No input byte makes more than three output bytes, so the next `n` bytes fit
            // without a check per character (a pair may start at the last of them).
            let n = (out.len() - pos - 1) / 3;
            if n < 2 {
                out.resize(out.len() * 2, 0);
                continue;
            }
            let end = bytes.len().min(i + n);
            match self.run(bytes, end, &mut out, &mut i, &mut pos) {
                Stop::End => {}
                Stop::Uncovered => break,
                Stop::Row(lead) => {
                    self.row(lead);
                }
            }
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

    /// The batched construction gives exactly the table of the per-sequence one: every
    /// byte and every lead/trail pair decoded alone by a fresh decoder.
    #[test]
    fn batched_table_equals_decoding_every_pair_alone() {
        for enc in [GBK, GB18030, BIG5, EUC_KR, SHIFT_JIS] {
            let t = Table::build(enc);
            for b in 0..=255u8 {
                let want = one_char(enc, &[b]).map_or(0, entry);
                assert_eq!(t.single[usize::from(b)], want, "{} {b:02X}", enc.name());
            }
            for lead in 0..=255u8 {
                for trail in 0..=255u8 {
                    let in_range = (LEAD_START..=0xFE).contains(&lead)
                        && (TRAIL_START..=0xFE).contains(&trail);
                    let want = if !in_range || t.single[usize::from(lead)] != 0 {
                        0
                    } else {
                        one_char(enc, &[lead, trail]).map_or(0, entry)
                    };
                    let got = t.pair(lead, trail);
                    assert_eq!(got, want, "{} {lead:02X} {trail:02X}", enc.name());
                }
            }
        }
    }

    #[test]
    fn bmp_entries_are_entries_of_the_character() {
        for unit in (0..=0xFFFFu16).filter(|u| !(0xD800..0xE000).contains(u)) {
            let c = char::from_u32(u32::from(unit)).expect("not a surrogate");
            assert_eq!(bmp_entry(unit), entry(c), "{unit:04X}");
        }
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
