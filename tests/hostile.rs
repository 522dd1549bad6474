//! Hostile inputs through the real binary: huge lines, masses of tiny files, deep folders,
//! broken UTF-8 and JSON, random bytes, and ids that try to escape the output folder.
//! Nothing may panic, nothing may be lost (records + reported problems = inputs), and every
//! problem is reported naming its input.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;
use common::{records, run, s, stderr};

/// Problems reported on stderr, one `origin: reason` line each (failures and skips); runs
/// use `--quiet`, so there is no summary in between.
fn reported(o: &Output) -> Vec<String> {
    stderr(o).lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// No panic message, ever: a caught stage panic shows up as an "internal error".
fn assert_no_panic(o: &Output) {
    let e = stderr(o);
    assert!(!e.contains("panicked") && !e.contains("internal error"), "{e}");
}

/// A small deterministic byte generator (xorshift), so failures reproduce.
fn random_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn hundred_megabyte_single_line_is_reported_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    // 100 MB with no line break, written in chunks so the test itself stays small.
    let big = input.join("one-line.txt");
    let mut f = fs::File::create(&big).unwrap();
    let chunk = "长".repeat(1 << 18); // 768 KiB
    let mut written = 0;
    while written < 100_000_000 {
        f.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    drop(f);
    // The same in a JSONL shard: one record whose line is 20 MB long.
    let mut shard = fs::File::create(input.join("shard.jsonl")).unwrap();
    shard.write_all(b"{\"id\":\"long\",\"text\":\"").unwrap();
    for _ in 0..(20_000_000 / chunk.len()) {
        shard.write_all(chunk.as_bytes()).unwrap();
    }
    shard.write_all(b"\"}\n{\"id\":\"short\",\"text\":\"\xe7\x9f\xad\xe3\x80\x82\"}\n").unwrap();
    drop(shard);
    // Under the document limit, but one line is over the line limit.
    let line = "行".repeat(1 << 20); // 3 MiB
    fs::write(input.join("long-line.txt"), format!("短行。\n{line}\n")).unwrap();
    fs::write(input.join("small.txt"), "小文件。\n").unwrap();
    let config = dir.path().join("limits.toml");
    fs::write(&config, "[limits]\nmax-document-bytes = 4194304\nmax-line-bytes = 1048576\n")
        .unwrap();
    let out = dir.path().join("out.jsonl");
    let o = run(&["run", "-q", "--config", s(&config), "--input", s(&input), "--output", s(&out)]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let recs = records(&out);
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["short", "small.txt"]);
    let problems = reported(&o);
    assert_eq!(problems.len(), 3, "{problems:?}");
    for (origin, limit) in [
        ("one-line.txt", "max-document-bytes"),
        ("shard.jsonl:1", "max-document-bytes"),
        ("long-line.txt", "max-line-bytes"),
    ] {
        assert!(
            problems.iter().any(|l| l.contains(origin) && l.contains(limit)),
            "{origin} not reported over {limit}: {problems:?}"
        );
    }
}

/// 10^5 files in 500 folders (about a minute in a debug build, mostly creating the files).
const TINY_FILES: usize = 100_000;

#[test]
fn a_hundred_thousand_tiny_files_all_come_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for i in 0..TINY_FILES {
        let sub = input.join(format!("d{:03}", i % 500));
        if i < 500 {
            fs::create_dir_all(&sub).unwrap();
        }
        // Some empty, some one character, some a short sentence.
        let body = match i % 3 {
            0 => String::new(),
            1 => "字".to_string(),
            _ => format!("第{i}号。\n"),
        };
        fs::write(sub.join(format!("{i}.txt")), body).unwrap();
    }
    let out = dir.path().join("out.jsonl");
    let o = run(&["run", "-q", "--input", s(&input), "--output", s(&out)]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&out);
    assert_eq!(recs.len(), TINY_FILES);
    let mut ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), TINY_FILES, "ids are unique");
}

#[test]
fn deeply_nested_folders_are_walked_and_mirrored() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let mut deep = input.clone();
    for i in 0..200 {
        deep.push(format!("level{i:03}"));
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("bottom.txt"), "最深处的文件。\n").unwrap();
    fs::write(input.join("top.txt"), "最上层的文件。\n").unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", "-q", "--input", s(&input), "--output", s(&out)]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rel = deep.strip_prefix(&input).unwrap().join("bottom.txt");
    assert_eq!(fs::read_to_string(out.join(&rel)).unwrap(), "最深处的文件。\n");
    let meta = records(&out.join("_qingxi.jsonl"));
    assert_eq!(meta.len(), 2);
    let want_id = rel.to_str().unwrap().replace('\\', "/");
    assert!(meta.iter().any(|r| r["id"] == want_id.as_str()), "{meta:?}");
}

