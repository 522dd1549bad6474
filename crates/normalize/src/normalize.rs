//! The `normalize` stage: make a Chinese document look like a careful human typed it,
//! without touching anything that is already right.
//!
//! Rules, in order, each with its own toggle in [`NormalizeConfig`]:
//! 1. `nfc`: Unicode NFC.
//! 2. `control-chars`: drop C0/C1 control characters except `\n`, `\r` and `\t`.
//! 3. `zero-width`: drop zero-width spaces, word joiners, BOMs and soft hyphens; drop ZWJ/ZWNJ
//!    next to Han or ASCII (kept inside emoji and scripts that need them).
//! 4. `indentation`: drop runs of spaces/NBSP/U+3000 that indent a line of Chinese text
//!    (indentation of code or Latin text is kept; tabs are cell separators and always kept).
//! 5. `nbsp`: a no-break space inside a line becomes a plain space.
//! 6. `full-width-alnum`: `Ａ１` → `A1` (full-width punctuation is correct Chinese and stays).
//! 7. `cjk-punctuation`: `, : ; ! ? ( )` → `，：；！？（）` only between CJK characters —
//!    never inside numbers, times, dates, URLs, code or Latin text (`37.5`, `10:30`,
//!    `www.x.com`, `e.g.,`). Chinese punctuation is never mapped to ASCII.
//!
//! Before → after: `  2021年上半年,青岛市` → `2021年上半年，青岛市`.

use std::borrow::Cow;

use qingxi_core::{Document, Stage, StageName};
use serde::Deserialize;
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::chars::{is_cjk_closing, is_cjk_opening, is_han, is_indent_space};
use crate::NormalizeError;

/// Half-width punctuation and its full-width form, converted only in Chinese context.
const CJK_PUNCT: &[(char, char)] =
    &[(',', '，'), (':', '：'), (';', '；'), ('!', '！'), ('?', '？'), ('(', '（'), (')', '）')];

/// Characters that are dropped outright by the `zero-width` rule.
const ZERO_WIDTH: &[char] = &['\u{200B}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{180E}'];

/// Options of the `normalize` stage (`[normalize]` in `pipeline.toml`): one switch per rule.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct NormalizeConfig {
    /// Compose the text to Unicode NFC (`e` + combining acute → `é`).
    pub nfc: bool,
    /// Remove control characters other than newline, carriage return and tab.
    pub control_chars: bool,
    /// Remove zero-width spaces, word joiners, byte-order marks and soft hyphens.
    pub zero_width: bool,
    /// Remove spaces, no-break spaces and ideographic spaces that indent lines of Chinese.
    pub indentation: bool,
    /// Turn no-break spaces inside a line into plain spaces.
    pub nbsp: bool,
    /// Turn full-width ASCII letters and digits into half-width ones.
    pub full_width_alnum: bool,
    /// Turn half-width `, : ; ! ? ( )` between CJK characters into full-width.
    pub cjk_punctuation: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            nfc: true,
            control_chars: true,
            zero_width: true,
            indentation: true,
            nbsp: true,
            full_width_alnum: true,
            cjk_punctuation: true,
        }
    }
}

impl NormalizeConfig {
    /// Build the runtime stage.
    pub fn build(&self) -> Result<Normalize, NormalizeError> {
        Ok(Normalize { cfg: self.clone() })
    }
}

/// The runtime `normalize` stage.
#[derive(Debug, Clone)]
pub struct Normalize {
    cfg: NormalizeConfig,
}

impl Stage for Normalize {
    fn name(&self) -> StageName {
        StageName::Normalize
    }

    fn run(&self, doc: &mut Document) {
        let (text, n) = self.apply(&doc.text);
        if let Cow::Owned(t) = text {
            doc.text = t;
        }
        doc.count(StageName::Normalize, n);
    }
}

/// Output under construction: nothing is allocated until the first change.
struct Out<'a> {
    src: &'a str,
    buf: Option<String>,
    copied: usize,
    changes: u64,
}

impl<'a> Out<'a> {
    /// Replace `src[at..at + len]` with `with`.
    fn replace(&mut self, at: usize, len: usize, with: &str) {
        // Room for some growth: each `,` that becomes `，` adds two bytes, and a text that
        // outgrows its buffer is copied once more.
        let buf = self
            .buf
            .get_or_insert_with(|| String::with_capacity(self.src.len() + self.src.len() / 8));
        buf.push_str(&self.src[self.copied..at]);
        buf.push_str(with);
        self.copied = at + len;
        self.changes += 1;
    }

    fn finish(self) -> (Cow<'a, str>, u64) {
        match self.buf {
            None => (Cow::Borrowed(self.src), 0),
            Some(mut b) => {
                b.push_str(&self.src[self.copied..]);
                (Cow::Owned(b), self.changes)
            }
        }
    }
}

/// Characters that are NFC on their own and never combine with a neighbour (ASCII, Latin-1,
/// general punctuation but U+2000 and U+2001, which NFC maps to the en and em spaces U+2002
/// and U+2003, CJK punctuation without the tone marks U+302A..U+302F, Han and the Yijing
/// hexagram symbols between its blocks, full-width forms): text made only of them is NFC
/// without consulting the tables.
fn nfc_stable(c: char) -> bool {
    matches!(c,
        '\0'..='\u{2FF}'
        | '\u{2002}'..='\u{206F}'
        | '\u{3000}'..='\u{3029}'
        | '\u{3030}'..='\u{303F}'
        | '\u{3400}'..='\u{9FFF}'
        | '\u{FF00}'..='\u{FFEF}')
}

/// Character starts a chunk test covers at once.
const CHUNK: usize = 32;

/// Does `ok` hold at each of the first [`CHUNK`] bytes of `w`, given the two bytes after
/// each? Written without branches so that it compiles to a few vector instructions per
/// chunk: a character starting in the chunk is judged by its lead byte and the two bytes
/// after it, which the window holds even for the last ones.
#[inline]
fn chunk_all(w: &[u8; CHUNK + 2], ok: impl Fn(u8, u8, u8) -> bool) -> bool {
    let mut bad = 0u8;
    for j in 0..CHUNK {
        bad |= u8::from(!ok(w[j], w[j + 1], w[j + 2]));
    }
    bad == 0
}

