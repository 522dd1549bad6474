//! Throughput of the mojibake stage on clean Chinese text (the fast path) and on damaged
//! text (every line mis-decoded), in bytes of input per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qingxi_mojibake::MojibakeConfig;

fn corpus() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/clean");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let text: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    // About 200 KB, so per-call overhead does not dominate.
    text.repeat(200_000 / text.len() + 1)
}

/// The same text with every line damaged, cycling through the kinds of damage.
fn damaged(clean: &str) -> String {
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    clean
        .lines()
        .enumerate()
        .map(|(i, l)| match i % 3 {
            0 => encoding_rs::GBK.decode_without_bom_handling(l.as_bytes()).0.into_owned(),
            1 => gbk(l).iter().map(|&b| char::from(b)).collect(),
            _ => encoding_rs::WINDOWS_1252.decode_without_bom_handling(l.as_bytes()).0.into_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn bench(c: &mut Criterion) {
    let stage = MojibakeConfig::default().build().unwrap();
    let clean = corpus();
    let bad = damaged(&clean);
    let mut g = c.benchmark_group("mojibake");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean_zh", |b| b.iter(|| stage.repair(&clean).repairs.len()));
    g.throughput(Throughput::Bytes(bad.len() as u64));
    g.bench_function("damaged_zh", |b| b.iter(|| stage.repair(&bad).repairs.len()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
