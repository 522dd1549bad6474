//! The character language model that decides between a span and its repair.
//!
//! Cost of a text = Σ per-character cost (−ln P for Han characters from jieba's dictionary,
//! fixed costs per class for everything else) − Σ pair bonus (in-word PMI of adjacent Han
//! characters). Lower is more like real text. Mojibake is made of rare characters, odd
//! symbols and script mixes, so its cost is far above the repaired text's.

use std::sync::OnceLock;

use crate::tables::is_cp1252_extra;

static LM_BYTES: &[u8] = include_bytes!("../data/lm.bin");

#[derive(Debug)]
pub(crate) struct Lm {
    /// BMP code point → index + 1 into `cost` (0: not in the model).
    index: Vec<u16>,
    cost: Vec<f32>,
    /// `a << 16 | b` of pair indices, sorted, with the PMI alongside.
    pair_keys: Vec<u32>,
    pair_pmi: Vec<f32>,
    /// Per model index: the largest pair bonus the character gets as the left member of a
    /// pair, and as the right member. Bounds for the scan that proves lines clean.
    max_after: Vec<f32>,
    max_before: Vec<f32>,
}

static LM: OnceLock<Lm> = OnceLock::new();

pub(crate) fn lm() -> &'static Lm {
    LM.get_or_init(|| Lm::parse(LM_BYTES))
}

