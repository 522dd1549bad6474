//! Detect and repair mojibake — text decoded with the wrong codec — in already-decoded text.
//!
//! Key types:
//! - [`MojibakeConfig`]: the `[mojibake]` table of `pipeline.toml`; [`MojibakeConfig::build`]
//!   turns it into the runtime stage.
//! - [`Mojibake`]: the stage ([`qingxi_core::Stage`], name [`StageName::Mojibake`]) and the
//!   pure function [`Mojibake::repair`].
//! - [`Repaired`] / [`Repair`]: the repaired text (borrowed when nothing changed) and one
//!   record per repaired span.
//!
//! A candidate repair is a reversible round trip: encode a span with the codec that wrongly
//! decoded it (GBK, windows-1252 / Latin-1), decode the bytes with the right one (UTF-8, GBK,
//! Big5), possibly twice. Byte validity alone is not enough — clean Chinese often survives a
//! round trip — so a character language model built from jieba's dictionary decides, with a
//! stricter margin on short spans. A cheap scan proves most lines clean before any of this.
//! Bytes a decoder already replaced by U+FFFD stay U+FFFD in the repair; `锟斤拷` runs
//! become U+FFFD.
//!
//! ```
//! use qingxi_mojibake::MojibakeConfig;
//!
//! let stage = MojibakeConfig::default().build().unwrap();
//! let fixed = stage.repair("发布时间：鍙戝竷鏃ユ湡 2024-05-01");
//! assert_eq!(fixed.text, "发布时间：发布日期 2024-05-01");
//! assert_eq!(fixed.repairs[0].rule, "utf8-as-gbk");
//! assert_eq!(stage.repair("ä¸\u{AD}æ–‡").text, "中文");
//! assert_eq!(stage.repair("ÖÐÎÄ·þÎñ").text, "中文服务");
//! // Clean text comes back borrowed, unchanged.
//! assert!(matches!(stage.repair("café 与 Ã in São"). text, std::borrow::Cow::Borrowed(_)));
//! ```

use std::borrow::Cow;

use qingxi_core::{Document, Edit, Stage, StageName};
use serde::Deserialize;

mod lm;
mod repair;
mod tables;

use repair::Params;

/// Configuration of the `mojibake` stage (`[mojibake]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct MojibakeConfig {
    /// How much more likely (in nats of the character language model) a repaired span must
    /// be than the span it replaces. Higher is more conservative.
    pub min_gain: f32,
    /// Extra margin for short repairs, divided by the number of non-ASCII characters the
    /// repair produces: a one-character repair needs `min-gain + short-span-gain`.
    pub short_span_gain: f32,
    /// Also try Big5 as the original encoding of Latin-1 / windows-1252 mojibake.
    pub big5: bool,
    /// Repair passes per line; a second pass catches damage that was layered on damage
    /// beyond the two-step chains tried directly. 1–4.
    pub max_passes: u8,
    /// Guess a character whose UTF-8 bytes were partly lost (say its last byte) when the
    /// language model prefers one completion by `guess-margin` nats over every other;
    /// otherwise, and when this is off, the character stays U+FFFD.
    pub guess_lost: bool,
    /// See `guess-lost`. Higher guesses less often and more surely.
    pub guess_margin: f32,
    /// Record every repair (span, chain, confidence) in `metadata.edits`.
    pub record_edits: bool,
}

impl Default for MojibakeConfig {
    fn default() -> Self {
        MojibakeConfig {
            min_gain: 6.0,
            short_span_gain: 8.0,
            big5: true,
            max_passes: 2,
            guess_lost: true,
            guess_margin: 4.0,
            record_edits: true,
        }
    }
}

/// A configuration value out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MojibakeError {
    #[error("mojibake.{option}: {reason}")]
    InvalidOption { option: &'static str, reason: &'static str },
}

impl MojibakeConfig {
    /// Check the options and build the stage. Tables are built once per process and shared.
    pub fn build(&self) -> Result<Mojibake, MojibakeError> {
        let bad = |option, reason| Err(MojibakeError::InvalidOption { option, reason });
        if !(self.min_gain.is_finite() && self.min_gain >= 0.0) {
            return bad("min-gain", "must be a finite number >= 0");
        }
        if !(self.short_span_gain.is_finite() && self.short_span_gain >= 0.0) {
            return bad("short-span-gain", "must be a finite number >= 0");
        }
        if !(self.guess_margin.is_finite() && self.guess_margin >= 0.0) {
            return bad("guess-margin", "must be a finite number >= 0");
        }
        if !(1..=4).contains(&self.max_passes) {
            return bad("max-passes", "must be between 1 and 4");
        }
        // Touch the shared tables now so the first document does not pay for them.
        let _ = tables::tables();
        let _ = lm::lm();
        Ok(Mojibake {
            params: Params {
                min_gain: self.min_gain,
                short_span_gain: self.short_span_gain,
                big5: self.big5,
                guess_margin: self.guess_lost.then_some(self.guess_margin),
            },
            max_passes: self.max_passes,
            record_edits: self.record_edits,
        })
    }
}

