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
//!
//! The per-document census behind the `script` stage's `auto` mode reads every document,
//! so it is the hot path: it works on the UTF-8 bytes, eight 3-byte characters at a time,
//! with one read of a byte table per character and the bookkeeping kept for the rare
//! Traditional-only characters (see [`T2s::census`]).

use std::borrow::Cow;
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
    /// Entries for code points outside the BMP, sorted by character (a few hundred).
    astral: Vec<(char, u16)>,
    /// Script flags for every BMP code point ([`HAN`], [`TRAD_ONLY`], [`SIMP_ONLY`]): a table a
    /// quarter the size of `table`, so the per-document census stays in cache.
    flags: Box<[u8; 0x10000]>,
    /// The census's class of every 3-byte character, indexed by [`cls_index`] straight from
    /// its UTF-8 bytes: [`CLS_HAN`], [`CLS_SIMP`], [`CLS_SPECIAL`] (left to the flags), or 0.
    /// One byte each; the index leaves three quarters of the 256 KB unused, and Chinese text
    /// touches a few kilobytes of the rest.
    cls: Box<[u8; CLS_LEN]>,
    /// 1 for a 3-byte character that converts or starts a phrase, by [`idx16`]: lets
    /// [`T2s::convert_counted`] look at eight characters at a time and pass the others.
    conv: Box<[u8; 0x10000]>,
    entries: Vec<Entry>,
}

/// [`T2s::cls`] value of a Han character without flags. Values are summed over a group
/// of eight characters: the Han count sits in the low four bits, the Simplified-only count
/// above it (at most 8 + 8 * 16 = 136).
const CLS_HAN: u8 = 1;
/// [`T2s::cls`] value of a Simplified-only Han character.
const CLS_SIMP: u8 = CLS_HAN + 16;
/// [`T2s::cls`] value of a character the fast census hands to the flags (Traditional-only,
/// or flagged without being Han): any sum of eight values holding one is at least this.
const CLS_SPECIAL: u8 = 0xFF;
/// Length of [`T2s::cls`].
const CLS_LEN: usize = 1 << 18;

/// Index in [`T2s::cls`] of the 3-byte character with lead byte `lead` and continuation
/// bytes `b1`, `b2`: the lead's low four bits (which 4096-character block) times 0x4000
/// plus the two continuation bytes read as one little-endian `u16`, which span less than
/// 0x4000 (0x8080..=0xBFBF). One 16-bit read, a shift, an add and a mask, and no bounds
/// check.
#[inline(always)]
fn cls_index(lead: u8, b1: u8, b2: u8) -> usize {
    ((usize::from(lead) << 14) + usize::from(u16::from_le_bytes([b1, b2]))) & (CLS_LEN - 1)
}

/// Index in [`T2s::conv`] of the 3-byte character `lead`, `b1`, `b2`: its code point plus
/// 0x2080 (the continuation bytes' marker bits), modulo 0x10000.
#[inline(always)]
fn idx16(lead: u8, b1: u8, b2: u8) -> usize {
    usize::from(
        (u16::from(lead) << 12).wrapping_add(u16::from(b1) << 6).wrapping_add(u16::from(b2)),
    )
}

/// [`idx16`] of the code point `cp` (U+0800..U+FFFF).
fn idx16_of(cp: u32) -> usize {
    ((cp + 0x2080) & 0xFFFF) as usize
}

/// [`cls_index`] of the code point `cp` (U+0800..U+FFFF).
fn cls_index_of(cp: u32) -> usize {
    // Truncations keep exactly the bits UTF-8 puts in each byte.
    let byte = |x: u32| (x & 0xFF) as u8;
    cls_index(byte(0xE0 | (cp >> 12)), byte(0x80 | ((cp >> 6) & 0x3F)), byte(0x80 | (cp & 0x3F)))
}

/// A zeroed array on the heap, without a copy on the stack.
fn zeroed<T: Copy + Default, const N: usize>() -> Box<[T; N]> {
    vec![T::default(); N].into_boxed_slice().try_into().unwrap_or_else(|_| unreachable!())
}

