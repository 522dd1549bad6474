//! How plausible a decoding is as text of the language its encoding is used for.
//!
//! Every candidate decodes the same bytes, so summing a per-character score over the decoded
//! text compares them like log-likelihoods: common characters of the expected script earn
//! points, rare characters, private-use, controls and U+FFFD cost points. The weights reflect
//! how often each class occurs in real text of that language versus in the same bytes read
//! with the wrong encoding (e.g. GBK read as Big5 lands on level-2 Han about 40% of the time).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use encoding_rs::Encoding;

use crate::tables::{
    tables, Tables, HANGUL_COMMON, HANGUL_TOP, JAPANESE, LEVEL_ONE, SIMPLIFIED,
    TOP_SIMPLIFIED_FLAG, TOP_TRADITIONAL_FLAG, TRADITIONAL,
};

/// The kind of text an encoding carries, which decides what is plausible in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Model {
    /// GBK / GB18030: Simplified Chinese.
    Simplified,
    /// Big5: Traditional Chinese.
    Traditional,
    /// Shift_JIS, EUC-JP, ISO-2022-JP.
    Japanese,
    /// EUC-KR (windows-949).
    Korean,
    /// windows-1252 and the other Latin-script single-byte encodings.
    Latin,
    /// Single-byte encodings of other alphabets (Cyrillic, Greek, Hebrew, Arabic, Thai).
    Alphabet,
    /// UTF-8 / UTF-16: any script.
    Unicode,
}

impl Model {
    pub(crate) fn of(enc: &'static Encoding) -> Model {
        match enc.name() {
            "GBK" | "gb18030" => Model::Simplified,
            "Big5" => Model::Traditional,
            "Shift_JIS" | "EUC-JP" | "ISO-2022-JP" => Model::Japanese,
            "EUC-KR" => Model::Korean,
            "UTF-8" | "UTF-16LE" | "UTF-16BE" => Model::Unicode,
            "windows-1250" | "windows-1252" | "windows-1254" | "windows-1257" | "windows-1258"
            | "ISO-8859-2" | "ISO-8859-3" | "ISO-8859-4" | "ISO-8859-10" | "ISO-8859-13"
            | "ISO-8859-14" | "ISO-8859-15" | "ISO-8859-16" | "macintosh" => Model::Latin,
            _ => Model::Alphabet,
        }
    }
}

/// Character classes the scores are defined over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Ascii,
    Space,
    Control,
    Replacement,
    PrivateUse,
    /// Han; its level-1 and top-tier flags are looked up separately.
    Han,
    Hiragana,
    Katakana,
    HalfwidthKana,
    /// A KS X 1001 syllable.
    CommonHangul,
    /// A KS X 1001 syllable of the top tier.
    TopHangul,
    RareHangul,
    Jamo,
    /// Ideographic punctuation and full-width punctuation (，。、「」！？).
    CjkPunct,
    /// Full-width letters and digits.
    FullwidthAlnum,
    /// General punctuation used in running text (“ ” ‘ ’ — … ·).
    Typographic,
    /// Latin-1 letters (the accented letters of Western European languages).
    LatinLetter,
    /// Latin Extended letters (Central European, Baltic, Turkish …).
    LatinExtended,
    /// Letters of other alphabets (Greek, Cyrillic, Hebrew, Arabic, Thai …).
    OtherLetter,
    /// Everything else: symbols, box drawing, math, dingbats.
    Symbol,
}

impl Class {
    const ALL: [Class; 20] = [
        Class::Ascii,
        Class::Space,
        Class::Control,
        Class::Replacement,
        Class::PrivateUse,
        Class::Han,
        Class::Hiragana,
        Class::Katakana,
        Class::HalfwidthKana,
        Class::CommonHangul,
        Class::TopHangul,
        Class::RareHangul,
        Class::Jamo,
        Class::CjkPunct,
        Class::FullwidthAlnum,
        Class::Typographic,
        Class::LatinLetter,
        Class::LatinExtended,
        Class::OtherLetter,
        Class::Symbol,
    ];

