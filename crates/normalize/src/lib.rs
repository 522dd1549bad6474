//! Chinese-safe text stages: strip converter pinyin annotations, undo machine Traditional
//! conversion, normalize Unicode/width/punctuation/whitespace, and rejoin broken paragraphs.
//!
//! Four stages, in pipeline order (GUIDE.md §4), each built from its config section:
//! - [`Annotations`] (`[annotations]`, [`AnnotationsConfig`]): `衛(wèi)生` → `衛生`, only when
//!   the parenthesized text is a real reading of the character before it.
//! - [`Script`] (`[script]`, [`ScriptConfig`]): `keep`, `to-simplified`, or `auto` (convert
//!   only documents that show evidence of machine conversion). Conversion is phrase-level
//!   with OpenCC's dictionaries, behind our own [`T2s`] type.
//! - [`Normalize`] (`[normalize]`, [`NormalizeConfig`]): NFC, control and zero-width
//!   characters, indentation runs, full-width ASCII, half-width punctuation between CJK.
//! - [`Reflow`] (`[reflow]`, [`ReflowConfig`]): line endings, trailing spaces, `**` residue,
//!   paragraphs broken by stray line breaks.
//!
//! Every stage leaves clean text byte-for-byte unchanged (and returns without copying), and
//! applying a stage twice gives the same text as applying it once.
//!
//! ```
//! use qingxi_core::{Document, Stage};
//! use qingxi_normalize::{AnnotationsConfig, NormalizeConfig, ReflowConfig, ScriptConfig};
//!
//! let stages: Vec<Box<dyn Stage>> = vec![
//!     Box::new(AnnotationsConfig::default().build().unwrap()),
//!     Box::new(ScriptConfig::default().build().unwrap()),
//!     Box::new(NormalizeConfig::default().build().unwrap()),
//!     Box::new(ReflowConfig::default().build().unwrap()),
//! ];
//! let mut doc = Document::new("a.txt", "青島市衛(wèi)生健康委員會工作總結(jié)\n".to_string());
//! for s in &stages {
//!     s.run(&mut doc);
//! }
//! assert_eq!(doc.text, "青岛市卫生健康委员会工作总结\n");
//! assert_eq!(doc.meta.changes["annotations"], 2);
//! ```

mod annotations;
mod chars;
mod normalize;
mod reflow;
mod script;
mod t2s;

pub use annotations::{Annotations, AnnotationsConfig};
pub use normalize::{Normalize, NormalizeConfig};
pub use reflow::{Reflow, ReflowConfig};
pub use script::{Script, ScriptConfig, ScriptDecision, ScriptEvidence, ScriptMode};
pub use t2s::T2s;

/// Why a stage could not be built from its configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NormalizeError {
    /// An option has a value outside its allowed range.
    #[error("invalid value for `{option}`: {reason}")]
    InvalidOption {
        /// The option name as written in `pipeline.toml`, such as `script.min-mixed-share`.
        option: &'static str,
        /// What is allowed.
        reason: String,
    },
}
