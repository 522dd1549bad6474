//! The `annotations` stage: remove pinyin readings that a Simplified→Traditional converter
//! inserted after Han characters.
//!
//! Some sites run their pages through a converter that writes the reading of characters it
//! considers ambiguous: `衛(wèi)生健康` for `衛生健康`. Such a parenthesized text is removed
//! only when it is a valid reading of the Han character right before it, per the `pinyin`
//! crate's dictionary with all heteronyms, in tone-mark (`wèi`), tone-number (`wei4`) or
//! toneless (`wei`) style, with half- or full-width parentheses. `(ICU270張)`,
//! `(2021-2023年)` and real parenthesized words are not readings and stay. Control and
//! zero-width characters (which `normalize` drops later) are looked through: `衛\u{200B}(wèi)`
//! is annotated as much as `衛(wèi)`.
//!
//! Before → after: `工作總結(jié)` → `工作總結`.

use std::borrow::Cow;

use pinyin::ToPinyinMulti;
use qingxi_core::{Document, Stage, StageName};
use serde::Deserialize;

use crate::chars::{is_han, is_invisible};
use crate::NormalizeError;

/// `（` in UTF-8.
const FULL_OPEN: &str = "（";

/// Options of the `annotations` stage (`[annotations]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct AnnotationsConfig {
    /// Accept readings written without a tone (`wei`) as well as with tone marks (`wèi`) or
    /// tone numbers (`wei4`).
    pub allow_toneless: bool,
    /// Longest parenthesized text (in characters) that is checked as a reading. Pinyin
    /// syllables are at most 6 letters plus a tone number.
    pub max_len: usize,
}

impl Default for AnnotationsConfig {
    fn default() -> Self {
        AnnotationsConfig { allow_toneless: true, max_len: 8 }
    }
}

impl AnnotationsConfig {
    /// Build the runtime stage.
    pub fn build(&self) -> Result<Annotations, NormalizeError> {
        if !(1..=32).contains(&self.max_len) {
            return Err(NormalizeError::InvalidOption {
                option: "annotations.max-len",
                reason: format!("must be between 1 and 32, got {}", self.max_len),
            });
        }
        Ok(Annotations {
            allow_toneless: self.allow_toneless,
            max_len: self.max_len,
            full_open: memchr::memmem::Finder::new(FULL_OPEN).into_owned(),
        })
    }
}

/// The runtime `annotations` stage.
#[derive(Debug, Clone)]
pub struct Annotations {
    allow_toneless: bool,
    max_len: usize,
    /// Searcher for `（`, built once.
    full_open: memchr::memmem::Finder<'static>,
}

impl Stage for Annotations {
    fn name(&self) -> StageName {
        StageName::Annotations
    }

    fn run(&self, doc: &mut Document) {
        let (text, n) = self.strip(&doc.text);
        if let Cow::Owned(t) = text {
            doc.text = t;
        }
        doc.count(StageName::Annotations, n);
    }
}

/// A reading reduced to a comparable key: lowercase letters with `ü` as `v`, and the tone
/// (1–4, or 0 when none was written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reading {
    letters: [u8; 8],
    len: usize,
    tone: u8,
}

/// Map a tone-marked vowel to its base letter and tone.
fn untone(c: char) -> Option<(u8, u8)> {
    const TABLE: &[(char, u8, u8)] = &[
        ('ā', b'a', 1),
        ('á', b'a', 2),
        ('ǎ', b'a', 3),
        ('à', b'a', 4),
        ('ē', b'e', 1),
        ('é', b'e', 2),
        ('ě', b'e', 3),
        ('è', b'e', 4),
        ('ī', b'i', 1),
        ('í', b'i', 2),
        ('ǐ', b'i', 3),
        ('ì', b'i', 4),
        ('ō', b'o', 1),
        ('ó', b'o', 2),
        ('ǒ', b'o', 3),
        ('ò', b'o', 4),
        ('ū', b'u', 1),
        ('ú', b'u', 2),
        ('ǔ', b'u', 3),
        ('ù', b'u', 4),
        ('ǖ', b'v', 1),
        ('ǘ', b'v', 2),
        ('ǚ', b'v', 3),
        ('ǜ', b'v', 4),
        ('ü', b'v', 0),
        ('ń', b'n', 2),
        ('ň', b'n', 3),
        ('ǹ', b'n', 4),
        ('ḿ', b'm', 2),
        ('ê', b'e', 0),
    ];
    TABLE.iter().find(|(k, _, _)| *k == c).map(|(_, b, t)| (*b, *t))
}

