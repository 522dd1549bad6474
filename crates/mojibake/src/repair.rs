//! Finding and scoring candidate repairs on one line.
//!
//! Two families of round trips are tried:
//! - **double-byte text read back as double-byte**: a run of characters is encoded to GBK and
//!   the bytes decoded as UTF-8 (once or twice). Characters a decoder already replaced by
//!   U+FFFD become unknown bytes; a UTF-8 sequence that touches one comes out as U+FFFD.
//! - **single-byte readers**: a run of Latin-1 / windows-1252 characters is turned back into
//!   its bytes and decoded as UTF-8 (once or twice), GBK or Big5.
//!
//! Every candidate is scored by the language model against the text it would replace, in
//! context, and kept only when it wins by the configured margin.

use std::sync::OnceLock;

use crate::lm::{lm, Cost, Side, PER_NAT};
use crate::tables::{single_byte, tables, Gbk};

/// Decision thresholds, from the stage configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Params {
    pub min_gain: f32,
    pub short_span_gain: f32,
    pub big5: bool,
    /// Guess lost characters when the best completion wins by this many nats.
    pub guess_margin: Option<f32>,
}

/// An accepted change on a line, in character positions of that line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fix {
    pub start: usize,
    pub end: usize,
    pub new: Vec<char>,
    pub rule: &'static str,
    /// How much cheaper the new text is than the old under the language model.
    pub gain: Cost,
}

impl Fix {
    /// [`Fix::gain`] in nats.
    pub(crate) fn gain_nats(&self) -> f32 {
        nats(self.gain)
    }
}

fn nats(c: Cost) -> f32 {
    c as f32 / PER_NAT
}

/// One unit of the byte stream a span encodes to: a known byte or one a decoder lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Byte(u8),
    Hole,
}

/// Where on a line a repair can happen, as found by [`scan`]; char indices of the line.
///
/// Repairs are only searched for inside these windows, so a line with one odd spot costs
/// a search around that spot, not over the whole line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Windows {
    /// Stretches `lo..hi` in which GBK-encoded characters decode as UTF-8 and produce a
    /// character of three or more bytes: the only places a double-byte repair can start.
    pub double: Vec<(usize, usize)>,
    /// Maximal runs `lo..hi` of single-byte-code-page characters that can hold a
    /// single-byte repair.
    pub single: Vec<(usize, usize)>,
}

impl Windows {
    fn clear(&mut self) {
        self.double.clear();
        self.single.clear();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.double.is_empty() && self.single.is_empty()
    }

    /// Every place on the line, as if the scan had found nothing to rule out.
    #[cfg(test)]
    pub(crate) fn everywhere(chars: &[char]) -> Windows {
        let mut single = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let j =
                (i..chars.len()).find(|&j| single_byte(chars[j]).is_none()).unwrap_or(chars.len());
            if j > i {
                single.push((i, j));
            }
            i = j + 1;
        }
        Windows { double: vec![(0, chars.len())], single }
    }
}

// States of the UTF-8 decoders the double-byte family runs over GBK bytes (see `Utf8`), as
// bits of a set: every decoder that started at an earlier character of the stretch.
/// Between sequences.
const IDLE: u16 = 1;
/// A two-byte sequence missing its last byte (produces a character below U+0800).
const SMALL1: u16 = 1 << 1;
/// A sequence of three or four bytes missing 1, 2 or 3 bytes, all known so far.
const BIG1: u16 = 1 << 2;
const BIG2: u16 = 1 << 3;
const BIG3: u16 = 1 << 4;
/// A sequence with a known lead and a lost byte, missing 1 or 2 more.
const LOST1: u16 = 1 << 5;
const LOST2: u16 = 1 << 6;
/// A sequence whose lead byte was lost, missing 1 or 2 more.
const UNKNOWN1: u16 = 1 << 7;
const UNKNOWN2: u16 = 1 << 8;

/// The state a decoder between sequences goes to on `u` (`None`: a lost byte); 0 on error.
fn open(u: Option<u8>) -> u16 {
    match u {
        None => UNKNOWN2,
        Some(0x00..=0x7F) => IDLE,
        Some(0xC2..=0xDF) => SMALL1,
        Some(0xE0..=0xEF) => BIG2,
        Some(0xF0..=0xF4) => BIG3,
        Some(_) => 0,
    }
}

/// Feed one unit to every decoder in `set`: the next set, and whether one of them completed
/// a character of three or more bytes from known bytes. This over-approximates `Utf8::feed`
/// (it skips the overlong and surrogate checks), which is what a proof of cleanness needs.
fn step_slow(set: u16, u: Option<u8>) -> (u16, bool) {
    let mut next = 0;
    if set & IDLE != 0 {
        next |= open(u);
    }
    let cont = matches!(u, Some(0x80..=0xBF));
    if cont || u.is_none() {
        if set & (SMALL1 | BIG1 | LOST1 | UNKNOWN1) != 0 {
            next |= IDLE;
        }
        if set & BIG2 != 0 {
            next |= if cont { BIG1 } else { LOST1 };
        }
        if set & BIG3 != 0 {
            next |= if cont { BIG2 } else { LOST2 };
        }
        if set & LOST2 != 0 {
            next |= LOST1;
        }
        if set & UNKNOWN2 != 0 {
            next |= UNKNOWN1;
        }
        (next, cont && set & BIG1 != 0)
    } else {
        // After a lost lead byte a byte that cannot continue starts over; otherwise an error.
        if set & (UNKNOWN1 | UNKNOWN2) != 0 {
            next |= open(u);
        }
        (next, false)
    }
}

/// Number of state sets (one bit per state above).
const SETS: usize = 1 << 9;
/// A unit's class: all [`step_slow`] looks at. ASCII, continuation, invalid, the three lead
/// byte ranges, and a lost byte.
const CLASSES: usize = 7;
const HOLE_CLASS: usize = 6;

fn class(b: u8) -> usize {
    match b {
        0x00..=0x7F => 0,
        0x80..=0xBF => 1,
        0xC2..=0xDF => 3,
        0xE0..=0xEF => 4,
        0xF0..=0xF4 => 5,
        _ => 2,
    }
}

/// [`step_slow`] for every state set and unit class, computed once: the scan runs it on
/// every character where a decoder is live. Entry: next set, bit 15 set when one emitted.
fn step_table() -> &'static [[u16; CLASSES]; SETS] {
    static TABLE: OnceLock<Box<[[u16; CLASSES]; SETS]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let example =
            [Some(0x41), Some(0x80), Some(0xC0), Some(0xC2), Some(0xE0), Some(0xF0), None];
        let mut t = Box::new([[0u16; CLASSES]; SETS]);
        for (set, row) in t.iter_mut().enumerate() {
            for (entry, &u) in row.iter_mut().zip(&example) {
                let (next, emit) = step_slow(set as u16, u);
                *entry = next | u16::from(emit) << 15;
            }
        }
        t
    })
}

const EMIT: u16 = 1 << 15;

/// Find the windows of a line in which a repair could happen; false when there are none,
/// which proves the line clean. One table lookup per non-ASCII character.
///
/// It is exact about what the repair search can do, not a heuristic:
/// - a double-byte repair needs a decoder started at a [start](crate::tables::Tables::is_start)
///   character or U+FFFD to complete a character of three or more bytes; the scan runs all
///   such decoders at once as a set of states and keeps the stretches where one did;
/// - a single-byte repair comes from a run that holds a byte other than NBSP above 0x7F, and
///   either bytes that form UTF-8, or GBK/Big5 pairs that could beat the repair margin under
///   the language model (bounded by [`group_gain_bound`]). So NBSP runs, an accented letter
///   in a word and pinyin like `wèi` are ruled out without trying repairs.
///
/// `run` is scratch space for the characters of a run.
///
/// This is [`scan_reference`] (the definition, one character at a time) made cheap: one
/// lookup in [`ScanTables::info`] classifies a character for both families, one lookup in
/// [`ScanTables::next`] feeds both of its GBK bytes to the decoders, and positions are kept
/// in bytes and turned into character indices only for the windows found.
pub(crate) fn scan(line: &str, p: &Params, w: &mut Windows, run: &mut Vec<char>) -> bool {
    scan_until::<false>(line, p, w, run).1
}

/// [`scan`] of the first line of `text`, the part before its first `\n`: the line's length
/// in bytes and whether it has windows. The stage splits a text into lines with this, so
/// finding the line ends costs no pass of its own over the text.
pub(crate) fn scan_line(
    text: &str,
    p: &Params,
    w: &mut Windows,
    run: &mut Vec<char>,
) -> (usize, bool) {
    scan_until::<true>(text, p, w, run)
}

