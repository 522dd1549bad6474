//! Throughput of the four text stages over Chinese text, of each stage alone on the text it
//! sees in the pipeline, and of the Traditional→Simplified converter alone. Inputs are the
//! dev seed documents when present (repeated to ~1 MB), else the crate's own Traditional
//! test document.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qingxi_core::{Document, Stage};
use qingxi_normalize::{
    AnnotationsConfig, NormalizeConfig, ReflowConfig, ScriptConfig, ScriptMode, T2s,
};

const TAIWAN: &str = include_str!("../testdata/traditional_tw.txt");
const SEEDS: &str = "../../../shared/dev/seeds";

fn corpus() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEEDS);
    let mut text = String::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        let mut paths: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if let Ok(bytes) = std::fs::read(&p) {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    if text.is_empty() {
        text.push_str(TAIWAN);
    }
    text.repeat((1 << 20) / text.len() + 1)
}

fn stages(mode: ScriptMode) -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(AnnotationsConfig::default().build().unwrap()),
        Box::new(ScriptConfig { mode, ..Default::default() }.build().unwrap()),
        Box::new(NormalizeConfig::default().build().unwrap()),
        Box::new(ReflowConfig::default().build().unwrap()),
    ]
}

/// The document (text and change counts) each stage sees when the four run in order over
/// `text`.
fn stage_inputs(stages: &[Box<dyn Stage>], text: &str) -> Vec<Document> {
    let mut doc = Document::new("b", text.to_string());
    let mut inputs = Vec::new();
    for s in stages {
        inputs.push(doc.clone());
        s.run(&mut doc);
    }
    inputs
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let traditional = TAIWAN.repeat((1 << 20) / TAIWAN.len() + 1);
    let mut g = c.benchmark_group("normalize");
    g.sample_size(20);

    g.throughput(Throughput::Bytes(text.len() as u64));
    let auto = stages(ScriptMode::Auto);
    g.bench_function("four_stages_seeds", |b| {
        b.iter(|| {
            let mut doc = Document::new("b", text.clone());
            for s in &auto {
                s.run(&mut doc);
            }
            doc.text.len()
        })
    });

    let clean = {
        let mut doc = Document::new("b", text.clone());
        for s in &auto {
            s.run(&mut doc);
        }
        doc.text
    };
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("four_stages_clean", |b| {
        b.iter(|| {
            let mut doc = Document::new("b", clean.clone());
            for s in &auto {
                s.run(&mut doc);
            }
            doc.text.len()
        })
    });

    g.throughput(Throughput::Bytes(traditional.len() as u64));
    g.bench_function("t2s_convert_traditional", |b| {
        let t = T2s::shared();
        b.iter(|| t.convert(&traditional).len())
    });
    let to_simp = stages(ScriptMode::ToSimplified);
    g.bench_function("four_stages_to_simplified_traditional", |b| {
        b.iter(|| {
            let mut doc = Document::new("b", traditional.clone());
            for s in &to_simp {
                s.run(&mut doc);
            }
            doc.text.len()
        })
    });
    g.finish();

    // Each stage alone, on the text it sees in the pipeline (seeds, then clean text).
    let mut g = c.benchmark_group("stage");
    g.sample_size(20);
    for (corpus_name, input) in [("seeds", &text), ("clean", &clean)] {
        for (stage, stage_input) in auto.iter().zip(stage_inputs(&auto, input)) {
            g.throughput(Throughput::Bytes(stage_input.text.len() as u64));
            let name = format!("{}_{corpus_name}", stage.name().as_str());
            g.bench_function(name, |b| {
                b.iter(|| {
                    let mut doc = stage_input.clone();
                    stage.run(&mut doc);
                    doc.text.len()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