/// The window of [`chunk_all`] at byte `i`, when the text is that long.
#[inline]
fn window(b: &[u8], i: usize) -> Option<&[u8; CHUNK + 2]> {
    b.get(i..i + CHUNK + 2).and_then(|w| w.try_into().ok())
}

/// Is the character starting with byte `x` (then `y`, `z`) [`nfc_stable`]? True for a
/// continuation byte. Exact, from the UTF-8 forms of the ranges: `00`..`CB` (ASCII and up
/// to U+02FF), `E2 80` but `80` `81`, `E2 81 80`..`AF` (U+2002..U+206F), `E3 80` but `AA`..`AF`
/// (U+3000..U+303F without the tone marks), `E3 90`.. and `E4`..`E9` (U+3400..U+9FFF),
/// `EF BC 80`..`EF BF AF` (U+FF00..U+FFEF).
#[inline]
fn nfc_stable_start(x: u8, y: u8, z: u8) -> bool {
    (x < 0xCC)
        | (x.wrapping_sub(0xE4) < 6)
        | ((x == 0xE2) & (((y == 0x80) & (z >= 0x82)) | ((y == 0x81) & (z < 0xB0))))
        | ((x == 0xE3) & (((y == 0x80) & !(0xAA..=0xAF).contains(&z)) | (y >= 0x90)))
        | ((x == 0xEF) & (y >= 0xBC) & !((y == 0xBF) & (z >= 0xB0)))
}

/// The characters of `text` that are not [`nfc_stable`], in order. Stable characters are
/// skipped without decoding: [`CHUNK`]-byte chunks where [`nfc_stable_start`] holds at
/// every byte in one vectorizable test, and the same lead bytes one character at a time
/// elsewhere.
fn unstable_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let b = text.as_bytes();
    let mut i = 0;
    // End of the last chunk that failed the test: characters up to it go one at a time.
    let mut slow_until = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if i >= slow_until {
                if let Some(w) = window(b, i) {
                    if chunk_all(w, nfc_stable_start) {
                        i += CHUNK;
                        // Finish the character cut by the chunk's end.
                        while b.get(i).is_some_and(|x| (0x80..0xC0).contains(x)) {
                            i += 1;
                        }
                        continue;
                    }
                }
                slow_until = i + CHUNK;
            }
            match b[i] {
                0x00..=0x7F => i += 1,
                0xC2..=0xCB => i += 2,
                0xE4..=0xE9 => i += 3,
                // Other 3-byte characters (CJK punctuation, full-width forms): decode here.
                lead @ 0xE0..=0xEF if i + 2 < b.len() => {
                    let cp = (u32::from(lead & 0x0F) << 12)
                        | (u32::from(b[i + 1] & 0x3F) << 6)
                        | u32::from(b[i + 2] & 0x3F);
                    i += 3;
                    match char::from_u32(cp) {
                        Some(c) if !nfc_stable(c) => return Some(c),
                        _ => {}
                    }
                }
                _ => {
                    let c = text[i..].chars().next()?;
                    i += c.len_utf8();
                    if !nfc_stable(c) {
                        return Some(c);
                    }
                }
            }
        }
        None
    })
}

/// ASCII bytes that some rule may act on: controls other than `\t` (with `\n` and `\r`,
/// which start a line), the punctuation that may become full-width, and `*`, which is
/// transparent for the Chinese-context test.
const ASCII_TOUCHED: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize;
        b += 1;
    }
    t[0x7F] = true;
    let punct = b",:;!?()*";
    let mut k = 0;
    while k < punct.len() {
        t[punct[k] as usize] = true;
        k += 1;
    }
    t
};

/// Could some rule act on the non-ASCII character `c` in the middle of a line? (C1
/// controls, NBSP, zero-width characters, full-width letters and digits.) The definition
/// [`skip_plain`] decides from bytes.
#[cfg(test)]
fn is_touched(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{A0}' | '\u{AD}') || is_zero_width(c) || is_fullwidth_alnum(c)
}

/// Byte offset of the first character at or after `from` that some rule may act on when
/// it is not the first of its line. Everything before it is left as it is and only
/// becomes the previous character.
///
/// Decided from the UTF-8 bytes alone, without decoding: the touched characters outside
/// ASCII are C1 controls, NBSP and the soft hyphen (`C2 80`..`C2 A0`, `C2 AD`), U+180E
/// (`E1 A0 8E`), U+200B..U+200D (`E2 80 8B`..`8D`), U+2060 (`E2 81 A0`), U+FEFF
/// (`EF BB BF`) and the full-width digits and letters (`EF BC 90`..`99`, `EF BC A1`..`BA`,
/// `EF BD 81`..`9A`); every other character is skipped by the length its lead byte gives.
///
/// With `NFC`, it also stops at the first character that is not [`nfc_skippable`], so
/// that one scan both skips the plain text and proves it NFC.
fn skip_plain<const NFC: bool>(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let table = if NFC { &SKIP_NFC } else { &SKIP };
    let mut i = from;
    while let Some(&lead) = b.get(i) {
        // One table load decides the common characters, ASCII and Han alike, four at a
        // time while they last.
        let step = table[usize::from(lead)];
        if step != 0 {
            i += usize::from(step);
            // Three more characters without a branch each: a step of 0 stays put.
            for _ in 0..3 {
                if let Some(&x) = b.get(i) {
                    i += usize::from(table[usize::from(x)]);
                }
            }
            continue;
        }
        // The three-byte characters are decided by one bit of [`STOP3`]; a `str` holds
        // the two bytes after their lead byte.
        let stop = match lead {
            0xE0..=0xEF => {
                let (y, z) = (b[i + 1], b[i + 2]);
                let block = (usize::from(lead & 0x0F) << 6) | usize::from(y & 0x3F);
                STOP3[usize::from(NFC)][block] >> (z & 0x3F) & 1 != 0
            }
            0xC2 => b[i + 1] <= 0xA0 || b[i + 1] == 0xAD,
            // Touched ASCII, the lead bytes of characters that are not stable (with `NFC`),
            // and, impossible in a `str`, a byte that starts nothing.
            _ => true,
        };
        if stop {
            return i;
        }
        i += if lead == 0xC2 { 2 } else { 3 };
    }
    i
}