/// [`scan`] (`LINE` false) or [`scan_line`] (`LINE` true: stop at the first `\n`).
#[inline(always)]
fn scan_until<const LINE: bool>(
    line: &str,
    p: &Params,
    w: &mut Windows,
    run: &mut Vec<char>,
) -> (usize, bool) {
    let st = scan_tables();
    w.clear();
    let bytes = line.as_bytes();
    let n = bytes.len();
    let mut pos = CharPos::default();
    // Byte index of the current character.
    let mut i = 0;
    // Double-byte decoders: the id of their state (0: none live; see `ScanTables::next`,
    // which also says whether one completed a character in the stretch), and where the
    // stretch began (bytes).
    let mut s: u8 = 0;
    let mut stretch = 0;
    // The current single-byte run (byte index of its start), and whether it holds a byte
    // other than ASCII and NBSP.
    let mut run_at: Option<usize> = None;
    let mut run_high = false;
    // Where the line ends: at `n` unless `LINE` finds a line feed before.
    let mut end = n;
    while i < n {
        let x = bytes[i];
        if x < 0x80 {
            if LINE && x == b'\n' {
                end = i;
                break;
            }
            // ASCII extends a single-byte run.
            if run_at.is_none() {
                run_at = Some(i);
                run_high = false;
            }
            if s == 0 {
                // With no live decoder nothing else about ASCII matters: skip all of it.
                i += 1;
                if LINE {
                    // Stop at bytes 0x00–0x0A too (the line feed among them): one
                    // comparison, and the rare others are then taken one at a time above.
                    while i < n && bytes[i].wrapping_sub(0x0B) < 0x75 {
                        i += 1;
                    }
                } else {
                    while i < n && bytes[i] < 0x80 {
                        i += 1;
                    }
                }
                continue;
            }
            // Controls are looked through, as the search does (see `transparent`).
            if !transparent(char::from(x)) {
                s = st.ascii[usize::from(s)];
                if s == DIED {
                    s = 0;
                    w.double.push((pos.of(line, stretch), pos.of(line, i)));
                }
            }
            i += 1;
            continue;
        }
        if run_at.is_none() {
            // The bulk of Chinese text: characters at U+3000 or above, never single-byte
            // ones, so only the decoders matter. A tight loop without bounds checks.
            let mut rest = &bytes[i..];
            while let [x @ 0xE3..=0xEF, b1, b2, tail @ ..] = rest {
                let info = st.info[cp3(*x, *b1, *b2)];
                if s == 0 {
                    if info & START == 0 {
                        rest = tail;
                        continue;
                    }
                    stretch = n - rest.len();
                }
                s = st.next[usize::from(s)][usize::from(info)];
                if s == DIED {
                    s = 0;
                    let at = n - rest.len();
                    w.double.push((pos.of(line, stretch), pos.of(line, at)));
                }
                rest = tail;
            }
            i = n - rest.len();
            if i >= n || bytes[i] < 0x80 {
                continue;
            }
        }
        let (cp, len) = decode_at(bytes, i);
        let info = st.info.get(cp as usize).copied().unwrap_or(NO_PAIR);
        if info & SINGLE != 0 {
            let c = char::from_u32(cp).unwrap_or('\u{FFFD}');
            if run_at.is_none() {
                run_at = Some(i);
                run_high = false;
            }
            run_high |= single_byte(c) != Some(0xA0);
        } else if let Some(at) = run_at.take() {
            // Every reading needs two bytes of which one is high.
            if run_high && line[at..i].chars().nth(1).is_some() {
                let c = char::from_u32(cp).unwrap_or('\u{FFFD}');
                let (lo, hi) = (pos.of(line, at), pos.of(line, i));
                end_run(line, (lo, at), (hi, i), Some(c), p, w, run);
            }
        }
        if s != 0 || info & START != 0 {
            if s == 0 {
                stretch = i;
            }
            s = st.next[usize::from(s)][usize::from(info)];
            if s == DIED {
                s = 0;
                w.double.push((pos.of(line, stretch), pos.of(line, i)));
            }
        }
        i += len;
    }
    if let Some(at) = run_at {
        if run_high && line[at..end].chars().nth(1).is_some() {
            let (lo, hi) = (pos.of(line, at), pos.of(line, end));
            end_run(line, (lo, at), (hi, end), None, p, w, run);
        }
    }
    if s & EMITTED != 0 {
        w.double.push((pos.of(line, stretch), pos.of(line, end)));
    }
    (end, !w.is_empty())
}

/// The code point of the three-byte UTF-8 sequence `x b1 b2` (from a `str`): `b1` and `b2`
/// are continuation bytes, so their tag bits and that of `x` are one constant to take off,
/// and the mask only tells the compiler the index is in bounds of a BMP table.
#[inline(always)]
fn cp3(x: u8, b1: u8, b2: u8) -> usize {
    ((usize::from(x) << 12) + (usize::from(b1) << 6) + usize::from(b2)).wrapping_sub(0xE_2080)
        & 0xFFFF
}

/// The code point and length of the non-ASCII character starting at byte `i` of `bytes`,
/// which come from a `str` (valid UTF-8, so no checks beyond the slice bounds).
#[inline(always)]
fn decode_at(bytes: &[u8], i: usize) -> (u32, usize) {
    let x = bytes[i];
    match x {
        0xC0..=0xDF => (u32::from(x & 0x1F) << 6 | u32::from(bytes[i + 1] & 0x3F), 2),
        0xE0..=0xEF => (
            u32::from(x & 0x0F) << 12
                | u32::from(bytes[i + 1] & 0x3F) << 6
                | u32::from(bytes[i + 2] & 0x3F),
            3,
        ),
        _ => (
            u32::from(x & 0x07) << 18
                | u32::from(bytes[i + 1] & 0x3F) << 12
                | u32::from(bytes[i + 2] & 0x3F) << 6
                | u32::from(bytes[i + 3] & 0x3F),
            4,
        ),
    }
}

/// Turns byte offsets of one line into character indices, counting on from the last one
/// asked for (windows come mostly in order).
#[derive(Default)]
struct CharPos {
    byte: usize,
    chars: usize,
}

impl CharPos {
    fn of(&mut self, line: &str, b: usize) -> usize {
        if b < self.byte {
            *self = CharPos::default();
        }
        self.chars += line[self.byte..b].chars().count();
        self.byte = b;
        self.chars
    }
}

// Bits and codes of `ScanTables::info`. The low six bits say what a character feeds the
// double-byte decoders: the classes of its two GBK bytes as `7 × left + right` (0–48, a
// U+FFFD being two lost bytes), `NO_PAIR` (no GBK pair: every decoder dies) or
// `TRANSPARENT` (looked through).
const NO_PAIR: u8 = 49;
const TRANSPARENT: u8 = 50;
/// The character opens a decoder: [`Tables::is_start`](crate::tables::Tables::is_start) or
/// U+FFFD.
const START: u8 = 1 << 6;
/// A non-ASCII character of the single-byte code page.
const SINGLE: u8 = 1 << 7;
/// In a state id of `ScanTables::next`: a decoder completed a character of three or more
/// bytes in the current stretch. The low six bits number the state set.
const EMITTED: u8 = 1 << 6;
/// In `ScanTables::next`: every decoder died after one completed a character of three or
/// more bytes, which ends a window (the scan then has no decoder live, state 0). When none
/// had completed one the entry is simply 0.
const DIED: u8 = 1 << 7;

/// The tables of [`scan`], derived once from [`step_table`] and the codec tables.
struct ScanTables {
    /// Per BMP character: its code (low six bits) with [`START`] and [`SINGLE`].
    info: Box<[u8; 0x10000]>,
    /// Per state and per `info` of a character: the next state, or [`DIED`]. A state is
    /// a reachable state set (by compact id, 0 the empty set) with [`EMITTED`], so the live
    /// path of the scan is one lookup and one test. Rows for every `u8` and columns for
    /// every `info` (with [`SINGLE`], which changes nothing) keep it free of bounds checks
    /// and masks; the rows past the reachable states are never touched.
    next: Box<[[u8; 256]; 256]>,
    /// Per state: the next one after a (non-transparent) ASCII byte, which never completes
    /// a character of three bytes but can end a window.
    ascii: Box<[u8; 256]>,
}

fn scan_tables() -> &'static ScanTables {
    static TABLES: OnceLock<ScanTables> = OnceLock::new();
    TABLES.get_or_init(ScanTables::build)
}

