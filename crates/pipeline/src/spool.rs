//! The spool: documents after decoding and the text stages, saved by the corpus pass so the
//! cleaning pass does not decode and rewrite every document a second time.
//!
//! Site-repeated lines can only be judged after every document has been counted, so a run
//! with the template stage makes two passes. The first decodes each input, runs the text
//! stages, counts the lines, and hands the prepared document to the spool; the second reads
//! the spool back in the same order and only labels blocks and writes records.
//!
//! The spool holds the first documents in memory, up to `[limits] spool-memory` bytes, and
//! writes the rest to a file (created only when needed). Held documents cost nothing to
//! spool: no encoding, no system calls, no parsing on the way back. Once a document has gone
//! to the file every later one does too, so memory then file is input order.
//!
//! File format: per document, one header line — the text's length in bytes (`-` for a
//! rejected input, which has no text), the input's size, a tab, then a JSON object (id,
//! origin, site, metadata, pass-through fields) — followed by the text's bytes and a newline.
//! The text is written raw, so spooling costs a copy, not an escape/unescape round trip, and
//! the reader only needs the two numbers: the JSON is parsed on the worker that loads the
//! entry. The spool file is deleted when the reader is dropped.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qingxi_core::{Document, Edit, Failure, LineKey, Metadata, StageName};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Prepared, Rejection};

/// What the first pass produced for one input.
pub type Spooled = Result<Prepared, Rejection>;

/// Collects prepared documents: held in memory up to a budget, then appended to a file.
#[derive(Debug)]
pub struct SpoolWriter {
    path: PathBuf,
    /// Documents kept in memory, in input order, before any written to the file.
    held: Vec<Spooled>,
    held_bytes: u64,
    budget: u64,
    /// Created on the first document that does not fit in memory.
    out: Option<BufWriter<File>>,
}

impl SpoolWriter {
    /// A spool that holds about `budget` bytes of documents in memory before it writes to
    /// `path`. The file (and its folder) is created only if something is written to it.
    pub fn new(path: &Path, budget: u64) -> Self {
        SpoolWriter { path: path.to_path_buf(), held: Vec::new(), held_bytes: 0, budget, out: None }
    }

