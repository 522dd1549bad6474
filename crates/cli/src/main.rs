//! `qingxi`: clean messy scraped documents (Chinese first) into trustworthy UTF-8 text.
//!
//! A thin binary over the libraries: parse arguments, load the config, wire sources to the
//! pipeline to a sink, show progress, print a summary, and exit 0 (all processed), 1 (some
//! documents failed) or 2 (usage or config error).

mod explain;
mod resume;
mod summary;

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use qingxi_core::StageName;
use qingxi_filter::LineCounts;
use qingxi_io::{open_sink, OutputFormat, RemovedLog, SinkError, SinkSpec, SourceOptions, Sources};
use qingxi_pipeline::{is_implemented, Config, Event, Outcome, Pipeline, RunOptions, Shard};

use crate::summary::Summary;

/// Least time between two resume checkpoints (see `run`).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// mimalloc instead of the system allocator: documents allocate many short strings on every
/// worker, and glibc's arenas spent ~6% of the instructions and thousands of futex waits per
/// run on them (bench/RESULTS.md). Version 2: version 3 returns freed pages to the OS so
/// eagerly that re-faulting them doubled the run's system time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Write the per-site line-count table of some inputs, or merge tables, for `run --line-counts`.
    Count(CountArgs),
}

#[derive(Debug, clap::Args)]
struct CountArgs {
    #[command(flatten)]
    stages: StageArgs,
    /// Inputs to count (as for `run`; no stdin).
    #[arg(long, short, value_name = "PATH")]
    input: Vec<PathBuf>,
    /// Tables written by earlier `qingxi count` runs to merge in.
    #[arg(long, value_name = "FILE")]
    merge: Vec<PathBuf>,
    /// Where to write the table.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// Count only the inputs of shard I of N.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Worker threads (default: one per core).
    #[arg(long, short, value_name = "N", default_value_t = 0)]
    jobs: usize,
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
    /// Continue an interrupted run into the same output: finished documents are kept, the
    /// partial tail is discarded, nothing is written twice.
    #[arg(long)]
    resume: bool,
    /// Site line counts made by `qingxi count` (merged over all shards) instead of a
    /// corpus pass over this run's inputs.
    #[arg(long, value_name = "FILE")]
    line_counts: Option<PathBuf>,
    /// Print the time spent in each stage (CPU time summed over threads) after the run.
    #[arg(long)]
    profile: bool,
    /// Recompute decoding and the text stages in the cleaning pass instead of spooling the
    /// corpus pass's documents to disk (saves disk space, costs time).
    #[arg(long)]
    no_spool: bool,
    /// Folder for the spool file (default: next to the output; the system temp folder for
    /// stdout). It holds about the size of the decoded input and is deleted after the run.
    #[arg(long, value_name = "DIR")]
    spool_dir: Option<PathBuf>,
    /// Inputs per batch (checkpoints fall at the end of a batch: the first, then at most every 2 s).
    #[arg(long, value_name = "N", hide = true)]
    batch_docs: Option<usize>,
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
        Command::Count(args) => count(args),
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
    // The clock includes the corpus pass: it is part of what a run costs.
    let started = Instant::now();
    let (mut pipeline, config) = build_pipeline(&args.stages)?;
    if args.profile {
        pipeline.enable_profile();
    }
    let format = match args.format {
        Format::Jsonl => OutputFormat::Jsonl,
        Format::Text => OutputFormat::Text,
    };
    let spec = SinkSpec::parse(&args.output, format);
    check_output_not_input(&spec, &args.input)?;
    let source_opts = source_options(&config, args.stdin_jsonl, args.shard);
    let render_json =
        matches!(spec, SinkSpec::JsonlFile(_) | SinkSpec::Stdout(OutputFormat::Jsonl));
    let mut opts =
        RunOptions { jobs: args.jobs, shard: args.shard, render_json, ..RunOptions::default() };
    if let Some(n) = args.batch_docs {
        opts.batch_docs = n.max(1);
    }
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let reads_stdin = args.input.iter().any(|p| p.as_os_str() == "-");

    // Checkpoints: where the state lives, and whether an earlier run left one to continue.
    let state_path = resume::state_path(&spec);
    let fingerprint = resume::fingerprint(&[
        format!("{:?}", args.input),
        format!("{:?}", args.output),
        format!("{:?}", args.removed),
        format!("{:?}", args.shard),
        format!("{:?}", args.line_counts),
        format!("{config:?}"),
    ]);
    let prior = match (&state_path, args.resume) {
        (None, true) => {
            return Err(
                UsageError("--resume needs a .jsonl file or a folder as --output".into()).into()
            )
        }
        (Some(path), true) if reads_stdin => {
            let _ = path;
            return Err(UsageError("--resume cannot re-read stdin".into()).into());
        }
        (Some(path), true) => resume::State::load(path)?,
        _ => None,
    };
    if let Some(p) = &prior {
        if p.fingerprint != fingerprint {
            return Err(UsageError(
                "cannot resume: inputs, output, shard or config differ from the interrupted run \
                 (run without --resume to start over)"
                    .into(),
            )
            .into());
        }
    } else if args.resume && !args.quiet {
        eprintln!("qingxi: nothing to resume; starting from the beginning");
    }
    opts.skip = prior.as_ref().map_or(0, |p| p.items_done);

