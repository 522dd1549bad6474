//! Building the enabled stages and running them over one document.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

use qingxi_core::{Document, Failure, Input, InputContent, Output, Stage, StageName};
use qingxi_decode::{decode_utf8_lossy, Decision, Decoded, Decoder};
use qingxi_filter::{FilterError, LineCounts};
use qingxi_normalize::{NormalizeError, Reflow};

use crate::profile::{Phase, Profile};
use crate::Config;

/// True for stages whose implementation has landed. The others are registered by name,
/// accepted in the config and on the command line, and do nothing yet.
pub fn is_implemented(stage: StageName) -> bool {
    matches!(
        stage,
        StageName::Decode
            | StageName::Mojibake
            | StageName::Annotations
            | StageName::Script
            | StageName::Normalize
            | StageName::Reflow
            | StageName::Boilerplate
            | StageName::Spam
            | StageName::Template
            | StageName::Repeats
    )
}

/// A stage could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
#[error("[{stage}]: {message}")]
pub struct BuildError {
    pub stage: StageName,
    pub message: String,
}

impl BuildError {
    fn new(stage: StageName, message: impl std::fmt::Display) -> Self {
        BuildError { stage, message: message.to_string() }
    }
}

/// Why a document produced no output record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Not text: skipped and listed, never decoded into garbage.
    Binary { id: String, origin: String, reason: String },
    /// Something went wrong while cleaning.
    Failed(Failure),
}

/// Every enabled stage, built once.
#[derive(Debug)]
pub struct Pipeline {
    pub(crate) config: Config,
    /// `None` when the decode stage is off: bytes are then read as UTF-8, lossily.
    decoder: Option<Decoder>,
    /// Text stages (mojibake … reflow), in order.
    text: Vec<Box<dyn Stage>>,
    /// Filter stages (boilerplate … repeats), in order.
    filters: Vec<Box<dyn Stage>>,
    /// Reflow again after filters removed blocks (see [`Pipeline::finish`]).
    rejoin: Option<Reflow>,
    /// Time per stage, when `--profile` asked for it.
    profile: Option<Arc<Profile>>,
}

impl Pipeline {
    /// Build the stages the config enables. `base_dir` resolves relative paths in the config.
    /// The template stage's site-repeat rule needs corpus counts: see
    /// [`Pipeline::wants_line_counts`] and [`Pipeline::with_line_counts`].
    pub fn build(config: &Config, base_dir: &Path) -> Result<Pipeline, BuildError> {
        Self::build_with(config, base_dir, None)
    }

    fn build_with(
        config: &Config,
        base_dir: &Path,
        counts: Option<Arc<LineCounts>>,
    ) -> Result<Pipeline, BuildError> {
        let on = |s| config.stages.get(s);
        let fail = |stage| move |e: FilterError| BuildError::new(stage, e);
        let decoder = if on(StageName::Decode) {
            Some(config.decode.build().map_err(|e| BuildError::new(StageName::Decode, e))?)
        } else {
            None
        };
        let norm = |stage| move |e: NormalizeError| BuildError::new(stage, e);
        let mut text: Vec<Box<dyn Stage>> = Vec::new();
        if on(StageName::Mojibake) {
            let stage =
                config.mojibake.build().map_err(|e| BuildError::new(StageName::Mojibake, e))?;
            text.push(Box::new(stage));
        }
        if on(StageName::Annotations) {
            text.push(Box::new(config.annotations.build().map_err(norm(StageName::Annotations))?));
        }
        if on(StageName::Script) {
            text.push(Box::new(config.script.build().map_err(norm(StageName::Script))?));
        }
        if on(StageName::Normalize) {
            text.push(Box::new(config.normalize.build().map_err(norm(StageName::Normalize))?));
        }
        if on(StageName::Reflow) {
            text.push(Box::new(config.reflow.build().map_err(norm(StageName::Reflow))?));
        }
        let mut filters: Vec<Box<dyn Stage>> = Vec::new();
        let mut boilerplate = if on(StageName::Boilerplate) {
            Some(config.boilerplate.build(base_dir).map_err(fail(StageName::Boilerplate))?)
        } else {
            None
        };
        let spam = if on(StageName::Spam) {
            Some(config.spam.build(base_dir).map_err(fail(StageName::Spam))?)
        } else {
            None
        };
        // Spam runs right after boilerplate: one dictionary walk per line serves both.
        if let (Some(b), Some(s)) = (&mut boilerplate, &spam) {
            b.share_walk_with(s);
        }
        if let Some(b) = boilerplate {
            filters.push(Box::new(b));
        }
        if let Some(s) = spam {
            filters.push(Box::new(s));
        }
        if on(StageName::Template) {
            filters
                .push(Box::new(config.template.build(counts).map_err(fail(StageName::Template))?));
        }
        if on(StageName::Repeats) {
            filters.push(Box::new(config.repeats.build().map_err(fail(StageName::Repeats))?));
        }
        let mut config = config.clone();
        config.base_dir = base_dir.to_path_buf();
        // Taking a block out can leave the two halves of a broken paragraph next to each
        // other (a widget line inside a paragraph); reflow runs once more over what is kept.
        let rejoin = match on(StageName::Reflow) && !filters.is_empty() {
            true => Some(config.reflow.build().map_err(norm(StageName::Reflow))?),
            false => None,
        };
        Ok(Pipeline { config, decoder, text, filters, rejoin, profile: None })
    }

