//! The `spam` stage: SEO keyword blocks and porn/gambling/piracy/pharma/ad runs.
//!
//! Why: hacked or content-farm pages carry long runs of short keyword phrases joined by `|`,
//! spaces or commas, wherever on the page. One spam term proves nothing (a news article may
//! mention 博彩 once), so blocks are scored by keyword density and structure.
//!
//! How: the line is cut into items at separators and whitespace; dictionary hits
//! (`dict/spam.txt`: strong 2 points, weak 1) are counted with repetition, since stuffing
//! repeats terms. `spam.keywords` fires on a run of short items with at least one strong term,
//! two distinct terms and at least `min-density` points per item; `spam.dense` fires when
//! terms cover `min-coverage` of an unstructured line. Prose (sentence punctuation) needs
//! twice the evidence. Short lines with spam terms next to a spam block follow it.
//!
//! Before → after:
//! ```text
//! 亚洲精品无码AV在线播放| 成人无码网WWW在线观看| …  → removed (spam.keywords, 无码)
//! 警方捣毁一个跨境网络博彩团伙，涉案金额达2亿元。     → kept
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use qingxi_core::{Block, Document, Label, Mark, Stage, StageName};
use serde::Deserialize;

use crate::dict::{self, Hit, Matcher};
use crate::text::{has_terminal, non_space_chars, ratio, segment_chars};
use crate::FilterError;

const DEFAULT_DICT: &str = include_str!("../dict/spam.txt");
const CATEGORIES: [&str; 5] = ["porn", "gambling", "video", "pharma", "ad"];

/// Configuration of the `spam` stage (`[spam]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SpamConfig {
    /// Extra dictionary files, relative to the directory of `pipeline.toml`. Same format as
    /// the boilerplate dictionaries; categories porn, gambling, video, pharma, ad (terms
    /// before any header are ads).
    pub extra_dictionaries: Vec<PathBuf>,
    /// Fewest items (pieces between separators) for a keyword run.
    pub min_segments: usize,
    /// Fewest dictionary points per item for a keyword run.
    pub min_density: f32,
    /// Share of a line's characters covered by spam terms that makes it spam without structure.
    pub min_coverage: f32,
}

impl Default for SpamConfig {
    fn default() -> Self {
        SpamConfig {
            extra_dictionaries: Vec::new(),
            min_segments: 4,
            min_density: 0.5,
            min_coverage: 0.4,
        }
    }
}

impl SpamConfig {
    /// Compile the dictionaries into the runtime stage.
    pub fn build(&self, base_dir: &Path) -> Result<Spam, FilterError> {
        crate::check_share("spam.min-coverage", self.min_coverage)?;
        if self.min_density.is_nan() || self.min_density <= 0.0 {
            return Err(FilterError::Config {
                key: "spam.min-density",
                message: format!("{} must be positive", self.min_density),
            });
        }
        let mut terms = dict::parse(DEFAULT_DICT, "embedded spam.txt", &CATEGORIES, 4)?;
        terms.extend(dict::load_extra(&self.extra_dictionaries, base_dir, &CATEGORIES, 4)?);
        // Ids start at 1: 0 is "no marks" in `Document::marks_by`.
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Ok(Spam { cfg: self.clone(), matcher: Arc::new(Matcher::new(terms)?), id })
    }
}

/// The runtime `spam` stage.
///
/// When the boilerplate stage walks the lines for it ([`Boilerplate::share_walk_with`]), it
/// leaves this stage's dictionary hits in [`Block::marks`] and this stage's id in
/// [`Document::marks_by`]; the stage then reads them instead of scanning the lines again.
///
/// [`Boilerplate::share_walk_with`]: crate::Boilerplate::share_walk_with
/// [`Block::marks`]: qingxi_core::Block::marks
#[derive(Debug, Clone)]
pub struct Spam {
    cfg: SpamConfig,
    matcher: Arc<Matcher>,
    /// Unique per build: marks left for this id were made with this matcher (clones share
    /// both).
    id: u64,
}

/// The marks of `b` when they are for this stage (`mine`); `None` means scan the line.
fn marks(b: &Block, mine: bool) -> Option<&[Mark]> {
    b.marks.as_deref().filter(|_| mine)
}

#[derive(Debug, Default)]
struct Score {
    points: u32,
    strong: u32,
    distinct: u32,
    covered: usize,
    best: Option<usize>,
}

