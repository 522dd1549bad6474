//! Corpus statistics for site-repeated lines: a mergeable, memory-bounded table of how many
//! documents of each site contain each normalized line.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};

use qingxi_core::LineKey;

use crate::text::{line_key, line_key_and_placeholder_char, FastMap, Fnv};
use crate::FilterError;

const MAGIC: &str = "qingxi-line-counts 1";

/// Lines longer than this (about 200 Han characters) are not counted: site template is
/// short (headers, menus, footers), and the template stage never asks about longer lines.
/// Skipping them saves hashing about a third of the text and a table entry per paragraph
/// (long lines are nearly all distinct).
pub(crate) const MAX_COUNTED_LINE_BYTES: usize = 600;

/// Counts of normalized lines per site, from a first pass over the corpus.
///
/// A line's key is its normalized form (digits folded to one symbol, whitespace and
/// punctuation removed, full-width folded) hashed to 64 bits together with the site. Each
/// document counts a line once. Memory is one hash-table slot per distinct (site, line):
/// 12 bytes of key and count padded to 16, plus a control byte, at a load factor between 7/16
/// and 7/8 — about 18–37 bytes per distinct line. When more than `max_entries` distinct lines
/// are held, the rarest are dropped (lines seen in one document first, since no rule can use
/// them), so counts stay exact for every line that matters until the cap forces more.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineCounts {
    max_entries: usize,
    /// Documents observed per site.
    sites: HashMap<String, u64>,
    /// (site, line) key → documents containing the line.
    lines: FastMap<u64, u32>,
    /// Entries with a count at or below this were dropped to respect the cap (0: none were).
    floor: u32,
}

fn site_hash(site: &str) -> u64 {
    let mut h = Fnv::new();
    h.write_bytes(site.as_bytes());
    h.finish()
}