    fn is_ideograph_like(self) -> bool {
        matches!(self, Class::Han | Class::CommonHangul | Class::TopHangul)
    }

    fn is_hangul_syllable(self) -> bool {
        matches!(self, Class::CommonHangul | Class::TopHangul)
    }
}

/// The class of `c`, and for Han its flags (0 otherwise). The scorer reads this through
/// [`codes`] for the Basic Multilingual Plane.
fn classify(t: &Tables, c: char) -> (Class, u8) {
    let cp = c as u32;
    let class = match cp {
        0x21..=0x7E => Class::Ascii,
        0x20 => Class::Space,
        0x09 | 0x0A | 0x0D | 0x0C => Class::Space,
        0x00..=0x1F | 0x7F..=0x9F => Class::Control,
        0xFFFD => Class::Replacement,
        0xE000..=0xF8FF | 0xF0000..=0x10FFFF => Class::PrivateUse,
        0x4E00..=0x9FFF => return (Class::Han, t.han_flags(c)),
        0x3400..=0x4DBF | 0x20000..=0x3FFFF | 0xF900..=0xFAFF => Class::Han,
        0x3041..=0x309F => Class::Hiragana,
        0x30A0..=0x30FF => Class::Katakana,
        0xFF61..=0xFF9F => Class::HalfwidthKana,
        0xAC00..=0xD7A3 => hangul_class(t.hangul_flags(c)),
        0x1100..=0x11FF | 0x3130..=0x318F => Class::Jamo,
        0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF60 => {
            Class::CjkPunct
        }
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => Class::FullwidthAlnum,
        // Punctuation and the few symbols common in running text: quotes, dashes, ellipsis,
        // currency, degree, fractions, copyright.
        0x2010..=0x2027
        | 0x2030
        | 0x2122
        | 0x20AC
        | 0x00A1
        | 0x00A3
        | 0x00A7
        | 0x00A9
        | 0x00AB
        | 0x00AE
        | 0x00B0
        | 0x00B7
        | 0x00BB
        | 0x00BC..=0x00BF => Class::Typographic,
        0x00C0..=0x00FF if cp != 0xD7 && cp != 0xF7 => Class::LatinLetter,
        0x0100..=0x024F => Class::LatinExtended,
        _ if c.is_alphabetic() => Class::OtherLetter,
        _ => Class::Symbol,
    };
    (class, 0)
}

/// The class of a hangul syllable with these flags (see [`Tables::hangul_flags`]).
fn hangul_class(flags: u8) -> Class {
    if flags & HANGUL_TOP != 0 {
        Class::TopHangul
    } else if flags & HANGUL_COMMON != 0 {
        Class::CommonHangul
    } else {
        Class::RareHangul
    }
}

/// Codes at or above this are Han; the low five bits are its flags.
const HAN_CODE: u8 = 32;
/// Number of distinct codes: the classes, then Han by flags.
const CODES: usize = HAN_CODE as usize + 32;

/// One byte that says everything the scorer needs about a character: its class, or for Han
/// [`HAN_CODE`] plus its level-1 and top-tier flags.
fn code_of(t: &Tables, c: char) -> u8 {
    match classify(t, c) {
        (Class::Han, flags) => HAN_CODE | (flags & 31),
        (class, _) => class as u8,
    }
}

/// [`code_of`] from a table for the Basic Multilingual Plane: classifying by a chain of
/// range tests costs more than the rest of the scoring together. The table is built in
/// blocks of 256 code points as text reaches them, so a run over Chinese text pays for the
/// few blocks it uses, not for all 65 536 code points.
///
/// Blocks filled by one rule ([`uniform_block`]) are built at once. Any other block costs
/// 256 classifications, while bytes read in a wrong encoding (UTF-16 above all) touch most
/// blocks only for a character or two: such a block is built once it has been looked up
/// [`BUILD_AFTER`] times, and classified character by character until then.
#[inline]
fn code(t: &Tables, c: char) -> u8 {
    static BLOCKS: [OnceLock<[u8; 256]>; 256] = [const { OnceLock::new() }; 256];
    static LOOKUPS: [AtomicU32; 256] = [const { AtomicU32::new(0) }; 256];
    let cp = c as usize;
    let Some(block) = BLOCKS.get(cp >> 8) else { return code_of(t, c) };
    if let Some(codes) = block.get() {
        return codes[cp & 0xFF];
    }
    let b = cp >> 8;
    if uniform_block(b) || LOOKUPS[b].fetch_add(1, Ordering::Relaxed) >= BUILD_AFTER {
        return block.get_or_init(|| code_block(t, b))[cp & 0xFF];
    }
    code_of(t, c)
}

