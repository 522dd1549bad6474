//! Throughput of the mojibake stage on clean Chinese text (the fast path), on clean text as
//! scraped pages often have it (NBSP indentation and runs, pinyin readings such as `卫(wèi)`)
//! and on damaged text (every line mis-decoded), in bytes of input per second.

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

/// The same text the way converter-made pages show it: lines indented with NBSP runs, NBSP
/// around colons, and a tone-marked pinyin reading after every seventh Han character. All
/// of it is clean and must come out unchanged.
fn nbsp_pinyin(clean: &str) -> String {
    const READINGS: &[&str] = &[
        "wèi", "shēng", "jiàn", "kāng", "wěi", "yuán", "huì", "gōng", "zuò", "zǒng", "jié", "bù",
        "shí", "guó", "yè", "fā", "zhǎn", "xiàn", "é", "ài", "lǜ", "ào", "dì", "mén",
    ];
    let mut out = String::with_capacity(clean.len() * 2);
    let mut han = 0;
    for (i, line) in clean.lines().enumerate() {
        out.push_str(&"\u{a0}".repeat(4 + i % 9));
        for c in line.chars() {
            if c == '：' {
                out.push_str("\u{a0}\u{a0}:\u{a0}\u{a0}");
                continue;
            }
            out.push(c);
            if ('\u{4e00}'..='\u{9fff}').contains(&c) {
                han += 1;
                if han % 7 == 0 {
                    out.push('(');
                    out.push_str(READINGS[han / 7 % READINGS.len()]);
                    out.push(')');
                }
            }
        }
        out.push('\n');
    }
    out
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
    let pinyin = nbsp_pinyin(&clean);
    assert_eq!(stage.repair(&pinyin).text, pinyin.as_str(), "NBSP + pinyin text is clean");
    let mut g = c.benchmark_group("mojibake");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean_zh", |b| b.iter(|| stage.repair(&clean).repairs.len()));
    g.throughput(Throughput::Bytes(pinyin.len() as u64));
    g.bench_function("nbsp_pinyin_zh", |b| b.iter(|| stage.repair(&pinyin).repairs.len()));
    g.throughput(Throughput::Bytes(bad.len() as u64));
    g.bench_function("damaged_zh", |b| b.iter(|| stage.repair(&bad).repairs.len()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