impl Spam {
    /// The dictionary another stage may walk for this one, and the id to leave its marks
    /// under.
    pub(crate) fn shared_walk(&self) -> (Arc<Matcher>, u64) {
        (Arc::clone(&self.matcher), self.id)
    }

    /// Score `line` from its dictionary hits: `marks` when an earlier stage recorded them,
    /// else a scan.
    fn score(&self, line: &str, marks: Option<&[Mark]>) -> Score {
        let mut s = Score::default();
        let mut seen: [usize; 8] = [usize::MAX; 8];
        let mut add = |h: Hit| {
            s.points += if h.weak { 1 } else { 2 };
            s.covered += h.chars;
            if !h.weak {
                s.strong += 1;
                if s.best.is_none_or(|b| self.matcher.terms[b].weak) {
                    s.best = Some(h.term);
                }
            } else if s.best.is_none() {
                s.best = Some(h.term);
            }
            if !seen.contains(&h.term) {
                seen[(s.distinct as usize) % seen.len()] = h.term;
                s.distinct += 1;
            }
        };
        match marks {
            Some(marks) => {
                for m in marks {
                    let term = m.id as usize;
                    let t = &self.matcher.terms[term];
                    let (start, end) = (m.start as usize, m.end as usize);
                    add(Hit {
                        term,
                        category: t.category,
                        weak: t.weak,
                        start,
                        end,
                        chars: line[start..end].chars().count(),
                    });
                }
            }
            None => self.matcher.for_each_hit(line, add),
        }
        s
    }

    fn classify(&self, line: &str, marks: Option<&[Mark]>) -> Option<(&'static str, String)> {
        // Fewer than two hits cannot hold two distinct terms (most lines have none).
        if marks.is_some_and(|m| m.len() < 2) {
            return None;
        }
        let s = self.score(line, marks);
        let best = s.best?;
        if s.distinct < 2 {
            return None;
        }
        // Only the character count and sentence punctuation are needed: byte-level counts,
        // not the full line features (these lines are often long).
        let prose = has_terminal(line);
        let need = if prose { 2.0 } else { 1.0 };
        let min_density = self.cfg.min_density * need;
        // A keyword run needs a strong term, and its items are counted only while the
        // density can still reach `min_density`: it falls with every item, so a long
        // sentence stops after a few (`early` means it fell short).
        let (mut items, mut item_chars, mut early) = (0usize, 0usize, s.strong == 0);
        if !early {
            for seg_chars in segment_chars(line) {
                items += 1;
                item_chars += seg_chars;
                if ratio(s.points as usize, items) < min_density {
                    early = true;
                    break;
                }
            }
        }
        let keywords = !early
            && items >= self.cfg.min_segments
            && item_chars <= items * 16
            && ratio(s.points as usize, items) >= min_density
            && (!prose || items >= 2 * self.cfg.min_segments);
        if keywords {
            return Some(("spam.keywords", self.matcher.term(best).to_string()));
        }
        // Characters are counted only for a line with the points of a dense one.
        let dense = s.points >= 4
            && ratio(s.covered, non_space_chars(line)) >= (self.cfg.min_coverage * need).min(1.0);
        if dense {
            return Some(("spam.dense", self.matcher.term(best).to_string()));
        }
        None
    }
}

impl Stage for Spam {
    fn name(&self) -> StageName {
        StageName::Spam
    }