/// Parse a written reading (`wèi`, `wei4`, `lü`, `lv3`); `None` if it is not shaped like one.
fn parse_reading(s: &str) -> Option<Reading> {
    let mut r = Reading { letters: [0; 8], len: 0, tone: 0 };
    let mut chars = s.chars().filter(|c| !is_invisible(*c)).peekable();
    while let Some(c) = chars.next() {
        let (b, tone) = match c {
            'a'..='z' => (c as u8, 0),
            'A'..='Z' if r.len == 0 => (c.to_ascii_lowercase() as u8, 0),
            '1'..='5' if chars.peek().is_none() && r.len > 0 => {
                // A trailing tone number; 5 is the neutral tone, written as no tone.
                let t = c as u8 - b'0';
                r.tone = if t == 5 { 0 } else { t };
                continue;
            }
            _ => untone(c)?,
        };
        if tone != 0 {
            if r.tone != 0 {
                return None;
            }
            r.tone = tone;
        }
        if r.len == r.letters.len() {
            return None;
        }
        r.letters[r.len] = b;
        r.len += 1;
    }
    (r.len > 0).then_some(r)
}

impl Annotations {
    /// True when `written` is one of the readings of `han`.
    fn is_reading_of(&self, han: char, written: &str) -> bool {
        let Some(w) = parse_reading(written) else { return false };
        let Some(multi) = han.to_pinyin_multi() else { return false };
        multi.into_iter().any(|p| {
            let Some(d) = parse_reading(p.with_tone_num_end()) else { return false };
            d.letters == w.letters && (d.tone == w.tone || (self.allow_toneless && w.tone == 0))
        })
    }

