//! A document in flight: its text, its blocks and labels, and what was changed.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::record::{Assembled, Removed};
use crate::StageName;

/// What a filter stage decided a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// Real content: kept in `text`.
    Content,
    /// Page furniture: removed.
    Boilerplate,
    /// SEO / ad / keyword spam: removed.
    Spam,
    /// Text not specific to this document: moved to the `template` field.
    Template,
    /// A paragraph repeating an earlier one in the same document: removed.
    Repeat,
}

impl Label {
    /// The label as written in output metadata.
    pub const fn as_str(self) -> &'static str {
        match self {
            Label::Content => "content",
            Label::Boilerplate => "boilerplate",
            Label::Spam => "spam",
            Label::Template => "template",
            Label::Repeat => "repeat",
        }
    }
}

/// One non-blank line of the document after the text stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The line without its terminator.
    pub text: String,
    /// What followed the line in the document: its terminator and any blank lines after it.
    /// Kept so a document whose blocks are all content reassembles byte for byte.
    /// Borrowed for the usual lone `\n` (no allocation per line), owned otherwise.
    pub sep: Cow<'static, str>,
    /// 1-based line number in the text the blocks were split from.
    pub line: usize,
    /// The decision so far; `Content` until a filter stage says otherwise.
    pub label: Label,
    /// The rule that set the label, such as `boilerplate.share`.
    pub rule: Option<&'static str>,
    /// The dictionary term or feature that made the rule fire.
    pub matched: Option<String>,
    /// Dictionary hits an earlier filter stage recorded in this line for a later one (see
    /// [`Document::marks_by`]), so the later stage need not scan the line again. `None`: the
    /// line was not scanned, which is not the same as `Some` of no hits.
    pub marks: Option<Vec<Mark>>,
}

/// One dictionary hit recorded in a block for a later stage: which term, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The term's index in the dictionary of the stage the marks are for.
    pub id: u32,
    /// Byte range of the hit in the block's text.
    pub start: u32,
    pub end: u32,
}

impl Block {
    /// Label this block, recording the rule and the matched term.
    pub fn set_label(&mut self, label: Label, rule: &'static str, matched: Option<&str>) {
        self.label = label;
        self.rule = Some(rule);
        self.matched = matched.map(str::to_owned);
    }

    /// True while no filter stage has claimed the block.
    pub fn is_content(&self) -> bool {
        self.label == Label::Content
    }
}

/// One recorded text change, for changes worth auditing one by one (a mojibake repair, say).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edit {
    pub stage: &'static str,
    pub rule: std::borrow::Cow<'static, str>,
    /// Character offset of the change in the text as the stage saw it.
    pub offset: usize,
    pub before: String,
    pub after: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

/// Everything recorded about a document besides its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// The encoding the bytes were decoded with (`UTF-8`, `GBK`, `Big5`, …).
    pub encoding: Option<String>,
    /// How sure the decoder was, 0.0–1.0.
    pub confidence: Option<f32>,
    /// Malformed byte sequences replaced by U+FFFD while decoding.
    pub malformed: u64,
    /// Changes per stage (only stages that changed something appear).
    pub changes: BTreeMap<&'static str, u64>,
    /// Individually recorded edits.
    pub edits: Vec<Edit>,
    /// Stage decisions worth reporting, such as the script stage's choice and evidence,
    /// keyed by the name of the stage that decided.
    pub notes: BTreeMap<&'static str, serde_json::Value>,
}

/// One document moving through the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Stable identifier (relative path, JSONL id, or `FILE:LINE`).
    pub id: String,
    /// The site the document belongs to, for statistics shared across a site's pages
    /// (the folder of a file input; the host of a JSONL record's `url`, else the shard).
    pub site: String,
    /// The current text. Text stages rewrite it; after [`Document::split_blocks`] it is the
    /// text the blocks came from.
    pub text: String,
    /// Blank lines before the first block (empty until split).
    pub lead: String,
    /// The document's lines, once split. Filter stages label these.
    pub blocks: Vec<Block>,
    /// Who the blocks' [`Block::marks`] are for: an id the consuming stage recognizes as its
    /// own (one filter stage scans for another, saving a pass over the text); 0 = nobody.
    /// Reset by [`Document::split_blocks`].
    pub marks_by: u64,
    /// Normalized keys of the text's lines (hash, characters kept), by line number − 1, as
    /// the corpus pass computed them for its line counts; the template stage reuses them
    /// instead of hashing every line again. Empty when not computed. They describe `text` as
    /// it is: whoever changes `text` afterwards must clear them.
    pub line_keys: Vec<LineKey>,
    pub meta: Metadata,
}

/// One line's normalized key: its hash, how many characters it kept and whether it holds a
/// character that can start a placeholder (`x`, `_`, `某`, …), or [`LineKey::NONE`] for a
/// line that was not keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineKey {
    pub hash: u64,
    pub kept: u32,
    pub placeholder: bool,
}

impl LineKey {
    /// A line the corpus pass did not key (too long to count).
    pub const NONE: LineKey = LineKey { hash: 0, kept: u32::MAX, placeholder: true };
}

