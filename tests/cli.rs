//! End-to-end tests: run the real `qingxi` binary over the samples and over bad input.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

mod common;
use common::{qingxi, records, run, stderr};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn by_id(recs: &[Value]) -> HashMap<String, Value> {
    recs.iter()
        .map(|r| (r["id"].as_str().expect("id is a string").to_string(), r.clone()))
        .collect()
}

#[test]
fn samples_come_out_one_record_each_as_correct_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let o = run(&[
        "run",
        "--input",
        repo("samples").to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recs = records(&out);
    let ids = by_id(&recs);
    // 5 real documents, 3 legacy-encoded files, 3 JSONL records.
    assert_eq!(recs.len(), 11, "{:?}", ids.keys());
    for r in &recs {
        for key in ["id", "text", "template", "metadata"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert!(r["metadata"]["encoding"].is_string(), "{r}");
    }
    let cases = [
        ("encodings/gbk_notice.txt", "GBK", "关于做好冬季供暖保障工作的通知"),
        ("encodings/big5_library.txt", "Big5", "臺北市立圖書館延長開放時間"),
        ("encodings/utf16le_lecture.txt", "UTF-16LE", "社区健康讲座报名开始"),
    ];
    for (id, enc, head) in cases {
        let r = &ids[id];
        assert_eq!(r["metadata"]["encoding"], enc, "{id}");
        assert!(r["text"].as_str().unwrap().contains(head), "{id}: {}", r["text"]);
        assert!(!r["text"].as_str().unwrap().contains('\u{FFFD}'), "{id}");
    }
    // A machine-converted Traditional page with pinyin annotations comes out Simplified and
    // without the readings; a genuine Traditional page (Big5) stays Traditional.
    let converted = ids["000_a3e63ac3319cb505.txt"]["text"].as_str().unwrap();
    assert!(converted.starts_with("青岛市卫生健康委员会"), "{converted}");
    assert!(!converted.contains("(wèi)") && !converted.contains("衛"), "{converted}");
    assert!(converted.contains("ICU270张"), "real parentheses stay: {converted}");
    assert_eq!(ids["000_a3e63ac3319cb505.txt"]["metadata"]["script"]["decision"], "to-simplified");
    // Spam and page furniture are removed with their reasons.
    let removed = ids["000_a3e63ac3319cb505.txt"]["metadata"]["removed"].as_array().unwrap();
    assert!(removed.iter().any(|r| r["label"] == "spam"), "{removed:?}");
    assert!(removed.iter().any(|r| r["label"] == "boilerplate"), "{removed:?}");
    // JSONL records keep their id and pass other fields through.
    assert_eq!(ids["news-002"]["lang"], "zh");
    assert!(ids["news-002"]["url"].as_str().unwrap().starts_with("https://"));
    assert!(ids.contains_key("shard.jsonl:3"), "records without id are FILE:LINE");
}

#[test]
fn decode_only_leaves_clean_utf8_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let seeds = repo("samples");
    let o = run(&[
        "run",
        "--only",
        "decode",
        "--input",
        seeds.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ids = by_id(&records(&out));
    for entry in fs::read_dir(&seeds).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert_eq!(
                ids[name]["text"].as_str().unwrap(),
                fs::read_to_string(&path).unwrap(),
                "{name}"
            );
        }
    }
}

#[test]
fn bad_input_is_reported_and_the_rest_is_processed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(input.join("nested/deeper")).unwrap();
    fs::write(input.join("good.txt"), "好的文档。\n").unwrap();
    fs::write(input.join("empty.txt"), "").unwrap();
    fs::write(input.join("nested/deeper/deep.txt"), "深层目录里的文件。\n").unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(std::iter::repeat_n(0u8, 64));
    fs::write(input.join("image.png"), png).unwrap();
    fs::write(
        input.join("shard.jsonl"),
        "{\"id\":\"ok-1\",\"text\":\"第一条\"}\n{broken json\n{\"id\":\"ok-3\",\"text\":\"第三条\"}\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::os::unix::fs::symlink(&input, input.join("nested/loop")).unwrap();
        std::os::unix::fs::symlink(input.join("missing-target"), input.join("dangling.txt"))
            .unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        fs::write(input.join(name), "名字不是UTF-8的文件。\n").unwrap();
    }
    let out = dir.path().join("out.jsonl");
    let o = run(&["run", "--input", input.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let ids = by_id(&records(&out));
    assert!(ids.contains_key("good.txt"));
    assert!(ids.contains_key("nested/deeper/deep.txt"));
    assert_eq!(ids["empty.txt"]["text"], "", "an empty file yields an empty record");
    assert!(ids.contains_key("ok-1") && ids.contains_key("ok-3"));
    assert!(!ids.contains_key("image.png"), "binary files are skipped");
    assert!(err.contains("shard.jsonl:2: invalid JSON"), "{err}");
    assert!(err.contains("image.png: skipped: "), "{err}");
    #[cfg(unix)]
    {
        assert!(ids.contains_key("caf%E9.txt"), "{:?}", ids.keys());
        assert!(err.contains("loop"), "{err}");
        assert!(err.contains("dangling.txt"), "{err}");
    }
}

#[test]
fn misspelled_config_key_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("pipeline.toml");
    fs::write(&cfg, "[stages]\nmojibak = false\n").unwrap();
    let o = run(&[
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        repo("samples").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("mojibak") && err.contains("pipeline.toml"), "{err}");
    let o = run(&["run", "--only", "mojibak", "--input", "-"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn stdin_to_stdout_as_text_and_as_jsonl() {
    let mut child = qingxi()
        .args(["run", "--format", "text", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all("管道里的一段文字。\n".as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "管道里的一段文字。\n");

    let mut child = qingxi()
        .args(["run", "--stdin-jsonl", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{\"id\":\"a\",\"text\":\"x\",\"keep\":1}\n").unwrap();
    let o = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["id"], "a");
    assert_eq!(v["keep"], 1);
}

#[test]
fn directory_output_mirrors_the_input_tree() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(input.join("a/b")).unwrap();
    fs::write(input.join("a/b/page.txt"), "正文。\n").unwrap();
    fs::write(input.join("top.html"), "顶层。\n").unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", "--input", input.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(out.join("a/b/page.txt")).unwrap(), "正文。\n");
    assert_eq!(fs::read_to_string(out.join("top.html.txt")).unwrap(), "顶层。\n");
    assert_eq!(fs::read_to_string(out.join("_qingxi.jsonl")).unwrap().lines().count(), 2);
    let leftovers: Vec<_> = walk(&out).into_iter().filter(|p| p.contains("qingxi-tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn stages_lists_every_stage_in_order() {
    let o = run(&["stages"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    let names: Vec<_> =
        text.lines().skip(1).map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "decode",
            "mojibake",
            "annotations",
            "script",
            "normalize",
            "reflow",
            "boilerplate",
            "spam",
            "template",
            "repeats"
        ]
    );
}

#[test]
fn explain_shows_blocks_with_labels() {
    let o = run(&[
        "explain",
        "--color",
        "never",
        repo("samples/001_c9876e3c9597f193.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("encoding: UTF-8"), "{text}");
    assert!(text.contains("content"), "{text}");
    assert!(!text.contains("\x1b["), "no colour when asked for none");
}

fn walk(p: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in fs::read_dir(p).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}

#[cfg(target_os = "linux")]
#[test]
fn full_disk_is_a_clear_error_not_a_success() {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full exists");
    let o = qingxi()
        .args(["run", "--input", repo("samples").to_str().unwrap()])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("No space left on device"), "{err}");
}