#[test]
fn broken_bytes_are_decoded_reported_or_skipped_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    // A JSONL shard whose second line is not UTF-8, and whose fourth is cut short.
    let mut shard = b"{\"id\":\"j1\",\"text\":\"\xe7\xac\xac\xe4\xb8\x80\"}\n".to_vec();
    shard.extend_from_slice(b"{\"id\":\"j2\",\"text\":\"\xff\xfe\xb5\xda\"}\n");
    shard.extend_from_slice(b"{\"id\":\"j3\",\"text\":\"ok\"}\n");
    shard.extend_from_slice(b"{\"id\":\"j4\",\"text\":\"\xe7\xac");
    fs::write(input.join("a.jsonl"), &shard).unwrap();
    // A file cut in the middle of a UTF-8 sequence (the last character loses a byte).
    let text = "这是一个被截断的文件，最后一个字只剩半个";
    let bytes = text.as_bytes();
    fs::write(input.join("b-truncated.txt"), &bytes[..bytes.len() - 1]).unwrap();
    // Random bytes, several sizes.
    for (i, n) in [1usize, 7, 100, 4096, 100_000].into_iter().enumerate() {
        fs::write(input.join(format!("c-random-{i}.bin")), random_bytes(i as u64 + 1, n)).unwrap();
    }
    // An empty file and a lone byte order mark.
    fs::write(input.join("d-empty.txt"), b"").unwrap();
    fs::write(input.join("e-bom.txt"), b"\xEF\xBB\xBF").unwrap();
    let inputs = 4 + 1 + 5 + 2;

    let out = dir.path().join("out.jsonl");
    let o = run(&["run", "-q", "--input", s(&input), "--output", s(&out)]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "the bad JSONL lines fail: {}", stderr(&o));
    let recs = records(&out);
    let problems = reported(&o);
    assert_eq!(recs.len() + problems.len(), inputs, "records {recs:?}\nproblems {problems:?}");
    for line in ["a.jsonl:2", "a.jsonl:4"] {
        assert!(problems.iter().any(|p| p.contains(line)), "{line} not reported: {problems:?}");
    }
    let by_id = |id: &str| recs.iter().find(|r| r["id"] == id);
    assert!(by_id("j1").is_some() && by_id("j3").is_some());
    let truncated = by_id("b-truncated.txt").expect("the truncated file is cleaned");
    assert_eq!(truncated["metadata"]["encoding"], "UTF-8");
    let cleaned = truncated["text"].as_str().unwrap();
    assert!(cleaned.starts_with("这是一个被截断的文件"), "{cleaned:?}");
    // Every random file is either a record or listed as skipped/failed by name.
    for i in 0..5 {
        let name = format!("c-random-{i}.bin");
        let listed = problems.iter().any(|p| p.contains(&name));
        assert!(by_id(&name).is_some() != listed, "{name}: record xor report");
    }
    for id in ["d-empty.txt", "e-bom.txt"] {
        assert_eq!(by_id(id).map(|r| r["text"].clone()), Some(Value::from("")), "{id}");
    }
}

#[test]
fn hostile_ids_stay_inside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("ids.jsonl");
    let long_name = "长".repeat(120); // 360 bytes: over NAME_MAX as one path component
    let deep_id = "a/".repeat(1500) + "x"; // 3 KB of path
    let ids: Vec<String> = vec![
        "../escape".into(),
        "../../../../../../../../tmp/qingxi-escape".into(),
        "/etc/passwd".into(),
        "..".into(),
        ".".into(),
        "".into(),
        "a/../../b".into(),
        "nul\0byte".into(),
        "back\\..\\slash".into(),
        "same".into(),
        "same".into(),
        "same.txt".into(),
        "same.txt/inside".into(),
        "_qingxi.jsonl".into(),
        long_name.clone(),
        format!("{long_name}/{long_name}"),
        deep_id,
    ];
    let mut body = String::new();
    for (i, id) in ids.iter().enumerate() {
        let rec = serde_json::json!({"id": id, "text": format!("第{i}条记录。\n")});
        body.push_str(&rec.to_string());
        body.push('\n');
    }
    fs::write(&shard, body).unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", "-q", "--input", s(&shard), "--output", s(&out)]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // Nothing was written next to the output folder, nor anywhere up the tree.
    let mut beside: Vec<PathBuf> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    beside.sort();
    assert_eq!(beside, [shard.clone(), out.clone()]);
    assert!(!Path::new("/tmp/qingxi-escape.txt").exists());

    // Every record is accounted for, with a distinct file inside the folder holding its text.
    let meta = records(&out.join("_qingxi.jsonl"));
    assert_eq!(meta.len(), ids.len());
    let mut paths = Vec::new();
    for (i, rec) in meta.iter().enumerate() {
        assert_eq!(rec["id"].as_str(), Some(ids[i].as_str()));
        let rel = rec["path"].as_str().expect("each record names its file");
        let file = out.join(rel);
        let canon = file.canonicalize().unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(canon.starts_with(out.canonicalize().unwrap()), "{rel} escapes");
        assert_eq!(fs::read_to_string(&file).unwrap(), format!("第{i}条记录。\n"), "{rel}");
        paths.push(rel.to_string());
    }
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), ids.len(), "two records share a file");
}
