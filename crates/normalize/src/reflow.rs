//! The `reflow` stage: line endings, trailing spaces, markup residue, and paragraphs that a
//! scraper broke with stray line breaks.
//!
//! Steps, each with its own toggle in [`ReflowConfig`]:
//! 1. `line-endings`: `\r\n` and lone `\r` become `\n`.
//! 2. `trailing-spaces`: spaces, tabs, NBSP and U+3000 at line ends are removed.
//! 3. `markup`: paired `**bold**` markers in lines of Chinese text are removed.
//! 4. `join`: a paragraph broken in two (often with a blank line between the halves) is
//!    rejoined. The decision uses features of the two halves, never their wording:
//!    - never after terminal punctuation (`。！？；：…”」）`), never before a list marker
//!      (`一、 （一） 1、 1. ①`), never across table rows or form lines, never in Latin text;
//!    - join when the first half ends in clause punctuation (`，、`);
//!    - join when the second half starts mid-clause (its first clause is at most a few
//!      characters and is not a sentence opener like `同时，`) and the first half is not
//!      heading-short;
//!    - join when the first half is a long line of prose (it has inner punctuation) that
//!      stops without any terminal punctuation;
//!    - join a stray fragment between two tab-separated cells back onto the cell above.
//!
//! Before → after: `加强紧急医学救援\n\n能力建设` (inside a table cell) →
//! `加强紧急医学救援能力建设`.

use std::borrow::Cow;

use qingxi_core::{Document, Stage, StageName};
use serde::Deserialize;

use crate::chars::{is_clause_punct, is_han, is_terminal_punct};
use crate::NormalizeError;

/// Words that open a new sentence and are followed by a comma: a line starting with one of
/// them begins a sentence even though its first clause is short.
const SENTENCE_OPENERS: &[&str] = &[
    "目前",
    "此外",
    "同时",
    "另外",
    "其中",
    "为此",
    "然而",
    "但是",
    "因此",
    "所以",
    "首先",
    "其次",
    "再次",
    "最后",
    "近年来",
    "今年",
    "去年",
    "明年",
    "当前",
    "对此",
    "总之",
    "例如",
    "比如",
    "据悉",
    "据了解",
    "据介绍",
    "与此同时",
    "一方面",
    "另一方面",
    "此前",
    "随后",
    "如今",
    "同時",
    "另外",
    "其中",
    "為此",
    "然而",
    "但是",
    "因此",
    "所以",
    "首先",
    "其次",
    "最後",
    "近年來",
    "當前",
    "對此",
    "總之",
    "據悉",
    "據了解",
    "與此同時",
    "一方面",
    "此前",
    "隨後",
];

/// Options of the `reflow` stage (`[reflow]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReflowConfig {
    /// Turn `\r\n` and lone `\r` into `\n`.
    pub line_endings: bool,
    /// Remove spaces, tabs, no-break and ideographic spaces at the end of lines.
    pub trailing_spaces: bool,
    /// Remove paired `**` bold markers in lines that contain Chinese.
    pub markup: bool,
    /// Rejoin paragraphs broken by stray line breaks.
    pub join: bool,
    /// Most blank lines allowed between the two halves of a broken paragraph.
    pub max_blank_lines: usize,
    /// Lines shorter than this many characters that end without punctuation are treated as
    /// headings: nothing is joined onto them unless they end in `，` or `、`.
    pub heading_max_chars: usize,
    /// A second half whose first clause is at most this many characters starts mid-sentence.
    pub fragment_max_chars: usize,
    /// A first half at least this long, with punctuation inside and none at its end, is a
    /// cut line of prose.
    pub prose_min_chars: usize,
}

impl Default for ReflowConfig {
    fn default() -> Self {
        ReflowConfig {
            line_endings: true,
            trailing_spaces: true,
            markup: true,
            join: true,
            max_blank_lines: 2,
            heading_max_chars: 16,
            fragment_max_chars: 3,
            prose_min_chars: 40,
        }
    }
}

impl ReflowConfig {
    /// Build the runtime stage.
    pub fn build(&self) -> Result<Reflow, NormalizeError> {
        if self.fragment_max_chars > 20 {
            return Err(NormalizeError::InvalidOption {
                option: "reflow.fragment-max-chars",
                reason: format!("must be at most 20, got {}", self.fragment_max_chars),
            });
        }
        Ok(Reflow { cfg: self.clone() })
    }
}

/// The runtime `reflow` stage.
#[derive(Debug, Clone)]
pub struct Reflow {
    cfg: ReflowConfig,
}

impl Stage for Reflow {
    fn name(&self) -> StageName {
        StageName::Reflow
    }

    fn run(&self, doc: &mut Document) {
        let (text, n) = self.apply(&doc.text);
        if let Cow::Owned(t) = text {
            doc.text = t;
        }
        doc.count(StageName::Reflow, n);
    }
}

fn is_trailing_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{A0}' | '\u{3000}')
}

/// The lines of `text`, as `text.split('\n')` gives them, found with `memchr` (several
/// times faster than the standard library's search on long texts).
fn lines(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes()).map(Some).chain(std::iter::once(None)).map(
        move |end| {
            let end = end.unwrap_or(text.len());
            let line = &text[start..end];
            start = end + 1;
            line
        },
    )
}

/// Does any line of `text` end in a space, tab, NBSP or U+3000? Only the characters before
/// each line break (found with `memchr`) and at the end are looked at. The oracle of
/// [`Reflow::scan`]'s `trailing_space`.
#[cfg(test)]
fn has_trailing_space(text: &str) -> bool {
    let ends_in_space = |end: usize| text[..end].ends_with(is_trailing_space);
    memchr::memchr_iter(b'\n', text.as_bytes()).any(ends_in_space) || ends_in_space(text.len())
}

