//! Throughput of the four filter stages on one core (plain `std::time`, no harness).
//!
//! ```text
//! cargo bench -p qingxi-filter --bench filters
//! ```
//! The corpus is this crate's `testdata/` pages plus the dev seeds when present
//! (`../shared/dev/seeds` from the workspace root), repeated to about 64 MB
//! (`QINGXI_BENCH_MB=2` for a run under callgrind). Reported:
//! MB/s of input text for the four stages (blocks already split), for `split_blocks` plus the
//! stages, and for the corpus pass (`LineCounts::observe`). Stage times are scaled to the CPU
//! time the thread got, so numbers stay comparable on a loaded machine.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use qingxi_core::{Document, Stage};
use qingxi_filter::{BoilerplateConfig, RepeatsConfig, SpamConfig, TemplateConfig};

fn texts(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            texts(&p, out);
        } else if p.extension().is_some_and(|x| x == "txt") {
            let site = p.parent().map(|d| d.display().to_string()).unwrap_or_default();
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push((site, t));
            }
        }
    }
}

/// CPU time of this thread (user + system) from `/proc/thread-self/stat`, in seconds
/// (clock ticks of 10 ms); `None` where that file does not exist.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut base = Vec::new();
    texts(&here.join("testdata"), &mut base);
    texts(&here.join("../../../shared/dev/seeds"), &mut base);
    let base_bytes: usize = base.iter().map(|(_, t)| t.len()).sum();
    // QINGXI_BENCH_MB sizes the corpus (small for `valgrind --tool=callgrind`).
    let target_mb: usize =
        std::env::var("QINGXI_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let reps = (target_mb << 20) / base_bytes.max(1) + 1;
    let corpus: Vec<(String, String)> = (0..reps)
        .flat_map(|r| base.iter().map(move |(s, t)| (format!("{s}{}", r % 50), t.clone())))
        .collect();
    let bytes: usize = corpus.iter().map(|(_, t)| t.len()).sum();
    let mb = bytes as f64 / 1e6;

    let tcfg = TemplateConfig::default();
    let t = Instant::now();
    let mut counts = tcfg.new_counts();
    for (site, text) in &corpus {
        counts.observe(site, text);
    }
    let observe = t.elapsed().as_secs_f64();
    let entries = counts.len();

    // As the pipeline wires them: spam's dictionary is walked during the boilerplate scan.
    let mut boilerplate = BoilerplateConfig::default().build(here).unwrap();
    let spam = SpamConfig::default().build(here).unwrap();
    boilerplate.share_walk_with(&spam);
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(boilerplate),
        Box::new(spam),
        Box::new(tcfg.build(Some(Arc::new(counts))).unwrap()),
        Box::new(RepeatsConfig::default().build().unwrap()),
    ];
    let mut docs: Vec<Document> = corpus
        .iter()
        .map(|(s, text)| {
            let mut d = Document::new("b", text.clone());
            d.site = s.clone();
            d
        })
        .collect();
    let t = Instant::now();
    for d in &mut docs {
        d.split_blocks();
    }
    let split = t.elapsed().as_secs_f64();
    let mut per_stage = vec![0.0; stages.len()];
    let (wall0, cpu0) = (Instant::now(), cpu_secs());
    for d in &mut docs {
        for (i, s) in stages.iter().enumerate() {
            let t = Instant::now();
            s.run(d);
            per_stage[i] += t.elapsed().as_secs_f64();
        }
    }
    // On a shared machine the thread is preempted; scale wall times to the CPU time the
    // thread actually got (preemption falls on the stages in proportion to their time).
    if let (Some(c0), Some(c1)) = (cpu0, cpu_secs()) {
        let share = ((c1 - c0) / wall0.elapsed().as_secs_f64()).clamp(0.01, 1.0);
        println!("on-CPU share of the stage loop: {share:.2} (MB/s below are per CPU second)");
        for t in &mut per_stage {
            *t *= share;
        }
    }
    let total: f64 = per_stage.iter().sum();
    println!("corpus: {} docs, {mb:.1} MB", docs.len());
    for (s, secs) in stages.iter().zip(&per_stage) {
        println!("{:<12} {:>8.1} MB/s", s.name().as_str(), mb / secs);
    }
    println!("{:<12} {:>8.1} MB/s", "4 stages", mb / total);
    println!("{:<12} {:>8.1} MB/s", "split+4", mb / (total + split));
    println!("{:<12} {:>8.1} MB/s  ({entries} distinct site lines)", "observe", mb / observe);
}
