//! The character language model that decides between a span and its repair.
//!
//! Cost of a text = Σ per-character cost (−ln P for Han characters from jieba's dictionary,
//! fixed costs per class for everything else) − Σ pair bonus (in-word PMI of adjacent Han
//! characters). Lower is more like real text. Mojibake is made of rare characters, odd
//! symbols and script mixes, so its cost is far above the repaired text's.
//!
//! Costs are integers in hundredths of a nat ([`Cost`]): the model stores tenths of a nat
//! and the pair weight is 0.6, so every cost is exact. Sums then do not depend on the order
//! of addition, which lets the repair search score spans from prefix sums (one subtraction
//! per candidate) and get exactly what scoring the span character by character gives.

use std::sync::OnceLock;

use crate::tables::is_cp1252_extra;

static LM_BYTES: &[u8] = include_bytes!("../data/lm.bin");

/// A cost in hundredths of a nat.
pub(crate) type Cost = i32;

/// [`Cost`] units per nat.
pub(crate) const PER_NAT: f32 = 100.0;

#[derive(Debug)]
pub(crate) struct Lm {
    /// BMP code point → index + 1 into the model (0: not in the model).
    index: Vec<u16>,
    /// BMP code point → its [`Lm::char_cost`], model or class cost alike: one load per
    /// character on the hot path of the repair search.
    bmp_cost: Vec<i16>,
    /// BMP code point → its [`script_flags`], for [`Lm::transition`] without the matches.
    bmp_flags: Vec<u8>,
    /// [`transition_from_flags`] of every two flag sets (six bits each, `a << 6 | b`): one
    /// load per link on the scoring paths instead of the rule's tests.
    transitions: Box<[i16; 4096]>,
    /// The pair bonuses, hashed by model indices ([`PairTable`]).
    pairs: PairTable,
    /// Per model index: the largest pair bonus the character gets as the left member of a
    /// pair, and as the right member. Bounds for the scan that proves lines clean.
    max_after: Vec<i16>,
    max_before: Vec<i16>,
}

/// What [`Lm::link`] looks up of a character: its script flags and model index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Side {
    flags: u8,
    idx: Option<u16>,
}

/// The [`Side`]s of a slot's neighbours ([`Lm::between`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Between {
    left: Option<Side>,
    right: Option<Side>,
}

static LM: OnceLock<Lm> = OnceLock::new();

pub(crate) fn lm() -> &'static Lm {
    LM.get_or_init(|| Lm::parse(LM_BYTES))
}

