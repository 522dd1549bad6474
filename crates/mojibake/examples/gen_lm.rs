//! One-off generator of `data/lm.bin`, the character language model the repairer scores with.
//!
//! Input: jieba's dictionary (`dict.txt`, MIT licence, shipped in the `jieba-rs` crate under
//! `src/data/dict.txt`): one `word frequency [tag]` per line. Output: per Han character the
//! cost `-ln P(c)` and, per character pair seen inside a word, its pointwise mutual
//! information. Character counts weight every character of a word by the word's frequency.
//!
//! ```text
//! cargo run -p qingxi-mojibake --example gen_lm -- ~/.cargo/registry/src/*/jieba-rs-*/src/data/dict.txt crates/mojibake/data/lm.bin
//! ```
//!
//! Format (little endian): `QXLM1`, u32 n_chars, n_chars × (u32 code point, u8 cost in
//! 0.1 nats), u32 n_pairs, n_pairs × (u16 index a, u16 index b, u8 PMI in 0.1 nats), pairs
//! sorted by (a, b); only pairs with positive PMI are kept.

use std::collections::HashMap;
use std::error::Error;

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (src, dst) = match args.as_slice() {
        [_, s, d] => (s, d),
        _ => return Err("usage: gen_lm DICT.txt OUT.bin".into()),
    };
    let text = std::fs::read_to_string(src)?;
    let mut uni: HashMap<char, f64> = HashMap::new();
    let mut pair: HashMap<(char, char), f64> = HashMap::new();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let (Some(word), Some(freq)) = (it.next(), it.next()) else { continue };
        let f: f64 = freq.parse()?;
        let chars: Vec<char> = word.chars().collect();
        for &c in chars.iter().filter(|c| is_han(**c)) {
            *uni.entry(c).or_default() += f;
        }
        for w in chars.windows(2) {
            if is_han(w[0]) && is_han(w[1]) {
                *pair.entry((w[0], w[1])).or_default() += f;
            }
        }
    }
    let mut chars: Vec<(char, f64)> = uni.into_iter().collect();
    chars.sort_by_key(|a| a.0);
    let total: f64 = chars.iter().map(|c| c.1).sum();
    let index: HashMap<char, u16> = chars
        .iter()
        .enumerate()
        .map(|(i, c)| (c.0, u16::try_from(i).expect("< 65536 chars")))
        .collect();
    let prob: HashMap<char, f64> = chars.iter().map(|&(c, f)| (c, f / total)).collect();
    let pair_total: f64 = pair.values().sum();
    let mut out = b"QXLM1".to_vec();
    out.extend(u32::try_from(chars.len())?.to_le_bytes());
    for &(c, f) in &chars {
        let cost = (total / f).ln();
        out.extend((c as u32).to_le_bytes());
        out.push((cost * 10.0).round().clamp(0.0, 255.0) as u8);
    }
    let mut pairs: Vec<(u16, u16, u8)> = pair
        .into_iter()
        .filter_map(|((a, b), f)| {
            let pmi = ((f / pair_total) / (prob[&a] * prob[&b])).ln();
            (pmi > 0.05)
                .then(|| (index[&a], index[&b], (pmi * 10.0).round().clamp(1.0, 255.0) as u8))
        })
        .collect();
    pairs.sort_unstable();
    out.extend(u32::try_from(pairs.len())?.to_le_bytes());
    for (a, b, p) in pairs {
        out.extend(a.to_le_bytes());
        out.extend(b.to_le_bytes());
        out.push(p);
    }
    std::fs::write(dst, out)?;
    Ok(())
}
