//! JSONL shards (optionally gzip-compressed) read record by record, with line numbers.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use qingxi_core::{Failure, Input, InputContent};
use serde_json::{Map, Value};

use crate::source::{io_reason, SourceOptions};

/// Reads one JSONL stream. Each non-blank line is an object with a string `text` and an
/// optional `id` (string or number); every other field passes through untouched.
pub(crate) struct JsonlReader {
    reader: Box<dyn BufRead + Send>,
    /// How ids and origins name this file (`FILE` in `FILE:LINE`).
    name: String,
    /// Site for records without a `url` field.
    site: String,
    /// Path for error messages.
    origin: String,
    line: usize,
    max_line: usize,
    buf: Vec<u8>,
    done: bool,
}

impl JsonlReader {
    pub(crate) fn open(
        path: &Path,
        name: String,
        site: String,
        opts: &SourceOptions,
    ) -> Result<Self, Failure> {
        let origin = path.display().to_string();
        let file = File::open(path).map_err(|e| Failure::new(origin.clone(), io_reason(&e)))?;
        let gz = path.to_string_lossy().to_lowercase().ends_with(".gz");
        let reader: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(file)))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, file))
        };
        let mut r = Self::from_reader(reader, name, site, opts);
        r.origin = origin;
        Ok(r)
    }

    pub(crate) fn from_reader(
        reader: Box<dyn BufRead + Send>,
        name: String,
        site: String,
        opts: &SourceOptions,
    ) -> Self {
        JsonlReader {
            reader,
            origin: name.clone(),
            name,
            site,
            line: 0,
            max_line: opts.max_record_bytes,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The next record or line error; `None` at the end of the stream.
    #[cfg(test)]
    pub(crate) fn next_record(&mut self) -> Option<Result<Input, Failure>> {
        self.next_line().map(|r| r.and_then(RawLine::parse))
    }

    /// The next non-blank line, unparsed (parsing can then happen on a worker thread).
    pub(crate) fn next_line(&mut self) -> Option<Result<RawLine, Failure>> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            self.line += 1;
            let at = format!("{}:{}", self.origin, self.line);
            let limit = self.max_line as u64 + 1;
            match (&mut self.reader).take(limit).read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    // A broken stream (truncated gzip, I/O error) ends this file.
                    self.done = true;
                    return Some(Err(Failure::new(at, io_reason(&e))));
                }
            }
            if self.buf.len() > self.max_line && !self.buf.ends_with(b"\n") {
                // Skip the rest of the over-long line without holding it in memory.
                let mut sink = Vec::new();
                loop {
                    sink.clear();
                    match (&mut self.reader).take(1 << 20).read_until(b'\n', &mut sink) {
                        Ok(0) => break,
                        Ok(_) if sink.ends_with(b"\n") => break,
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                return Some(Err(Failure::new(
                    at,
                    format!(
                        "record longer than {} bytes (twice limits.max-document-bytes)",
                        self.max_line
                    ),
                )));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(RawLine {
                bytes: std::mem::take(&mut self.buf),
                origin: at,
                name: self.name.clone(),
                line: self.line,
                site: self.site.clone(),
            }));
        }
    }
}

/// One JSONL line read but not yet parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    bytes: Vec<u8>,
    /// `path:line`.
    origin: String,
    /// `FILE` of the default id `FILE:LINE`.
    name: String,
    line: usize,
    /// Site for a record without a `url`.
    site: String,
}

impl RawLine {
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Parse the record: an object with a string `text`, an optional `id`, other fields kept.
    pub(crate) fn parse(self) -> Result<Input, Failure> {
        let at = self.origin;
        let value: Value = serde_json::from_slice(&self.bytes)
            .map_err(|e| Failure::new(at.clone(), format!("invalid JSON: {e}")))?;
        let Value::Object(mut fields) = value else {
            return Err(Failure::new(at, "record is not a JSON object"));
        };
        let text = match fields.remove("text") {
            Some(Value::String(t)) => t,
            Some(_) => return Err(Failure::new(at, "field `text` is not a string")),
            None => return Err(Failure::new(at, "record has no `text` field")),
        };
        let id = match fields.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => format!("{}:{}", self.name, self.line),
        };
        let site = url_host(&fields).unwrap_or(self.site);
        Ok(Input { id, origin: at, site, content: InputContent::Text(text), fields: Some(fields) })
    }
}

/// The host of a record's `url` field, used as its site.
fn url_host(fields: &Map<String, Value>) -> Option<String> {
    let url = fields.get("url")?.as_str()?;
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read_all(body: &str, max_line: usize) -> Vec<Result<Input, Failure>> {
        let opts = SourceOptions { max_record_bytes: max_line, ..Default::default() };
        let mut r = JsonlReader::from_reader(
            Box::new(Cursor::new(body.as_bytes().to_vec())),
            "s.jsonl".into(),
            "s".into(),
            &opts,
        );
        std::iter::from_fn(|| r.next_record()).collect()
    }

    #[test]
    fn line_errors_name_the_line() {
        let cases = [
            ("[1,2]\n", "record is not a JSON object"),
            ("{\"id\":1}\n", "record has no `text` field"),
            ("{\"text\":3}\n", "field `text` is not a string"),
            ("{\"text\":\"a\"\n", "invalid JSON"),
        ];
        for (body, want) in cases {
            let got = read_all(body, 1000);
            let f = got[0].as_ref().unwrap_err();
            assert_eq!(f.origin, "s.jsonl:1");
            assert!(f.reason.contains(want), "{body:?}: {f}");
        }
    }

    #[test]
    fn numeric_ids_and_missing_ids() {
        let got = read_all("{\"id\":7,\"text\":\"a\"}\n{\"text\":\"b\"}", 1000);
        assert_eq!(got[0].as_ref().unwrap().id, "7");
        assert_eq!(got[1].as_ref().unwrap().id, "s.jsonl:2");
    }

    #[test]
    fn over_long_line_is_reported_and_reading_continues() {
        let long = format!("{{\"text\":\"{}\"}}\n", "x".repeat(5000));
        let body = format!("{long}{{\"text\":\"ok\"}}\n");
        let got = read_all(&body, 100);
        assert_eq!(got.len(), 2);
        assert!(got[0].as_ref().unwrap_err().reason.contains("longer than"));
        assert_eq!(got[1].as_ref().unwrap().id, "s.jsonl:2");
    }

    #[test]
    fn invalid_utf8_line_is_an_error() {
        let opts = SourceOptions::default();
        let mut body = b"{\"text\":\"".to_vec();
        body.extend_from_slice(&[0xff, 0xfe]);
        body.extend_from_slice(b"\"}\n{\"text\":\"ok\"}\n");
        let mut r =
            JsonlReader::from_reader(Box::new(Cursor::new(body)), "s".into(), "s".into(), &opts);
        assert!(r.next_record().unwrap().is_err());
        assert!(r.next_record().unwrap().is_ok());
    }

    #[test]
    fn url_hosts() {
        for (url, host) in [
            ("https://www.Example.cn/a/b?x=1", Some("www.example.cn")),
            ("http://user@host:8080/", Some("host")),
            ("", None),
        ] {
            let mut m = Map::new();
            m.insert("url".into(), Value::from(url));
            assert_eq!(url_host(&m).as_deref(), host, "{url}");
        }
    }
}
