//! Traditional→Simplified conversion with OpenCC's phrase and character dictionaries.
//!
//! Our own small matcher instead of a converter crate: the measured candidates ran at
//! 18–32 MB/s, under the 50 MB/s budget, because they look every position up in an FST and
//! allocate the result. Here a dense table over the Basic Multilingual Plane answers "does
//! this character convert, or start a phrase?" with one array read, and unchanged spans are
//! copied as slices.
//!
//! Matching follows OpenCC's `t2s`: at each position take the longest phrase from
//! `TSPhrases` or character from `TSCharacters`, and write its first value.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

const TS_PHRASES: &str = include_str!("../data/opencc/TSPhrases.txt");
const TS_CHARACTERS: &str = include_str!("../data/opencc/TSCharacters.txt");
const ST_CHARACTERS: &str = include_str!("../data/opencc/STCharacters.txt");

/// What the table knows about one character.
#[derive(Debug, Default)]
struct Entry {
    /// The Simplified form, when it differs from the character itself.
    single: Option<&'static str>,
    /// Phrases starting with this character, longest first, with their conversion.
    phrases: Vec<(&'static str, &'static str)>,
    /// True when the character is only ever Traditional (it never maps to itself).
    traditional_only: bool,
    /// True when the character is only ever Simplified (no Traditional text uses it).
    simplified_only: bool,
    /// For a Traditional character, its single-character Simplified form (pairs the two
    /// forms of one character when both appear in a document).
    pairs_with: Option<char>,
}

/// A compiled Traditional→Simplified converter. Built once, shared read-only.
#[derive(Debug)]
pub struct T2s {
    /// Index into `entries` for every BMP code point; 0 means "nothing known".
    table: Box<[u16; 0x10000]>,
    /// Entries for code points outside the BMP.
    astral: HashMap<char, u16>,
    /// Script flags for every BMP code point ([`HAN`], [`TRAD_ONLY`], [`SIMP_ONLY`]): a table a
    /// quarter the size of `table`, so the per-document census stays in cache.
    flags: Box<[u8; 0x10000]>,
    /// The census's view of U+4000..U+9FFF (lead bytes `E4`..`E9`), indexed by
    /// [`run_index`] straight from the UTF-8 bytes: [`RUN_SIMP`] for a Simplified-only
    /// character, [`RUN_SPECIAL`] for one the fast census leaves to [`T2s::census_reference`]
    /// (Traditional-only, or not Han), 0 for any other Han character. One byte each and
    /// 32 KB in all, so it stays in the first-level cache; the 8 KB past U+9FFF only let the
    /// compiler drop the bounds check.
    run_tab: Box<[u8; 0x8000]>,
    entries: Vec<Entry>,
}

/// [`T2s::run_tab`] value of a Simplified-only character.
const RUN_SIMP: u8 = 1;
/// [`T2s::run_tab`] value of a character the fast census does not handle. Sums of at most
/// 127 entries keep the Simplified count in the low 7 bits and flag these above them.
const RUN_SPECIAL: u8 = 0x80;
/// Characters summed per run of the fast census (see [`RUN_SPECIAL`]).
const RUN_MAX: usize = 127;

/// Index of the character with lead byte `E4 + k` (`k < 6`) and continuation bytes `b1`,
/// `b2` in [`T2s::run_tab`]: its code point minus U+4000.
#[inline]
fn run_index(k: u8, b1: u8, b2: u8) -> usize {
    (usize::from(k) << 12) | (usize::from(b1 & 0x3F) << 6) | usize::from(b2 & 0x3F)
}

const TRAD_ONLY: u8 = 2;
const SIMP_ONLY: u8 = 4;
/// A Han ideograph of the Basic Multilingual Plane (the ranges the census counts).
const HAN: u8 = 1;

/// Per-document script statistics gathered by [`T2s::census`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Census {
    /// Han characters seen.
    pub han: u64,
    /// Characters that exist only in Traditional writing.
    pub traditional_only: u64,
    /// Characters that exist only in Simplified writing.
    pub simplified_only: u64,
    /// Distinct characters present in both their Traditional and Simplified form.
    pub mixed_pairs: u64,
}

fn dict_lines(data: &'static str) -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    data.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).filter_map(|l| {
        let (k, v) = l.split_once('\t')?;
        Some((k, v.split(' ').filter(|s| !s.is_empty()).collect()))
    })
}

