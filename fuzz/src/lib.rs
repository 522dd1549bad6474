//! Shared helpers for qingxi's cargo-fuzz targets: stages built once from the default
//! configuration, and the checks every text stage must pass on arbitrary input.
//!
//! Run a target (the toolchain is stable, so nightly flags need `RUSTC_BOOTSTRAP=1`):
//!
//! ```text
//! cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run reflow -- -max_total_time=60
//! ```
//!
//! Beyond "never panic", text-stage targets check that a stage is idempotent (applying it
//! twice gives the text of applying it once), which every text stage documents. Set
//! `QINGXI_FUZZ_CRASH_ONLY=1` to check only for panics, for example to keep exploring after
//! an idempotence failure has been recorded.

use std::path::Path;
use std::sync::LazyLock;

use qingxi_core::{Document, Stage};
use qingxi_pipeline::{Config, Pipeline};

/// The default configuration (the reference `pipeline.toml`).
pub static CONFIG: LazyLock<Config> = LazyLock::new(Config::default);

/// The whole default pipeline, built once.
pub static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| {
    Pipeline::build(&CONFIG, Path::new(".")).expect("the default pipeline builds")
});

static CHECK_PROPERTIES: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("QINGXI_FUZZ_CRASH_ONLY").is_none_or(|v| v.is_empty()));

/// Whether targets check properties beyond "never panic".
pub fn check_properties() -> bool {
    *CHECK_PROPERTIES
}

/// The fuzzer's bytes as text: invalid sequences become U+FFFD, like a lossy decoder would.
pub fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Run one text stage over `text`; then, when checking properties, run it again over its
/// own output and require the same text (idempotence).
pub fn check_text_stage(stage: &dyn Stage, text: String) {
    let mut doc = Document::new("fuzz", text);
    stage.run(&mut doc);
    if !check_properties() {
        return;
    }
    let once = doc.text.clone();
    let mut again = Document::new("fuzz", once.clone());
    stage.run(&mut again);
    assert!(
        again.text == once,
        "stage `{}` is not idempotent:\n once: {once:?}\ntwice: {:?}",
        stage.name(),
        again.text
    );
}