/// For each lead byte, the length of the character it starts when [`skip_plain`] skips
/// it without a look at the bytes after it; 0 for touched ASCII, for the lead bytes
/// `C2`, `E1`, `E2` and `EF` of the touched characters outside ASCII, and for the bytes
/// that start no character. (U+3000 is an indent only at the start of a line, which the
/// caller of `skip_plain` handles.)
const SKIP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b {
            0x00..=0x7F if ASCII_TOUCHED[b] => 0,
            0x00..=0x7F => 1,
            0xC3..=0xDF => 2,
            0xC2 | 0xE1 | 0xE2 | 0xEF => 0,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// Does [`skip_plain`] stop at the three-byte character `cp` (U+0800..U+FFFF)? When it
/// is touched, or with `nfc` when it is not [`nfc_known_inert`].
const fn stops3(cp: u32, nfc: bool) -> bool {
    let touched = matches!(cp,
        0x180E | 0x200B..=0x200D | 0x2060 | 0xFEFF | 0xFF10..=0xFF19 | 0xFF21..=0xFF3A
        | 0xFF41..=0xFF5A);
    touched || (nfc && !nfc_known_inert(cp))
}

/// Three-byte characters the NFC check passes over without a look at the tables: the
/// [`nfc_stable`] ones (which [`Normalize::compose`] leaves out of its quick check), and
/// the symbols, kana, Hangul syllables and private-use characters that scraped Chinese
/// pages hold (`①`, `■`, `→`, `€`, `℃`), which are [`nfc_inert`] (a test checks them all)
/// but for the combining kana voicing marks and the few with a canonical singleton
/// decomposition (Ohm, Kelvin and Ångström signs, `〈` `〉` U+2329/U+232A, U+2ADC).
const fn nfc_known_inert(cp: u32) -> bool {
    matches!(cp,
        0x2002..=0x20CF
        | 0x2100..=0x2BFF
        | 0x3000..=0x3029
        | 0x3030..=0x3098
        | 0x309B..=0x9FFF
        | 0xAC00..=0xD7A3
        | 0xE000..=0xF8FF
        | 0xFF00..=0xFFEF)
        && !matches!(cp, 0x2126 | 0x212A | 0x212B | 0x2329 | 0x232A | 0x2ADC)
}

/// [`stops3`] as bits, without `NFC` (`[0]`) and with it (`[1]`): for the lead byte's low
/// four bits and the second byte's low six (a block of 64 characters), bit `z & 0x3F`.
const STOP3: [[u64; 1024]; 2] = {
    let mut t = [[0u64; 1024]; 2];
    let mut nfc = 0;
    while nfc < 2 {
        let mut block = 0;
        while block < 1024 {
            let mut bit = 0;
            while bit < 64 {
                // Block 0 (`E0 80`) and U+D800..U+DFFF are not UTF-8: never looked up.
                let cp = ((block << 6) | bit) as u32;
                if stops3(cp, nfc == 1) {
                    t[nfc][block] |= 1 << bit;
                }
                bit += 1;
            }
            block += 1;
        }
        nfc += 1;
    }
    t
};

/// [`SKIP`] for the scan that also proves the text NFC: 0 as well for the lead bytes of
/// characters that are not [`nfc_skippable`] or may not be (`CC`..`DF`, `E0`, `E3`,
/// `EA`..`EE`, `F0`..`F4`), which the slow branch of [`skip_plain`] judges.
const SKIP_NFC: [u8; 256] = {
    let mut t = SKIP;
    let mut b = 0;
    while b < 256 {
        if matches!(b, 0xCC..=0xDF | 0xE0 | 0xE3 | 0xEA..=0xEE | 0xF0..=0xF4) {
            t[b] = 0;
        }
        b += 1;
    }
    t
};

/// The characters `skip_plain::<true>` passes over as far as NFC goes: by their lead byte
/// for two- and four-byte characters ([`nfc_stable`]), by [`STOP3`] for three-byte ones
/// ([`nfc_known_inert`]).
fn nfc_skippable(c: char) -> bool {
    if ('\u{800}'..='\u{FFFF}').contains(&c) {
        nfc_known_inert(c as u32)
    } else {
        nfc_stable(c)
    }
}

/// Does a character that is not [`nfc_stable`] leave a text NFC whatever surrounds it? It
/// must be a starter (combining class 0) with quick-check Yes: then
/// [`Normalize::compose`]'s quick check of the unstable characters says Yes as long as all
/// of them are such.
fn nfc_inert(c: char) -> bool {
    canonical_combining_class(c) == 0 && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
}

fn is_fullwidth_alnum(c: char) -> bool {
    matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

fn is_zero_width(c: char) -> bool {
    ZERO_WIDTH.contains(&c) || c == '\u{200C}' || c == '\u{200D}'
}

/// The character before the current position in [`Normalize::rewrite`]: one written in
/// place of the source (`Char`), or the source character ending at a byte offset
/// (`EndsAt`), decoded only when a punctuation check asks for it.
#[derive(Clone, Copy)]
enum Prev {
    Char(Option<char>),
    EndsAt(usize),
}

impl Prev {
    fn get(self, text: &str) -> Option<char> {
        match self {
            Prev::Char(c) => c,
            Prev::EndsAt(end) => text[..end].chars().next_back(),
        }
    }
}

/// The new text a pass produced, `None` when it borrowed its input unchanged.
fn changed(out: Cow<'_, str>) -> Option<String> {
    match out {
        Cow::Borrowed(_) => None,
        Cow::Owned(o) => Some(o),
    }
}

/// Could anything in `text` (already NFC) need a change? Cheap byte scan for the fast path.
fn maybe_dirty(text: &str) -> bool {
    text.bytes().any(|b| {
        // ASCII controls other than \t \n \r, the punctuation we may convert, spaces that may
        // indent, and any lead byte of a non-ASCII character (checked precisely later).
        matches!(b, 0..=8 | 11 | 12 | 14..=31 | 127 | b',' | b':' | b';' | b'!' | b'?' | b'(' | b' ')
            || b >= 0xC2
    })
}

impl Normalize {
    /// Apply every enabled rule; returns the text and the number of changes.
    ///
    /// The invisible characters (rules 2 and 3) go first, in a pass of their own, and only
    /// when the text has some: every later rule looks at neighbouring characters (is this
    /// line indented? is this comma between Han?), and must see them as they will read once
    /// the invisible ones are gone, or a second run would decide differently (`" \u{1}中"`
    /// would keep its indentation, hidden behind the control character, until then).
    ///
    /// Most texts are NFC and have no invisible characters: one pass of
    /// [`Self::rewrite`] checks both as it goes and does all the work. When it finds
    /// either, [`Self::apply_in_steps`] starts over.
    pub(crate) fn apply<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
        match self.rewrite(text, false, !self.cfg.nfc) {
            Some(done) => done,
            None => self.apply_in_steps(text),
        }
    }

    /// [`Self::apply`] one step after the other: NFC, then the invisible characters when
    /// there are some, NFC again, then the other rules.
    fn apply_in_steps<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
        let (composed, mut n) = self.compose(Cow::Borrowed(text));
        let stripped = match composed {
            Cow::Borrowed(t) => match self.rewrite(t, false, true) {
                Some((out, k)) => return (out, n + k),
                None => self.strip_invisible(t),
            },
            Cow::Owned(t) => match self.rewrite(&t, false, true) {
                Some((out, k)) => return (Cow::Owned(changed(out).unwrap_or(t)), n + k),
                None => {
                    let (out, k) = self.strip_invisible(&t);
                    (Cow::Owned(changed(out).unwrap_or(t)), k)
                }
            },
        };
        let (stripped, k) = stripped;
        n += k;
        // Dropping a character can bring a combining mark next to the base it composes with
        // (`e\u{1}\u{301}`).
        let (visible, k) = self.compose(stripped);
        n += k;
        match visible {
            Cow::Borrowed(t) => {
                let (out, k) = self.rewrite(t, true, true).unwrap_or((Cow::Borrowed(t), 0));
                (out, n + k)
            }
            Cow::Owned(t) => {
                let (out, k) = self.rewrite(&t, true, true).unwrap_or((Cow::Borrowed(&t), 0));
                (Cow::Owned(changed(out).unwrap_or(t)), n + k)
            }
        }
    }

    /// Unicode NFC (rule 1), counted as one change when it changes anything.
    fn compose<'a>(&self, text: Cow<'a, str>) -> (Cow<'a, str>, u64) {
        // Stable characters are starters with quick-check Yes: leaving them out can only turn
        // a Yes into a spurious No (then the composed text equals the input), never hide a
        // real No.
        if self.cfg.nfc && is_nfc_quick(unstable_chars(&text)) != IsNormalized::Yes {
            let composed: String = text.nfc().collect();
            if composed != *text {
                return (Cow::Owned(composed), 1);
            }
        }
        (text, 0)
    }

    /// Is `c` dropped by the `control-chars` rule?
    fn drops_control(&self, c: char) -> bool {
        self.cfg.control_chars && c.is_control() && !matches!(c, '\t' | '\n' | '\r')
    }

    /// Drop control characters (rule 2) and zero-width characters (rule 3).
    ///
    /// A ZWJ/ZWNJ is kept only between characters that need it (emoji, Indic scripts). Its
    /// neighbours are the characters that remain around it, and a character that a later
    /// rule turns into ASCII (full-width letters, NBSP) or removes (indentation spaces)
    /// already counts as text, so that a second run keeps exactly the joiners the first kept.
    fn strip_invisible<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
        let mut out = Out { src: text, buf: None, copied: 0, changes: 0 };
        let near_text = |x: Option<char>| {
            x.is_some_and(|x| {
                x.is_ascii() || is_han(x) || is_indent_space(x) || is_fullwidth_alnum(x)
            })
        };
        let dropped = |c: char| self.drops_control(c) || is_zero_width(c) || c == '*';
        // The last character kept (emphasis markers are transparent, as for punctuation).
        let mut prev: Option<char> = None;
        for (i, c) in text.char_indices() {
            // Printable ASCII and CJK characters up to U+FEFE are neither control nor
            // zero-width characters: they only become the previous character.
            if matches!(c, ' '..='~' | '\u{3000}'..='\u{FEFE}') {
                if c != '*' {
                    prev = Some(c);
                }
                continue;
            }
            if self.drops_control(c) {
                out.replace(i, c.len_utf8(), "");
                continue;
            }
            if self.cfg.zero_width && is_zero_width(c) {
                let joiner = c == '\u{200C}' || c == '\u{200D}';
                let next = || text[i + c.len_utf8()..].chars().find(|x| !dropped(*x));
                if !joiner || near_text(prev) || near_text(next()) {
                    out.replace(i, c.len_utf8(), "");
                    continue;
                }
            }
            if c != '*' {
                prev = Some(c);
            }
        }
        out.finish()
    }

    /// Rules 4 to 7 (and 2 and 3 when `invisible_done`, which then keeps what is left).
    /// `None` when the text has an invisible character that [`Self::strip_invisible`] must
    /// see first, or, unless `nfc_done`, a character that may make it not NFC (one that is
    /// not [`nfc_inert`]): then [`Self::compose`] must run first.
    fn rewrite<'a>(
        &self,
        text: &'a str,
        invisible_done: bool,
        nfc_done: bool,
    ) -> Option<(Cow<'a, str>, u64)> {
        if !maybe_dirty(text) {
            return Some((Cow::Borrowed(text), 0));
        }
        let cfg = &self.cfg;
        let mut out = Out { src: text, buf: None, copied: 0, changes: 0 };
        // The last character written to the output (removed characters do not count).
        let mut prev = Prev::Char(None);
        let mut at_line_start = true;
        // Byte offset of a `)` already chosen to become `）`.
        let mut pending_close: Option<usize> = None;
        let mut next_at = 0;
        while next_at < text.len() {
            if !at_line_start {
                // The bulk of a Chinese text (Han, CJK punctuation, letters, digits) is
                // skipped by lead byte; it only becomes the previous character.
                let plain_end = if nfc_done {
                    skip_plain::<false>(text, next_at)
                } else {
                    skip_plain::<true>(text, next_at)
                };
                if plain_end > next_at {
                    prev = Prev::EndsAt(plain_end);
                    next_at = plain_end;
                }
            }
            let i = next_at;
            let Some(c) = text[i..].chars().next() else { break };
            next_at = i + c.len_utf8();
            if !nfc_done && !nfc_skippable(c) && !nfc_inert(c) {
                return None;
            }
            if at_line_start {
                at_line_start = false;
                if cfg.indentation && is_indent_space(c) {
                    let end = indent_end(text, i);
                    if should_strip_indent(text, i, end) {
                        out.replace(i, end - i, "");
                        next_at = end;
                        continue;
                    }
                }
            }
            // Han and CJK punctuation (U+3001..U+FDFF) are never rewritten here.
            if ('\u{3001}'..'\u{FE00}').contains(&c) {
                prev = Prev::EndsAt(next_at);
                continue;
            }
            // A lone `\r` ends a line too (`reflow` turns it into `\n` later, and the line
            // after it must not keep an indentation that a second run would strip).
            if c == '\n' || c == '\r' {
                at_line_start = true;
                pending_close = None;
                prev = Prev::EndsAt(next_at);
                continue;
            }
            if !invisible_done && (self.drops_control(c) || (cfg.zero_width && is_zero_width(c))) {
                return None;
            }
            if cfg.nbsp && c == '\u{A0}' {
                out.replace(i, c.len_utf8(), " ");
                prev = Prev::Char(Some(' '));
                continue;
            }
            // A full-width letter carrying a combining mark stays: the ASCII letter would
            // compose with the mark, and the text would no longer be NFC.
            if cfg.full_width_alnum
                && is_fullwidth_alnum(c)
                && !text[next_at..].starts_with(is_combining_mark)
            {
                let half = char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c);
                let mut b = [0u8; 4];
                out.replace(i, c.len_utf8(), half.encode_utf8(&mut b));
                prev = Prev::Char(Some(half));
                continue;
            }
            if cfg.cjk_punctuation {
                if let Some(full) = self.cjk_punct(text, i, c, prev, &mut pending_close) {
                    let mut b = [0u8; 4];
                    out.replace(i, 1, full.encode_utf8(&mut b));
                    prev = Prev::Char(Some(full));
                    continue;
                }
            }
            // Markdown emphasis left by the scraper (removed later by `reflow`) is transparent
            // for the Chinese-context test.
            if c != '*' {
                prev = Prev::EndsAt(next_at);
            }
        }
        Some(out.finish())
    }

    /// The full-width form of the punctuation `c` at byte `i`, when it stands in Chinese
    /// context.
    fn cjk_punct(
        &self,
        text: &str,
        i: usize,
        c: char,
        prev: Prev,
        pending_close: &mut Option<usize>,
    ) -> Option<char> {
        let full = CJK_PUNCT.iter().find(|(h, _)| *h == c)?.1;
        let left = prev.get(text)?;
        match c {
            ')' => (*pending_close == Some(i)).then(|| {
                *pending_close = None;
                full
            }),
            '(' => {
                let close = matching_paren(text, i)?;
                let inner = &text[i + 1..close];
                let first = inner.chars().next()?;
                let last = inner.chars().next_back()?;
                let after = text[close + 1..].chars().next();
                let ok = is_han(left)
                    && is_han(first)
                    && (is_han(last) || is_cjk_closing(last))
                    && !after.is_some_and(|a| a.is_ascii_alphanumeric());
                ok.then(|| {
                    *pending_close = Some(close);
                    full
                })
            }
            _ => {
                let right = next_visible(text, i + 1);
                if is_digit(left) && right.is_some_and(is_digit) {
                    return None;
                }
                let left_ok =
                    is_han(left) || is_cjk_closing(left) || number_after_han(text, i, left);
                let chinese_at = |at: usize| {
                    next_visible(text, at).is_some_and(|r| {
                        is_han(r) || is_cjk_opening(r) || number_before_han(text, at)
                    })
                };
                // The rest of the line, past emphasis markers, zero-width characters and the
                // trailing spaces that `reflow` removes: a second run must find the same.
                let tail = text[i + 1..].trim_start_matches(|x: char| {
                    x == '*' || is_zero_width(x) || matches!(x, ' ' | '\t' | '\u{A0}' | '\u{3000}')
                });
                let right_ok = if tail.is_empty() || tail.starts_with(['\n', '\r']) {
                    // At a line end: sentence punctuation after Chinese is Chinese; a comma is
                    // when the text goes on in Chinese on the next line (`reflow` joins them).
                    matches!(c, '!' | '?' | ':' | ';')
                        || chinese_at(self.next_line_text(text, text.len() - tail.len()))
                } else {
                    chinese_at(i + 1)
                };
                (left_ok && right_ok).then_some(full)
            }
        }
    }
}

