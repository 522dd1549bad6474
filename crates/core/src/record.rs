//! What sources hand to the pipeline ([`Input`]) and what the pipeline hands to sinks
//! ([`Output`]), including the JSON record of GUIDE.md §6.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{json, Document, Label, Metadata};

/// The body of an input: raw bytes from a file (to be decoded) or text from a JSONL record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputContent {
    Bytes(Vec<u8>),
    Text(String),
}

/// One document as read by a source, before any stage has run.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Stable id: path relative to the input root, the JSONL `id`, or `FILE:LINE`.
    pub id: String,
    /// Where it came from, for error messages: `path` or `path:line`.
    pub origin: String,
    /// The site the document belongs to (see [`Document::site`]).
    pub site: String,
    pub content: InputContent,
    /// Fields of a JSONL record other than `text`, passed through untouched.
    pub fields: Option<Map<String, Value>>,
}

impl Input {
    /// Size of the body in bytes (what throughput is counted in).
    pub fn len(&self) -> usize {
        match &self.content {
            InputContent::Bytes(b) => b.len(),
            InputContent::Text(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A block taken out of `text`, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub label: Label,
    pub rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// 1-based line in the text after the text stages.
    pub line: usize,
    pub text: String,
}

/// The result of joining a document's blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    pub text: String,
    pub template: String,
    pub removed: Vec<Removed>,
}

/// One cleaned document, ready for a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub id: String,
    /// Where the input came from (`path` or `path:line`); not part of the JSON record.
    pub origin: String,
    pub text: String,
    pub template: String,
    pub meta: Metadata,
    pub removed: Vec<Removed>,
    /// Pass-through fields of a JSONL record.
    pub fields: Option<Map<String, Value>>,
    /// Size of the input body in bytes.
    pub bytes_in: usize,
    /// The record already serialized by [`Output::write_json_line`] on a worker thread, so
    /// the thread that writes the output only copies bytes.
    pub json_line: Option<Vec<u8>>,
}

impl Output {
    /// Assemble a finished document into an output record.
    pub fn from_document(
        mut doc: Document,
        fields: Option<Map<String, Value>>,
        bytes_in: usize,
    ) -> Self {
        let Assembled { text, template, removed } = doc.take_assembled();
        Output {
            origin: doc.id.clone(),
            id: doc.id,
            text,
            template,
            meta: doc.meta,
            removed,
            fields,
            bytes_in,
            json_line: None,
        }
    }

    /// The `metadata` object of the output record.
    pub fn metadata_json(&self) -> Map<String, Value> {
        let m = &self.meta;
        let mut out = Map::new();
        if let Some(e) = &m.encoding {
            out.insert("encoding".into(), Value::from(e.as_str()));
        }
        if let Some(c) = m.confidence {
            out.insert("confidence".into(), Value::from(round_confidence(c)));
        }
        if m.malformed > 0 {
            out.insert("malformed".into(), Value::from(m.malformed));
        }
        let changes: Map<String, Value> =
            m.changes.iter().map(|(k, v)| ((*k).to_string(), Value::from(*v))).collect();
        out.insert("changes".into(), Value::Object(changes));
        out.insert("removed".into(), to_value(&self.removed));
        if !m.edits.is_empty() {
            out.insert("edits".into(), to_value(&m.edits));
        }
        for (k, v) in &m.notes {
            out.insert((*k).to_string(), v.clone());
        }
        out
    }

    /// Write the output record as one line of JSON (with the newline). Same bytes as
    /// serializing [`Output::to_json`], without building a JSON tree first: this runs once
    /// per document on the thread that writes the output.
    pub fn write_json_line(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let theirs_has_metadata = self.fields.as_ref().is_some_and(|f| f.contains_key("metadata"));
        if theirs_has_metadata {
            serde_json::to_writer(&mut *w, &self.to_json())?;
        } else {
            self.write_record(w)?;
        }
        w.write_all(b"\n")
    }

