//! JSON strings written fast: the same bytes as `serde_json`, for the large strings of an
//! output record (text, template, removed text).
//!
//! Why: `serde_json` looks every byte up in an escape table; a record is mostly long runs of
//! CJK text with a newline every few dozen bytes. Here eight bytes are checked at a time and
//! only a word that holds a byte needing an escape is looked at byte by byte.

use std::io::{self, Write};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of the word needs an escape: below 0x20, `"` or `\`.
/// (`(x - n·ONES) & !x & HIGH` is non-zero exactly when some byte is below `n`, for n ≤ 0x80.)
#[inline]
fn word_needs_escape(x: u64) -> bool {
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let q = x ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q & HIGH;
    let s = x ^ (ONES * u64::from(b'\\'));
    let backslash = s.wrapping_sub(ONES) & !s & HIGH;
    below_space | quote | backslash != 0
}

#[inline]
fn byte_needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Index of the first byte at or after `from` that needs an escape, or `b.len()`.
#[inline]
fn next_escape(b: &[u8], mut from: usize) -> usize {
    while let Some(word) = b.get(from..from + 8) {
        let x = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        if word_needs_escape(x) {
            break;
        }
        from += 8;
    }
    b[from..].iter().position(|&c| byte_needs_escape(c)).map_or(b.len(), |p| from + p)
}

/// Write `s` as a quoted JSON string, escaped exactly as `serde_json` does: `\"`, `\\`,
/// `\b \f \n \r \t`, other control characters as `\u00xx`; everything else verbatim.
pub fn write_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    w.write_all(b"\"")?;
    let mut start = 0;
    loop {
        let i = next_escape(b, start);
        w.write_all(&b[start..i])?;
        let Some(&c) = b.get(i) else { break };
        let short = match c {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            0x08 => Some(b'b'),
            0x0C => Some(b'f'),
            b'\n' => Some(b'n'),
            b'\r' => Some(b'r'),
            b'\t' => Some(b't'),
            _ => None,
        };
        match short {
            Some(e) => w.write_all(&[b'\\', e])?,
            None => w.write_all(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 0xF)],
            ])?,
        }
        start = i + 1;
    }
    w.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(s: &str) -> String {
        let mut v = Vec::new();
        write_str(&mut v, s).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn every_ascii_byte_in_every_word_position_matches_serde_json() {
        for c in 0u8..0x80 {
            for pos in 0..17 {
                let s = format!("{}{}中文正文", "x".repeat(pos), c as char);
                assert_eq!(ours(&s), serde_json::to_string(&s).unwrap(), "byte {c:#x} at {pos}");
            }
        }
    }

    #[test]
    fn mixed_strings_match_serde_json() {
        // A small deterministic generator over characters that matter for escaping.
        let alphabet =
            ['a', '"', '\\', '\n', '\r', '\t', '\u{1}', '\u{1f}', ' ', '中', 'é', '😀', '\u{7f}'];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for len in 0..300 {
            let s: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }
        assert_eq!(ours(""), "\"\"");
    }
}
