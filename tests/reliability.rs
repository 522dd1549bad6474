//! End-to-end reliability: kill and resume, shards, merged line counts, hostile input.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{qingxi, run, s};

/// Records of a JSONL output keyed by id.
fn records(path: &Path) -> BTreeMap<String, Value> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// A small multi-site corpus: `sites` folders of `pages` pages sharing a header and footer.
fn corpus(root: &Path, sites: usize, pages: usize, filler: usize) {
    for site in 0..sites {
        let dir = root.join(format!("site{site}/news"));
        fs::create_dir_all(&dir).unwrap();
        for page in 0..pages {
            let mut body = format!("第{site}号网站首页 | 新闻中心 | 联系我们\n\n");
            body.push_str(&format!("第{page}篇报道的标题\n\n"));
            for k in 0..filler {
                body.push_str(&format!(
                    "这是第{site}个网站第{page}篇文章的第{k}段正文，记录了当天发生的事情和各方的看法。\n\n"
                ));
            }
            body.push_str("版权所有 © 示例网站 保留所有权利\n");
            fs::write(dir.join(format!("{page:04}.txt")), body).unwrap();
        }
    }
}

#[cfg(unix)]
#[test]
fn killed_run_resumes_to_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, 4, 150, 40);
    let full = dir.path().join("full.jsonl");
    let o = run(&["run", "-q", "--input", s(&input), "--output", s(&full)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));

    let out = dir.path().join("out.jsonl");
    let state = dir.path().join(".out.jsonl.qingxi-state");
    let partial = dir.path().join(".out.jsonl.qingxi-partial");
    let mut child = qingxi()
        .args([
            "run",
            "-q",
            "--jobs",
            "1",
            "--batch-docs",
            "5",
            "--input",
            s(&input),
            "--output",
            s(&out),
        ])
        .spawn()
        .unwrap();
    // Kill as soon as a checkpoint exists and more output follows it.
    let t0 = Instant::now();
    loop {
        if state.exists() && fs::metadata(&partial).map(|m| m.len()).unwrap_or(0) > 0 {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "no checkpoint appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(
        status.code().is_none(),
        "the run finished before it could be killed; enlarge the corpus"
    );
    assert!(!out.exists(), "a killed run leaves no final output");

    let o = run(&["run", "--resume", "--input", s(&input), "--output", s(&out)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("resuming after"), "{err}");
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        fs::read_to_string(&full).unwrap(),
        "resumed output equals an uninterrupted run, document for document"
    );
    assert!(!state.exists() && !partial.exists(), "checkpoint files are removed when done");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("qingxi"))
        .collect();
    assert!(leftovers.is_empty(), "no spool or temporary files left: {leftovers:?}");
}

#[test]
fn resume_refuses_changed_settings() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, 1, 3, 2);
    let out = dir.path().join("out.jsonl");
    let state = dir.path().join(".out.jsonl.qingxi-state");
    fs::write(&state, r#"{"version":1,"fingerprint":"0000","items_done":1,"output":0}"#).unwrap();
    let o = run(&["run", "--resume", "--input", s(&input), "--output", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot resume"));
}

#[test]
fn shards_together_equal_one_run_without_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, 3, 12, 3);
    fs::write(
        input.join("records.jsonl"),
        (0..30)
            .map(|i| format!("{{\"id\":\"r{i}\",\"text\":\"第{i}条记录。\"}}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let single = dir.path().join("single.jsonl");
    assert_eq!(
        run(&["run", "-q", "--input", s(&input), "--output", s(&single)]).status.code(),
        Some(0)
    );
    let want = records(&single);

    let mut union = BTreeMap::new();
    for i in 0..3 {
        let out: PathBuf = dir.path().join(format!("shard{i}.jsonl"));
        let shard = format!("{i}/3");
        let o = run(&["run", "-q", "--shard", &shard, "--input", s(&input), "--output", s(&out)]);
        assert_eq!(o.status.code(), Some(0));
        for (id, rec) in records(&out) {
            assert!(union.insert(id.clone(), rec).is_none(), "{id} is in two shards");
        }
    }
    assert_eq!(union, want, "the shards' union equals the single run, record for record");
}

#[test]
fn merged_line_counts_give_the_same_result_as_a_corpus_pass() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, 2, 8, 3);
    let single = dir.path().join("single.jsonl");
    assert_eq!(
        run(&["run", "-q", "--input", s(&input), "--output", s(&single)]).status.code(),
        Some(0)
    );

    let mut tables = Vec::new();
    for i in 0..2 {
        let t = dir.path().join(format!("counts{i}.txt"));
        let shard = format!("{i}/2");
        let o = run(&["count", "--shard", &shard, "--input", s(&input), "--output", s(&t)]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        tables.push(t);
    }
    let merged = dir.path().join("merged.txt");
    let o =
        run(&["count", "--merge", s(&tables[0]), "--merge", s(&tables[1]), "--output", s(&merged)]);
    assert_eq!(o.status.code(), Some(0));
    let out = dir.path().join("out.jsonl");
    let o =
        run(&["run", "-q", "--line-counts", s(&merged), "--input", s(&input), "--output", s(&out)]);
    assert_eq!(o.status.code(), Some(0));
    let (a, b) = (records(&single), records(&out));
    assert_eq!(a, b);
    // Recomputing instead of spooling the corpus pass gives the same records.
    let recomputed = dir.path().join("recomputed.jsonl");
    let o = run(&["run", "-q", "--no-spool", "--input", s(&input), "--output", s(&recomputed)]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(records(&recomputed), a);
    // A spool mostly on disk (a memory budget of a few documents, small batches) gives the
    // same file, record for record and in the same order; the spool file is gone afterwards.
    let config = dir.path().join("small-spool.toml");
    fs::write(&config, "[limits]\nspool-memory = 4000\n").unwrap();
    let spilled = dir.path().join("spilled.jsonl");
    let args = ["run", "-q", "--batch-docs", "3", "--config", s(&config), "--input", s(&input)];
    let o = run(&[&args[..], &["--output", s(&spilled)]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fs::read_to_string(&spilled).unwrap(), fs::read_to_string(&single).unwrap());
    assert!(!dir.path().join(".spilled.jsonl.qingxi-spool").exists());
    // The shared header/footer lines really were recognised as site template.
    assert!(a.values().any(|r| !r["template"].as_str().unwrap().is_empty()
        || !r["metadata"]["removed"].as_array().unwrap().is_empty()));
}
