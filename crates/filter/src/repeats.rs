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
//! Before → after:
//! ```text
//! 新建**4个**省级以上胸痛中心……          → removed (repeat.near, line 61)
//! …今年计划新建4个省级以上胸痛中心……（正文） → kept
//! ```

use qingxi_core::{Document, Label, Stage, StageName};
use serde::Deserialize;

use crate::text::{is_terminal, keep_for_key, mix64, FastMap};
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
    /// This paragraph's sampled shingles, distinct, in text order: a range of the
    /// document's shared shingle buffer (one allocation per document, not one per
    /// paragraph). Empty for paragraphs too short to be near repeats: their shingles are
    /// never looked up (see [`Repeats::run`]).
    shingles: std::ops::Range<usize>,
}

/// Buffers reused across the paragraphs of a document.
#[derive(Default)]
struct Scratch {
    /// The paragraph's normalized characters.
    chars: Vec<u32>,
    /// Open-addressing set of the paragraph's sampled shingles: (stamp, shingle). A slot
    /// is occupied when its stamp is the current one, so the table is never cleared.
    seen: Vec<(u32, u64)>,
    stamp: u32,
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

/// Normalize `text` into `out`: (exact key, character count, has sentence
/// punctuation). Same as `keep_for_key` on every character of `text.chars()`, decoded from
/// the bytes directly.
fn normalize(text: &str, out: &mut Vec<u32>) -> (u64, usize, bool) {
    out.clear();
    out.reserve(text.len());
    let b = text.as_bytes();
    let mut exact: u64 = 0;
    let mut prose = false;
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        let v = if (0xE4..=0xE9).contains(&lead) && i + 2 < b.len() {
            // U+4000–U+9FFF, Han characters (most of the text): always kept, never
            // terminal (a test checks this), so no class tests.
            let v = (u32::from(lead & 0x0F) << 12)
                | (u32::from(b[i + 1] & 0x3F) << 6)
                | u32::from(b[i + 2] & 0x3F);
            i += 3;
            v
        } else if lead < 0x80 {
            i += 1;
            prose |= lead == b'!' || lead == b'?';
            match ASCII_KEY[usize::from(lead)] {
                DROP => continue,
                v => v,
            }
        } else {
            let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
            i += c.len_utf8();
            let (v, terminal) = classify(c);
            prose |= terminal;
            match v {
                Some(v) => v,
                None => continue,
            }
        };
        exact = (exact.rotate_left(7) ^ u64::from(v)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        out.push(v);
    }
    (mix64(exact ^ out.len() as u64), out.len(), prose)
}

/// Append the distinct sampled shingles of the normalized characters `chars` to `out`.
fn shingles(chars: &[u32], seen: &mut Vec<(u32, u64)>, stamp: u32, out: &mut Vec<u64>) {
    let n = chars.len().saturating_sub(SHINGLE - 1);
    if n == 0 {
        return;
    }
    // About a quarter of the shingles are kept, but nothing bounds how many a given text
    // keeps: the table has more slots than there are shingles, so a probe always ends (a
    // smaller table looped forever once every slot was taken).
    let size = (n + 1).next_power_of_two().max(16);
    if seen.len() < size {
        seen.resize(size, (0, 0));
    }
    let mask = size - 1;
    // The last three characters, packed 21 bits each.
    let mut window: u64 = 0;
    for (k, &v) in chars.iter().enumerate() {
        let v = u64::from(v);
        if k + 1 >= SHINGLE {
            let h = mix64(window ^ v.wrapping_mul(0xD6E8_FEB8_6659_FD93));
            // Keep a consistent quarter of the shingles (the same ones in every copy), so
            // containment is estimated with a quarter of the hashing and map work.
            if h >> 62 == 0 {
                let mut slot = h as usize & mask;
                loop {
                    let (s, x) = seen[slot];
                    if s != stamp {
                        seen[slot] = (stamp, h);
                        out.push(h);
                        break;
                    }
                    if x == h {
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
        }
        window = ((window << 21) | v) & ((1 << 63) - 1);
    }
}

impl Stage for Repeats {
    fn name(&self) -> StageName {
        StageName::Repeats
    }

    fn run(&self, doc: &mut Document) {
        let mut all: Vec<u64> = Vec::new();
        let mut paras: Vec<Para> = Vec::new();
        let mut scratch = Scratch::default();
        for (i, b) in doc.blocks.iter().enumerate() {
            // Fewer bytes than `min-chars` means fewer characters: skip without decoding.
            if !b.is_content() || b.text.len() < self.cfg.min_chars {
                continue;
            }
            let (exact, chars, prose) = normalize(&b.text, &mut scratch.chars);
            if chars < self.cfg.min_chars {
                continue;
            }
            let first = all.len();
            // Paragraphs are visited longest first and only those of `near-min-chars` or
            // more look shingles up, so a shorter paragraph's shingles would never be read.
            if chars >= self.cfg.near_min_chars {
                scratch.stamp = scratch.stamp.wrapping_add(1);
                if scratch.stamp == 0 {
                    // Stamps wrapped: old slots could look occupied.
                    scratch.seen.iter_mut().for_each(|e| e.0 = 0);
                    scratch.stamp = 1;
                }
                shingles(&scratch.chars, &mut scratch.seen, scratch.stamp, &mut all);
            }
            paras.push(Para { block: i, chars, prose, exact, shingles: first..all.len() });
        }
        if paras.len() < 2 {
            return;
        }
        paras.sort_by_key(|p| (std::cmp::Reverse(p.chars), p.block));
        // Shingles of a kept paragraph are needed only while a later paragraph can still be
        // judged a near repeat.
        let last_near = paras.iter().rposition(|p| self.near_candidate(p)).unwrap_or(0);
        // Shingle → block that first contributed it; exact key → block.
        let mut owner: FastMap<u64, usize> = FastMap::default();
        owner.reserve(all.len());
        let mut exact: FastMap<u64, usize> = FastMap::default();
        exact.reserve(paras.len());
        // Votes per source block for the paragraph at hand (few sources: a short list).
        let mut votes: Vec<(usize, usize)> = Vec::new();
        let mut changed = 0;
        for (k, p) in paras.iter().enumerate() {
            let shingles = &all[p.shingles.clone()];
            let source = if let Some(&src) = exact.get(&p.exact) {
                Some((src, "repeat.exact"))
            } else if self.near_candidate(p) {
                votes.clear();
                let mut found = 0usize;
                for s in shingles {
                    if let Some(&b) = owner.get(s) {
                        found += 1;
                        match votes.iter_mut().find(|(v, _)| *v == b) {
                            Some((_, n)) => *n += 1,
                            None => votes.push((b, 1)),
                        }
                    }
                }
                let share = found as f32 / shingles.len() as f32;
                (share >= self.cfg.near_share)
                    .then(|| votes.iter().copied().max_by_key(|&(b, n)| (n, std::cmp::Reverse(b))))
                    .flatten()
                    .map(|(b, _)| (b, "repeat.near"))
            } else {
                None
            };
            match source {
                Some((src, rule)) => {
                    let line = format!("line {}", doc.blocks[src].line);
                    doc.blocks[p.block].set_label(Label::Repeat, rule, Some(&line));
                    changed += 1;
                }
                None => {
                    exact.insert(p.exact, p.block);
                    if k < last_near {
                        for &s in shingles {
                            owner.entry(s).or_insert(p.block);
                        }
                    }
                }
            }
        }
        doc.count(StageName::Repeats, changed);
    }
}

impl Repeats {
    /// Whether `p` is judged by its shingles when it is not an exact repeat.
    fn near_candidate(&self, p: &Para) -> bool {
        p.prose && p.chars >= self.cfg.near_min_chars && p.shingles.len() >= MIN_SAMPLES
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
        let mut seen = Vec::new();
        let mut out = Vec::new();
        shingles(&chars, &mut seen, 1, &mut out);
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
        let mut seen = Vec::new();
        for (stamp, t) in texts.iter().enumerate() {
            let (want_exact, want_chars, want_prose, want) = reference(t);
            let mut chars = Vec::new();
            let (exact, n, prose) = normalize(t, &mut chars);
            assert_eq!((exact, n, prose), (want_exact, want_chars, want_prose), "{t}");
            let mut got = vec![7];
            shingles(&chars, &mut seen, stamp as u32 + 1, &mut got);
            assert_eq!(got[0], 7, "appends");
            let mut got = got[1..].to_vec();
            let distinct = got.len();
            got.sort_unstable();
            got.dedup();
            assert_eq!(got.len(), distinct, "no duplicates: {t}");
            assert_eq!(got, want, "{t}");
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