    /// A spool that writes every document to `path` (created now).
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut w = SpoolWriter::new(path, 0);
        w.file()?;
        Ok(w)
    }

    /// Whether `more` bytes of documents still fit in memory: only while nothing has gone to
    /// the file, so the order stays memory first, then file.
    pub fn fits(&self, more: u64) -> bool {
        self.out.is_none() && self.held_bytes.saturating_add(more) <= self.budget
    }

    /// Keep documents in memory (the caller checked [`SpoolWriter::fits`]).
    pub fn hold(&mut self, items: impl IntoIterator<Item = Spooled>) {
        debug_assert!(self.out.is_none(), "held documents must come before written ones");
        for item in items {
            self.held_bytes += Self::held_size(&item);
            self.held.push(item);
        }
    }

    /// Bytes of documents held in memory.
    pub fn held_bytes(&self) -> u64 {
        self.held_bytes
    }

    fn file(&mut self) -> io::Result<&mut BufWriter<File>> {
        if self.out.is_none() {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let file = File::create(&self.path)?;
            self.out = Some(BufWriter::with_capacity(1 << 20, file));
        }
        Ok(self.out.as_mut().expect("just created"))
    }

    /// Write one item to the file.
    pub fn write(&mut self, item: &Spooled) -> io::Result<()> {
        Self::encode(item, self.file()?)
    }

    /// Append a record made by [`SpoolWriter::encode`] to the file.
    pub fn write_encoded(&mut self, record: &[u8]) -> io::Result<()> {
        self.file()?.write_all(record)
    }

    /// Memory a held item takes: what its record would take in the file
    /// ([`SpoolWriter::size_hint`]), plus its text's spare capacity and its line keys.
    fn held_size(item: &Spooled) -> u64 {
        let extra = match item {
            Ok(p) => {
                let keys = p.doc.line_keys.capacity() * std::mem::size_of::<LineKey>();
                p.doc.text.capacity() - p.doc.text.len() + keys
            }
            Err(_) => 0,
        };
        (Self::size_hint(item) + extra) as u64
    }

    /// Write one item in the spool format (workers encode, the spooling thread copies).
    pub fn encode(item: &Spooled, out: &mut impl Write) -> io::Result<()> {
        let header = match item {
            Ok(p) => {
                write!(out, "{} {}\t", p.doc.text.len(), p.bytes_in)?;
                header_of(p)
            }
            Err(Rejection::Binary { id, origin, reason }) => {
                out.write_all(b"- 0\t")?;
                Header {
                    k: Kind::Binary,
                    id: id.as_str().into(),
                    origin: origin.as_str().into(),
                    reason: reason.as_str().into(),
                    ..Header::default()
                }
            }
            Err(Rejection::Failed(f)) => {
                out.write_all(b"- 0\t")?;
                Header {
                    k: Kind::Failed,
                    origin: f.origin.as_str().into(),
                    reason: f.reason.as_str().into(),
                    ..Header::default()
                }
            }
        };
        serde_json::to_writer(&mut *out, &header)?;
        out.write_all(b"\n")?;
        if let Ok(p) = item {
            out.write_all(p.doc.text.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// About how many bytes [`SpoolWriter::encode`] writes for `item`.
    pub fn size_hint(item: &Spooled) -> usize {
        match item {
            Ok(p) => {
                let edits: usize =
                    p.doc.meta.edits.iter().map(|e| e.before.len() + e.after.len() + 96).sum();
                p.doc.text.len() + p.doc.id.len() + p.origin.len() + edits + 512
            }
            Err(_) => 256,
        }
    }

    /// Flush and hand over what was spooled for reading.
    pub fn finish(self) -> io::Result<SpoolReader> {
        let file = match self.out {
            Some(mut out) => {
                out.flush()?;
                Some(File::open(&self.path)?)
            }
            None => None,
        };
        Ok(SpoolReader::new(self.path, self.held, file))
    }
}

/// What a spooled entry is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    #[default]
    Doc,
    Binary,
    Failed,
}

/// The JSON header of a spool entry: everything of a prepared document but its text.
/// Typed rather than a `serde_json::Value` tree: a document's mojibake edits can be as long
/// as its text, and a tree costs an allocation per string and map entry on both ends.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Header<'a> {
    k: Kind,
    #[serde(borrow, skip_serializing_if = "str::is_empty")]
    id: Cow<'a, str>,
    #[serde(borrow)]
    origin: Cow<'a, str>,
    #[serde(borrow, skip_serializing_if = "str::is_empty")]
    site: Cow<'a, str>,
    #[serde(borrow, skip_serializing_if = "str::is_empty")]
    reason: Cow<'a, str>,
    #[serde(borrow, skip_serializing_if = "Option::is_none")]
    encoding: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<f32>,
    #[serde(skip_serializing_if = "is_zero")]
    malformed: u64,
    #[serde(borrow, skip_serializing_if = "Vec::is_empty")]
    changes: Vec<(Cow<'a, str>, u64)>,
    #[serde(borrow, skip_serializing_if = "Vec::is_empty")]
    edits: Vec<EditRecord<'a>>,
    #[serde(borrow, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<(Cow<'a, str>, Value)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Map<String, Value>>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// An [`Edit`] as spooled (stage and rule as text).
#[derive(Debug, Serialize, Deserialize)]
struct EditRecord<'a> {
    #[serde(borrow)]
    stage: Cow<'a, str>,
    #[serde(borrow)]
    rule: Cow<'a, str>,
    offset: usize,
    #[serde(borrow)]
    before: Cow<'a, str>,
    #[serde(borrow)]
    after: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<f32>,
}

fn header_of(p: &Prepared) -> Header<'_> {
    let m = &p.doc.meta;
    Header {
        k: Kind::Doc,
        id: p.doc.id.as_str().into(),
        origin: p.origin.as_str().into(),
        site: p.doc.site.as_str().into(),
        reason: Cow::Borrowed(""),
        encoding: m.encoding.as_deref().map(Cow::Borrowed),
        confidence: m.confidence,
        malformed: m.malformed,
        changes: m.changes.iter().map(|(k, v)| (Cow::Borrowed(*k), *v)).collect(),
        edits: m
            .edits
            .iter()
            .map(|e| EditRecord {
                stage: Cow::Borrowed(e.stage),
                rule: Cow::Borrowed(e.rule.as_ref()),
                offset: e.offset,
                before: e.before.as_str().into(),
                after: e.after.as_str().into(),
                confidence: e.confidence,
            })
            .collect(),
        notes: m.notes.iter().map(|(k, v)| (Cow::Borrowed(*k), v.clone())).collect(),
        fields: p.fields.clone(),
    }
}