/// Cost of a Han character the model has not seen (rare or traditional-only).
const UNSEEN_HAN: Cost = 1400;
/// Cost of a common traditional character the (mostly simplified) model has not seen.
const UNSEEN_COMMON_TRAD: Cost = 1000;
/// Weight of the pair bonus against the unigram costs, in tenths (the PMI is stored in
/// tenths of a nat, so a bonus is `PMI byte × 6` hundredths: 0.6 × PMI).
const PAIR_WEIGHT_TENTHS: Cost = 6;

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
            cost.push(Cost::from(b[at + 4]) * 10);
            at += 5;
        }
        let m = u32_at(b, at) as usize;
        at += 4;
        let (pairs, max_after, max_before) = pair_table(&b[at..], n, m);
        let bmp_cost = bmp_costs(&index, &cost);
        let bmp_flags = bmp_flags();
        let mut transitions = Box::new([0i16; 4096]);
        for (ab, slot) in transitions.iter_mut().enumerate() {
            *slot = transition_from_flags((ab >> 6) as u8, (ab & 63) as u8) as i16;
        }
        Lm { index, bmp_cost, bmp_flags, transitions, pairs, max_after, max_before }
    }

    #[inline]
    fn idx(&self, c: char) -> Option<u16> {
        let i = *self.index.get(c as usize)?;
        (i != 0).then(|| i - 1)
    }

    /// Cost of one character.
    #[inline]
    pub(crate) fn char_cost(&self, c: char) -> Cost {
        match self.bmp_cost.get(c as usize) {
            Some(&v) => Cost::from(v),
            None => class_cost(c),
        }
    }

    /// Bonus for two adjacent characters that often form words.
    #[inline]
    pub(crate) fn pair_bonus(&self, a: char, b: char) -> Cost {
        let (Some(x), Some(y)) = (self.idx(a), self.idx(b)) else { return 0 };
        self.pairs.get(x, y)
    }

    /// An upper bound of [`Lm::pair_bonus`]`(a, b)` without the pair lookup.
    pub(crate) fn pair_bonus_bound(&self, a: char, b: char) -> Cost {
        let (Some(x), Some(y)) = (self.idx(a), self.idx(b)) else { return 0 };
        Cost::from(self.max_after[usize::from(x)].min(self.max_before[usize::from(y)]))
    }

    /// Cost of the pair `a b` beyond the two characters' own costs: the script transition
    /// minus the pair bonus.
    #[inline]
    pub(crate) fn link(&self, a: char, b: char) -> Cost {
        self.transition(a, b) - self.pair_bonus(a, b)
    }

    /// [`transition_cost`] from the flag table.
    #[inline]
    pub(crate) fn transition(&self, a: char, b: char) -> Cost {
        self.transition_flags(self.flags(a), self.flags(b))
    }

    /// [`transition_from_flags`] from its table.
    #[inline]
    fn transition_flags(&self, a: u8, b: u8) -> Cost {
        // Flags have six bits; the mask only tells the compiler the index is in bounds.
        Cost::from(self.transitions[(usize::from(a) << 6 | usize::from(b)) & 0xFFF])
    }

    /// [`script_flags`] from the flag table.
    #[inline]
    fn flags(&self, c: char) -> u8 {
        match self.bmp_flags.get(c as usize) {
            Some(&f) => f,
            None => script_flags(c),
        }
    }

    /// What a link to or from `c` needs to know of it.
    #[inline]
    pub(crate) fn side(&self, c: char) -> Side {
        Side { flags: self.flags(c), idx: self.idx(c) }
    }

    /// [`Lm::link`] of two characters by their [`Side`]s.
    #[inline]
    pub(crate) fn link_sides(&self, a: Side, b: Side) -> Cost {
        let bonus = match (a.idx, b.idx) {
            (Some(x), Some(y)) => self.pairs.get(x, y),
            _ => 0,
        };
        self.transition_flags(a.flags, b.flags) - bonus
    }

    /// The neighbours `left` and `right` of a slot, looked up once for
    /// [`Lm::cost_between`].
    pub(crate) fn between(&self, left: Option<char>, right: Option<char>) -> Between {
        Between { left: left.map(|c| self.side(c)), right: right.map(|c| self.side(c)) }
    }

    /// [`Lm::cost_one`] of `c` between the neighbours of `b`: the same sum, with the
    /// neighbours' table lookups done once for all the candidates of a slot.
    #[inline]
    pub(crate) fn cost_between(&self, c: char, b: &Between) -> Cost {
        let side = self.side(c);
        let mut cost = self.char_cost(c);
        if let Some(l) = b.left {
            cost += self.link_sides(l, side);
        }
        if let Some(r) = b.right {
            cost += self.link_sides(side, r);
        }
        cost
    }

    /// [`Lm::cost`] of the one character `c`: the definition of [`Lm::cost_between`].
    #[cfg(test)]
    pub(crate) fn cost_one(&self, c: char, left: Option<char>, right: Option<char>) -> Cost {
        self.char_cost(c)
            + left.map_or(0, |l| self.link(l, c))
            + right.map_or(0, |r| self.link(c, r))
    }

    /// Cost of `chars` between the context characters `left` and `right`.
    pub(crate) fn cost(&self, chars: &[char], left: Option<char>, right: Option<char>) -> Cost {
        let mut total: Cost = chars.iter().map(|&c| self.char_cost(c)).sum();
        // Each character's side is looked up once, for the links on both of its sides.
        let mut prev = left.map(|c| self.side(c));
        for &c in chars.iter().chain(right.as_ref()) {
            let side = self.side(c);
            if let Some(p) = prev {
                total += self.link_sides(p, side);
            }
            prev = Some(side);
        }
        total
    }
}

