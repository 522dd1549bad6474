//! The end-of-run summary: what was read, fixed, removed and what failed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use qingxi_pipeline::Outcome;

#[derive(Debug, Default)]
pub struct Summary {
    documents: u64,
    bytes_in: u64,
    bytes_out: u64,
    encodings: BTreeMap<String, u64>,
    changes: BTreeMap<String, u64>,
    removed: BTreeMap<&'static str, u64>,
    template_docs: u64,
    skipped: Vec<String>,
    failed: Vec<String>,
}

impl Summary {
    /// Count one outcome; returns a line to print right away for skips and failures.
    pub fn record(&mut self, outcome: &Outcome) -> Option<String> {
        match outcome {
            Outcome::Done(out) => {
                self.documents += 1;
                self.bytes_in += out.bytes_in as u64;
                self.bytes_out += out.text.len() as u64;
                let enc = out.meta.encoding.clone().unwrap_or_else(|| "unknown".into());
                *self.encodings.entry(enc).or_insert(0) += 1;
                for (stage, n) in &out.meta.changes {
                    *self.changes.entry((*stage).to_string()).or_insert(0) += n;
                }
                for r in &out.removed {
                    *self.removed.entry(r.label.as_str()).or_insert(0) += 1;
                }
                self.template_docs += u64::from(!out.template.is_empty());
                None
            }
            Outcome::Skipped { origin, reason } => {
                let line = format!("{origin}: skipped: {reason}");
                self.skipped.push(line.clone());
                Some(line)
            }
            Outcome::Failed(f) => {
                let line = f.to_string();
                self.failed.push(line.clone());
                Some(line)
            }
        }
    }

    pub fn documents(&self) -> u64 {
        self.documents
    }

    pub fn bytes_in(&self) -> u64 {
        self.bytes_in
    }

    pub fn failures(&self) -> usize {
        self.failed.len()
    }

    pub fn render(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "qingxi: {} documents cleaned, {} skipped, {} failed in {:.2} s",
            self.documents,
            self.skipped.len(),
            self.failed.len(),
            secs
        );
        let _ = writeln!(
            s,
            "  bytes:     {} in, {} out ({:.1} MB/s)",
            human(self.bytes_in),
            human(self.bytes_out),
            self.bytes_in as f64 / 1e6 / secs
        );
        let _ = writeln!(
            s,
            "  encodings: {}",
            join(self.encodings.iter().map(|(k, v)| (k.as_str(), *v)))
        );
        let _ = writeln!(
            s,
            "  changes:   {}",
            join(self.changes.iter().map(|(k, v)| (k.as_str(), *v)))
        );
        let _ = writeln!(s, "  removed:   {}", join(self.removed.iter().map(|(k, v)| (*k, *v))));
        if self.template_docs > 0 {
            let _ = writeln!(s, "  template:  {} documents with template text", self.template_docs);
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(s, "  skipped:");
            for line in &self.skipped {
                let _ = writeln!(s, "    {line}");
            }
        }
        if !self.failed.is_empty() {
            let _ = writeln!(s, "  failed:");
            for line in &self.failed {
                let _ = writeln!(s, "    {line}");
            }
        }
        s
    }
}

/// The `--profile` table: CPU time per phase (summed over worker threads), its share, and
/// the throughput that phase alone would allow on one core.
pub fn render_profile(
    profile: &qingxi_pipeline::Profile,
    write: Duration,
    wall: Duration,
    bytes_in: u64,
) -> String {
    let mut rows: Vec<(&str, Duration)> =
        profile.report().into_iter().map(|(p, d)| (p.name(), d)).collect();
    rows.push(("write", write));
    let total: f64 = rows.iter().map(|(_, d)| d.as_secs_f64()).sum::<f64>().max(1e-9);
    let mb = bytes_in as f64 / 1e6;
    let mut s = String::new();
    let _ = writeln!(s, "profile (CPU time summed over threads; MB/s = input MB / phase time):");
    let _ = writeln!(s, "  {:<16} {:>9} {:>7} {:>10}", "phase", "seconds", "share", "MB/s");
    for (name, d) in &rows {
        let secs = d.as_secs_f64();
        let _ = writeln!(
            s,
            "  {:<16} {:>9.3} {:>6.1}% {:>10.1}",
            name,
            secs,
            100.0 * secs / total,
            if secs > 0.0 { mb / secs } else { f64::INFINITY }
        );
    }
    let _ = writeln!(s, "  {:<16} {:>9.3} {:>7} {:>10.1}", "total (CPU)", total, "", mb / total);
    let wall = wall.as_secs_f64().max(1e-9);
    let _ = writeln!(s, "  {:<16} {:>9.3} {:>7} {:>10.1}", "wall clock", wall, "", mb / wall);
    s
}

fn join<'a>(items: impl Iterator<Item = (&'a str, u64)>) -> String {
    let parts: Vec<String> = items.map(|(k, v)| format!("{k} {v}")).collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.2} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}