/// What [`walk3`] does with the 3-byte characters of a text. Each method returns `true`
/// to stop the walk.
trait Walk3 {
    /// Eight whole 3-byte characters.
    fn group(&mut self, g: &[u8; 24]) -> bool;
    /// One 3-byte character.
    fn one(&mut self, lead: u8, b1: u8, b2: u8) -> bool;
    /// The 3-byte characters `g` (24 bytes, starting at a character) starts with, up to
    /// the first that is not 3 bytes long, which the caller knows is among the eight:
    /// returns how many there are, and `true` to stop the walk.
    #[inline(always)]
    fn prefix(&mut self, g: &[u8; 24]) -> (usize, bool) {
        let mut k = 0;
        while k < 8 && g[3 * k] & 0xF0 == 0xE0 {
            if self.one(g[3 * k], g[3 * k + 1], g[3 * k + 2]) {
                return (k, true);
            }
            k += 1;
        }
        (k, false)
    }
}

/// True when the bytes 0, 3, … 21 of `g` (24 bytes, starting at a character) are all lead
/// bytes `E0`..`EF`: in valid UTF-8 that makes `g` exactly eight 3-byte characters.
///
/// Bits 5..7 set in every one of them leaves only `F0`..`FF` to rule out, and only for the
/// last: a 4-byte character before it would put a continuation byte (bit 6 clear) where
/// the next lead is looked for. So when it is false, one of the eight leads is not
/// `E0`..`EF`. The lead bytes are read one by one because the group reads them anyway (a
/// check from three word reads costs fewer instructions alone, but makes the group take
/// its bytes apart from those words).
#[inline(always)]
fn all3(g: &[u8; 24]) -> bool {
    let and = g.chunks_exact(3).fold(0xFF, |a, c| a & c[0]);
    and & 0xE0 == 0xE0 && g[21] < 0xF0
}

/// Where the character after the one at `b[i]`, which is not 3 bytes long, starts; a run
/// of ASCII is passed at once.
#[inline(always)]
fn skip_other(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(x) if *x < 0x80 => skip_ascii(b, i + 1),
        // No character below U+0800 is Han or in the dictionaries (pinned by a test).
        Some(x) if *x < 0xE0 => i + 2,
        // The census counts the Basic Multilingual Plane only.
        Some(_) => i + 4,
        None => b.len(),
    }
}

/// Walk the 3-byte characters of `b`, skipping every other character: eight at a time
/// (24 bytes) where their lead bytes say they are (see [`all3`]); else one at a time up to
/// the character that is not 3 bytes long, which is skipped (a run of ASCII at once), and
/// back to groups of eight. The last 23 bytes go one character at a time.
///
/// A short ASCII run (digits, a space, a line break) in Chinese text thus costs one
/// failed group check, the characters before it and one skip, and no smaller groups.
#[inline(always)]
fn walk3(b: &[u8], w: &mut impl Walk3) {
    let mut i = 0;
    while let Some(g) = b.get(i..i + 24) {
        let Ok(g) = <&[u8; 24]>::try_from(g) else { return };
        if all3(g) {
            if w.group(g) {
                return;
            }
            i += 24;
            continue;
        }
        let (k, stop) = w.prefix(g);
        if stop {
            return;
        }
        i += 3 * k;
        // Always taken: `all3` failing means one of the eight is not 3 bytes long.
        if k < 8 {
            i = skip_other(b, i);
        }
    }
    while let Some(&lead) = b.get(i) {
        if lead & 0xF0 != 0xE0 {
            i = skip_other(b, i);
            continue;
        }
        let (Some(&b1), Some(&b2)) = (b.get(i + 1), b.get(i + 2)) else { return };
        if w.one(lead, b1, b2) {
            return;
        }
        i += 3;
    }
}

/// The census's walk: Han and Simplified-only counts, Traditional-only characters.
struct CensusWalk<'a> {
    t: &'a T2s,
    han: u64,
    simp: u64,
    trad: &'a mut TradSeen,
}

