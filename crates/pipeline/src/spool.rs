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
use serde_json::{json, Map, Value};

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
                Value::Object(header_of(p))
            }
            Err(Rejection::Binary { id, origin, reason }) => {
                out.write_all(b"- 0\t")?;
                json!({"k": "binary", "id": id, "origin": origin, "reason": reason})
            }
            Err(Rejection::Failed(f)) => {
                out.write_all(b"- 0\t")?;
                json!({"k": "failed", "origin": f.origin, "reason": f.reason})
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

    /// Flush and hand over the file for reading.
    pub fn finish(mut self) -> io::Result<SpoolReader> {
        self.out.flush()?;
        SpoolReader::open(&self.path)
    }
}

fn header_of(p: &Prepared) -> Map<String, Value> {
    let m = &p.doc.meta;
    let mut h = Map::new();
    h.insert("k".into(), Value::from("doc"));
    h.insert("id".into(), Value::from(p.doc.id.as_str()));
    h.insert("origin".into(), Value::from(p.origin.as_str()));
    h.insert("site".into(), Value::from(p.doc.site.as_str()));
    if let Some(e) = &m.encoding {
        h.insert("encoding".into(), Value::from(e.as_str()));
    }
    if let Some(c) = m.confidence {
        h.insert("confidence".into(), Value::from(f64::from(c)));
    }
    h.insert("malformed".into(), Value::from(m.malformed));
    let changes: Map<String, Value> =
        m.changes.iter().map(|(k, v)| ((*k).to_string(), Value::from(*v))).collect();
    h.insert("changes".into(), Value::Object(changes));
    if !m.edits.is_empty() {
        h.insert("edits".into(), serde_json::to_value(&m.edits).unwrap_or(Value::Null));
    }
    if !m.notes.is_empty() {
        let notes: Map<String, Value> =
            m.notes.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect();
        h.insert("notes".into(), Value::Object(notes));
    }
    if let Some(f) = &p.fields {
        h.insert("fields".into(), Value::Object(f.clone()));
    }
    h
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

fn str_of(h: &Map<String, Value>, k: &str) -> String {
    h.get(k).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// A stage name written by [`header_of`], back as the static name the metadata uses.
fn stage_name(k: &str) -> Option<&'static str> {
    k.parse::<StageName>().ok().map(StageName::as_str)
}

impl SpoolEntry {
    /// Bytes the input had (for batching and progress).
    pub fn size_hint(&self) -> u64 {
        self.bytes_in
    }

    fn header(&self) -> Result<Map<String, Value>, String> {
        match serde_json::from_slice::<Value>(&self.header) {
            Ok(Value::Object(h)) => Ok(h),
            Ok(_) => Err("header is not an object".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn origin(&self) -> String {
        self.header().map(|h| str_of(&h, "origin")).unwrap_or_default()
    }

    /// Rebuild what the first pass produced.
    pub fn load(self) -> Spooled {
        let h = self.header().map_err(|e| {
            Rejection::Failed(Failure::new("spool", format!("spool file damaged: {e}")))
        })?;
        let origin = str_of(&h, "origin");
        match h.get("k").and_then(Value::as_str) {
            Some("binary") => {
                return Err(Rejection::Binary {
                    id: str_of(&h, "id"),
                    origin,
                    reason: str_of(&h, "reason"),
                })
            }
            Some("failed") => {
                return Err(Rejection::Failed(Failure::new(origin, str_of(&h, "reason"))))
            }
            _ => {}
        }
        let text = String::from_utf8(self.text).map_err(|_| {
            Rejection::Failed(Failure::new(origin.clone(), "spool file damaged: text is not UTF-8"))
        })?;
        let mut doc = Document::new(str_of(&h, "id"), text);
        doc.site = str_of(&h, "site");
        doc.meta = Metadata {
            encoding: h.get("encoding").and_then(Value::as_str).map(str::to_owned),
            confidence: h.get("confidence").and_then(Value::as_f64).map(|c| c as f32),
            malformed: h.get("malformed").and_then(Value::as_u64).unwrap_or(0),
            changes: h
                .get("changes")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((stage_name(k)?, v.as_u64()?)))
                .collect(),
            edits: h
                .get("edits")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(edit_of)
                .collect(),
            notes: h
                .get("notes")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((stage_name(k)?, v.clone())))
                .collect(),
        };
        let fields = match h.get("fields") {
            Some(Value::Object(f)) => Some(f.clone()),
            _ => None,
        };
        Ok(Prepared { doc, origin, fields, bytes_in: self.bytes_in as usize })
    }
}

fn edit_of(v: &Value) -> Option<Edit> {
    Some(Edit {
        stage: stage_name(v.get("stage")?.as_str()?)?,
        rule: Cow::Owned(v.get("rule")?.as_str()?.to_string()),
        offset: v.get("offset")?.as_u64()? as usize,
        before: v.get("before")?.as_str()?.to_string(),
        after: v.get("after")?.as_str()?.to_string(),
        confidence: v.get("confidence").and_then(Value::as_f64).map(|c| c as f32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