impl T2s {
    /// The converter built from the embedded OpenCC data, compiled on first use.
    pub fn shared() -> &'static T2s {
        static CELL: OnceLock<T2s> = OnceLock::new();
        CELL.get_or_init(T2s::build)
    }

    fn build() -> T2s {
        let mut t = T2s {
            table: Box::new([0; 0x10000]),
            astral: HashMap::new(),
            flags: Box::new([0; 0x10000]),
            run_tab: Box::new([0; 0x8000]),
            entries: vec![],
        };
        t.entries.push(Entry::default());
        for (k, vals) in dict_lines(TS_CHARACTERS) {
            let mut it = k.chars();
            let (Some(c), None) = (it.next(), it.next()) else { continue };
            let Some(first) = vals.first().copied() else { continue };
            let maps_to_self = vals.contains(&k);
            let idx = t.slot(c);
            let e = &mut t.entries[idx];
            if first != k {
                e.single = Some(first);
            }
            e.traditional_only = !maps_to_self;
            let mut fc = first.chars();
            if let (Some(s), None) = (fc.next(), fc.next()) {
                e.pairs_with = Some(s);
            }
        }
        for (k, vals) in dict_lines(ST_CHARACTERS) {
            let mut it = k.chars();
            let (Some(c), None) = (it.next(), it.next()) else { continue };
            if !vals.contains(&k) {
                let idx = t.slot(c);
                t.entries[idx].simplified_only = true;
            }
        }
        for (k, vals) in dict_lines(TS_PHRASES) {
            let Some(c) = k.chars().next() else { continue };
            let Some(first) = vals.first().copied() else { continue };
            let idx = t.slot(c);
            t.entries[idx].phrases.push((k, first));
        }
        for e in &mut t.entries {
            e.phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        for cp in 0..0x10000u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            let mut f = 0;
            if matches!(cp, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF) {
                f |= HAN;
            }
            if let Some(e) = t.entry(c) {
                f |= u8::from(e.traditional_only) * TRAD_ONLY
                    + u8::from(e.simplified_only) * SIMP_ONLY;
            }
            t.flags[cp as usize] = f;
        }
        for cp in 0x4000..0xA000usize {
            let f = t.flags[cp];
            t.run_tab[cp - 0x4000] = match f {
                HAN => 0,
                _ if f == HAN | SIMP_ONLY => RUN_SIMP,
                _ => RUN_SPECIAL,
            };
        }
        t
    }

    fn slot(&mut self, c: char) -> usize {
        let existing = self.index(c);
        if existing != 0 {
            return existing;
        }
        let idx = self.entries.len();
        self.entries.push(Entry::default());
        // The dictionaries hold a few thousand entries, far below u16::MAX.
        let i16 = u16::try_from(idx).unwrap_or(0);
        match usize::try_from(u32::from(c)) {
            Ok(cp) if cp < 0x10000 => self.table[cp] = i16,
            _ => {
                self.astral.insert(c, i16);
            }
        }
        idx
    }

    #[inline]
    fn index(&self, c: char) -> usize {
        let cp = u32::from(c) as usize;
        if cp < 0x10000 {
            usize::from(self.table[cp])
        } else if self.astral.is_empty() {
            0
        } else {
            self.astral.get(&c).map_or(0, |i| usize::from(*i))
        }
    }

    #[inline]
    fn entry(&self, c: char) -> Option<&Entry> {
        // ASCII and most punctuation are never in the table: skip the lookup.
        if (c as u32) < 0x2E80 {
            return None;
        }
        match self.index(c) {
            0 => None,
            i => Some(&self.entries[i]),
        }
    }

    /// Convert `text` to Simplified. Returns the input borrowed when nothing changes.
    pub fn convert<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.convert_counted(text).0
    }

    /// Convert `text` to Simplified, also returning how many words or characters were
    /// replaced.
    pub fn convert_counted<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
        let mut replaced = 0;
        let mut out: Option<String> = None;
        // Start of the span not yet copied to `out`.
        let mut copied = 0;
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < text.len() {
            // Decode by hand, as in `census`: one table read per 3-byte character, and
            // characters below U+2E80 (never in the table) skipped by their lead byte.
            let (idx, clen) = match bytes[i] {
                0x00..=0x7F => (0, 1),
                0x80..=0xDF => (0, 2),
                lead @ 0xE0..=0xEF => {
                    let [b1, b2] = [bytes[i + 1], bytes[i + 2]];
                    let cp = (u16::from(lead & 0x0F) << 12)
                        | (u16::from(b1 & 0x3F) << 6)
                        | u16::from(b2 & 0x3F);
                    (if cp < 0x2E80 { 0 } else { usize::from(self.table[usize::from(cp)]) }, 3)
                }
                _ => {
                    let Some(c) = text[i..].chars().next() else { break };
                    (self.index(c), c.len_utf8())
                }
            };
            if idx == 0 {
                i += clen;
                continue;
            }
            let e = &self.entries[idx];
            let rest = &text[i..];
            let (key_len, value) = match e.phrases.iter().find(|(k, _)| rest.starts_with(k)) {
                Some((k, v)) => (k.len(), Some(*v)),
                None => (clen, e.single),
            };
            match value {
                Some(v) if v != &rest[..key_len] => {
                    let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    o.push_str(&text[copied..i]);
                    o.push_str(v);
                    copied = i + key_len;
                    replaced += 1;
                }
                _ => {}
            }
            i += key_len;
        }
        match out {
            None => (Cow::Borrowed(text), 0),
            Some(mut o) => {
                o.push_str(&text[copied..]);
                (Cow::Owned(o), replaced)
            }
        }
    }

    /// Count Traditional-only and Simplified-only characters, and how many distinct
    /// characters appear in both forms in the same text.
    pub(crate) fn census(&self, text: &str) -> Census {
        self.census_fast(text).unwrap_or_else(|| self.census_reference(text))
    }

    /// The census in one pass without per-document tables; `None` (left to
    /// [`Self::census_reference`]) only for texts that pair many distinct characters.
    ///
    /// Runs of characters with lead bytes `E4`..`E9` (U+4000..U+9FFF, the bulk of Chinese
    /// text) are summed with one read of [`Self::run_tab`] each and no decoding: every one of
    /// them is Han unless the table says otherwise, so the Han count is the run's length. The
    /// rare run with a [`RUN_SPECIAL`] character (Traditional-only, or not Han) is read again
    /// character by character. Pairs need both forms: the Simplified partners of the
    /// Traditional-only characters seen are collected, and only when the text also has
    /// Simplified-only characters is each partner looked for in it.
    fn census_fast(&self, text: &str) -> Option<Census> {
        let b = text.as_bytes();
        let mut c = Census::default();
        // Distinct Simplified-only partners of the Traditional-only characters seen.
        let mut partners: Vec<char> = Vec::new();
        let mut special = |cp: usize, c: &mut Census, run_han: bool| {
            let f = self.flags[cp];
            if run_han && f & HAN == 0 {
                c.han -= 1;
            }
            c.simplified_only += u64::from(f & SIMP_ONLY != 0);
            if f & TRAD_ONLY != 0 {
                c.traditional_only += 1;
                let e = &self.entries[usize::from(self.table[cp])];
                // Only a Simplified-only partner can be marked as seen in both forms.
                if let Some(p) = e
                    .pairs_with
                    .filter(|p| u32::from(*p) < 0x10000 && self.flags[*p as usize] & SIMP_ONLY != 0)
                {
                    if !partners.contains(&p) {
                        partners.push(p);
                    }
                }
            }
        };
        let mut i = 0;
        while let Some(&lead) = b.get(i) {
            let k = lead.wrapping_sub(0xE4);
            if k < 6 {
                let start = i;
                let mut run = &b[i..b.len().min(i + 3 * RUN_MAX)];
                let len = run.len();
                let mut acc = 0u32;
                while let [l, b1, b2, tail @ ..] = run {
                    let k = l.wrapping_sub(0xE4);
                    if k >= 6 {
                        break;
                    }
                    acc += u32::from(self.run_tab[run_index(k, *b1, *b2)]);
                    run = tail;
                }
                let used = len - run.len();
                c.han += (used / 3) as u64;
                c.simplified_only += u64::from(acc & 0x7F);
                i += used;
                if acc >= u32::from(RUN_SPECIAL) {
                    for ch in b[start..i].chunks_exact(3) {
                        let idx = run_index(ch[0] - 0xE4, ch[1], ch[2]);
                        if self.run_tab[idx] == RUN_SPECIAL {
                            special(idx + 0x4000, &mut c, true);
                        }
                    }
                }
                continue;
            }
            match lead {
                // No character below U+0800 is Han or in the dictionaries (pinned by a test).
                0x00..=0x7F => i += 1,
                0x80..=0xDF => i += 2,
                0xE0..=0xEF => {
                    let (Some(&b1), Some(&b2)) = (b.get(i + 1), b.get(i + 2)) else { break };
                    let cp = (usize::from(lead & 0x0F) << 12)
                        | (usize::from(b1 & 0x3F) << 6)
                        | usize::from(b2 & 0x3F);
                    let f = self.flags[cp];
                    c.han += u64::from(f & HAN);
                    if f & (TRAD_ONLY | SIMP_ONLY) != 0 {
                        special(cp, &mut c, false);
                    }
                    i += 3;
                }
                // The census counts the Basic Multilingual Plane only.
                _ => i += 4,
            }
        }
        if c.simplified_only > 0 && !partners.is_empty() {
            // One vectorized search per partner; a text with many is Traditional text
            // mixed with Simplified, left to the reference.
            if partners.len() > 16 {
                return None;
            }
            c.mixed_pairs = partners.iter().filter(|p| text.contains(**p)).count() as u64;
        }
        Some(c)
    }

    /// The census of any text, decoding every 3-byte character: the definition
    /// [`Self::census_fast`] must agree with, and the path for texts that pair many
    /// characters.
    pub(crate) fn census_reference(&self, text: &str) -> Census {
        let mut c = Census::default();
        // Per dictionary entry: bit 1 = its Traditional form was seen, bit 2 = the
        // Simplified-only character itself was seen. One byte per entry, no hashing.
        let mut seen = vec![0u8; self.entries.len()];
        // Decode by hand: every character the census cares about is a 3-byte sequence, and
        // skipping the rest by their lead byte is several times faster than `chars()`.
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let lead = b[i];
            if lead < 0xE0 {
                i += if lead < 0x80 { 1 } else { 2 };
                continue;
            }
            if lead >= 0xF0 {
                i += 4;
                continue;
            }
            let (Some(&b1), Some(&b2)) = (b.get(i + 1), b.get(i + 2)) else { break };
            i += 3;
            let cp =
                (u32::from(lead & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            // One table read answers all three questions; most Han characters have only
            // the HAN bit.
            let f = self.flags[usize::from(cp as u16)];
            c.han += u64::from(f & HAN);
            if f & (TRAD_ONLY | SIMP_ONLY) == 0 {
                continue;
            }
            let idx = usize::from(self.table[usize::from(cp as u16)]);
            // Count a pair the moment both of its forms have been seen, instead of scanning
            // `seen` at the end. Entry 0 collects Simplified forms that have no entry of
            // their own and never counts.
            let mut mark = |k: usize, bit: u8| {
                let before = seen[k];
                seen[k] |= bit;
                if k != 0 && before != 3 && seen[k] == 3 {
                    c.mixed_pairs += 1;
                }
            };
            if f & TRAD_ONLY != 0 {
                if let Some(s) = self.entries[idx].pairs_with {
                    mark(self.index(s), 1);
                }
            }
            if f & SIMP_ONLY != 0 {
                mark(idx, 2);
            }
            c.traditional_only += u64::from(f & TRAD_ONLY != 0);
            c.simplified_only += u64::from(f & SIMP_ONLY != 0);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_phrases_like_opencc() {
        let cases: &[(&str, &str, &str)] = &[
            // (behaviour, input, expected)
            ("hair_vs_develop", "頭髮", "头发"),
            ("develop", "發展", "发展"),
            ("dry_clean", "乾淨", "干净"),
            ("emperor_name_stays", "乾隆", "乾隆"),
            ("work_of_writing_stays", "著作", "著作"),
            ("understand", "瞭解", "了解"),
            ("empress_stays", "皇后", "皇后"),
            ("behind", "後面", "后面"),
            ("bread", "麵包", "面包"),
            ("scope", "範圍", "范围"),
            ("plan", "計畫", "计划"),
            ("sentence", "青島市衛生健康委員會", "青岛市卫生健康委员会"),
            ("mixed_with_ascii", "ICU270張，2021年", "ICU270张，2021年"),
        ];
        let t = T2s::shared();
        for (name, input, want) in cases {
            assert_eq!(t.convert(input), *want, "case {name}");
        }
    }

    #[test]
    fn leaves_simplified_and_other_text_borrowed() {
        let cases: &[(&str, &str)] = &[
            ("simplified", "青岛市卫生健康委员会认真贯彻落实"),
            ("english", "The quick brown fox, 10:30."),
            ("japanese_kana", "これはテストです。"),
            ("code", "fn main() { println!(\"x\"); }"),
            ("numbers", "2021-07-16 10:30 37.5% 1,000"),
            ("url", "https://www.gov.cn/a?b=1&c=2"),
            ("latin_accents", "café naïve Zürich"),
            ("emoji_and_astral", "👨\u{200D}👩 \u{20000}"),
            ("empty", ""),
        ];
        let t = T2s::shared();
        for (name, input) in cases {
            assert!(matches!(t.convert(input), Cow::Borrowed(_)), "case {name}");
        }
    }

    /// The census spelled out with `chars()` and a set, to check the table-driven one.
    fn naive_census(t: &T2s, text: &str) -> Census {
        let mut c = Census::default();
        let mut trad_seen = std::collections::HashSet::new();
        let mut simp_seen = std::collections::HashSet::new();
        for ch in text.chars() {
            if matches!(ch, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
            {
                c.han += 1;
            }
            let Some(e) = t.entry(ch).filter(|_| u32::from(ch) < 0x10000) else { continue };
            if e.traditional_only {
                c.traditional_only += 1;
                if let Some(s) = e.pairs_with.filter(|s| t.index(*s) != 0) {
                    trad_seen.insert(s);
                }
            }
            if e.simplified_only {
                c.simplified_only += 1;
                simp_seen.insert(ch);
            }
        }
        c.mixed_pairs = trad_seen.intersection(&simp_seen).count() as u64;
        c
    }

    #[test]
    fn census_agrees_with_its_definition() {
        let t = T2s::shared();
        let cases = [
            "",
            "衛生 卫生 發展 发展 衛衛卫卫",
            "臺灣的衛生福利部發布報告。",
            "青岛市卫生健康委员会",
            "頭髮乾淨，头发干净。ICU270張 \u{20000}👨é",
            include_str!("../testdata/traditional_tw.txt"),
        ];
        for text in cases {
            assert_eq!(t.census(text), naive_census(t, text), "{text:?}");
            assert_eq!(t.census_reference(text), naive_census(t, text), "{text:?}");
        }
    }

    #[test]
    fn fast_census_tables_agree_with_the_flags() {
        let t = T2s::shared();
        // `census_fast` skips characters below U+0800 without a look.
        assert!(t.flags[..0x800].iter().all(|f| *f == 0));
        for cp in 0x4000..0xA000u32 {
            let c = char::from_u32(cp).unwrap();
            let f = t.flags[cp as usize];
            let want = match t.run_tab[cp as usize - 0x4000] {
                0 => f == HAN,
                RUN_SIMP => f == HAN | SIMP_ONLY,
                _ => f != HAN && f != HAN | SIMP_ONLY,
            };
            assert!(want, "{c}");
            let one = c.to_string();
            assert_eq!(t.census_fast(&one), Some(naive_census(t, &one)), "{c}");
        }
        // Every character in one text: runs longer than RUN_MAX, Traditional characters
        // with their partners, and too many partners to look for.
        let every_bmp: String = (0x800..0x10000u32).filter_map(char::from_u32).collect();
        assert_eq!(t.census_fast(&every_bmp), None);
        assert_eq!(t.census(&every_bmp), naive_census(t, &every_bmp));
        let few = "卫生 衛 发展 發 头 頭 髮 发 ";
        assert_eq!(t.census_fast(few), Some(naive_census(t, few)));
    }

    proptest::proptest! {
        /// The byte-level census agrees with its definition on any mix of 1- to 4-byte
        /// characters, Traditional and Simplified ones included.
        #[test]
        fn census_agrees_with_its_definition_on_random_text(
            s in "[a-z0-9 é·“”—衛卫發发展臺灣的头發髮乾干淨净\u{3400}\u{4DBF}\u{F900}\u{FAFF}\u{FFFD}\u{20000}👨한]{0,60}",
            v in proptest::collection::vec(proptest::prelude::any::<char>(), 0..30),
            clean in "[a-z0-9 é·“”—卫发展的头干净中文，。\u{4DBF}\u{4DC0}\u{4E00}\u{9FFF}\u{3400}\u{F900}\u{FAFF}\u{FFFD}\u{20000}👨한]{0,400}",
        ) {
            let t = T2s::shared();
            proptest::prop_assert_eq!(t.census(&s), naive_census(t, &s));
            proptest::prop_assert_eq!(t.census_reference(&s), naive_census(t, &s));
            let r: String = v.into_iter().collect();
            proptest::prop_assert_eq!(t.census(&r), naive_census(t, &r));
            proptest::prop_assert_eq!(t.census_reference(&r), naive_census(t, &r));
            proptest::prop_assert_eq!(t.census(&clean), naive_census(t, &clean));
        }
    }

    #[test]
    fn census_counts_both_forms() {
        let t = T2s::shared();
        let c = t.census("衛生 卫生 發展 发展");
        assert_eq!(c.traditional_only, 2);
        assert_eq!(c.simplified_only, 2);
        assert_eq!(c.mixed_pairs, 2);
        let c = t.census("臺灣的衛生");
        assert_eq!(c.simplified_only, 0);
        assert_eq!(c.mixed_pairs, 0);
    }
}
