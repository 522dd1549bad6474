//! Dictionaries: parsing the term-list format and compiling terms into one matcher per stage
//! (leftmost-longest, ASCII case-insensitive), with Traditional-script variants derived
//! automatically.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::text::FastMap;
use crate::FilterError;

/// Simplified→Traditional character pairs for the characters of the default dictionaries.
const TRAD: &str = include_str!("../dict/trad.txt");

/// One dictionary term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub text: String,
    /// Index into the stage's category list.
    pub category: usize,
    /// Weak terms only count together with other evidence.
    pub weak: bool,
}

/// Parse the dictionary format: `[category]` headers, `~weak` terms, `#` comments.
/// `origin` names the source in errors; terms before any header get `default_category`.
pub(crate) fn parse(
    src: &str,
    origin: &str,
    categories: &[&str],
    default_category: usize,
) -> Result<Vec<Term>, FilterError> {
    let mut category = default_category;
    let mut terms = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            category = categories.iter().position(|c| *c == name.trim()).ok_or_else(|| {
                FilterError::Dictionary {
                    origin: origin.to_string(),
                    line: i + 1,
                    message: format!(
                        "unknown category `{name}` (known: {})",
                        categories.join(", ")
                    ),
                }
            })?;
            continue;
        }
        let (weak, text) = match line.strip_prefix('~') {
            Some(t) => (true, t.trim()),
            None => (false, line),
        };
        if text.is_empty() {
            continue;
        }
        terms.push(Term { text: text.to_string(), category, weak });
    }
    Ok(terms)
}

/// Read and parse extra dictionary files named in the config, relative to `base_dir`.
pub(crate) fn load_extra(
    files: &[PathBuf],
    base_dir: &Path,
    categories: &[&str],
    default_category: usize,
) -> Result<Vec<Term>, FilterError> {
    let mut terms = Vec::new();
    for f in files {
        let path = base_dir.join(f);
        let src = std::fs::read_to_string(&path)
            .map_err(|source| FilterError::Io { path: path.clone(), source })?;
        terms.extend(parse(&src, &path.display().to_string(), categories, default_category)?);
    }
    Ok(terms)
}

/// A dictionary hit inside a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Index of the term in [`Matcher::terms`].
    pub term: usize,
    pub category: usize,
    pub weak: bool,
    /// Byte range of the match in the line.
    pub start: usize,
    pub end: usize,
    /// Characters of the match (those of the pattern: the stages need not count them in the
    /// line).
    pub chars: usize,
}

/// Terms compiled into a matcher (built once, shared read-only across threads).
///
/// Why not an Aho-Corasick DFA: with a few hundred Chinese terms and their Traditional
/// spellings the byte-level DFA takes most of a megabyte, and scanning text through it misses
/// the cache on nearly every byte (about 250 MB/s). Here the scan steps from character to
/// character and looks up the next six bytes (two Han characters), hashed to 16 bits, in a
/// byte table; only a nonzero byte leads to a bucket of candidate patterns to compare.
/// Patterns shorter than five bytes (`QQ`, `APP`) are keyed by their first two bytes in a
/// second table, those of five under each of their six-byte extensions. The result is the
/// same as Aho-Corasick's leftmost-longest search with ASCII case folding (a test checks it
/// against the `aho-corasick` crate): at the leftmost position where a pattern starts, the
/// longest pattern (lowest id among equals) wins, and the search goes on after it.
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    /// Pattern bytes, ASCII lower-cased.
    patterns: Vec<Box<[u8]>>,
    /// Pattern id → term index (several spellings map to one term).
    pattern_term: Vec<usize>,
    /// Pattern id → its characters.
    pattern_chars: Vec<usize>,
    /// Pattern id → its first eight bytes (zero-padded) and the mask of those that exist:
    /// most patterns are compared with one `u64` test.
    prefix: Vec<(u64, u64)>,
    /// The tables every scan step reads, in one allocation: one base pointer for the loop.
    scan: Box<ScanTables>,
    /// Slot ([`long_slot`]) → its candidates in `long_cands`, `long_start[slot]..
    /// long_start[slot + 1]`: the patterns of 5 bytes (under every sixth byte) or more whose
    /// 6-byte prefix hashes to the slot, longest first (lowest id first among equal lengths).
    ///
    /// Why by slot rather than by 6-byte prefix: the slot is already computed, and indexing
    /// an array costs a few instructions where a hash-map lookup cost about 35. Merging the
    /// prefixes of one slot changes no result: a pattern of another prefix fails the
    /// eight-byte prefix test (a 5-byte pattern is under the prefixes of all its sixth bytes,
    /// so it is in the bucket of every key it can match), and the order among those that pass
    /// is the per-prefix bucket's order.
    long_start: Box<[u32; (1 << 16) + 1]>,
    long_cands: Box<[Cand]>,
    /// 2-byte prefix → pattern ids, longest first.
    short: FastMap<u64, Box<[u32]>>,
    /// First byte → the one-byte pattern (only from user lists).
    single: Box<[Option<u32>]>,
    has_single: bool,
    pub terms: Vec<Term>,
}