impl Normalize {
    /// Where the text goes on after the line break at byte `from`: past the line breaks, and
    /// past the indentation this stage strips (which a second run would no longer see), as
    /// often as blank lines follow.
    fn next_line_text(&self, text: &str, from: usize) -> usize {
        let mut at = from;
        loop {
            let rest = &text[at..];
            let breaks = rest.len() - rest.trim_start_matches(['\n', '\r']).len();
            if breaks == 0 {
                return at;
            }
            at += breaks;
            if self.cfg.indentation {
                let end = indent_end(text, at);
                if end > at && should_strip_indent(text, at, end) {
                    at = end;
                }
            }
        }
    }
}

/// End (byte offset) of the run of indentation spaces starting at `start`.
fn indent_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|(_, c)| !is_indent_space(*c))
        .map_or(text.len(), |(j, _)| start + j)
}

/// Indentation is stripped when it is web/Chinese indentation (NBSP, U+3000) or when the
/// line it indents is Chinese; indentation of code and Latin text is meaningful and stays.
fn should_strip_indent(text: &str, start: usize, end: usize) -> bool {
    let run = &text[start..end];
    if run.contains(['\u{A0}', '\u{3000}']) {
        return true;
    }
    let rest = &text[end..];
    match rest.chars().next() {
        None | Some('\n' | '\r' | '\t') => false,
        Some(f) if !f.is_ascii() => true,
        Some(f) if f.is_ascii_digit() => {
            rest.chars().take(12).take_while(|c| !matches!(c, '\n' | '\r')).any(is_han)
        }
        Some(_) => false,
    }
}