impl ScanTables {
    /// The code a character has in `info`, from the definitions the reference scan uses.
    fn info_of(c: char) -> u8 {
        let t = tables();
        let mut info = if transparent(c) {
            TRANSPARENT
        } else if c == '\u{FFFD}' {
            (HOLE_CLASS * CLASSES + HOLE_CLASS) as u8
        } else {
            match t.gbk_encode(c) {
                Some(Gbk::Pair(l, r)) => (class(l) * CLASSES + class(r)) as u8,
                _ => NO_PAIR,
            }
        };
        if t.is_start(c) || c == '\u{FFFD}' {
            info |= START;
        }
        if !c.is_ascii() && single_byte(c).is_some() {
            info |= SINGLE;
        }
        info
    }

    fn build() -> ScanTables {
        let t = tables();
        let mut info = Box::new([NO_PAIR; 0x10000]);
        for (cp, slot) in info.iter_mut().enumerate() {
            let cp = cp as u32;
            if cp <= 0x2122 || matches!(cp, 0xFEFF | 0xFFFD) {
                if let Some(c) = char::from_u32(cp) {
                    *slot = ScanTables::info_of(c);
                }
                continue;
            }
            // Past the last windows-1252 extra (™, U+2122), U+FEFF and U+FFFD aside, no
            // character is transparent or single-byte: its code is that of its GBK pair,
            // which opens a decoder when it can open a UTF-8 sequence (`Tables::is_start`),
            // or `NO_PAIR`. What `info_of` says, without asking it 64 K times.
            if let Some((l, r)) = t.gbk_pair_cp(cp) {
                let start = matches!(l, 0xC2..=0xF4) && matches!(r, 0x80..=0xBF);
                *slot = (class(l) * CLASSES + class(r)) as u8 | if start { START } else { 0 };
            }
        }
        let steps = step_table();
        let feed = |set: u16, u: usize, emitted: &mut bool| {
            let next = steps[usize::from(set)][u];
            *emitted |= next & EMIT != 0;
            next & !EMIT
        };
        // Number the state sets reachable from none, breadth first.
        let mut sets: Vec<u16> = vec![0];
        let mut id_of = std::collections::HashMap::from([(0u16, 0u8)]);
        // Per set id and code: the next set's id and whether a decoder emitted; per set
        // id: the next set's id after ASCII.
        let mut rows: Vec<[(u8, bool); 128]> = Vec::new();
        let mut after_ascii = Vec::new();
        let mut k = 0;
        while k < sets.len() {
            let set = sets[k];
            let mut intern = |set: u16| {
                *id_of.entry(set).or_insert_with(|| {
                    sets.push(set);
                    u8::try_from(sets.len() - 1).ok().filter(|&id| id < EMITTED).expect("few sets")
                })
            };
            let mut row = [(0u8, false); 128];
            for (code, entry) in row.iter_mut().enumerate() {
                let (pair, start) = (code as u8 & !START, code as u8 & START != 0);
                let mut emitted = false;
                let to = match pair {
                    // Looked through: nothing changes.
                    TRANSPARENT.. => set,
                    _ if set == 0 && !start => 0,
                    NO_PAIR => 0,
                    _ => {
                        let set = if start { set | IDLE } else { set };
                        let (l, r) = (usize::from(pair) / CLASSES, usize::from(pair) % CLASSES);
                        let mid = feed(set, l, &mut emitted);
                        feed(mid, r, &mut emitted)
                    }
                };
                *entry = (intern(to), emitted);
            }
            let mut emitted = false;
            let to = feed(set, 0, &mut emitted);
            assert!(!emitted, "an ASCII byte never completes a character");
            after_ascii.push(intern(to));
            rows.push(row);
            k += 1;
        }
        // Fold whether a decoder emitted in the stretch into the state.
        let state = |to: u8, emitted: bool| match (to, emitted) {
            (0, false) => 0,
            (0, true) => DIED,
            (to, false) => to,
            (to, true) => to | EMITTED,
        };
        let mut next = Box::new([[0u8; 256]; 256]);
        let mut ascii = Box::new([0u8; 256]);
        for (id, row) in rows.iter().enumerate() {
            for emitted in [false, true] {
                // The empty set has not emitted: a stretch starts with none.
                if id == 0 && emitted {
                    continue;
                }
                let from = usize::from(state(id as u8, emitted));
                for (info, entry) in next[from].iter_mut().enumerate() {
                    let (to, now) = row[info & !usize::from(SINGLE)];
                    *entry = state(to, emitted || now);
                }
                ascii[from] = state(after_ascii[id], emitted);
            }
        }
        ScanTables { info, next, ascii }
    }
}

/// The definition of [`scan`], one character at a time with character positions: what the
/// tables of the fast scan are checked against.
#[cfg(test)]
pub(crate) fn scan_reference(line: &str, p: &Params, w: &mut Windows, run: &mut Vec<char>) -> bool {
    let t = tables();
    let steps = step_table();
    w.clear();
    let bytes = line.as_bytes();
    let (mut i, mut k) = (0, 0); // byte and char index of the current character
                                 // Double-byte decoders.
    let mut set: u16 = 0;
    let mut stretch = 0;
    let mut emitted = false;
    // The current single-byte run (char and byte index of its start), and whether it holds
    // a byte other than ASCII and NBSP.
    let mut run_at: Option<(usize, usize)> = None;
    let mut run_high = false;
    while i < bytes.len() {
        let x = bytes[i];
        if x < 0x80 {
            // ASCII, the common case outside Chinese text: extends a single-byte run.
            if run_at.is_none() {
                run_at = Some((k, i));
                run_high = false;
            }
            // Controls are looked through, as the search does (see `transparent`).
            if set != 0 && !transparent(char::from(x)) {
                let next = steps[usize::from(set)][0];
                set = next & !EMIT;
                emitted |= next & EMIT != 0;
                if set == 0 && emitted {
                    w.double.push((stretch, k));
                }
            }
            i += 1;
            k += 1;
            continue;
        }
        if set == 0 && run_at.is_none() {
            // The bulk of Chinese text: characters at U+3000 or above (never single-byte
            // ones) with no live decoder and no open run, where only whether a character
            // opens a decoder matters. A tight loop without bounds checks.
            let start = i;
            while let [x @ 0xE3..=0xEF, b1, b2, ..] = bytes[i..] {
                let cp =
                    u32::from(x & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F);
                if cp == 0xFFFD || t.is_start_cp(cp) {
                    break;
                }
                i += 3;
            }
            if i != start {
                k += (i - start) / 3;
                continue;
            }
        }
        let (cp, len) = decode_at(bytes, i);
        let c = char::from_u32(cp).unwrap_or('\u{FFFD}');
        match single_byte(c) {
            Some(b) => {
                if run_at.is_none() {
                    run_at = Some((k, i));
                    run_high = false;
                }
                run_high |= b != 0xA0;
            }
            None => {
                if let Some((lo, at)) = run_at.take() {
                    // Every reading needs two bytes of which one is high.
                    if run_high && k - lo >= 2 {
                        end_run(line, (lo, at), (k, i), Some(c), p, w, run);
                    }
                }
            }
        }
        let opens = t.is_start(c) || c == '\u{FFFD}';
        if (set != 0 || opens) && !transparent(c) {
            if set == 0 {
                stretch = k;
                emitted = false;
            }
            if opens {
                set |= IDLE;
            }
            let units = match c {
                '\u{FFFD}' => [HOLE_CLASS, HOLE_CLASS],
                _ => match t.gbk_encode(c) {
                    Some(Gbk::Pair(l, r)) => [class(l), class(r)],
                    _ => {
                        set = 0;
                        [HOLE_CLASS, HOLE_CLASS]
                    }
                },
            };
            for u in units {
                let next = steps[usize::from(set)][u];
                set = next & !EMIT;
                emitted |= next & EMIT != 0;
            }
            if set == 0 && emitted {
                w.double.push((stretch, k));
            }
        }
        i += len;
        k += 1;
    }
    if let Some((lo, at)) = run_at {
        if run_high && k - lo >= 2 {
            end_run(line, (lo, at), (k, i), None, p, w, run);
        }
    }
    if set != 0 && emitted {
        w.double.push((stretch, k));
    }
    !w.is_empty()
}

/// A single-byte run ended at char/byte `end`: keep it as a window when it can change.
fn end_run(
    line: &str,
    (lo, at): (usize, usize),
    (hi, end): (usize, usize),
    right: Option<char>,
    p: &Params,
    w: &mut Windows,
    run: &mut Vec<char>,
) {
    run.clear();
    // Without the characters `normalize` drops, as `run_candidates` reads the run.
    run.extend(line[at..end].chars().filter(|&c| !transparent(c)));
    let left = line[..at].chars().rev().find(|&c| !transparent(c));
    if run_may_change(run, left, right, p) {
        w.single.push((lo, hi));
    }
}

