//! Run the four text stages over every `.txt` file in a folder and print one JSON line per
//! file: `{"id": "<file name>", "text": "…", "metadata": {…}}`.
//!
//! ```text
//! cargo run -p qingxi-normalize --example normalize_dir -- /work/shared/dev/seeds > out.jsonl
//! ```

use std::io::Write;

use qingxi_core::{Document, Stage};
use qingxi_normalize::{AnnotationsConfig, NormalizeConfig, ReflowConfig, ScriptConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: normalize_dir DIR")?;
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(AnnotationsConfig::default().build()?),
        Box::new(ScriptConfig::default().build()?),
        Box::new(NormalizeConfig::default().build()?),
        Box::new(ReflowConfig::default().build()?),
    ];
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for p in paths {
        let bytes = std::fs::read(&p)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let id = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut doc = Document::new(id, text);
        for s in &stages {
            s.run(&mut doc);
        }
        let changes: serde_json::Map<String, serde_json::Value> =
            doc.meta.changes.iter().map(|(k, v)| ((*k).to_string(), (*v).into())).collect();
        let mut meta = serde_json::Map::new();
        meta.insert("changes".into(), changes.into());
        for (k, v) in &doc.meta.notes {
            meta.insert((*k).to_string(), v.clone());
        }
        let rec = serde_json::json!({"id": doc.id, "text": doc.text, "metadata": meta});
        writeln!(out, "{rec}")?;
    }
    Ok(())
}
