//! The spool: documents after decoding and the text stages, saved by the corpus pass so the
//! cleaning pass does not decode and rewrite every document a second time.
//!
//! Site-repeated lines can only be judged after every document has been counted, so a run
//! with the template stage makes two passes. The first decodes each input, runs the text
//! stages, counts the lines, and appends the prepared document to the spool; the second
//! reads the spool back in the same order and only labels blocks and writes records.
//!
//! Format: per document, one header line — the text's length in bytes (`-` for a rejected
//! input, which has no text), the input's size, a tab, then a JSON object (id, origin, site,
//! metadata, pass-through fields) — followed by the text's bytes and a newline. The text is
//! written raw, so spooling costs a copy, not an escape/unescape round trip, and the reader
//! only needs the two numbers: the JSON is parsed on the worker that loads the entry. The
//! spool file is deleted when dropped.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use qingxi_core::{Document, Edit, Failure, Metadata, StageName};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Prepared, Rejection};

/// What the first pass produced for one input.
pub type Spooled = Result<Prepared, Rejection>;

/// Appends prepared documents to a spool file.
#[derive(Debug)]
pub struct SpoolWriter {
    path: PathBuf,
    out: BufWriter<File>,
}

impl SpoolWriter {
    pub fn create(path: &Path) -> io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::create(path)?;
        Ok(SpoolWriter { path: path.to_path_buf(), out: BufWriter::with_capacity(1 << 20, file) })
    }

    pub fn write(&mut self, item: &Spooled) -> io::Result<()> {
        Self::encode(item, &mut self.out)
    }

    /// Append a record made by [`SpoolWriter::encode`].
    pub fn write_encoded(&mut self, record: &[u8]) -> io::Result<()> {
        self.out.write_all(record)
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

    /// Flush and hand over the file for reading.
    pub fn finish(mut self) -> io::Result<SpoolReader> {
        self.out.flush()?;
        SpoolReader::open(&self.path)
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

/// Reads a spool back in order. Entries are split off here; turning one into a document
/// ([`SpoolEntry::load`]) happens on a worker thread.
#[derive(Debug)]
pub struct SpoolReader {
    path: PathBuf,
    input: BufReader<File>,
    line: Vec<u8>,
    /// Spool files are ours: a malformed one is a bug or a damaged disk, and ends the read.
    broken: bool,
}

/// One spooled input, header and text still bytes.
#[derive(Debug)]
pub struct SpoolEntry {
    header: Vec<u8>,
    text: Vec<u8>,
    bytes_in: u64,
}

impl SpoolReader {
    pub fn open(path: &Path) -> io::Result<Self> {
        Ok(SpoolReader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(1 << 20, File::open(path)?),
            line: Vec::new(),
            broken: false,
        })
    }

    fn fail(&mut self, why: String) -> Option<Result<SpoolEntry, Failure>> {
        self.broken = true;
        Some(Err(Failure::new(
            self.path.display().to_string(),
            format!("spool file damaged: {why}"),
        )))
    }
}

impl Iterator for SpoolReader {
    type Item = Result<SpoolEntry, Failure>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.broken {
            return None;
        }
        self.line.clear();
        match self.input.read_until(b'\n', &mut self.line) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => return self.fail(e.to_string()),
        }
        // `LEN BYTES_IN\tJSON\n`
        let Some(tab) = self.line.iter().position(|&b| b == b'\t') else {
            return self.fail("header has no tab".into());
        };
        let numbers = String::from_utf8_lossy(&self.line[..tab]).into_owned();
        let mut parts = numbers.split(' ');
        let (len, bytes_in) = match (parts.next(), parts.next().map(str::parse::<u64>)) {
            (Some("-"), Some(Ok(b))) => (None, b),
            (Some(l), Some(Ok(b))) => match l.parse::<usize>() {
                Ok(l) => (Some(l), b),
                Err(_) => return self.fail(format!("bad length `{l}`")),
            },
            _ => return self.fail(format!("bad header numbers `{numbers}`")),
        };
        let header = self.line[tab + 1..].to_vec();
        let mut text = Vec::new();
        if let Some(len) = len {
            text.resize(len + 1, 0);
            if let Err(e) = self.input.read_exact(&mut text) {
                return self.fail(e.to_string());
            }
            text.pop();
        }
        Some(Ok(SpoolEntry { header, text, bytes_in }))
    }
}

impl Drop for SpoolReader {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl SpoolEntry {
    /// Bytes the input had (for batching and progress).
    pub fn size_hint(&self) -> u64 {
        self.bytes_in
    }

    fn header(&self) -> Result<Header<'_>, String> {
        serde_json::from_slice::<Header>(&self.header).map_err(|e| e.to_string())
    }

    pub fn origin(&self) -> String {
        self.header().map(|h| h.origin.into_owned()).unwrap_or_default()
    }

    /// Rebuild what the first pass produced.
    pub fn load(self) -> Spooled {
        let h = self.header().map_err(|e| {
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
        let text = simdutf8::basic::from_utf8(&self.text).map(str::to_owned).map_err(|_| {
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
        Ok(Prepared { doc, origin, fields: h.fields, bytes_in: self.bytes_in as usize })
    }
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
}