/// Whether a maximal run of single-byte characters (with its neighbours) can produce a
/// single-byte repair: mirrors the candidates of [`run_candidates`] and rules out those
/// that cannot reach the margin.
fn run_may_change(run: &[char], left: Option<char>, right: Option<char>, p: &Params) -> bool {
    let byte = |k: usize| run.get(k).and_then(|&c| single_byte(c));
    let cont = |k: usize| matches!(byte(k), Some(0x80..=0xBF));
    // A UTF-8 reading: a lead byte followed by the continuation bytes it needs.
    for k in 0..run.len() {
        let need = match byte(k) {
            Some(0xC2..=0xDF) => 1,
            Some(0xE0..=0xEF) => 2,
            Some(0xF0..=0xF4) => 3,
            _ => continue,
        };
        if (1..=need).all(|d| cont(k + d)) {
            return true;
        }
    }
    // Double-byte readings: the same maximal groups as `groups`, each one candidate.
    let mut pairs: [Option<Pair>; 2] = [Some(gbk_pair), None];
    if p.big5 {
        pairs[1] = Some(big5_pair);
    }
    for pair in pairs.into_iter().flatten() {
        let mut group: Option<(usize, usize)> = None; // start, end after the last pair
        let mut k = 0;
        while k < run.len() {
            let b = byte(k).unwrap_or(0);
            if b < 0x80 {
                k += 1;
                continue;
            }
            if byte(k + 1).and_then(|r| pair(b, r)).is_some() {
                let g = group.get_or_insert((k, k));
                k += 2;
                g.1 = k;
                continue;
            }
            if let Some((s, e)) = group.take() {
                if group_may_win(run, s, e, left, right, pair, p) {
                    return true;
                }
            }
            k += 1;
        }
        if let Some((s, e)) = group {
            if group_may_win(run, s, e, left, right, pair, p) {
                return true;
            }
        }
    }
    false
}

/// Slack for the float rounding between [`group_gain_bound`] and [`gain`].
const BOUND_SLACK: f32 = 0.01;

fn group_may_win(
    run: &[char],
    s: usize,
    e: usize,
    left: Option<char>,
    right: Option<char>,
    pair: Pair,
    p: &Params,
) -> bool {
    let (bound, n) = group_gain_bound(run, s, e, left, right, pair);
    nats(bound) + BOUND_SLACK >= p.min_gain + p.short_span_gain / n.max(1) as f32
}

/// An upper bound of [`gain`] for replacing `run[s..e]` by its double-byte reading, and the
/// number of non-ASCII characters of that reading (which sets the margin).
///
/// The old span is made of single-byte characters, none of them Han, so its cost in context
/// is exact: character costs plus transition costs (the model has no pair bonus for them).
/// The new span's cost is bounded below by replacing each pair bonus with the largest bonus
/// its two characters get in any pair.
fn group_gain_bound(
    run: &[char],
    s: usize,
    e: usize,
    left: Option<char>,
    right: Option<char>,
    pair: Pair,
) -> (Cost, usize) {
    let m = lm();
    // Context and costs as `Prefix` has them: transparent characters cost nothing, a
    // transparent right neighbour is no context and the left one is looked through.
    let left = run[..s].iter().rev().copied().find(|&c| !transparent(c)).or(left);
    let right = if e == run.len() { right } else { Some(run[e]) };
    let right = right.filter(|&c| !transparent(c));
    let (mut old, mut new): (Cost, Cost) = (0, 0);
    let (mut prev_old, mut prev_new) = (left, left);
    let mut n = 0;
    let mut k = s;
    while k < e {
        let b = single_byte(run[k]).unwrap_or(0);
        let (c, olds) = match (b >= 0x80).then(|| single_byte(run[k + 1]).and_then(|r| pair(b, r)))
        {
            Some(Some(h)) => {
                n += 1;
                (h, 2)
            }
            _ => (run[k], 1),
        };
        for &o in run[k..k + olds].iter().filter(|&&o| !transparent(o)) {
            old += m.char_cost(o) + prev_old.map_or(0, |q| m.transition(q, o));
            prev_old = Some(o);
        }
        k += olds;
        if transparent(c) {
            continue;
        }
        new +=
            m.char_cost(c) + prev_new.map_or(0, |q| m.transition(q, c) - m.pair_bonus_bound(q, c));
        prev_new = Some(c);
    }
    if let Some(r) = right {
        old += prev_old.map_or(0, |q| m.transition(q, r));
        new += prev_new.map_or(0, |q| m.transition(q, r) - m.pair_bonus_bound(q, r));
    }
    (old - new, n)
}

/// Repairs for one line (without its terminator), non-overlapping and in order, searched
/// for only inside `w` (from [`scan`] of the same line).
#[cfg(test)]
pub(crate) fn repair_line(chars: &[char], p: &Params, w: &Windows) -> Vec<Fix> {
    repair_line_with(chars, p, w, &mut Search::default())
}

/// [`repair_line`] with the caller's buffers, so that repairing many lines allocates little.
pub(crate) fn repair_line_with(
    chars: &[char],
    p: &Params,
    w: &Windows,
    search: &mut Search,
) -> Vec<Fix> {
    search.line.set(chars);
    for slot in &mut search.starts {
        slot.from = None;
    }
    let mut fixes = double_byte_fixes(chars, p, &w.double, search);
    let mut latin = single_byte_fixes(chars, p, &fixes, &w.single, &mut search.line);
    fixes.append(&mut latin);
    fixes.sort_by_key(|f| f.start);
    fixes
}

/// Buffers of the repair search, reused across lines and passes.
#[derive(Debug, Default)]
pub(crate) struct Search {
    line: Prefix,
    /// The starts the double-byte search looked at last, by start modulo four: the search
    /// at `i` looks at starts `i..i + 4`, so when it finds nothing the search at `i + 1`
    /// reuses three of them instead of decoding and scoring them again.
    starts: [Start; 4],
}

/// One start of the double-byte search, decoded and scored ([`scored_start`]).
#[derive(Debug, Default)]
struct Start {
    /// The start (a char index of the line), `None` when the slot holds nothing yet.
    from: Option<usize>,
    dec: Decoded,
    /// Every candidate from this start that passed its checks, in the order they are tried:
    /// (end, new text, rule, gain).
    cands: Vec<(usize, NewText, &'static str, Cost)>,
}

/// Prefix sums of the language-model cost of a text: `sums[k].chars` is the sum of the
/// character costs of the first `k` characters, `sums[k].links` that of the links
/// (transition minus pair bonus) between neighbours among them. The cost of any span in any
/// context is then two subtractions and the two links at its edges, exactly what
/// [`crate::lm::Lm::cost`] gives.
#[derive(Debug, Default)]
struct Prefix {
    text: Vec<char>,
    /// The sums over the first `k` characters, for `k` up to where they are built.
    sums: Vec<Sums>,
    /// The language-model [`Side`] of the last character before `text[sums.len() - 1]`
    /// that is not [`transparent`].
    last: Option<Side>,
}

/// The sums of [`Prefix`] over a prefix of its text, kept together so that extending them
/// by a character is one push.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    chars: Cost,
    links: Cost,
    /// How many of the characters are U+FFFD.
    fffd: u32,
    /// How many of the characters are not [`transparent`].
    seen: u32,
}

impl Prefix {
    fn set(&mut self, text: &[char]) {
        self.text.clear();
        self.text.extend_from_slice(text);
        self.sums.clear();
        self.last = None;
    }

    /// Make the sums cover the first `n` characters of `text` (they are built lazily: a
    /// decode may run far past the spans that get scored).
    fn extend_to(&mut self, n: usize) {
        let n = n.min(self.text.len());
        if self.sums.len() > n {
            return;
        }
        let m = lm();
        let mut sum = match self.sums.last() {
            Some(&sum) => sum,
            None => {
                self.sums.push(Sums::default());
                Sums::default()
            }
        };
        let from = self.sums.len() - 1;
        self.sums.reserve(n - from);
        let mut last = self.last;
        for &c in &self.text[from..n] {
            // What `normalize` drops costs nothing and links nothing: the text is scored as
            // it will read once they are gone.
            if !transparent(c) {
                let side = m.side(c);
                sum.chars += m.char_cost(c);
                if let Some(l) = last {
                    sum.links += m.link_sides(l, side);
                }
                sum.fffd += u32::from(c == '\u{FFFD}');
                sum.seen += 1;
                last = Some(side);
            }
            self.sums.push(sum);
        }
        self.last = last;
    }