/// Reads a spool back in order: the held documents, then the file's. Only each entry's
/// header line is read here (it says how long the text is); the text is read by the worker
/// that loads the entry ([`SpoolEntry::load`]), at its offset, so the thread that hands out
/// entries does not copy every document through its own buffers.
#[derive(Debug)]
pub struct SpoolReader {
    path: PathBuf,
    held: std::vec::IntoIter<Spooled>,
    file: Option<Arc<File>>,
    /// Offset of the next entry's header in the file.
    pos: u64,
    /// Spool files are ours: a malformed one is a bug or a damaged disk, and ends the read.
    broken: bool,
}

/// One spooled input: held in memory, or a header read from the file and where its text is.
#[derive(Debug)]
pub struct SpoolEntry(Entry);

// Unboxed on purpose: an entry is moved a few times per document, a box is an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Entry {
    Held(Spooled),
    Written { header: Vec<u8>, text: Option<TextAt>, bytes_in: u64 },
}

/// Where an entry's text lies in the spool file: `len` bytes at `at`, then a newline.
#[derive(Debug)]
struct TextAt {
    file: Arc<File>,
    at: u64,
    len: usize,
}

/// Bytes read per step while looking for the end of a header line.
const HEADER_READ: usize = 4096;

impl SpoolReader {
    fn new(path: PathBuf, held: Vec<Spooled>, file: Option<File>) -> Self {
        SpoolReader {
            path,
            held: held.into_iter(),
            file: file.map(Arc::new),
            pos: 0,
            broken: false,
        }
    }

    /// Read a spool file written by an earlier [`SpoolWriter`].
    pub fn open(path: &Path) -> io::Result<Self> {
        Ok(SpoolReader::new(path.to_path_buf(), Vec::new(), Some(File::open(path)?)))
    }

    fn fail(&mut self, why: String) -> Option<Result<SpoolEntry, Failure>> {
        self.broken = true;
        Some(Err(Failure::new(
            self.path.display().to_string(),
            format!("spool file damaged: {why}"),
        )))
    }

    /// The header line at `self.pos` (with its newline), or `None` at the end of the file.
    fn header_line(&self, file: &File) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let mut chunk = [0u8; HEADER_READ];
        loop {
            let n = file.read_at(&mut chunk, self.pos + line.len() as u64)?;
            if n == 0 {
                return match line.is_empty() {
                    true => Ok(None),
                    false => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "header cut short")),
                };
            }
            if let Some(end) = memchr::memchr(b'\n', &chunk[..n]) {
                line.extend_from_slice(&chunk[..=end]);
                return Ok(Some(line));
            }
            line.extend_from_slice(&chunk[..n]);
        }
    }
}

impl Iterator for SpoolReader {
    type Item = Result<SpoolEntry, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.held.next() {
            return Some(Ok(SpoolEntry(Entry::Held(item))));
        }
        if self.broken {
            return None;
        }
        let file = self.file.clone()?;
        let line = match self.header_line(&file) {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(e) => return self.fail(e.to_string()),
        };
        // `LEN BYTES_IN\tJSON\n`
        let Some(tab) = line.iter().position(|&b| b == b'\t') else {
            return self.fail("header has no tab".into());
        };
        let numbers = String::from_utf8_lossy(&line[..tab]).into_owned();
        let mut parts = numbers.split(' ');
        let (len, bytes_in) = match (parts.next(), parts.next().map(str::parse::<u64>)) {
            (Some("-"), Some(Ok(b))) => (None, b),
            (Some(l), Some(Ok(b))) => match l.parse::<usize>() {
                Ok(l) => (Some(l), b),
                Err(_) => return self.fail(format!("bad length `{l}`")),
            },
            _ => return self.fail(format!("bad header numbers `{numbers}`")),
        };
        self.pos += line.len() as u64;
        let header = line[tab + 1..line.len() - 1].to_vec();
        let text = len.map(|len| {
            let at = self.pos;
            self.pos += len as u64 + 1;
            TextAt { file, at, len }
        });
        Some(Ok(SpoolEntry(Entry::Written { header, text, bytes_in })))
    }
}

