//! Measuring one command: wall time, CPU time and peak RSS (`exec`), and the bench runner
//! that measures `qingxi run` over the corpus and writes the results table (`run`).

use anyhow::{bail, Context, Result};
use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeValLike;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What `exec` measured.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub wall_s: f64,
    pub user_s: f64,
    pub sys_s: f64,
    pub max_rss_kb: i64,
    pub code: i32,
}

impl Usage {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"wall_s": self.wall_s, "user_s": self.user_s, "sys_s": self.sys_s,
                           "max_rss_kb": self.max_rss_kb, "code": self.code})
    }

    fn from_json(v: &serde_json::Value) -> Self {
        let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
        Usage {
            wall_s: f("wall_s"),
            user_s: f("user_s"),
            sys_s: f("sys_s"),
            max_rss_kb: v["max_rss_kb"].as_i64().unwrap_or(0),
            code: v["code"].as_i64().unwrap_or(-1) as i32,
        }
    }
}

/// Run `cmd` to completion and measure it. Peak RSS comes from `getrusage(RUSAGE_CHILDREN)`,
/// which covers every child this process waited for — so run one measured command per
/// `exec` process.
pub fn exec(cmd: &[String]) -> Result<Usage> {
    let (prog, args) = cmd.split_first().context("exec: no command given")?;
    let start = Instant::now();
    let status =
        Command::new(prog).args(args).status().with_context(|| format!("running {prog}"))?;
    let wall_s = start.elapsed().as_secs_f64();
    let ru = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage")?;
    Ok(Usage {
        wall_s,
        user_s: ru.user_time().num_microseconds() as f64 / 1e6,
        sys_s: ru.system_time().num_microseconds() as f64 / 1e6,
        // Kilobytes on Linux.
        max_rss_kb: ru.max_rss(),
        code: status.code().unwrap_or(-1),
    })
}

/// `exec` entry point: measure, report on stderr (or as JSON into `report`), pass the
/// child's exit code on.
pub fn exec_main(cmd: &[String], report: Option<&Path>) -> Result<i32> {
    let u = exec(cmd)?;
    match report {
        Some(p) => fs::write(p, u.to_json().to_string())
            .with_context(|| format!("writing {}", p.display()))?,
        None => eprintln!(
            "qingxi-bench: wall {:.3} s, user {:.3} s, sys {:.3} s, peak RSS {:.1} MB, exit {}",
            u.wall_s,
            u.user_s,
            u.sys_s,
            u.max_rss_kb as f64 / 1024.0,
            u.code
        ),
    }
    Ok(u.code)
}

/// Options of the bench runner.
#[derive(Debug)]
pub struct RunOptions {
    pub qingxi: PathBuf,
    pub dir: PathBuf,
    pub jsonl: PathBuf,
    pub results: Option<PathBuf>,
    pub jobs_all: usize,
    pub repeat: usize,
    pub label: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Default,
    DecodeOnly,
    /// `qingxi count`: the corpus pass `run` makes first for site line counts.
    Count,
}

#[derive(Debug)]
struct Case {
    input: &'static str,
    mode: Mode,
    jobs: usize,
    usage: Usage,
    /// (phase, CPU seconds) from `--profile`.
    profile: Vec<(String, f64)>,
}

/// Bytes and documents of an input.
#[derive(Debug, Clone, Copy)]
struct Size {
    bytes: u64,
    docs: u64,
}

fn dir_size(dir: &Path) -> Result<Size> {
    let mut s = Size { bytes: 0, docs: 0 };
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let e = e?;
            let t = e.file_type()?;
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                s.bytes += e.metadata()?.len();
                s.docs += 1;
            }
        }
    }
    Ok(s)
}

fn jsonl_size(path: &Path) -> Result<Size> {
    let data = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Size { bytes: data.len() as u64, docs: data.iter().filter(|&&b| b == b'\n').count() as u64 })
}

/// The rows of the `--profile` table: `name seconds share% MB/s`.
pub fn parse_profile(stderr: &str) -> Vec<(String, f64)> {
    let mut rows = Vec::new();
    let mut on = false;
    for line in stderr.lines() {
        if line.starts_with("profile") {
            on = true;
            continue;
        }
        let t: Vec<&str> = line.split_whitespace().collect();
        if on && t.len() == 4 && t[2].ends_with('%') {
            if let Ok(secs) = t[1].parse::<f64>() {
                rows.push((t[0].to_string(), secs));
            }
        }
    }
    rows
}