/// Does the line begin with a list or section marker: `一、` `（一）` `(1)` `1、` `1.` `①`
/// `第一章` `•`?
fn starts_with_list_marker(line: &str) -> bool {
    let s = line.trim_start();
    let mut chars = s.chars();
    let Some(first) = chars.next() else { return false };
    if matches!(first, '①'..='⑳' | '⑴'..='⒇' | '⒈'..='⒛' | '•' | '·' | '●' | '○' | '■' | '□' | '◆' | '▲' | '★' | '-' | '*' | '—')
    {
        return true;
    }
    // A list of characters rather than a search of a string of numerals: this runs for
    // most line pairs that are not separated by terminal punctuation.
    const NUMERALS: [char; 13] =
        ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '零', '〇'];
    let is_num = |c: char| c.is_ascii_digit() || NUMERALS.contains(&c);
    if matches!(first, '(' | '（') {
        let inner: String = chars.by_ref().take_while(|c| !matches!(c, ')' | '）')).collect();
        return !inner.is_empty() && inner.chars().count() <= 3 && inner.chars().all(is_num);
    }
    if first == '第' {
        let rest: String = chars.clone().take_while(|c| is_num(*c)).collect();
        let after = chars.nth(rest.chars().count());
        return !rest.is_empty() && after.is_some_and(|c| "章节条款部篇项".contains(c));
    }
    if is_num(first) {
        let n = s.chars().take_while(|c| is_num(*c)).count();
        if n > 3 {
            return false;
        }
        let mut after = s.chars().skip(n);
        return match after.next() {
            Some('、' | '．' | '）' | ')') => true,
            // `1.` is a marker, `1.5` a number.
            Some('.') => !after.next().is_some_and(|c| c.is_ascii_digit()),
            _ => false,
        };
    }
    false
}

/// A line laid out as form fields or a table row: tabs, or runs of spaces between words.
///
/// Byte searches (`memchr`) instead of three `str` searches: inside the trimmed line, two
/// spaces and U+3000 (`E3 80 80`) both start at a byte found by one two-byte search.
fn is_tabular(line: &str) -> bool {
    if memchr::memchr(b'\t', line.as_bytes()).is_some() {
        return true;
    }
    let t = line.trim().as_bytes();
    memchr::memchr2_iter(b' ', 0xE3, t).any(|j| {
        let after = &t[j + 1..];
        if t[j] == b' ' {
            after.first() == Some(&b' ')
        } else {
            after.starts_with(&[0x80, 0x80])
        }
    })
}

/// Chinese prose does not put single spaces between words; titles and bylines do.
fn has_inner_space(line: &str) -> bool {
    line.trim().contains(' ')
}

/// Does the line read as prose: commas or full stops inside it (`，` `,` `、` `。` `；`
/// `;`)? Searched as bytes: the ASCII ones, then the lead bytes `E3` (`、` `E3 80 81`,
/// `。` `E3 80 82`) and `EF` (`，` `EF BC 8C`, `；` `EF BC 9B`).
fn is_prose(line: &str) -> bool {
    let b = line.as_bytes();
    memchr::memchr2(b',', b';', b).is_some()
        || memchr::memchr2_iter(0xE3, 0xEF, b).any(|j| {
            let after = &b[j + 1..];
            if b[j] == 0xE3 {
                after.starts_with(&[0x80, 0x81]) || after.starts_with(&[0x80, 0x82])
            } else {
                after.starts_with(&[0xBC, 0x8C]) || after.starts_with(&[0xBC, 0x9B])
            }
        })
}

/// Characters in the first clause of `line` (up to the first clause punctuation). The
/// definition; [`Reflow::should_join_fast`] counts only as far as its test needs.
#[cfg(test)]
fn first_clause_len(line: &str) -> usize {
    line.chars().take_while(|c| !is_clause_punct(*c)).count()
}

/// `s.chars().count() < n`, counting only when the byte length leaves it open (a
/// character takes one to four bytes).
fn chars_below(s: &str, n: usize) -> bool {
    if s.len() < n {
        true
    } else if s.len() >= 4 * n {
        false
    } else {
        s.chars().count() < n
    }
}

/// `text` with `\r\n` and lone `\r` turned into `\n`, and the number of changes (one per
/// `\r`), in one pass over the carriage returns.
fn unix_line_endings(text: &str) -> (String, u64) {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut n = 0;
    for j in memchr::memchr_iter(b'\r', b) {
        out.push_str(&text[copied..j]);
        out.push('\n');
        copied = if b.get(j + 1) == Some(&b'\n') { j + 2 } else { j + 1 };
        n += 1;
    }
    out.push_str(&text[copied..]);
    (out, n)
}

/// Does `text` hold `**`? `*` is rare, so a search for the single byte, checking the one
/// after each hit, beats building a substring searcher for every document.
fn has_double_star(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'*', b).any(|j| b.get(j + 1) == Some(&b'*'))
}

/// What one [`Reflow::scan`] pass found.
struct Scan {
    /// Some line ends in a space, tab, NBSP or U+3000.
    trailing_space: bool,
    /// Byte offset of the first line of the first paragraph that joins.
    first_join: Option<usize>,
}

/// `line.trim().is_empty()`, without decoding the common lines that start with a
/// printable ASCII character or a Han ideograph (lead bytes `E4`..`E9`).
fn is_blank(line: &str) -> bool {
    match line.as_bytes().first() {
        None => true,
        Some(0x21..=0x7E | 0xE4..=0xE9) => false,
        Some(_) => line.trim().is_empty(),
    }
}