/// Cost of a Han character the model has not seen (rare or traditional-only).
const UNSEEN_HAN: f32 = 14.0;
/// Cost of a common traditional character the (mostly simplified) model has not seen.
const UNSEEN_COMMON_TRAD: f32 = 10.0;
/// Weight of the pair bonus against the unigram costs.
const PAIR_WEIGHT: f32 = 0.6;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Lm {
    fn parse(b: &[u8]) -> Self {
        // The file is ours and embedded at compile time; a malformed one fails the tests.
        assert!(b.starts_with(b"QXLM1"), "lm.bin: bad magic");
        let mut at = 5;
        let n = u32_at(b, at) as usize;
        at += 4;
        let mut index = vec![0u16; 0x10000];
        let mut cost = Vec::with_capacity(n);
        for i in 0..n {
            let c = u32_at(b, at) as usize;
            if c < 0x10000 {
                index[c] = (i + 1) as u16;
            }
            cost.push(f32::from(b[at + 4]) / 10.0);
            at += 5;
        }
        let m = u32_at(b, at) as usize;
        at += 4;
        let mut pair_keys = Vec::with_capacity(m);
        let mut pair_pmi = Vec::with_capacity(m);
        for _ in 0..m {
            let a = u32::from(u16::from_le_bytes([b[at], b[at + 1]]));
            let c = u32::from(u16::from_le_bytes([b[at + 2], b[at + 3]]));
            pair_keys.push(a << 16 | c);
            pair_pmi.push(f32::from(b[at + 4]) / 10.0);
            at += 5;
        }
        let mut max_after = vec![0.0f32; n];
        let mut max_before = vec![0.0f32; n];
        for (&key, &pmi) in pair_keys.iter().zip(&pair_pmi) {
            let (a, c) = ((key >> 16) as usize, (key & 0xFFFF) as usize);
            let bonus = PAIR_WEIGHT * pmi;
            max_after[a] = max_after[a].max(bonus);
            max_before[c] = max_before[c].max(bonus);
        }
        Lm { index, cost, pair_keys, pair_pmi, max_after, max_before }
    }

    fn idx(&self, c: char) -> Option<u16> {
        let i = *self.index.get(c as usize)?;
        (i != 0).then(|| i - 1)
    }

    /// Cost of one character, in nats.
    pub(crate) fn char_cost(&self, c: char) -> f32 {
        if let Some(i) = self.idx(c) {
            let cost = self.cost[usize::from(i)];
            // jieba's dictionary is simplified; its traditional entries are rare words, so
            // common traditional characters get at most the unseen-common cost.
            if cost > UNSEEN_COMMON_TRAD && crate::tables::tables().is_big5_common(c) {
                return UNSEEN_COMMON_TRAD;
            }
            return cost;
        }
        class_cost(c)
    }

    /// Bonus for two adjacent characters that often form words.
    pub(crate) fn pair_bonus(&self, a: char, b: char) -> f32 {
        let (Some(x), Some(y)) = (self.idx(a), self.idx(b)) else { return 0.0 };
        let key = u32::from(x) << 16 | u32::from(y);
        match self.pair_keys.binary_search(&key) {
            Ok(i) => PAIR_WEIGHT * self.pair_pmi[i],
            Err(_) => 0.0,
        }
    }

    /// An upper bound of [`Lm::pair_bonus`]`(a, b)` without the pair lookup.
    pub(crate) fn pair_bonus_bound(&self, a: char, b: char) -> f32 {
        let (Some(x), Some(y)) = (self.idx(a), self.idx(b)) else { return 0.0 };
        self.max_after[usize::from(x)].min(self.max_before[usize::from(y)])
    }

    /// Cost of `chars` between the context characters `left` and `right`.
    pub(crate) fn cost(&self, chars: &[char], left: Option<char>, right: Option<char>) -> f32 {
        let mut total: f32 = chars.iter().map(|&c| self.char_cost(c)).sum();
        let mut prev = left;
        for &c in chars.iter().chain(right.as_ref()) {
            if let Some(p) = prev {
                total -= self.pair_bonus(p, c);
                total += transition_cost(p, c);
            }
            prev = Some(c);
        }
        total
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn is_latin_letter(c: char) -> bool {
    matches!(c as u32, 0xC0..=0xFF) && c != '×' && c != '÷'
}

/// Costs for characters outside the Han model, by class. They only need to rank mojibake
/// (C1 controls, symbol soup, rare scripts, private use) above the text it came from.
fn class_cost(c: char) -> f32 {
    let u = c as u32;
    match c {
        '\n' | '\r' | '\t' | ' ' => 2.0,
        _ if c.is_ascii_alphanumeric() => 3.0,
        _ if c.is_ascii_punctuation() => 4.0,
        _ if c.is_ascii() => 20.0,
        '\u{FFFD}' => 10.0,
        '·' => 8.0,
        '°' | '×' | '“' | '”' | '‘' | '’' | '—' | '…' | '–' | '€' => 5.0,
        _ if is_han(c) && crate::tables::tables().is_big5_common(c) => UNSEEN_COMMON_TRAD,
        _ if is_han(c) => UNSEEN_HAN,
        _ if is_latin_letter(c) => 7.0,
        _ => match u {
            0x80..=0x9F => 20.0,
            0xA0..=0xBF => 9.0,
            _ if is_cp1252_extra(c) => 10.0,
            0x3000..=0x303F | 0xFF01..=0xFF5E | 0x2000..=0x206F => 5.0,
            0x3040..=0x30FF => 9.0,
            0xAC00..=0xD7A3 => 10.0,
            0x100..=0x24F => 10.0,
            0x370..=0x4FF => 10.0,
            0x2100..=0x27BF => 10.0,
            0x1F300..=0x1FAFF => 8.0,
            0xE000..=0xF8FF => 30.0,
            0x300..=0x36F => 16.0,
            _ if c.is_control() => 30.0,
            _ => 13.0,
        },
    }
}

/// Extra cost for script changes between neighbours: Latin-1 letters or symbols glued to
/// Han characters and C1 controls are what mojibake looks like.
pub(crate) fn transition_cost(a: char, b: char) -> f32 {
    let latin_a = (a as u32) >= 0x80 && (a as u32) <= 0xFF;
    let latin_b = (b as u32) >= 0x80 && (b as u32) <= 0xFF;
    let hangul = |c: char| matches!(c as u32, 0xAC00..=0xD7A3);
    // A UTF-8 lead byte read as a Latin-1 letter, then a continuation byte read as a
    // symbol, C1 control or windows-1252 extra: `Ã©`, `Ã¤`, `Â·`.
    let continuation =
        |c: char| matches!(c as u32, 0x80..=0xBF) || crate::tables::is_cp1252_extra(c);
    if matches!(a, 'Â'..='ô') && continuation(b) {
        6.0
    } else if (latin_a && is_han(b)) || (is_han(a) && latin_b) {
        2.0
    } else if (hangul(a) && !hangul(b) && !b.is_ascii())
        || (hangul(b) && !hangul(a) && !a.is_ascii())
    {
        4.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(s: &str) -> f32 {
        let v: Vec<char> = s.chars().collect();
        lm().cost(&v, None, None)
    }

    #[test]
    fn real_words_cost_less_than_their_mojibake() {
        for (good, bad) in [("发布日期", "鍙戝竷鏃ユ湡"), ("中文", "ä¸\u{AD}æ–‡"), ("日期", "ÈÕÆÚ")]
        {
            assert!(cost(good) + 10.0 < cost(bad), "{good} {} vs {bad} {}", cost(good), cost(bad));
        }
    }

    #[test]
    fn pairs_in_words_get_a_bonus() {
        assert!(lm().pair_bonus('日', '期') > 0.0);
        for (a, b) in [('日', '期'), ('中', '文'), ('期', 'A'), ('的', '的')] {
            assert!(lm().pair_bonus(a, b) <= lm().pair_bonus_bound(a, b), "{a}{b}");
        }
        assert_eq!(lm().pair_bonus('期', 'A'), 0.0);
    }
}