/// A candidate pattern of a long bucket, with what its test needs in one place.
#[derive(Debug, Clone, Copy)]
struct Cand {
    /// The pattern's first eight bytes (zero-padded) and the mask of those that exist.
    pre: u64,
    mask: u64,
    id: u32,
    len: u32,
}

/// The filter tables of [`Matcher::scan`]: a byte per slot, nonzero where a pattern may start
/// (1 in a matcher's own tables; in a [`Partner`]'s union, bit 0 for the first matcher and
/// bit 1 for the partner).
///
/// Bytes rather than bits (128 KB rather than 16 KB): a test is one load, without the shifts
/// and masks of a bit test, about 10 fewer instructions per character, and measured faster.
/// The loads are off the scan's critical path (the step to the next character does not wait
/// for them), and Han text reads few lines of `short`.
#[derive(Debug, Clone)]
struct ScanTables {
    /// Per hashed 6-byte prefix ([`long_slot`]) of the patterns of 5 bytes or more (those
    /// of 5 under every sixth byte).
    long: [u8; 1 << 16],
    /// Per 2-byte prefix of the patterns of 1 to 4 bytes.
    short: [u8; 1 << 16],
}

impl ScanTables {
    fn empty() -> Box<Self> {
        Box::new(ScanTables { long: [0; 1 << 16], short: [0; 1 << 16] })
    }

    /// The flags of the position whose next eight bytes (ASCII lower-cased) are `key`:
    /// zero when no pattern can start there.
    #[inline(always)]
    fn flags(&self, key: u64) -> u8 {
        self.long[long_slot(key)] | self.short[(key & 0xFFFF) as usize]
    }
}

const KEY6: u64 = (1 << 48) - 1;
/// Table slot (16 bits) of the first six bytes of `key`: bits 32–47 of the product with an
/// odd 31-bit constant, which bytes 6 and 7 cannot reach (no mask needed). Why this
/// multiplier: it fits an instruction's immediate operand, so the scan's hash is a multiply,
/// a shift and a zero-extension, one instruction (and a register) less per character than a
/// 64-bit constant. Measured on the bench corpus: the filter lets through about as many
/// positions (5% more, a few thousand of 1.8 million), and the walk takes 5% fewer
/// instructions.
#[inline(always)]
fn long_slot(key: u64) -> usize {
    usize::from((key.wrapping_mul(0x7FEB_352D) >> 32) as u16)
}

/// ASCII upper-case letters of the eight bytes lowered, all other bytes unchanged (SWAR).
fn lower8(x: u64) -> u64 {
    const HI: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = x & !HI;
    let ge_a = low7 + ONES * (0x80 - 0x41);
    let gt_z = low7 + ONES * (0x80 - 0x5B);
    let upper = (ge_a ^ gt_z) & !x & HI;
    x | (upper >> 2)
}

/// True when `b` holds an ASCII upper-case letter: 16 bytes at a time in a fold without early
/// exit, which the compiler vectorizes, the last ones in a chunk overlapping the one before
/// (a scalar loop over the up to 15 left took a third of the test's instructions).
fn has_upper(b: &[u8]) -> bool {
    let upper = |c: &[u8]| c.iter().fold(false, |up, x| up | x.is_ascii_uppercase());
    let whole = b.len() / 16 * 16;
    upper(&b[..whole])
        || match b.last_chunk::<16>() {
            Some(last) if whole < b.len() => upper(last),
            _ => upper(&b[whole..]),
        }
}