/// The runtime `mojibake` stage.
#[derive(Debug, Clone)]
pub struct Mojibake {
    params: Params,
    max_passes: u8,
    record_edits: bool,
}

/// One repaired span.
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    /// Character offset of the span in the text given to [`Mojibake::repair`] (for a
    /// second-pass repair: in the text after the first pass).
    pub offset: usize,
    pub before: String,
    pub after: String,
    /// The round trip that was undone, such as `utf8-as-gbk`, `gbk-as-cp1252`,
    /// `utf8-as-cp1252x2` or `kunjinkao`.
    pub rule: &'static str,
    /// 0–1, from how far the repair beat the original under the language model.
    pub confidence: f32,
}

/// The result of [`Mojibake::repair`].
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired<'a> {
    /// The repaired text; borrowed when nothing changed.
    pub text: Cow<'a, str>,
    pub repairs: Vec<Repair>,
}

impl Mojibake {
    /// Repair every mis-decoded span of `text`.
    pub fn repair<'a>(&self, text: &'a str) -> Repaired<'a> {
        let mut out: Option<String> = None;
        let mut repairs = Vec::new();
        let mut scratch = Scratch::default();
        let mut done_bytes = 0; // bytes of `text` already copied into `out`
                                // Char offsets are only needed for repairs: count lazily, up to `counted` bytes of
                                // `text`, which are `out_chars` characters of the output.
        let (mut counted, mut out_chars) = (0, 0);
        // Line by line (each without its `\n`); the scan finds where each ends.
        let mut next = 0;
        while next < text.len() {
            let start = next;
            let (len, found) = repair::scan_line(
                &text[start..],
                &self.params,
                &mut scratch.windows,
                &mut scratch.run,
            );
            let body = &text[start..start + len];
            // With its `\n`, unless it is the last line and has none.
            let line = &text[start..(start + len + 1).min(text.len())];
            next = start + line.len();
            if !found {
                continue;
            }
            out_chars += text[counted..start].chars().count();
            counted = start;
            if let Some(new) = self.repair_line(body, out_chars, &mut repairs, &mut scratch) {
                let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
                buf.push_str(&text[done_bytes..start]);
                buf.push_str(&new);
                buf.push_str(&line[body.len()..]);
                done_bytes = start + line.len();
                out_chars += new.chars().count() + line.len() - body.len();
                counted = done_bytes;
            }
        }
        let text = match out {
            Some(mut buf) => {
                buf.push_str(&text[done_bytes..]);
                Cow::Owned(buf)
            }
            None => Cow::Borrowed(text),
        };
        Repaired { text, repairs }
    }

    /// Repair one line that [`repair::scan`] found windows on (left in `scratch.windows`).
    fn repair_line(
        &self,
        body: &str,
        offset: usize,
        repairs: &mut Vec<Repair>,
        scratch: &mut Scratch,
    ) -> Option<String> {
        let Scratch { windows, run, chars, line, search } = scratch;
        chars.clear();
        chars.extend(body.chars());
        let mut changed = false;
        for pass in 0..self.max_passes {
            // The first pass runs on the scan the caller made.
            if pass > 0 {
                line.clear();
                line.extend(chars.iter());
                if !repair::scan(line, &self.params, windows, run) {
                    break;
                }
            }
            let fixes = repair::repair_line_with(chars, &self.params, windows, search);
            if fixes.is_empty() {
                break;
            }
            changed = true;
            let mut next = Vec::with_capacity(chars.len());
            let mut at = 0;
            for f in fixes {
                next.extend_from_slice(&chars[at..f.start]);
                repairs.push(Repair {
                    offset: offset + next.len(),
                    before: chars[f.start..f.end].iter().collect(),
                    after: f.new.iter().collect(),
                    rule: f.rule,
                    confidence: 1.0 - (-f.gain_nats() / 10.0).exp(),
                });
                next.extend_from_slice(&f.new);
                at = f.end;
            }
            next.extend_from_slice(&chars[at..]);
            *chars = next;
        }
        changed.then(|| chars.iter().collect())
    }
}

/// Buffers reused across the lines of one text, so a line costs no allocation.
#[derive(Debug, Default)]
struct Scratch {
    windows: repair::Windows,
    run: Vec<char>,
    chars: Vec<char>,
    line: String,
    search: repair::Search,
}

impl Stage for Mojibake {
    fn name(&self) -> StageName {
        StageName::Mojibake
    }

    fn run(&self, doc: &mut Document) {
        let Repaired { text, repairs } = self.repair(&doc.text);
        if let Cow::Owned(new) = text {
            doc.count(StageName::Mojibake, repairs.len() as u64);
            if self.record_edits {
                doc.meta.edits.extend(repairs.into_iter().map(|r| Edit {
                    stage: StageName::Mojibake.as_str(),
                    rule: r.rule.into(),
                    offset: r.offset,
                    before: r.before,
                    after: r.after,
                    confidence: Some(r.confidence),
                }));
            }
            doc.text = new;
        }
    }
}

#[cfg(test)]
mod tests;