impl Document {
    pub fn new(id: impl Into<String>, text: String) -> Self {
        Document {
            id: id.into(),
            site: String::new(),
            text,
            lead: String::new(),
            blocks: Vec::new(),
            marks_by: 0,
            line_keys: Vec::new(),
            meta: Metadata::default(),
        }
    }

    /// Add `n` to a stage's change counter (zero is not recorded).
    pub fn count(&mut self, stage: StageName, n: u64) {
        if n > 0 {
            *self.meta.changes.entry(stage.as_str()).or_insert(0) += n;
        }
    }

    /// Split `text` into line blocks, all labelled content. Lines holding only whitespace
    /// become part of the previous block's separator, so joining `lead` and every block's
    /// `text + sep` gives back `text` exactly.
    pub fn split_blocks(&mut self) {
        self.blocks.clear();
        self.lead.clear();
        self.marks_by = 0;
        for (i, raw) in crate::lines::split_inclusive(&self.text).enumerate() {
            let line_no = i + 1;
            let body = raw.strip_suffix('\n').unwrap_or(raw);
            let body = body.strip_suffix('\r').unwrap_or(body);
            if body.chars().all(char::is_whitespace) {
                match self.blocks.last_mut() {
                    Some(b) => b.sep.to_mut().push_str(raw),
                    None => self.lead.push_str(raw),
                }
                continue;
            }
            self.blocks.push(Block {
                text: body.to_string(),
                sep: match &raw[body.len()..] {
                    "\n" => Cow::Borrowed("\n"),
                    other => Cow::Owned(other.to_string()),
                },
                line: line_no,
                label: Label::Content,
                rule: None,
                matched: None,
                marks: None,
            });
        }
    }

    /// Join the blocks back into the final text, template and removal ledger. Content blocks
    /// keep their original separators; when anything was taken out the text is trimmed of
    /// trailing blank lines and keeps a final newline if the document had one.
    pub fn assemble(&self) -> Assembled {
        self.clone().take_assembled()
    }

    /// [`Document::assemble`], moving the text and blocks out instead of copying them (the
    /// document keeps its id, site and metadata). When every block is content the text is
    /// the document's own, untouched: filters label blocks, they never edit them.
    pub fn take_assembled(&mut self) -> Assembled {
        let source = std::mem::take(&mut self.text);
        let blocks = std::mem::take(&mut self.blocks);
        if blocks.iter().all(Block::is_content) {
            return Assembled { text: source, template: String::new(), removed: vec![] };
        }
        let mut text = String::with_capacity(source.len());
        text.push_str(&self.lead);
        let mut template = String::new();
        let mut removed = Vec::new();
        for b in blocks {
            match b.label {
                Label::Content => {
                    text.push_str(&b.text);
                    text.push_str(&b.sep);
                }
                Label::Template => {
                    if !template.is_empty() {
                        template.push('\n');
                    }
                    template.push_str(&b.text);
                }
                label => removed.push(Removed {
                    label,
                    rule: b.rule.unwrap_or("unspecified"),
                    matched: b.matched,
                    line: b.line,
                    text: b.text,
                }),
            }
        }
        let kept = text.trim_end().len();
        text.truncate(kept);
        if source.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
        Assembled { text, template, removed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        let mut d = Document::new("t", text.to_string());
        d.split_blocks();
        d
    }

    #[test]
    fn all_content_reassembles_byte_for_byte() {
        for text in
            ["", "一行", "一行\n", "\n\n  \n首段\r\n\r\n次段\n\u{3000}\n末段", "a\n\n\nb\n\n"]
        {
            let d = doc(text);
            assert_eq!(d.assemble().text, text, "{text:?}");
        }
    }

    #[test]
    fn blank_lines_are_separators_not_blocks() {
        let d = doc("\n甲\n\n  \n乙\n");
        assert_eq!(d.lead, "\n");
        assert_eq!(d.blocks.len(), 2);
        assert_eq!(d.blocks[0].sep, "\n\n  \n");
        assert_eq!(d.blocks[1].line, 5);
    }

    #[test]
    fn removed_blocks_go_to_ledger_and_template_to_its_field() {
        let mut d = doc("正文。\n\n分享到微信\n\n20xx年工作计划\n\n结尾。\n\n点击次数：12\n");
        d.blocks[1].set_label(Label::Boilerplate, "boilerplate.share", Some("分享到"));
        d.blocks[2].set_label(Label::Template, "template.placeholder", Some("20xx"));
        d.blocks[4].set_label(Label::Boilerplate, "boilerplate.counter", None);
        let a = d.assemble();
        assert_eq!(a.text, "正文。\n\n结尾。\n");
        assert_eq!(a.template, "20xx年工作计划");
        assert_eq!(a.removed.len(), 2);
        assert_eq!(a.removed[0].matched.as_deref(), Some("分享到"));
        assert_eq!(a.removed[1].line, 9);
    }

    #[test]
    fn counters_skip_zero() {
        let mut d = Document::new("t", String::new());
        d.count(StageName::Normalize, 0);
        assert!(d.meta.changes.is_empty());
        d.count(StageName::Normalize, 2);
        d.count(StageName::Normalize, 1);
        assert_eq!(d.meta.changes["normalize"], 3);
    }
}
