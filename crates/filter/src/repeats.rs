//! The `repeats` stage: paragraphs that repeat another paragraph of the same document.
//!
//! Why: scraped pages repeat text — a highlights box restating the body, a summary pasted
//! twice, a duplicated paragraph from a bad join. Keeping both copies overweights them.
//!
//! How: each paragraph is normalized (full-width folded, whitespace, punctuation and markup
//! removed) and cut into overlapping 4-character shingles, of which a consistent quarter
//! (chosen by hash) is kept. Paragraphs are visited longest
//! first (ties in document order); a paragraph is a `repeat` when at least `near-share` of
//! its shingles already belong to paragraphs kept before it, so the first full occurrence
//! stays and a shorter restatement goes, wherever it stands. Paragraphs shorter than
//! `near-min-chars`, and lines without sentence punctuation (headlines, which summarize the
//! body), must repeat exactly (so `计划1` and `计划2` stay); paragraphs shorter than
//! `min-chars` are never judged (list numbers, short headings).
//!
//! Cost: one pass over each paragraph's bytes decodes, normalizes and hashes it (Han
//! characters, most of the text, on a path of their own; punctuation by table), and samples
//! without a branch (which shingles are kept is as good as random, so a branch on it was
//! mispredicted about as often as taken). The sampled shingles go into one table per document
//! that numbers them as they come, so judging reads their owners from a small dense array by
//! number, a paragraph's mostly side by side. Buffers are reused per thread.
//!
//! Before → after:
//! ```text
//! 新建**4个**省级以上胸痛中心……          → removed (repeat.near, line 61)
//! …今年计划新建4个省级以上胸痛中心……（正文） → kept
//! ```

use qingxi_core::{Block, Document, Label, Stage, StageName};
use serde::Deserialize;

use crate::text::{is_terminal, keep_for_key, mix64};
use crate::FilterError;

const SHINGLE: usize = 4;
/// Fewest sampled shingles for a near-repeat decision (about 24 characters of text).
const MIN_SAMPLES: usize = 6;

/// Configuration of the `repeats` stage (`[repeats]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RepeatsConfig {
    /// Paragraphs with fewer normalized characters are never judged.
    pub min_chars: usize,
    /// Paragraphs with fewer normalized characters count only as exact repeats.
    pub near_min_chars: usize,
    /// Share of a paragraph's 4-character shingles found in earlier-kept paragraphs that
    /// makes it a near repeat.
    pub near_share: f32,
}

impl Default for RepeatsConfig {
    fn default() -> Self {
        RepeatsConfig { min_chars: 10, near_min_chars: 30, near_share: 0.7 }
    }
}

impl RepeatsConfig {
    /// Build the runtime stage.
    pub fn build(&self) -> Result<Repeats, FilterError> {
        crate::check_share("repeats.near-share", self.near_share)?;
        if self.near_share == 0.0 {
            return Err(FilterError::Config {
                key: "repeats.near-share",
                message: "must be above 0".into(),
            });
        }
        Ok(Repeats { cfg: self.clone() })
    }
}

/// The runtime `repeats` stage.
#[derive(Debug, Clone)]
pub struct Repeats {
    cfg: RepeatsConfig,
}

struct Para {
    block: usize,
    chars: usize,
    /// Has sentence punctuation: only prose can be a near repeat (a headline summarizing
    /// the body shares most of its words with it, yet is content).
    prose: bool,
    exact: u64,
    /// This paragraph's sampled shingles, distinct, in text order, as local numbers of the
    /// document's [`DocShingles`]: a range of `Scratch::all`. Empty for paragraphs too
    /// short to be near repeats: their shingles are never looked up (see [`scan`]).
    shingles: std::ops::Range<usize>,
}

/// Open-addressing table of 64-bit keys (hashes, so their low bits index it) with a `u32`
/// value each, kept at most half full so a probe always ends. A slot is occupied when its
/// stamp is the current one: emptying the table is one increment, not a pass over it.
#[derive(Default)]
struct KeyTable {
    /// (stamp, value, key).
    slots: Vec<(u32, u32, u64)>,
    stamp: u32,
    mask: usize,
}

/// Grow an open-addressing table's slots (never shrinking: the allocation is reused across
/// documents) to a power of two that keeps `n` entries at most half full; returns the mask
/// of the part in use.
fn size_slots<T: Copy + Default>(slots: &mut Vec<T>, n: usize) -> usize {
    let size = (2 * n + 1).next_power_of_two().max(16);
    if slots.len() < size {
        slots.resize(size, T::default());
    }
    size - 1
}

impl KeyTable {
    /// Empty the table and size it for `n` keys.
    fn reset(&mut self, n: usize) {
        self.mask = size_slots(&mut self.slots, n);
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Stamps wrapped: old slots could look occupied.
            self.slots.fill((0, 0, 0));
            self.stamp = 1;
        }
    }

    /// The table for a run of lookups and inserts: its parameters in locals, which the
    /// compiler keeps in registers (through `&mut self` it reloads them after every store,
    /// as a store to a slot might have changed them for all it knows).
    #[inline(always)]
    fn view(&mut self) -> View<'_> {
        View { slots: &mut self.slots[..], mask: self.mask, stamp: self.stamp }
    }
}

/// A [`KeyTable`] borrowed for a run of operations (see [`KeyTable::view`]).
struct View<'a> {
    slots: &'a mut [(u32, u32, u64)],
    mask: usize,
    stamp: u32,
}

