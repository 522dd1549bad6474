//! Repair the `text` of every record of a JSONL file (such as the set written by
//! `gen_mojibake.py`) and print `{"id","text"}` lines, for `score_mojibake.py`.
//!
//! ```text
//! cargo run --release -p qingxi-mojibake --example repair_jsonl -- /tmp/moji/mojibake.jsonl > out.jsonl
//! ```

use std::error::Error;
use std::io::{BufRead, BufReader, Write};

use qingxi_mojibake::MojibakeConfig;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args().nth(1).ok_or("usage: repair_jsonl FILE.jsonl")?;
    let mut cfg = MojibakeConfig::default();
    // Tuning knobs for experiments: MOJIBAKE_GUESS_MARGIN, MOJIBAKE_MIN_GAIN, MOJIBAKE_SHORT_GAIN.
    let knob = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f32>().ok());
    if let Some(v) = knob("MOJIBAKE_GUESS_MARGIN") {
        cfg.guess_margin = v;
    }
    if let Some(v) = knob("MOJIBAKE_MIN_GAIN") {
        cfg.min_gain = v;
    }
    if let Some(v) = knob("MOJIBAKE_SHORT_GAIN") {
        cfg.short_span_gain = v;
    }
    let stage = cfg.build()?;
    let verbose = std::env::var_os("MOJIBAKE_VERBOSE").is_some();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in BufReader::new(std::fs::File::open(path)?).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: serde_json::Value = serde_json::from_str(&line)?;
        let text = rec["text"].as_str().unwrap_or_default();
        let fixed = stage.repair(text);
        let mut o = serde_json::json!({"id": rec["id"], "text": fixed.text});
        if verbose {
            o["repairs"] = fixed
                .repairs
                .iter()
                .map(|r| serde_json::json!([r.rule, r.before, r.after, r.confidence]))
                .collect();
        }
        writeln!(out, "{o}")?;
    }
    Ok(())
}