    /// The record without a pass-through `metadata`, written field by field: the long
    /// strings go through [`json::write_str`], the small values through `serde_json`.
    fn write_record(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let m = &self.meta;
        w.write_all(b"{\"id\":")?;
        json::write_str(w, &self.id)?;
        w.write_all(b",\"text\":")?;
        json::write_str(w, &self.text)?;
        w.write_all(b",\"template\":")?;
        json::write_str(w, &self.template)?;
        w.write_all(b",\"metadata\":{")?;
        if let Some(e) = &m.encoding {
            w.write_all(b"\"encoding\":")?;
            json::write_str(w, e)?;
            w.write_all(b",")?;
        }
        if let Some(c) = m.confidence {
            w.write_all(b"\"confidence\":")?;
            serde_json::to_writer(&mut *w, &round_confidence(c))?;
            w.write_all(b",")?;
        }
        if m.malformed > 0 {
            write!(w, "\"malformed\":{},", m.malformed)?;
        }
        w.write_all(b"\"changes\":")?;
        serde_json::to_writer(&mut *w, &m.changes)?;
        w.write_all(b",\"removed\":[")?;
        for (i, r) in self.removed.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            w.write_all(b"{\"label\":")?;
            serde_json::to_writer(&mut *w, &r.label)?;
            w.write_all(b",\"rule\":")?;
            json::write_str(w, r.rule)?;
            if let Some(t) = &r.matched {
                w.write_all(b",\"matched\":")?;
                json::write_str(w, t)?;
            }
            write!(w, ",\"line\":{},\"text\":", r.line)?;
            json::write_str(w, &r.text)?;
            w.write_all(b"}")?;
        }
        w.write_all(b"]")?;
        if !m.edits.is_empty() {
            w.write_all(b",\"edits\":")?;
            serde_json::to_writer(&mut *w, &m.edits)?;
        }
        for (k, v) in &m.notes {
            w.write_all(b",")?;
            json::write_str(w, k)?;
            w.write_all(b":")?;
            serde_json::to_writer(&mut *w, v)?;
        }
        w.write_all(b"}")?;
        if let Some(fields) = &self.fields {
            for (k, v) in fields {
                if !matches!(k.as_str(), "id" | "text" | "template" | "metadata") {
                    w.write_all(b",")?;
                    json::write_str(w, k)?;
                    w.write_all(b":")?;
                    serde_json::to_writer(&mut *w, v)?;
                }
            }
        }
        w.write_all(b"}")
    }