    /// Record the time spent in each stage (see [`Pipeline::profile`]).
    pub fn enable_profile(&mut self) {
        self.profile = Some(Arc::new(Profile::default()));
    }

    /// Time per phase so far, when profiling is on.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_deref()
    }

    /// Run `f`, charging its time to `phase` when profiling.
    pub(crate) fn timed<T>(&self, phase: Phase, f: impl FnOnce() -> T) -> T {
        match &self.profile {
            Some(p) => p.time(phase, f),
            None => f(),
        }
    }

    /// True when the template stage would use corpus line counts (a first pass over the
    /// inputs) to find lines a site repeats on many pages.
    pub fn wants_line_counts(&self) -> bool {
        self.enabled(StageName::Template) && self.config.template.site_repeats
    }

    /// An empty line-counts table sized by the config.
    pub fn new_line_counts(&self) -> LineCounts {
        self.config.template.new_counts()
    }

    /// Count the lines of one document into `counts`, after the text stages, exactly as the
    /// template stage will later see them.
    pub fn observe(&self, counts: &mut LineCounts, input: Input) {
        if let Ok(p) = self.prepare(input) {
            counts.observe(&p.doc.site, &p.doc.text);
        }
    }

    /// The same pipeline with the template stage rebuilt to use `counts`.
    pub fn with_line_counts(self, counts: Arc<LineCounts>) -> Result<Pipeline, BuildError> {
        let base_dir = self.config.base_dir.clone();
        let mut p = Self::build_with(&self.config, &base_dir, Some(counts))?;
        p.profile = self.profile;
        Ok(p)
    }

    /// Is this stage switched on?
    pub fn enabled(&self, stage: StageName) -> bool {
        self.config.stages.get(stage)
    }

    /// Decode an input into a document (no other stage runs).
    pub fn decode(&self, input: Input) -> Result<Document, Rejection> {
        let (text, encoding, confidence, malformed) = match input.content {
            InputContent::Text(t) => {
                let max = self.config.limits.max_document_bytes;
                if t.len() as u64 > max {
                    return Err(Rejection::Failed(Failure::new(
                        input.origin,
                        format!(
                            "text is {} bytes, over the limit of {max} bytes (limits.max-document-bytes)",
                            t.len()
                        ),
                    )));
                }
                (t, "UTF-8".to_string(), 1.0, 0)
            }
            InputContent::Bytes(bytes) => {
                let decoded = match &self.decoder {
                    None => decode_utf8_lossy(&bytes),
                    Some(decoder) => match decoder.decode(&bytes) {
                        Decision::Text(d) => d,
                        Decision::Binary(reason) => {
                            return Err(Rejection::Binary {
                                id: input.id,
                                origin: input.origin,
                                reason: format!("binary ({reason})"),
                            })
                        }
                    },
                };
                let Decoded { text, encoding, confidence, malformed, .. } = decoded;
                (text.into_owned(), encoding.to_string(), confidence, malformed)
            }
        };
        let limit = self.config.limits.max_line_bytes;
        if text.len() as u64 > limit {
            if let Some((n, len)) = longest_line_over(&text, limit) {
                return Err(Rejection::Failed(Failure::new(
                    input.origin,
                    format!("line {n} is {len} bytes, over the limit of {limit} (limits.max-line-bytes)"),
                )));
            }
        }
        let mut doc = Document::new(input.id, text);
        doc.site = input.site;
        doc.meta.encoding = Some(encoding);
        doc.meta.confidence = Some(confidence);
        doc.meta.malformed = malformed;
        if malformed > 0 {
            doc.count(StageName::Decode, malformed);
        }
        Ok(doc)
    }

    /// Run stages over `doc`, catching a panic so a bug in one stage costs one document
    /// (reported with the stage's name), not the run.
    fn guarded(
        &self,
        doc: &mut Document,
        origin: &str,
        f: impl FnOnce(&mut Document, &mut StageName),
    ) -> Result<(), Rejection> {
        let mut current = StageName::Decode;
        catch_unwind(AssertUnwindSafe(|| f(doc, &mut current))).map_err(|_| {
            Rejection::Failed(Failure::new(
                origin,
                format!("internal error in stage `{current}` (please report this document)"),
            ))
        })
    }

    /// Decode and run the text stages: everything up to splitting into blocks.
    pub fn prepare(&self, input: Input) -> Result<Prepared, Rejection> {
        let origin = input.origin.clone();
        let fields = input.fields.clone();
        let bytes_in = input.len();
        let mut doc = self.timed(Phase::Stage(StageName::Decode), || self.decode(input))?;
        self.guarded(&mut doc, &origin, |doc, current| {
            for stage in &self.text {
                *current = stage.name();
                self.timed(Phase::Stage(*current), || stage.run(doc));
            }
        })?;
        Ok(Prepared { doc, origin, fields, bytes_in })
    }

    /// Split a prepared document into blocks and run the filter stages.
    pub fn label(&self, doc: &mut Document, origin: &str) -> Result<(), Rejection> {
        self.timed(Phase::Assemble, || doc.split_blocks());
        self.guarded(doc, origin, |doc, current| {
            for stage in &self.filters {
                *current = stage.name();
                self.timed(Phase::Stage(*current), || stage.run(doc));
            }
        })
    }

    /// Run every enabled stage; the document comes back with its blocks labelled.
    pub fn process(&self, input: Input) -> Result<Document, Rejection> {
        let Prepared { mut doc, origin, .. } = self.prepare(input)?;
        self.label(&mut doc, &origin)?;
        Ok(doc)
    }

    /// Label a prepared document and assemble its output record.
    pub fn finish(&self, prepared: Prepared) -> Result<Output, Rejection> {
        let Prepared { mut doc, origin, fields, bytes_in } = prepared;
        self.label(&mut doc, &origin)?;
        let removed_some = doc.blocks.iter().any(|b| !b.is_content());
        let mut out = self.timed(Phase::Assemble, || Output::from_document(doc, fields, bytes_in));
        out.origin = origin;
        if let (Some(reflow), true) = (&self.rejoin, removed_some) {
            // The kept text is what a second run would see: reflow it now, so cleaning the
            // output again changes nothing.
            let mut kept = Document::new(String::new(), std::mem::take(&mut out.text));
            self.guarded(&mut kept, &out.origin, |d, current| {
                *current = StageName::Reflow;
                self.timed(Phase::Stage(StageName::Reflow), || reflow.run(d));
            })?;
            out.text = kept.text;
            if let Some(n) = kept.meta.changes.get(StageName::Reflow.as_str()) {
                *out.meta.changes.entry(StageName::Reflow.as_str()).or_insert(0) += n;
            }
        }
        Ok(out)
    }

    /// Clean one input into an output record.
    pub fn clean(&self, input: Input) -> Result<Output, Rejection> {
        self.finish(self.prepare(input)?)
    }
}