/// The next character after byte `from`, skipping zero-width characters and `*` emphasis
/// markers.
fn next_visible(text: &str, from: usize) -> Option<char> {
    text[from..].chars().find(|c| !is_zero_width(*c) && *c != '*')
}

/// An ASCII or full-width digit: the lookahead and lookbehind of the punctuation rule see
/// the source text, where `full-width-alnum` has not turned `１` into `1` yet.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// A character of a number: a digit, decimal point or percent sign.
fn is_number_part(c: char) -> bool {
    is_digit(c) || c == '.' || c == '%'
}

/// Is `left` (the character before byte `i`) the end of a number written right after Han,
/// as in `提升至40%,`?
fn number_after_han(text: &str, i: usize, left: char) -> bool {
    if !(is_digit(left) || left == '%') {
        return false;
    }
    let before = text[..i].trim_end_matches(is_number_part);
    before.chars().next_back().is_some_and(is_han)
}

/// Does a number starting at byte `from` run straight into Han, as in `,2020年`?
fn number_before_han(text: &str, from: usize) -> bool {
    let rest = &text[from..];
    if !rest.starts_with(is_digit) {
        return false;
    }
    let after = rest.trim_start_matches(is_number_part);
    // A number cut from its unit by a stray line break (`2020\n\n年`) still reads as
    // Chinese: `reflow` rejoins the two halves later. Spaces of any kind are skipped too, as
    // the indentation rule may strip them and the `nbsp` rule turn them into plain spaces.
    let after = after.trim_start_matches(|c| matches!(c, '\n' | '\r') || is_indent_space(c));
    after.chars().next().is_some_and(is_han)
}

