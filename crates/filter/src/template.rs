//! The `template` stage: text not specific to this document, moved to the `template` field.
//!
//! Why: template essays (`20xx年工作总结`), empty forms and site chrome repeat across many
//! documents; training on them teaches nothing about this document, but users may want them,
//! so they are moved, not deleted.
//!
//! Rules, in order:
//! - `template.placeholder`: a line holding a fill-in placeholder — `20xx`/`19XX`/`20××`,
//!   `XX市`/`xx年`, `×××`, `某某` standing for a name (`某某市`, not `张某某`), blanks `____`.
//! - `template.form-label`: a line that is only a form field label (`类别`, `序号`, `目标名称`,
//!   `姓名：`), when it ends in a colon or sits next to another label (a table header row).
//! - `template.site`: a line that at least `min-docs` documents and `min-share` of the
//!   documents of its site contain ([`LineCounts`]); `template.site-local`: a short,
//!   non-prose line split into items (a nav bar) that at least `local-min-docs` documents of
//!   the site contain. Enumerated headings (`一、基本情况`) are never site template.
//!
//! Before → after:
//! ```text
//! 现将20xx年工作总结如下：  → template (template.placeholder, 20xx)
//! 序号                     → template (template.form-label, 序号)
//! ```

use std::sync::Arc;

use qingxi_core::{Document, Label, LineKey, Stage, StageName};
use serde::Deserialize;

use crate::counts::LineCounts;
use crate::counts::MAX_COUNTED_LINE_BYTES;
use crate::text::{
    first_placeholder_char, has_terminal, is_cjk, line_key, line_key_and_placeholder_char,
    non_space_chars, segments, starts_enumerated,
};
use crate::FilterError;

const FORM_LABELS: &str = include_str!("../dict/form_labels.txt");

/// Configuration of the `template` stage (`[template]` in `pipeline.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct TemplateConfig {
    /// Move lines holding fill-in placeholders (`20xx年`, `XX市`, `×××`, `某某`, `____`).
    pub placeholders: bool,
    /// Move form skeleton labels (`类别`, `序号`, `目标名称`).
    pub form_labels: bool,
    /// Move lines repeated across a site's documents (needs the corpus pass).
    pub site_repeats: bool,
    /// Sites with fewer documents than this are not judged by repetition.
    pub min_site_docs: u64,
    /// Fewest documents of the site that must contain a line for `template.site`.
    pub min_docs: u32,
    /// Smallest share of the site's documents that must contain a line for `template.site`.
    pub min_share: f32,
    /// Fewest documents for a short nav-like line (`template.site-local`).
    pub local_min_docs: u32,
    /// Longest line (non-space characters) that `template.site-local` considers.
    pub max_local_chars: usize,
    /// Cap on distinct (site, line) entries of the corpus pass ([`LineCounts::new`]);
    /// about 18–37 bytes each.
    pub max_line_entries: usize,
}

impl Default for TemplateConfig {
    fn default() -> Self {
        TemplateConfig {
            placeholders: true,
            form_labels: true,
            site_repeats: true,
            min_site_docs: 4,
            min_docs: 3,
            min_share: 0.4,
            local_min_docs: 2,
            max_local_chars: 40,
            max_line_entries: 2_000_000,
        }
    }
}

impl TemplateConfig {
    /// An empty counts table sized by `max-line-entries`, for the pipeline's corpus pass.
    pub fn new_counts(&self) -> LineCounts {
        LineCounts::new(self.max_line_entries)
    }

    /// Build the runtime stage. With `counts == None` the site-repeat rules are off.
    pub fn build(&self, counts: Option<Arc<LineCounts>>) -> Result<Template, FilterError> {
        crate::check_share("template.min-share", self.min_share)?;
        let mut labels = Vec::new();
        let mut suffixes = Vec::new();
        let mut section = "";
        for l in FORM_LABELS.lines().map(str::trim) {
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if l.starts_with('[') {
                section = l;
                continue;
            }
            if section == "[suffix]" {
                suffixes.push(l.to_string());
            } else {
                labels.push(l.to_string());
            }
        }
        let (labels, suffixes) = (LabelSet::new(&labels), LabelSet::new(&suffixes));
        Ok(Template { cfg: self.clone(), counts, labels, suffixes })
    }
}

