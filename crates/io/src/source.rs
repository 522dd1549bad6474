//! Turn `--input` arguments into a stream of pending inputs, in a deterministic order.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use qingxi_core::{Failure, Input, InputContent, Pending, Ready};

use crate::jsonl::{JsonlReader, RawLine};

/// How sources read their inputs.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    /// Inputs larger than this are reported, not loaded.
    pub max_document_bytes: u64,
    /// JSONL lines (records) longer than this are reported, not parsed.
    pub max_record_bytes: usize,
    /// Read stdin as JSONL records instead of one text document.
    pub stdin_jsonl: bool,
    /// Hand out JSONL lines unparsed, to be parsed by whoever loads them (a worker thread).
    /// Their [`Pending::id`] is then their origin, so leave this off when ids are needed
    /// before loading (sharding).
    pub lazy_jsonl: bool,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            max_document_bytes: 64 << 20,
            max_record_bytes: 128 << 20,
            stdin_jsonl: false,
            lazy_jsonl: false,
        }
    }
}

/// One input found by [`Sources`]: a file still to be read, or a record already in memory.
#[derive(Debug)]
pub enum Item {
    File(FileItem),
    Ready(Ready),
    /// A JSONL line not parsed yet (see [`SourceOptions::lazy_jsonl`]).
    Line(RawLine),
}

/// A file found on disk, read when loaded.
#[derive(Debug)]
pub struct FileItem {
    path: PathBuf,
    id: String,
    site: String,
    origin: String,
    size: u64,
    max_bytes: u64,
}

impl Pending for Item {
    fn origin(&self) -> &str {
        match self {
            Item::File(f) => &f.origin,
            Item::Ready(r) => r.origin(),
            Item::Line(l) => l.origin(),
        }
    }

    fn id(&self) -> &str {
        match self {
            Item::File(f) => &f.id,
            Item::Ready(r) => r.id(),
            // Unknown until parsed; lazy lines are only handed out when ids are not needed.
            Item::Line(l) => l.origin(),
        }
    }

    fn size_hint(&self) -> u64 {
        match self {
            Item::File(f) => f.size,
            Item::Ready(r) => r.size_hint(),
            Item::Line(l) => l.len() as u64,
        }
    }

    fn load(self) -> Result<Input, Failure> {
        match self {
            Item::Ready(r) => r.load(),
            Item::File(f) => f.load(),
            Item::Line(l) => l.parse(),
        }
    }
}

impl FileItem {
    fn load(self) -> Result<Input, Failure> {
        let fail = |reason: String| Failure::new(self.origin.clone(), reason);
        // The size found while listing decides the limit and the buffer; no second `stat`
        // (a system call per file is a noticeable share of a run over many small files).
        let len = self.size;
        if len > self.max_bytes {
            return Err(fail(format!(
                "file is {len} bytes, over the limit of {} bytes (limits.max-document-bytes)",
                self.max_bytes
            )));
        }
        let file = File::open(&self.path).map_err(|e| fail(io_reason(&e)))?;
        // One byte more than expected, so a file that did not change is read without growing
        // the buffer (`read_to_end` probes for the end).
        let mut bytes = Vec::with_capacity((len as usize).saturating_add(1).min(1 << 30));
        // Read at most one byte past the limit: the file may have grown since it was sized.
        file.take(self.max_bytes + 1).read_to_end(&mut bytes).map_err(|e| fail(io_reason(&e)))?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(fail(format!("file grew over the limit of {} bytes", self.max_bytes)));
        }
        Ok(Input {
            id: self.id,
            origin: self.origin,
            site: self.site,
            content: InputContent::Bytes(bytes),
            fields: None,
        })
    }
}

/// A short reason for an I/O error, without the Rust error kind noise.
pub(crate) fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// True for paths read as JSONL shards rather than as one document.
fn is_jsonl(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    name.ends_with(".jsonl") || name.ends_with(".jsonl.gz")
}

/// A stable, unique id for a relative path: components joined by `/`. Bytes that are not
/// valid UTF-8 are written as `%XX`; in such names `%` itself is written `%25`, so the id of a
/// non-UTF-8 name never equals the id of a valid one that reads the same.
pub fn id_for_path(rel: &Path) -> String {
    let mut parts = Vec::new();
    for comp in rel.components() {
        let os = comp.as_os_str();
        match os.to_str() {
            Some(s) => parts.push(s.to_string()),
            None => parts.push(escape_os(os)),
        }
    }
    parts.join("/")
}

#[cfg(unix)]
fn escape_os(os: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    let bytes = os.as_bytes();
    let mut out = String::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(&s.replace('%', "%25"));
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // `good` is valid UTF-8 by construction.
                out.push_str(&String::from_utf8_lossy(good).replace('%', "%25"));
                let n = e.error_len().unwrap_or(bad.len());
                for b in &bad[..n] {
                    out.push_str(&format!("%{b:02X}"));
                }
                rest = &bad[n..];
            }
        }
    }
    out
}