    fn clear(&mut self) {
        self.text.clear();
        self.sums.clear();
        self.last = None;
    }

    /// The context on the right of a span ending before `text[k]`: that character unless it
    /// is [`transparent`] (the link to it is then not scored, see `extend_to`).
    fn right_of(&self, k: usize) -> Option<char> {
        self.text.get(k).copied().filter(|&c| !transparent(c))
    }

    /// The context on the left of `text[k]`: the nearest character before it that is not
    /// [`transparent`].
    fn left_of(&self, k: usize) -> Option<char> {
        self.text[..k].iter().rev().copied().find(|&c| !transparent(c))
    }

    /// The number of U+FFFD in `text[a..b]` and the summed cost of the other characters.
    fn others(&mut self, a: usize, b: usize) -> (u32, Cost) {
        self.extend_to(b);
        let (a, b) = (self.sums[a], self.sums[b]);
        let n = b.fffd - a.fffd;
        (n, b.chars - a.chars - n as Cost * fffd_cost())
    }

    /// The number of characters of `text[a..b]` that are not [`transparent`]: the length
    /// the span will have once `normalize` has run.
    fn seen_len(&mut self, a: usize, b: usize) -> usize {
        self.extend_to(b);
        (self.sums[b].seen - self.sums[a].seen) as usize
    }

    /// Cost of the non-empty `text[a..b]` between `left` and `right`.
    fn cost(&mut self, a: usize, b: usize, left: Option<char>, right: Option<char>) -> Cost {
        debug_assert!(a < b);
        self.extend_to(b);
        let m = lm();
        let (sa, sb) = (self.sums[a], self.sums[b]);
        let inner = sb.chars - sa.chars + sb.links - self.sums[a + 1].links;
        inner
            + left.map_or(0, |l| m.link(l, self.text[a]))
            + right.map_or(0, |r| m.link(self.text[b - 1], r))
    }

    /// Cost of the span `start..end` of the line in its own context.
    fn span_cost(&mut self, start: usize, end: usize) -> Cost {
        // Links inside the span and to both neighbours: those ending at start (if it has a
        // left neighbour) up to the one ending at `end` (if it has a right neighbour).
        let last = (end + 1).min(self.text.len());
        self.extend_to(last);
        let (s, e) = (self.sums[start], self.sums[end]);
        e.chars - s.chars + self.sums[last].links - s.links
    }

    /// Gain of replacing `start..end` of the line by `new`.
    fn gain(&mut self, start: usize, end: usize, new: &[char]) -> Cost {
        let left = self.left_of(start);
        let right = self.right_of(end);
        self.span_cost(start, end) - lm().cost(new, left, right)
    }
}

/// A character the `normalize` stage will drop (C0 controls other than `\t`, `\n`, `\r`;
/// DEL; zero-width spaces, joiners and BOMs) and that carries no evidence of how text was
/// misread. The double-byte search looks through them and scores text without them, so
/// its decision is the same before and after `normalize`: a control the fuzzer or a
/// scraper dropped inside mojibake neither hides it on the first run nor exposes it on the
/// next. (C1 controls and the soft hyphen are bytes of windows-1252 mojibake: not these.)
///
/// The repair search asks this of every character it decodes and scores, so it is a bit
/// mask for ASCII and, above it, two comparisons for all but a few code points (the
/// definition, as ranges, is `transparent_by_ranges` in the tests).
#[inline]
pub(crate) fn transparent(c: char) -> bool {
    // Bit k: ASCII k is a C0 control other than \t \n \r, or DEL.
    const ASCII: u128 = (0xFFFF_FFFF & !(1 << 0x09 | 1 << 0x0A | 1 << 0x0D)) | 1 << 0x7F;
    let u = c as u32;
    if u < 0x80 {
        return ASCII >> u & 1 != 0;
    }
    // The others are U+180E, U+200B–U+200D, U+2060 and U+FEFF: below the first, or
    // strictly between the last two (Han, kana, Hangul, CJK punctuation), is not.
    if u < 0x180E || u.wrapping_sub(0x2061) < 0xFEFF - 0x2061 {
        return false;
    }
    matches!(u, 0x180E | 0x200B..=0x200D | 0x2060 | 0xFEFF)
}

/// Cost of one U+FFFD under the model.
fn fffd_cost() -> Cost {
    lm().char_cost('\u{FFFD}')
}

/// The part of a double-byte candidate's `gain` that is evidence of mojibake, or `None` when
/// the candidate has none.
///
/// U+FFFD runs inside clean text are common (a decoder replaced bytes it could not read) and
/// are not evidence that the text around them is UTF-8 read as GBK: every reading that packs
/// a run's unknown bytes into fewer lost characters looks cheaper by the cost of the U+FFFDs
/// it saves, whatever it does to the real characters next to the run. So that saving is not
/// counted (a reading with more U+FFFD still pays for them), and the characters the reading
/// produces must not be rarer on average than the real ones they replace: mojibake is made of
/// rare characters, its repair of common ones. `old` and `new` are (U+FFFD count, summed cost
/// of the other characters, length) of the two texts.
fn evidence(gain: Cost, old: (u32, Cost, usize), new: (u32, Cost, usize)) -> Option<Cost> {
    let (old_n, old_cost, old_len) = old;
    let (new_n, new_cost, new_len) = new;
    let old_real = old_len as i64 - i64::from(old_n);
    let new_real = new_len as i64 - i64::from(new_n);
    // Rarer on average: new_cost / new_real > old_cost / old_real.
    if old_real <= 0 || i64::from(new_cost) * old_real > i64::from(old_cost) * new_real.max(1) {
        return None;
    }
    Some(gain - old_n.saturating_sub(new_n) as Cost * fffd_cost())
}

/// A character no repair may produce: combining marks (they would fuse with the text before
/// the span), controls other than whitespace, private-use and noncharacters, and everything
/// outside the blocks real text is written in (which keeps out unassigned code points).
/// U+FFFD, a lost character, is allowed.
#[inline]
pub(crate) fn implausible(c: char) -> bool {
    let u = c as u32;
    let plausible = match u {
        0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0xA0..=0x24F => true,
        // Greek, Cyrillic; general punctuation and symbols (arrows, maths, boxes, dingbats)
        0x370..=0x3FF | 0x400..=0x52F | 0x2010..=0x2027 | 0x2030..=0x205E | 0x2070..=0x2BFF => true,
        // CJK punctuation, kana, bopomofo, enclosed, compatibility, Ext-A, unified
        0x2E80..=0x2FDF | 0x3000..=0x3029 | 0x3030..=0x3096 | 0x309B..=0x9FFF => true,
        0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE10..=0xFE19 | 0xFE30..=0xFE6B => true,
        0xFF01..=0xFFEE | 0xFFFD => true,
        0x1F000..=0x1FAFF | 0x20000..=0x3134F => true,
        _ => false,
    };
    !plausible || c == '\u{AD}'
}

fn margin(p: &Params, new: &[char]) -> f32 {
    let n = new.iter().filter(|c| !c.is_ascii()).count().max(1);
    p.min_gain + p.short_span_gain / n as f32
}

// ---------------------------------------------------------------- UTF-8 with holes

/// Marks a lost byte in [`Lost::bytes`].
const HOLE: u16 = 0x100;

/// A UTF-8 sequence with lost bytes: what is still known of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Lost {
    bytes: [u16; 4],
    len: u8,
}

#[derive(Debug, Default)]
struct Utf8 {
    need: u8,
    cp: u32,
    min: u32,
    lost: bool,
    unknown_lead: bool,
    seq: Lost,
}

/// What a finished UTF-8 sequence was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Char(char),
    Lost(Lost),
}

impl Utf8 {
    fn idle(&self) -> bool {
        self.need == 0
    }

    /// Feed one unit; push finished characters. `Err` when the known bytes are not UTF-8.
    #[inline(always)]
    fn feed(&mut self, u: Unit, out: &mut Vec<Out>) -> Result<(), ()> {
        if self.need == 0 {
            return self.start(u, out);
        }
        match u {
            Unit::Byte(b) if (0x80..=0xBF).contains(&b) => {
                self.cp = self.cp << 6 | u32::from(b & 0x3F);
                self.push_byte(u16::from(b));
                self.finish_one(out)
            }
            Unit::Hole => {
                self.lost = true;
                self.push_byte(HOLE);
                self.finish_one(out)
            }
            Unit::Byte(_) if self.unknown_lead => {
                // The lost lead byte began a shorter sequence than assumed.
                out.push(Out::Lost(self.seq));
                self.need = 0;
                self.start(u, out)
            }
            Unit::Byte(_) => Err(()),
        }
    }

