//! Helpers shared by the end-to-end tests that run the real `qingxi` binary.
#![allow(dead_code)] // each test file uses a different subset

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The binary, run from the temp folder so it never picks up a `pipeline.toml` from
/// wherever the tests run.
pub fn qingxi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qingxi"));
    c.current_dir(std::env::temp_dir());
    c
}

pub fn run(args: &[&str]) -> Output {
    qingxi().args(args).output().expect("qingxi runs")
}

/// A path as a command-line argument (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The records of a JSONL output, in order.
pub fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}