impl Drop for SpoolReader {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl TextAt {
    /// The text's bytes, checked to end where the header said.
    fn read(&self) -> io::Result<Vec<u8>> {
        let mut text = vec![0u8; self.len + 1];
        self.file.read_exact_at(&mut text, self.at)?;
        if text.pop() != Some(b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "text not where its header says",
            ));
        }
        Ok(text)
    }
}

impl SpoolEntry {
    /// Bytes the input had (for batching and progress).
    pub fn size_hint(&self) -> u64 {
        match &self.0 {
            Entry::Held(Ok(p)) => p.bytes_in as u64,
            Entry::Held(Err(_)) => 0,
            Entry::Written { bytes_in, .. } => *bytes_in,
        }
    }

    pub fn origin(&self) -> String {
        match &self.0 {
            Entry::Held(Ok(p)) => p.origin.clone(),
            Entry::Held(Err(Rejection::Binary { origin, .. })) => origin.clone(),
            Entry::Held(Err(Rejection::Failed(f))) => f.origin.clone(),
            Entry::Written { header, .. } => {
                header_of_bytes(header).map(|h| h.origin.into_owned()).unwrap_or_default()
            }
        }
    }

    /// Rebuild what the first pass produced.
    pub fn load(self) -> Spooled {
        match self.0 {
            Entry::Held(item) => item,
            Entry::Written { header, text, bytes_in } => {
                let text = match text.map(|t| t.read()).transpose() {
                    Ok(t) => t.unwrap_or_default(),
                    Err(e) => {
                        let why = format!("spool file damaged: {e}");
                        return Err(Rejection::Failed(Failure::new("spool", why)));
                    }
                };
                load_written(&header, &text, bytes_in)
            }
        }
    }
}

fn header_of_bytes(header: &[u8]) -> Result<Header<'_>, String> {
    serde_json::from_slice::<Header>(header).map_err(|e| e.to_string())
}

/// Rebuild a document from its header and text as read from the spool file.
fn load_written(header: &[u8], text: &[u8], bytes_in: u64) -> Spooled {
    let h = header_of_bytes(header).map_err(|e| {
        Rejection::Failed(Failure::new("spool", format!("spool file damaged: {e}")))
    })?;
    let origin = h.origin.into_owned();
    match h.k {
        Kind::Binary => {
            return Err(Rejection::Binary {
                id: h.id.into_owned(),
                origin,
                reason: h.reason.into_owned(),
            })
        }
        Kind::Failed => return Err(Rejection::Failed(Failure::new(origin, h.reason))),
        Kind::Doc => {}
    }
    // SIMD validation plus a copy is several times faster than `String::from_utf8`'s
    // scalar check on CJK text (the spool is re-read in full on every run).
    let text = simdutf8::basic::from_utf8(text).map(str::to_owned).map_err(|_| {
        Rejection::Failed(Failure::new(origin.clone(), "spool file damaged: text is not UTF-8"))
    })?;
    let mut doc = Document::new(h.id.into_owned(), text);
    doc.site = h.site.into_owned();
    doc.meta = Metadata {
        encoding: h.encoding.map(Cow::into_owned),
        confidence: h.confidence,
        malformed: h.malformed,
        changes: h.changes.iter().filter_map(|(k, v)| Some((stage_name(k)?, *v))).collect(),
        edits: h.edits.into_iter().filter_map(edit_of).collect(),
        notes: h.notes.into_iter().filter_map(|(k, v)| Some((stage_name(&k)?, v))).collect(),
    };
    Ok(Prepared { doc, origin, fields: h.fields, bytes_in: bytes_in as usize })
}

/// A stage name written by [`header_of`], back as the static name the metadata uses.
fn stage_name(k: &str) -> Option<&'static str> {
    k.parse::<StageName>().ok().map(StageName::as_str)
}

