//! `qingxi`: clean messy scraped documents (Chinese first) into trustworthy UTF-8 text.
//!
//! A thin binary over the libraries: parse arguments, load the config, wire sources to the
//! pipeline to a sink, show progress, print a summary, and exit 0 (all processed), 1 (some
//! documents failed) or 2 (usage or config error).

mod explain;
mod summary;

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use qingxi_core::StageName;
use qingxi_io::{open_sink, OutputFormat, RemovedLog, SinkError, SinkSpec, SourceOptions, Sources};
use qingxi_pipeline::{is_implemented, Config, Outcome, Pipeline, RunOptions, Shard};

use crate::summary::Summary;

#[derive(Debug, Parser)]
#[command(
    name = "qingxi",
    version,
    about = "Clean messy scraped documents into trustworthy UTF-8 text"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Clean documents: directories, files, JSONL(.gz) shards or stdin, to JSONL, a folder or stdout.
    Run(RunArgs),
    /// Show what the pipeline does to one file: every block with its label, rule and matched term.
    Explain(ExplainArgs),
    /// List the stages in pipeline order, with their defaults and whether each is implemented.
    Stages,
}

#[derive(Debug, clap::Args)]
struct StageArgs {
    /// Config file (default: ./pipeline.toml if present, else the built-in default).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only these stages (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "S,S", value_parser = parse_stage)]
    only: Vec<StageName>,
    /// Switch these stages on.
    #[arg(long, value_delimiter = ',', value_name = "S,S", value_parser = parse_stage)]
    enable: Vec<StageName>,
    /// Switch these stages off.
    #[arg(long, value_delimiter = ',', value_name = "S,S", value_parser = parse_stage)]
    disable: Vec<StageName>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Jsonl,
    Text,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    #[command(flatten)]
    stages: StageArgs,
    /// Input: a directory (walked recursively), a file, a .jsonl/.jsonl.gz file, or - for stdin.
    #[arg(long, short, value_name = "PATH", default_value = "-")]
    input: Vec<PathBuf>,
    /// Output: a .jsonl file, a directory (cleaned .txt files mirroring the input), or - for stdout.
    #[arg(long, short, value_name = "PATH", default_value = "-")]
    output: PathBuf,
    /// What to write on stdout: JSONL records or only the cleaned text.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Read stdin as JSONL records instead of one text document.
    #[arg(long)]
    stdin_jsonl: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// Process only the inputs of shard I of N (by a stable hash of their id).
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Also write every removed block, with its label and rule, to this JSONL file.
    #[arg(long, value_name = "PATH")]
    removed: Option<PathBuf>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, clap::Args)]
struct ExplainArgs {
    #[command(flatten)]
    stages: StageArgs,
    /// The file to explain.
    file: PathBuf,
    /// Colour: auto (when stdout is a terminal), always or never.
    #[arg(long, value_enum, default_value = "auto")]
    color: explain::ColorChoice,
}

fn parse_stage(s: &str) -> Result<StageName, String> {
    s.parse::<StageName>().map_err(|e| e.to_string())
}

/// A config or usage problem: exit code 2.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Explain(args) => explain::explain(args),
        Command::Stages => stages(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("qingxi: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// Load the config, apply stage flags, build the pipeline. Every failure here is exit 2.
fn build_pipeline(args: &StageArgs) -> Result<(Pipeline, Config)> {
    let loaded = Config::load(args.config.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    let mut config = loaded.config;
    config.stages.apply(&args.only, &args.enable, &args.disable);
    let pipeline = Pipeline::build(&config, &loaded.base_dir)
        .map_err(|e| UsageError(format!("{}: {e}", loaded.origin)))?;
    Ok((pipeline, config))
}

fn stages() -> Result<ExitCode> {
    let defaults = Config::default();
    println!("{:<12} {:<8} {:<12} what it does", "stage", "default", "status");
    for s in StageName::ALL {
        let default = if defaults.stages.get(s) { "on" } else { "off" };
        let status = if is_implemented(s) { "implemented" } else { "not yet" };
        println!("{:<12} {:<8} {:<12} {}", s.as_str(), default, status, s.summary());
    }
    Ok(ExitCode::SUCCESS)
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let (pipeline, config) = build_pipeline(&args.stages)?;
    let format = match args.format {
        Format::Jsonl => OutputFormat::Jsonl,
        Format::Text => OutputFormat::Text,
    };
    let spec = SinkSpec::parse(&args.output, format);
    check_output_not_input(&spec, &args.input)?;
    let source_opts = SourceOptions {
        max_document_bytes: config.limits.max_document_bytes,
        max_line_bytes: usize::try_from(config.limits.max_line_bytes).unwrap_or(usize::MAX),
        stdin_jsonl: args.stdin_jsonl,
    };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bar = progress_bar(show_progress, &args.input);

    let mut sink = open_sink(&spec).context("cannot open output")?;
    let mut removed_log = match &args.removed {
        Some(p) => Some(RemovedLog::create(p).context("cannot open --removed file")?),
        None => None,
    };
    let opts = RunOptions { jobs: args.jobs, shard: args.shard, ..RunOptions::default() };
    let mut summary = Summary::default();
    let mut write_error: Option<SinkError> = None;
    let started = Instant::now();
    let sources = Sources::new(&args.input, source_opts);
    pipeline
        .run(sources, &opts, |outcome| {
            let message = summary.record(&outcome);
            if let Some(line) = message {
                bar.suspend(|| eprintln!("{line}"));
            }
            if let Outcome::Done(out) = &outcome {
                bar.inc(out.bytes_in as u64);
                bar.set_message(format!("{} docs", summary.documents()));
                let written = sink
                    .write(out)
                    .and_then(|()| removed_log.as_mut().map_or(Ok(()), |log| log.write(out)));
                if let Err(e) = written {
                    write_error = Some(e);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        })
        .map_err(|e| anyhow::anyhow!(e))?;
    bar.finish_and_clear();

    match write_error {
        // The reader went away (`qingxi run | head`): not an error.
        Some(SinkError::BrokenPipe) => return Ok(ExitCode::SUCCESS),
        Some(e) => return Err(e).context("writing output failed; nothing was committed"),
        None => {}
    }
    match sink.finish() {
        Err(SinkError::BrokenPipe) => return Ok(ExitCode::SUCCESS),
        r => r.context("finishing output")?,
    }
    if let Some(log) = removed_log {
        log.finish().context("finishing --removed file")?;
    }
    if !args.quiet {
        eprint!("{}", summary.render(started.elapsed()));
    }
    Ok(if summary.failures() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Refuse to write a directory output inside or onto one of the inputs: the run would
/// read its own output.
fn check_output_not_input(spec: &SinkSpec, inputs: &[PathBuf]) -> Result<()> {
    let SinkSpec::Dir(out) = spec else { return Ok(()) };
    let Ok(out) = absolute(out) else { return Ok(()) };
    for input in inputs {
        if let Ok(inp) = absolute(input) {
            if out.starts_with(&inp) && inp.is_dir() {
                return Err(UsageError(format!(
                    "output folder {} is inside input {}; choose another output",
                    out.display(),
                    input.display()
                ))
                .into());
            }
        }
    }
    Ok(())
}

fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    if p.exists() {
        p.canonicalize()
    } else {
        Ok(std::env::current_dir()?.join(p))
    }
}

fn progress_bar(show: bool, inputs: &[PathBuf]) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let total = qingxi_io::total_size(inputs);
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
