//! Decide, block by block, what is real content: the four filter stages of qingxi.
//!
//! The stages run after the text stages, on the line blocks of [`Document::split_blocks`].
//! They never edit text; they only label blocks (with the rule that fired and the matched
//! term), and [`Document::assemble`] puts content in `text`, template blocks in `template` and
//! everything else in `metadata.removed`. A block one stage labelled is never relabelled.
//!
//! Key types, in pipeline order (each built from its config with `build()`):
//! - [`Boilerplate`] ([`BoilerplateConfig`]): page furniture — share/print widgets, QR and app
//!   promos, source/date/editor lines, prev/next links, copyright and ICP lines, menus,
//!   content-farm framing sentences. Leftmost-longest dictionary matching (same hits as
//!   Aho-Corasick, faster for Chinese terms) over embedded dictionaries plus line features.
//! - [`Spam`] ([`SpamConfig`]): SEO keyword runs full of porn/gambling/piracy/pharma/ad terms,
//!   scored by keyword density and structure, never by a single hit.
//! - [`Template`] ([`TemplateConfig`]): fill-in placeholders (`20xx年`, `XX市`, `×××`, `____`),
//!   form skeleton labels, and lines a site repeats across its documents ([`LineCounts`]).
//! - [`Repeats`] ([`RepeatsConfig`]): paragraphs repeating another one of the same document.
//!
//! Speed: the stages avoid per-line allocation and decode characters only where a rule needs
//! them; long prose lines (most of the text) take byte-level fast paths (`benches/filters.rs`
//! measures MB/s per stage). When both run, [`Boilerplate::share_walk_with`] makes one
//! dictionary walk per line serve boilerplate and spam: the spam hits are left in
//! `Block::marks` for the spam stage (the pipeline wires this; labels are the same either way).
//!
//! [`Document::split_blocks`]: qingxi_core::Document::split_blocks
//! [`Document::assemble`]: qingxi_core::Document::assemble
//!
//! ```
//! use std::path::Path;
//! use qingxi_core::{Document, Label, Stage};
//! use qingxi_filter::BoilerplateConfig;
//!
//! let stage = BoilerplateConfig::default().build(Path::new(".")).unwrap();
//! let mut doc = Document::new("a.txt", "正文第一段。\n分享到：微信 微博\n正文第二段。\n".into());
//! doc.split_blocks();
//! stage.run(&mut doc);
//! assert_eq!(doc.blocks[1].label, Label::Boilerplate);
//! assert_eq!(doc.assemble().text, "正文第一段。\n正文第二段。\n");
//! ```

mod boilerplate;
mod counts;
mod dict;
mod repeats;
mod spam;
mod template;
mod text;

use std::path::PathBuf;

pub use boilerplate::{Boilerplate, BoilerplateConfig};
pub use counts::LineCounts;
pub use repeats::{Repeats, RepeatsConfig};
pub use spam::{Spam, SpamConfig};
pub use template::{Template, TemplateConfig};

/// Everything that can go wrong while building a filter stage or reading corpus counts.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// An extra dictionary or counts file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A dictionary line is malformed.
    #[error("{origin}:{line}: {message}")]
    Dictionary { origin: String, line: usize, message: String },
    /// The dictionary automaton could not be built (too many or too large terms).
    #[error("cannot compile dictionary: {0}")]
    Automaton(String),
    /// A config value is out of range.
    #[error("invalid {key}: {message}")]
    Config { key: &'static str, message: String },
    /// A line-counts table is malformed.
    #[error("line counts, line {line}: {message}")]
    Counts { line: usize, message: String },
}

fn check_share(key: &'static str, v: f32) -> Result<(), FilterError> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(FilterError::Config { key, message: format!("{v} is not between 0 and 1") })
    }
}

#[cfg(test)]
mod test_util {
    use qingxi_core::{Document, Stage};

    /// `count` deterministic random lines over the characters of `pool`, the k-th with
    /// `k % max_len` characters: the inputs the fast paths are checked on.
    pub(crate) fn random_lines(
        pool: &[char],
        seed: u64,
        count: usize,
        max_len: usize,
    ) -> impl Iterator<Item = String> + '_ {
        let mut seed = seed;
        (0..count).map(move |k| {
            (0..k % max_len)
                .map(|_| {
                    seed = crate::text::mix64(seed.wrapping_add(1));
                    pool[(seed % pool.len() as u64) as usize]
                })
                .collect()
        })
    }

    /// Run `stage` on a one-document text and return each block's (text, label, rule).
    pub(crate) fn labels(stage: &dyn Stage, text: &str) -> Vec<(String, &'static str)> {
        let mut doc = Document::new("t", text.to_string());
        doc.split_blocks();
        stage.run(&mut doc);
        doc.blocks.iter().map(|b| (b.text.clone(), b.label.as_str())).collect()
    }

    /// The label given to `line` when it stands among ordinary prose paragraphs.
    pub(crate) fn label_in_context(stage: &dyn Stage, line: &str) -> &'static str {
        let text = format!(
            "今年以来，全市各级部门认真落实各项工作部署，取得了明显成效。\n\n{line}\n\n\
             下一步，我们将继续加大工作力度，确保各项任务按期完成。\n"
        );
        let got = labels(stage, &text);
        got.iter().find(|(t, _)| t == line).map_or("missing", |(_, l)| l)
    }
}