impl Walk3 for CensusWalk<'_> {
    #[inline(always)]
    fn group(&mut self, g: &[u8; 24]) -> bool {
        let cls = &self.t.cls;
        let mut sum: u32 =
            g.chunks_exact(3).map(|c| u32::from(cls[cls_index(c[0], c[1], c[2])])).sum();
        if sum >= u32::from(CLS_SPECIAL) {
            sum = self.t.census_group(g, self.trad);
        }
        self.han += u64::from(sum & 15);
        self.simp += u64::from(sum >> 4);
        false
    }

    /// As the default, but the classes summed as in [`Walk3::group`] (a sum of up to
    /// seven is below [`CLS_SPECIAL`] unless one of them is it), with one check at the end.
    #[inline(always)]
    fn prefix(&mut self, g: &[u8; 24]) -> (usize, bool) {
        let cls = &self.t.cls;
        let mut sum = 0;
        let mut k = 0;
        while k < 8 && g[3 * k] & 0xF0 == 0xE0 {
            sum += u32::from(cls[cls_index(g[3 * k], g[3 * k + 1], g[3 * k + 2])]);
            k += 1;
        }
        if sum >= u32::from(CLS_SPECIAL) {
            sum = self.t.census_group(&g[..3 * k], self.trad);
        }
        self.han += u64::from(sum & 15);
        self.simp += u64::from(sum >> 4);
        (k, false)
    }

    #[inline(always)]
    fn one(&mut self, lead: u8, b1: u8, b2: u8) -> bool {
        let v = self.t.census_one(lead, b1, b2, self.trad);
        self.han += u64::from(v & 15);
        self.simp += u64::from(v >> 4);
        false
    }
}

/// The walk that looks for the partners marked 1 in `marks` (by [`cls_index`]), marking
/// each one found 2 so that it counts once, and stops when all `distinct` ones are.
struct PartnerWalk<'a> {
    marks: &'a mut [u8; CLS_LEN],
    found: u64,
    distinct: u64,
}

impl Walk3 for PartnerWalk<'_> {
    #[inline(always)]
    fn group(&mut self, g: &[u8; 24]) -> bool {
        let marks = &*self.marks;
        let any = g.chunks_exact(3).fold(0, |any, c| any | marks[cls_index(c[0], c[1], c[2])]);
        any & 1 != 0 && g.chunks_exact(3).any(|c| self.one(c[0], c[1], c[2]))
    }

    #[inline(always)]
    fn one(&mut self, lead: u8, b1: u8, b2: u8) -> bool {
        let m = &mut self.marks[cls_index(lead, b1, b2)];
        if *m == 1 {
            *m = 2;
            self.found += 1;
        }
        self.found == self.distinct
    }
}

/// Up to this many distinct partners, [`T2s::partners_present`] searches the text for each
/// (vectorized, and stopping at the first occurrence) instead of walking it once for all.
const PARTNER_SEARCHES: usize = 32;

