//! Repair throughput on the bench's clean and damaged text, outside criterion: quick to run
//! under `valgrind --tool=callgrind` for instruction counts.
//!
//! ```text
//! cargo build --release -p qingxi-mojibake --example throughput
//! valgrind --tool=callgrind target/release/examples/throughput damaged 1
//! target/release/examples/throughput clean 200
//! ```
//! The first argument is `clean` or `damaged` (the same texts as `benches/mojibake.rs`), or
//! one kind of damage alone (`utf8-as-gbk`, `gbk-as-latin1`, `utf8-as-cp1252`); the second
//! the number of repetitions.

use std::time::Instant;

use qingxi_mojibake::MojibakeConfig;

fn corpus() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/clean");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("testdata/clean")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    let text: String =
        files.iter().map(|f| std::fs::read_to_string(f).expect("clean sample")).collect();
    text.repeat(200_000 / text.len() + 1)
}

/// Every line damaged, cycling through UTF-8 read as GBK, GBK read as Latin-1 and UTF-8
/// read as windows-1252 (as in the bench); `only` picks one of the three.
fn damaged(clean: &str, only: Option<usize>) -> String {
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    clean
        .lines()
        .enumerate()
        .map(|(i, l)| match only.unwrap_or(i % 3) {
            0 => encoding_rs::GBK.decode_without_bom_handling(l.as_bytes()).0.into_owned(),
            1 => gbk(l).iter().map(|&b| char::from(b)).collect(),
            _ => encoding_rs::WINDOWS_1252.decode_without_bom_handling(l.as_bytes()).0.into_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "damaged".into());
    let reps: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let stage = MojibakeConfig::default().build().expect("default config");
    let clean = corpus();
    let text = match which.as_str() {
        "clean" => clean,
        "damaged" => damaged(&clean, None),
        "utf8-as-gbk" => damaged(&clean, Some(0)),
        "gbk-as-latin1" => damaged(&clean, Some(1)),
        "utf8-as-cp1252" => damaged(&clean, Some(2)),
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let mut repairs = 0;
    for _ in 0..reps {
        repairs += stage.repair(&text).repairs.len();
    }
    let secs = t.elapsed().as_secs_f64();
    let mb = (text.len() * reps) as f64 / 1e6;
    println!("{which}: {mb:.1} MB in {secs:.3} s = {:.1} MB/s, {repairs} repairs", mb / secs);
}