/// Pair bonuses by (left, right) model index: an open-addressing hash table with linear
/// probing, one `u64` per slot holding `key + 1` (0: empty) above the bonus.
///
/// The scoring of the repair search asks for the bonus of every neighbouring pair it
/// scores; a binary search in the left character's row (hundreds of entries for common
/// characters) was a large part of that. A slot is one load and usually the first probe
/// hits or is empty (load factor below 0.4). 4 MB for jieba's 186 thousand pairs; building
/// it costs about what reading them into sorted rows did.
#[derive(Debug)]
pub(crate) struct PairTable {
    slots: Vec<u64>,
    /// 32 − log2(slots).
    shift: u32,
}

impl PairTable {
    fn with_capacity(m: usize) -> PairTable {
        let bits = (m.max(1) * 5 / 2).next_power_of_two().trailing_zeros().max(4);
        PairTable { slots: vec![0; 1 << bits], shift: 32 - bits }
    }

    #[inline]
    fn key(x: u16, y: u16) -> u32 {
        (u32::from(x) << 16 | u32::from(y)) + 1
    }

    #[inline]
    fn home(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B1) >> self.shift) as usize
    }

    /// Add a pair. A pair added again lands further along its probe sequence, where
    /// [`PairTable::get`] never looks: the first bonus stays.
    fn insert(&mut self, x: u16, y: u16, bonus: i16) {
        let key = Self::key(x, y);
        let mask = self.slots.len() - 1;
        let mut h = self.home(key);
        while self.slots[h] != 0 {
            h = (h + 1) & mask;
        }
        self.slots[h] = u64::from(key) << 32 | u64::from(bonus as u16);
    }

    /// The bonus of the pair `x y`, 0 when it is not a pair.
    #[inline]
    fn get(&self, x: u16, y: u16) -> Cost {
        let key = Self::key(x, y);
        let mask = self.slots.len() - 1;
        let mut h = self.home(key);
        loop {
            let slot = self.slots[h & mask];
            if (slot >> 32) as u32 == key {
                return Cost::from(slot as u16 as i16);
            }
            if slot == 0 {
                return 0;
            }
            h += 1;
        }
    }
}

/// The pair records (`m` of them, five bytes each, at the start of `b`) as a [`PairTable`],
/// with [`Lm::max_after`] and [`Lm::max_before`] over the `n` model characters.
fn pair_table(b: &[u8], n: usize, m: usize) -> (PairTable, Vec<i16>, Vec<i16>) {
    let mut table = PairTable::with_capacity(m);
    let mut max_after = vec![0i16; n];
    let mut max_before = vec![0i16; n];
    for rec in b[..5 * m].chunks_exact(5) {
        let (a, c) = (u16::from_le_bytes([rec[0], rec[1]]), u16::from_le_bytes([rec[2], rec[3]]));
        let bonus = (PAIR_WEIGHT_TENTHS * Cost::from(rec[4])) as i16; // ≤ 255 × 6
        max_after[usize::from(a)] = max_after[usize::from(a)].max(bonus);
        max_before[usize::from(c)] = max_before[usize::from(c)].max(bonus);
        table.insert(a, c, bonus);
    }
    (table, max_after, max_before)
}

/// The pair records as rows by left model index, sorted (`pair_row`, `pair_right`,
/// `pair_bonus`), with `max_after` and `max_before`: how the model first stored them, kept
/// as the definition [`PairTable`] is checked against.
#[cfg(test)]
#[allow(clippy::type_complexity)]
fn pairs_csr_by_sorting(
    b: &[u8],
    n: usize,
    m: usize,
) -> (Vec<u32>, Vec<u16>, Vec<i16>, Vec<i16>, Vec<i16>) {
    let mut pairs = Vec::with_capacity(m);
    for rec in b[..5 * m].chunks_exact(5) {
        let a = u16::from_le_bytes([rec[0], rec[1]]);
        let c = u16::from_le_bytes([rec[2], rec[3]]);
        pairs.push((a, c, PAIR_WEIGHT_TENTHS * Cost::from(rec[4])));
    }
    pairs.sort_unstable_by_key(|&(a, c, _)| (a, c));
    let mut pair_row = vec![0u32; n + 1];
    let mut max_after = vec![0i16; n];
    let mut max_before = vec![0i16; n];
    for &(a, c, bonus) in &pairs {
        let (a, c) = (usize::from(a), usize::from(c));
        pair_row[a + 1] += 1;
        let bonus = bonus as i16; // ≤ 255 × 6
        max_after[a] = max_after[a].max(bonus);
        max_before[c] = max_before[c].max(bonus);
    }
    for a in 0..n {
        pair_row[a + 1] += pair_row[a];
    }
    let pair_right = pairs.iter().map(|p| p.1).collect();
    let pair_bonus = pairs.iter().map(|p| p.2 as i16).collect();
    (pair_row, pair_right, pair_bonus, max_after, max_before)
}