    // Site-repeated lines need counts over the whole corpus: from a table made by
    // `qingxi count`, or from a first pass here (stdin can only be read once).
    let mut spooled = None;
    let pipeline = if let Some(path) = &args.line_counts {
        let counts = read_line_counts(path)?;
        pipeline.with_line_counts(Arc::new(counts)).map_err(|e| UsageError(e.to_string()))?
    } else if pipeline.wants_line_counts() && !reads_stdin {
        let spinner =
            if show_progress { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
        spinner.set_message("counting lines per site (corpus pass)");
        spinner.enable_steady_tick(std::time::Duration::from_millis(200));
        let sources = Sources::new(&args.input, source_opts.clone());
        let counts = if args.no_spool {
            // Every shard counts every input, so all shards see the same statistics.
            let all = RunOptions { shard: None, skip: 0, ..opts.clone() };
            pipeline.count_lines(sources, &all).map_err(|e| anyhow::anyhow!(e))?
        } else {
            let path = spool_path(&spec, args.spool_dir.as_deref());
            let (counts, reader) = pipeline
                .spool_corpus(sources, &RunOptions { skip: 0, ..opts.clone() }, &path)
                .map_err(|e| anyhow::anyhow!(e))?;
            spooled = Some(reader);
            counts
        };
        spinner.finish_and_clear();
        pipeline.with_line_counts(Arc::new(counts)).map_err(|e| UsageError(e.to_string()))?
    } else {
        pipeline
    };
    let bar = progress_bar(show_progress, &args.input);

    let resume_output = prior.as_ref().and_then(|p| p.output);
    let mut sink = open_sink(&spec, resume_output).context("cannot open output")?;
    let mut removed_log = match &args.removed {
        Some(p) => Some(
            RemovedLog::create(p, prior.as_ref().and_then(|s| s.removed))
                .context("cannot open --removed file")?,
        ),
        None => None,
    };
    let mut summary = Summary::default();
    let mut stop: Option<anyhow::Error> = None;
    let mut broken_pipe = false;
    let mut last_origin = prior.as_ref().and_then(|p| p.last_origin.clone());
    // Checkpoints flush the output to disk (fdatasync): one per batch would stall the
    // writing thread thousands of times on a large run, so after the first one they are at
    // least `CHECKPOINT_EVERY` apart. A killed run redoes at most that much work.
    let mut last_checkpoint: Option<Instant> = None;
    let mut write_time = std::time::Duration::ZERO;
    let on_event = |event| {
        let outcome = match event {
            Event::Outcome(outcome) => outcome,
            Event::Resumed { last_origin: seen } => {
                if seen != last_origin {
                    stop = Some(
                        UsageError(format!(
                            "cannot resume: the inputs changed (input {} of the interrupted \
                             run was {:?}, now {:?}); run without --resume to start over",
                            opts.skip, last_origin, seen
                        ))
                        .into(),
                    );
                    return ControlFlow::Break(());
                }
                if !args.quiet {
                    bar.suspend(|| eprintln!("qingxi: resuming after {} inputs", opts.skip));
                }
                return ControlFlow::Continue(());
            }
            Event::BatchDone { items_done } => {
                let Some(path) = &state_path else { return ControlFlow::Continue(()) };
                if last_checkpoint.is_some_and(|t| t.elapsed() < CHECKPOINT_EVERY) {
                    return ControlFlow::Continue(());
                }
                last_checkpoint = Some(Instant::now());
                let saved = checkpoint(&mut *sink, removed_log.as_mut()).and_then(|(o, r)| {
                    let state = resume::State {
                        fingerprint: fingerprint.clone(),
                        items_done,
                        last_origin: last_origin.clone(),
                        output: o,
                        removed: r,
                    };
                    state.save(path).with_context(|| format!("cannot write {}", path.display()))
                });
                if let Err(e) = saved {
                    stop = Some(e);
                    return ControlFlow::Break(());
                }
                return ControlFlow::Continue(());
            }
        };
        last_origin = Some(match &outcome {
            Outcome::Done(out) => out.origin.clone(),
            Outcome::Skipped { origin, .. } => origin.clone(),
            Outcome::Failed(f) => f.origin.clone(),
        });
        if let Some(line) = summary.record(&outcome) {
            bar.suspend(|| eprintln!("{line}"));
        }
        if let Outcome::Done(out) = &outcome {
            bar.inc(out.bytes_in as u64);
            bar.set_message(format!("{} docs", summary.documents()));
            let t = Instant::now();
            let written = sink
                .write(out)
                .and_then(|()| removed_log.as_mut().map_or(Ok(()), |log| log.write(out)));
            write_time += t.elapsed();
            match written {
                Ok(()) => {}
                // The reader went away (`qingxi run | head`): not an error.
                Err(SinkError::BrokenPipe) => {
                    broken_pipe = true;
                    return ControlFlow::Break(());
                }
                Err(e) => {
                    stop =
                        Some(anyhow::Error::new(e).context(
                            "writing output failed; the partial output is kept for --resume",
                        ));
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    };
    let ran = match spooled {
        Some(reader) => pipeline.run_spooled(reader, &opts, on_event),
        None => pipeline.run(Sources::new(&args.input, source_opts), &opts, on_event),
    };
    ran.map_err(|e| anyhow::anyhow!(e))?;
    bar.finish_and_clear();

    if broken_pipe {
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(e) = stop {
        return Err(e);
    }
    match sink.finish() {
        Err(SinkError::BrokenPipe) => return Ok(ExitCode::SUCCESS),
        r => r.context("finishing output")?,
    }
    if let Some(log) = removed_log {
        log.finish().context("finishing --removed file")?;
    }
    if let Some(path) = &state_path {
        // The run is complete: nothing left to resume.
        resume::State::remove(path);
    }
    let elapsed = started.elapsed();
    if !args.quiet {
        eprint!("{}", summary.render(elapsed));
    }
    if let Some(profile) = pipeline.profile() {
        eprint!("{}", summary::render_profile(profile, write_time, elapsed, summary.bytes_in()));
    }
    Ok(if summary.failures() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Where the corpus pass spools prepared documents: `dir` if given, else next to the output.
/// The name follows the output's, so a rerun or `--resume` after a crash replaces a stale
/// spool instead of leaving it behind, and shards writing side by side never collide.
fn spool_path(spec: &SinkSpec, dir: Option<&Path>) -> PathBuf {
    let (home, name) = match spec {
        SinkSpec::Dir(d) => (d.clone(), ".qingxi-spool".to_string()),
        SinkSpec::JsonlFile(f) => {
            let home = match f.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let file = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (home, format!(".{file}.qingxi-spool"))
        }
        SinkSpec::Stdout(_) => {
            (std::env::temp_dir(), format!(".qingxi-spool-{}", std::process::id()))
        }
    };
    dir.map_or(home, Path::to_path_buf).join(name)
}

/// Make the output and the removal log durable; their positions go in the state file.
fn checkpoint(
    sink: &mut dyn qingxi_io::Sink,
    log: Option<&mut RemovedLog>,
) -> Result<(Option<u64>, Option<u64>)> {
    let out = sink.checkpoint().context("checkpointing output")?;
    let removed = match log {
        Some(l) => Some(l.checkpoint().context("checkpointing --removed file")?),
        None => None,
    };
    Ok((out, removed))
}

fn source_options(config: &Config, stdin_jsonl: bool, shard: Option<Shard>) -> SourceOptions {
    SourceOptions {
        max_document_bytes: config.limits.max_document_bytes,
        // A JSON-escaped record may be up to twice its text.
        max_record_bytes: usize::try_from(config.limits.max_document_bytes.saturating_mul(2))
            .unwrap_or(usize::MAX),
        stdin_jsonl,
        // JSONL records are parsed on the workers unless their ids are needed up front to
        // pick this shard's records.
        lazy_jsonl: shard.is_none(),
    }
}

fn read_line_counts(path: &Path) -> Result<LineCounts> {
    let file =
        std::fs::File::open(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    LineCounts::read_from(std::io::BufReader::new(file))
        .map_err(|e| UsageError(format!("{}: {e}", path.display())).into())
}

/// `qingxi count`: the corpus line-count table of some inputs (one shard's, say), or the
/// merge of several tables, for `run --line-counts`.
fn count(args: CountArgs) -> Result<ExitCode> {
    let (pipeline, config) = build_pipeline(&args.stages)?;
    let mut total = pipeline.new_line_counts();
    for path in &args.merge {
        total.merge(read_line_counts(path)?);
    }
    if !args.input.is_empty() {
        let opts = RunOptions { jobs: args.jobs, shard: args.shard, ..RunOptions::default() };
        let sources = Sources::new(&args.input, source_options(&config, false, args.shard));
        let counts = pipeline.count_lines(sources, &opts).map_err(|e| anyhow::anyhow!(e))?;
        total.merge(counts);
    }
    let mut f = qingxi_io::AtomicFile::create(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    total
        .write_to(&mut f)
        .and_then(|()| f.commit())
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
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