/// Little-endian u64 of the (zero-padded) eight bytes at `i`.
#[inline]
fn load8(b: &[u8], i: usize) -> u64 {
    match b.get(i..i + 8) {
        Some(s) => u64::from_le_bytes(s.try_into().unwrap_or([0; 8])),
        None => {
            let mut buf = [0u8; 8];
            let rest = &b[i.min(b.len())..];
            buf[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(buf)
        }
    }
}

/// The last bytes of a line (fewer than eight from the scan's position on), zero-padded once,
/// so the scan's last positions load their eight bytes without a copy each.
struct Tail {
    start: usize,
    buf: [u8; 16],
}

impl Tail {
    /// The bytes of `bytes` from `start` (fewer than eight).
    #[inline(always)]
    fn new(bytes: &[u8], start: usize) -> Self {
        let rest = bytes.get(start..).unwrap_or_default();
        let n = rest.len().min(8);
        let mut buf = [0u8; 16];
        buf[..n].copy_from_slice(&rest[..n]);
        Tail { start, buf }
    }

    /// The (zero-padded) eight bytes at `i` (from `start` to the line's end) as a
    /// little-endian u64.
    #[inline(always)]
    fn load(&self, i: usize) -> u64 {
        let o = (i - self.start) & 7;
        u64::from_le_bytes(*self.buf[o..].first_chunk::<8>().unwrap_or(&[0; 8]))
    }
}

/// Bytes of the UTF-8 sequence each lead byte starts (1 for ASCII and continuation bytes).
const UTF8_LEN: [usize; 256] = {
    let mut t = [1; 256];
    let mut b = 0xC0;
    while b < 256 {
        t[b] = if b >= 0xF0 {
            4
        } else if b >= 0xE0 {
            3
        } else {
            2
        };
        b += 1;
    }
    t
};

impl Matcher {
    pub(crate) fn new(terms: Vec<Term>) -> Result<Self, FilterError> {
        let table = trad_table();
        let mut patterns: Vec<Box<[u8]>> = Vec::new();
        let mut pattern_term = Vec::new();
        let mut pattern_chars = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            for v in variants(&t.text, &table) {
                pattern_chars.push(v.chars().count());
                patterns.push(v.to_ascii_lowercase().into_bytes().into_boxed_slice());
                pattern_term.push(i);
            }
        }
        if patterns.len() > u32::MAX as usize {
            return Err(FilterError::Automaton(format!("{} patterns", patterns.len())));
        }
        let mut tables = ScanTables::empty();
        let mut long: FastMap<u64, Vec<u32>> = FastMap::default();
        let mut short: FastMap<u64, Vec<u32>> = FastMap::default();
        let mut single = vec![None; 256].into_boxed_slice();
        for (id, p) in patterns.iter().enumerate() {
            let id = id as u32;
            let key = load8(p, 0);
            match p.len() {
                0 => {}
                1 => {
                    single[usize::from(p[0])].get_or_insert(id);
                    // Mark every two-byte key it can start, so the scan needs no third test.
                    for second in 0..=255usize {
                        tables.short[(second << 8) | usize::from(p[0])] = 1;
                    }
                }
                5 => {
                    // Keyed by each of its six-byte extensions: the two-byte key of a
                    // pattern that starts with a Han character (`加qq`) would let through every
                    // character of its 64-character UTF-8 block (动, 务, 功…), on Han text
                    // more than a third of the positions the tables let through, measured.
                    // (The bucket's order, longest first, still holds: the short buckets keep
                    // only patterns of 4 bytes or fewer.) The sixth byte of a key where the
                    // pattern matches starts a character or is the zero padding past the end
                    // (the pattern is a whole UTF-8 string), and is never an upper-case ASCII
                    // letter (keys are lower-cased): 153 extensions rather than 256, fewer
                    // slots to let other positions through.
                    let sixths = (0..=0x7Fu64)
                        .filter(|&b| !(u64::from(b'A')..=u64::from(b'Z')).contains(&b))
                        .chain(0xC2..=0xF4);
                    for sixth in sixths {
                        let k = (key & ((1 << 40) - 1)) | sixth << 40;
                        tables.long[long_slot(k)] = 1;
                        long.entry(k).or_default().push(id);
                    }
                }
                2..=4 => {
                    let k = key & 0xFFFF;
                    tables.short[k as usize] = 1;
                    short.entry(k).or_default().push(id);
                }
                _ => {
                    tables.long[long_slot(key)] = 1;
                    long.entry(key & KEY6).or_default().push(id);
                }
            }
        }
        let finish = |m: FastMap<u64, Vec<u32>>| -> FastMap<u64, Box<[u32]>> {
            m.into_iter()
                .map(|(k, mut ids)| {
                    ids.sort_by_key(|&id| (std::cmp::Reverse(patterns[id as usize].len()), id));
                    (k, ids.into_boxed_slice())
                })
                .collect()
        };
        let short = finish(short);
        let has_single = single.iter().any(Option::is_some);
        let prefix: Vec<(u64, u64)> = patterns
            .iter()
            .map(|p| {
                let n = p.len().min(8);
                let mask = if n == 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 };
                (load8(p, 0) & mask, mask)
            })
            .collect();
        // The long buckets merged per slot, in the per-prefix buckets' order.
        let mut by_slot: Vec<(usize, std::cmp::Reverse<usize>, u32)> = long
            .into_iter()
            .flat_map(|(k, ids)| ids.into_iter().map(move |id| (long_slot(k), id)))
            .map(|(slot, id)| (slot, std::cmp::Reverse(patterns[id as usize].len()), id))
            .collect();
        by_slot.sort_unstable();
        by_slot.dedup();
        let mut long_start = Box::new([0u32; (1 << 16) + 1]);
        for &(slot, ..) in &by_slot {
            long_start[slot + 1] += 1;
        }
        for slot in 0..1 << 16 {
            long_start[slot + 1] += long_start[slot];
        }
        if by_slot.len() > u32::MAX as usize {
            return Err(FilterError::Automaton(format!("{} candidates", by_slot.len())));
        }
        let long_cands = by_slot
            .iter()
            .map(|&(_, std::cmp::Reverse(len), id)| {
                let (pre, mask) = prefix[id as usize];
                Cand { pre, mask, id, len: len as u32 }
            })
            .collect();
        Ok(Matcher {
            patterns,
            pattern_term,
            pattern_chars,
            prefix,
            scan: tables,
            long_start,
            long_cands,
            short,
            single,
            has_single,
            terms,
        })
    }

    /// The first of `ids` (longest first) that matches at byte `i`, where the next eight
    /// bytes (ASCII lower-cased, zero-padded) are `key`: (pattern id, end).
    fn first_match(&self, line: &[u8], i: usize, key: u64, ids: &[u32]) -> Option<(u32, usize)> {
        ids.iter().find_map(|&id| {
            let (pre, mask) = self.prefix[id as usize];
            if key & mask != pre {
                return None;
            }
            let p = &self.patterns[id as usize];
            let end = i + p.len();
            let rest_ok = p.len() <= 8
                || line.get(i + 8..end).is_some_and(|t| t.eq_ignore_ascii_case(&p[8..]));
            (end <= line.len() && rest_ok).then_some((id, end))
        })
    }

    /// The longest pattern starting at byte `i`, whose next eight bytes (ASCII lower-cased)
    /// are `key`: (pattern id, end). Called only where the filter tables let it through.
    #[inline(never)]
    fn longest_at(&self, line: &[u8], i: usize, key: u64) -> Option<(u32, usize)> {
        self.longest_at_inline(line, i, key)
    }

    /// [`Matcher::longest_at`] inlined (into [`Matcher::hits2`], which is out of the scan's
    /// loop already: a call less per position the filter lets through).
    #[inline(always)]
    fn longest_at_inline(&self, line: &[u8], i: usize, key: u64) -> Option<(u32, usize)> {
        let slot = long_slot(key);
        if self.scan.long[slot] != 0 {
            let cands = self
                .long_cands
                .get(self.long_start[slot] as usize..self.long_start[slot + 1] as usize)
                .unwrap_or_default();
            for c in cands {
                if key & c.mask == c.pre {
                    let end = i + c.len as usize;
                    let rest_ok = c.len <= 8
                        || line.get(i + 8..end).is_some_and(|t| {
                            t.eq_ignore_ascii_case(&self.patterns[c.id as usize][8..])
                        });
                    if end <= line.len() && rest_ok {
                        return Some((c.id, end));
                    }
                }
            }
        }
        let k2 = key & 0xFFFF;
        if self.scan.short[k2 as usize] != 0 {
            if let Some(m) = self.short.get(&k2).and_then(|ids| self.first_match(line, i, key, ids))
            {
                return Some(m);
            }
        }
        if !self.has_single {
            return None;
        }
        self.single[(key & 0xFF) as usize].map(|id| (id, i + 1))
    }

    /// Call `f` for every non-overlapping (leftmost-longest) hit in `line`.
    pub(crate) fn for_each_hit(&self, line: &str, f: impl FnMut(Hit)) {
        // Lower-casing costs a third of the scan; most lines have no upper-case ASCII.
        // (A fold, not `any`: it vectorizes.)
        if has_upper(line.as_bytes()) {
            self.scan::<true>(line.as_bytes(), f);
        } else {
            self.scan::<false>(line.as_bytes(), f);
        }
    }

    #[inline(always)]
    fn scan<const FOLD: bool>(&self, bytes: &[u8], mut f: impl FnMut(Hit)) {
        let mut i = 0;
        // While eight bytes can be loaded, that test is the only bound test of the loop; the
        // last positions load a zero-padded copy.
        while let Some(&s) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
            let raw = u64::from_le_bytes(s);
            let key = if FOLD { lower8(raw) } else { raw };
            i = self.step(bytes, i, key, &mut f);
        }
        let tail = Tail::new(bytes, i);
        while i < bytes.len() {
            let raw = tail.load(i);
            let key = if FOLD { lower8(raw) } else { raw };
            i = self.step(bytes, i, key, &mut f);
        }
    }

    /// One position of the scan: report the hit starting at byte `i`, whose next eight bytes
    /// (ASCII lower-cased) are `key`, and return where the scan goes on.
    #[inline(always)]
    fn step(&self, bytes: &[u8], i: usize, key: u64, f: &mut impl FnMut(Hit)) -> usize {
        // The common case, no pattern can start here, costs two table loads. (Both, and no
        // branch between them: testing the second only after a check of the lead byte takes
        // fewer instructions but more time, measured; so did stepping over two Han characters
        // after one test of the second, and finding the character starts of eight bytes at
        // once from a mask.)
        if self.scan.flags(key) != 0 {
            if let Some((id, end)) = self.longest_at(bytes, i, key) {
                f(self.hit(id, i, end));
                return end;
            }
        }
        // Three-byte characters (Han text and its punctuation) take a branch the processor
        // predicts, so the next load need not wait for this one's length lookup.
        if key & 0xF0 == 0xE0 {
            i + 3
        } else {
            i + UTF8_LEN[(key & 0xFF) as usize]
        }
    }

    /// Call `fa` for every hit of `self` and `fb` for every hit of `partner.matcher` in
    /// `line`: exactly the hits of `self.for_each_hit(line, fa)` and of
    /// `partner.matcher.for_each_hit(line, fb)`, each in order, from one walk over the line.
    ///
    /// Why one walk is exact: between its hits a leftmost-longest scan visits every character
    /// start, and after a hit it resumes at the hit's end (a character start too). So the walk
    /// visits every character start, and each matcher looks only at the positions at or after
    /// its own resume point. The union bitmap answers "neither can start here" with one test.
    pub(crate) fn for_each_hit2(
        &self,
        partner: &Partner,
        line: &str,
        mut fa: impl FnMut(Hit),
        mut fb: impl FnMut(Hit),
    ) {
        let bytes = line.as_bytes();
        let mut next = [0usize; 2];
        if has_upper(bytes) {
            self.scan2::<true>(partner, bytes, &mut next, &mut fa, &mut fb);
        } else {
            self.scan2::<false>(partner, bytes, &mut next, &mut fa, &mut fb);
        }
    }

    #[inline(always)]
    fn scan2<const FOLD: bool>(
        &self,
        partner: &Partner,
        bytes: &[u8],
        next: &mut [usize; 2],
        fa: &mut impl FnMut(Hit),
        fb: &mut impl FnMut(Hit),
    ) {
        let u = &*partner.union;
        // One position: its hits, and the step to the next character.
        let mut visit = |i: usize, raw: u64| -> usize {
            let key = if FOLD { lower8(raw) } else { raw };
            let flags = u.flags(key);
            if flags != 0 {
                self.hits2(partner, bytes, i, key, flags, next, fa, fb);
            }
            if key & 0xF0 == 0xE0 {
                3
            } else {
                UTF8_LEN[(key & 0xFF) as usize]
            }
        };
        let mut i = 0;
        // The positions of a 32-byte window whose eight bytes lie in it, with one bound test
        // per window: the inner loop's test (offset ≤ 24) also proves the load in bounds, two
        // compares instead of about six per position.
        while let Some(w) = bytes.get(i..).and_then(<[u8]>::first_chunk::<32>) {
            let mut o = 0;
            while let Some(&k) = w.get(o..).and_then(<[u8]>::first_chunk::<8>) {
                o += visit(i + o, u64::from_le_bytes(k));
            }
            i += o;
        }
        // The last positions (fewer than 32 bytes left) on a zero-padded copy of them, in the
        // same loop: one copy per line, and no slower loops for the positions that cannot
        // load eight bytes of the line (measured: a sixth fewer instructions for them).
        let rest = bytes.get(i..).unwrap_or_default();
        let mut w = [0u8; 40];
        if let Some(head) = w.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        let mut o = 0;
        while o < rest.len() {
            let Some(&k) = w.get(o..).and_then(<[u8]>::first_chunk::<8>) else { break };
            o += visit(i + o, u64::from_le_bytes(k));
        }
    }

    /// The rare part of [`Matcher::for_each_hit2`]: a pattern of the matchers whose bits are
    /// set in `flags` (bit 0 `self`, bit 1 the partner) may start at byte `i`; each of them
    /// past its resume point looks for its longest one.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn hits2(
        &self,
        partner: &Partner,
        bytes: &[u8],
        i: usize,
        key: u64,
        flags: u8,
        next: &mut [usize; 2],
        fa: &mut impl FnMut(Hit),
        fb: &mut impl FnMut(Hit),
    ) {
        if flags & 1 != 0 && i >= next[0] {
            if let Some((id, end)) = self.longest_at_inline(bytes, i, key) {
                fa(self.hit(id, i, end));
                next[0] = end;
            }
        }
        let b = &*partner.matcher;
        if flags & 2 != 0 && i >= next[1] {
            if let Some((id, end)) = b.longest_at_inline(bytes, i, key) {
                fb(b.hit(id, i, end));
                next[1] = end;
            }
        }
    }

    /// The hit of pattern `id` over bytes `start..end`.
    #[inline(always)]
    fn hit(&self, id: u32, start: usize, end: usize) -> Hit {
        let term = self.pattern_term[id as usize];
        let t = &self.terms[term];
        let chars = self.pattern_chars[id as usize];
        Hit { term, category: t.category, weak: t.weak, start, end, chars }
    }

    pub(crate) fn term(&self, i: usize) -> &str {
        &self.terms[i].text
    }
}