    /// Remove annotations from `text`, returning the text and how many were removed.
    ///
    /// Only opening parentheses are visited, in order: `memchr` finds `(` and `memmem`
    /// finds `（` (`EF BC 88`), so text without parentheses costs two vectorized scans and
    /// no copy. (A search for one byte of `（` alone stops at every Han character that
    /// holds it.)
    pub(crate) fn strip<'a>(&self, text: &'a str) -> (Cow<'a, str>, u64) {
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut removed = 0;
        // The Han character before the last removed annotation: it is still the character
        // before an annotation that follows right after (`結(jié)(jie2)`).
        let mut last_han = None;
        for (open, i) in self.open_parens(bytes) {
            if i < copied {
                continue; // inside an annotation already removed
            }
            let only_invisible = |s: &str| s.chars().all(is_invisible);
            let prev = if removed > 0 && only_invisible(&text[copied..i]) {
                last_han
            } else {
                text[..i].chars().rev().find(|c| !is_invisible(*c))
            };
            let Some(h) = prev.filter(|p| is_han(*p)) else { continue };
            let Some((end, close_len)) = self.annotation_end(&text[i..], open) else { continue };
            let inner = &text[i + open.len_utf8()..i + end - close_len];
            if self.is_reading_of(h, inner) {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[copied..i]);
                copied = i + end;
                removed += 1;
                last_han = Some(h);
            }
        }
        match out {
            None => (Cow::Borrowed(text), 0),
            Some(mut o) => {
                o.push_str(&text[copied..]);
                (Cow::Owned(o), removed)
            }
        }
    }

    /// Every opening parenthesis of `bytes`, `(` or `（`, with its byte offset, in order:
    /// the hits of the two searches merged.
    fn open_parens<'t>(&'t self, bytes: &'t [u8]) -> impl Iterator<Item = (char, usize)> + 't {
        let mut half = memchr::memchr_iter(b'(', bytes).peekable();
        let mut full = self.full_open.find_iter(bytes).peekable();
        std::iter::from_fn(move || match (half.peek().copied(), full.peek().copied()) {
            (Some(h), Some(f)) if f < h => {
                full.next();
                Some(('（', f))
            }
            (Some(h), _) => {
                half.next();
                Some(('(', h))
            }
            (None, f) => {
                full.next();
                f.map(|f| ('（', f))
            }
        })
    }

    /// Byte length of `(…)` at the start of `s` when its content is short and made of
    /// pinyin-like characters, with the byte length of the closing parenthesis (which may be
    /// of either width).
    fn annotation_end(&self, s: &str, open: char) -> Option<(usize, usize)> {
        let mut n = 0;
        for (j, c) in s.char_indices().skip(1) {
            match c {
                ')' | '）' => return (n > 0).then_some((j + c.len_utf8(), c.len_utf8())),
                _ if c == open => return None,
                'a'..='z' | 'A'..='Z' | '1'..='5' => {}
                _ if untone(c).is_some() => {}
                _ if is_invisible(c) => continue,
                _ => return None,
            }
            n += 1;
            if n > self.max_len {
                return None;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage() -> Annotations {
        AnnotationsConfig::default().build().unwrap()
    }

    #[test]
    fn removes_valid_readings() {
        let cases: &[(&str, &str, &str, u64)] = &[
            // (behaviour, input, expected, removals)
            ("tone_marks", "青島市衛(wèi)生", "青島市衛生", 1),
            ("two_in_a_row", "工作總結(jié)", "工作總結", 1),
            ("full_width_parens", "衛（wèi）生", "衛生", 1),
            ("mixed_width_parens", "衛(wèi）生", "衛生", 1),
            ("tone_number", "衛(wei4)生", "衛生", 1),
            ("toneless", "衛(wei)生", "衛生", 1),
            ("heteronym_second_reading", "還(huán)款", "還款", 1),
            ("u_umlaut", "綠(lǜ)色", "綠色", 1),
            ("u_as_v_number", "綠(lv4)色", "綠色", 1),
            ("neutral_tone", "的(de)", "的", 1),
            ("several", "認(rèn)真貫徹落實全省統(tǒng)一", "認真貫徹落實全省統一", 2),
            ("end_of_text", "總結(jié)", "總結", 1),
            // Characters `normalize` drops later are looked through (found by fuzzing the
            // pipeline: a second run, without them, removed the reading).
            ("zero_width_before", "衛\u{200B}(wèi)生", "衛\u{200B}生", 1),
            ("controls_before", "業\u{2}\u{2}(yè)", "業\u{2}\u{2}", 1),
            ("control_inside", "務(\u{19}\u{19}wù)", "務", 1),
            ("zero_width_between_two", "結(jié)\u{200B}(jie2)", "結\u{200B}", 2),
        ];
        for (name, input, want, n) in cases {
            let (got, removed) = stage().strip(input);
            assert_eq!(got, *want, "case {name}");
            assert_eq!(removed, *n, "case {name}");
        }
    }

    #[test]
    fn leaves_everything_else_alone() {
        let cases: &[(&str, &str)] = &[
            ("count_with_letters", "床位2700張(ICU270張)"),
            ("year_range", "實施方案(2021-2023年)》"),
            ("parenthesized_words", "核酸采樣點7393個(常態化開放166個)"),
            ("wrong_reading", "衛(zhōng)生"),
            ("wrong_tone", "衛(wēi)生"),
            ("english_word", "蘋果(apple)很好"),
            ("abbreviation", "世界衛生組織(WHO)發布"),
            ("after_latin", "function(wei)"),
            ("after_digit", "第3(san)條"),
            ("after_space", "衛 (wèi)"),
            ("unclosed", "衛(wèi"),
            ("empty_parens", "衛()生"),
            ("too_long", "衛(weiweiweiwei)"),
            ("number_only", "附件(1)"),
            ("japanese", "東京(とうきょう)"),
            ("code", "if (x) { f(y); }"),
            ("code_call_after_han", "調用f(x)與g(y)"),
            ("url_in_parens", "網址(www.gov.cn)與(http://a.cn/b)"),
            ("time_in_parens", "會議(10:30)開始"),
            ("date_in_parens", "發布(2021-07-16)"),
            ("decimal_in_parens", "增長(3.5)個百分點"),
            ("english_sentence", "Hello (world), see (fig. 2)."),
            ("latin_word_after_han", "見(see)"),
            ("markdown_link", "詳見[鏈接](http://a.cn)"),
            ("japanese_kana_after_kanji", "日本語(にほんご)"),
            ("simplified_word_in_parens", "卫生(健康)"),
        ];
        for (name, input) in cases {
            let (got, removed) = stage().strip(input);
            assert_eq!(got, *input, "case {name}");
            assert!(matches!(got, Cow::Borrowed(_)), "case {name} must not copy");
            assert_eq!(removed, 0, "case {name}");
        }
    }

    #[test]
    fn tone_number_mismatch_is_kept_unless_toneless() {
        let strict = AnnotationsConfig { allow_toneless: false, ..Default::default() };
        let s = strict.build().unwrap();
        assert_eq!(s.strip("衛(wei)生").0, "衛(wei)生");
        assert_eq!(s.strip("衛(wèi)生").0, "衛生");
    }

    #[test]
    fn idempotent_and_counted() {
        let mut doc = Document::new("t", "統(tǒng)籌安全與發(fā)展".to_string());
        stage().run(&mut doc);
        let once = doc.text.clone();
        stage().run(&mut doc);
        assert_eq!(doc.text, once);
        assert_eq!(once, "統籌安全與發展");
        assert_eq!(doc.meta.changes["annotations"], 2);
    }

    proptest::proptest! {
        /// The merged byte searches find exactly the opening parentheses a walk over the
        /// characters finds.
        #[test]
        fn open_parens_agree_with_the_characters(
            s in "[衛生中（）()\u{FF08}\u{FF48}\u{FF88}\u{2088}a-z ，。\u{4E08}\u{5088}]{0,200}",
        ) {
            let want: Vec<(char, usize)> = s
                .char_indices()
                .filter(|(_, c)| matches!(c, '(' | '（'))
                .map(|(i, c)| (c, i))
                .collect();
            let got: Vec<(char, usize)> = stage().open_parens(s.as_bytes()).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn rejects_bad_config() {
        assert!(AnnotationsConfig { max_len: 0, ..Default::default() }.build().is_err());
    }
}