/// Lookups of a block that is not [`uniform_block`] before it is built: a quarter of what
/// building it costs, so a block never costs more than 1.25 times what it would have cost
/// had it been built up front, and a block touched by a stray character costs little.
const BUILD_AFTER: u32 = 64;

/// Whether block `b` (code points `b << 8 ..`) is filled by one rule in [`code_block`],
/// a few instructions per code point.
fn uniform_block(b: usize) -> bool {
    matches!(b, 0x34..=0x4C | 0x4E..=0x9F | 0xAC..=0xD6 | 0xD8..=0xDF | 0xE0..=0xFA)
}

/// [`code_of`] for the 256 code points from `block << 8`. Text read in a wrong encoding
/// scatters over some two hundred blocks, nearly all of them Han, hangul or private use:
/// those are filled by their one rule instead of through the whole classifier (which cost
/// over a hundred instructions per code point). The unit test below checks every code point
/// of the plane against [`code_of`].
fn code_block(t: &Tables, block: usize) -> [u8; 256] {
    let first = (block << 8) as u32;
    let at = |i: usize| char::from_u32(first + i as u32);
    match block {
        // CJK Unified Ideographs (U+4E00..=U+9FFF), with their flags.
        0x4E..=0x9F => {
            let mut codes = [HAN_CODE; 256];
            for (code, flags) in codes.iter_mut().zip(t.han_flags_from(first)) {
                *code = HAN_CODE | (flags & 31);
            }
            codes
        }
        // Extension A (whole blocks of U+3400..=U+4DBF) and the compatibility ideographs
        // (U+F900..=U+FAFF): Han without flags.
        0x34..=0x4C | 0xF9 | 0xFA => [HAN_CODE; 256],
        // Whole blocks of hangul syllables (U+AC00..=U+D7A3).
        0xAC..=0xD6 => {
            let mut codes = [0u8; 256];
            for (code, flags) in codes.iter_mut().zip(t.hangul_flags_from(first)) {
                *code = hangul_class(*flags) as u8;
            }
            codes
        }
        // Surrogates are not characters and never reach the scorer.
        0xD8..=0xDF => [Class::Symbol as u8; 256],
        // Private use (U+E000..=U+F8FF).
        0xE0..=0xF8 => [Class::PrivateUse as u8; 256],
        _ => std::array::from_fn(|i| at(i).map_or(Class::Symbol as u8, |c| code_of(t, c))),
    }
}

fn class_of_code(code: u8) -> Class {
    CLASS_OF[usize::from(code) % CODES]
}

/// The class of each code (see [`code_of`]).
const CLASS_OF: [Class; CODES] = {
    let mut classes = [Class::Han; CODES];
    let mut code = 0;
    while code < HAN_CODE as usize {
        // Codes between the last class and HAN_CODE are never produced.
        classes[code] = if code < Class::ALL.len() { Class::ALL[code] } else { Class::Symbol };
        code += 1;
    }
    classes
};