#[cfg(not(unix))]
fn escape_os(os: &std::ffi::OsStr) -> String {
    os.to_string_lossy().into_owned()
}

/// The site of a file: the input root plus the folder the file is in.
fn site_for(root_label: &str, rel_id: &str) -> String {
    match rel_id.rfind('/') {
        Some(i) => format!("{root_label}/{}", &rel_id[..i]),
        None => root_label.to_string(),
    }
}

enum Cursor {
    Walk { root: PathBuf, label: String, iter: Box<walkdir::IntoIter> },
    Jsonl(Box<JsonlReader>),
}

/// The stream of inputs named on the command line, in order: arguments as given, directory
/// entries sorted by file name, JSONL records by line.
pub struct Sources {
    args: VecDeque<PathBuf>,
    stack: Vec<Cursor>,
    opts: SourceOptions,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sources").field("args", &self.args).finish_non_exhaustive()
    }
}

impl Sources {
    pub fn new(args: &[PathBuf], opts: SourceOptions) -> Self {
        Sources { args: args.iter().cloned().collect(), stack: Vec::new(), opts }
    }

    fn file_item(&self, path: PathBuf, id: String, site: String, size: u64) -> Item {
        Item::File(FileItem {
            origin: path.display().to_string(),
            path,
            id,
            site,
            size,
            max_bytes: self.opts.max_document_bytes,
        })
    }

    /// Start on one command-line argument. Returns an item for plain files.
    fn open_arg(&mut self, arg: PathBuf) -> Option<Result<Item, Failure>> {
        if arg.as_os_str() == "-" {
            return Some(self.open_stdin());
        }
        let meta = match std::fs::metadata(&arg) {
            Ok(m) => m,
            Err(e) => return Some(Err(Failure::new(arg.display().to_string(), io_reason(&e)))),
        };
        let label = arg.display().to_string();
        if meta.is_dir() {
            let iter =
                walkdir::WalkDir::new(&arg).follow_links(true).sort_by_file_name().into_iter();
            self.stack.push(Cursor::Walk { root: arg, label, iter: Box::new(iter) });
            return None;
        }
        if is_jsonl(&arg) {
            match JsonlReader::open(&arg, label.clone(), label, &self.opts) {
                Ok(r) => self.stack.push(Cursor::Jsonl(Box::new(r))),
                Err(f) => return Some(Err(f)),
            }
            return None;
        }
        let id =
            arg.file_name().map(|n| id_for_path(Path::new(n))).unwrap_or_else(|| label.clone());
        let site = arg.parent().map(|p| p.display().to_string()).unwrap_or_default();
        Some(Ok(self.file_item(arg, id, site, meta.len())))
    }

    fn open_stdin(&mut self) -> Result<Item, Failure> {
        if self.opts.stdin_jsonl {
            let r = JsonlReader::from_reader(
                Box::new(io::BufReader::new(io::stdin())),
                "-".into(),
                "stdin".into(),
                &self.opts,
            );
            self.stack.push(Cursor::Jsonl(Box::new(r)));
            // Records come from the cursor; nothing to return for the argument itself.
            return Err(Failure::new("", ""));
        }
        let mut bytes = Vec::new();
        io::stdin()
            .take(self.opts.max_document_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::new("-", io_reason(&e)))?;
        if bytes.len() as u64 > self.opts.max_document_bytes {
            return Err(Failure::new(
                "-",
                format!("stdin is over the limit of {} bytes", self.opts.max_document_bytes),
            ));
        }
        Ok(Item::Ready(Ready(Input {
            id: "stdin".into(),
            origin: "-".into(),
            site: "stdin".into(),
            content: InputContent::Bytes(bytes),
            fields: None,
        })))
    }

    /// Advance the innermost cursor by one step.
    fn step(&mut self) -> Option<Result<Item, Failure>> {
        let opts = self.opts.clone();
        let top = self.stack.last_mut()?;
        match top {
            Cursor::Jsonl(r) => match r.next_line() {
                Some(Ok(line)) if opts.lazy_jsonl => Some(Ok(Item::Line(line))),
                Some(line) => Some(line.and_then(RawLine::parse).map(|i| Item::Ready(Ready(i)))),
                None => {
                    self.stack.pop();
                    None
                }
            },
            Cursor::Walk { root, label, iter } => {
                let entry = match iter.next() {
                    None => {
                        self.stack.pop();
                        return None;
                    }
                    Some(Err(e)) => {
                        let path = e.path().map(|p| p.display().to_string());
                        let origin = path.unwrap_or_else(|| root.display().to_string());
                        let reason = if e.loop_ancestor().is_some() {
                            "directory symlink loop".to_string()
                        } else if let Some(io) = e.io_error() {
                            io_reason(io)
                        } else {
                            e.to_string()
                        };
                        return Some(Err(Failure::new(origin, reason)));
                    }
                    Some(Ok(entry)) => entry,
                };
                if entry.file_type().is_dir() {
                    return None;
                }
                let rel = entry.path().strip_prefix(&*root).unwrap_or(entry.path());
                let id = id_for_path(rel);
                let path = entry.path().to_path_buf();
                if !entry.file_type().is_file() {
                    return Some(Err(Failure::new(
                        path.display().to_string(),
                        "not a regular file (socket, fifo or device)",
                    )));
                }
                if is_jsonl(&path) {
                    let site = format!("{label}/{id}");
                    match JsonlReader::open(&path, id, site, &opts) {
                        Ok(r) => self.stack.push(Cursor::Jsonl(Box::new(r))),
                        Err(f) => return Some(Err(f)),
                    }
                    return None;
                }
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                let site = site_for(label, &id);
                Some(Ok(self.file_item(path, id, site, size)))
            }
        }
    }
}