    /// The full output record: `id`, `text`, `template`, `metadata`, then any pass-through
    /// fields. A pass-through `metadata` object is kept and our keys are merged into it.
    pub fn to_json(&self) -> Value {
        let mut rec = Map::new();
        rec.insert("id".into(), Value::from(self.id.as_str()));
        rec.insert("text".into(), Value::from(self.text.as_str()));
        rec.insert("template".into(), Value::from(self.template.as_str()));
        let mut metadata = self.metadata_json();
        let mut rest = Map::new();
        if let Some(fields) = &self.fields {
            for (k, v) in fields {
                match (k.as_str(), v) {
                    ("id" | "text" | "template", _) => {}
                    ("metadata", Value::Object(theirs)) => {
                        let mut merged = theirs.clone();
                        merged.append(&mut metadata);
                        metadata = merged;
                    }
                    _ => {
                        rest.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        rec.insert("metadata".into(), Value::Object(metadata));
        rec.append(&mut rest);
        Value::Object(rec)
    }
}

/// Confidence as recorded: two decimals are plenty and keep records stable across platforms.
fn round_confidence(c: f32) -> f64 {
    (f64::from(c) * 100.0).round() / 100.0
}

fn to_value<T: Serialize>(v: &T) -> Value {
    // Serializing our own plain structs cannot fail.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn record_has_contract_fields_and_passes_others_through() {
        let mut doc = Document::new("x:3", "正文\n".to_string());
        doc.meta.encoding = Some("UTF-8".into());
        doc.meta.confidence = Some(1.0);
        let fields =
            json!({"id": "x", "text": "old", "url": "http://a", "metadata": {"lang": "zh"}});
        let out = Output::from_document(doc, fields.as_object().cloned(), 7);
        let v = out.to_json();
        assert_eq!(v["id"], "x:3");
        assert_eq!(v["text"], "正文\n");
        assert_eq!(v["template"], "");
        assert_eq!(v["url"], "http://a");
        assert_eq!(v["metadata"]["lang"], "zh");
        assert_eq!(v["metadata"]["encoding"], "UTF-8");
        assert_eq!(v["metadata"]["removed"], json!([]));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["id", "text", "template", "metadata", "url"]);
    }

    #[test]
    fn streamed_record_is_byte_identical_to_the_tree() {
        let mut doc = Document::new("a/b.txt", "正文\n分享\n".to_string());
        doc.meta.encoding = Some("GBK".into());
        doc.meta.confidence = Some(0.876);
        doc.meta.malformed = 2;
        doc.count(crate::StageName::Mojibake, 1);
        doc.meta.edits.push(crate::Edit {
            stage: "mojibake",
            rule: "utf8-as-gbk".into(),
            offset: 1,
            before: "鍙".into(),
            after: "发".into(),
            confidence: Some(0.5),
        });
        doc.meta.notes.insert("script", json!({"decision": "keep"}));
        doc.split_blocks();
        doc.blocks[1].set_label(Label::Boilerplate, "boilerplate.share", Some("分享"));
        let plain = Output::from_document(doc.clone(), None, 9);
        let extra = json!({"url": "u", "id": "x", "n": 1}).as_object().cloned();
        let with_fields = Output::from_document(doc.clone(), extra, 9);
        let theirs = json!({"metadata": {"lang": "zh"}, "k": [1]}).as_object().cloned();
        let with_metadata = Output::from_document(doc, theirs, 9);
        // No encoding or confidence, escapes in every string, a removal without a term.
        let mut bare = Document::new("q\"\\.txt", "引\"号\"\t\\\n重复\u{1}\n模板\n".to_string());
        bare.split_blocks();
        bare.blocks[1].set_label(Label::Repeat, "repeat.exact", None);
        bare.blocks[2].set_label(Label::Template, "template.placeholder", Some("\"x\""));
        let bare = Output::from_document(bare, None, 3);
        assert!(bare.meta.encoding.is_none() && !bare.removed.is_empty());
        for out in [plain, with_fields, with_metadata, bare] {
            let mut streamed = Vec::new();
            out.write_json_line(&mut streamed).unwrap();
            let mut tree = serde_json::to_vec(&out.to_json()).unwrap();
            tree.push(b'\n');
            assert_eq!(String::from_utf8(streamed).unwrap(), String::from_utf8(tree).unwrap());
        }
    }
}

/// A document that could not be processed, reported as `origin: reason` (GUIDE.md §5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct Failure {
    /// `path` or `path:line`.
    pub origin: String,
    pub reason: String,
}

impl Failure {
    pub fn new(origin: impl Into<String>, reason: impl Into<String>) -> Self {
        Failure { origin: origin.into(), reason: reason.into() }
    }
}

/// An input that has been found but not yet read. Sources hand these out in a fixed order;
/// the runner loads them on worker threads so reading overlaps with cleaning.
pub trait Pending: Send {
    /// `path` or `path:line`, for progress and error messages.
    fn origin(&self) -> &str;
    /// The id the input will have (used to assign inputs to shards before reading them).
    fn id(&self) -> &str;
    /// Bytes this input is expected to contribute (for progress totals).
    fn size_hint(&self) -> u64;
    /// Read the input.
    fn load(self) -> Result<Input, Failure>;
}

/// An input that is already in memory (a JSONL record, stdin).
#[derive(Debug, Clone, PartialEq)]
pub struct Ready(pub Input);

impl Pending for Ready {
    fn origin(&self) -> &str {
        &self.0.origin
    }

    fn id(&self) -> &str {
        &self.0.id
    }

    fn size_hint(&self) -> u64 {
        self.0.len() as u64
    }

    fn load(self) -> Result<Input, Failure> {
        Ok(self.0)
    }
}