    fn run(&self, doc: &mut Document) {
        let n = doc.blocks.len();
        let mut spam = vec![false; n];
        let mut changed = 0;
        // Marks left for this stage (blocks without marks were not walked: scan those).
        let mine = doc.marks_by == self.id;
        for (i, b) in doc.blocks.iter_mut().enumerate() {
            if !b.is_content() {
                continue;
            }
            if let Some((rule, term)) = self.classify(&b.text, marks(b, mine)) {
                b.set_label(Label::Spam, rule, Some(&term));
                spam[i] = true;
                changed += 1;
            }
        }
        // Short keyword lines next to a spam block belong to it (a run split over lines).
        let mut progress = changed > 0;
        while progress {
            progress = false;
            for i in 0..n {
                let b = &doc.blocks[i];
                let touches = (i > 0 && spam[i - 1]) || (i + 1 < n && spam[i + 1]);
                if !b.is_content() || !touches {
                    continue;
                }
                if non_space_chars(&b.text) > 30 || has_terminal(&b.text) {
                    continue;
                }
                let s = self.score(&b.text, marks(b, mine));
                if let (true, Some(best)) = (s.points >= 2, s.best) {
                    let term = self.matcher.term(best).to_string();
                    doc.blocks[i].set_label(Label::Spam, "spam.neighbour", Some(&term));
                    spam[i] = true;
                    changed += 1;
                    progress = true;
                }
            }
        }
        doc.count(StageName::Spam, changed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{label_in_context, labels};
    use crate::text::segments;

    fn stage() -> Spam {
        SpamConfig::default().build(Path::new(".")).unwrap()
    }

    #[test]
    fn removes_spam_runs() {
        let s = stage();
        for (name, line) in [
            ("porn run joined by bars", "中文字幕在线| 亚洲精品无码AV在线播放| 成人无码网WWW在线观看| 国产精品一区二区| 日韩欧美中文字幕"),
            ("porn run joined by spaces", "人妻少妇 无码专区 国产自拍 偷拍视频 午夜福利 婷婷五月"),
            ("gambling run joined by commas", "澳门葡京娱乐城,百家乐在线,时时彩平台,注册送彩金,真人老虎机,六合彩开奖"),
            ("gambling run joined by enumeration commas", "太阳城娱乐、百家乐技巧、老虎机游戏、体育投注、赌球网址"),
            ("pirated video run", "韩剧全集在线观看 电影天堂迅雷下载 无删减完整版 高清免费观看 百度云网盘资源"),
            ("pharma run", "伟哥 壮阳药 春药 催情水 迷药购买 代孕 办证刻章"),
            ("dense unstructured line", "亚洲无码中文字幕人妻少妇在线观看"),
            ("ad run", "加微信 日赚500 刷单兼职 网赚 信用卡套现 代开发票"),
        ] {
            assert_eq!(label_in_context(&s, line), "spam", "{name}: {line}");
        }
    }

    #[test]
    fn keeps_content_mentioning_spam_terms() {
        let s = stage();
        for (name, line) in [
            ("news mentioning gambling once", "警方近日捣毁一个跨境网络博彩团伙，抓获犯罪嫌疑人35名，涉案金额达2亿元。"),
            ("news listing gambling machines", "警方在行动中查获百家乐、老虎机、时时彩等赌博设备20余台，涉案金额达300万元，目前案件正在进一步审理中。"),
            ("health news on drugs", "专家提醒，网购所谓的壮阳药存在很大风险，市民应到正规医院就诊。"),
            ("nav bar with weak terms", "首页 | 新闻 | 下载 | 资源 | 在线服务"),
            ("video news", "该剧全集已于昨晚播出完毕，网络平台在线观看人数超过一亿。"),
            ("one short term", "彩票"),
            ("enumeration of services", "门诊、住院、体检、预防接种、健康咨询"),
        ] {
            assert_eq!(label_in_context(&s, line), "content", "{name}: {line}");
        }
    }

    #[test]
    fn short_keyword_lines_next_to_a_spam_block_follow_it() {
        let text = "正文内容。\n\n亚洲无码中文字幕人妻少妇在线观看\n国产精品\n日韩欧美\n";
        let got: Vec<_> = labels(&stage(), text).into_iter().map(|(_, l)| l).collect();
        assert_eq!(got, ["content", "spam", "spam", "spam"]);
    }

    /// The classification as first written: every item counted, characters always counted.
    fn classify_reference(st: &Spam, line: &str) -> Option<(&'static str, String)> {
        let s = st.score(line, None);
        let best = s.best?;
        if s.distinct < 2 {
            return None;
        }
        let chars = non_space_chars(line);
        let prose = has_terminal(line);
        let (items, item_chars) =
            segments(line).fold((0usize, 0usize), |(n, c), seg| (n + 1, c + seg.chars().count()));
        let density = ratio(s.points as usize, items);
        let need = if prose { 2.0 } else { 1.0 };
        let keywords = items >= st.cfg.min_segments
            && item_chars <= items * 16
            && s.strong >= 1
            && density >= st.cfg.min_density * need
            && (!prose || items >= 2 * st.cfg.min_segments);
        if keywords {
            return Some(("spam.keywords", st.matcher.term(best).to_string()));
        }
        let coverage = ratio(s.covered, chars);
        let dense = s.points >= 4 && coverage >= (st.cfg.min_coverage * need).min(1.0);
        dense.then(|| ("spam.dense", st.matcher.term(best).to_string()))
    }

    #[test]
    fn early_exits_agree_with_the_full_count() {
        let terms: Vec<String> = crate::dict::parse(DEFAULT_DICT, "t", &CATEGORIES, 4)
            .unwrap()
            .into_iter()
            .map(|t| t.text)
            .collect();
        let fillers = ["|", " ", "，", "、", "。", "！", "的", "正文内容", "在线", "2021", "ab"];
        for (min_segments, min_density) in [(4, 0.5), (2, 0.2), (0, 1.5), (6, 0.1)] {
            let cfg = SpamConfig { min_segments, min_density, ..SpamConfig::default() };
            let st = cfg.build(Path::new(".")).unwrap();
            let mut seed = 9u64;
            for len in 0..3000 {
                let line: String = (0..len % 29)
                    .map(|_| {
                        seed = crate::text::mix64(seed.wrapping_add(1));
                        let k = (seed >> 8) as usize;
                        if seed % 3 == 0 {
                            terms[k % terms.len()].as_str()
                        } else {
                            fillers[k % fillers.len()]
                        }
                    })
                    .collect();
                assert_eq!(st.classify(&line, None), classify_reference(&st, &line), "{line}");
            }
        }
    }

    /// Every block's (label, rule, matched term) after boilerplate then `spam`.
    fn run_both(
        bp: &crate::Boilerplate,
        spam: &Spam,
        text: &str,
    ) -> Vec<(Label, Option<&'static str>, Option<String>)> {
        let mut doc = Document::new("t", text.to_string());
        doc.split_blocks();
        bp.run(&mut doc);
        spam.run(&mut doc);
        doc.blocks.into_iter().map(|b| (b.label, b.rule, b.matched)).collect()
    }

    #[test]
    fn labels_are_the_same_with_and_without_the_shared_walk() {
        let bp = crate::BoilerplateConfig::default().build(Path::new(".")).unwrap();
        let spam = stage();
        let mut shared = bp.clone();
        shared.share_walk_with(&spam);
        // Another spam stage: the marks are not for it, so it must scan.
        let other = stage();
        // This crate's test pages, and pages of lines glued from both dictionaries' terms.
        let mut texts: Vec<String> = Vec::new();
        for dir in ["testdata/campus", "testdata/mixed", "testdata/novel"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap() {
                texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
        let mut terms: Vec<String> = crate::dict::parse(DEFAULT_DICT, "t", &CATEGORIES, 4)
            .unwrap()
            .into_iter()
            .map(|t| t.text)
            .collect();
        let bp_dict = include_str!("../dict/boilerplate.txt");
        terms.extend(
            crate::dict::parse(bp_dict, "t", &["a"; 7], 0)
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.text),
        );
        let fillers =
            ["|", " ", "，", "、", "。", "的", "正文内容", "在线", "2021", "AB", "\n", "\n\n"];
        let mut seed = 5u64;
        for _ in 0..300 {
            let text: String = (0..60)
                .map(|_| {
                    seed = crate::text::mix64(seed.wrapping_add(1));
                    let k = (seed >> 8) as usize;
                    if seed % 2 == 0 {
                        terms[k % terms.len()].as_str()
                    } else {
                        fillers[k % fillers.len()]
                    }
                })
                .collect();
            texts.push(text);
        }
        let mut spam_blocks = 0;
        for text in &texts {
            let want = run_both(&bp, &spam, text);
            spam_blocks += want.iter().filter(|l| l.0 == Label::Spam).count();
            assert_eq!(run_both(&shared, &spam, text), want, "{text}");
            assert_eq!(run_both(&shared, &other, text), want, "{text}");
            // Blocks without marks are scanned, not taken as clean.
            let mut doc = Document::new("t", text.clone());
            doc.split_blocks();
            shared.run(&mut doc);
            assert_eq!(doc.marks_by, spam.id);
            for b in doc.blocks.iter_mut().step_by(2) {
                b.marks = None;
            }
            spam.run(&mut doc);
            let got: Vec<_> =
                doc.blocks.into_iter().map(|b| (b.label, b.rule, b.matched)).collect();
            assert_eq!(got, want, "{text}");
        }
        assert!(spam_blocks > 100, "{spam_blocks}");
    }

    #[test]
    fn config_rejects_bad_values() {
        let bad = SpamConfig { min_density: 0.0, ..SpamConfig::default() };
        assert!(bad.build(Path::new(".")).is_err());
        assert!(toml::from_str::<SpamConfig>("min-density = 0.7\n").is_ok());
        assert!(toml::from_str::<SpamConfig>("density = 0.7\n").is_err());
    }
}
