//! Shared types for every qingxi stage: what a document is while it is being cleaned, how
//! blocks are labelled, and what gets recorded about each change.
//!
//! Key types:
//! - [`Document`]: one document moving through the pipeline. Text stages rewrite
//!   [`Document::text`]; after the text stages the pipeline calls [`Document::split_blocks`] and
//!   filter stages label [`Block`]s. [`Document::assemble`] builds the final record.
//! - [`Stage`]: the one tiny trait every stage implements.
//! - [`StageName`]: the stable stage names and their fixed order.
//! - [`Input`] / [`Output`]: what sources produce and sinks consume.
//!
//! ```
//! use qingxi_core::{Document, Label};
//!
//! let mut doc = Document::new("a.txt", "正文第一段。\n分享到：微信\n正文第二段。\n".to_string());
//! doc.split_blocks();
//! doc.blocks[1].set_label(Label::Boilerplate, "boilerplate.share", Some("分享到"));
//! let out = doc.assemble();
//! assert_eq!(out.text, "正文第一段。\n正文第二段。\n");
//! assert_eq!(out.removed[0].rule, "boilerplate.share");
//! ```

mod document;
pub mod json;
pub mod lines;
mod record;
mod stage;

pub use document::{Block, Document, Edit, Label, LineKey, Mark, Metadata};
pub use record::{Assembled, Failure, Input, InputContent, Output, Pending, Ready, Removed};
pub use stage::{Stage, StageName, UnknownStage};