/// [`Lm::bmp_cost`] from the model's `index` and unigram costs: [`Lm::char_cost`] of every
/// BMP code point (0 for surrogates).
///
/// Past ™ (U+2122) [`class_cost`] is a handful of ranges, so they are filled as ranges and
/// only the Han ones (whose cost depends on Big5) and the model's characters one by one;
/// asking `class_cost` of all 64 K code points was a tenth of the stage's start-up.
/// [`bmp_costs_by_char`] is the definition.
fn bmp_costs(index: &[u16], cost: &[Cost]) -> Vec<i16> {
    let t = crate::tables::tables();
    let mut v = vec![0i16; 0x10000];
    for (u, slot) in v.iter_mut().enumerate().take(0x2123) {
        // Below U+D800: every one is a char.
        *slot = class_cost_by_rule(char::from_u32(u as u32).unwrap_or('\0')) as i16;
    }
    v[0x2123..0xD800].fill(1300);
    v[0xE000..].fill(1300);
    for (range, c) in [
        (0x2123..=0x27BF, 1000),
        (0x3000..=0x303F, 500),
        (0xFF01..=0xFF5E, 500),
        (0x3040..=0x30FF, 900),
        (0xAC00..=0xD7A3, 1000),
        (0xE000..=0xF8FF, 3000),
        (0xFFFD..=0xFFFD, 1000),
    ] {
        v[range].fill(c);
    }
    for range in [0x3400..=0x4DBF, 0x4E00..=0x9FFF, 0xF900..=0xFAFF] {
        for u in range {
            let c = char::from_u32(u as u32).unwrap_or('\0');
            v[u] = unseen_han_cost(c) as i16;
        }
    }
    for (u, &i) in index.iter().enumerate() {
        let Some(c) = char::from_u32(u as u32).filter(|_| i != 0) else { continue };
        // jieba's dictionary is simplified; its traditional entries are rare words, so
        // common traditional characters get at most the unseen-common cost.
        let mut k = cost[usize::from(i - 1)];
        if t.is_big5_common(c) {
            k = k.min(UNSEEN_COMMON_TRAD);
        }
        v[u] = i16::try_from(k).expect("costs fit i16");
    }
    v
}

/// [`bmp_costs`] one code point at a time, as the rule reads.
#[cfg(test)]
fn bmp_costs_by_char(index: &[u16], cost: &[Cost]) -> Vec<i16> {
    let t = crate::tables::tables();
    (0..0x10000u32)
        .map(|u| {
            let Some(c) = char::from_u32(u) else { return 0 };
            let cost = match index[u as usize] {
                0 => class_cost(c),
                i if t.is_big5_common(c) => cost[usize::from(i - 1)].min(UNSEEN_COMMON_TRAD),
                i => cost[usize::from(i - 1)],
            };
            i16::try_from(cost).expect("costs fit i16")
        })
        .collect()
}

