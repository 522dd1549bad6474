//! Where cleaned documents go: a JSONL file, stdout, or a folder of `.txt` files.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use qingxi_core::Output;
use serde_json::{json, Value};

use crate::AtomicFile;

/// What a sink writes for each document on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// One JSON record per line (GUIDE.md §6).
    #[default]
    Jsonl,
    /// Only the cleaned text, each document ending with a newline.
    Text,
}

/// Where `--output` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkSpec {
    Stdout(OutputFormat),
    /// A `.jsonl` file, written atomically.
    JsonlFile(PathBuf),
    /// A folder mirroring the input tree with one `.txt` per document, plus
    /// `_qingxi.jsonl` holding each document's template and metadata.
    Dir(PathBuf),
}

impl SinkSpec {
    /// `-` is stdout, a path ending in `.jsonl` a JSONL file, anything else a directory.
    pub fn parse(arg: &Path, format: OutputFormat) -> SinkSpec {
        if arg.as_os_str() == "-" {
            SinkSpec::Stdout(format)
        } else if arg.to_string_lossy().to_lowercase().ends_with(".jsonl") {
            SinkSpec::JsonlFile(arg.to_path_buf())
        } else {
            SinkSpec::Dir(arg.to_path_buf())
        }
    }
}

/// A write that failed. A closed stdout pipe is its own case: the reader is gone, which
/// is not an error of ours (ripgrep's rule).
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("output pipe closed")]
    BrokenPipe,
}

impl SinkError {
    fn io(path: &Path, source: io::Error) -> Self {
        if source.kind() == io::ErrorKind::BrokenPipe {
            SinkError::BrokenPipe
        } else {
            SinkError::Io { path: path.display().to_string(), source }
        }
    }
}

/// Consumes output records in order.
pub trait Sink {
    fn write(&mut self, out: &Output) -> Result<(), SinkError>;
    /// Make everything written so far durable and return the position to resume from
    /// (`None` for stdout, which cannot be resumed).
    fn checkpoint(&mut self) -> Result<Option<u64>, SinkError>;
    /// Make everything written visible (flush, rename into place).
    fn finish(self: Box<Self>) -> Result<(), SinkError>;
}

/// Open the sink `spec` describes. File outputs are written to a resumable partial file
/// that becomes the output on [`Sink::finish`]; `resume_at` continues a partial file from
/// the position an earlier run's [`Sink::checkpoint`] returned.
pub fn open_sink(spec: &SinkSpec, resume_at: Option<u64>) -> Result<Box<dyn Sink>, SinkError> {
    Ok(match spec {
        SinkSpec::Stdout(format) => {
            Box::new(StdoutSink { out: io::stdout().lock(), format: *format })
        }
        SinkSpec::JsonlFile(path) => Box::new(JsonlFileSink {
            file: AtomicFile::partial(path, resume_at).map_err(|e| SinkError::io(path, e))?,
        }),
        SinkSpec::Dir(root) => {
            std::fs::create_dir_all(root).map_err(|e| SinkError::io(root, e))?;
            let meta_path = root.join("_qingxi.jsonl");
            let meta = AtomicFile::partial(&meta_path, resume_at)
                .map_err(|e| SinkError::io(&meta_path, e))?;
            // Documents written before the checkpoint keep their file names.
            let mut used = HashSet::new();
            if resume_at.is_some() {
                let done = std::fs::read_to_string(meta.temp_path())
                    .map_err(|e| SinkError::io(meta.temp_path(), e))?;
                for line in done.lines() {
                    if let Ok(v) = serde_json::from_str::<Value>(line) {
                        if let Some(p) = v.get("path").and_then(Value::as_str) {
                            used.insert(p.to_string());
                        }
                    }
                }
            }
            Box::new(DirSink { root: root.clone(), meta, used })
        }
    })
}

fn write_json_line(w: &mut impl Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *w, v)?;
    w.write_all(b"\n")
}

struct StdoutSink {
    out: io::StdoutLock<'static>,
    format: OutputFormat,
}

impl Sink for StdoutSink {
    fn write(&mut self, out: &Output) -> Result<(), SinkError> {
        let r = match self.format {
            OutputFormat::Jsonl => match &out.json_line {
                Some(line) => self.out.write_all(line),
                None => out.write_json_line(&mut self.out),
            },
            OutputFormat::Text => self.out.write_all(out.text.as_bytes()).and_then(|()| {
                if out.text.ends_with('\n') || out.text.is_empty() {
                    Ok(())
                } else {
                    self.out.write_all(b"\n")
                }
            }),
        };
        r.map_err(|e| SinkError::io(Path::new("-"), e))
    }

    fn checkpoint(&mut self) -> Result<Option<u64>, SinkError> {
        self.out.flush().map_err(|e| SinkError::io(Path::new("-"), e))?;
        Ok(None)
    }

