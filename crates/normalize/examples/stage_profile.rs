//! Run the four text stages over the dev seeds (each document alone, then its cleaned
//! output again) a few times: a fixed workload for `valgrind --tool=callgrind`, whose
//! per-stage instruction counts are stable where wall-clock timings are not.
//!
//! ```text
//! cargo build --release -p qingxi-normalize --example stage_profile
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/examples/stage_profile /work/shared/dev/seeds
//! callgrind_annotate --inclusive=yes cg.out | grep 'as qingxi_core::stage::Stage>::run'
//! ```

use qingxi_core::{Document, Stage};
use qingxi_normalize::{AnnotationsConfig, NormalizeConfig, ReflowConfig, ScriptConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: stage_profile DIR [ROUNDS]")?;
    let rounds: usize = std::env::args().nth(2).map_or(Ok(20), |r| r.parse())?;
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(AnnotationsConfig::default().build()?),
        Box::new(ScriptConfig::default().build()?),
        Box::new(NormalizeConfig::default().build()?),
        Box::new(ReflowConfig::default().build()?),
    ];
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let bytes = std::fs::read(entry?.path())?;
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    texts.sort();
    let mut total = 0;
    for _ in 0..rounds {
        for t in &texts {
            let mut doc = Document::new("raw", t.clone());
            stages.iter().for_each(|s| s.run(&mut doc));
            // The cleaned text again: the cost of proving that nothing needs to change.
            let mut clean = Document::new("clean", doc.text.clone());
            stages.iter().for_each(|s| s.run(&mut clean));
            total += doc.text.len() + clean.text.len();
        }
    }
    println!("{total} bytes out");
    Ok(())
}