/// [`Lm::bmp_flags`]: [`script_flags`] of every BMP code point (0 for surrogates), the part
/// past ™ (only Han and Hangul) filled as ranges.
fn bmp_flags() -> Vec<u8> {
    let mut v = vec![0u8; 0x10000];
    for (u, slot) in v.iter_mut().enumerate().take(0x2123) {
        *slot = script_flags_by_rule(char::from_u32(u as u32).unwrap_or('\0'));
    }
    for range in [0x3400..=0x4DBF, 0x4E00..=0x9FFF, 0xF900..=0xFAFF] {
        v[range].fill(HAN);
    }
    v[0xAC00..=0xD7A3].fill(HANGUL);
    v
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Cost of a Han character the model has not seen.
fn unseen_han_cost(c: char) -> Cost {
    if crate::tables::tables().is_big5_common(c) {
        UNSEEN_COMMON_TRAD
    } else {
        UNSEEN_HAN
    }
}

fn is_latin_letter(c: char) -> bool {
    matches!(c as u32, 0xC0..=0xFF) && c != '×' && c != '÷'
}

/// Costs for characters outside the Han model, by class. They only need to rank mojibake
/// (C1 controls, symbol soup, rare scripts, private use) above the text it came from.
fn class_cost(c: char) -> Cost {
    let u = c as u32;
    // What `class_cost_by_rule` comes to past the last windows-1252 extra (™, U+2122),
    // where most of its cases cannot apply; the tables ask this of most of the BMP.
    if u > 0x2122 {
        return match u {
            0xFFFD => 1000,
            _ if is_han(c) => unseen_han_cost(c),
            0x3000..=0x303F | 0xFF01..=0xFF5E => 500,
            0x3040..=0x30FF => 900,
            0xAC00..=0xD7A3 | 0x2123..=0x27BF => 1000,
            0x1F300..=0x1FAFF => 800,
            0xE000..=0xF8FF => 3000,
            _ => 1300,
        };
    }
    class_cost_by_rule(c)
}

/// [`class_cost`] as the rules read, case by case.
fn class_cost_by_rule(c: char) -> Cost {
    let u = c as u32;
    match c {
        '\n' | '\r' | '\t' | ' ' => 200,
        _ if c.is_ascii_alphanumeric() => 300,
        _ if c.is_ascii_punctuation() => 400,
        _ if c.is_ascii() => 2000,
        '\u{FFFD}' => 1000,
        '·' => 800,
        '°' | '×' | '“' | '”' | '‘' | '’' | '—' | '…' | '–' | '€' => 500,
        _ if is_han(c) => unseen_han_cost(c),
        _ if is_latin_letter(c) => 700,
        _ => match u {
            0x80..=0x9F => 2000,
            0xA0..=0xBF => 900,
            _ if is_cp1252_extra(c) => 1000,
            0x3000..=0x303F | 0xFF01..=0xFF5E | 0x2000..=0x206F => 500,
            0x3040..=0x30FF => 900,
            0xAC00..=0xD7A3 => 1000,
            0x100..=0x24F => 1000,
            0x370..=0x4FF => 1000,
            0x2100..=0x27BF => 1000,
            0x1F300..=0x1FAFF => 800,
            0xE000..=0xF8FF => 3000,
            0x300..=0x36F => 1600,
            _ if c.is_control() => 3000,
            _ => 1300,
        },
    }
}

// What [`Lm::transition`] looks at in a character, as bits.
const LATIN: u8 = 1; // U+0080–U+00FF
const HAN: u8 = 1 << 1;
const HANGUL: u8 = 1 << 2;
const ASCII: u8 = 1 << 3;
/// A UTF-8 lead byte read as a Latin-1 letter (`Â`–`ô`).
const LEAD: u8 = 1 << 4;
/// A UTF-8 continuation byte read as a symbol, C1 control or windows-1252 extra.
const CONTINUATION: u8 = 1 << 5;

fn script_flags(c: char) -> u8 {
    // Past the last windows-1252 extra (™, U+2122) only Han and Hangul are flagged; the
    // tables ask this of every BMP character at start-up.
    if c as u32 > 0x2122 {
        return if is_han(c) {
            HAN
        } else if (0xAC00..=0xD7A3).contains(&(c as u32)) {
            HANGUL
        } else {
            0
        };
    }
    script_flags_by_rule(c)
}

/// [`script_flags`] as the rules read, flag by flag.
fn script_flags_by_rule(c: char) -> u8 {
    let u = c as u32;
    let mut f = 0;
    if (0x80..=0xFF).contains(&u) {
        f |= LATIN;
    }
    if is_han(c) {
        f |= HAN;
    }
    if (0xAC00..=0xD7A3).contains(&u) {
        f |= HANGUL;
    }
    if c.is_ascii() {
        f |= ASCII;
    }
    if matches!(c, 'Â'..='ô') {
        f |= LEAD;
    }
    if (0x80..=0xBF).contains(&u) || is_cp1252_extra(c) {
        f |= CONTINUATION;
    }
    f
}

#[cfg(test)]
fn transition_cost(a: char, b: char) -> Cost {
    transition_from_flags(script_flags(a), script_flags(b))
}

#[inline]
fn transition_from_flags(a: u8, b: u8) -> Cost {
    let hangul_edge = |x: u8, y: u8| x & HANGUL != 0 && y & (HANGUL | ASCII) == 0;
    // `Ã©`, `Ã¤`, `Â·`: a lead byte then a continuation byte, both read as Latin-1.
    if a & LEAD != 0 && b & CONTINUATION != 0 {
        600
    } else if (a & LATIN != 0 && b & HAN != 0) || (a & HAN != 0 && b & LATIN != 0) {
        200
    } else if hangul_edge(a, b) || hangul_edge(b, a) {
        400
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(s: &str) -> f32 {
        let v: Vec<char> = s.chars().collect();
        lm().cost(&v, None, None) as f32 / PER_NAT
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
        assert!(lm().pair_bonus('日', '期') > 0);
        for (a, b) in [('日', '期'), ('中', '文'), ('期', 'A'), ('的', '的')] {
            assert!(lm().pair_bonus(a, b) <= lm().pair_bonus_bound(a, b), "{a}{b}");
        }
        assert_eq!(lm().pair_bonus('期', 'A'), 0);
    }

    /// The rule as first written, on characters: the flag version must agree.
    fn transition_by_rule(a: char, b: char) -> Cost {
        let latin_a = (a as u32) >= 0x80 && (a as u32) <= 0xFF;
        let latin_b = (b as u32) >= 0x80 && (b as u32) <= 0xFF;
        let hangul = |c: char| matches!(c as u32, 0xAC00..=0xD7A3);
        let continuation = |c: char| matches!(c as u32, 0x80..=0xBF) || is_cp1252_extra(c);
        if matches!(a, 'Â'..='ô') && continuation(b) {
            600
        } else if (latin_a && is_han(b)) || (is_han(a) && latin_b) {
            200
        } else if (hangul(a) && !hangul(b) && !b.is_ascii())
            || (hangul(b) && !hangul(a) && !a.is_ascii())
        {
            400
        } else {
            0
        }
    }

    #[test]
    fn class_cost_agrees_with_the_rule_on_every_char() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(class_cost(c), class_cost_by_rule(c), "{c:?}");
        }
    }

    #[test]
    fn script_flags_agree_with_the_rule_on_every_char() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(script_flags(c), script_flags_by_rule(c), "{c:?}");
        }
    }

    /// Every flag a character can have fits the six bits the transition table is indexed
    /// by, and the table is the rule.
    #[test]
    fn transition_table_is_the_rule() {
        let all = LATIN | HAN | HANGUL | ASCII | LEAD | CONTINUATION;
        assert!(all < 64);
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(script_flags(c) & !all, 0, "{c:?}");
        }
        for a in 0..64u8 {
            for b in 0..64u8 {
                assert_eq!(lm().transition_flags(a, b), transition_from_flags(a, b), "{a} {b}");
            }
        }
    }

    #[test]
    fn transition_flags_agree_with_the_rule() {
        let sample =
            ['a', ' ', 'Ã', '©', '\u{81}', '€', '™', 'ô', 'õ', '中', '한', '\u{20000}', '，', 'é'];
        for &a in &sample {
            for &b in &sample {
                assert_eq!(transition_cost(a, b), transition_by_rule(a, b), "{a:?} {b:?}");
                assert_eq!(lm().transition(a, b), transition_by_rule(a, b), "{a:?} {b:?}");
            }
        }
    }

    /// Every BMP character the model lacks costs what its class says; a single character
    /// costs what a text of it does.
    #[test]
    fn the_cost_table_agrees_with_the_classes_everywhere() {
        let m = lm();
        for c in (0..0x10000u32).filter_map(char::from_u32).filter(|&c| m.idx(c).is_none()) {
            assert_eq!(m.char_cost(c), class_cost(c), "{c:?}");
        }
        let cases =
            [('中', Some('的'), Some('文')), ('文', None, Some('a')), ('é', Some('Ã'), None)];
        for (c, l, r) in cases {
            assert_eq!(m.cost_one(c, l, r), m.cost(&[c], l, r), "{c:?}");
        }
        // With the neighbours looked up once: the same, for every kind of neighbour.
        let sides =
            [None, Some('的'), Some('日'), Some('期'), Some('a'), Some('Ã'), Some('\u{FFFD}')];
        let more = [Some('한'), Some('\u{20000}'), Some('©'), Some('中'), Some('文')];
        for &l in sides.iter().chain(&more) {
            for &r in sides.iter().chain(&more) {
                let b = m.between(l, r);
                // Han characters (some in the model, a few in pairs with the sides), CJK
                // punctuation and full-width forms: what the guesses are made of.
                let han = (0x4E00..=0x9FFF).step_by(13).chain(0x3000..=0x303F);
                for c in
                    han.chain(0xFF00..=0xFF5E).filter_map(char::from_u32).chain("日期文".chars())
                {
                    assert_eq!(m.cost_between(c, &b), m.cost_one(c, l, r), "{l:?} {c:?} {r:?}");
                }
            }
        }
    }

    /// The tables built in one pass and by ranges are those the definitions give.
    #[test]
    fn parsed_tables_agree_with_their_definitions() {
        let m = lm();
        let mut cost = vec![0; m.max_after.len()];
        for (u, &i) in m.index.iter().enumerate() {
            if i != 0 {
                cost[usize::from(i - 1)] = LM_BYTES[9 + 5 * usize::from(i - 1) + 4] as Cost * 10;
                assert_eq!(u32_at(LM_BYTES, 9 + 5 * usize::from(i - 1)), u as u32);
            }
        }
        assert_eq!(m.bmp_cost, bmp_costs_by_char(&m.index, &cost));
        let flags: Vec<u8> =
            (0..0x10000u32).map(|u| char::from_u32(u).map_or(0, script_flags)).collect();
        assert_eq!(m.bmp_flags, flags);
        let n = cost.len();
        let at = 9 + 5 * n;
        let pairs = u32_at(LM_BYTES, at) as usize;
        let b = &LM_BYTES[at + 4..];
        let (row, right, bonus, max_after, max_before) = pairs_csr_by_sorting(b, n, pairs);
        assert_eq!((&m.max_after, &m.max_before), (&max_after, &max_before));
        // The row search as it was: every pair of the file, and pairs that are not.
        let by_rows = |x: usize, y: u16| {
            let (lo, hi) = (row[x] as usize, row[x + 1] as usize);
            right[lo..hi].binary_search(&y).map_or(0, |i| Cost::from(bonus[lo + i]))
        };
        for x in 0..n {
            for k in row[x] as usize..row[x + 1] as usize {
                assert_eq!(m.pairs.get(x as u16, right[k]), Cost::from(bonus[k]));
            }
        }
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let (x, y) = ((state % n as u64) as usize, ((state >> 32) % n as u64) as u16);
            assert_eq!(m.pairs.get(x as u16, y), by_rows(x, y), "{x} {y}");
        }
    }

    #[test]
    fn the_cost_table_agrees_with_the_model_and_the_classes() {
        let m = lm();
        let t = crate::tables::tables();
        for c in ['中', '的', '\u{FFFD}', 'A', ' ', 'é', '·', '\u{81}', '€', '한', 'ア', '\u{E000}']
        {
            let want = match m.idx(c) {
                None => class_cost(c),
                Some(_) if t.is_big5_common(c) => m.char_cost(c).min(UNSEEN_COMMON_TRAD),
                Some(_) => m.char_cost(c),
            };
            assert_eq!(m.char_cost(c), want, "{c:?}");
        }
        assert!(m.char_cost('的') < m.char_cost('鍙'));
        // Outside the BMP: by class.
        assert_eq!(m.char_cost('\u{20000}'), UNSEEN_HAN);
    }
}