/// Strings of at most 15 bytes as one integer (the bytes, then the length in the top byte),
/// so a short line is looked up among the labels by one binary search over integers instead
/// of a string comparison per label.
fn pack(s: &[u8]) -> Option<u128> {
    let mut a = [0u8; 16];
    a.get_mut(..s.len()).filter(|_| s.len() < 16)?.copy_from_slice(s);
    a[15] = s.len() as u8;
    Some(u128::from_le_bytes(a))
}

/// Form labels or label suffixes, for lookups by integer ([`pack`]).
#[derive(Debug, Clone)]
struct LabelSet {
    /// Strings of at most 15 bytes by byte length: (length, [`pack`]ed and sorted).
    by_len: Vec<(usize, Vec<u128>)>,
    /// The others (none in the shipped list).
    long: Vec<String>,
}

impl LabelSet {
    fn new(items: &[String]) -> Self {
        let mut by_len: Vec<(usize, Vec<u128>)> = Vec::new();
        for (l, k) in items.iter().filter_map(|l| Some((l.len(), pack(l.as_bytes())?))) {
            match by_len.iter_mut().find(|(n, _)| *n == l) {
                Some((_, keys)) => keys.push(k),
                None => by_len.push((l, vec![k])),
            }
        }
        for (_, keys) in &mut by_len {
            keys.sort_unstable();
        }
        let long = items.iter().filter(|l| l.len() >= 16).cloned().collect();
        LabelSet { by_len, long }
    }

    /// `t` is one of the strings.
    fn contains(&self, t: &str) -> bool {
        match pack(t.as_bytes()) {
            Some(k) => self.by_len.iter().any(|(_, keys)| keys.binary_search(&k).is_ok()),
            None => self.long.iter().any(|l| l == t),
        }
    }

    /// `t` ends with one of the strings.
    fn has_suffix_of(&self, t: &str) -> bool {
        let b = t.as_bytes();
        self.by_len.iter().any(|&(n, ref keys)| {
            b.len() >= n && pack(&b[b.len() - n..]).is_some_and(|k| keys.binary_search(&k).is_ok())
        }) || self.long.iter().any(|s| t.ends_with(s.as_str()))
    }
}

/// A cheap test for characters that are never whitespace: visible ASCII (and DEL), and
/// everything past U+3000, the last whitespace character.
fn never_space(c: char) -> bool {
    ('!'..='\u{7F}').contains(&c) || c > '\u{3000}'
}

/// The runtime `template` stage.
#[derive(Debug, Clone)]
pub struct Template {
    cfg: TemplateConfig,
    counts: Option<Arc<LineCounts>>,
    labels: LabelSet,
    suffixes: LabelSet,
}

const PLACE_SUFFIX: &str = "年月日市县区省州镇乡村局厅处科室部委办公司单位学校医院街道社区路号同志";

/// Find a fill-in placeholder in `line`; returns the matched text.
fn placeholder(line: &str) -> Option<String> {
    find_placeholder(line)
}

/// X-like characters that make placeholder runs.
fn is_x(c: char) -> bool {
    matches!(c, 'x' | 'X' | '×' | 'Ｘ' | 'ｘ' | '＊')
}

/// The byte offset of the first two neighbouring characters of `line` that can begin a
/// placeholder: two X-like characters, `某某`, or two underscores. Every placeholder
/// [`find_placeholder`] reports holds such a pair, and most lines with a placeholder
/// character hold none (a lone `x` in a URL, `某` in `某种`), so they skip the search.
///
/// From one placeholder character to the next ([`first_placeholder_char`], a vectorized
/// search that makes long lines cheap), each looked at with the character after it (a test
/// checks this against the character-level definition).
fn placeholder_pair(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut from = 0;
    loop {
        // The next placeholder character (a vectorized search), and whether the character
        // after it is of its class.
        let i = from + first_placeholder_char(&b[from..])?;
        let Some((class, len)) = placeholder_class(b, i) else {
            from = i + 1;
            continue;
        };
        if placeholder_class(b, i + len).is_some_and(|(c, _)| c == class) {
            return Some(i);
        }
        from = i + len;
    }
}