impl Iterator for Sources {
    type Item = Result<Item, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.stack.is_empty() {
                let arg = self.args.pop_front()?;
                match self.open_arg(arg) {
                    Some(Err(f)) if f.origin.is_empty() => continue,
                    Some(r) => return Some(r),
                    None => continue,
                }
            }
            if let Some(r) = self.step() {
                return Some(r);
            }
        }
    }
}

/// Total bytes of the files named by `args` (directories walked), for a progress bar.
/// Best effort: unreadable entries count as zero; stdin counts as zero.
pub fn total_size(args: &[PathBuf]) -> u64 {
    let mut total = 0;
    for arg in args {
        if arg.as_os_str() == "-" {
            continue;
        }
        for entry in walkdir::WalkDir::new(arg).follow_links(true).into_iter().flatten() {
            if entry.file_type().is_file() {
                total += entry.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn collect(args: &[PathBuf]) -> Vec<Result<Input, Failure>> {
        Sources::new(args, SourceOptions::default()).map(|r| r.and_then(Pending::load)).collect()
    }

    #[test]
    fn walks_directories_in_sorted_order_with_relative_ids() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::write(root.join("b/c/z.txt"), "z").unwrap();
        fs::write(root.join("b/a.txt"), "a").unwrap();
        fs::write(root.join("a.txt"), "").unwrap();
        let got: Vec<_> = collect(&[root.to_path_buf()])
            .into_iter()
            .map(|r| r.unwrap())
            .map(|i| (i.id, i.site.rsplit('/').next().unwrap_or("").to_string()))
            .collect();
        let ids: Vec<_> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a.txt", "b/a.txt", "b/c/z.txt"]);
        assert_eq!(got[2].1, "c", "site is the folder");
    }

    #[test]
    fn jsonl_in_a_directory_yields_records_and_reports_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let body = "{\"id\":\"r1\",\"text\":\"甲\",\"url\":\"http://x.cn/a\"}\n\nnot json\n{\"text\":\"乙\"}\n";
        fs::write(dir.path().join("shard.jsonl"), body).unwrap();
        let got = collect(&[dir.path().to_path_buf()]);
        assert_eq!(got.len(), 3);
        let r1 = got[0].as_ref().unwrap();
        assert_eq!(r1.id, "r1");
        assert_eq!(r1.site, "x.cn");
        assert_eq!(r1.fields.as_ref().unwrap()["url"], "http://x.cn/a");
        let bad = got[1].as_ref().unwrap_err();
        assert!(bad.origin.ends_with("shard.jsonl:3"), "{bad}");
        assert_eq!(got[2].as_ref().unwrap().id, "shard.jsonl:4");
    }

    #[test]
    fn missing_input_is_a_failure_naming_it() {
        let got = collect(&[PathBuf::from("/nonexistent/qingxi")]);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].as_ref().unwrap_err().to_string(),
            "/nonexistent/qingxi: no such file or directory"
        );
    }

    #[test]
    fn oversized_file_is_reported_not_loaded() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("big.txt"), vec![b'a'; 100]).unwrap();
        let opts = SourceOptions { max_document_bytes: 10, ..Default::default() };
        let got: Vec<_> = Sources::new(&[dir.path().to_path_buf()], opts)
            .map(|r| r.and_then(Pending::load))
            .collect();
        assert!(got[0].as_ref().unwrap_err().reason.contains("over the limit"));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_get_unique_escaped_ids() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9%.txt");
        assert_eq!(id_for_path(Path::new(name)), "caf%E9%25.txt");
        assert_eq!(id_for_path(Path::new("50%.txt")), "50%.txt");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_reported_and_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("d")).unwrap();
        fs::write(dir.path().join("d/ok.txt"), "ok").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("d/loop")).unwrap();
        let got = collect(&[dir.path().to_path_buf()]);
        assert!(got.iter().any(|r| r.as_ref().is_ok_and(|i| i.id == "d/ok.txt")));
        assert!(got.iter().any(|r| r.as_ref().is_err_and(|f| f.reason.contains("loop"))));
    }
}
