//! Building the enabled stages and running them over one document.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use qingxi_core::{Document, Failure, Input, InputContent, Output, Stage, StageName};
use qingxi_decode::{decode_utf8_lossy, Decision, Decoded, Decoder};

use crate::Config;

/// True for stages whose implementation has landed. The others are registered by name,
/// accepted in the config and on the command line, and do nothing yet.
pub fn is_implemented(stage: StageName) -> bool {
    matches!(stage, StageName::Decode)
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
    enabled: Toggles,
    /// `None` when the decode stage is off: bytes are then read as UTF-8, lossily.
    decoder: Option<Decoder>,
    /// Text stages (mojibake … reflow), in order.
    text: Vec<Box<dyn Stage>>,
    /// Filter stages (boilerplate … repeats), in order.
    filters: Vec<Box<dyn Stage>>,
}

use crate::Toggles;

impl Pipeline {
    /// Build the stages the config enables. `base_dir` resolves relative paths in the config.
    pub fn build(config: &Config, base_dir: &Path) -> Result<Pipeline, BuildError> {
        let _ = base_dir;
        let on = |s| config.stages.get(s);
        let decoder = if on(StageName::Decode) {
            Some(config.decode.build().map_err(|e| BuildError::new(StageName::Decode, e))?)
        } else {
            None
        };
        let text: Vec<Box<dyn Stage>> = Vec::new();
        let filters: Vec<Box<dyn Stage>> = Vec::new();
        Ok(Pipeline { enabled: config.stages.clone(), decoder, text, filters })
    }

    /// Is this stage switched on?
    pub fn enabled(&self, stage: StageName) -> bool {
        self.enabled.get(stage)
    }

    /// Decode an input into a document (no other stage runs).
    pub fn decode(&self, input: Input) -> Result<Document, Rejection> {
        let (text, encoding, confidence, malformed) = match input.content {
            InputContent::Text(t) => (t, "UTF-8".to_string(), 1.0, 0),
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

    /// Run every enabled stage after decoding; blocks are split and labelled.
    pub fn process(&self, input: Input) -> Result<Document, Rejection> {
        let origin = input.origin.clone();
        let mut doc = self.decode(input)?;
        let mut current = StageName::Decode;
        let result = catch_unwind(AssertUnwindSafe(|| {
            for stage in &self.text {
                current = stage.name();
                stage.run(&mut doc);
            }
            doc.split_blocks();
            for stage in &self.filters {
                current = stage.name();
                stage.run(&mut doc);
            }
        }));
        match result {
            Ok(()) => Ok(doc),
            // A bug in one stage must cost one document, not the run.
            Err(_) => Err(Rejection::Failed(Failure::new(
                origin,
                format!("internal error in stage `{current}` (please report this document)"),
            ))),
        }
    }

    /// Clean one input into an output record.
    pub fn clean(&self, input: Input) -> Result<Output, Rejection> {
        let fields = input.fields.clone();
        let bytes_in = input.len();
        let doc = self.process(input)?;
        Ok(Output::from_document(doc, fields, bytes_in))
    }
}