/// Combine site and line hashes into one key (splitmix64 finalizer over a rotation-xor).
fn entry_key(site: u64, line: u64) -> u64 {
    let mut z = site.rotate_left(29) ^ line;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl LineCounts {
    /// An empty table that holds at most `max_entries` distinct (site, line) entries.
    pub fn new(max_entries: usize) -> Self {
        LineCounts { max_entries: max_entries.max(1), ..LineCounts::default() }
    }

    /// Count one document of `site`: every distinct non-empty normalized line of at most
    /// 600 bytes once.
    pub fn observe(&mut self, site: &str, text: &str) {
        self.observe_with::<false>(site, text, &mut Vec::new());
    }

    /// [`LineCounts::observe`], also leaving each line's key in `keys` (by line number − 1;
    /// [`LineKey::NONE`] for lines too long to count) for [`Document::line_keys`], so the
    /// template stage need not scan the lines again.
    ///
    /// [`Document::line_keys`]: qingxi_core::Document::line_keys
    pub fn observe_keyed(&mut self, site: &str, text: &str, keys: &mut Vec<LineKey>) {
        self.observe_with::<true>(site, text, keys);
    }

    /// With `KEYED`, keys go to `keys`, with the placeholder test riding along the key's pass
    /// over the bytes (the template stage asks it of every line).
    fn observe_with<const KEYED: bool>(&mut self, site: &str, text: &str, keys: &mut Vec<LineKey>) {
        let sh = site_hash(site);
        keys.clear();
        let mut entries: Vec<u64> = Vec::new();
        for l in qingxi_core::lines::lines(text) {
            if l.len() > MAX_COUNTED_LINE_BYTES {
                if KEYED {
                    keys.push(LineKey::NONE);
                }
                continue;
            }
            let (h, kept) = if KEYED {
                let (h, kept, placeholder) = line_key_and_placeholder_char(l);
                // Kept characters are at most the line's 600 bytes.
                keys.push(LineKey { hash: h, kept: kept as u32, placeholder });
                (h, kept)
            } else {
                line_key(l)
            };
            if kept > 0 {
                entries.push(entry_key(sh, h));
            }
        }
        entries.sort_unstable();
        entries.dedup();
        for k in entries {
            *self.lines.entry(k).or_insert(0) += 1;
        }
        match self.sites.get_mut(site) {
            Some(n) => *n += 1,
            None => {
                self.sites.insert(site.to_string(), 1);
            }
        }
        self.enforce_cap();
    }

    /// Add another table's counts to this one (for a rayon reduce, or shards of many machines).
    pub fn merge(&mut self, other: LineCounts) {
        self.max_entries = self.max_entries.max(other.max_entries);
        self.floor = self.floor.max(other.floor);
        for (site, n) in other.sites {
            *self.sites.entry(site).or_insert(0) += n;
        }
        if self.lines.len() < other.lines.len() {
            let mine = std::mem::replace(&mut self.lines, other.lines);
            for (k, n) in mine {
                *self.lines.entry(k).or_insert(0) += n;
            }
        } else {
            for (k, n) in other.lines {
                *self.lines.entry(k).or_insert(0) += n;
            }
        }
        self.enforce_cap();
    }

    /// Documents observed for `site`.
    pub fn site_docs(&self, site: &str) -> u64 {
        self.sites.get(site).copied().unwrap_or(0)
    }

    /// Documents of `site` containing `line` (after normalization); 0 for lines longer than
    /// 600 bytes, which are not counted.
    pub fn line_docs(&self, site: &str, line: &str) -> u32 {
        let (h, kept) = line_key(line);
        if kept == 0 || line.len() > MAX_COUNTED_LINE_BYTES {
            return 0;
        }
        self.get(site_hash(site), h)
    }

    pub(crate) fn get(&self, site_hash_: u64, line_hash: u64) -> u32 {
        self.lines.get(&entry_key(site_hash_, line_hash)).copied().unwrap_or(0)
    }

    pub(crate) fn site_hash(site: &str) -> u64 {
        site_hash(site)
    }

    /// Distinct (site, line) entries held.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Counts at or below this were dropped to respect the cap (0 when the table is exact).
    pub fn floor(&self) -> u32 {
        self.floor
    }

    fn enforce_cap(&mut self) {
        while self.lines.len() > self.max_entries {
            self.floor += 1;
            let floor = self.floor;
            self.lines.retain(|_, n| *n > floor);
        }
    }

    /// Write the table in a stable line-oriented text format (sorted, so equal tables give
    /// equal bytes).
    pub fn write_to(&self, w: impl Write) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(w);
        writeln!(w, "{MAGIC}")?;
        writeln!(w, "max-entries {}", self.max_entries)?;
        writeln!(w, "floor {}", self.floor)?;
        let mut sites: Vec<_> = self.sites.iter().collect();
        sites.sort();
        for (site, n) in sites {
            writeln!(w, "site {n} {}", escape(site))?;
        }
        let mut lines: Vec<_> = self.lines.iter().collect();
        lines.sort_unstable();
        for (k, n) in lines {
            writeln!(w, "line {k:016x} {n}")?;
        }
        w.flush()
    }

    /// Read a table written by [`LineCounts::write_to`].
    pub fn read_from(r: impl Read) -> Result<Self, FilterError> {
        let mut out = LineCounts::default();
        let bad = |line: usize, message: String| FilterError::Counts { line, message };
        for (i, l) in BufReader::new(r).lines().enumerate() {
            let n = i + 1;
            let l = l.map_err(|e| bad(n, e.to_string()))?;
            if n == 1 {
                if l != MAGIC {
                    return Err(bad(n, format!("expected `{MAGIC}`")));
                }
                continue;
            }
            let (tag, rest) = l.split_once(' ').ok_or_else(|| bad(n, "missing field".into()))?;
            match tag {
                "max-entries" => {
                    out.max_entries = rest.parse().map_err(|e| bad(n, format!("{e}")))?;
                }
                "floor" => out.floor = rest.parse().map_err(|e| bad(n, format!("{e}")))?,
                "site" => {
                    let (docs, name) =
                        rest.split_once(' ').ok_or_else(|| bad(n, "missing site name".into()))?;
                    let docs: u64 = docs.parse().map_err(|e| bad(n, format!("{e}")))?;
                    *out.sites.entry(unescape(name)).or_insert(0) += docs;
                }
                "line" => {
                    let (k, c) =
                        rest.split_once(' ').ok_or_else(|| bad(n, "missing count".into()))?;
                    let k = u64::from_str_radix(k, 16).map_err(|e| bad(n, format!("{e}")))?;
                    let c: u32 = c.parse().map_err(|e| bad(n, format!("{e}")))?;
                    *out.lines.entry(k).or_insert(0) += c;
                }
                other => return Err(bad(n, format!("unknown record `{other}`"))),
            }
        }
        if out.max_entries == 0 {
            return Err(bad(0, format!("missing `{MAGIC}` header or max-entries")));
        }
        Ok(out)
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: [(&str, &str); 5] = [
        ("a", "网站首页 | 新闻\n第一篇正文。\n版权所有 2021\n"),
        ("a", "网站首页 | 新闻\n第二篇正文。\n版权所有 2022\n版权所有 2022\n"),
        ("b", "网站首页 | 新闻\n另一个站。\n"),
        ("a", "网站首页 | 新闻\n第三篇正文。\n"),
        ("we ird\nsite", "一行\n"),
    ];

    fn count(docs: &[(&str, &str)], cap: usize) -> LineCounts {
        let mut c = LineCounts::new(cap);
        for (site, text) in docs {
            c.observe(site, text);
        }
        c
    }

    #[test]
    fn counts_documents_per_site_once_per_document() {
        let c = count(&DOCS, 1000);
        assert_eq!(c.site_docs("a"), 3);
        assert_eq!(c.line_docs("a", "网站首页｜新闻"), 3);
        assert_eq!(c.line_docs("b", "网站首页 | 新闻"), 1);
        assert_eq!(c.line_docs("a", "版权所有 1999"), 2, "digits folded, counted once per doc");
        assert_eq!(c.line_docs("a", "不存在"), 0);
        assert_eq!(c.line_docs("a", " 。"), 0);
    }

    #[test]
    fn long_lines_are_not_counted() {
        let long = "长".repeat(MAX_COUNTED_LINE_BYTES / 3 + 1);
        let edge = "边".repeat(MAX_COUNTED_LINE_BYTES / 3);
        let mut c = LineCounts::new(1000);
        for _ in 0..3 {
            c.observe("s", &format!("{long}\n{edge}\n"));
        }
        assert_eq!(c.line_docs("s", &edge), 3, "a line of exactly the limit counts");
        assert_eq!(c.line_docs("s", &long), 0);
        assert_eq!(c.len(), 1, "no table entry for the long line");
    }

    #[test]
    fn merge_is_associative_and_equals_one_big_count() {
        let all = count(&DOCS, 1000);
        let parts: Vec<LineCounts> = DOCS.chunks(2).map(|d| count(d, 1000)).collect();
        let mut left = parts[0].clone();
        left.merge(parts[1].clone());
        left.merge(parts[2].clone());
        let mut right_tail = parts[1].clone();
        right_tail.merge(parts[2].clone());
        let mut right = parts[0].clone();
        right.merge(right_tail);
        assert_eq!(left, all);
        assert_eq!(right, all);
    }

    #[test]
    fn write_read_round_trip() {
        let c = count(&DOCS, 1000);
        let mut buf = Vec::new();
        c.write_to(&mut buf).unwrap();
        let back = LineCounts::read_from(buf.as_slice()).unwrap();
        assert_eq!(back, c);
        let mut again = Vec::new();
        back.write_to(&mut again).unwrap();
        assert_eq!(again, buf, "format is stable");
        assert_eq!(back.site_docs("we ird\nsite"), 1);
    }

    #[test]
    fn read_rejects_malformed_tables() {
        for (name, src) in [
            ("empty", ""),
            ("wrong magic", "counts 2\n"),
            ("bad hex", "qingxi-line-counts 1\nmax-entries 5\nline zz 3\n"),
            ("unknown record", "qingxi-line-counts 1\nmax-entries 5\nfoo 1\n"),
        ] {
            assert!(LineCounts::read_from(src.as_bytes()).is_err(), "{name}");
        }
    }

    #[test]
    fn cap_is_respected_and_frequent_lines_survive() {
        let mut c = LineCounts::new(50);
        for i in 0..200 {
            c.observe(
                "s",
                &format!("页眉导航\n正文第{}篇的独有内容{}\n", i, "甲乙丙丁".repeat(i % 7 + 1)),
            );
            c.observe("s", &format!("独一无二的句子编号{}号{}", "零".repeat(i), i));
            assert!(c.len() <= 50, "len {} after doc {i}", c.len());
        }
        assert_eq!(c.line_docs("s", "页眉导航"), 200);
        assert!(c.floor() >= 1);
        let mut merged = c.clone();
        merged.merge(c);
        assert!(merged.len() <= 50);
        assert_eq!(merged.line_docs("s", "页眉导航"), 400);
    }
}
