//! Checkpoints for `qingxi run --resume`.
//!
//! Inputs are processed in a fixed order, so "where the run stopped" is a count: after each
//! batch the sink makes its partial output durable and a small state file records how many
//! inputs are finished, the origin of the last one, and the byte length of each partial
//! output at that point. A resumed run cuts the partial outputs back to those lengths
//! (dropping anything written after the checkpoint), skips the finished inputs unread, and
//! carries on. The state file also holds a fingerprint of the inputs, output, shard and
//! config, so a run is never resumed with different settings.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use qingxi_io::{AtomicFile, SinkSpec};
use serde_json::{json, Value};

/// What a checkpoint records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub fingerprint: String,
    /// Inputs (of this shard) finished and written.
    pub items_done: u64,
    /// Origin of the last finished input, to check the inputs have not changed.
    pub last_origin: Option<String>,
    /// Length of the partial output file at the checkpoint.
    pub output: Option<u64>,
    /// Length of the partial `--removed` file at the checkpoint.
    pub removed: Option<u64>,
}

/// Where the state file of an output lives (`None`: stdout cannot be resumed).
pub fn state_path(spec: &SinkSpec) -> Option<PathBuf> {
    match spec {
        SinkSpec::Stdout(_) => None,
        SinkSpec::JsonlFile(p) => {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Some(p.with_file_name(format!(".{name}.qingxi-state")))
        }
        SinkSpec::Dir(d) => Some(d.join(".qingxi-state")),
    }
}

/// A stable digest of everything that decides which inputs a run sees and what it writes.
pub fn fingerprint(parts: &[String]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.as_bytes().iter().chain(b"\x00") {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl State {
    pub fn load(path: &Path) -> Result<Option<State>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let v: Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: corrupt checkpoint", path.display()))?;
        let num = |k: &str| v.get(k).and_then(Value::as_u64);
        Ok(Some(State {
            fingerprint: v.get("fingerprint").and_then(Value::as_str).unwrap_or("").to_string(),
            items_done: num("items_done").unwrap_or(0),
            last_origin: v.get("last_origin").and_then(Value::as_str).map(str::to_owned),
            output: num("output"),
            removed: num("removed"),
        }))
    }

    /// Write the state atomically (temporary + rename), so a crash leaves the old or the new.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let v = json!({
            "version": 1,
            "fingerprint": self.fingerprint,
            "items_done": self.items_done,
            "last_origin": self.last_origin,
            "output": self.output,
            "removed": self.removed,
        });
        let mut f = AtomicFile::create_single_writer(path)?;
        f.write_all(v.to_string().as_bytes())?;
        f.commit()
    }

    /// Remove the state file (and a temporary a killed run may have left): the run is done.
    pub fn remove(path: &Path) {
        let _ = std::fs::remove_file(path);
        if let Ok(f) = AtomicFile::create_single_writer(path) {
            drop(f); // dropping an uncommitted single-writer file deletes its temporary
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".out.jsonl.qingxi-state");
        let s = State {
            fingerprint: fingerprint(&["a".into(), "b".into()]),
            items_done: 42,
            last_origin: Some("in/x.txt".into()),
            output: Some(1234),
            removed: None,
        };
        s.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), Some(s));
        assert_eq!(State::load(&dir.path().join("none")).unwrap(), None);
    }

    #[test]
    fn fingerprint_separates_parts() {
        assert_ne!(
            fingerprint(&["ab".into(), "c".into()]),
            fingerprint(&["a".into(), "bc".into()])
        );
    }
}