    fn finish(mut self: Box<Self>) -> Result<(), SinkError> {
        self.out.flush().map_err(|e| SinkError::io(Path::new("-"), e))
    }
}

struct JsonlFileSink {
    file: AtomicFile,
}

impl Sink for JsonlFileSink {
    fn write(&mut self, out: &Output) -> Result<(), SinkError> {
        let path = self.file.target().to_path_buf();
        match &out.json_line {
            Some(line) => self.file.write_all(line),
            None => out.write_json_line(&mut self.file),
        }
        .map_err(|e| SinkError::io(&path, e))
    }

    fn checkpoint(&mut self) -> Result<Option<u64>, SinkError> {
        let path = self.file.target().to_path_buf();
        self.file.sync().map(Some).map_err(|e| SinkError::io(&path, e))
    }

    fn finish(self: Box<Self>) -> Result<(), SinkError> {
        let path = self.file.target().to_path_buf();
        self.file.commit().map_err(|e| SinkError::io(&path, e))
    }
}

struct DirSink {
    root: PathBuf,
    meta: AtomicFile,
    /// Relative paths already written, so two documents with the same id never overwrite
    /// each other.
    used: HashSet<String>,
}

impl Sink for DirSink {
    fn write(&mut self, out: &Output) -> Result<(), SinkError> {
        let base = safe_relative_path(&out.id);
        let mut rel = base.clone();
        let mut n = 1;
        while !self.used.insert(rel.clone()) {
            n += 1;
            rel = format!("{}~{n}.txt", base.trim_end_matches(".txt"));
        }
        let path = self.root.join(&rel);
        let mut f = AtomicFile::create(&path).map_err(|e| SinkError::io(&path, e))?;
        f.write_all(out.text.as_bytes()).map_err(|e| SinkError::io(&path, e))?;
        f.commit().map_err(|e| SinkError::io(&path, e))?;
        let mut rec = out.to_json();
        if let Value::Object(m) = &mut rec {
            m.remove("text");
            m.insert("path".into(), json!(rel));
        }
        let meta_path = self.meta.target().to_path_buf();
        write_json_line(&mut self.meta, &rec).map_err(|e| SinkError::io(&meta_path, e))
    }

    fn checkpoint(&mut self) -> Result<Option<u64>, SinkError> {
        let path = self.meta.target().to_path_buf();
        self.meta.sync().map(Some).map_err(|e| SinkError::io(&path, e))
    }

    fn finish(self: Box<Self>) -> Result<(), SinkError> {
        let path = self.meta.target().to_path_buf();
        self.meta.commit().map_err(|e| SinkError::io(&path, e))
    }
}

/// Longest path component written, in bytes: under the usual 255-byte `NAME_MAX` with room
/// for a `~N` collision suffix and the temporary-name decoration of [`AtomicFile`].
const MAX_COMPONENT_BYTES: usize = 200;
/// Longest relative path written, in bytes: well under the usual 4096-byte `PATH_MAX`, with
/// room for the output folder's own path.
const MAX_RELATIVE_BYTES: usize = 2048;

/// A relative path under the output folder for a document id that can never escape it:
/// empty, `.` and `..` components and absolute prefixes are neutralised, NUL and `\` are
/// escaped, and the name gets a `.txt` extension unless it has one. The path can always be
/// created: a folder never ends in `.txt` (so it cannot clash with a document's file),
/// over-long components are shortened and an over-long path is flattened, both keeping a
/// hash of what was cut so distinct ids stay distinct.
pub(crate) fn safe_relative_path(id: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for comp in id.split('/') {
        let comp = comp.replace('%', "%25").replace('\0', "%00").replace('\\', "%5C");
        match comp.as_str() {
            "" => {}
            "." | ".." => parts.push(comp.replace('.', "%2E")),
            _ => parts.push(comp),
        }
    }
    if parts.is_empty() {
        parts.push("%EMPTY".into());
    }
    let last = parts.len() - 1;
    for dir in &mut parts[..last] {
        if dir.to_lowercase().ends_with(".txt") {
            // Only files end in `.txt`: id `a.txt/b` must not need a folder where id
            // `a.txt` has its file.
            dir.insert_str(dir.len() - 4, "%2E");
            dir.remove(dir.len() - 4);
        }
    }
    if !parts[last].to_lowercase().ends_with(".txt") {
        parts[last].push_str(".txt");
    }
    for part in &mut parts {
        shorten(part, MAX_COMPONENT_BYTES);
    }
    let rel = parts.join("/");
    if rel.len() <= MAX_RELATIVE_BYTES {
        return rel;
    }
    // Absurdly deep: keep the leading folders that fit and flatten the rest into one name.
    let mut kept = String::new();
    let mut i = 0;
    while i < last && kept.len() + parts[i].len() < MAX_RELATIVE_BYTES / 2 {
        kept.push_str(&parts[i]);
        kept.push('/');
        i += 1;
    }
    let mut name = parts[i..].join("%2F");
    shorten(&mut name, MAX_COMPONENT_BYTES);
    kept + &name
}