/// The class (1 X-like, 2 `某`, 3 underscore) and length of the placeholder character at
/// byte `i` of `b`, if one starts there.
#[inline]
fn placeholder_class(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let &x = b.get(i)?;
    if !PAIR_LEAD[usize::from(x)] {
        return None;
    }
    Some(match (x, b.get(i + 1..i + 3)) {
        (b'x' | b'X', _) => (1, 1),
        (b'_', _) => (3, 1),
        (0xC3, _) if b.get(i + 1) == Some(&0x97) => (1, 2),
        (0xEF, Some(&[0xBC, 0xB8 | 0x8A] | &[0xBD, 0x98])) => (1, 3),
        (0xEF, Some(&[0xBC, 0xBF])) => (3, 3),
        (0xE6, Some(&[0x9F, 0x90])) => (2, 3),
        _ => return None,
    })
}

/// The bytes [`placeholder_pair`] looks at further.
const PAIR_LEAD: [bool; 256] = {
    let mut t = [false; 256];
    t[b'x' as usize] = true;
    t[b'X' as usize] = true;
    t[b'_' as usize] = true;
    t[0xC3] = true;
    t[0xEF] = true;
    t[0xE6] = true;
    t
};

/// [`placeholder`]: the pair gate, then the search from the first pair (also called when the
/// line key found a placeholder character).
fn find_placeholder(line: &str) -> Option<String> {
    search_placeholder_from(line, placeholder_pair(line)?)
}

/// [`search_placeholder`] started at byte `from`, the first placeholder pair
/// ([`placeholder_pair`]), on the line in place (no vector of its characters).
///
/// The same result: before the first pair every X-like and underscore run is one character
/// long and no `某` is followed by another, so the search returns nothing there and steps
/// onto `from` exactly (a pair starts a run: the character before it is not of its class);
/// from there it is the same search, looking back at most two characters. A test checks
/// both over random lines.
fn search_placeholder_from(line: &str, from: usize) -> Option<String> {
    let b = line.as_bytes();
    let next = |j: usize| line[j..].chars().next();
    let prev = |j: usize| line[..j].chars().next_back();
    let mut i = from;
    while let Some(c) = next(i) {
        // Runs of X-like characters.
        if is_x(c) {
            let start = i;
            let mut len = 0;
            while let Some(c) = next(i).filter(|&c| is_x(c)) {
                i += c.len_utf8();
                len += 1;
            }
            let before = prev(start);
            let after = next(i);
            let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
            // The two characters before the run are `19` or `20` (ASCII, so two bytes).
            let year = matches!(b[..start], [.., b'1', b'9'] | [.., b'2', b'0'])
                && len == 2
                && !after.is_some_and(|c| c.is_ascii_alphanumeric());
            if year {
                return Some(line[start - 2..i].to_string());
            }
            let times = line[start..i].chars().all(|c| c == '×');
            let cjk_next = before.is_some_and(is_cjk) || after.is_some_and(is_cjk);
            if len >= 2
                && !ascii_word(before)
                && !ascii_word(after)
                && (cjk_next || times && len >= 3)
            {
                return Some(line[start..i].to_string());
            }
            continue;
        }
        // `某` is three bytes.
        if c == '某' && next(i + 3) == Some('某') {
            let before = prev(i);
            let after = next(i + 6);
            if !before.is_some_and(is_cjk) || after.is_some_and(|a| PLACE_SUFFIX.contains(a)) {
                return Some("某某".to_string());
            }
            i += 6;
            continue;
        }
        if matches!(c, '_' | '＿') {
            let start = i;
            let mut len = 0;
            while let Some(c) = next(i).filter(|&c| matches!(c, '_' | '＿')) {
                i += c.len_utf8();
                len += 1;
            }
            if len >= 3 {
                return Some(line[start..i].to_string());
            }
            continue;
        }
        i += c.len_utf8();
    }
    None
}