/// Per-character weight of a class under a model. `Han` is handled by [`han_weight`].
fn weight(model: Model, class: Class) -> f32 {
    use Class::*;
    match class {
        Ascii | Space => 0.0,
        Replacement => -8.0,
        Control => -6.0,
        PrivateUse => -6.0,
        Han => han_weight(model, 0),
        Hiragana => match model {
            Model::Japanese => 2.5,
            Model::Unicode => 2.0,
            _ => -1.0,
        },
        Katakana => match model {
            Model::Japanese => 2.0,
            Model::Unicode => 2.0,
            _ => -1.0,
        },
        HalfwidthKana => match model {
            Model::Japanese | Model::Unicode => -0.7,
            _ => -2.0,
        },
        CommonHangul | TopHangul => match model {
            Model::Korean | Model::Unicode => 2.0,
            _ => -1.0,
        },
        RareHangul => -2.0,
        Jamo => -1.0,
        CjkPunct => match model {
            Model::Simplified | Model::Traditional | Model::Japanese | Model::Unicode => 1.0,
            Model::Korean => 0.5,
            _ => -1.0,
        },
        FullwidthAlnum => match model {
            Model::Latin | Model::Alphabet => -1.0,
            _ => 0.3,
        },
        Typographic => match model {
            Model::Korean => 0.0,
            _ => 0.5,
        },
        LatinLetter => match model {
            Model::Latin | Model::Unicode => 0.3,
            // Pinyin with tone marks (row A8 of GB 2312) is legitimate in Chinese text.
            Model::Simplified => -0.5,
            _ => -1.0,
        },
        LatinExtended => match model {
            Model::Latin | Model::Unicode => 0.1,
            _ => -1.0,
        },
        OtherLetter => match model {
            Model::Alphabet => 0.5,
            Model::Unicode => -0.3,
            _ => -1.0,
        },
        Symbol => -0.7,
    }
}

fn han_weight(model: Model, flags: u8) -> f32 {
    let flags = flags & LEVEL_ONE;
    match model {
        Model::Simplified if flags & SIMPLIFIED != 0 => 2.0,
        // Traditional text saved as GBK exists; common Traditional characters are mild.
        Model::Simplified if flags & TRADITIONAL != 0 => -0.3,
        Model::Traditional if flags & TRADITIONAL != 0 => 2.0,
        Model::Japanese if flags & JAPANESE != 0 => 2.0,
        // Hanja appear in Korean text, but rarely.
        Model::Korean => -0.5,
        Model::Unicode if flags != 0 => 2.0,
        Model::Latin | Model::Alphabet => -2.0,
        _ => -1.5,
    }
}

/// The score of a decoded text under `model` and how many of its characters are of a
/// positively scored (plausible) class.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Score {
    pub total: f32,
    pub chars: usize,
    pub plausible: usize,
}

/// The score of `text` under `model` in one go.
#[cfg(test)]
pub(crate) fn score(text: &str, model: Model) -> Score {
    let mut s = Scorer::new(model);
    s.feed(text);
    s.score()
}

/// Scores text fed in pieces (as a streaming decoder produces it); the result is the same as
/// scoring the concatenation at once, so a candidate can be judged on a growing prefix.
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    model: Model,
    tables: &'static Tables,
    /// Weight of each code (see [`code_of`]) under the model, and whether it is plausible.
    weights: &'static Weights,
    s: Score,
    /// Characters above U+007F seen so far.
    non_ascii: usize,
    // The two previous classes, for the "ideograph, space, ideograph" pattern: Chinese and
    // Japanese do not put spaces between words, Korean does.
    prev: Class,
    prev2: Class,
    // Latin model: length of the current run of non-ASCII characters and its score so far.
    run_len: usize,
    run_score: f32,
}

impl Scorer {
    pub(crate) fn new(model: Model) -> Self {
        Scorer {
            model,
            tables: tables(),
            weights: weights(model),
            s: Score::default(),
            non_ascii: 0,
            prev: Class::Space,
            prev2: Class::Space,
            run_len: 0,
            run_score: 0.0,
        }
    }

    /// The score of everything fed so far (a pending Latin run counts as ended).
    pub(crate) fn score(&self) -> Score {
        let mut s = self.s;
        if self.model == Model::Latin {
            s.total += latin_run(self.run_len, self.run_score);
        }
        s
    }

    /// Characters above U+007F fed so far.
    pub(crate) fn non_ascii(&self) -> usize {
        self.non_ascii
    }