    fn push_byte(&mut self, b: u16) {
        let s = &mut self.seq;
        s.bytes[usize::from(s.len)] = b;
        s.len += 1;
    }

    #[inline]
    fn finish_one(&mut self, out: &mut Vec<Out>) -> Result<(), ()> {
        self.need -= 1;
        if self.need > 0 {
            return Ok(());
        }
        if self.lost {
            out.push(Out::Lost(self.seq));
            return Ok(());
        }
        match char::from_u32(self.cp) {
            Some(c) if self.cp >= self.min => {
                out.push(Out::Char(c));
                Ok(())
            }
            _ => Err(()),
        }
    }

    #[inline]
    fn start(&mut self, u: Unit, out: &mut Vec<Out>) -> Result<(), ()> {
        let b = match u {
            Unit::Hole => {
                // A lost lead: assume the common three-byte (Han) sequence.
                *self = Utf8 { need: 2, lost: true, unknown_lead: true, ..Utf8::default() };
                self.push_byte(HOLE);
                return Ok(());
            }
            Unit::Byte(b) => b,
        };
        let (need, cp, min) = match b {
            0x00..=0x7F => {
                out.push(Out::Char(char::from(b)));
                return Ok(());
            }
            0xC2..=0xDF => (1, b & 0x1F, 0x80),
            0xE0..=0xEF => (2, b & 0x0F, 0x800),
            0xF0..=0xF4 => (3, b & 0x07, 0x10000),
            _ => return Err(()),
        };
        *self = Utf8 { need, cp: u32::from(cp), min, ..Utf8::default() };
        self.push_byte(u16::from(b));
        Ok(())
    }
}

// ---------------------------------------------------------------- double-byte family

fn units_of(c: char) -> Option<([Unit; 2], usize)> {
    if c == '\u{FFFD}' {
        return Some(([Unit::Hole, Unit::Hole], 1));
    }
    match tables().gbk_encode(c)? {
        Gbk::Ascii(b) => Some(([Unit::Byte(b), Unit::Hole], 1)),
        Gbk::Pair(l, r) => Some(([Unit::Byte(l), Unit::Byte(r)], 2)),
    }
}

/// A character whose GBK bytes can open a UTF-8 sequence of two or more bytes.
fn is_start(c: char) -> bool {
    tables().is_start(c)
}

/// A place where the decoder is between sequences: (end char index, output length, whether
/// the output so far holds a real character from a sequence of three or more bytes).
type Bound = (usize, usize, bool);

/// One start of the double-byte search: `chars[from..]` GBK-encoded and read as UTF-8,
/// with everything needed to score any of its prefixes in O(1).
#[derive(Debug, Default)]
struct Decoded {
    from: usize,
    /// Boundaries after non-ASCII characters where the decoder is between sequences.
    bounds: Vec<Bound>,
    out: Vec<Out>,
    /// `out` as characters (lost sequences as U+FFFD), with its prefix sums of cost.
    text: Prefix,
    /// Index in `out` of the first control character that is not whitespace, of the first
    /// other [`implausible`] character, and of the first real U+FFFD (a 锟斤拷 reading);
    /// `out.len()` when there is none.
    first_control: usize,
    first_odd: usize,
    first_kun: usize,
    /// Per prefix of `out`: the number of its characters of three or more bytes.
    big: Vec<u32>,
    /// The second round trip of `text` (GBK-encoded again, read as UTF-8), and per prefix
    /// length `k` of `text`: the length of its reading when `text[..k]` reads back whole
    /// (every character GBK-encodable, the bytes valid UTF-8 ending between sequences, one
    /// double-byte character at least). Computed on demand.
    twice: Twice,
    twice_done: bool,
}

#[derive(Debug, Default)]
struct Twice {
    text: Prefix,
    out: Vec<Out>,
    at: Vec<Option<usize>>,
    /// Index of the first [`implausible`] character of `text`, or its length.
    first_bad: usize,
}

impl Decoded {
    /// Decode from `from`, reusing the buffers.
    fn decode(&mut self, chars: &[char], from: usize) {
        self.from = from;
        self.bounds.clear();
        self.out.clear();
        self.twice_done = false;
        let mut d = Utf8::default();
        let mut multi = false;
        for (k, &c) in chars.iter().enumerate().skip(from) {
            if transparent(c) {
                continue;
            }
            let Some((units, n)) = units_of(c) else { break };
            let before = self.out.len();
            if units[..n].iter().try_for_each(|&u| d.feed(u, &mut self.out)).is_err() {
                break;
            }
            // Only a real character from a three- or four-byte sequence makes a candidate:
            // runs of U+FFFD alone carry no evidence (and must stay as they are on a second
            // pass).
            multi |= self.out[before..]
                .iter()
                .any(|o| matches!(o, Out::Char(ch) if (*ch as u32) >= 0x800));
            if d.idle() && !c.is_ascii() {
                self.bounds.push((k + 1, self.out.len(), multi));
            }
        }
        self.text.clear();
        self.text.text.extend(self.out.iter().map(out_char));
        self.first_control = self.out.len();
        self.first_odd = self.out.len();
        self.first_kun = self.out.len();
        self.big.clear();
        self.big.push(0);
        let mut big = 0;
        for (k, o) in self.out.iter().enumerate() {
            if let Out::Char(c) = *o {
                if c.is_control() && !c.is_ascii_whitespace() {
                    self.first_control = self.first_control.min(k);
                } else if implausible(c) {
                    self.first_odd = self.first_odd.min(k);
                }
                if c == '\u{FFFD}' {
                    self.first_kun = self.first_kun.min(k);
                }
                big += u32::from(c as u32 >= 0x800);
            }
            self.big.push(big);
        }
    }

    /// The second round trip of the output, computed once per start when first asked for.
    fn twice(&mut self) -> &mut Twice {
        if !self.twice_done {
            self.twice_done = true;
            let tw = &mut self.twice;
            tw.out.clear();
            tw.at.clear();
            tw.at.push(None);
            let mut d = Utf8::default();
            let mut any_pair = false;
            for &c in &self.text.text {
                if c == '\u{FFFD}' {
                    break;
                }
                let Some((units, n)) = units_of(c) else { break };
                any_pair |= n == 2;
                if units[..n].iter().try_for_each(|&u| d.feed(u, &mut tw.out)).is_err() {
                    break;
                }
                tw.at.push((d.idle() && any_pair).then_some(tw.out.len()));
            }
            tw.text.clear();
            tw.text.text.extend(tw.out.iter().map(out_char));
            tw.first_bad =
                tw.text.text.iter().position(|&c| implausible(c)).unwrap_or(tw.out.len());
        }
        &mut self.twice
    }
}

fn out_char(o: &Out) -> char {
    if let Out::Char(c) = o {
        *c
    } else {
        '\u{FFFD}'
    }
}

fn outs_to_chars(outs: &[Out]) -> Vec<char> {
    outs.iter().map(|o| if let Out::Char(c) = o { *c } else { '\u{FFFD}' }).collect()
}

/// Fill lost characters the language model can pick with confidence: each candidate is a
/// completion of the surviving bytes that is a Han character or CJK punctuation; the best
/// must beat the runner-up by `margin` nats in context. Others stay U+FFFD.
fn guess_lost(outs: &[Out], left: Option<char>, right: Option<char>, margin: f32) -> Vec<char> {
    let mut chars = outs_to_chars(outs);
    let m = lm();
    for (k, o) in outs.iter().enumerate() {
        let Out::Lost(seq) = o else { continue };
        let l = if k == 0 { left } else { Some(chars[k - 1]) };
        let r = chars.get(k + 1).copied().or(right).filter(|&c| c != '\u{FFFD}');
        let mut best = (f32::INFINITY, None::<char>);
        let mut second = f32::INFINITY;
        let between = m.between(l.filter(|&c| c != '\u{FFFD}'), r);
        completions(seq, |c| {
            let cost = nats(m.cost_between(c, &between));
            if cost < best.0 {
                second = best.0;
                best = (cost, Some(c));
            } else if cost < second {
                second = cost;
            }
        });
        if let Some(c) = best.1 {
            if second - best.0 >= margin {
                chars[k] = c;
            }
        }
    }
    chars
}

