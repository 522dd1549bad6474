//! Property tests: every stage gives the same text when applied twice as when applied once,
//! on generated text that mixes the characters each rule acts on.
//!
//! The generator strings together pieces that sit on the borders between rules: control and
//! zero-width characters, indentation spaces, `**` emphasis, ASCII and CJK punctuation, line
//! breaks and blank lines, pinyin annotations, list markers, digits and Han. Fuzzing found
//! idempotence bugs in exactly these interactions (a control character inside indentation, a
//! join that completes a `**` pair), so the pieces are chosen to meet each other often.

use std::sync::LazyLock;

use proptest::prelude::*;
use qingxi_core::{Document, Stage};
use qingxi_normalize::{
    Annotations, AnnotationsConfig, Normalize, NormalizeConfig, Reflow, ReflowConfig, Script,
    ScriptConfig, ScriptMode,
};

static ANNOTATIONS: LazyLock<Annotations> =
    LazyLock::new(|| AnnotationsConfig::default().build().expect("default builds"));
static SCRIPT_AUTO: LazyLock<Script> =
    LazyLock::new(|| ScriptConfig::default().build().expect("default builds"));
static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    ScriptConfig { mode: ScriptMode::ToSimplified, ..ScriptConfig::default() }
        .build()
        .expect("to-simplified builds")
});
static NORMALIZE: LazyLock<Normalize> =
    LazyLock::new(|| NormalizeConfig::default().build().expect("default builds"));
static REFLOW: LazyLock<Reflow> =
    LazyLock::new(|| ReflowConfig::default().build().expect("default builds"));

/// Pieces of text that the rules of the four stages act on, or that decide whether they act.
const PIECES: &[&str] = &[
    // Control characters (C0, DEL, C1) and zero-width characters.
    "\u{1}",
    "\u{B}",
    "\u{1A}",
    "\u{7F}",
    "\u{85}",
    "\u{200B}",
    "\u{200C}",
    "\u{200D}",
    "\u{2060}",
    "\u{FEFF}",
    "\u{AD}",
    // Indentation and spacing.
    " ",
    "  ",
    "\u{A0}",
    "\u{3000}",
    "\u{2003}",
    "\t",
    // Emphasis markers.
    "**",
    "*",
    // Han, other scripts, emoji, characters NFC changes.
    "中",
    "文",
    "临",
    "年",
    "衛",
    "這",
    "頭髮",
    "后",
    "か",
    "한",
    "👨",
    "e",
    "\u{301}",
    "\u{212A}",
    "\u{F900}",
    // ASCII letters and digits, full-width ones.
    "a",
    "Z",
    "1",
    "2020",
    "3.5",
    "%",
    "Ａ",
    "１",
    // ASCII punctuation that may become full-width, and CJK punctuation.
    ",",
    ":",
    ";",
    "!",
    "?",
    "(",
    ")",
    ".",
    "-",
    "，",
    "、",
    "。",
    "：",
    "“",
    "”",
    "《",
    "（",
    "）",
    // Line breaks and blank lines.
    "\n",
    "\n",
    "\n\n",
    "\n\n\n",
    "\r\n",
    "\r",
    // List markers and sentence openers (reflow decisions).
    "一、",
    "1.",
    "（一）",
    "①",
    "同时，",
    // Pinyin annotations, real and not.
    "衛(wèi)",
    "生(shēng)",
    "(zhōng)",
    "(wei4)",
    // Long prose, so that reflow's length thresholds are crossed.
    "会议总结了期间及年淄博市的卫生健康工作,对开局之年卫生健康工作进行了安排部署",
    "加强紧急医学救援能力建设",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..32).prop_map(|v| v.concat())
}

fn run(stage: &dyn Stage, text: &str) -> String {
    let mut doc = Document::new("p", text.to_string());
    stage.run(&mut doc);
    doc.text
}

fn check(stage: &dyn Stage, input: &str) -> Result<(), TestCaseError> {
    let once = run(stage, input);
    let twice = run(stage, &once);
    prop_assert_eq!(&twice, &once, "stage {} on {:?}", stage.name(), input);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("IDEM_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2048),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn annotations_is_idempotent(t in text()) {
        check(&*ANNOTATIONS, &t)?;
    }

    #[test]
    fn script_is_idempotent(t in text()) {
        check(&*SCRIPT, &t)?;
        check(&*SCRIPT_AUTO, &t)?;
    }

    #[test]
    fn normalize_is_idempotent(t in text()) {
        check(&*NORMALIZE, &t)?;
    }

    #[test]
    fn reflow_is_idempotent(t in text()) {
        check(&*REFLOW, &t)?;
    }

    /// The stages up to `normalize` in pipeline order: a stage must not decide on characters
    /// that a later one removes (`衛\u{2}(wèi)`: `annotations` looks through the control
    /// character that `normalize` drops). `reflow` is left out: the lines it joins are new
    /// context for `normalize` (`衛` + `1:` reads `1:` as Chinese), which only a second run
    /// of the pipeline sees.
    #[test]
    fn the_stages_up_to_normalize_are_idempotent(t in text()) {
        let stages: [&dyn Stage; 3] = [&*ANNOTATIONS, &*SCRIPT_AUTO, &*NORMALIZE];
        let all = |t: &str| stages.iter().fold(t.to_string(), |t, s| run(*s, &t));
        let once = all(&t);
        let twice = all(&once);
        prop_assert_eq!(&twice, &once, "on {:?}", t);
    }
}