    pub(crate) fn feed(&mut self, text: &str) {
        let model = self.model;
        let t = self.tables;
        let latin = model == Model::Latin;
        // Whether the "ideograph, space, ideograph" pattern costs (Chinese, Japanese) and
        // whether "syllable, space, syllable" earns (Korean).
        let spaced_han = match model {
            Model::Korean | Model::Unicode => 0.0,
            _ => -2.0,
        };
        let spaced_hangul = if model == Model::Korean { 1.0 } else { 0.0 };
        let mut s = self.s;
        let mut non_ascii = self.non_ascii;
        let (mut prev, mut prev2) = (self.prev, self.prev2);
        let (mut run_len, mut run_score) = (self.run_len, self.run_score);
        let Weights { weight, plausible } = self.weights;
        for c in text.chars() {
            let code = usize::from(code(t, c)) % CODES;
            let class = CLASS_OF[code];
            s.chars += 1;
            non_ascii += usize::from(!c.is_ascii());
            let w = weight[code];
            s.plausible += usize::from(plausible[code]);
            if latin {
                if matches!(class, Class::Ascii | Class::Space) {
                    s.total += latin_run(run_len, run_score);
                    run_len = 0;
                    run_score = 0.0;
                } else {
                    run_len += 1;
                    run_score += w;
                }
            } else {
                s.total += w;
                // A space after an ideograph, then another: runs of spaces carry no evidence.
                if prev == Class::Space && c != ' ' && prev2.is_ideograph_like() {
                    if class == Class::Han {
                        s.total += spaced_han;
                    } else if class.is_hangul_syllable() && prev2.is_hangul_syllable() {
                        s.total += spaced_hangul;
                    }
                }
            }
            // Korean ends sentences and clauses with ASCII punctuation right after a syllable;
            // Chinese and Japanese use full-width marks.
            if model == Model::Korean
                && matches!(c, '.' | ',' | '!' | '?')
                && prev.is_hangul_syllable()
            {
                s.total += 0.5;
            }
            prev2 = prev;
            prev = if c == ' ' { Class::Space } else { class };
        }
        self.s = s;
        self.non_ascii = non_ascii;
        (self.prev, self.prev2) = (prev, prev2);
        (self.run_len, self.run_score) = (run_len, run_score);
    }
}

/// What the scorer needs per code under one model.
#[derive(Debug)]
struct Weights {
    /// Weight of each code (see [`code_of`]), top-tier bonus included.
    weight: [f32; CODES],
    /// Whether a character of the code counts as plausible: positively scored, or ASCII
    /// and white space.
    plausible: [bool; CODES],
}

/// The weights of every code under `model`, computed once per model (a scorer is made for
/// every candidate of every legacy input).
fn weights(model: Model) -> &'static Weights {
    static WEIGHTS: [OnceLock<Weights>; 7] = [const { OnceLock::new() }; 7];
    WEIGHTS[model as usize].get_or_init(|| {
        let weights: [f32; CODES] = std::array::from_fn(|code| {
            let code = code as u8;
            match class_of_code(code) {
                Class::Han => {
                    let flags = code & (HAN_CODE - 1);
                    han_weight(model, flags) + top_bonus(model, Class::Han, flags)
                }
                class => weight(model, class) + top_bonus(model, class, 0),
            }
        });
        let plausible = std::array::from_fn(|code| {
            weights[code] > 0.0 || matches!(CLASS_OF[code], Class::Ascii | Class::Space)
        });
        Weights { weight: weights, plausible }
    })
}

/// Extra weight for the very frequent characters of the model's language: the same bytes
/// read in the wrong CJK encoding rarely land on them.
fn top_bonus(model: Model, class: Class, han_flags: u8) -> f32 {
    let hit = match (model, class) {
        (Model::Simplified, Class::Han) => han_flags & TOP_SIMPLIFIED_FLAG != 0,
        (Model::Traditional, Class::Han) => han_flags & TOP_TRADITIONAL_FLAG != 0,
        (Model::Korean, Class::TopHangul) => true,
        _ => false,
    };
    if hit {
        1.0
    } else {
        0.0
    }
}