/// Cut `name` to at most `max` bytes (at a character boundary), keeping a `.txt` extension
/// and adding a hash of the full name so two long names sharing a prefix stay distinct.
fn shorten(name: &mut String, max: usize) {
    if name.len() <= max {
        return;
    }
    let ext = if name.to_lowercase().ends_with(".txt") { ".txt" } else { "" };
    let tag = format!("~{:016x}{ext}", fnv1a(name.as_bytes()));
    let mut cut = max - tag.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    name.truncate(cut);
    name.push_str(&tag);
}

/// FNV-1a, 64-bit: a fixed hash, so the same id gets the same file name on every run.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `--removed PATH`: every removed block of every document as one JSONL line
/// (`id`, `label`, `rule`, `matched`, `line`, `text`), written atomically.
#[derive(Debug)]
pub struct RemovedLog {
    file: AtomicFile,
}

impl RemovedLog {
    /// Open the log; `resume_at` continues an interrupted run's partial log.
    pub fn create(path: &Path, resume_at: Option<u64>) -> Result<Self, SinkError> {
        let file = AtomicFile::partial(path, resume_at).map_err(|e| SinkError::io(path, e))?;
        Ok(RemovedLog { file })
    }

    /// Make the log durable; returns the position to resume from.
    pub fn checkpoint(&mut self) -> Result<u64, SinkError> {
        let path = self.file.target().to_path_buf();
        self.file.sync().map_err(|e| SinkError::io(&path, e))
    }

    pub fn write(&mut self, out: &Output) -> Result<(), SinkError> {
        let path = self.file.target().to_path_buf();
        for r in &out.removed {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                let mut rec = serde_json::Map::new();
                rec.insert("id".into(), json!(out.id));
                rec.append(m);
                v = Value::Object(rec);
            }
            write_json_line(&mut self.file, &v).map_err(|e| SinkError::io(&path, e))?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<(), SinkError> {
        let path = self.file.target().to_path_buf();
        self.file.commit().map_err(|e| SinkError::io(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qingxi_core::Document;

    #[test]
    fn ids_never_escape_the_output_folder() {
        let cases = [
            ("a/b.txt", "a/b.txt"),
            ("page.html", "page.html.txt"),
            ("../../etc/passwd", "%2E%2E/%2E%2E/etc/passwd.txt"),
            ("/abs/x", "abs/x.txt"),
            ("a/./b", "a/%2E/b.txt"),
            ("nul\0byte", "nul%00byte.txt"),
            ("win\\..\\x", "win%5C..%5Cx.txt"),
            ("", "%EMPTY.txt"),
            ("50%", "50%25.txt"),
            ("a.txt/b", "a%2Etxt/b.txt"),
            ("A.TXT/b.TXT", "A%2ETXT/b.TXT"),
        ];
        for (id, want) in cases {
            assert_eq!(safe_relative_path(id), want, "{id:?}");
        }
    }

    #[test]
    fn long_ids_get_paths_the_file_system_accepts() {
        let long = "长".repeat(100); // 300 bytes
        let other = format!("{long}x");
        for id in [long.clone(), format!("{long}/{long}"), "a/".repeat(3000) + "z"] {
            let rel = safe_relative_path(&id);
            assert!(rel.len() <= MAX_RELATIVE_BYTES, "{id:?}: {} bytes", rel.len());
            assert!(rel.split('/').all(|c| c.len() <= MAX_COMPONENT_BYTES), "{rel}");
            assert!(rel.ends_with(".txt"), "{rel}");
        }
        assert_ne!(safe_relative_path(&long), safe_relative_path(&other));
        assert_ne!(
            safe_relative_path(&("a/".repeat(3000) + "y")),
            safe_relative_path(&("a/".repeat(3001) + "y"))
        );
    }

    #[test]
    fn dir_sink_mirrors_ids_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let spec = SinkSpec::parse(&dir.path().join("out"), OutputFormat::Jsonl);
        let mut sink = open_sink(&spec, None).unwrap();
        for (id, text) in [("sub/a.txt", "甲\n"), ("sub/a.txt", "乙\n"), ("../x", "丙")] {
            let out = Output::from_document(Document::new(id, text.to_string()), None, 0);
            sink.write(&out).unwrap();
        }
        sink.finish().unwrap();
        let root = dir.path().join("out");
        assert_eq!(std::fs::read_to_string(root.join("sub/a.txt")).unwrap(), "甲\n");
        assert_eq!(std::fs::read_to_string(root.join("sub/a~2.txt")).unwrap(), "乙\n");
        assert!(root.join("%2E%2E/x.txt").exists());
        let meta = std::fs::read_to_string(root.join("_qingxi.jsonl")).unwrap();
        assert_eq!(meta.lines().count(), 3);
        assert!(meta.contains("\"path\":\"sub/a~2.txt\""));
    }
}