/// A second matcher to walk together with a first one in [`Matcher::for_each_hit2`]
/// (spam's dictionary, walked during the boilerplate scan).
#[derive(Debug, Clone)]
pub(crate) struct Partner {
    pub matcher: Arc<Matcher>,
    /// The tables of both matchers in one (bit 0 the first, bit 1 this one): a filter for "a
    /// pattern of either may start here" that also tells which (both use the same slots, so
    /// the union is exact as a filter).
    union: Box<ScanTables>,
}

impl Partner {
    /// `matcher` as a partner of `first` (and only of `first`: the union holds its bits).
    pub(crate) fn new(first: &Matcher, matcher: Arc<Matcher>) -> Self {
        let mut union = ScanTables::empty();
        let (a, b) = (&first.scan, &matcher.scan);
        for (u, (x, y)) in union.long.iter_mut().zip(a.long.iter().zip(&b.long)) {
            *u = (x != &0) as u8 | ((y != &0) as u8) << 1;
        }
        for (u, (x, y)) in union.short.iter_mut().zip(a.short.iter().zip(&b.short)) {
            *u = (x != &0) as u8 | ((y != &0) as u8) << 1;
        }
        Partner { matcher, union }
    }
}

fn trad_table() -> HashMap<char, Vec<char>> {
    let mut table: HashMap<char, Vec<char>> = HashMap::new();
    for line in TRAD.lines() {
        let mut cs = line.chars();
        if line.starts_with('#') {
            continue;
        }
        if let (Some(s), Some(t)) = (cs.next(), cs.next()) {
            table.entry(s).or_default().push(t);
        }
    }
    table
}

