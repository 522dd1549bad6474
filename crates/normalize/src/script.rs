//! The `script` stage: turn machine-converted Traditional text back into Simplified, and
//! leave genuine Traditional documents (Taiwan, Hong Kong) alone.
//!
//! Modes: `keep` never converts; `to-simplified` always converts; `auto` (default) converts
//! only on evidence that a Simplified original went through a converter:
//! - pinyin annotations (counted by the `annotations` stage, or found here when that stage
//!   is off), or
//! - Simplified-only and Traditional-only forms of the same characters mixed in one
//!   document (`卫` and `衛`), with the minority script a real share of the text.
//!
//! The decision and its evidence go to `doc.meta.notes["script"]`.
//!
//! Before → after (auto, annotated page): `青島市衛生健康委員會` → `青岛市卫生健康委员会`.

use std::borrow::Cow;

use qingxi_core::{Document, Stage, StageName};
use serde::{Deserialize, Serialize};

use crate::annotations::AnnotationsConfig;
use crate::t2s::{Census, T2s};
use crate::NormalizeError;

/// What the `script` stage does.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ScriptMode {
    /// Never change the script.
    Keep,
    /// Convert every document from Traditional to Simplified.
    ToSimplified,
    /// Convert only documents that show evidence of machine conversion.
    #[default]
    Auto,
}

/// Options of the `script` stage (`[script]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScriptConfig {
    /// `keep`, `to-simplified` or `auto`.
    pub mode: ScriptMode,
    /// In `auto` mode, pinyin annotations found in the document (by the `annotations` stage
    /// or by this stage) that are enough evidence of machine conversion.
    pub min_annotations: u64,
    /// In `auto` mode, how many distinct characters must appear in both their Simplified
    /// and Traditional form before the mix counts as evidence.
    pub min_mixed_pairs: u64,
    /// In `auto` mode, the smaller of the Simplified-only and Traditional-only character
    /// counts as a share of both, at or above which the mix counts as evidence (a genuine
    /// Traditional page quoting one Simplified name stays below it).
    pub min_mixed_share: f64,
}

impl Default for ScriptConfig {
    fn default() -> Self {
        ScriptConfig {
            mode: ScriptMode::Auto,
            min_annotations: 1,
            min_mixed_pairs: 3,
            min_mixed_share: 0.05,
        }
    }
}

impl ScriptConfig {
    /// Build the runtime stage.
    pub fn build(&self) -> Result<Script, NormalizeError> {
        if !(0.0..=0.5).contains(&self.min_mixed_share) {
            return Err(NormalizeError::InvalidOption {
                option: "script.min-mixed-share",
                reason: format!("must be between 0.0 and 0.5, got {}", self.min_mixed_share),
            });
        }
        if self.min_annotations == 0 {
            return Err(NormalizeError::InvalidOption {
                option: "script.min-annotations",
                reason: "must be at least 1".to_string(),
            });
        }
        let detector = AnnotationsConfig::default().build()?;
        Ok(Script { cfg: self.clone(), converter: T2s::shared(), detector })
    }
}

/// What the stage decided for one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScriptDecision {
    /// Left as it was.
    Keep,
    /// Converted to Simplified.
    ToSimplified,
}

/// The evidence behind a decision, recorded in `metadata.script.evidence`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ScriptEvidence {
    /// Pinyin annotations seen (removed by `annotations`, or still in the text).
    pub annotations: u64,
    /// Han characters in the document.
    pub han: u64,
    /// Characters that only Traditional writing uses.
    pub traditional_only: u64,
    /// Characters that only Simplified writing uses.
    pub simplified_only: u64,
    /// Distinct characters present in both forms.
    pub mixed_pairs: u64,
    /// Why the decision was taken.
    pub reason: &'static str,
}

/// The runtime `script` stage.
#[derive(Debug)]
pub struct Script {
    cfg: ScriptConfig,
    converter: &'static T2s,
    detector: crate::Annotations,
}

impl Script {
    /// Decide what to do with `doc` without changing it.
    pub fn decide(&self, doc: &Document) -> (ScriptDecision, ScriptEvidence) {
        let census = self.converter.census(&doc.text);
        let Census { han, traditional_only, simplified_only, mixed_pairs } = census;
        let mut annotations = doc.meta.changes.get("annotations").copied().unwrap_or(0);
        if annotations == 0 && self.cfg.mode == ScriptMode::Auto && traditional_only > 0 {
            // The annotations stage may be off: look for annotations ourselves.
            annotations = self.detector.strip(&doc.text).1;
        }
        let ev = |reason| ScriptEvidence {
            annotations,
            han,
            traditional_only,
            simplified_only,
            mixed_pairs,
            reason,
        };
        let both = traditional_only + simplified_only;
        let share = if both == 0 {
            0.0
        } else {
            traditional_only.min(simplified_only) as f64 / both as f64
        };
        match self.cfg.mode {
            ScriptMode::Keep => (ScriptDecision::Keep, ev("mode keep")),
            ScriptMode::ToSimplified => (ScriptDecision::ToSimplified, ev("mode to-simplified")),
            ScriptMode::Auto if traditional_only == 0 => {
                (ScriptDecision::Keep, ev("no traditional-only characters"))
            }
            ScriptMode::Auto if annotations >= self.cfg.min_annotations => {
                (ScriptDecision::ToSimplified, ev("pinyin annotations from a converter"))
            }
            ScriptMode::Auto
                if mixed_pairs >= self.cfg.min_mixed_pairs && share >= self.cfg.min_mixed_share =>
            {
                (ScriptDecision::ToSimplified, ev("simplified and traditional forms mixed"))
            }
            ScriptMode::Auto => (ScriptDecision::Keep, ev("consistent traditional text")),
        }
    }
}