impl Reflow {
    /// Apply every enabled step; returns the text and the number of changes.
    pub(crate) fn apply<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
        let mut changes = 0;
        let mut cur: Cow<'a, str> = Cow::Borrowed(text);
        if self.cfg.line_endings && memchr::memchr(b'\r', cur.as_bytes()).is_some() {
            let (fixed, n) = unix_line_endings(&cur);
            changes += n;
            cur = Cow::Owned(fixed);
        }
        // Cleaning and joining take turns until a join pass finds nothing left to join, so
        // that the output is one the stage leaves alone:
        // - a join can complete a `**` pair (`**，` + `临**`), and removing it can open the
        //   paragraph's end to one more join;
        // - a pass decides each join on the paragraph grown so far and the next *line*, but
        //   that line may grow into a paragraph that reads differently (`中` alone is too
        //   short to start mid-clause, `中，…` is not), which only the next pass sees.
        // Each round removes at least one line break, and almost every document needs one
        // round plus the check that confirms it.
        // In the first round, one streaming pass tells whether any line ends in a space and
        // where the first join is; the text is rebuilt only when one of them (or `**`) is
        // found. A round after a join only asks about the paragraphs that the join pass
        // grew, each with the non-blank line before it (`rescan`): every other pair of
        // lines was asked about before, as it reads now, and did not join; and as joins
        // keep line ends, and cleaning left none with a space, no line ends in one.
        // The paragraphs the last join pass grew (byte offsets); `None` before the first.
        let mut grown: Option<Vec<usize>> = None;
        loop {
            let stars = self.cfg.markup && has_double_star(&cur);
            let mut scan = match &grown {
                None => self.scan(&cur, 0),
                Some(g) => self.rescan(&cur, g),
            };
            if stars || (self.cfg.trailing_spaces && scan.trailing_space) {
                if let Some((fixed, n)) = self.clean_lines(&cur) {
                    changes += n;
                    cur = Cow::Owned(fixed);
                    scan = self.scan(&cur, 0);
                }
            }
            if !self.cfg.join {
                break;
            }
            let Some(from) = scan.first_join else { break };
            // Lines before the first joining paragraph stay as they are.
            let (joined, n, g) = self.join_lines(&cur, from).expect("the scan found a join");
            changes += n;
            cur = Cow::Owned(joined);
            grown = Some(g);
        }
        (cur, changes)
    }

    /// Trailing spaces and `**` residue, line by line. `None` when nothing changes.
    fn clean_lines(&self, text: &str) -> Option<(String, u64)> {
        if !self.cfg.trailing_spaces && !self.cfg.markup {
            return None;
        }
        // The text is copied in runs between the lines that change.
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut n = 0;
        let mut next_start = 0;
        for line in lines(text) {
            let start = next_start;
            next_start += line.len() + 1;
            // Markup first: removing it can leave a space at the end (`**中 **`).
            // Most lines have no `*` at all: one byte search before the substring count.
            let pairs = if memchr::memchr(b'*', line.as_bytes()).is_some() {
                line.matches("**").count()
            } else {
                0
            };
            let unmarked;
            let mut l = line;
            if self.cfg.markup && pairs > 0 && pairs % 2 == 0 && l.chars().any(is_han) {
                unmarked = l.replace("**", "");
                l = &unmarked;
                n += pairs as u64 / 2;
            }
            if self.cfg.trailing_spaces {
                let t = l.trim_end_matches(is_trailing_space);
                if t.len() != l.len() {
                    n += 1;
                    l = t;
                }
            }
            // Both changes make the line shorter.
            if l.len() != line.len() {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[copied..start]);
                o.push_str(l);
                copied = start + line.len();
            }
        }
        out.map(|mut o| {
            o.push_str(&text[copied..]);
            (o, n)
        })
    }

    /// Should the paragraph ending in `a` continue with line `b`? `after_b` is the next
    /// non-blank line after `b`, if any. The definition, kept as the oracle of
    /// [`Self::should_join_fast`].
    #[cfg(test)]
    fn should_join(&self, a: &str, b: &str, after_b: Option<&str>) -> bool {
        let cfg = &self.cfg;
        let (Some(a_last), Some(b_first)) = (a.chars().next_back(), b.chars().next()) else {
            return false;
        };
        if is_terminal_punct(a_last) || starts_with_list_marker(b) {
            return false;
        }
        // Only Chinese joins: Latin text would need a space, and code must not be touched.
        let joinable_end = is_han(a_last)
            || a_last.is_ascii_digit()
            || matches!(a_last, '，' | '、' | ',' | '“' | '《' | '（');
        let joinable_start = is_han(b_first)
            || b_first.is_ascii_digit()
            || matches!(b_first, '，' | '、' | '。' | '”' | '》' | '）' | '；' | '：');
        if !joinable_end || !joinable_start {
            return false;
        }
        // A stray fragment inside a table cell: `\t加强紧急医学救援` / `能力建设` / `\t…`.
        if a.starts_with('\t') && !b.contains('\t') {
            let b_len = b.chars().count();
            let b_ends_open = b.chars().next_back().is_some_and(|c| !is_terminal_punct(c));
            return b_len <= 2 * cfg.heading_max_chars
                && b_ends_open
                && after_b.is_none_or(|n| n.starts_with('\t'));
        }
        if is_tabular(a) || is_tabular(b) || (has_inner_space(b) && !is_prose(b)) {
            return false;
        }
        if matches!(a_last, '，' | '、' | ',') {
            return true;
        }
        let a_len = a.chars().count();
        // A title or byline separates its parts with spaces; prose may hold a dateline space.
        if (has_inner_space(a) && !is_prose(a)) || a_len < cfg.heading_max_chars {
            return false;
        }
        let clause = first_clause_len(b);
        let b_len = b.chars().count();
        let opener = SENTENCE_OPENERS.iter().any(|o| b.starts_with(o));
        if clause <= cfg.fragment_max_chars && clause < b_len && !opener {
            return true;
        }
        a_len >= cfg.prose_min_chars && is_prose(a) && b_len >= 2
    }

    /// [`Self::should_join`] with the same answer for less work: `after_b` is found only
    /// when the table-cell rule needs it, and the tests, all pure, run cheapest first. The
    /// definition rejects tabular lines before anything can accept, so [`is_tabular`] (a
    /// scan of both lines) is asked last, only of pairs that every other test accepts;
    /// `tabular` keeps its answers for `a` and `b` (`None` until computed), so that the
    /// scan can pass `b`'s on as the next `a`'s.
    fn should_join_fast<'t>(
        &self,
        a: &str,
        b: &str,
        after_b: impl FnOnce() -> Option<&'t str>,
        tabular: &mut [Option<bool>; 2],
    ) -> bool {
        let cfg = &self.cfg;
        let (Some(a_last), Some(b_first)) = (a.chars().next_back(), b.chars().next()) else {
            return false;
        };
        if is_terminal_punct(a_last) {
            return false;
        }
        let joinable_end = is_han(a_last)
            || a_last.is_ascii_digit()
            || matches!(a_last, '，' | '、' | ',' | '“' | '《' | '（');
        let joinable_start = is_han(b_first)
            || b_first.is_ascii_digit()
            || matches!(b_first, '，' | '、' | '。' | '”' | '》' | '）' | '；' | '：');
        if !joinable_end || !joinable_start || starts_with_list_marker(b) {
            return false;
        }
        if a.starts_with('\t') && !b.contains('\t') {
            let b_len = b.chars().count();
            let b_ends_open = b.chars().next_back().is_some_and(|c| !is_terminal_punct(c));
            return b_len <= 2 * cfg.heading_max_chars
                && b_ends_open
                && after_b().is_none_or(|n| n.starts_with('\t'));
        }
        let accepts = if matches!(a_last, '，' | '、' | ',') {
            true
        } else {
            if chars_below(a, cfg.heading_max_chars) || (has_inner_space(a) && !is_prose(a)) {
                return false;
            }
            // The first clause counted only as far as the test needs (a longer one fails
            // it either way).
            let clause = b
                .chars()
                .take(cfg.fragment_max_chars + 1)
                .take_while(|c| !is_clause_punct(*c))
                .count();
            // `clause < b_len` and `b_len >= 2`, without counting all of `b`.
            let b_longer_than = |n: usize| !chars_below(b, n + 1);
            // The list of openers is searched last, only for a short first clause.
            let opener = || {
                // Each opener starts with a Han character: compare its three bytes first.
                let head = b.as_bytes().first_chunk::<3>();
                SENTENCE_OPENERS
                    .iter()
                    .any(|o| o.as_bytes().first_chunk::<3>() == head && b.starts_with(o))
            };
            (clause <= cfg.fragment_max_chars && b_longer_than(clause) && !opener())
                || (!chars_below(a, cfg.prose_min_chars) && is_prose(a) && b_longer_than(1))
        };
        if !accepts || (has_inner_space(b) && !is_prose(b)) {
            return false;
        }
        !*tabular[0].get_or_insert_with(|| is_tabular(a))
            && !*tabular[1].get_or_insert_with(|| is_tabular(b))
    }

    /// One pass over the lines of `text` from byte `from` (a line start): does any line end
    /// in a space, and where (byte offset of its first line) is the first paragraph that
    /// [`Self::join_lines`] would join? Until its first join, `join_lines` asks [`Self::should_join`] about every
    /// non-blank line and the next one (when at most `max_blank_lines` blank lines lie
    /// between them), so asking the same questions in order finds it, without the line
    /// vector and with each line's [`is_tabular`] computed at most once.
    fn scan(&self, text: &str, from: usize) -> Scan {
        let mut scan = Scan { trailing_space: false, first_join: None };
        // The previous non-blank line, its byte offset, and its `is_tabular`, if known.
        let mut a: Option<(&str, usize)> = None;
        let mut tab_a: Option<bool> = None;
        let mut blanks = 0;
        let mut start = from;
        let mut breaks = memchr::memchr_iter(b'\n', &text.as_bytes()[from..]);
        while start <= text.len() {
            let end = breaks.next().map_or(text.len(), |j| from + j);
            let line = &text[start..end];
            let line_start = start;
            let next = end + 1;
            start = next;
            // Trailing spaces end in `20` (space), `09` (tab), `A0` (NBSP) or `80` (U+3000).
            if !scan.trailing_space
                && matches!(line.as_bytes().last(), Some(0x20 | 0x09 | 0xA0 | 0x80))
                && line.ends_with(is_trailing_space)
            {
                scan.trailing_space = true;
            }
            if scan.first_join.is_some() || !self.cfg.join {
                if scan.trailing_space || !self.cfg.trailing_spaces {
                    break;
                }
                continue;
            }
            if is_blank(line) {
                blanks += 1;
                continue;
            }
            if let Some((prev, prev_start)) = a.filter(|_| blanks <= self.cfg.max_blank_lines) {
                // Only a line starting with a space or a byte `E3` can start with U+3000.
                let b = if matches!(line.as_bytes()[0], b' ' | 0xE3) {
                    line.trim_start_matches([' ', '\u{3000}'])
                } else {
                    line
                };
                let after_b = || lines(text.get(next..)?).find(|l| !is_blank(l));
                let mut tabular = [tab_a, None];
                if self.should_join_fast(prev, b, after_b, &mut tabular) {
                    scan.first_join = Some(prev_start);
                    continue;
                }
                // `is_tabular` ignores leading spaces: the answer for `b` holds for `line`.
                tab_a = tabular[1];
            } else {
                tab_a = None;
            }
            a = Some((line, line_start));
            blanks = 0;
        }
        scan
    }

    /// [`Self::scan`] of a text that [`Self::join_lines`] just made, given the paragraphs it
    /// grew (byte offsets of their first lines, in order): only the pairs of a grown
    /// paragraph and the non-blank line before it can read differently than when that pass
    /// asked about them, so the first of those that joins is the text's first join.
    fn rescan(&self, text: &str, grown: &[usize]) -> Scan {
        let mut scan = Scan { trailing_space: false, first_join: None };
        let b = text.as_bytes();
        for &g in grown {
            // The non-blank line before the paragraph, past at most `max_blank_lines` blank
            // lines.
            let mut end = g;
            let mut blanks = 0;
            let prev = loop {
                // `end` is a line start: the line before ends at the break before it.
                let Some(brk) = end.checked_sub(1) else { break None };
                let start = memchr::memrchr(b'\n', &b[..brk]).map_or(0, |j| j + 1);
                let line = &text[start..brk];
                if !is_blank(line) {
                    break Some((line, start));
                }
                blanks += 1;
                end = start;
            };
            let Some((prev, prev_start)) = prev.filter(|_| blanks <= self.cfg.max_blank_lines)
            else {
                continue;
            };
            let line_end = memchr::memchr(b'\n', &b[g..]).map_or(text.len(), |j| g + j);
            let line = &text[g..line_end];
            let para = line.trim_start_matches([' ', '\u{3000}']);
            let after = || lines(text.get(line_end + 1..)?).find(|l| !is_blank(l));
            if self.should_join_fast(prev, para, after, &mut [None, None]) {
                scan.first_join = Some(prev_start);
                break;
            }
        }
        scan
    }

    /// Rejoin broken paragraphs from byte `from` (a line start) on, growing each paragraph
    /// line by line; returns the whole text, the number of joins and the byte offsets of the
    /// paragraphs that grew. `None` when nothing is joined.
    ///
    /// The text is copied in runs between the joined paragraphs, and each joined paragraph
    /// is grown in place at the end of the output, where the next test reads it.
    fn join_lines(&self, text: &str, from: usize) -> Option<(String, u64, Vec<usize>)> {
        // Lines with their byte ranges; blank lines are kept as separators.
        let lines: Vec<&str> = lines(&text[from..]).collect();
        // For every line, the index of the first non-blank line at or after it (one backward
        // pass, so that looking ahead past blank lines never rescans them).
        let mut next_nonblank = vec![lines.len(); lines.len() + 1];
        for k in (0..lines.len()).rev() {
            next_nonblank[k] = if is_blank(lines[k]) { next_nonblank[k + 1] } else { k };
        }
        let next_content = |from: usize| -> Option<(usize, usize)> {
            // (index of next non-blank line, blank lines skipped)
            let k = next_nonblank[from.min(lines.len())];
            (k < lines.len()).then(|| (k, k - from))
        };
        // Byte offset in `text` of a line (a subslice of it).
        let offset = |line: &str| line.as_ptr() as usize - text.as_ptr() as usize;
        let mut out: Option<String> = None;
        // Bytes of `text` accounted for in `out`.
        let mut copied = 0;
        let mut joins = 0;
        let mut grown = Vec::new();
        let mut k = 0;
        while k < lines.len() {
            if next_nonblank[k] != k {
                k += 1;
                continue;
            }
            let line = lines[k];
            // Grow the paragraph starting at line k as far as it joins; once it has joined,
            // it is the tail of `out` from `para_at`.
            let mut para_at: Option<usize> = None;
            let mut end = k;
            while let Some((nk, blanks)) = next_content(end + 1) {
                if blanks > self.cfg.max_blank_lines {
                    break;
                }
                let after = next_content(nk + 1).map(|(a, _)| lines[a]);
                let b = lines[nk];
                let b_text = b.trim_start_matches([' ', '\u{3000}']);
                let para = match (para_at, &out) {
                    (Some(at), Some(o)) => &o[at..],
                    _ => line,
                };
                if !self.should_join_fast(para, b_text, || after, &mut [None, None]) {
                    break;
                }
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                if para_at.is_none() {
                    // Everything up to this paragraph, unchanged.
                    o.push_str(&text[copied..offset(line)]);
                    para_at = Some(o.len());
                    grown.push(o.len());
                    o.push_str(line);
                }
                o.push_str(b_text);
                joins += 1;
                end = nk;
            }
            if para_at.is_some() {
                // The joined lines (and the blank lines between them) are in `out`; the line
                // break after the last one is copied with the text that follows.
                copied = offset(lines[end]) + lines[end].len();
            }
            k = end + 1;
        }
        out.map(|mut o| {
            o.push_str(&text[copied..]);
            (o, joins, grown)
        })
    }
}