/// The term itself and its Traditional spellings: every combination of each character's
/// options (itself and its Traditional forms), capped so a long term cannot explode.
fn variants(term: &str, table: &HashMap<char, Vec<char>>) -> Vec<String> {
    const CAP: usize = 32;
    let mut out = vec![String::new()];
    for c in term.chars() {
        let alts = table.get(&c).map_or(&[][..], Vec::as_slice);
        if alts.is_empty() || out.len() * (alts.len() + 1) > CAP {
            // Past the cap, extend every spelling with the primary Traditional form only
            // when the spelling already uses Traditional forms.
            let primary = alts.first().copied();
            for v in &mut out {
                let trad =
                    primary.is_some() && v.chars().any(|x| x as u32 > 0x7f && !term.contains(x));
                v.push(if trad { primary.unwrap_or(c) } else { c });
            }
            continue;
        }
        let mut next = Vec::with_capacity(out.len() * (alts.len() + 1));
        for v in &out {
            for &o in std::iter::once(&c).chain(alts) {
                let mut w = v.clone();
                w.push(o);
                next.push(w);
            }
        }
        out = next;
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATS: [&str; 2] = ["a", "b"];

    #[test]
    fn parses_sections_weak_terms_and_comments() {
        let terms = parse("# c\nx\n[b]\n~y\n\n  z  \n", "t", &CATS, 0).unwrap();
        let got: Vec<_> = terms.iter().map(|t| (t.text.as_str(), t.category, t.weak)).collect();
        assert_eq!(got, [("x", 0, false), ("y", 1, true), ("z", 1, false)]);
    }

    #[test]
    fn unknown_category_names_origin_and_line() {
        let err = parse("x\n[nope]\n", "my.txt", &CATS, 0).unwrap_err().to_string();
        assert!(err.contains("my.txt") && err.contains('2') && err.contains("nope"), "{err}");
    }

    #[test]
    fn missing_extra_file_names_the_path() {
        let err = load_extra(&["nope.txt".into()], Path::new("/nonexistent"), &CATS, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/nope.txt"), "{err}");
    }

    /// Hits of the `aho-corasick` crate's leftmost-longest, ASCII case-insensitive search
    /// over the same patterns: the reference the matcher must agree with.
    fn reference(m: &Matcher) -> aho_corasick::AhoCorasick {
        let pats: Vec<&[u8]> = m.patterns.iter().map(|p| &p[..]).collect();
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&pats)
            .unwrap()
    }

    fn reference_hits(
        ac: &aho_corasick::AhoCorasick,
        m: &Matcher,
        line: &str,
    ) -> Vec<(usize, usize, usize)> {
        ac.find_iter(line)
            .map(|h| (m.pattern_term[h.pattern().as_usize()], h.start(), h.end()))
            .collect()
    }

    fn hits(m: &Matcher, line: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        m.for_each_hit(line, |h| {
            assert_eq!(h.chars, line[h.start..h.end].chars().count(), "{line}");
            out.push((h.term, h.start, h.end));
        });
        out
    }

    #[test]
    fn agrees_with_aho_corasick_leftmost_longest() {
        let dicts = [
            include_str!("../dict/boilerplate.txt"),
            include_str!("../dict/spam.txt"),
            // Overlapping and nested terms, a one-character term, duplicates across case.
            "ab\nabc\nbcd\nc\n来源\n来源：\n源于\nApp\nAPP\n下一\n下一篇\n一篇\n赌\n",
            // Five-byte terms (keyed under every sixth byte) among longer and shorter ones.
            "源ab\n源abc\n源a\n来源\n下一a\n下一\nab\n赌qq\n赌q\nabcde\nabcdef\n",
        ];
        // Text: this crate's test pages, plus lines glued from pieces of terms so hits
        // overlap, nest and abut.
        let lines = testdata_lines();
        for src in dicts {
            let m = matcher(src);
            let ac = reference(&m);
            let glued = glued_lines(&[&m], 400);
            for line in lines.iter().chain(&glued) {
                assert_eq!(hits(&m, line), reference_hits(&ac, &m, line), "{line}");
            }
        }
    }

    /// Every line of this crate's test pages.
    fn testdata_lines() -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for dir in ["testdata/campus", "testdata/mixed", "testdata/novel"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap() {
                let t = std::fs::read_to_string(e.unwrap().path()).unwrap();
                lines.extend(t.lines().map(str::to_string));
            }
        }
        lines
    }

    fn matcher(src: &str) -> Matcher {
        let cats = [
            "widget",
            "promo",
            "meta",
            "nav",
            "copyright",
            "contact",
            "framing",
            "porn",
            "gambling",
            "video",
            "pharma",
            "ad",
        ];
        Matcher::new(parse(src, "t", &cats, 0).unwrap()).unwrap()
    }

    /// `n` random lines glued from pieces of the matchers' patterns (whole, upper-cased, the
    /// second half, the first character) and fillers, so hits overlap, nest and abut.
    fn glued_lines(ms: &[&Matcher], n: usize) -> Vec<String> {
        let pieces: Vec<String> = ms
            .iter()
            .flat_map(|m| &m.patterns)
            .flat_map(|p| {
                let s = String::from_utf8(p.to_vec()).unwrap();
                let cs: Vec<char> = s.chars().collect();
                let half: String = cs[cs.len() / 2..].iter().collect();
                // A term's first character alone shifts the alignment of what follows.
                let first = cs[0].to_string();
                // Four-byte characters too.
                [
                    s.to_ascii_uppercase(),
                    half,
                    first,
                    "，".into(),
                    "x".into(),
                    "的".into(),
                    "😀".into(),
                ]
            })
            .collect();
        let mut seed: u64 = 0x1234_5678;
        let mut glued = Vec::new();
        for _ in 0..n {
            let mut l = String::new();
            for _ in 0..12 {
                seed = crate::text::mix64(seed.wrapping_add(1));
                l.push_str(&pieces[(seed % pieces.len() as u64) as usize]);
            }
            glued.push(l);
        }
        glued
    }

    #[test]
    fn dual_walk_yields_the_hits_of_two_walks() {
        // With five-byte terms (keyed under every sixth byte) overlapping longer and shorter
        // ones.
        let tricky = "ab\nabc\nbcd\nc\n来源\n来源：\n源于\nApp\nAPP\n下一\n下一篇\n一篇\n赌\n源ab\n下一a\n源于a\n";
        let boilerplate = include_str!("../dict/boilerplate.txt");
        let spam = include_str!("../dict/spam.txt");
        let lines = testdata_lines();
        for (a, b) in [(boilerplate, spam), (spam, boilerplate), (boilerplate, tricky)] {
            let a = matcher(a);
            let b = Arc::new(matcher(b));
            let partner = Partner::new(&a, Arc::clone(&b));
            let glued = glued_lines(&[&a, &b], 1000);
            for line in lines.iter().chain(&glued) {
                let (mut ha, mut hb) = (Vec::new(), Vec::new());
                a.for_each_hit2(&partner, line, |h| ha.push(h), |h| hb.push(h));
                let (mut wa, mut wb) = (Vec::new(), Vec::new());
                a.for_each_hit(line, |h| wa.push(h));
                b.for_each_hit(line, |h| wb.push(h));
                assert_eq!((ha, hb), (wa, wb), "{line}");
            }
        }
    }

    /// The longest pattern at every character start (hits or not) of the test lines, looked up
    /// through the slot-merged long buckets, agrees with the definition: the longest of all
    /// patterns that match there (ASCII case-insensitive), the lowest id among equals.
    #[test]
    fn longest_at_agrees_with_all_patterns() {
        let tricky =
            "源ab\n源abc\n源a\n来源\n下一a\n下一\nab\n赌qq\n赌q\nabcde\nabcdef\n来源：本站\n";
        // Six-byte prefixes that share a slot, with longer and five-byte terms on them, so
        // the merged buckets hold patterns of other prefixes.
        let mut by_slot: HashMap<usize, String> = HashMap::new();
        let mut colliding = String::new();
        for n in 0..60_000 {
            if colliding.len() > 1000 {
                break;
            }
            let t = format!("k{n:05}");
            if let Some(u) = by_slot.insert(long_slot(load8(t.as_bytes(), 0)), t.clone()) {
                colliding += &format!("{t}\n{u}\n{t}x\n{u}yz\n{}\n{}\n", &t[..5], &u[..4]);
            }
        }
        assert!(colliding.len() > 100, "{colliding}");
        let dicts = [
            include_str!("../dict/boilerplate.txt"),
            include_str!("../dict/spam.txt"),
            tricky,
            &colliding,
        ];
        for src in dicts {
            let m = matcher(src);
            let mut lines = testdata_lines();
            lines.extend(glued_lines(&[&m], 300));
            for line in &lines {
                let b = line.as_bytes();
                for (i, _) in line.char_indices() {
                    let want = m
                        .patterns
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| {
                            b.get(i..i + p.len()).is_some_and(|t| t.eq_ignore_ascii_case(p))
                        })
                        .max_by_key(|(id, p)| (p.len(), std::cmp::Reverse(*id)))
                        .map(|(id, p)| (id as u32, i + p.len()));
                    let key = lower8(load8(b, i));
                    let got = if m.scan.flags(key) != 0 { m.longest_at(b, i, key) } else { None };
                    assert_eq!(got, want, "{line} @{i}");
                }
            }
        }
    }

    #[test]
    fn upper_case_test_finds_a_letter_at_every_position() {
        for len in 0..70 {
            let mut b = vec![b'a'; len];
            assert!(!has_upper(&b), "{len}");
            for at in 0..len {
                for c in [b'A', b'Z'] {
                    b[at] = c;
                    assert!(has_upper(&b), "{len} {at}");
                }
                b[at] = [b'@', b'[', 0xC3, b'z'][at % 4];
                assert!(!has_upper(&b), "{len} {at}");
            }
        }
    }

    #[test]
    fn matches_traditional_variants_and_ascii_case() {
        let terms = parse("发布日期\n扫一扫\nAPP\n", "t", &CATS, 0).unwrap();
        let m = Matcher::new(terms).unwrap();
        for (line, want) in [
            ("發布日期 : 2021", Some("发布日期")),
            ("發佈日期", Some("发布日期")),
            ("掃一掃", Some("扫一扫")),
            ("下载app", Some("APP")),
            ("正文", None),
        ] {
            let mut got = None;
            m.for_each_hit(line, |h| got = Some(m.term(h.term).to_string()));
            assert_eq!(got.as_deref(), want, "{line}");
        }
    }
}