fn edit_of(e: EditRecord) -> Option<Edit> {
    Some(Edit {
        stage: stage_name(&e.stage)?,
        rule: Cow::Owned(e.rule.into_owned()),
        offset: e.offset,
        before: e.before.into_owned(),
        after: e.after.into_owned(),
        confidence: e.confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prepared_documents_and_rejections_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool");
        let mut doc = Document::new("a/b.txt", "第一行\n含\n换行与\"引号\"的文本\n".to_string());
        doc.site = "in/a".into();
        doc.meta.encoding = Some("GBK".into());
        doc.meta.confidence = Some(0.5);
        doc.meta.malformed = 2;
        doc.count(StageName::Mojibake, 3);
        doc.meta.edits.push(Edit {
            stage: "mojibake",
            rule: "utf8-as-gbk".into(),
            offset: 4,
            before: "鍙".into(),
            after: "发".into(),
            confidence: Some(0.75),
        });
        doc.meta.notes.insert("script", json!({"decision": "keep"}));
        let mut fields = Map::new();
        fields.insert("url".into(), json!("http://x"));
        let items: Vec<Spooled> = vec![
            Ok(Prepared { doc, origin: "in/a/b.txt".into(), fields: Some(fields), bytes_in: 99 }),
            Err(Rejection::Binary {
                id: "p.png".into(),
                origin: "in/p.png".into(),
                reason: "PNG".into(),
            }),
            Err(Rejection::Failed(Failure::new("in/x.jsonl:3", "invalid JSON"))),
            Ok(Prepared {
                doc: Document::new("empty", String::new()),
                origin: "in/empty".into(),
                fields: None,
                bytes_in: 0,
            }),
        ];
        let mut w = SpoolWriter::create(&path).unwrap();
        for item in &items {
            w.write(item).unwrap();
        }
        let back: Vec<Spooled> = w.finish().unwrap().map(|e| e.unwrap().load()).collect();
        assert_eq!(back, items);
        assert!(!path.exists(), "the spool is deleted once read");
    }

    fn doc(i: usize) -> Spooled {
        let text = format!("第{i}篇\n正文内容\n");
        Ok(Prepared {
            doc: Document::new(format!("d{i}"), text),
            origin: format!("in/d{i}"),
            fields: None,
            bytes_in: 10 + i,
        })
    }

    #[test]
    fn memory_first_then_file_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/spool");
        let items: Vec<Spooled> = (0..10).map(doc).collect();
        // Room for about three documents (each counts ~540 bytes).
        let mut w = SpoolWriter::new(&path, 1700);
        let mut held = 0;
        for item in &items {
            if w.fits(SpoolWriter::held_size(item)) {
                w.hold([item.clone()]);
                held += 1;
            } else {
                w.write(item).unwrap();
            }
        }
        assert_eq!(held, 3);
        assert!(!w.fits(1), "nothing more is held once the file is in use");
        assert!(path.exists(), "the rest went to the file");
        let reader = w.finish().unwrap();
        let entries: Vec<SpoolEntry> = reader.map(Result::unwrap).collect();
        assert_eq!(
            entries.iter().map(SpoolEntry::size_hint).collect::<Vec<_>>(),
            (10..20).collect::<Vec<u64>>()
        );
        assert_eq!(entries[0].origin(), "in/d0");
        assert_eq!(entries[5].origin(), "in/d5");
        let back: Vec<Spooled> = entries.into_iter().map(SpoolEntry::load).collect();
        assert_eq!(back, items);
        assert!(!path.exists(), "the spool file is deleted once read");
    }

    #[test]
    fn a_cut_short_spool_file_is_reported_not_read_past() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool");
        let mut w = SpoolWriter::create(&path).unwrap();
        for item in (0..3).map(doc) {
            w.write(&item).unwrap();
        }
        let reader = w.finish().unwrap();
        // Cut the file inside the last document's text.
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 5).unwrap();
        let loaded: Vec<Spooled> = reader.map(|e| e.unwrap().load()).collect();
        assert_eq!(loaded.len(), 3);
        assert_eq!(loaded[..2], [doc(0), doc(1)]);
        match &loaded[2] {
            Err(Rejection::Failed(f)) => assert!(f.reason.contains("spool file damaged"), "{f:?}"),
            other => panic!("expected a damaged-spool failure, got {other:?}"),
        }
    }

    #[test]
    fn a_spool_that_fits_in_memory_makes_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool");
        let items: Vec<Spooled> = (0..4).map(doc).collect();
        let mut w = SpoolWriter::new(&path, 1 << 20);
        assert!(w.fits(4 * 600));
        w.hold(items.clone());
        assert!(w.held_bytes() > 0);
        let back: Vec<Spooled> = w.finish().unwrap().map(|e| e.unwrap().load()).collect();
        assert_eq!(back, items);
        assert!(!path.exists() && std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }
}