/// Each character a three-byte sequence with holes can stand for, in order, given to `each`
/// (Han and CJK punctuation only; a lost lead byte is not guessed).
fn completions(seq: &Lost, mut each: impl FnMut(char)) {
    let b = seq.bytes;
    if seq.len != 3 || b[0] == HOLE {
        return;
    }
    let range = |x: u16| if x == HOLE { 0x80..=0xBF } else { x..=x };
    for b1 in range(b[1]) {
        for b2 in range(b[2]) {
            let cp = (u32::from(b[0]) & 0x0F) << 12
                | (u32::from(b1) & 0x3F) << 6
                | (u32::from(b2) & 0x3F);
            if let Some(c) = char::from_u32(cp) {
                if matches!(cp, 0x4E00..=0x9FFF | 0x3000..=0x303F | 0xFF00..=0xFF5E) {
                    each(c);
                }
            }
        }
    }
}

/// Double-byte repairs starting in `windows`. The search at `i` also tries starts up to three
/// characters later, so each window is entered three characters early: the result is the
/// same as searching the whole line, where starts outside the windows find nothing.
fn double_byte_fixes(
    chars: &[char],
    p: &Params,
    windows: &[(usize, usize)],
    search: &mut Search,
) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let mut i = 0;
    for &(lo, hi) in windows {
        i = i.max(lo.saturating_sub(3));
        while i < hi {
            i = double_byte_at(chars, p, i, &mut fixes, search);
        }
    }
    fixes
}

/// What a candidate of the double-byte search replaces its span with, in the buffers of
/// its start ([`Start::dec`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum NewText {
    /// `out[a..b]` of the decode (read once).
    Once(usize, usize),
    /// The first `n` characters of the second round trip.
    Twice(usize),
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    start: usize,
    end: usize,
    new: NewText,
    rule: &'static str,
    gain: Cost,
}

/// Decode `chars` from the start `s` into `slot` and score its candidates: the eight longest
/// readings that hold a character of three or more bytes, each read once and (unless it is
/// 锟斤拷) twice. What is kept does not depend on where the search stands, so
/// [`double_byte_at`] can reuse it for every search position that looks at `s`.
fn scored_start(chars: &[char], s: usize, line: &mut Prefix, slot: &mut Start) {
    let Start { dec: cur, cands: kept, .. } = slot;
    kept.clear();
    cur.decode(chars, s);
    let left = line.left_of(s);
    let mut ends = [(0, 0); 8];
    let mut n_ends = 0;
    for &(e, len, _) in cur.bounds.iter().filter(|b| b.2).rev().take(8) {
        ends[n_ends] = (e, len);
        n_ends += 1;
    }
    for &(e, len) in &ends[..n_ends] {
        let right = line.right_of(e);
        let old = line.span_cost(s, e);
        // Controls in the span cost nothing: they must not count as cheap characters.
        let old_parts = {
            let (n, c) = line.others(s, e);
            (n, c, line.seen_len(s, e))
        };
        let kun = cur.first_kun < len;
        let rule = if kun { "kunjinkao" } else { "utf8-as-gbk" };
        let mut cands = [Some(NewText::Once(0, len)), None];
        if !kun {
            let tw = cur.twice();
            if let Some(&Some(n)) = tw.at.get(len) {
                cands[1] = Some(NewText::Twice(n));
            }
        }
        for new in cands.into_iter().flatten() {
            let (rule, g) = match new {
                NewText::Once(..) => {
                    // Odd characters are never text; in 锟斤拷 they are what the bytes
                    // were (GBK text read as UTF-8), and 锟斤拷 itself is the evidence.
                    if !kun && cur.first_control.min(cur.first_odd) < len {
                        continue;
                    }
                    let g = old - cur.text.cost(0, len, left, right);
                    if kun {
                        (rule, g)
                    } else {
                        let new = cur.text.others(0, len);
                        let Some(g) = evidence(g, old_parts, (new.0, new.1, len)) else {
                            continue;
                        };
                        (rule, g)
                    }
                }
                NewText::Twice(n) => {
                    let tw = cur.twice();
                    if tw.first_bad < n {
                        continue;
                    }
                    let g = old - tw.text.cost(0, n, left, right);
                    let new = tw.text.others(0, n);
                    let Some(g) = evidence(g, old_parts, (new.0, new.1, n)) else {
                        continue;
                    };
                    ("utf8-as-gbk-x2", g)
                }
            };
            kept.push((e, new, rule, g));
        }
    }
}

/// The double-byte repairs of the whole line (one window over it) with the search's memory
/// of starts ([`Search::starts`]) wiped before every position, so each position decodes and
/// scores its starts afresh: what the reuse must agree with.
#[cfg(test)]
pub(crate) fn double_byte_fixes_afresh(chars: &[char], p: &Params) -> Vec<Fix> {
    let mut search = Search::default();
    search.line.set(chars);
    let mut fixes = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        search.starts = Default::default();
        i = double_byte_at(chars, p, i, &mut fixes, &mut search);
    }
    fixes
}

/// The double-byte repairs of the whole line as [`repair_line`] searches them.
#[cfg(test)]
pub(crate) fn double_byte_fixes_reusing(chars: &[char], p: &Params) -> Vec<Fix> {
    let mut search = Search::default();
    search.line.set(chars);
    double_byte_fixes(chars, p, &[(0, chars.len())], &mut search)
}

/// Search for a double-byte repair at `i`; push it and return where to go on.
///
/// For each start the line is decoded once (and the decode kept for the next positions,
/// see [`Search::starts`]); every candidate end is a prefix of that decode and is scored
/// from prefix sums, so a start costs one pass over the line whatever the number of ends
/// tried.
fn double_byte_at(
    chars: &[char],
    p: &Params,
    i: usize,
    fixes: &mut Vec<Fix>,
    search: &mut Search,
) -> usize {
    if !(is_start(chars[i]) || chars[i] == '\u{FFFD}') {
        return i + 1;
    }
    let Search { line, starts: slots } = search;
    let mut best: Option<Cand> = None;
    // Also start one to three characters later: the first may be clean text whose bytes
    // happen to continue into the damage.
    let starts =
        (i..chars.len().min(i + 4)).filter(|&s| is_start(chars[s]) || chars[s] == '\u{FFFD}');
    for s in starts {
        let slot = &mut slots[s % 4];
        if slot.from != Some(s) {
            slot.from = Some(s);
            scored_start(chars, s, line, slot);
        }
        for &(e, new, rule, g) in &slot.cands {
            // 锟斤拷 text went through the round trip as a whole: take the longest
            // reading, not the best-scoring one.
            let better = match &best {
                None => true,
                Some(b) if b.rule == "kunjinkao" => rule == "kunjinkao" && e - s > b.end - b.start,
                Some(b) => rule == "kunjinkao" || g > b.gain,
            };
            if better {
                best = Some(Cand { start: s, end: e, new, rule, gain: g });
            }
        }
    }
    let best_at = match &best {
        Some(f) => &mut slots[f.start % 4].dec,
        None => return i + 1,
    };
    // Clean characters before the damage can decode too (as Latin, Greek or Cyrillic
    // letters): try starting at the first few boundaries inside the span.
    if let Some(f) = best.as_mut().filter(|f| f.rule == "utf8-as-gbk") {
        let end = f.end;
        let right = line.right_of(end);
        let end_len = best_at.bounds.iter().find(|b| b.0 == end).map_or(0, |b| b.1);
        for &(k, len, _) in best_at.bounds.iter().filter(|b| b.0 < end).take(8) {
            // The rest must hold a character of three or more bytes.
            if len >= end_len || best_at.big[end_len] == best_at.big[len] {
                break;
            }
            let new_cost = best_at.text.cost(len, end_len, line.left_of(k), right);
            let g = line.span_cost(k, end) - new_cost;
            let (old_n, old_c) = line.others(k, end);
            let (new_n, new_c) = best_at.text.others(len, end_len);
            let old_len = line.seen_len(k, end);
            let ev = evidence(g, (old_n, old_c, old_len), (new_n, new_c, end_len - len));
            if let Some(g) = ev.filter(|&g| g > f.gain) {
                *f =
                    Cand { start: k, end, new: NewText::Once(len, end_len), rule: f.rule, gain: g };
            }
        }
    }
    let Some(f) = best else { return i + 1 };
    let (new, outs): (Vec<char>, &[Out]) = match f.new {
        NewText::Once(a, b) => (best_at.text.text[a..b].to_vec(), &best_at.out[a..b]),
        NewText::Twice(n) => (best_at.twice().text.text[..n].to_vec(), &[]),
    };
    if !(nats(f.gain) >= margin(p, &new) || (f.rule == "kunjinkao" && f.gain > 0)) {
        return i + 1;
    }
    let mut fix = Fix { start: f.start, end: f.end, new, rule: f.rule, gain: f.gain };
    if let Some(m) = p.guess_margin {
        if f.rule == "utf8-as-gbk" && outs.iter().any(|o| matches!(o, Out::Lost(_))) {
            let left = line.left_of(fix.start);
            fix.new = guess_lost(outs, left, line.right_of(fix.end), m);
        }
    }
    let end = fix.end;
    fixes.push(fix);
    end
}