/// The placeholder search, character by character (the definition
/// [`search_placeholder_from`] is tested against).
#[cfg(test)]
fn search_placeholder(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        // Runs of X-like characters.
        if is_x(c) {
            let start = i;
            while i < n && is_x(chars[i]) {
                i += 1;
            }
            let len = i - start;
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
            let year = start >= 2
                && matches!((chars[start - 2], chars[start - 1]), ('1', '9') | ('2', '0'))
                && len == 2
                && !after.is_some_and(|c| c.is_ascii_alphanumeric());
            if year {
                return Some(chars[start - 2..i].iter().collect());
            }
            let times = chars[start..i].iter().all(|&c| c == '×');
            let cjk_next = before.is_some_and(is_cjk) || after.is_some_and(is_cjk);
            if len >= 2
                && !ascii_word(before)
                && !ascii_word(after)
                && (cjk_next || times && len >= 3)
            {
                return Some(chars[start..i].iter().collect());
            }
            continue;
        }
        if c == '某' && chars.get(i + 1) == Some(&'某') {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 2).copied();
            if !before.is_some_and(is_cjk) || after.is_some_and(|a| PLACE_SUFFIX.contains(a)) {
                return Some("某某".to_string());
            }
            i += 2;
            continue;
        }
        if matches!(c, '_' | '＿') {
            let start = i;
            while i < n && matches!(chars[i], '_' | '＿') {
                i += 1;
            }
            if i - start >= 3 {
                return Some(chars[start..i].iter().collect());
            }
            continue;
        }
        i += 1;
    }
    None
}

impl Template {
    /// Is `line` (trimmed of spaces and a trailing colon) a form field label?
    /// Returns (is_candidate, ends_with_colon).
    fn label_candidate(&self, line: &str) -> (bool, bool) {
        // Most lines are long, and trimming costs a whitespace table lookup per end: when
        // neither end can be whitespace, the trimmed line is the line.
        let settled = |t: &str| t.len() > 8 * 3 + 3;
        if settled(line)
            && line.chars().next().is_some_and(never_space)
            && line.chars().next_back().is_some_and(never_space)
        {
            return (false, false);
        }
        let t = line.trim();
        if settled(t) {
            return (false, false);
        }
        let colon = t.ends_with(':') || t.ends_with('：');
        let t = t.trim_end_matches([':', '：']).trim();
        let n = t.chars().count();
        // Han characters only (so no whitespace, punctuation or symbols either).
        if n == 0 || n > 8 || !t.chars().all(is_cjk) || starts_enumerated(t) {
            return (false, false);
        }
        let exact = self.labels.contains(t);
        let suffix = n <= 6 && self.suffixes.has_suffix_of(t);
        (exact || suffix, colon)
    }

    /// `key`: the line's [`line_key`] when already computed.
    fn site_rule(
        &self,
        counts: &LineCounts,
        site_hash: u64,
        site_docs: u64,
        line: &str,
        key: Option<(u64, usize)>,
    ) -> Option<(&'static str, String)> {
        // Site chrome is short; a long paragraph is not worth hashing.
        if line.len() > MAX_COUNTED_LINE_BYTES {
            return None;
        }
        let (h, kept) = key.unwrap_or_else(|| line_key(line));
        if kept < 2 {
            return None;
        }
        // Most lines belong to one document: the count settles them before the heading test.
        let c = counts.get(site_hash, h);
        if c == 0 || c < self.cfg.min_docs.min(self.cfg.local_min_docs) || starts_enumerated(line) {
            return None;
        }
        let share = c as f64 / site_docs as f64;
        let matched = || format!("{c}/{site_docs} docs");
        if c >= self.cfg.min_docs && share >= f64::from(self.cfg.min_share) {
            return Some(("template.site", matched()));
        }
        let local = c >= self.cfg.local_min_docs
            && non_space_chars(line) <= self.cfg.max_local_chars
            && !has_terminal(line)
            && segments(line).count() >= 2;
        local.then(|| ("template.site-local", matched()))
    }
}

impl Stage for Template {
    fn name(&self) -> StageName {
        StageName::Template
    }

