//! The `Stage` trait and the fixed, stable list of stage names.

use std::fmt;
use std::str::FromStr;

use crate::Document;

/// One step of the pipeline. Stages are built once from the configuration and shared
/// read-only across threads; `run` must not do I/O.
///
/// Text stages rewrite `doc.text` and count their changes with [`Document::count`]; filter
/// stages only label `doc.blocks`.
pub trait Stage: Send + Sync + fmt::Debug {
    /// The stage's stable name.
    fn name(&self) -> StageName;
    /// Apply the stage to one document.
    fn run(&self, doc: &mut Document);
}

/// The stages in their fixed order (GUIDE.md §4). The order is a property of the code;
/// configuration only switches stages on and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageName {
    Decode,
    Mojibake,
    Annotations,
    Script,
    Normalize,
    Reflow,
    Boilerplate,
    Spam,
    Template,
    Repeats,
}

impl StageName {
    /// Every stage, in pipeline order.
    pub const ALL: [StageName; 10] = [
        StageName::Decode,
        StageName::Mojibake,
        StageName::Annotations,
        StageName::Script,
        StageName::Normalize,
        StageName::Reflow,
        StageName::Boilerplate,
        StageName::Spam,
        StageName::Template,
        StageName::Repeats,
    ];

    /// The name used in `pipeline.toml`, on the command line and in output metadata.
    pub const fn as_str(self) -> &'static str {
        match self {
            StageName::Decode => "decode",
            StageName::Mojibake => "mojibake",
            StageName::Annotations => "annotations",
            StageName::Script => "script",
            StageName::Normalize => "normalize",
            StageName::Reflow => "reflow",
            StageName::Boilerplate => "boilerplate",
            StageName::Spam => "spam",
            StageName::Template => "template",
            StageName::Repeats => "repeats",
        }
    }

    /// One line describing what the stage does.
    pub const fn summary(self) -> &'static str {
        match self {
            StageName::Decode => "bytes -> UTF-8; records encoding and confidence",
            StageName::Mojibake => "repair mis-decoded spans; never touch clean text",
            StageName::Annotations => {
                "remove pinyin readings a converter inserted after Han characters"
            }
            StageName::Script => {
                "keep / to-simplified / auto (revert only machine-converted Traditional)"
            }
            StageName::Normalize => {
                "NFC, control/zero-width chars, space runs, full-width ASCII, CJK punctuation"
            }
            StageName::Reflow => {
                "rejoin paragraphs broken by stray line breaks; drop markup residue"
            }
            StageName::Boilerplate => {
                "page furniture lines: share/print widgets, nav, source/editor lines, promos"
            }
            StageName::Spam => "SEO keyword blocks, porn/gambling/ad runs",
            StageName::Template => {
                "placeholders, form skeleton labels, lines repeated across a site"
            }
            StageName::Repeats => "paragraphs repeated inside one document",
        }
    }

    /// True for stages that label blocks rather than rewrite text.
    pub const fn is_filter(self) -> bool {
        matches!(
            self,
            StageName::Boilerplate | StageName::Spam | StageName::Template | StageName::Repeats
        )
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stage name that is not one of [`StageName::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stage `{0}` (known stages: decode, mojibake, annotations, script, normalize, reflow, boilerplate, spam, template, repeats)")]
pub struct UnknownStage(pub String);

impl FromStr for StageName {
    type Err = UnknownStage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StageName::ALL
            .into_iter()
            .find(|n| n.as_str() == s.trim())
            .ok_or_else(|| UnknownStage(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_order() {
        for (i, n) in StageName::ALL.iter().enumerate() {
            assert_eq!(n.as_str().parse::<StageName>(), Ok(*n));
            if i > 0 {
                assert!(StageName::ALL[i - 1] < *n, "ALL must be in pipeline order");
            }
        }
        assert!("dedupe".parse::<StageName>().is_err());
    }
}