thread_local! {
    /// [`PartnerWalk::marks`] of this thread: 256 KB zeroed once, and left zeroed after
    /// each use by clearing only the entries marked.
    static PARTNER_MARKS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The end of the run of ASCII bytes starting at `b[i..]`, eight bytes at a time.
#[inline]
fn skip_ascii(b: &[u8], mut i: usize) -> usize {
    while let Some(w) = b.get(i..i + 8) {
        let high = le64(w) & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(|x| *x < 0x80) {
        i += 1;
    }
    i
}

/// The first eight bytes of `w` as a little-endian `u64` (one load).
#[inline(always)]
fn le64(w: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&w[..8]);
    u64::from_le_bytes(word)
}

/// What the census keeps about Traditional-only characters (rare outside Traditional text).
#[derive(Default)]
struct TradSeen {
    count: u64,
    /// The Simplified-only partner (a BMP code point) of each Traditional-only character
    /// seen that has one, repeats included.
    partners: Vec<u32>,
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

/// The `key<TAB>values` lines of an OpenCC dictionary, without comments: `memchr` finds
/// the line ends, and the values stay one string (see [`values`]), so nothing is allocated.
fn dict_lines(data: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', data.as_bytes()).chain(std::iter::once(data.len())).filter_map(
        move |end| {
            let line = data.get(start..end)?;
            start = end + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with('#') {
                return None;
            }
            line.split_once('\t')
        },
    )
}

/// The space-separated values of a dictionary line.
fn values(v: &'static str) -> impl Iterator<Item = &'static str> {
    v.split(' ').filter(|s| !s.is_empty())
}

impl T2s {
    /// The converter built from the embedded OpenCC data, compiled on first use.
    pub fn shared() -> &'static T2s {
        static CELL: OnceLock<T2s> = OnceLock::new();
        CELL.get_or_init(T2s::build)
    }

    fn build() -> T2s {
        let mut t = T2s {
            table: zeroed(),
            astral: Vec::new(),
            flags: zeroed(),
            cls: zeroed(),
            conv: zeroed(),
            entries: Vec::with_capacity(8192),
        };
        // The character of each entry, to fill the per-character tables from the entries
        // alone instead of visiting every code point.
        let mut chars = vec!['\0'];
        t.entries.push(Entry::default());
        for (k, vals) in dict_lines(TS_CHARACTERS) {
            let mut it = k.chars();
            let (Some(c), None) = (it.next(), it.next()) else { continue };
            let Some(first) = values(vals).next() else { continue };
            let maps_to_self = values(vals).any(|v| v == k);
            let idx = t.slot(c, &mut chars);
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
            if !values(vals).any(|v| v == k) {
                let idx = t.slot(c, &mut chars);
                t.entries[idx].simplified_only = true;
            }
        }
        for (k, vals) in dict_lines(TS_PHRASES) {
            let Some(c) = k.chars().next() else { continue };
            let Some(first) = values(vals).next() else { continue };
            let idx = t.slot(c, &mut chars);
            t.entries[idx].phrases.push((k, first));
        }
        for e in &mut t.entries {
            e.phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        for cp in (0x3400..=0x4DBF).chain(0x4E00..=0x9FFF).chain(0xF900..=0xFAFF) {
            t.flags[cp as usize] = HAN;
            t.cls[cls_index_of(cp)] = CLS_HAN;
        }
        for (e, c) in t.entries.iter().zip(&chars).skip(1) {
            let cp = u32::from(*c);
            // As `entry`: nothing below U+2E80; the tables cover the BMP.
            if !(0x2E80..0x10000).contains(&cp) {
                continue;
            }
            let f = &mut t.flags[cp as usize];
            *f |=
                u8::from(e.traditional_only) * TRAD_ONLY + u8::from(e.simplified_only) * SIMP_ONLY;
            t.cls[cls_index_of(cp)] = match *f {
                0 => 0,
                HAN => CLS_HAN,
                f if f == HAN | SIMP_ONLY => CLS_SIMP,
                _ => CLS_SPECIAL,
            };
            t.conv[idx16_of(cp)] = u8::from(e.single.is_some() || !e.phrases.is_empty());
        }
        t
    }

    /// The entry of `c`, created (and `c` pushed to `chars`) if it has none yet.
    fn slot(&mut self, c: char, chars: &mut Vec<char>) -> usize {
        let existing = self.index(c);
        if existing != 0 {
            return existing;
        }
        let idx = self.entries.len();
        self.entries.push(Entry::default());
        chars.push(c);
        // The dictionaries hold a few thousand entries, far below u16::MAX.
        let i16 = u16::try_from(idx).unwrap_or(0);
        match usize::try_from(u32::from(c)) {
            Ok(cp) if cp < 0x10000 => self.table[cp] = i16,
            _ => {
                let at = self.astral.partition_point(|e| e.0 < c);
                self.astral.insert(at, (c, i16));
            }
        }
        idx
    }

    #[inline]
    fn index(&self, c: char) -> usize {
        let cp = u32::from(c) as usize;
        if cp < 0x10000 {
            usize::from(self.table[cp])
        } else {
            self.astral
                .binary_search_by_key(&c, |e| e.0)
                .map_or(0, |i| usize::from(self.astral[i].1))
        }
    }

    /// The entry of `c`, if it has one (the tests' view of the tables).
    #[cfg(test)]
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
            // Most characters convert to themselves: look at eight 3-byte characters at a
            // time and convert only those that convert or start a phrase (a phrase may
            // swallow the next ones, or run past the group).
            while let Some(g) = bytes.get(i..i + 24) {
                let Ok(g) = <&[u8; 24]>::try_from(g) else { break };
                if !all3(g) {
                    break;
                }
                let mut m = g
                    .chunks_exact(3)
                    .enumerate()
                    .fold(0u32, |m, (k, c)| m | u32::from(self.conv[idx16(c[0], c[1], c[2])]) << k);
                let start = i;
                while m != 0 {
                    let at = start + 3 * m.trailing_zeros() as usize;
                    m &= m - 1;
                    if at >= i {
                        i = self.convert_step(text, at, &mut out, &mut copied, &mut replaced);
                    }
                }
                i = i.max(start + 24);
            }
            // Then one at a time up to the character that is not 3 bytes long, and that
            // one (a run of ASCII at once).
            while let Some(&lead) = bytes.get(i) {
                let next = self.convert_step(text, i, &mut out, &mut copied, &mut replaced);
                i = next;
                if lead & 0xF0 != 0xE0 {
                    break;
                }
            }
        }
        match out {
            None => (Cow::Borrowed(text), 0),
            Some(mut o) => {
                o.push_str(&text[copied..]);
                (Cow::Owned(o), replaced)
            }
        }
    }

    /// Convert the character (or phrase) at `text[i..]`, or skip it or a run of ASCII;
    /// returns where the next one starts.
    #[inline(always)]
    fn convert_step(
        &self,
        text: &str,
        i: usize,
        out: &mut Option<String>,
        copied: &mut usize,
        replaced: &mut u64,
    ) -> usize {
        let bytes = text.as_bytes();
        // Decode by hand: a 3-byte character that [`Self::conv`] says does nothing is
        // passed after one byte read, characters below U+0800 by their lead byte.
        let (idx, clen) = match bytes[i] {
            0x00..=0x7F => return skip_ascii(bytes, i + 1),
            0x80..=0xDF => return i + 2,
            lead @ 0xE0..=0xEF => {
                let (Some(&b1), Some(&b2)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                    return text.len();
                };
                if self.conv[idx16(lead, b1, b2)] == 0 {
                    return i + 3;
                }
                let cp = (usize::from(lead & 0x0F) << 12)
                    | (usize::from(b1 & 0x3F) << 6)
                    | usize::from(b2 & 0x3F);
                (usize::from(self.table[cp]), 3)
            }
            _ => {
                let Some(c) = text[i..].chars().next() else { return text.len() };
                (self.index(c), c.len_utf8())
            }
        };
        if idx == 0 {
            return i + clen;
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
                o.push_str(&text[*copied..i]);
                o.push_str(v);
                *copied = i + key_len;
                *replaced += 1;
            }
            _ => {}
        }
        i + key_len
    }

    /// The converter before [`Self::conv`]: every character looked up. Kept as the
    /// oracle [`Self::convert_counted`] must agree with.
    #[cfg(test)]
    fn convert_counted_reference<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
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
    ///
    /// Chinese text is mostly 3-byte characters (Han, and the CJK and full-width
    /// punctuation between them), so [`walk3`] hands them over eight at a time (see
    /// [`all3`]), and eight reads of [`Self::cls`] summed give the Han and
    /// Simplified-only counts at once, about ten instructions a character. Only a group
    /// with a [`CLS_SPECIAL`] character (Traditional-only, rare in Simplified text) is read
    /// again character by character. Pairs need both forms: the Simplified partners of the
    /// Traditional-only characters seen are collected, and only when the text also has
    /// Simplified-only characters is it walked once more to find them.
    pub(crate) fn census(&self, text: &str) -> Census {
        let b = text.as_bytes();
        let mut trad = TradSeen::default();
        let mut w = CensusWalk { t: self, han: 0, simp: 0, trad: &mut trad };
        walk3(b, &mut w);
        let (han, simp) = (w.han, w.simp);
        let mixed_pairs = if simp > 0 && !trad.partners.is_empty() {
            Self::partners_present(b, &trad.partners)
        } else {
            0
        };
        Census { han, traditional_only: trad.count, simplified_only: simp, mixed_pairs }
    }

    /// The census of one 3-byte character, as a [`T2s::cls`] value without
    /// [`CLS_SPECIAL`].
    #[inline(always)]
    fn census_one(&self, lead: u8, b1: u8, b2: u8, trad: &mut TradSeen) -> u32 {
        let v = self.cls[cls_index(lead, b1, b2)];
        if v == CLS_SPECIAL {
            let cp = (usize::from(lead & 0x0F) << 12)
                | (usize::from(b1 & 0x3F) << 6)
                | usize::from(b2 & 0x3F);
            return self.census_special(cp, trad);
        }
        u32::from(v)
    }

    /// The census of a group of up to eight 3-byte characters with a [`CLS_SPECIAL`] one.
    #[cold]
    #[inline(never)]
    fn census_group(&self, g: &[u8], trad: &mut TradSeen) -> u32 {
        g.chunks_exact(3).map(|ch| self.census_one(ch[0], ch[1], ch[2], trad)).sum()
    }

    /// The census of a [`CLS_SPECIAL`] character, from its flags.
    #[cold]
    #[inline(never)]
    fn census_special(&self, cp: usize, trad: &mut TradSeen) -> u32 {
        let f = self.flags[cp];
        let v = u32::from(f & HAN) + 16 * u32::from(f & SIMP_ONLY != 0);
        if f & TRAD_ONLY == 0 {
            return v;
        }
        trad.count += 1;
        let e = &self.entries[usize::from(self.table[cp])];
        // Only a Simplified-only partner can be seen in both forms.
        let Some(p) = e.pairs_with.map(|p| p as usize) else { return v };
        if p >= 0x10000 || self.flags[p] & SIMP_ONLY == 0 {
            return v;
        }
        trad.partners.push(p as u32);
        v
    }

    /// How many distinct `partners` (Simplified partners of the Traditional characters
    /// seen) occur in `b`: one more look at the text, needed only where both scripts occur.
    #[cold]
    #[inline(never)]
    fn partners_present(b: &[u8], partners: &[u32]) -> u64 {
        let mut distinct = partners.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() <= PARTNER_SEARCHES {
            // A vectorized search per partner, which stops at its first occurrence.
            let present = |p: &u32| {
                char::from_u32(*p).is_some_and(|c| {
                    let mut u = [0u8; 4];
                    memchr::memmem::find(b, c.encode_utf8(&mut u).as_bytes()).is_some()
                })
            };
            return distinct.iter().filter(|p| present(p)).count() as u64;
        }
        PARTNER_MARKS.with(|cell| {
            let mut v = cell.borrow_mut();
            if v.len() != CLS_LEN {
                *v = vec![0; CLS_LEN];
            }
            let Ok(marks) = <&mut [u8; CLS_LEN]>::try_from(&mut v[..]) else { return 0 };
            for &p in &distinct {
                marks[cls_index_of(p)] = 1;
            }
            let mut w = PartnerWalk { marks, found: 0, distinct: distinct.len() as u64 };
            walk3(b, &mut w);
            let found = w.found;
            for &p in &distinct {
                marks[cls_index_of(p)] = 0;
            }
            found
        })
    }

    /// The census of any text, decoding every 3-byte character and marking the pairs per
    /// dictionary entry: the previous implementation, kept as an oracle that
    /// [`Self::census`] must agree with.
    #[cfg(test)]
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
        // The census skips characters below U+0800 without a look.
        assert!(t.flags[..0x800].iter().all(|f| *f == 0));
        let mut used = vec![false; CLS_LEN];
        for cp in 0x800..0x10000u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            let mut u = [0u8; 4];
            let s = c.encode_utf8(&mut u).as_bytes();
            let idx = cls_index(s[0], s[1], s[2]);
            assert_eq!(idx, cls_index_of(cp), "{c}");
            assert!(!std::mem::replace(&mut used[idx], true), "{c} shares its index");
            let f = t.flags[cp as usize];
            let want = match t.cls[idx] {
                0 => f == 0,
                CLS_HAN => f == HAN,
                CLS_SIMP => f == HAN | SIMP_ONLY,
                CLS_SPECIAL => f != 0 && f != HAN && f != HAN | SIMP_ONLY,
                _ => false,
            };
            assert!(want, "{c}");
            let one = c.to_string();
            assert_eq!(t.census(&one), naive_census(t, &one), "{c}");
            // At each position of a group of eight, with Han and Simplified-only neighbours,
            // and as the character that cuts a group short.
            for k in 0..8 {
                let mut g: Vec<char> = "中卫發中卫发乾中卫".chars().collect();
                g[k] = c;
                let g: String = g.into_iter().collect();
                assert_eq!(t.census(&g), naive_census(t, &g), "{g}");
            }
        }
        // Every character in one text: long runs of 3-byte characters, Traditional characters
        // with their partners, and many partners to look for.
        let every_bmp: String = (0x800..0x10000u32).filter_map(char::from_u32).collect();
        assert_eq!(t.census(&every_bmp), naive_census(t, &every_bmp));
        let few = "卫生 衛 发展 發 头 頭 髮 发 ";
        assert_eq!(t.census(few), naive_census(t, few));
    }

    #[test]
    fn census_pairs_on_both_sides_of_the_search_limit() {
        let t = T2s::shared();
        // Traditional characters with a Simplified partner, and those partners.
        let pairs: Vec<(char, char)> = (0x4E00..0xA000u32)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                let e = t.entry(c)?;
                let p = e.pairs_with.filter(|_| e.traditional_only)?;
                t.entry(p).filter(|pe| pe.simplified_only).map(|_| (c, p))
            })
            .collect();
        assert!(pairs.len() > 200, "{}", pairs.len());
        for n in [1, PARTNER_SEARCHES - 1, PARTNER_SEARCHES, PARTNER_SEARCHES + 1, 200] {
            // Every Traditional character; every other partner, some before and some after.
            let mut text = String::new();
            for (k, (c, p)) in pairs.iter().take(n).enumerate() {
                if k % 4 == 0 {
                    text.push(*p);
                }
                text.push(*c);
                text.push_str("的中文");
                if k % 4 == 2 {
                    text.push(*p);
                }
            }
            assert_eq!(t.census(&text), naive_census(t, &text), "{n}");
            assert_eq!(t.census(&text), t.census_reference(&text), "{n}");
        }
    }

    #[test]
    fn all3_agrees_with_its_definition() {
        // Every 24-byte window starting at a character of texts mixing 1- to 4-byte
        // characters: `all3` holds exactly when the window is eight 3-byte characters.
        let texts = [
            "中卫發中卫发乾中卫發中卫发乾中卫發中卫发乾中卫發中卫发乾",
            "中a卫é發👨中卫发乾中1卫發中卫发乾中卫發中卫\n发乾中卫發中卫😀发乾ab",
            "2021年7月16日，ICU270張床位，37.5%的患者。\n\n青岛市卫生健康委员会",
        ];
        for text in texts {
            for (at, _) in text.char_indices() {
                let Some(g) = text.as_bytes().get(at..at + 24) else { continue };
                let Ok(g) = <&[u8; 24]>::try_from(g) else { continue };
                let want = text[at..].chars().take(8).all(|c| c.len_utf8() == 3)
                    && text[at..].chars().take(8).count() == 8;
                assert_eq!(all3(g), want, "{:?}", &text[at..]);
            }
        }
    }

    #[test]
    fn census_groups_cut_short_by_other_characters() {
        let t = T2s::shared();
        let han = "中卫發中卫发乾中卫發中卫发乾中卫發中卫发乾";
        for other in ["a", "é", "👨", "\u{FFFD}", "。", "ab12", "😀x"] {
            for k in 0..=han.chars().count() {
                let (pre, post) =
                    han.split_at(han.char_indices().nth(k).map_or(han.len(), |x| x.0));
                let text = format!("{pre}{other}{post}{other}");
                assert_eq!(t.census(&text), naive_census(t, &text), "{text}");
            }
        }
    }

    #[test]
    fn conv_table_agrees_with_the_entries() {
        let t = T2s::shared();
        for cp in 0x800..0x10000u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            let want = t.entry(c).is_some_and(|e| e.single.is_some() || !e.phrases.is_empty());
            assert_eq!(t.conv[idx16_of(cp)] == 1, want, "{c}");
            let mut u = [0u8; 4];
            let s = c.encode_utf8(&mut u).as_bytes();
            assert_eq!(idx16(s[0], s[1], s[2]), idx16_of(cp), "{c}");
        }
    }

    #[test]
    fn convert_agrees_with_the_reference() {
        let t = T2s::shared();
        let tw = include_str!("../testdata/traditional_tw.txt");
        // Every dictionary key, phrase and character, alone and run together with text
        // around it: groups of eight that convert nothing, groups cut short, phrases that
        // run past a group's end.
        let mut all = String::new();
        for (k, _) in dict_lines(TS_PHRASES).chain(dict_lines(TS_CHARACTERS)) {
            all.push_str(k);
            all.push_str(if all.len() % 7 == 0 { "ab1" } else { "中文" });
        }
        let every_bmp: String = (0x800..0x10000u32).filter_map(char::from_u32).collect();
        for text in
            [tw, all.as_str(), every_bmp.as_str(), "頭髮乾淨，头发干净。ICU270張 \u{20000}👨é"]
        {
            assert_eq!(t.convert_counted(text), t.convert_counted_reference(text));
            for cut in (0..text.len()).step_by(997).filter(|c| text.is_char_boundary(*c)) {
                let part = &text[cut..];
                assert_eq!(t.convert_counted(part), t.convert_counted_reference(part));
            }
        }
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
            proptest::prop_assert_eq!(t.convert_counted(&s), t.convert_counted_reference(&s));
            proptest::prop_assert_eq!(t.convert_counted(&r), t.convert_counted_reference(&r));
            proptest::prop_assert_eq!(
                t.convert_counted(&clean),
                t.convert_counted_reference(&clean)
            );
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