    fn run(&self, doc: &mut Document) {
        let mut changed = 0;
        // The site rule, when it applies to this document: (counts, site hash, site docs).
        let site = match (self.cfg.site_repeats, &self.counts) {
            (true, Some(counts)) => {
                let site_docs = counts.site_docs(&doc.site);
                (site_docs >= self.cfg.min_site_docs)
                    .then(|| (counts, LineCounts::site_hash(&doc.site), site_docs))
            }
            _ => None,
        };
        // Line keys the placeholder pass computed for the site rule (the placeholder test
        // rides along the key's pass over the bytes), per block.
        let mut keys: Vec<Option<(u64, usize)>> = Vec::new();
        if self.cfg.placeholders {
            if site.is_some() {
                keys.resize(doc.blocks.len(), None);
            }
            // Keys the corpus pass left, when it did (by line number).
            let cached = &doc.line_keys;
            for (i, b) in doc.blocks.iter_mut().enumerate().filter(|(_, b)| b.is_content()) {
                let key = cached.get(b.line - 1).filter(|k| **k != LineKey::NONE);
                let found = if let (Some(k), true) = (key, site.is_some()) {
                    keys[i] = Some((k.hash, k.kept as usize));
                    k.placeholder.then(|| find_placeholder(&b.text)).flatten()
                } else if site.is_some() && b.text.len() <= MAX_COUNTED_LINE_BYTES {
                    let (h, kept, maybe) = line_key_and_placeholder_char(&b.text);
                    keys[i] = Some((h, kept));
                    maybe.then(|| find_placeholder(&b.text)).flatten()
                } else {
                    placeholder(&b.text)
                };
                if let Some(m) = found {
                    b.set_label(Label::Template, "template.placeholder", Some(&m));
                    changed += 1;
                }
            }
        }
        if self.cfg.form_labels {
            let cands: Vec<(bool, bool)> = doc
                .blocks
                .iter()
                .map(
                    |b| if b.is_content() { self.label_candidate(&b.text) } else { (false, false) },
                )
                .collect();
            for (i, b) in doc.blocks.iter_mut().enumerate() {
                let (cand, colon) = cands[i];
                let neighbour = (i > 0 && cands[i - 1].0) || cands.get(i + 1).is_some_and(|c| c.0);
                if cand && (colon || neighbour) {
                    let t = b.text.trim().trim_end_matches([':', '：']).to_string();
                    b.set_label(Label::Template, "template.form-label", Some(&t));
                    changed += 1;
                }
            }
        }
        if let Some((counts, sh, site_docs)) = site {
            for (i, b) in doc.blocks.iter_mut().enumerate().filter(|(_, b)| b.is_content()) {
                let key = keys.get(i).copied().flatten();
                if let Some((rule, m)) = self.site_rule(counts, sh, site_docs, &b.text, key) {
                    b.set_label(Label::Template, rule, Some(&m));
                    changed += 1;
                }
            }
        }
        doc.count(StageName::Template, changed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::random_lines;
    use crate::test_util::{label_in_context, labels};

    fn stage() -> Template {
        TemplateConfig::default().build(None).unwrap()
    }

    #[test]
    fn placeholders_found_and_not_found() {
        for (name, line, want) in [
            ("year placeholder", "现将20xx年工作总结如下：", Some("20xx")),
            ("upper year placeholder", "20XX年度述职报告", Some("20XX")),
            ("times year placeholder", "喜迎崭新的20××，我们将继续努力。", Some("20××")),
            ("city placeholder", "XX市卫生健康局关于开展检查的通知", Some("XX")),
            ("month placeholder", "于xx月xx日召开会议", Some("xx")),
            ("name placeholder", "报告人：×××", Some("×××")),
            ("mou mou institution", "某某公司年度工作计划", Some("某某")),
            ("mou mou city", "在某某市召开", Some("某某")),
            ("blank", "姓名：________ 性别：____", Some("________")),
            ("anonymized person is not a placeholder", "犯罪嫌疑人张某某已被刑事拘留。", None),
            ("multiplication sign", "房间面积为3×4米。", None),
            ("english word", "The XXL size and Xbox sold out.", None),
            ("real year", "2021年工作总结", None),
            ("size code", "尺码为XXL的衣服", None),
        ] {
            assert_eq!(placeholder(line).as_deref(), want, "{name}: {line}");
        }
    }

    #[test]
    fn pair_gate_never_hides_a_placeholder() {
        let pool: Vec<char> = "xX×Ｘｘ＊_＿某20市年a中，19".chars().collect();
        for line in random_lines(&pool, 3, 20_000, 13) {
            assert_eq!(find_placeholder(&line), search_placeholder(&line), "{line}");
        }
        // Longer lines, with placeholders after other placeholder characters and runs.
        let pool: Vec<char> = "xxX×××Ｘｘ＊__＿某某某20市年同a中，19 1é".chars().collect();
        for line in random_lines(&pool, 4, 20_000, 37) {
            assert_eq!(find_placeholder(&line), search_placeholder(&line), "{line}");
        }
    }

    /// The character-level definition of [`placeholder_pair`]: where the first pair starts.
    fn placeholder_pair_by_chars(line: &str) -> Option<usize> {
        let mut prev = ('\0', 0);
        line.char_indices().find_map(|(i, c)| {
            let p = prev.0;
            let pair = (is_x(p) && is_x(c))
                || (p == '某' && c == '某')
                || (matches!(p, '_' | '＿') && matches!(c, '_' | '＿'));
            let start = prev.1;
            prev = (c, i);
            pair.then_some(start)
        })
    }

    #[test]
    fn byte_level_pair_gate_agrees_with_the_character_level_definition() {
        let pool: Vec<char> = "xX×Ｘｘ＊_＿某中，éÃ÷ａＹ＋谋柏a".chars().collect();
        for line in random_lines(&pool, 17, 30_000, 41) {
            assert_eq!(placeholder_pair(&line), placeholder_pair_by_chars(&line), "{line:?}");
        }
        // Every character on both sides of each placeholder character.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for p in ['x', '×', 'ｘ', '＿', '某'] {
                let line = format!("{p}{c}{p}");
                assert_eq!(placeholder_pair(&line), placeholder_pair_by_chars(&line));
            }
        }
    }