/// A document after decoding and the text stages, with what its output record needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub doc: Document,
    /// `path` or `path:line` of the input.
    pub origin: String,
    /// Pass-through fields of a JSONL record.
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// Size of the input body in bytes.
    pub bytes_in: usize,
}

/// The first line longer than `limit` bytes, as (1-based number, length).
fn longest_line_over(text: &str, limit: u64) -> Option<(usize, usize)> {
    text.split('\n')
        .enumerate()
        .find(|(_, l)| l.len() as u64 > limit)
        .map(|(i, l)| (i + 1, l.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(content: InputContent) -> Input {
        Input { id: "x".into(), origin: "in/x".into(), site: String::new(), content, fields: None }
    }

    #[test]
    fn over_limit_documents_and_lines_are_reported_with_their_origin() {
        let mut config = Config::default();
        config.limits.max_document_bytes = 100;
        config.limits.max_line_bytes = 10;
        let p = Pipeline::build(&config, Path::new(".")).unwrap();
        let cases = [
            (InputContent::Text("字".repeat(50)), "limits.max-document-bytes"),
            (InputContent::Bytes(b"short\nthis line is too long\n".to_vec()), "line 2 is 21 bytes"),
        ];
        for (content, want) in cases {
            match p.clean(input(content)) {
                Err(Rejection::Failed(f)) => {
                    assert_eq!(f.origin, "in/x");
                    assert!(f.reason.contains(want), "{f}");
                }
                other => panic!("expected a failure, got {other:?}"),
            }
        }
        assert!(p.clean(input(InputContent::Bytes(b"ok\nfine\n".to_vec()))).is_ok());
    }
}