/// Byte offset of the `)` closing the `(` at byte `open`, on the same line, not nested and
/// at most 64 bytes of content away.
fn matching_paren(text: &str, open: usize) -> Option<usize> {
    for (j, c) in text[open + 1..].char_indices() {
        match c {
            ')' => return Some(open + 1 + j),
            '(' | '\n' | '\r' | '（' | '）' => return None,
            _ if j > 96 => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(input: &str) -> String {
        NormalizeConfig::default().build().unwrap().apply(input).0.into_owned()
    }

    #[test]
    fn changes() {
        let cases: &[(&str, &str, &str)] = &[
            // (behaviour, input, expected)
            ("nfc_composes", "cafe\u{301}", "café"),
            ("drops_control", "正文\u{1}内容\u{7f}", "正文内容"),
            ("drops_zero_width_space", "正\u{200B}文", "正文"),
            ("drops_bom_inside", "\u{FEFF}正文", "正文"),
            ("drops_soft_hyphen", "infor\u{AD}mation", "information"),
            ("drops_zwj_next_to_han", "正\u{200D}文", "正文"),
            ("strips_space_indent_before_han", "    青岛政务网", "青岛政务网"),
            ("strips_ideographic_indent", "\u{3000}\u{3000}第一段。", "第一段。"),
            ("strips_nbsp_indent_before_ascii", "\u{A0}\u{A0}abc", "abc"),
            ("strips_indent_before_year", "   2021年上半年", "2021年上半年"),
            ("strips_indent_on_each_line", "一\n  二\n\u{3000}三", "一\n二\n三"),
            ("nbsp_inside_becomes_space", "发布日期\u{A0}2021", "发布日期 2021"),
            ("full_width_digits", "２０２１年", "2021年"),
            ("full_width_letters", "ＩＣＵ床位", "ICU床位"),
            ("comma_between_han", "上半年,青岛", "上半年，青岛"),
            ("colon_between_han", "注意:本文", "注意：本文"),
            ("semicolon_between_han", "床位;在全国", "床位；在全国"),
            ("exclamation_between_han", "出发!站在", "出发！站在"),
            ("question_at_line_end", "怎么办?\n", "怎么办？\n"),
            ("comma_after_closing_quote", "“先手棋”,力争", "“先手棋”，力争"),
            ("comma_before_opening_quote", "开展,“百日", "开展，“百日"),
            ("comma_before_number_then_han", "基础,2020年", "基础，2020年"),
            ("comma_after_number_after_han", "提升至40%,全市", "提升至40%，全市"),
            ("comma_after_decimal_after_han", "达到7.2万人份,稳步", "达到7.2万人份，稳步"),
            ("parens_around_han", "中心(乡镇卫生院)开展", "中心（乡镇卫生院）开展"),
            (
                "parens_han_with_digits",
                "采样点(常态化开放166个),保持",
                "采样点（常态化开放166个），保持",
            ),
            ("comma_at_line_end_before_han", "下午,\n\n2021年会议", "下午，\n\n2021年会议"),
            ("comma_after_bold_marker", "医疗机构**,统筹", "医疗机构**，统筹"),
            ("comma_before_number_cut_from_unit", "基础,2020\n\n年", "基础，2020\n\n年"),
            ("zero_width_between_han_and_comma", "年\u{200B},青", "年，青"),
            // Found by fuzzing and the idempotence property test: one run must do all a
            // second run would.
            ("control_inside_indentation", " \u{1}中", "中"),
            ("vtab_before_indentation", "\u{B} \u{FFFD}", "\u{FFFD}"),
            ("bom_before_indentation", "\u{FEFF}  正文", "正文"),
            ("control_between_base_and_mark", "e\u{1}\u{301}", "é"),
            ("joiner_before_full_width_letter", "👨\u{200D}Ａ", "👨A"),
            ("comma_before_control", "中,\u{1}文", "中，文"),
            ("comma_before_indented_line", "中,\n 中", "中，\n中"),
            ("comma_before_indented_blank_line", "中,\n\u{3000}\n中", "中，\n\n中"),
            ("comma_before_full_width_number", "、,１中", "、，1中"),
            ("comma_after_full_width_number", "中１,中", "中1，中"),
            ("comma_before_number_nbsp_han", "中,1\u{A0}中", "中，1 中"),
            ("indent_after_lone_cr", "第一行\r  第二行", "第一行\r第二行"),
        ];
        for (name, input, want) in cases {
            assert_eq!(apply(input), *want, "case {name}");
        }
    }

    #[test]
    fn leaves_alone() {
        let cases: &[(&str, &str)] = &[
            ("decimal", "能力达到37.5万人份"),
            ("date", "发布日期 2021-07-16 来源"),
            ("time", "会议于10:30开始"),
            ("thousands", "共计1,000元"),
            ("url", "详见www.x.com,或http://a.cn/b?c=1"),
            ("latin_eg", "例如 e.g., this"),
            ("english_sentence", "Hello, world: yes; no! why? (maybe)"),
            ("code", "fn f(x: i32) -> bool { x > 0 }"),
            ("code_indent", "    let x = f(a, b);"),
            ("python_indent", "def f():\n    return 1"),
            ("japanese", "これは日本語です、テスト。東京(とうきょう)"),
            ("parens_with_year", "实施方案(2021-2023年)》"),
            ("parens_with_latin", "床位(ICU270张)"),
            ("parens_after_latin", "使用f(x)函数"),
            ("full_width_punct_kept", "你好，世界！（测试）：；？"),
            ("chinese_period_kept", "第一句。第二句。"),
            ("guillemets_kept", "《青岛日报》"),
            ("tab_cells_kept", "\t类别\t序号"),
            ("inner_ideographic_space_kept", "姓名\u{3000}张三"),
            ("emoji_zwj_kept", "家庭👨\u{200D}👩\u{200D}👧"),
            ("comma_space_han", "召开, 会议"),
            ("comma_at_line_end_before_latin", "包括,\nApple"),
            ("clean_chinese", "青岛市卫生健康委员会认真贯彻落实全省统一部署要求。"),
            ("space_before_colon", "发布日期 : 2021-07-16"),
            ("crlf_kept_for_reflow", "第一行\r\n第二行"),
            ("negative_and_percent", "增长-3.5%,下降"),
            ("ratio", "比例为3:2的"),
            ("version", "升级到v1.2.3版本"),
            ("phone", "电话0532-85912521转"),
            ("money", "共计¥1,000元"),
            ("url_with_query", "见https://x.cn/a?b=1,2&c=3;d"),
            ("email", "邮箱a.b@x.cn,"),
            ("latin_parens_after_han", "使用Python(3.10)版本"),
            ("english_in_chinese", "他说: Hello, world!"),
            ("code_call", "printf(\"%d\\n\", x);"),
            ("shell", "  ls -la; echo $?"),
            ("japanese_parens", "日本語(にほんご)です"),
            ("japanese_fullwidth_kept", "東京：晴れ！（予報）"),
            ("latin_full_stop_kept", "第一句。Then English."),
            ("hangul", "한국어, 테스트"),
            ("full_width_letter_with_mark", "Ａ\u{301}"),
            ("digit_line_ends_at_cr", " 2020%\r中文"),
        ];
        for (name, input) in cases {
            let (got, n) = NormalizeConfig::default().build().unwrap().apply(input);
            assert_eq!(got, *input, "case {name}");
            assert!(matches!(got, Cow::Borrowed(_)), "case {name} must not copy");
            assert_eq!(n, 0, "case {name}");
        }
    }

    #[test]
    fn toggles_switch_rules_off() {
        let off = NormalizeConfig {
            nfc: false,
            control_chars: false,
            zero_width: false,
            indentation: false,
            nbsp: false,
            full_width_alnum: false,
            cjk_punctuation: false,
        };
        let input = "  青岛\u{200B}\u{1}\u{A0}２０,年cafe\u{301}";
        assert_eq!(off.build().unwrap().apply(input).0, input);
        let only_punct = NormalizeConfig { cjk_punctuation: true, ..off };
        assert_eq!(only_punct.build().unwrap().apply("上半年,青岛").0, "上半年，青岛");
    }

    /// Texts that put every kind of character at every offset around a 16-byte chunk border.
    fn shifted_texts() -> Vec<String> {
        let specials = [
            "e\u{301}",
            "\u{302A}",
            "\u{302F}",
            "\u{3030}",
            "\u{3040}",
            "\u{2070}",
            "\u{206F}",
            "\u{FFF0}",
            "\u{FFEF}",
            "\u{FF5A}",
            "\u{FF5B}",
            "\u{FEFF}",
            "“",
            "\u{4DC0}",
            "\u{F900}",
            "\u{3099}",
            "\u{A0}",
            "\u{AD}",
            "\u{85}",
            "\u{200B}",
            "\u{200D}",
            "\u{2060}",
            "\u{180E}",
            "\u{FEFF}",
            "Ａ",
            "９",
            "，",
            "。",
            "\u{3000}",
            "👨",
            "\u{20000}",
            ",",
            "(",
            ")",
            "*",
            "\n",
            "\t",
            "\r",
            "\u{1}",
            "é",
            "한",
            "か",
        ];
        let mut texts = Vec::new();
        for pad in ["", "a", "一", "é", "。"] {
            for k in 0..20 {
                for s in specials {
                    texts.push(format!("{}{s}{}", pad.repeat(k), "中文".repeat(k % 4)));
                }
            }
        }
        texts
    }

    #[test]
    fn fast_scans_agree_with_their_definitions() {
        let touched = |c: char| {
            if c.is_ascii() {
                ASCII_TOUCHED[c as usize]
            } else {
                is_touched(c)
            }
        };
        for t in shifted_texts() {
            let want: Vec<char> = t.chars().filter(|c| !nfc_stable(*c)).collect();
            assert_eq!(unstable_chars(&t).collect::<Vec<_>>(), want, "{t:?}");
            for (from, _) in t.char_indices() {
                let want = t[from..].char_indices().find(|(_, c)| touched(*c));
                let want = want.map_or(t.len(), |(j, _)| from + j);
                assert_eq!(skip_plain::<false>(&t, from), want, "{t:?} from {from}");
                let want =
                    t[from..].char_indices().find(|(_, c)| touched(*c) || !nfc_skippable(*c));
                let want = want.map_or(t.len(), |(j, _)| from + j);
                assert_eq!(skip_plain::<true>(&t, from), want, "{t:?} from {from}");
            }
        }
    }

    #[test]
    fn skip_plain_agrees_with_its_definition_for_every_character() {
        for c in (0..0x11000u32).chain(0x1F000..0x1F100).filter_map(char::from_u32) {
            let touched = if c.is_ascii() { ASCII_TOUCHED[c as usize] } else { is_touched(c) };
            for t in [format!("{c}"), format!("中{c}a"), format!("a{c}\u{FEFF}")] {
                let from = t.find(c).unwrap_or(0);
                let want = t[from..].char_indices().find(|(_, x)| {
                    if x.is_ascii() {
                        ASCII_TOUCHED[*x as usize]
                    } else {
                        is_touched(*x)
                    }
                });
                let want = want.map_or(t.len(), |(j, _)| from + j);
                assert_eq!(skip_plain::<false>(&t, from), want, "{t:?}");
                assert_eq!(skip_plain::<false>(&t, from) == from, touched, "{c:?}");
                let want = t[from..].char_indices().find(|(_, x)| {
                    !nfc_skippable(*x)
                        || if x.is_ascii() { ASCII_TOUCHED[*x as usize] } else { is_touched(*x) }
                });
                let want = want.map_or(t.len(), |(j, _)| from + j);
                assert_eq!(skip_plain::<true>(&t, from), want, "{t:?}");
                assert_eq!(
                    skip_plain::<true>(&t, from) == from,
                    touched || !nfc_skippable(c),
                    "{c:?}"
                );
            }
        }
    }

    /// The fast paths may skip a character only when NFC would not act on it: every
    /// [`nfc_stable`] and every skippable character is inert.
    #[test]
    fn characters_skipped_for_nfc_are_inert() {
        for c in (0..0x110000u32).filter_map(char::from_u32) {
            assert!(!nfc_stable(c) || nfc_skippable(c), "{c:?}");
            if nfc_skippable(c) {
                assert!(nfc_inert(c), "{c:?}");
            }
        }
    }

    #[test]
    fn the_quad_spaces_are_composed_to_en_and_em_spaces() {
        // NFC maps U+2000 and U+2001 to U+2002 and U+2003 (canonical singletons), in any text.
        let n = NormalizeConfig::default().build().unwrap();
        for text in ["中文\u{2000}文本", "a\u{2001}b", "\u{2000}"] {
            let out = n.apply(text).0;
            assert!(!out.contains(['\u{2000}', '\u{2001}']), "{text:?} -> {out:?}");
        }
    }

    #[test]
    fn chunk_test_agrees_with_its_definition_for_every_character() {
        for c in (0..0x11000u32).filter_map(char::from_u32) {
            let mut w = [0x80u8; CHUNK + 2];
            let mut buf = [0u8; 4];
            let e = c.encode_utf8(&mut buf).as_bytes();
            w[..e.len()].copy_from_slice(e);
            let (x, y, z) = (w[0], w[1], w[2]);
            assert_eq!(nfc_stable_start(x, y, z), nfc_stable(c), "{c:?}");
        }
    }

    proptest::proptest! {
        /// The chunked scans find what the character-level definitions find in long texts
        /// of mostly clean Chinese.
        #[test]
        fn fast_scans_agree_on_random_text(
            s in "[中文一二三，。、“”（）《》：；！？a-z0-9 ,:;!?()*\n\t\u{A0}\u{AD}\u{200B}\u{200D}\u{3000}\u{302A}\u{3099}\u{301}ＡＺａｚ０９\u{FEFF}\u{FFF0}👨é·—]{0,300}",
        ) {
            let touched = |c: char| {
                if c.is_ascii() {
                    ASCII_TOUCHED[c as usize]
                } else {
                    is_touched(c)
                }
            };
            let want: Vec<char> = s.chars().filter(|c| !nfc_stable(*c)).collect();
            proptest::prop_assert_eq!(unstable_chars(&s).collect::<Vec<_>>(), want);
            for (from, _) in s.char_indices().step_by(7) {
                let want = s[from..].char_indices().find(|(_, c)| touched(*c));
                let want = want.map_or(s.len(), |(j, _)| from + j);
                proptest::prop_assert_eq!(skip_plain::<false>(&s, from), want);
                let want = s[from..].char_indices().find(|(_, c)| touched(*c) || !nfc_skippable(*c));
                let want = want.map_or(s.len(), |(j, _)| from + j);
                proptest::prop_assert_eq!(skip_plain::<true>(&s, from), want);
            }
        }

        /// The one-pass fast path of `apply` gives what the steps one after the other give.
        #[test]
        fn one_pass_agrees_with_the_steps(
            s in "[中文一二三，。、“”（）《》：；！？a-z0-9 ,:;!?()*\n\t\u{A0}\u{AD}\u{200B}\u{200D}\u{3000}\u{302A}\u{3099}\u{301}\u{316}ＡＺａｚ０９\u{FEFF}\u{FFF0}\u{F900}\u{2460}\u{AC00}\u{11A8}か👨é·—\u{2000}\u{2126}\u{2329}€■\u{E178}]{0,300}",
        ) {
            let n = NormalizeConfig::default().build().unwrap();
            proptest::prop_assert_eq!(n.apply(&s), n.apply_in_steps(&s));
        }
    }

    #[test]
    fn one_pass_agrees_with_the_steps_for_every_character() {
        let n = NormalizeConfig::default().build().unwrap();
        for t in shifted_texts() {
            let fast = n.apply(&t);
            assert_eq!(fast, n.apply_in_steps(&t), "{t:?}");
        }
        for c in (0..0x11000u32).chain(0x1F000..0x1F100).filter_map(char::from_u32) {
            for t in [format!("{c}"), format!("中{c}a\n{c}"), format!("e{c}\u{301}，")] {
                assert_eq!(n.apply(&t), n.apply_in_steps(&t), "{t:?}");
            }
        }
    }

    #[test]
    fn idempotent() {
        let inputs = [
            "  2021年上半年,青岛市(乡镇)卫生\u{A0}健康,ＩＣＵ\u{200B}。",
            "\u{3000}\u{3000}提升至40%,全市;开展“百日”,基础,2020年",
        ];
        for input in inputs {
            let once = apply(input);
            assert_eq!(apply(&once), once, "{input}");
        }
    }
}