    #[test]
    fn never_space_characters_are_not_whitespace() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert!(!(never_space(c) && c.is_whitespace()), "{c:?}");
        }
    }

    #[test]
    fn label_sets_agree_with_string_comparisons() {
        let lists: Vec<Vec<String>> = vec![
            FORM_LABELS.lines().map(|l| l.trim().to_string()).collect(),
            ["甲", "乙丙", "丁戊己庚辛壬", "甲乙丙丁戊己庚", "ab", ""].map(String::from).to_vec(),
        ];
        for list in &lists {
            let set = LabelSet::new(list);
            // Every label, every piece of one, and random strings of the labels' characters.
            let pool: Vec<char> = list.iter().flat_map(|l| l.chars()).chain(['中', 'a']).collect();
            let mut lines: Vec<String> = list.clone();
            for l in list {
                for (i, _) in l.char_indices() {
                    lines.push(l[i..].to_string());
                    lines.push(l[..i].to_string());
                    lines.push(format!("中{}", &l[i..]));
                }
            }
            let mut seed = 23u64;
            for len in 0..5_000 {
                lines.push(
                    (0..len % 9)
                        .map(|_| {
                            seed = crate::text::mix64(seed.wrapping_add(1));
                            pool[(seed % pool.len() as u64) as usize]
                        })
                        .collect(),
                );
            }
            for t in &lines {
                assert_eq!(set.contains(t), list.iter().any(|l| l == t), "{t:?}");
                let suffix = list.iter().any(|s| t.ends_with(s.as_str()));
                assert_eq!(set.has_suffix_of(t), suffix, "{t:?}");
            }
        }
    }

    #[test]
    fn placeholder_lines_go_to_template() {
        assert_eq!(label_in_context(&stage(), "20xx年建立更新居民健康档案20941份。"), "template");
        assert_eq!(label_in_context(&stage(), "2021年建立更新居民健康档案20941份。"), "content");
    }

    #[test]
    fn form_labels_in_a_header_row() {
        let text = "2021年度业务目标\n\t类别\n\t序号\n\t目标名称\n\t目标内容\n\t重点目标\n\t1\n\t加强紧急医学救援\n能力建设\n";
        let got: Vec<_> = labels(&stage(), text).into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            got,
            [
                "content", "template", "template", "template", "template", "content", "content",
                "content", "content"
            ]
        );
    }

    #[test]
    fn lone_headings_are_not_form_labels() {
        for (name, line, want) in [
            ("label with colon", "姓名：", "template"),
            ("lone suffix heading", "工作要求", "content"),
            ("lone exact label without colon", "备注", "content"),
            ("enumerated heading", "二、工作要求", "content"),
            ("ordinary heading", "能力建设", "content"),
        ] {
            assert_eq!(label_in_context(&stage(), line), want, "{name}: {line}");
        }
    }

    fn site_docs() -> Vec<String> {
        (0..8)
            .map(|i| {
                let t = "甲乙丙丁戊己庚辛".chars().nth(i).unwrap();
                let prev = if i > 0 { format!("上一章：第{}章 | 目录", i) } else { String::new() };
                format!(
                    "星河文学网 - 免费小说阅读\n{prev}\n第{}章 正文标题{t}\n这是{t}章独有的正文内容，很长很长。\n一、基本情况\n本站所有小说均来自网友上传。\n",
                    i + 1,
                )
            })
            .collect()
    }

    #[test]
    fn site_repeated_lines_go_to_template() {
        let docs = site_docs();
        let mut counts = LineCounts::new(10_000);
        for d in &docs {
            counts.observe("novel", d);
        }
        let stage = TemplateConfig::default().build(Some(Arc::new(counts))).unwrap();
        let mut doc = Document::new("3.txt", docs[3].clone());
        doc.site = "novel".into();
        doc.split_blocks();
        stage.run(&mut doc);
        let got: Vec<_> = doc.blocks.iter().map(|b| (b.text.as_str(), b.rule)).collect();
        assert_eq!(
            got,
            [
                ("星河文学网 - 免费小说阅读", Some("template.site")),
                ("上一章：第3章 | 目录", Some("template.site")),
                ("第4章 正文标题丁", None),
                ("这是丁章独有的正文内容，很长很长。", None),
                ("一、基本情况", None),
                ("本站所有小说均来自网友上传。", Some("template.site")),
            ]
        );
        // Another site, or no counts: nothing repeated.
        let mut other = Document::new("x.txt", docs[3].clone());
        other.site = "elsewhere".into();
        other.split_blocks();
        stage.run(&mut other);
        assert!(other.blocks.iter().all(|b| b.is_content()));
    }

    #[test]
    fn line_keys_from_the_corpus_pass_give_the_same_labels() {
        // Placeholders, blank lines (not blocks), a \r\n line and one too long to count.
        let mut docs = site_docs();
        docs[2].push_str("\n\n联系电话：XXXX-XXXXXXX\r\n");
        docs[2].push_str(&"很长的一段正文".repeat(40));
        docs[2].push_str("\n本站所有小说均来自网友上传。\n");
        let mut counts = LineCounts::new(10_000);
        let mut keyed = Vec::new();
        for d in &docs {
            let mut keys = Vec::new();
            counts.observe_keyed("novel", d, &mut keys);
            assert_eq!(keys.len(), d.lines().count());
            keyed.push(keys);
        }
        assert!(keyed[2].contains(&LineKey::NONE), "the long line is not keyed");
        let stage = TemplateConfig::default().build(Some(Arc::new(counts))).unwrap();
        for (text, keys) in docs.iter().zip(keyed) {
            let labels = |keys: Vec<LineKey>| {
                let mut doc = Document::new("d", text.clone());
                doc.site = "novel".into();
                doc.line_keys = keys;
                doc.split_blocks();
                stage.run(&mut doc);
                doc.blocks.iter().map(|b| (b.label, b.rule, b.matched.clone())).collect::<Vec<_>>()
            };
            assert_eq!(labels(keys), labels(Vec::new()), "{text}");
        }
    }

    #[test]
    fn local_nav_needs_items_and_two_documents() {
        let mut counts = LineCounts::new(10_000);
        for i in 0..20 {
            let nav = if i < 2 { "« 上一页：春 | 下一页：夏 »\n" } else { "" };
            let heading = if i < 2 { "春天的故事\n" } else { "" };
            counts.observe("s", &format!("{nav}{heading}第{i}篇独有正文内容{}\n", "啊".repeat(i)));
        }
        let stage = TemplateConfig::default().build(Some(Arc::new(counts))).unwrap();
        let mut doc = Document::new("1.txt", "« 上一页：春 | 下一页：夏 »\n春天的故事\n".into());
        doc.site = "s".into();
        doc.split_blocks();
        stage.run(&mut doc);
        let rules: Vec<_> = doc.blocks.iter().map(|b| b.rule).collect();
        assert_eq!(rules, [Some("template.site-local"), None]);
    }
}