impl Stage for Script {
    fn name(&self) -> StageName {
        StageName::Script
    }

    fn run(&self, doc: &mut Document) {
        let (decision, evidence) = self.decide(doc);
        let mut changed = 0;
        if decision == ScriptDecision::ToSimplified {
            if let (Cow::Owned(t), n) = self.converter.convert_counted(&doc.text) {
                changed = n;
                doc.text = t;
            }
        }
        if self.cfg.mode != ScriptMode::Keep && evidence.han > 0 {
            doc.meta.notes.insert(
                "script",
                serde_json::json!({ "decision": decision, "evidence": evidence }),
            );
        }
        doc.count(StageName::Script, changed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAIWAN: &str = include_str!("../testdata/traditional_tw.txt");

    fn run(mode: ScriptMode, text: &str, annotations: u64) -> Document {
        let stage = ScriptConfig { mode, ..Default::default() }.build().unwrap();
        let mut doc = Document::new("t", text.to_string());
        doc.count(StageName::Annotations, annotations);
        stage.run(&mut doc);
        doc
    }

    #[test]
    fn auto_decisions() {
        let cases: &[(&str, &str, u64, &str)] = &[
            // (behaviour, input, annotations already removed, expected)
            (
                "annotated_page_converts",
                "青島市衛生健康委員會工作總結",
                3,
                "青岛市卫生健康委员会工作总结",
            ),
            ("annotations_found_here_when_stage_off", "衛(wèi)生健康", 0, "卫(wèi)生健康"),
            (
                "mixed_forms_convert",
                "衛生健康委員會發展報告。卫生健康委员会发展报告。衛生發展",
                0,
                "卫生健康委员会发展报告。卫生健康委员会发展报告。卫生发展",
            ),
            (
                "plain_traditional_stays",
                "臺灣的衛生福利部發布報告。",
                0,
                "臺灣的衛生福利部發布報告。",
            ),
            ("simplified_stays", "青岛市卫生健康委员会", 0, "青岛市卫生健康委员会"),
            (
                "simplified_quoting_one_traditional_stays",
                "他写了《乾隆傳》一书。",
                0,
                "他写了《乾隆傳》一书。",
            ),
            ("english_stays", "Hello, world.", 0, "Hello, world."),
            (
                "numbers_and_url_stay",
                "2021-07-16 10:30 37.5% www.x.com",
                0,
                "2021-07-16 10:30 37.5% www.x.com",
            ),
            ("code_stays", "fn main() { let x = f(1, 2); }", 0, "fn main() { let x = f(1, 2); }"),
            ("japanese_stays", "東京都の天気は晴れです。", 0, "東京都の天気は晴れです。"),
            (
                "hong_kong_stays",
                "香港特別行政區政府發言人表示。",
                0,
                "香港特別行政區政府發言人表示。",
            ),
            (
                "traditional_with_latin_parens_stays",
                "臺灣衛生福利部(MOHW)發布報告(2021)。",
                0,
                "臺灣衛生福利部(MOHW)發布報告(2021)。",
            ),
        ];
        for (name, input, ann, want) in cases {
            let doc = run(ScriptMode::Auto, input, *ann);
            assert_eq!(doc.text, *want, "case {name}");
        }
    }

    #[test]
    fn genuine_taiwan_document_is_untouched() {
        let doc = run(ScriptMode::Auto, TAIWAN, 0);
        assert_eq!(doc.text, TAIWAN);
        assert_eq!(doc.meta.notes["script"]["decision"], "keep");
        assert!(doc.meta.changes.is_empty());
    }

    #[test]
    fn modes_keep_and_to_simplified() {
        assert_eq!(run(ScriptMode::Keep, "衛生", 5).text, "衛生");
        assert_eq!(run(ScriptMode::ToSimplified, "頭髮乾淨", 0).text, "头发干净");
        let doc = run(ScriptMode::ToSimplified, TAIWAN, 0);
        assert_ne!(doc.text, TAIWAN);
        assert!(doc.meta.changes["script"] > 10);
    }

    #[test]
    fn records_decision_and_evidence() {
        let doc = run(ScriptMode::Auto, "青島市衛生", 2);
        let note = &doc.meta.notes["script"];
        assert_eq!(note["decision"], "to-simplified");
        assert_eq!(note["evidence"]["annotations"], 2);
        assert_eq!(doc.meta.changes["script"], 2);
    }

    #[test]
    fn idempotent() {
        let once = run(ScriptMode::Auto, "青島市衛生健康委員會", 1).text;
        let twice = run(ScriptMode::Auto, &once, 1).text;
        assert_eq!(once, twice);
    }

    #[test]
    fn config_parses_kebab_case_and_rejects_unknown_keys() {
        let c: ScriptConfig = serde_json::from_str(r#"{"mode": "to-simplified"}"#).unwrap();
        assert_eq!(c.mode, ScriptMode::ToSimplified);
        assert!(serde_json::from_str::<ScriptConfig>(r#"{"modes": "keep"}"#).is_err());
        assert!(ScriptConfig { min_mixed_share: 0.9, ..Default::default() }.build().is_err());
    }
}
