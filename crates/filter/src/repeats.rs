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

use crate::text::{is_cjk_unified, is_terminal, keep_for_key, mix64, FastMap};
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
    /// This paragraph's sampled shingles: a range of the document's shared shingle buffer
    /// (one allocation per document, not one per paragraph).
    shingles: std::ops::Range<usize>,
}

/// Normalize `text` and append its sampled shingles, sorted and deduplicated, to `out`.
fn para(block: usize, text: &str, out: &mut Vec<u64>) -> Para {
    let mut exact: u64 = 0;
    let mut chars = 0usize;
    let mut prose = false;
    // The last three kept characters, packed 21 bits each.
    let mut window: u64 = 0;
    let first = out.len();
    // A shingle is stored without a branch and kept by advancing `m`: whether it is kept is
    // a coin flip the CPU cannot predict. A small local buffer takes them; it is flushed to
    // `out` when full.
    let mut buf = [0u64; 64];
    let mut m = 0;
    for c in text.chars() {
        // Han characters, most of the text, are kept as they are: skip the class tests.
        let v = if is_cjk_unified(c) {
            u64::from(c as u32)
        } else {
            prose |= is_terminal(c);
            match keep_for_key(c) {
                Some(c) => u64::from(c as u32),
                None => continue,
            }
        };
        exact = (exact.rotate_left(7) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        chars += 1;
        if chars >= SHINGLE {
            let h = mix64(window ^ v.wrapping_mul(0xD6E8_FEB8_6659_FD93));
            // Keep a consistent quarter of the shingles (the same ones in every copy), so
            // containment is estimated with a quarter of the hashing and map work.
            buf[m] = h;
            m += usize::from(h >> 62 == 0);
            if m == buf.len() {
                out.extend_from_slice(&buf);
                m = 0;
            }
        }
        window = ((window << 21) | v) & ((1 << 63) - 1);
    }
    out.extend_from_slice(&buf[..m]);
    let mine = &mut out[first..];
    mine.sort_unstable();
    let mut kept = 0;
    for i in 0..mine.len() {
        if i == 0 || mine[i] != mine[kept - 1] {
            mine[kept] = mine[i];
            kept += 1;
        }
    }
    out.truncate(first + kept);
    Para { block, chars, prose, exact: mix64(exact ^ chars as u64), shingles: first..out.len() }
}

impl Stage for Repeats {
    fn name(&self) -> StageName {
        StageName::Repeats
    }

    fn run(&self, doc: &mut Document) {
        let mut all: Vec<u64> = Vec::new();
        let mut paras: Vec<Para> = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            if !b.is_content() {
                continue;
            }
            let p = para(i, &b.text, &mut all);
            if p.chars >= self.cfg.min_chars {
                paras.push(p);
            } else {
                all.truncate(p.shingles.start);
            }
        }
        if paras.len() < 2 {
            return;
        }
        paras.sort_by_key(|p| (std::cmp::Reverse(p.chars), p.block));
        // Shingle → block that first contributed it; exact key → block.
        let mut owner: FastMap<u64, usize> = FastMap::default();
        owner.reserve(all.len());
        let mut exact: FastMap<u64, usize> = FastMap::default();
        exact.reserve(paras.len());
        // Votes per source block for the paragraph at hand (few sources: a short list).
        let mut votes: Vec<(usize, usize)> = Vec::new();
        let mut changed = 0;
        for p in &paras {
            let shingles = &all[p.shingles.clone()];
            let source = if let Some(&src) = exact.get(&p.exact) {
                Some((src, "repeat.exact"))
            } else if p.prose && p.chars >= self.cfg.near_min_chars && shingles.len() >= MIN_SAMPLES
            {
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
                    for &s in shingles {
                        owner.entry(s).or_insert(p.block);
                    }
                }
            }
        }
        doc.count(StageName::Repeats, changed);
    }
}

#[cfg(test)]
mod tests {
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
