//! `qingxi-bench`: the benchmark harness — corpus generator, RSS-measuring exec wrapper and
//! bench runner behind `bench/run.sh`.
//!
//! - `gen --size-mb N --out DIR [--jsonl FILE] [--seed S]`: a deterministic corpus (see
//!   [`corpus`]); same seed and size → same bytes.
//! - `exec [--report FILE] -- CMD...`: run CMD, report wall/CPU time and peak RSS.
//! - `run --qingxi BIN --dir DIR --jsonl FILE [--results FILE]`: measure `qingxi run` on both
//!   inputs with one and all threads and decode-only; print and append a Markdown table.
//!
//! ```sh
//! cargo run --release -p qingxi-bench -- gen --size-mb 10 --out /tmp/c --jsonl /tmp/c.jsonl
//! ```

mod corpus;
mod material;
mod measure;
mod rng;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "qingxi-bench", about = "Benchmark harness for qingxi")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Generate the deterministic benchmark corpus.
    Gen {
        /// Size of the directory corpus in MB (10^6 bytes); fractions allowed.
        #[arg(long, value_name = "N")]
        size_mb: f64,
        /// Directory to write the corpus into (nested folders of documents).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also write the same documents as JSONL (`id`, `url`, `text` = decoded text).
        #[arg(long, value_name = "FILE")]
        jsonl: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder with the real sample documents.
        #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples"))]
        samples: PathBuf,
        /// Write counts (documents, bytes, kinds, encodings) as JSON to this file.
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
    },
    /// Run a command and report wall time, CPU time and peak RSS.
    Exec {
        /// Write the measurement as JSON here instead of a line on stderr.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        #[arg(trailing_var_arg = true, required = true, allow_hyphen_values = true)]
        cmd: Vec<String>,
    },
    /// Measure `qingxi run` on the corpus and write the results table.
    Run {
        /// The qingxi binary to measure.
        #[arg(long, value_name = "BIN")]
        qingxi: PathBuf,
        /// Directory corpus.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// JSONL corpus.
        #[arg(long, value_name = "FILE")]
        jsonl: PathBuf,
        /// Append the Markdown results here too.
        #[arg(long, value_name = "FILE")]
        results: Option<PathBuf>,
        /// Threads for the "all threads" runs (default: all cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Runs per case; the fastest is reported.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// Heading of this results section.
        #[arg(long, default_value = "bench")]
        label: String,
        /// A note recorded with the results (machine load, what changed).
        #[arg(long)]
        note: Option<String>,
    },
}

fn main() -> Result<ExitCode> {
    match Cli::parse().cmd {
        Cmd::Gen { size_mb, out, jsonl, seed, samples, manifest } => {
            anyhow::ensure!(out.is_some() || jsonl.is_some(), "give --out DIR and/or --jsonl FILE");
            let opts =
                corpus::GenOptions { bytes: (size_mb * 1e6) as u64, seed, out, jsonl, samples };
            let man = corpus::generate(&opts)?;
            let json = serde_json::to_string_pretty(&man.to_json(seed))?;
            if let Some(p) = manifest {
                std::fs::write(p, &json)?;
            }
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Exec { report, cmd } => {
            let code = measure::exec_main(&cmd, report.as_deref())?;
            Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
        }
        Cmd::Run { qingxi, dir, jsonl, results, jobs, repeat, label, note } => {
            let jobs_all = jobs.unwrap_or_else(|| {
                std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
            });
            measure::run_main(&measure::RunOptions {
                qingxi,
                dir,
                jsonl,
                results,
                jobs_all,
                repeat,
                label,
                note,
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
