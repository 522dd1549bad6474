//! Decode every file under a folder and print one JSON line per file:
//! `{"id": <path relative to the folder>, "text", "encoding", "confidence", "malformed"}`
//! (binary files get `"binary": <reason>` and an empty text).
//!
//! ```text
//! cargo run --example decode_dir -- /tmp/moji/raw > out.jsonl
//! python3 ../shared/eval/score_mojibake.py --raw /tmp/moji/raw_labels.jsonl out.jsonl
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use qingxi_decode::{Decision, DecodeConfig};

fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::args().nth(1).ok_or("usage: decode_dir DIR")?);
    let decoder = DecodeConfig::default().build()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in files(&root)? {
        let bytes = std::fs::read(&path)?;
        let id = path
            .strip_prefix(&root)?
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let record = match decoder.decode(&bytes) {
            Decision::Text(d) => serde_json::json!({
                "id": id, "text": d.text, "encoding": d.encoding,
                "confidence": d.confidence, "malformed": d.malformed,
            }),
            Decision::Binary(why) => {
                serde_json::json!({"id": id, "text": "", "binary": why.to_string()})
            }
        };
        writeln!(out, "{record}")?;
    }
    Ok(())
}