#[cfg(test)]
impl Reflow {
    /// `apply` as it was before the scan: the oracle of the fast paths.
    fn apply_reference<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
        let mut changes = 0;
        let mut cur: Cow<'a, str> = Cow::Borrowed(text);
        if self.cfg.line_endings && memchr::memchr(b'\r', cur.as_bytes()).is_some() {
            let (fixed, n) = unix_line_endings(&cur);
            changes += n;
            cur = Cow::Owned(fixed);
        }
        loop {
            if let Some((fixed, n)) = self.clean_lines_reference(&cur) {
                changes += n;
                cur = Cow::Owned(fixed);
            }
            if !self.cfg.join {
                break;
            }
            let Some((joined, n)) = self.join_reference(&cur) else { break };
            changes += n;
            cur = Cow::Owned(joined);
        }
        (cur, changes)
    }

    /// `clean_lines` with its own check for work, as before the scan, rebuilding the text
    /// line by line as before the copy in runs.
    fn clean_lines_reference(&self, text: &str) -> Option<(String, u64)> {
        let dirty = (self.cfg.markup && memchr::memmem::find(text.as_bytes(), b"**").is_some())
            || (self.cfg.trailing_spaces && has_trailing_space(text));
        if !dirty || (!self.cfg.trailing_spaces && !self.cfg.markup) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut n = 0;
        for (k, line) in lines(text).enumerate() {
            if k > 0 {
                out.push('\n');
            }
            let pairs = line.matches("**").count();
            let unmarked;
            let mut l = line;
            if self.cfg.markup && pairs > 0 && pairs % 2 == 0 && l.chars().any(is_han) {
                unmarked = l.replace("**", "");
                l = &unmarked;
                n += pairs as u64 / 2;
            }
            if self.cfg.trailing_spaces {
                let t = l.trim_end_matches(is_trailing_space);
                if t.len() != l.len() {
                    n += 1;
                    l = t;
                }
            }
            out.push_str(l);
        }
        (n > 0).then_some((out, n))
    }

    /// The paragraph-growing pass as it was before the scan, with the definition of
    /// `should_join`: the oracle of `apply`.
    fn join_reference(&self, text: &str) -> Option<(String, u64)> {
        // Lines with their byte ranges; blank lines are kept as separators.
        let lines: Vec<&str> = lines(text).collect();
        // For every line, the index of the first non-blank line at or after it (one backward
        // pass, so that looking ahead past blank lines never rescans them).
        let mut next_nonblank = vec![lines.len(); lines.len() + 1];
        for k in (0..lines.len()).rev() {
            next_nonblank[k] = if lines[k].trim().is_empty() { next_nonblank[k + 1] } else { k };
        }
        let next_content = |from: usize| -> Option<(usize, usize)> {
            // (index of next non-blank line, blank lines skipped)
            let k = next_nonblank[from.min(lines.len())];
            (k < lines.len()).then(|| (k, k - from))
        };
        let mut out: Option<String> = None;
        let mut joins = 0;
        let mut k = 0;
        while k < lines.len() {
            let line = lines[k];
            if next_nonblank[k] != k {
                if let Some(o) = out.as_mut() {
                    o.push_str(line);
                    if k + 1 < lines.len() {
                        o.push('\n');
                    }
                }
                k += 1;
                continue;
            }
            // Grow the paragraph starting at line k as far as it joins.
            let mut para: Cow<'_, str> = Cow::Borrowed(line);
            let mut end = k;
            while let Some((nk, blanks)) = next_content(end + 1) {
                if blanks > self.cfg.max_blank_lines {
                    break;
                }
                let after = next_content(nk + 1).map(|(a, _)| lines[a]);
                let b = lines[nk];
                if !self.should_join(&para, b.trim_start_matches([' ', '\u{3000}']), after) {
                    break;
                }
                if out.is_none() {
                    // First join in the document: copy everything before this paragraph.
                    let mut s = String::with_capacity(text.len());
                    for l in &lines[..k] {
                        s.push_str(l);
                        s.push('\n');
                    }
                    out = Some(s);
                }
                para.to_mut().push_str(b.trim_start_matches([' ', '\u{3000}']));
                joins += 1;
                end = nk;
            }
            if let Some(o) = out.as_mut() {
                o.push_str(&para);
                if end + 1 < lines.len() {
                    o.push('\n');
                }
            }
            k = end + 1;
        }
        out.map(|o| (o, joins))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(input: &str) -> String {
        ReflowConfig::default().build().unwrap().apply(input).0.into_owned()
    }

    const LONG_A: &str = "会议总结了“十三五”期间及2020年淄博市的卫生健康工作,对“十四五”开局之年卫生健康工作进行了安排部署,将加快推进健康淄博建设鲜";

    #[test]
    fn changes() {
        let long_join =
            format!("{LONG_A}\n\n明地书写在淄博高质量发展的旗帜上,不断增加健康服务供给。");
        let long_want = format!("{LONG_A}明地书写在淄博高质量发展的旗帜上,不断增加健康服务供给。");
        let cases: &[(&str, &str, &str)] = &[
            // (behaviour, input, expected)
            ("crlf", "第一行。\r\n第二行。\r\n", "第一行。\n第二行。\n"),
            ("lone_cr", "第一行。\r第二行。", "第一行。\n第二行。"),
            ("trailing_spaces", "第一行。  \n第二行。\u{3000}\t", "第一行。\n第二行。"),
            ("bold_markers", "新建**4个**省级以上**胸痛**中心。", "新建4个省级以上胸痛中心。"),
            ("ends_in_comma", "今年将加强基层建设,\n\n完善服务体系。", "今年将加强基层建设,完善服务体系。"),
            ("ends_in_dunhao", "医疗、\n养老、教育。", "医疗、养老、教育。"),
            ("number_split_from_unit", "疫情突如其来,卫生健康系统切实发挥牵头部门作用,迅速成立专家组,启动12家医院为定点医院,规范设立34\n\n处发热门诊。先后选派。", "疫情突如其来,卫生健康系统切实发挥牵头部门作用,迅速成立专家组,启动12家医院为定点医院,规范设立34处发热门诊。先后选派。"),
            ("unit_split_from_number", "此外,为夯实基层医疗卫生服务能力基础,2020\n\n年,淄博市启动建设。", "此外,为夯实基层医疗卫生服务能力基础,2020年,淄博市启动建设。"),
            ("fragment_after_medium_line", "面对具有长期性、复杂性、艰巨性特点的疫情防控\n\n工作,淄博市将严格落实。", "面对具有长期性、复杂性、艰巨性特点的疫情防控工作,淄博市将严格落实。"),
            ("chain_of_three", "面对具有长期性、复杂性、艰巨性特点的疫情防控\n\n工作,淄博市将严格落实要求,持续推进疫苗采购、接种工\n\n作。加强建设。", "面对具有长期性、复杂性、艰巨性特点的疫情防控工作,淄博市将严格落实要求,持续推进疫苗采购、接种工作。加强建设。"),
            ("prose_with_dateline_space", "淄博2月27日讯 “年内启动5个市级医院提升工程,新建4个省级以上胸痛、卒中等重大疾病综合防治中心,将加快推进健康淄博建设鲜\n\n明地书写在淄博高质量发展的旗帜上。", "淄博2月27日讯 “年内启动5个市级医院提升工程,新建4个省级以上胸痛、卒中等重大疾病综合防治中心,将加快推进健康淄博建设鲜明地书写在淄博高质量发展的旗帜上。"),
            ("table_cell_fragment", "\t5\n\t加强紧急医学救援\n\n能力建设\n\t提升救援能力。", "\t5\n\t加强紧急医学救援能力建设\n\t提升救援能力。"),
            // Found by fuzzing and the idempotence property test: one run must do all a
            // second run would.
            ("join_completes_markup_pair", "**,\n临**", ",临"),
            ("markup_before_trailing_space", "**中 **\n", "中\n"),
            (
                "cell_fragment_grows_into_paragraph",
                "\t序号\n加强紧急医学救援能力建设工作要求\n，落实",
                "\t序号加强紧急医学救援能力建设工作要求，落实",
            ),
            ("keeps_surrounding_blank_lines", "标题\n\n疫情突如其来,卫生健康系统切实发挥牵头部门作用,迅速成立专家组,启动12家医院为定点医院,规范设立34\n\n处发热门诊。\n\n尾。\n", "标题\n\n疫情突如其来,卫生健康系统切实发挥牵头部门作用,迅速成立专家组,启动12家医院为定点医院,规范设立34处发热门诊。\n\n尾。\n"),
        ];
        for (name, input, want) in cases {
            assert_eq!(apply(input), *want, "case {name}");
        }
        assert_eq!(apply(&long_join), long_want, "case long_prose_cut_mid_word");
    }

    #[test]
    fn leaves_alone() {
        let cases: &[(&str, &str)] = &[
            ("two_sentences", "第一段内容完整。\n\n第二段内容完整。"),
            ("heading_then_paragraph", "完善重点人群健康服务\n\n为补齐短板,增强基层就医的吸引力。"),
            ("two_headings_then_paragraph", "聚焦健康淄博建设\n\n交出“十三五”及2020年精彩答卷\n\n2020年是“十三五”收官之年,过去的一年。"),
            ("heading_then_opener", "提升基层医疗卫生机构服务能力建设水平\n\n同时,依托全民健康信息平台。"),
            ("title_with_spaces", "启动5个市级医院提升工程 建成投用市中医医院东院区 今年卫生健康工作这么干\n\n淄博2月27日讯 “年内启动5个市级医院提升工程。"),
            ("title_then_byline", "青岛市卫生健康委员会2021年上半年工作总结\n青岛政务网 发布日期 : 2021-07-16"),
            ("list_items", "主要任务如下\n一、加强防控\n二、提升能力\n（三）完善服务\n1、建设\n2. 推进\n①落实"),
            ("list_after_fragment", "今年要重点推进以下几项工作的落实和具体的部署安排\n\n一、统筹安全与发展。"),
            ("tab_cells", "\t类别\n\t序号\n\t目标名称"),
            ("form_line", "单位名称：市卫生健康委         联系电话：85912521\n标杆城市：杭州市    标杆值：预约挂号"),
            ("widget_lines", "扫描“鲁中晨报”APP\n二维码查看\n更多内容"),
            ("english_lines", "This line is broken in the\nmiddle of an English sentence"),
            ("code", "fn main() {\n    let x = 1;\n}\n"),
            ("japanese", "これは日本語の文章です\n次の行です"),
            ("after_colon", "主要内容包括以下几个方面的具体工作：\n加强基层建设。"),
            ("after_closing_quote", "这就是所谓的“健康淄博”\n\n新的一年开始了。"),
            ("too_many_blank_lines", "疫情突如其来,卫生健康系统切实发挥牵头部门作用,迅速成立专家组,启动12家医院为定点医院,规范设立34\n\n\n\n处发热门诊。"),
            ("single_star_kept", "2**3 = 8"),
            ("odd_stars_kept", "注意**这里"),
            ("clean", "青岛市卫生健康委员会认真贯彻落实全省统一部署要求。\n\n第二段。\n"),
            ("url_line", "详细内容请访问以下网址查看相关的通知和公告原文\nhttp://www.gov.cn/a"),
            ("numbers_column", "序号\n1\n2\n3"),
            ("date_line", "发布日期\n2021-07-16"),
            ("markdown_table", "| 项目 | 数量 |\n| --- | --- |"),
            ("markdown_list", "主要任务如下\n- 加强防控\n- 提升能力"),
            ("latin_paragraphs", "First paragraph ends here\n\nsecond one starts"),
            ("python_code", "def f(x):\n    return x\n\nprint(f(1))"),
            ("japanese_with_blank", "これは日本語の文章です\n\n次の段落です"),
            ("single_space_kept_inside", "Hello world 你好"),
        ];
        for (name, input) in cases {
            let (got, n) = ReflowConfig::default().build().unwrap().apply(input);
            assert_eq!(got, *input, "case {name}");
            assert!(matches!(got, Cow::Borrowed(_)), "case {name} must not copy");
            assert_eq!(n, 0, "case {name}");
        }
    }

    #[test]
    fn list_markers() {
        let cases: &[(&str, bool)] = &[
            ("一、统筹", true),
            ("（一）完善", true),
            ("(2)推进", true),
            ("1、建设", true),
            ("1. 推进", true),
            ("12．推进", true),
            ("①落实", true),
            ("第三条 规定", true),
            ("• 要点", true),
            ("1.5万人", false),
            ("2021年", false),
            ("一些工作", false),
            ("第一时间", false),
            ("(ICU)", false),
        ];
        for (line, want) in cases {
            assert_eq!(starts_with_list_marker(line), *want, "{line}");
        }
    }

    #[test]
    fn line_scans_agree_with_their_definitions() {
        let cases = [
            "",
            "\n",
            "a",
            "a\n",
            "\n\nb",
            "一 \n二",
            "一\u{A0}",
            "一\u{3000}\n",
            "一\t\n\n",
            "a\r\nb ",
        ];
        for t in cases {
            assert_eq!(lines(t).collect::<Vec<_>>(), t.split('\n').collect::<Vec<_>>(), "{t:?}");
            let want = t.split('\n').any(|l| l.ends_with(is_trailing_space));
            assert_eq!(has_trailing_space(t), want, "{t:?}");
        }
    }

    proptest::proptest! {
        /// The byte searches agree with the `str` searches they replace.
        #[test]
        fn line_features_agree_with_their_definitions(
            line in "[中文，,、。；;：a \t\u{3000}\u{3001}\u{3002}\u{3080}\u{FF0C}\u{FF1B}\u{FF1C}\u{A0}]{0,40}",
        ) {
            let tabular = line.contains('\t')
                || line.trim().contains("  ")
                || line.trim().contains('\u{3000}');
            proptest::prop_assert_eq!(is_tabular(&line), tabular);
            let prose = line.contains(['，', ',', '、', '。', '；', ';']);
            proptest::prop_assert_eq!(is_prose(&line), prose);
        }
    }

    proptest::proptest! {
        /// The streaming scan finds what the definitions find: the first paragraph the
        /// paragraph-growing pass joins (with the definition of `should_join`), and whether
        /// any line ends in a space; and the fast test agrees with the definition on every
        /// pair of lines.
        #[test]
        fn scan_agrees_with_join_lines(
            lines in proptest::collection::vec(
                "[中文，,、。：；a1 \t\u{3000}\u{A0}（）一①第章*]{0,6}|\\*\\*临|\n\n|同时，工作|加强紧急医学救援|\t序号|能力建设|面对具有长期性、复杂性、艰巨性特点的疫情防控与建设工作要求|  |疫情突如其来,卫生健康系统切实发挥牵头部门作用,迅速成立专家组,启动12家医院为定点医院,规范设立34|青岛政务网 发布日期|淄博2月27日讯 启动5个市级医院提升工程,新建4个省级以上胸痛、卒中等重大疾病综合防治中心鲜",
                0..16,
            ),
        ) {
            let text = lines.join("\n");
            let reflow = ReflowConfig::default().build().unwrap();
            // `join_lines` with the definition: the first paragraph (as a byte offset)
            // whose first line the definition joins to the next non-blank line.
            let all: Vec<&str> = super::lines(&text).collect();
            let mut want = None;
            let mut offset = 0;
            let mut offsets = Vec::new();
            for l in &all {
                offsets.push(offset);
                offset += l.len() + 1;
            }
            'outer: for k in 0..all.len() {
                if all[k].trim().is_empty() {
                    continue;
                }
                let mut n = k + 1;
                while n < all.len() && all[n].trim().is_empty() {
                    n += 1;
                }
                if n >= all.len() || n - k - 1 > reflow.cfg.max_blank_lines {
                    continue;
                }
                let after = all[n + 1..].iter().find(|l| !l.trim().is_empty()).copied();
                let b = all[n].trim_start_matches([' ', '\u{3000}']);
                if reflow.should_join(all[k], b, after) {
                    want = Some(offsets[k]);
                    break 'outer;
                }
            }
            let (got, n) = reflow.apply(&text);
            let (want_text, want_n) = reflow.apply_reference(&text);
            proptest::prop_assert_eq!((got.as_ref(), n), (want_text.as_ref(), want_n));
            let scan = reflow.scan(&text, 0);
            proptest::prop_assert_eq!(scan.first_join, want, "{:?}", text);
            proptest::prop_assert_eq!(scan.trailing_space, has_trailing_space(&text));
            for k in 0..all.len() {
                for n in k + 1..all.len() {
                    let b = all[n].trim_start_matches([' ', '\u{3000}']);
                    let after = all.get(n + 1).copied();
                    proptest::prop_assert_eq!(
                        reflow.should_join_fast(all[k], b, || after, &mut [None, None]),
                        reflow.should_join(all[k], b, after),
                        "{:?} / {:?}", all[k], b
                    );
                }
            }
        }

        /// `scan` reuses a line's `is_tabular` from when it was the second half
        /// (leading spaces and U+3000 trimmed) for when it is the first half (untrimmed).
        #[test]
        fn tabular_ignores_leading_spaces(line in "[ \u{3000}\t中a]{0,12}") {
            let b = line.trim_start_matches([' ', '\u{3000}']);
            proptest::prop_assert_eq!(is_tabular(b), is_tabular(&line));
        }
    }

    proptest::proptest! {
        /// The one-pass line ending and `**` searches agree with the `str` methods they
        /// replace.
        #[test]
        fn byte_searches_agree_with_their_definitions(t in "[\r\n*a中]{0,24}") {
            let fixed = t.replace("\r\n", "\n").replace('\r', "\n");
            let n = (t.len() - fixed.len()) as u64 + fixed.matches('\n').count() as u64
                - t.matches('\n').count() as u64;
            proptest::prop_assert_eq!(unix_line_endings(&t), (fixed, n));
            proptest::prop_assert_eq!(has_double_star(&t), t.contains("**"));
        }
    }

    #[test]
    fn is_blank_agrees_with_trim_for_every_character() {
        for c in (0..0x11000u32).filter_map(char::from_u32) {
            for line in [format!("{c}"), format!("{c}a"), format!("{c} ")] {
                assert_eq!(is_blank(&line), line.trim().is_empty(), "{line:?}");
            }
        }
        for line in ["", " ", "\u{3000}", " \t", "\u{A0}中"] {
            assert_eq!(is_blank(line), line.trim().is_empty(), "{line:?}");
        }
    }

    #[test]
    fn idempotent() {
        let input = "面对具有长期性、复杂性、艰巨性特点的疫情防控\r\n\r\n工作,淄博市**严格**落实要求,持续推进疫苗采购、接种工  \n\n作。\n\t加强紧急医学救援\n\n能力建设\n\t提升。";
        let once = apply(input);
        assert_eq!(apply(&once), once);
    }
}
