//! Decode every file under the given folders a number of times and print the throughput
//! and how many files came out in each encoding; small enough to run under callgrind.
//!
//! ```text
//! cargo run --release --example decode_throughput -- /tmp/dec-gbk 5
//! valgrind --tool=callgrind target/release/examples/decode_throughput /tmp/dec-gbk 1
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use qingxi_decode::{Decision, DecodeConfig};

fn files(root: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if root.is_file() {
        out.push(root.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(root)? {
        files(&entry?.path(), out)?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = match args.last().map(|a| a.parse()) {
        Some(Ok(n)) => {
            args.pop();
            n
        }
        _ => 1,
    };
    if args.is_empty() {
        return Err("usage: decode_throughput DIR... [ROUNDS]".into());
    }
    let mut paths = Vec::new();
    for a in &args {
        files(Path::new(a), &mut paths)?;
    }
    paths.sort();
    let inputs: Vec<Vec<u8>> = paths.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let bytes: usize = inputs.iter().map(Vec::len).sum();
    let decoder = DecodeConfig::default().build()?;
    let mut encodings: BTreeMap<String, usize> = BTreeMap::new();
    let start = Instant::now();
    let mut chars = 0usize;
    for round in 0..rounds {
        for input in &inputs {
            match decoder.decode(input) {
                Decision::Text(d) => {
                    // What the pipeline does with it: one owned String per document.
                    let owned = d.text.into_owned();
                    chars += owned.len();
                    if round == 0 {
                        *encodings.entry(d.encoding.to_string()).or_default() += 1;
                    }
                }
                Decision::Binary(why) => {
                    if round == 0 {
                        *encodings.entry(format!("binary: {why}")).or_default() += 1;
                    }
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} files, {:.1} MB x {rounds}: {:.3} s, {:.1} MB/s ({} output bytes)",
        inputs.len(),
        bytes as f64 / 1e6,
        secs,
        (bytes * rounds) as f64 / 1e6 / secs,
        chars / rounds.max(1)
    );
    for (enc, n) in encodings {
        println!("  {enc}: {n}");
    }
    Ok(())
}