fn qingxi_args(o: &RunOptions, input: &Path, out: &Path, mode: Mode, jobs: usize) -> Vec<String> {
    if mode == Mode::Count {
        let mut a =
            vec![o.qingxi.display().to_string(), "count".into(), "--jobs".into(), jobs.to_string()];
        a.extend([
            "--input".into(),
            input.display().to_string(),
            "--output".into(),
            out.display().to_string(),
        ]);
        return a;
    }
    let mut a = vec![o.qingxi.display().to_string(), "run".into(), "-q".into(), "--profile".into()];
    a.extend(["--jobs".into(), jobs.to_string(), "--input".into(), input.display().to_string()]);
    a.extend(["--output".into(), out.display().to_string()]);
    if mode == Mode::DecodeOnly {
        a.extend(["--only".into(), "decode".into()]);
    }
    a
}

/// (mode, jobs) of every measured case, per input.
fn cases_for(jobs_all: usize) -> [(Mode, usize); 4] {
    [(Mode::Default, 1), (Mode::Default, jobs_all), (Mode::DecodeOnly, 1), (Mode::Count, 1)]
}

/// Measure one run in a fresh `exec` child (so its peak RSS is that run's alone).
fn measure(
    o: &RunOptions,
    tmp: &Path,
    input: &Path,
    mode: Mode,
    jobs: usize,
) -> Result<(Usage, String)> {
    let out = tmp.join("out.jsonl");
    let report = tmp.join("usage.json");
    let err_path = tmp.join("stderr.txt");
    let me = std::env::current_exe().context("locating qingxi-bench")?;
    let status = Command::new(me)
        .arg("exec")
        .arg("--report")
        .arg(&report)
        .arg("--")
        .args(qingxi_args(o, input, &out, mode, jobs))
        .stdout(Stdio::null())
        .stderr(fs::File::create(&err_path)?)
        .status()?;
    let stderr = fs::read_to_string(&err_path).unwrap_or_default();
    let usage = Usage::from_json(&serde_json::from_str(
        &fs::read_to_string(&report).context("no usage report")?,
    )?);
    let _ = fs::remove_file(&out);
    if usage.code == 2 || !status.success() && usage.code != 1 {
        bail!("qingxi failed (exit {}):\n{stderr}", usage.code);
    }
    Ok((usage, stderr))
}

/// Run every case, print the results and append them to `results`.
pub fn run_main(o: &RunOptions) -> Result<()> {
    let sizes = [
        ("dir", o.dir.clone(), dir_size(&o.dir)?),
        ("jsonl", o.jsonl.clone(), jsonl_size(&o.jsonl)?),
    ];
    let tmp = std::env::temp_dir().join(format!("qingxi-bench-{}", std::process::id()));
    fs::create_dir_all(&tmp)?;
    let load_before = loadavg();
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    for (input, path, _) in &sizes {
        for (mode, jobs) in cases_for(o.jobs_all) {
            let mut best: Option<(Usage, String)> = None;
            for _ in 0..o.repeat.max(1) {
                let (u, err) = measure(o, &tmp, path, mode, jobs)?;
                eprintln!(
                    "  {input:5} {:11} jobs {jobs}: {:.2} s, peak RSS {:.0} MB",
                    mode_name(mode),
                    u.wall_s,
                    u.max_rss_kb as f64 / 1024.0
                );
                if best.as_ref().is_none_or(|(b, _)| u.wall_s < b.wall_s) {
                    best = Some((u, err));
                }
            }
            let (usage, stderr) = best.expect("at least one repeat");
            if usage.code != 0 {
                failures.push(format!(
                    "{input} {} jobs {jobs}: exit {} (some documents failed)",
                    mode_name(mode),
                    usage.code
                ));
            }
            cases.push(Case { input, mode, jobs, usage, profile: parse_profile(&stderr) });
        }
    }
    let _ = fs::remove_dir_all(&tmp);
    let commands: Vec<String> = sizes
        .iter()
        .flat_map(|(_, path, _)| {
            cases_for(o.jobs_all)
                .map(|(m, j)| qingxi_args(o, path, Path::new("$TMP/out.jsonl"), m, j).join(" "))
        })
        .collect();
    let load = (load_before, loadavg());
    let report = render(o, &sizes.map(|(n, _, s)| (n, s)), &cases, &commands, &failures, load);
    println!("{report}");
    if let Some(path) = &o.results {
        let mut text = fs::read_to_string(path).unwrap_or_default();
        if !text.is_empty() && !text.ends_with("\n\n") {
            text.push('\n');
        }
        text.push_str(&report);
        fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Default => "default",
        Mode::DecodeOnly => "decode-only",
        Mode::Count => "count pass",
    }
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Days since 1970-01-01 to (year, month, day) — Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", s / 3600, s / 60 % 60)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// The 1-minute load average, to judge how much other work shared the machine.
fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(String::from))
        .unwrap_or_else(|| "?".into())
}