// ---------------------------------------------------------------- single-byte family

type Pair = fn(u8, u8) -> Option<char>;

fn gbk_pair(l: u8, r: u8) -> Option<char> {
    tables().gbk_decode(l, r)
}

fn big5_pair(l: u8, r: u8) -> Option<char> {
    tables().big5_decode(l, r)
}

/// Decode one UTF-8 sequence at the start of `b`.
fn utf8_at(b: &[u8]) -> Option<(char, usize)> {
    let len = match b.first()? {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(b.get(..len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

/// Stretches of `bytes` that decode cleanly, each given to `each` as (start, end, text); a
/// stretch begins and ends with a multi-byte character and breaks at any byte that does not
/// decode. `text` is the buffer the stretches are decoded into.
fn groups(
    bytes: &[u8],
    pair: Option<Pair>,
    text: &mut Vec<char>,
    mut each: impl FnMut(usize, usize, &[char]),
) {
    // Start, end after the last multi-byte character, and the text length there.
    let mut cur: Option<(usize, usize, usize)> = None;
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        if b < 0x80 {
            if cur.is_some() {
                text.push(char::from(b));
            }
            k += 1;
            continue;
        }
        let got = match pair {
            None => utf8_at(&bytes[k..]),
            Some(f) => bytes.get(k + 1).and_then(|&r| f(b, r)).map(|c| (c, 2)),
        };
        match got {
            Some((c, n)) => {
                let g = cur.get_or_insert_with(|| {
                    text.clear();
                    (k, k, 0)
                });
                text.push(c);
                k += n;
                g.1 = k;
                g.2 = text.len();
            }
            None => {
                if let Some((s, e, l)) = cur.take() {
                    each(s, e, &text[..l]);
                }
                k += 1;
            }
        }
    }
    if let Some((s, e, l)) = cur.take() {
        each(s, e, &text[..l]);
    }
}

/// Single-byte repairs in the maximal runs `runs` of single-byte characters.
fn single_byte_fixes(
    chars: &[char],
    p: &Params,
    taken: &[Fix],
    runs: &[(usize, usize)],
    line: &mut Prefix,
) -> Vec<Fix> {
    let mut cands: Vec<Fix> = Vec::new();
    let mut bytes = Vec::new();
    let mut pos = Vec::new();
    for &(i, j) in runs {
        bytes.clear();
        pos.clear();
        // Controls and zero-width characters are looked through, as the double-byte search
        // does (see `transparent`): `normalize` drops them, so a byte pair they split would
        // otherwise be repaired only on a second run. `pos[k]` is the character of byte `k`.
        for (k, &c) in chars[i..j].iter().enumerate() {
            if let Some(b) = single_byte(c).filter(|_| !transparent(c)) {
                bytes.push(b);
                pos.push(i + k);
            }
        }
        // A run whose only non-ASCII bytes are NBSPs is whitespace (web pages indent with
        // `&nbsp;`), not damage: read as GBK it would become 牋牋, which is the damage.
        if bytes.iter().any(|&b| b >= 0x80 && b != 0xA0) {
            run_candidates(chars, &pos, &bytes, p, line, &mut cands);
        }
    }
    // Best first, skipping overlaps with each other and with double-byte fixes.
    cands.sort_by_key(|f| std::cmp::Reverse(f.gain));
    let mut fixes: Vec<Fix> = Vec::new();
    for f in cands {
        let overlaps = |o: &Fix| f.start < o.end && o.start < f.end;
        if f.gain_nats() >= margin(p, &f.new)
            && !taken.iter().any(overlaps)
            && !fixes.iter().any(overlaps)
        {
            fixes.push(f);
        }
    }
    fixes
}

/// Candidates of one run that reach the margin (the others could never be taken, so they
/// are scored but not kept).
fn run_candidates(
    chars: &[char],
    pos: &[usize],
    bytes: &[u8],
    p: &Params,
    line: &mut Prefix,
    cands: &mut Vec<Fix>,
) {
    // Bytes `s..e` are the characters `pos[s]..=pos[e - 1]` (with any transparent ones
    // between them, which the repair drops).
    let span = |s: usize, e: usize| &chars[pos[s]..pos[e - 1] + 1];
    let cp1252 = |s: usize, e: usize| span(s, e).iter().any(|&c| crate::tables::is_cp1252_extra(c));
    let mut push = |s: usize, e: usize, new: &[char], rule: &'static str| {
        if new.iter().any(|&c| implausible(c)) {
            return;
        }
        let (start, end) = (pos[s], pos[e - 1] + 1);
        let g = line.gain(start, end, new);
        if nats(g) >= margin(p, new) {
            cands.push(Fix { start, end, new: new.to_vec(), rule, gain: g });
        }
    };
    let mut text = Vec::new();
    let (mut b2, mut s2) = (Vec::new(), Vec::new());
    groups(bytes, None, &mut text, |s, e, text| {
        let w = cp1252(s, e);
        // A second pass when the first still looks single-byte-decoded.
        b2.clear();
        let all_single = text.iter().all(|&c| single_byte(c).map(|x| b2.push(x)).is_some());
        if all_single && b2.iter().any(|&x| x >= 0x80) {
            if let Ok(again) = std::str::from_utf8(&b2) {
                s2.clear();
                s2.extend(again.chars());
                let rule = if w { "utf8-as-cp1252x2" } else { "utf8-as-latin1x2" };
                push(s, e, &s2, rule);
            }
        }
        let rule = if w { "utf8-as-cp1252" } else { "utf8-as-latin1" };
        push(s, e, text, rule);
        // A character no repair may produce (a stray byte read with its neighbours) would
        // keep the whole stretch from being read: also try the text before it, which is
        // `len_utf8` bytes per character since it was read as UTF-8.
        if let Some(j) = text.iter().position(|&c| implausible(c)).filter(|&j| j > 0) {
            let n: usize = text[..j].iter().map(|c| c.len_utf8()).sum();
            push(s, s + n, &text[..j], rule);
        }
    });
    groups(bytes, Some(gbk_pair), &mut text, |s, e, text| {
        let rule = if cp1252(s, e) { "gbk-as-cp1252" } else { "gbk-as-latin1" };
        push(s, e, text, rule);
    });
    if p.big5 {
        groups(bytes, Some(big5_pair), &mut text, |s, e, text| {
            let rule = if cp1252(s, e) { "big5-as-cp1252" } else { "big5-as-latin1" };
            push(s, e, text, rule);
        });
    }
}

#[cfg(test)]
mod prefix_tests {
    use super::*;

    /// What [`transparent`] means, as first written.
    fn transparent_by_ranges(c: char) -> bool {
        matches!(c, '\0'..='\u{08}' | '\u{0B}' | '\u{0C}' | '\u{0E}'..='\u{1F}' | '\u{7F}')
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}')
    }

    #[test]
    fn transparent_agrees_with_its_definition_on_every_char() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(transparent(c), transparent_by_ranges(c), "{c:?}");
        }
    }

    /// The scan's per-character table, built only where it can differ from `NO_PAIR`, is
    /// `info_of` of every BMP character.
    #[test]
    fn scan_info_table_is_info_of_every_char() {
        let st = scan_tables();
        for cp in 0..0x10000u32 {
            let want = char::from_u32(cp).map_or(NO_PAIR, ScanTables::info_of);
            assert_eq!(st.info[cp as usize], want, "U+{cp:04X}");
        }
    }

    /// Scoring from prefix sums is exact: any span, in any context, costs what the language
    /// model gives character by character.
    #[test]
    fn prefix_sums_score_like_the_model() {
        let text: Vec<char> =
            "发布日期：鍙戝竷鏃ユ湡 ÈÕÆÚ café 中文\u{FFFD}锟斤拷한국".chars().collect();
        let mut pre = Prefix::default();
        pre.set(&text);
        let m = lm();
        for a in 0..text.len() {
            for b in a + 1..=text.len() {
                let (left, right) = (a.checked_sub(1).map(|k| text[k]), text.get(b).copied());
                let want = m.cost(&text[a..b], left, right);
                assert_eq!(pre.span_cost(a, b), want, "{a}..{b}");
                assert_eq!(pre.cost(a, b, Some('的'), None), m.cost(&text[a..b], Some('的'), None));
                assert_eq!(pre.gain(a, b, &['中']), want - m.cost(&['中'], left, right));
            }
        }
    }
}