impl View<'_> {
    #[inline(always)]
    fn get(&self, key: u64) -> Option<u32> {
        let mut slot = key as usize & self.mask;
        loop {
            let (s, v, k) = self.slots[slot];
            if s != self.stamp {
                return None;
            }
            if k == key {
                return Some(v);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Insert `key` with `value` unless it is present; whether it was inserted.
    #[inline(always)]
    fn insert(&mut self, key: u64, value: u32) -> bool {
        let mut slot = key as usize & self.mask;
        loop {
            let (s, _, k) = self.slots[slot];
            if s != self.stamp {
                self.slots[slot] = (self.stamp, value, key);
                return true;
            }
            if k == key {
                return false;
            }
            slot = (slot + 1) & self.mask;
        }
    }
}

/// The sampled shingles of one document: an open-addressing table of their hashes that
/// numbers each distinct shingle in the order they come, so a paragraph's shingles are
/// numbers and the judging pass reads and sets their owners in a dense array (its paragraphs'
/// shingles mostly side by side, as they came together) without hashing again. Kept at most
/// half full.
///
/// Numbers go on across documents: a slot is occupied when its number is the current
/// document's (from `base` on), so emptying the table is an assignment, not a pass over it.
/// A shingle's number within its document ("local") is its number less `base`.
#[derive(Default)]
struct DocShingles {
    /// (pre-hash, number, last paragraph that had the shingle). Keyed by the
    /// [`Consts::shingle_pre_hash`], not the hash: the last step of the hash is a bijection,
    /// so the same shingles are told apart, and it need not be taken.
    slots: Vec<(u64, u32, u32)>,
    /// The first number of the document; lower ones are free slots.
    base: u32,
    /// The next number.
    next: u32,
    mask: usize,
    /// Buffer for growing (reused).
    spare: Vec<(u64, u32, u32)>,
    /// [`Self::add`]'s local numbers to append (kept: a fresh array is zeroed at every call).
    new: Batch<u32>,
}

impl DocShingles {
    /// Empty the table for a document, sized for `n` shingles.
    fn reset(&mut self, n: usize) {
        self.mask = size_slots(&mut self.slots, n);
        // Number 0 is never given out, so zeroed slots are free. Past 2^31 numbers (given
        // out over many documents), start over: a document then has 2^31 to give, more
        // than its text could need (four bytes a character, four characters a shingle).
        if self.next == 0 || self.next > 1 << 31 {
            self.slots.fill((0, 0, 0));
            self.next = 1;
        }
        self.base = self.next;
    }

    /// Distinct shingles of the document so far.
    fn len(&self) -> usize {
        (self.next - self.base) as usize
    }

    /// Append to `all` the local numbers of the shingles whose
    /// [`Consts::shingle_pre_hash`]es are `hs` (at most `PENDING`) that paragraph `para`
    /// does not have yet. Batched, out of the scanning loop: the loop only stores the
    /// shingles it samples, and keeps its registers.
    #[inline(never)]
    fn add(&mut self, para: u32, hs: &[u64], all: &mut Vec<u32>) {
        debug_assert!(para < OWNED && hs.len() <= PENDING);
        if self.len() + hs.len() > self.mask / 2 {
            // Nothing bounds how many shingles a text keeps (a quarter on average): grow
            // rather than fill up, so a probe always ends.
            self.grow(self.len() + hs.len());
        }
        // (Cut at `mask`, the slice proves every `& mask` index in bounds: no checks.)
        let (slots, mask, base) = (&mut self.slots[..=self.mask], self.mask, self.base);
        let new = &mut *self.new.0;
        let mut next = self.next;
        let mut n = 0;
        for &h in hs {
            let mut slot = h as usize & mask;
            loop {
                let (k, id, p) = slots[slot];
                if id < base {
                    slots[slot] = (h, next, para);
                    new[n % PENDING] = next - base;
                    next += 1;
                    n += 1;
                    break;
                }
                if k == h {
                    if p != para {
                        slots[slot].2 = para;
                        new[n % PENDING] = id - base;
                        n += 1;
                    }
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        self.next = next;
        all.extend_from_slice(&new[..n]);
    }

    /// Rehash into a table for `n` shingles (numbers stay).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) {
        let size = (2 * n + 1).next_power_of_two();
        let mask = size - 1;
        self.spare.clear();
        self.spare.resize(size, (0, 0, 0));
        for &(h, id, p) in &self.slots[..=self.mask] {
            if id < self.base {
                continue;
            }
            let mut slot = h as usize & mask;
            while self.spare[slot].1 >= self.base {
                slot = (slot + 1) & mask;
            }
            self.spare[slot] = (h, id, p);
        }
        std::mem::swap(&mut self.slots, &mut self.spare);
        self.mask = mask;
    }

    /// The hash of each local number (for tests).
    #[cfg(test)]
    fn hashes(&self) -> std::collections::HashMap<u32, u64> {
        self.slots[..=self.mask]
            .iter()
            .filter(|&&(_, id, _)| id >= self.base)
            .map(|&(pre, id, _)| (id - self.base, finish_hash(pre)))
            .collect()
    }
}

/// A buffer of `PENDING` values, allocated once (arrays this long have no `Default`).
struct Batch<T>(Box<[T; PENDING]>);

impl<T: Copy + Default> Default for Batch<T> {
    fn default() -> Self {
        Batch(Box::new([T::default(); PENDING]))
    }
}

/// The mark of an owned shingle. Paragraph numbers (block indices) stay below it: a
/// document of 2^31 blocks would take hundreds of gigabytes.
const OWNED: u32 = 1 << 31;

/// Buffers reused across the documents a thread cleans (no allocation per document).
#[derive(Default)]
struct Scratch {
    /// [`scan`]'s buffers.
    bufs: ScanBufs,
    /// The document's sampled shingles, and their owners.
    shingles: DocShingles,
    /// Local numbers of the sampled shingles of all the document's paragraphs
    /// (`Para::shingles` ranges).
    all: Vec<u32>,
    /// Owner of each shingle by local number, while paragraphs are judged: `OWNED | block`
    /// once a kept block owns it, 0 before.
    marks: Vec<u32>,
    paras: Vec<Para>,
    /// Exact key → block.
    exact: KeyTable,
    /// Votes per source block for the paragraph at hand (few sources: a short list).
    votes: Vec<(usize, usize)>,
    line: String,
}

impl Scratch {
    /// Drop the buffers after a very large document, so a thread does not keep them (tens
    /// of megabytes) for the small documents that follow.
    fn trim(&mut self) {
        const KEEP: usize = 1 << 20;
        let most = [
            self.shingles.slots.len(),
            self.all.capacity(),
            self.bufs.head.capacity(),
            self.marks.capacity(),
        ];
        if most.into_iter().max().unwrap_or(0) > KEEP {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// `ASCII_KEY` entry of a character that keys leave out.
const DROP: u32 = u32::MAX;

/// `keep_for_key` of each ASCII character, `DROP` for `None` (a test checks the table).
const ASCII_KEY: [u32; 128] = {
    let mut t = [DROP; 128];
    let mut b = 0u8;
    while b < 128 {
        if !(matches!(b, 9..=13 | b' ') || b.is_ascii_punctuation()) {
            t[b as usize] = b.to_ascii_lowercase() as u32;
        }
        b += 1;
    }
    t
};

/// Table entry of a character keys leave out that ends a sentence.
const TERMINAL: u32 = u32::MAX - 1;
/// Table entry of a character the tables do not decide (the general path does).
const OTHER: u32 = u32::MAX - 2;

/// The page (of `PAGE_KEY`) of each three-byte character by its first two bytes (the low
/// bits of each), 0 for none: U+2000–U+207F, U+3000–U+303F, U+FF00–U+FF7F.
const PAGE: [u8; 1024] = {
    let mut t = [0u8; 1024];
    t[page_index(0xE2, 0x80)] = 1; // U+2000–U+203F
    t[page_index(0xE2, 0x81)] = 2; // U+2040–U+207F
    t[page_index(0xE3, 0x80)] = 3; // U+3000–U+303F
    t[page_index(0xEF, 0xBC)] = 4; // U+FF00–U+FF3F
    t[page_index(0xEF, 0xBD)] = 5; // U+FF40–U+FF7F
    t
};

/// The `PAGE` entry of the three-byte characters led by `lead b1`.
#[inline(always)]
const fn page_index(lead: u8, b1: u8) -> usize {
    (((lead & 0x0F) as usize) << 6) | (b1 & 0x3F) as usize
}

/// The key of each character of the pages of `PAGE`, 64 a page (page 0 all `OTHER`), or
/// `DROP` / `TERMINAL` when keys leave it out: the punctuation of Chinese text, U+2000–
/// U+206F (quotes, dashes, ellipsis) and U+3000–U+303F (`、。「」`), is all left out and only
/// `。` ends a sentence; full-width ASCII, U+FF01–U+FF5E (`，：（）`), is keyed as the ASCII
/// character, and `！？；` end a sentence. Eight pages, so a masked index needs no check.
/// (A test checks every character.)
const PAGE_KEY: [u32; 512] = {
    let mut t = [OTHER; 512];
    let mut i = 0;
    while i < 64 {
        t[64 + i] = DROP; // U+2000–U+203F
        if i < 0x30 {
            t[128 + i] = DROP; // U+2040–U+206F
        }
        t[192 + i] = if i == 0x02 { TERMINAL } else { DROP }; // U+3000–U+303F
        i += 1;
    }
    // U+FF01–U+FF5E, at U+FF00 + i.
    let mut i = 0x01;
    while i <= 0x5E {
        let v = ASCII_KEY[i + 0x20];
        t[256 + i] = if v != DROP {
            v
        } else if matches!(i, 0x01 | 0x1F | 0x1B) {
            TERMINAL
        } else {
            DROP
        };
        i += 1;
    }
    t
};

/// The `PAGE_KEY` entry of the three-byte character `lead b1 b2`.
#[inline(always)]
fn page_key(lead: u8, b1: u8, b2: u8) -> u32 {
    let page = usize::from(PAGE[page_index(lead, b1)]);
    PAGE_KEY[((page << 6) | usize::from(b2 & 0x3F)) & 511]
}

/// `(keep_for_key(c), is_terminal(c))` for a non-ASCII character, with the frequent CJK
/// punctuation and full-width forms decided by range (a test checks every character).
#[inline]
fn classify(c: char) -> (Option<u32>, bool) {
    let u = c as u32;
    match u {
        // CJK symbols and punctuation: all left out; `。` ends a sentence.
        0x3000..=0x303F => (None, u == 0x3002),
        // Full-width ASCII: keyed as the ASCII character.
        0xFF01..=0xFF5E => {
            let v = ASCII_KEY[(u - 0xFEE0) as usize];
            ((v != DROP).then_some(v), matches!(u, 0xFF01 | 0xFF1F | 0xFF1B))
        }
        _ => (keep_for_key(c).map(|c| c as u32), is_terminal(c)),
    }
}

/// The key of the first character of `*s` (advanced past it), `None` when keys leave it
/// out: `keep_for_key` of each character, decoded from the bytes directly. Sets `prose` on
/// sentence punctuation. `s` is not empty.
#[inline(always)]
fn key_at(s: &mut &[u8], prose: &mut bool) -> Option<u32> {
    let cur: &[u8] = s;
    if let &[lead @ 0xE4..=0xE9, b1, b2, ref rest @ ..] = cur {
        // U+4000–U+9FFF, Han characters (most of the text): always kept, never terminal
        // (a test checks this), so no class tests.
        *s = rest;
        return Some(han(lead, b1, b2));
    }
    key_at_not_han(s, prose)
}

/// [`key_at`] for a first character of `*s` that is not led by bytes E4–E9.
#[inline(always)]
fn key_at_not_han(s: &mut &[u8], prose: &mut bool) -> Option<u32> {
    let cur: &[u8] = s;
    match *cur {
        [lead @ 0..=0x7F, ref rest @ ..] => {
            *s = rest;
            match ASCII_KEY[usize::from(lead)] {
                // `!` and `?` are punctuation: only dropped bytes can end a sentence.
                DROP => {
                    *prose |= lead == b'!' || lead == b'?';
                    None
                }
                v => Some(v),
            }
        }
        // The punctuation of Chinese text and full-width ASCII, from tables (see
        // `PAGE_KEY`): one lookup, not a chain of tests.
        [lead @ 0xE0..=0xEF, b1, b2, ref rest @ ..] if page_key(lead, b1, b2) != OTHER => {
            *s = rest;
            match page_key(lead, b1, b2) {
                DROP => None,
                TERMINAL => {
                    *prose = true;
                    None
                }
                v => Some(v),
            }
        }
        _ => {
            let (len, v) = other_key(cur, prose);
            *s = cur.get(len..).unwrap_or_default();
            v
        }
    }
}

/// The code point of the three-byte UTF-8 sequence `lead b1 b2`: with the fixed bits of
/// the sequence subtracted at once, the sum is the code point.
#[inline(always)]
fn han(lead: u8, b1: u8, b2: u8) -> u32 {
    (u32::from(lead) << 12) + (u32::from(b1) << 6) + u32::from(b2) - 0xE2080
}

/// The next key of `*s` (advanced past it), skipping characters keys leave out; `None`
/// at the end.
#[inline(always)]
fn next_key(s: &mut &[u8], prose: &mut bool) -> Option<u32> {
    while !s.is_empty() {
        if let Some(v) = key_at(s, prose) {
            return Some(v);
        }
    }
    None
}

/// [`key_at`] for any first character of `s` (not empty): its length in bytes and its
/// key. Not inlined: the other characters are rare, and the hot loops keep their
/// registers.
#[inline(never)]
fn other_key(s: &[u8], prose: &mut bool) -> (usize, Option<u32>) {
    // The bytes come from a `str`, so they are UTF-8.
    let (u, len) = match *s {
        [lead @ 0..=0x7F, ..] => (u32::from(lead), 1),
        [lead @ 0xC0..=0xDF, b1, ..] => ((u32::from(lead & 0x1F) << 6) | u32::from(b1 & 0x3F), 2),
        [lead @ 0xE0..=0xEF, b1, b2, ..] => {
            ((u32::from(lead & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F), 3)
        }
        [lead, b1, b2, b3, ..] => (
            (u32::from(lead & 0x07) << 18)
                | (u32::from(b1 & 0x3F) << 12)
                | (u32::from(b2 & 0x3F) << 6)
                | u32::from(b3 & 0x3F),
            4,
        ),
        // Not reached for UTF-8 input.
        _ => (0xFFFD, 1),
    };
    let c = char::from_u32(u).unwrap_or('\u{FFFD}');
    let (v, terminal) = if u < 0x80 {
        let v = ASCII_KEY[u as usize];
        ((v != DROP).then_some(v), c == '!' || c == '?')
    } else {
        classify(c)
    };
    *prose |= terminal;
    (len, v)
}

/// The constants of the per-character hashing. The hot loop gets them through
/// [`std::hint::black_box`], so the compiler holds them in registers: as literals it
/// re-materialized each one at every use (an instruction per constant per character).
#[derive(Clone, Copy)]
struct Consts {
    exact_mul: u64,
    shingle_mul: u64,
    mix_a: u64,
    mix_b: u64,
    window_mask: u64,
    sample_below: u64,
}

impl Consts {
    const VALUE: Consts = Consts {
        exact_mul: 0x9E37_79B9_7F4A_7C15,
        shingle_mul: 0xD6E8_FEB8_6659_FD93,
        // Those of `mix64`.
        mix_a: 0xbf58_476d_1ce4_e5b9,
        mix_b: 0x94d0_49bb_1331_11eb,
        window_mask: (1 << 63) - 1,
        sample_below: 1 << 62,
    };

    #[inline(always)]
    fn opaque() -> Consts {
        std::hint::black_box(Consts::VALUE)
    }

    /// One character of the exact key.
    #[inline(always)]
    fn exact_step(&self, exact: u64, v: u32) -> u64 {
        (exact.rotate_left(7) ^ u64::from(v)).wrapping_mul(self.exact_mul)
    }

    /// The last three characters, packed 21 bits each, after `v`.
    #[inline(always)]
    fn push_window(&self, window: u64, v: u32) -> u64 {
        ((window << 21) | u64::from(v)) & self.window_mask
    }

    /// `mix64` of the shingle made of the three characters in `window` and `v`, without
    /// its last step, which leaves the top bits as they are: enough for [`Self::sampled`].
    #[inline(always)]
    fn shingle_pre_hash(&self, window: u64, v: u32) -> u64 {
        let z = window ^ u64::from(v).wrapping_mul(self.shingle_mul);
        let z = (z ^ (z >> 30)).wrapping_mul(self.mix_a);
        (z ^ (z >> 27)).wrapping_mul(self.mix_b)
    }

    /// Whether a shingle is in the consistent quarter that is kept (the same shingles in
    /// every copy, so containment is estimated with a quarter of the hashing and table
    /// work), from its [`Self::shingle_pre_hash`].
    #[inline(always)]
    fn sampled(&self, pre: u64) -> bool {
        pre < self.sample_below
    }
}

/// The shingle hash from [`Consts::shingle_pre_hash`]: the last step of `mix64` (a
/// bijection). Tests compare hashes with `mix64`; the table needs only pre-hashes.
#[cfg(test)]
fn finish_hash(pre: u64) -> u64 {
    pre ^ (pre >> 31)
}

/// Sampled shingles the scanning loop collects before handing them to [`DocShingles::add`].
const PENDING: usize = 256;

/// Buffers of [`scan`], reused across paragraphs.
#[derive(Default)]
struct ScanBufs {
    /// The first `near-min-chars` normalized characters of the paragraph at hand: its
    /// shingles are sampled only once it proves long enough.
    head: Vec<u32>,
    /// The batch of sampled shingles (pre-hashes) on its way to the table.
    pending: Batch<u64>,
}

/// Normalize `text` (`keep_for_key` of every character) in one pass over its bytes:
/// (exact key, character count, has sentence punctuation). When it has `near_min` or more
/// characters, its distinct sampled 4-character shingles go into `table` as paragraph
/// `para`'s, their slots appended to `out` in text order; shorter paragraphs are never
/// judged by shingles, so theirs are not kept. (Not inlined: the hot loop gets the
/// registers to itself.)
#[inline(never)]
fn scan(
    text: &str,
    near_min: usize,
    bufs: &mut ScanBufs,
    table: &mut DocShingles,
    para: u32,
    out: &mut Vec<u32>,
) -> (u64, usize, bool) {
    let k = Consts::opaque();
    let mut s = text.as_bytes();
    let mut exact: u64 = 0;
    let mut prose = false;
    let ScanBufs { head, pending } = bufs;
    let pending = &mut *pending.0;
    // A text of few bytes may prove too short: keep its characters aside until it has
    // `near_min` of them, rather than hash shingles in vain. Longer texts (four bytes per
    // character is the most UTF-8 takes) are shingled from the start; the rare one that
    // turns out short (mostly punctuation, say) drops its shingles at the end.
    let mut held = 0;
    if text.len() < near_min.saturating_mul(4) {
        // Room for as many characters as can count (a text has no more than bytes), set
        // by index rather than pushed.
        let room = near_min.min(text.len());
        if head.len() < room {
            head.resize(room, 0);
        }
        while held < room {
            match next_key(&mut s, &mut prose) {
                Some(v) => {
                    exact = k.exact_step(exact, v);
                    head[held] = v;
                    held += 1;
                }
                None => break,
            }
        }
        if held < near_min {
            // The whole text (`room` characters take all of its bytes when fewer than
            // `near_min`), and too short for shingles.
            return (mix64(exact ^ held as u64), held, prose);
        }
    }
    let first = out.len();
    let mut len = 0;
    let mut window: u64 = 0;
    let mut n = 0;
    // One character of the shingle loops below (a macro: a closure was not inlined).
    // Branchless: every shingle's pre-hash is stored, and the batch grows only by the sampled
    // ones. (A branch on sampling, taken at random a quarter of the time, was mispredicted
    // about as often, at a cost of a dozen cycles or more each time.) The caller sees to it
    // that the batch has room: `len` is below `PENDING` here.
    macro_rules! shingle {
        ($v:expr) => {{
            let v = $v;
            let h = k.shingle_pre_hash(window, v);
            window = k.push_window(window, v);
            n += 1;
            // (`% PENDING` for the compiler: `len` is below it.)
            pending[len % PENDING] = h;
            len += usize::from(k.sampled(h));
        }};
    }
    // The batch to the table once full (for the loops that take a check per character).
    macro_rules! flush_if_full {
        () => {
            if len == PENDING {
                table.add(para, pending, out);
                len = 0;
            }
        };
    }
    for &v in &head[..held] {
        if n + 1 >= SHINGLE {
            shingle!(v);
            flush_if_full!();
        } else {
            window = k.push_window(window, v);
            n += 1;
        }
    }
    // The first characters of a text shingled from the start end no shingle.
    while n + 1 < SHINGLE {
        let Some(v) = next_key(&mut s, &mut prose) else { break };
        exact = k.exact_step(exact, v);
        window = k.push_window(window, v);
        n += 1;
    }
    if n + 1 >= SHINGLE {
        // The hot loop, in stretches the batch has room for without a check per character:
        // each character takes at least a byte and adds at most one shingle, so a stretch
        // of at most `PENDING - len` bytes adds at most that many. (A character that starts
        // in the stretch may end past it; the fast paths of `key_at` find the three bytes
        // they read while at least three are left.)
        while s.len() >= 3 {
            let floor = s.len().saturating_sub(PENDING - len).max(2);
            'stretch: while s.len() > floor {
                // Runs of Han characters, on a loop of their own (see `key_at`).
                while let [lead @ 0xE4..=0xE9, b1, b2, ref rest @ ..] = *s {
                    s = rest;
                    let v = han(lead, b1, b2);
                    exact = k.exact_step(exact, v);
                    shingle!(v);
                    if s.len() <= floor {
                        break 'stretch;
                    }
                }
                if let Some(v) = key_at_not_han(&mut s, &mut prose) {
                    exact = k.exact_step(exact, v);
                    shingle!(v);
                }
            }
            // Half full or more: to the table, so the next stretch is long.
            if len >= PENDING / 2 {
                table.add(para, &pending[..len], out);
                len = 0;
            }
        }
        while !s.is_empty() {
            if let Some(v) = key_at(&mut s, &mut prose) {
                exact = k.exact_step(exact, v);
                shingle!(v);
                flush_if_full!();
            }
        }
    }
    table.add(para, &pending[..len], out);
    if n < near_min {
        out.truncate(first);
    }
    (mix64(exact ^ n as u64), n, prose)
}

impl Stage for Repeats {
    fn name(&self) -> StageName {
        StageName::Repeats
    }

    fn run(&self, doc: &mut Document) {
        let (mut blocks, mut bytes) = (0, 0);
        for b in doc.blocks.iter().filter(|b| self.may_judge(b)) {
            blocks += 1;
            bytes += b.text.len();
        }
        // A repeat needs two judged paragraphs: documents with fewer need no decoding.
        if blocks < 2 {
            return;
        }
        SCRATCH.with_borrow_mut(|scratch| {
            self.run_with(doc, scratch, bytes);
            scratch.trim();
        });
    }
}

impl Repeats {
    /// Whether `p` is judged by its shingles when it is not an exact repeat.
    fn near_candidate(&self, p: &Para) -> bool {
        p.prose && p.chars >= self.cfg.near_min_chars && p.shingles.len() >= MIN_SAMPLES
    }

    /// Whether `b` may be judged: a content block of at least `min-chars` bytes (fewer bytes
    /// means fewer characters, so shorter blocks are skipped without decoding).
    fn may_judge(&self, b: &Block) -> bool {
        b.is_content() && b.text.len() >= self.cfg.min_chars
    }

    /// [`Stage::run`] on a document whose judged blocks hold `bytes` bytes. (Not inlined:
    /// inlined into `run`, it took more instructions.)
    #[inline(never)]
    fn run_with(&self, doc: &mut Document, scratch: &mut Scratch, bytes: usize) {
        let Scratch { bufs, shingles, all, marks, paras, exact, votes, line } = scratch;
        all.clear();
        paras.clear();
        // A quarter of the shingles of Chinese text, three bytes a character; other text
        // grows the table.
        shingles.reset(bytes / 12);
        for (i, b) in doc.blocks.iter().enumerate() {
            if !self.may_judge(b) {
                continue;
            }
            let first = all.len();
            // (Paragraph numbers only tell paragraphs apart: `i` is unique, and fits in 32
            // bits as block indices do.)
            let para = i as u32;
            let (exact, chars, prose) =
                scan(&b.text, self.cfg.near_min_chars, bufs, shingles, para, all);
            if chars < self.cfg.min_chars {
                all.truncate(first);
                continue;
            }
            paras.push(Para { block: i, chars, prose, exact, shingles: first..all.len() });
        }
        if paras.len() < 2 {
            return;
        }
        // (chars, block) pairs are distinct: an unstable sort gives the same order.
        paras.sort_unstable_by_key(|p| (std::cmp::Reverse(p.chars), p.block));
        // Shingles of a kept paragraph are needed only while a later paragraph can still be
        // judged a near repeat.
        let last_near = paras.iter().rposition(|p| self.near_candidate(p)).unwrap_or(0);
        exact.reset(paras.len());
        let mut exact = exact.view();
        // No shingle is owned yet. (Local numbers are below `len`, so at most `mask`: with
        // the array a power of two, `& mask` is the identity and proves every index in
        // bounds, so the loops below check none.)
        let size = shingles.len().next_power_of_two();
        let mask = size - 1;
        debug_assert!(all.iter().all(|&s| (s as usize) < shingles.len()));
        marks.clear();
        marks.resize(size, 0);
        let marks = &mut marks[..=mask];
        let mut changed = 0;
        for (k, p) in paras.iter().enumerate() {
            let shingles = &all[p.shingles.clone()];
            let source = if let Some(src) = exact.get(p.exact) {
                Some((src as usize, "repeat.exact"))
            } else if self.near_candidate(p) {
                // The owned share first, without branches (whether a shingle is owned is
                // as good as random); the owners only for the few paragraphs that pass.
                let found: usize = shingles
                    .iter()
                    .map(|&s| usize::from(marks[s as usize & mask] & OWNED != 0))
                    .sum();
                let share = found as f32 / shingles.len() as f32;
                (share >= self.cfg.near_share)
                    .then(|| {
                        votes.clear();
                        for &s in shingles {
                            let mark = marks[s as usize & mask];
                            if mark & OWNED != 0 {
                                let b = (mark & !OWNED) as usize;
                                match votes.iter_mut().find(|(v, _)| *v == b) {
                                    Some((_, n)) => *n += 1,
                                    None => votes.push((b, 1)),
                                }
                            }
                        }
                        votes.iter().copied().max_by_key(|&(b, n)| (n, std::cmp::Reverse(b)))
                    })
                    .flatten()
                    .map(|(b, _)| (b, "repeat.near"))
            } else {
                None
            };
            match source {
                Some((src, rule)) => {
                    use std::fmt::Write;
                    line.clear();
                    let _ = write!(line, "line {}", doc.blocks[src].line);
                    doc.blocks[p.block].set_label(Label::Repeat, rule, Some(line));
                    changed += 1;
                }
                None => {
                    // Block indices fit in 32 bits: a block takes far more than 16 bytes.
                    let block = p.block as u32;
                    exact.insert(p.exact, block);
                    if k < last_near {
                        for &s in shingles {
                            // (A select, not a branch: as good as random too.)
                            let mark = &mut marks[s as usize & mask];
                            *mark = if *mark & OWNED == 0 { OWNED | block } else { *mark };
                        }
                    }
                }
            }
        }
        doc.count(StageName::Repeats, changed);
    }
}

#[cfg(test)]
mod tests {

    /// A text whose every shingle is sampled (found by search) fills any table sized for a
    /// quarter of them; collecting its shingles must still end.
    #[test]
    fn shingles_end_when_every_shingle_is_sampled() {
        let mut chars: Vec<u32> = vec![0x4E00, 0x4E01, 0x4E02];
        let mut window: u64 = 0;
        for &v in &chars {
            window = ((window << 21) | u64::from(v)) & ((1 << 63) - 1);
        }
        let mut hashes = std::collections::HashSet::new();
        while chars.len() < 100 {
            let v = (0x4E00u32..0x9FFF)
                .find(|&v| {
                    let h = mix64(window ^ u64::from(v).wrapping_mul(0xD6E8_FEB8_6659_FD93));
                    h >> 62 == 0 && !hashes.contains(&h)
                })
                .expect("some character continues the text");
            hashes.insert(mix64(window ^ u64::from(v).wrapping_mul(0xD6E8_FEB8_6659_FD93)));
            chars.push(v);
            window = ((window << 21) | u64::from(v)) & ((1 << 63) - 1);
        }
        // Every character is a Han character: the text is made of them alone.
        let text: String = chars.iter().map(|&v| char::from_u32(v).unwrap()).collect();
        let mut table = DocShingles::default();
        // A table far too small: it must grow.
        table.reset(0);
        let mut out = Vec::new();
        scan(&text, 0, &mut ScanBufs::default(), &mut table, 0, &mut out);
        let hashes = table.hashes();
        let out: Vec<u64> = out.iter().map(|s| hashes[s]).collect();
        let mut distinct = out.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(out.len(), distinct.len());
        assert_eq!(out.len(), 97, "every shingle was sampled, each once");
    }

    use super::*;

    const BODY_A: &str = "今年计划启动包括市中心医院、市妇幼保健院、市传染病医院和市精神卫生中心项目在内的5个市级医院提升工程，建成投用市中医医院东院区。新建4个省级以上胸痛、卒中等重大疾病综合防治中心。";
    const BODY_B: &str = "为补齐短板，增强基层就医的吸引力，将开展基层医疗卫生服务能力三年提升行动，2021年80%以上区县综合医院达到国家医疗服务能力推荐标准。";

    fn run(paras: &[&str]) -> Vec<(&'static str, Option<String>)> {
        let mut doc = Document::new("t", paras.join("\n\n"));
        doc.split_blocks();
        RepeatsConfig::default().build().unwrap().run(&mut doc);
        doc.blocks.iter().map(|b| (b.label.as_str(), b.matched.clone())).collect()
    }

    fn labels(paras: &[&str]) -> Vec<&'static str> {
        run(paras).into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn repeats_table() {
        let highlight =
            "新建**4个**省级以上胸痛、卒中等重大疾病综合防治中心，建成投用**市中医医院东院区**。";
        let cases: [(&str, Vec<&str>, Vec<&str>); 11] = [
            ("exact repeat later goes", vec![BODY_A, BODY_B, BODY_A], vec!["content", "content", "repeat"]),
            ("repeat with other punctuation and width", vec![BODY_B, "为补齐短板 增强基层就医的吸引力 将开展基层医疗卫生服务能力三年提升行动 2021年80％以上区县综合医院达到国家医疗服务能力推荐标准"], vec!["content", "repeat"]),
            ("highlight before body goes", vec![highlight, BODY_B, BODY_A], vec!["repeat", "content", "content"]),
            ("highlight after body goes", vec![BODY_A, highlight], vec!["content", "repeat"]),
            ("different paragraphs stay", vec![BODY_A, BODY_B], vec!["content", "content"]),
            ("short numbered titles stay", vec!["卫生健康局2023年下半年工作计划1", "卫生健康局2023年下半年工作计划2"], vec!["content", "content"]),
            ("very short lines are never judged", vec!["1", "重点目标", "1", "重点目标"], vec!["content"; 4]),
            ("headline summarizing the body stays", vec!["启动5个市级医院提升工程 建成投用市中医医院东院区…… 今年卫生健康工作这么干", BODY_A], vec!["content", "content"]),
            ("same-pattern statistics stay", vec!["全区报告法定传染病40650例，同比下降30.0%，占全市21.8%，其中乙类传染病占九成以上。", "全区分娩量为45162人，同比下降9.7%，占全市分娩量的24.3%，其中剖宫产率进一步下降。"], vec!["content", "content"]),
            ("paraphrased highlight goes", vec!["近一个月来，国内多家科技企业和科研机构密集发布了新一代大模型，参数规模普遍超过千亿，并开始在金融、医疗和教育领域开展试点应用。", "多家企业在一个月内发布了新一代大模型，参数规模普遍超过千亿，并开始在金融、医疗和教育领域开展试点应用。"], vec!["content", "repeat"]),
            ("short exact repeat goes", vec!["关于开展安全检查的通知", BODY_B, "关于开展安全检查的通知"], vec!["content", "content", "repeat"]),
        ];
        for (name, paras, want) in cases {
            assert_eq!(labels(&paras), want, "{name}");
        }
    }

    #[test]
    fn long_paragraphs_are_compared_whole() {
        // Many times the local shingle buffer: it is flushed several times per paragraph.
        let long_a = BODY_A.repeat(40);
        let long_b = format!("{}{}", BODY_B.repeat(39), BODY_A);
        let near = format!("{}补充一句。", &long_a[..long_a.len() - BODY_A.len()]);
        assert_eq!(labels(&[&long_a, &long_b, &long_a]), ["content", "content", "repeat"]);
        assert_eq!(labels(&[&long_a, &near]), ["content", "repeat"]);
        assert_eq!(labels(&[&long_a, &long_b]), ["content", "content"]);
    }

    #[test]
    fn character_tables_agree_with_the_class_tests() {
        for u in 0..=0x10FFFF {
            let Some(c) = char::from_u32(u) else { continue };
            let want = (keep_for_key(c).map(|c| c as u32), is_terminal(c));
            if u < 0x80 {
                let v = ASCII_KEY[u as usize];
                assert_eq!(((v != DROP).then_some(v), c == '!' || c == '?'), want, "U+{u:04X}");
            } else {
                assert_eq!(classify(c), want, "U+{u:04X}");
            }
        }
    }

    #[test]
    fn key_at_agrees_with_the_class_tests_for_every_character() {
        for u in 0..=0x10FFFF {
            let Some(c) = char::from_u32(u) else { continue };
            let want = (keep_for_key(c).map(|c| c as u32), is_terminal(c));
            // Last in the text, and followed by more (where the fast paths apply).
            for tail in ["", "ab"] {
                let mut buf = [0u8; 6];
                let len = c.encode_utf8(&mut buf).len();
                buf[len..len + tail.len()].copy_from_slice(tail.as_bytes());
                let mut s = &buf[..len + tail.len()];
                let mut prose = false;
                assert_eq!((key_at(&mut s, &mut prose), prose), want, "U+{u:04X}");
                assert_eq!(s, tail.as_bytes(), "U+{u:04X} read whole");
            }
        }
    }

    #[test]
    fn han_fast_path_agrees_with_the_class_tests() {
        // `normalize` keeps every character led by bytes E4–E9 without class tests.
        for u in 0x4000..=0x9FFF {
            let c = char::from_u32(u).unwrap();
            assert_eq!(keep_for_key(c), Some(c), "U+{u:04X}");
            assert!(!is_terminal(c), "U+{u:04X}");
        }
    }

    /// The per-character definition: `keep_for_key` over `chars()`, then every sampled
    /// shingle, sorted and deduplicated.
    fn reference(text: &str) -> (u64, usize, bool, Vec<u64>) {
        let kept: Vec<u64> = text.chars().filter_map(keep_for_key).map(|c| c as u64).collect();
        let prose = text.chars().any(is_terminal);
        let mut exact: u64 = 0;
        for &v in &kept {
            exact = (exact.rotate_left(7) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        let mut sh: Vec<u64> = kept
            .windows(SHINGLE)
            .map(|w| {
                let window = ((w[0] << 42) | (w[1] << 21) | w[2]) & ((1 << 63) - 1);
                mix64(window ^ w[3].wrapping_mul(0xD6E8_FEB8_6659_FD93))
            })
            .filter(|h| h >> 62 == 0)
            .collect();
        sh.sort_unstable();
        sh.dedup();
        (mix64(exact ^ kept.len() as u64), kept.len(), prose, sh)
    }

    #[test]
    fn byte_level_normalization_and_shingles_match_the_reference() {
        let texts = [
            BODY_A.to_string(),
            BODY_A.repeat(30),
            format!("{BODY_B} ＡＢＣ abc Déjà vu — 𠀀𠀁😀 㐀䶵 「引号」！"),
            "Mixed ASCII text, with Punctuation! And digits 12345?".repeat(5),
            "\u{3000}全角　空格；ｆｕｌｌ－ｗｉｄｔｈ１２３。".repeat(7),
            String::new(),
            "短".into(),
        ];
        for t in &texts {
            check_scan(t);
        }
    }

    /// `scan` of `t` agrees with [`reference`], with and without a length for shingles, on
    /// a table reused from earlier texts, after another paragraph whose shingles must stay
    /// right when the table grows.
    fn check_scan(t: &str) {
        thread_local! {
            static BUFFERS: std::cell::RefCell<(ScanBufs, DocShingles)> = Default::default();
        }
        let (want_exact, want_chars, want_prose, want) = reference(t);
        let want_before = reference(BODY_B).3;
        BUFFERS.with_borrow_mut(|(head, table)| {
            for near_min in [0, 1, 3, 4, 5, 10, 30, 1000] {
                table.reset(0);
                let mut got = Vec::new();
                scan(BODY_B, 0, head, table, 0, &mut got);
                let before = got.len();
                let (exact, n, prose) = scan(t, near_min, head, table, 1, &mut got);
                assert_eq!((exact, n, prose), (want_exact, want_chars, want_prose), "{t}");
                let hashes = table.hashes();
                let keys: Vec<u64> = got.iter().map(|s| hashes[s]).collect();
                let mut first = keys[..before].to_vec();
                first.sort_unstable();
                assert_eq!(first, want_before, "the paragraph before: {t}");
                let mut got = keys[before..].to_vec();
                if n < near_min {
                    assert!(got.is_empty(), "no shingles below {near_min} characters: {t}");
                    continue;
                }
                let distinct = got.len();
                got.sort_unstable();
                got.dedup();
                assert_eq!(got.len(), distinct, "no duplicates: {t}");
                assert_eq!(got, want, "{t}");
            }
        });
    }

    /// Texts whose shingles are nearly all sampled, of one-byte characters (the most
    /// shingles a stretch of bytes can add to the batch) and mixed with Han characters, long
    /// enough to fill the batch many times: the batch must never overflow.
    #[test]
    fn densest_batches_match_the_reference() {
        for alphabet in ["abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghij一二三四五六七八九十"]
        {
            let alphabet: Vec<u32> = alphabet.chars().map(|c| c as u32).collect();
            let mut chars = alphabet[..3].to_vec();
            let mut window: u64 = 0;
            for &v in &chars {
                window = ((window << 21) | u64::from(v)) & ((1 << 63) - 1);
            }
            let mut hashes = std::collections::HashSet::new();
            let mut dense = 0;
            while chars.len() < 3000 {
                // A character that makes a new sampled shingle, else a sampled one, else any.
                let hash =
                    |v: u32| mix64(window ^ u64::from(v).wrapping_mul(0xD6E8_FEB8_6659_FD93));
                let sampled = |v: &u32| hash(*v) >> 62 == 0;
                let v = alphabet
                    .iter()
                    .copied()
                    .find(|v| sampled(v) && !hashes.contains(&hash(*v)))
                    .or_else(|| alphabet.iter().copied().find(sampled))
                    .unwrap_or(alphabet[chars.len() % alphabet.len()]);
                if sampled(&v) {
                    hashes.insert(hash(v));
                    dense += 1;
                }
                chars.push(v);
                window = ((window << 21) | u64::from(v)) & ((1 << 63) - 1);
            }
            let text: String = chars.iter().map(|&v| char::from_u32(v).unwrap()).collect();
            assert!(dense > 2900, "nearly every shingle is sampled: {dense}");
            check_scan(&text);
            let cut = (1000..).find(|&i| text.is_char_boundary(i)).unwrap();
            check_scan(&text[..cut]);
        }
    }

    /// Shingle numbers run on across documents; when they start over, slots of earlier
    /// documents must not look occupied.
    #[test]
    fn shingle_numbers_start_over() {
        let mut table = DocShingles::default();
        let mut bufs = ScanBufs::default();
        let want = reference(BODY_A).3;
        for next in [0, 1, 1 << 31, (1 << 31) + 1, u32::MAX - 10_000] {
            table.reset(0);
            let mut out = Vec::new();
            scan(BODY_B, 0, &mut bufs, &mut table, 0, &mut out);
            // The next document.
            table.next = table.next.max(next);
            table.reset(0);
            let mut out = Vec::new();
            scan(BODY_A, 0, &mut bufs, &mut table, 0, &mut out);
            let hashes = table.hashes();
            let mut got: Vec<u64> = out.iter().map(|s| hashes[s]).collect();
            got.sort_unstable();
            assert_eq!(got, want, "numbers from {next}");
            assert_eq!(table.len(), want.len());
        }
    }

    #[test]
    fn scan_matches_the_reference_on_random_texts() {
        // Han (fast path and not), ASCII kept and dropped, `!?`, full-width forms, CJK
        // punctuation, Latin, 4-byte characters, spaces.
        let pool: Vec<char> = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由从已经它们们㐀䶵𠀀abcXYZ019 \t!?.,;:'\"()-—…。，、；！？「」『』（）ＡＢＣａｂｃ０１２！？；．　éàüñ😀€©®™αβγЖщ"
            .chars()
            .collect();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        for _ in 0..2000 {
            let len = (next() % 300) as usize;
            // A small alphabet now and then, so shingles repeat within a text.
            let alphabet = if next() % 3 == 0 { 1 + (next() % 6) as usize } else { pool.len() };
            let offset = (next() as usize) % (pool.len() - alphabet + 1);
            let t: String = (0..len).map(|_| pool[offset + (next() as usize) % alphabet]).collect();
            check_scan(&t);
        }
    }

    #[test]
    fn key_table_agrees_with_a_hash_map() {
        let mut table = KeyTable::default();
        let mut state: u64 = 1;
        for round in 0..50u32 {
            let n = (round as usize * 37) % 700;
            table.reset(n);
            let mut want = std::collections::HashMap::new();
            for i in 0..n as u32 {
                state = mix64(state);
                // Few distinct low bits, so keys collide on slots and probes run on.
                let key = (state % 64) << (round % 8 * 7);
                assert_eq!(table.view().insert(key, i), !want.contains_key(&key));
                want.entry(key).or_insert(i);
            }
            for key in (0..64u64).map(|k| k << (round % 8 * 7)) {
                assert_eq!(table.view().get(key), want.get(&key).copied(), "round {round}");
            }
        }
    }

    #[test]
    fn repeat_names_the_line_it_repeats() {
        let got = run(&[BODY_A, BODY_B, BODY_A]);
        assert_eq!(got[2], ("repeat", Some("line 1".to_string())));
    }

    #[test]
    fn blocks_labelled_by_earlier_stages_are_left_alone() {
        let mut doc = Document::new("t", format!("{BODY_A}\n{BODY_A}\n"));
        doc.split_blocks();
        doc.blocks[0].set_label(Label::Spam, "spam.test", None);
        RepeatsConfig::default().build().unwrap().run(&mut doc);
        assert_eq!(doc.blocks[0].label, Label::Spam);
        assert_eq!(doc.blocks[1].label, Label::Content);
    }
}
