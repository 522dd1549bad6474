//! How plausible a decoding is as text of the language its encoding is used for.
//!
//! Every candidate decodes the same bytes, so summing a per-character score over the decoded
//! text compares them like log-likelihoods: common characters of the expected script earn
//! points, rare characters, private-use, controls and U+FFFD cost points. The weights reflect
//! how often each class occurs in real text of that language versus in the same bytes read
//! with the wrong encoding (e.g. GBK read as Big5 lands on level-2 Han about 40% of the time).

use encoding_rs::Encoding;

use crate::tables::{tables, top_tiers, Tables, JAPANESE, SIMPLIFIED, TRADITIONAL};

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
    /// Han with its level-1 flags.
    Han(u8),
    Hiragana,
    Katakana,
    HalfwidthKana,
    CommonHangul,
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

fn classify(t: &Tables, c: char) -> Class {
    let cp = c as u32;
    match cp {
        0x20 => Class::Space,
        0x09 | 0x0A | 0x0D | 0x0C => Class::Space,
        0x21..=0x7E => Class::Ascii,
        0x00..=0x1F | 0x7F..=0x9F => Class::Control,
        0xFFFD => Class::Replacement,
        0xE000..=0xF8FF | 0xF0000..=0x10FFFF => Class::PrivateUse,
        0x4E00..=0x9FFF => Class::Han(t.han_flags(c)),
        0x3400..=0x4DBF | 0x20000..=0x3FFFF | 0xF900..=0xFAFF => Class::Han(0),
        0x3041..=0x309F => Class::Hiragana,
        0x30A0..=0x30FF => Class::Katakana,
        0xFF61..=0xFF9F => Class::HalfwidthKana,
        0xAC00..=0xD7A3 => {
            if t.common_hangul(c) {
                Class::CommonHangul
            } else {
                Class::RareHangul
            }
        }
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
    }
}

/// Per-character weight of a class under a model. `Han` is handled by [`han_weight`].
fn weight(model: Model, class: Class) -> f32 {
    use Class::*;
    match class {
        Ascii | Space => 0.0,
        Replacement => -8.0,
        Control => -6.0,
        PrivateUse => -6.0,
        Han(flags) => han_weight(model, flags),
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
        CommonHangul => match model {
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

pub(crate) fn score(text: &str, model: Model) -> Score {
    let t = tables();
    let mut s = Score::default();
    // The two previous classes, for the "ideograph, space, ideograph" pattern: Chinese and
    // Japanese do not put spaces between words, Korean does.
    let mut prev = Class::Space;
    let mut prev2 = Class::Space;
    // Latin model: length of the current run of non-ASCII characters and its score so far.
    let mut run_len = 0usize;
    let mut run_score = 0.0f32;
    for c in text.chars() {
        let class = classify(t, c);
        s.chars += 1;
        let w = weight(model, class) + top_bonus(model, c, class);
        if w > 0.0 || matches!(class, Class::Ascii | Class::Space) {
            s.plausible += 1;
        }
        if model == Model::Latin {
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
            if prev == Class::Space && c == ' ' {
                // nothing: runs of spaces carry no evidence
            } else if prev == Class::Space && is_ideograph_like(prev2) {
                if matches!(class, Class::Han(_)) && is_ideograph_like(prev2) {
                    s.total += match model {
                        Model::Korean => 0.0,
                        Model::Unicode => 0.0,
                        _ => -2.0,
                    };
                }
                if matches!(class, Class::CommonHangul) && matches!(prev2, Class::CommonHangul) {
                    s.total += if model == Model::Korean { 1.0 } else { 0.0 };
                }
            }
        }
        // Korean ends sentences and clauses with ASCII punctuation right after a syllable;
        // Chinese and Japanese use full-width marks.
        if model == Model::Korean
            && matches!(c, '.' | ',' | '!' | '?')
            && matches!(prev, Class::CommonHangul)
        {
            s.total += 0.5;
        }
        prev2 = prev;
        prev = if c == ' ' { Class::Space } else { class };
    }
    if model == Model::Latin {
        s.total += latin_run(run_len, run_score);
    }
    s
}

/// Extra weight for the very frequent characters of the model's language: the same bytes
/// read in the wrong CJK encoding rarely land on them.
fn top_bonus(model: Model, c: char, class: Class) -> f32 {
    let hit = match (model, class) {
        (Model::Simplified, Class::Han(_)) => top_tiers().simplified(c),
        (Model::Traditional, Class::Han(_)) => top_tiers().traditional(c),
        (Model::Korean, Class::CommonHangul) => top_tiers().hangul(c),
        _ => false,
    };
    if hit {
        1.0
    } else {
        0.0
    }
}

fn is_ideograph_like(c: Class) -> bool {
    matches!(c, Class::Han(_) | Class::CommonHangul)
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
    fn latin_runs_of_high_characters_are_penalised() {
        let clean = score("Größenänderung fehlgeschlagen", Model::Latin).total;
        let garbled = score("ÖÐÎÄÍøÕ¾", Model::Latin).total;
        assert!(clean > 0.0, "{clean}");
        assert!(garbled < -5.0, "{garbled}");
    }
}