fn render(
    o: &RunOptions,
    sizes: &[(&str, Size); 2],
    cases: &[Case],
    commands: &[String],
    failures: &[String],
    load: (String, String),
) -> String {
    let mb = |b: u64| b as f64 / 1e6;
    let size_of = |input: &str| {
        sizes.iter().find(|(n, _)| *n == input).map(|(_, s)| *s).expect("known input")
    };
    let find = |input: &str, mode: Mode, jobs: usize| {
        cases.iter().find(|c| c.input == input && c.mode == mode && c.jobs == jobs)
    };
    let mut s = String::new();
    let _ = writeln!(s, "### {} — {}\n", now_utc(), o.label);
    let nproc = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let _ = writeln!(
        s,
        "- machine: {nproc} cores (nproc), CPU: {}; 1-min load average {} before, {} after",
        cpu_model(),
        load.0,
        load.1
    );
    if let Some(note) = &o.note {
        let _ = writeln!(s, "- note: {note}");
    }
    for (name, sz) in sizes {
        let _ = writeln!(s, "- input {name}: {:.1} MB, {} documents", mb(sz.bytes), sz.docs);
    }
    let _ = writeln!(
        s,
        "- best of {} run(s) per row; MB = 10^6 input bytes; peak RSS from getrusage",
        o.repeat.max(1)
    );
    let _ = writeln!(s, "- commands (each wrapped in `qingxi-bench exec`):");
    for c in commands {
        let _ = writeln!(s, "  - `{c}`");
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "| input | run | jobs | wall s | MB/s | MB/s per core | docs/s | CPU s | MB per CPU s | peak RSS MB |");
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in cases {
        let sz = size_of(c.input);
        let u = &c.usage;
        let rate = mb(sz.bytes) / u.wall_s.max(1e-9);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {:.1} | {:.1} | {:.0} | {:.2} | {:.1} | {:.0} |",
            c.input,
            mode_name(c.mode),
            c.jobs,
            u.wall_s,
            rate,
            rate / c.jobs as f64,
            sz.docs as f64 / u.wall_s.max(1e-9),
            u.user_s + u.sys_s,
            mb(sz.bytes) / (u.user_s + u.sys_s).max(1e-9),
            u.max_rss_kb as f64 / 1024.0
        );
    }
    // Per-stage breakdown of the one-thread default runs.
    let _ = writeln!(s, "\nPer-phase time, default pipeline, jobs 1 (from `--profile`; includes waiting for a core on a busy machine):\n");
    let _ = writeln!(s, "| phase | dir s | dir share | jsonl s | jsonl share |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    let (pd, pj) = (find("dir", Mode::Default, 1), find("jsonl", Mode::Default, 1));
    let total = |c: Option<&Case>| {
        c.map(|c| c.profile.iter().map(|(_, t)| t).sum::<f64>()).unwrap_or(0.0).max(1e-9)
    };
    let (td, tj) = (total(pd), total(pj));
    let names: Vec<String> =
        pd.or(pj).map(|c| c.profile.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
    let mut max_share: (f64, String) = (0.0, String::new());
    for n in &names {
        let get = |c: Option<&Case>| {
            c.and_then(|c| c.profile.iter().find(|(p, _)| p == n)).map(|(_, t)| *t).unwrap_or(0.0)
        };
        let (d, j) = (get(pd), get(pj));
        let (sd, sj) = (100.0 * d / td, 100.0 * j / tj);
        for (share, input) in [(sd, "dir"), (sj, "jsonl")] {
            if share > max_share.0 {
                max_share = (share, format!("{n} ({input})"));
            }
        }
        let _ = writeln!(s, "| {n} | {d:.3} | {sd:.1}% | {j:.3} | {sj:.1}% |");
    }
    // With one thread, wall time minus the profiled CPU time is work `--profile` does not
    // attribute (start-up, the corpus pass for template counts, waiting on I/O).
    let outside =
        |c: Option<&Case>, t: f64| c.map(|c| (c.usage.wall_s - t).max(0.0)).unwrap_or(0.0);
    let (od, oj) = (outside(pd, td), outside(pj, tj));
    let _ = writeln!(
        s,
        "| *outside profile (wall − sum)* | {od:.3} | {:.1}% of wall | {oj:.3} | {:.1}% of wall |",
        100.0 * od / pd.map_or(1.0, |c| c.usage.wall_s.max(1e-9)),
        100.0 * oj / pj.map_or(1.0, |c| c.usage.wall_s.max(1e-9))
    );
    for input in ["dir", "jsonl"] {
        if let (Some(run), Some(count)) =
            (find(input, Mode::Default, 1), find(input, Mode::Count, 1))
        {
            let _ = writeln!(
                s,
                "\n{input}: the corpus pass alone (`qingxi count`, jobs 1) takes {:.2} CPU s = {:.0}% of the jobs-1 run's CPU time.",
                count.usage.user_s + count.usage.sys_s,
                100.0 * (count.usage.user_s + count.usage.sys_s)
                    / (run.usage.user_s + run.usage.sys_s).max(1e-9)
            );
        }
    }
    // Load above the core count means other processes took cores: scaling is then noise.
    let busy = [&load.0, &load.1].iter().any(|l| l.parse::<f64>().is_ok_and(|l| l > nproc as f64));
    let _ = writeln!(s, "\nTargets:\n");
    for input in ["dir", "jsonl"] {
        let sz = size_of(input);
        if let (Some(one), Some(all), Some(dec)) = (
            find(input, Mode::Default, 1),
            find(input, Mode::Default, o.jobs_all),
            find(input, Mode::DecodeOnly, 1),
        ) {
            // Single-threaded rows: CPU time equals wall time on an idle core and is not
            // inflated by other processes on a busy one, so the per-core verdicts use it.
            let cpu = |u: &Usage| (u.user_s + u.sys_s).max(1e-9);
            let per_core = mb(sz.bytes) / cpu(&one.usage);
            let scaling = one.usage.wall_s / all.usage.wall_s.max(1e-9);
            let vs_decode = cpu(&one.usage) / cpu(&dec.usage);
            let rss = all.usage.max_rss_kb.max(one.usage.max_rss_kb);
            let _ = writeln!(
                s,
                "- {input}: {per_core:.1} MB per CPU second, one thread (≥ 100 per core: {}); \
                 {vs_decode:.1}× the CPU time of decode-only (≤ 3: {}); 1→{} threads {scaling:.2}× \
                 wall (≥ 1.8: {}{}); peak RSS {:.0} MB (≤ 256 on 1 GB: {})",
                verdict(per_core >= 100.0),
                verdict(vs_decode <= 3.0),
                o.jobs_all,
                verdict(scaling >= 1.8),
                if busy { ", but the machine was busy: not meaningful" } else { "" },
                rss as f64 / 1024.0,
                verdict(rss <= 256 * 1024)
            );
        }
    }
    let _ = writeln!(
        s,
        "- largest phase: {} at {:.1}% of CPU time (≤ 35%: {})",
        max_share.1,
        max_share.0,
        verdict(max_share.0 <= 35.0)
    );
    for f in failures {
        let _ = writeln!(s, "- warning: {f}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_rows_are_parsed_and_totals_skipped() {
        let err = "profile (CPU time summed over threads; MB/s = input MB / phase time):\n  \
                   phase              seconds   share       MB/s\n  \
                   read                 0.100   10.0%      100.0\n  \
                   split+assemble       0.250   25.0%       40.0\n  \
                   total (CPU)          1.000                10.0\n  \
                   wall clock           1.200                 8.3\n";
        assert_eq!(
            parse_profile(err),
            vec![("read".to_string(), 0.1), ("split+assemble".to_string(), 0.25)]
        );
        assert!(parse_profile("no profile here\n").is_empty());
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn exec_reports_the_exit_code_and_a_positive_peak_rss() {
        let u = exec(&["sh".to_string(), "-c".to_string(), "exit 3".to_string()]).unwrap();
        assert_eq!(u.code, 3);
        assert!(u.max_rss_kb > 0);
    }
}