/// Latin-script text puts one accented letter or one typographic mark between ASCII
/// letters; a run of three or more non-ASCII characters is what CJK bytes read as
/// windows-1252 look like ("ÖÐÎÄ").
fn latin_run(len: usize, score: f32) -> f32 {
    match len {
        0 => 0.0,
        1 | 2 => score,
        _ => score.min(0.0) - 1.2 * len as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_scores_highest_under_its_own_model() {
        let cases: &[(&str, &str, Model)] = &[
            ("simplified", "今天下午我们在会议室讨论了明年的工作计划。", Model::Simplified),
            ("traditional", "這個週末我們要去圖書館借幾本關於歷史的書。", Model::Traditional),
            ("japanese", "今日はとても暑いので、冷たいお茶を飲みました。", Model::Japanese),
            ("korean", "오늘은 날씨가 좋아서 공원에 산책을 갔습니다.", Model::Korean),
            ("latin", "Le café était fermé, alors nous sommes rentrés.", Model::Latin),
        ];
        let models =
            [Model::Simplified, Model::Traditional, Model::Japanese, Model::Korean, Model::Latin];
        for (name, text, want) in cases {
            let best = models
                .iter()
                .max_by(|a, b| score(text, **a).total.total_cmp(&score(text, **b).total))
                .copied();
            assert_eq!(best, Some(*want), "{name}");
        }
    }

    #[test]
    fn code_table_agrees_with_the_classifier() {
        let t = tables();
        // Every block as built, and every lookup (before and after its block is built).
        let differ: Vec<char> = (0..0x10000u32)
            .filter_map(char::from_u32)
            .filter(|c| code_block(t, *c as usize >> 8)[*c as usize & 0xFF] != code_of(t, *c))
            .collect();
        assert_eq!(differ, Vec::<char>::new());
        for _ in 0..2 {
            let differ: Vec<char> = (0..0x10000u32)
                .filter_map(char::from_u32)
                .filter(|c| code(t, *c) != code_of(t, *c))
                .collect();
            assert_eq!(differ, Vec::<char>::new());
        }
        for (i, class) in Class::ALL.iter().enumerate() {
            assert_eq!(*class as usize, i, "{class:?}");
            assert_eq!(class_of_code(*class as u8), *class);
        }
        assert_eq!(class_of_code(code_of(t, '的')), Class::Han);
        assert_eq!(class_of_code(code_of(t, 'я')), Class::OtherLetter);
        assert_eq!(class_of_code(code_of(t, '\u{20000}')), Class::Han);
    }

    #[test]
    fn scoring_in_pieces_equals_scoring_at_once() {
        let text = "오늘은 날씨가 좋다. 中文 文本，Le café «fermé» ÖÐÎÄ\u{FFFD}\u{E000} 한국 어";
        let models = [
            Model::Simplified,
            Model::Traditional,
            Model::Japanese,
            Model::Korean,
            Model::Latin,
            Model::Alphabet,
            Model::Unicode,
        ];
        for model in models {
            let whole = score(text, model);
            for (cut, _) in text.char_indices() {
                let mut s = Scorer::new(model);
                s.feed(&text[..cut]);
                s.feed(&text[cut..]);
                assert_eq!(s.score(), whole, "{model:?} cut at {cut}");
            }
        }
    }

    #[test]
    fn spaced_ideographs_cost_in_chinese_and_spaced_syllables_earn_in_korean() {
        let joined = score("我们今天开会", Model::Simplified).total;
        let spaced = score("我们 今天 开会", Model::Simplified).total;
        assert_eq!(spaced, joined - 4.0);
        let joined = score("우리는학교에", Model::Korean).total;
        let spaced = score("우리는 학교에", Model::Korean).total;
        assert_eq!(spaced, joined + 1.0);
    }

    #[test]
    fn latin_runs_of_high_characters_are_penalised() {
        let clean = score("Größenänderung fehlgeschlagen", Model::Latin).total;
        let garbled = score("ÖÐÎÄÍøÕ¾", Model::Latin).total;
        assert!(clean > 0.0, "{clean}");
        assert!(garbled < -5.0, "{garbled}");
    }
}
