//! Dictionaries: parsing the term-list format and compiling terms into one Aho-Corasick
//! automaton per stage, with Traditional-script variants derived automatically.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::FilterError;

/// Simplified→Traditional character pairs for the characters of the default dictionaries.
const TRAD: &str = include_str!("../dict/trad.txt");

/// One dictionary term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub text: String,
    /// Index into the stage's category list.
    pub category: usize,
    /// Weak terms only count together with other evidence.
    pub weak: bool,
}

/// Parse the dictionary format: `[category]` headers, `~weak` terms, `#` comments.
/// `origin` names the source in errors; terms before any header get `default_category`.
pub(crate) fn parse(
    src: &str,
    origin: &str,
    categories: &[&str],
    default_category: usize,
) -> Result<Vec<Term>, FilterError> {
    let mut category = default_category;
    let mut terms = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            category = categories.iter().position(|c| *c == name.trim()).ok_or_else(|| {
                FilterError::Dictionary {
                    origin: origin.to_string(),
                    line: i + 1,
                    message: format!(
                        "unknown category `{name}` (known: {})",
                        categories.join(", ")
                    ),
                }
            })?;
            continue;
        }
        let (weak, text) = match line.strip_prefix('~') {
            Some(t) => (true, t.trim()),
            None => (false, line),
        };
        if text.is_empty() {
            continue;
        }
        terms.push(Term { text: text.to_string(), category, weak });
    }
    Ok(terms)
}

/// Read and parse extra dictionary files named in the config, relative to `base_dir`.
pub(crate) fn load_extra(
    files: &[PathBuf],
    base_dir: &Path,
    categories: &[&str],
    default_category: usize,
) -> Result<Vec<Term>, FilterError> {
    let mut terms = Vec::new();
    for f in files {
        let path = base_dir.join(f);
        let src = std::fs::read_to_string(&path)
            .map_err(|source| FilterError::Io { path: path.clone(), source })?;
        terms.extend(parse(&src, &path.display().to_string(), categories, default_category)?);
    }
    Ok(terms)
}

/// A dictionary hit inside a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Index of the term in [`Matcher::terms`].
    pub term: usize,
    pub category: usize,
    pub weak: bool,
    /// Byte range of the match in the line.
    pub start: usize,
    pub end: usize,
}

/// Terms compiled into one automaton (built once, shared read-only across threads).
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    ac: AhoCorasick,
    /// Pattern id → term index (several spellings map to one term).
    pattern_term: Vec<usize>,
    pub terms: Vec<Term>,
}

impl Matcher {
    pub(crate) fn new(terms: Vec<Term>) -> Result<Self, FilterError> {
        let table = trad_table();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_term = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            for v in variants(&t.text, &table) {
                patterns.push(v);
                pattern_term.push(i);
            }
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            // A full DFA: a few hundred short terms make a small table, and it is the
            // fastest kind to scan with (one table lookup per byte).
            .kind(Some(AhoCorasickKind::DFA))
            .prefilter(false)
            .build(&patterns)
            .map_err(|e| FilterError::Automaton(e.to_string()))?;
        Ok(Matcher { ac, pattern_term, terms })
    }

    /// Call `f` for every non-overlapping (leftmost-longest) hit in `line`.
    pub(crate) fn for_each_hit(&self, line: &str, mut f: impl FnMut(Hit)) {
        for m in self.ac.find_iter(line) {
            let term = self.pattern_term[m.pattern().as_usize()];
            let t = &self.terms[term];
            f(Hit { term, category: t.category, weak: t.weak, start: m.start(), end: m.end() });
        }
    }

    pub(crate) fn term(&self, i: usize) -> &str {
        &self.terms[i].text
    }
}

fn trad_table() -> HashMap<char, Vec<char>> {
    let mut table: HashMap<char, Vec<char>> = HashMap::new();
    for line in TRAD.lines() {
        let mut cs = line.chars();
        if line.starts_with('#') {
            continue;
        }
        if let (Some(s), Some(t)) = (cs.next(), cs.next()) {
            table.entry(s).or_default().push(t);
        }
    }
    table
}

/// The term itself and its Traditional spellings: every combination of each character's
/// options (itself and its Traditional forms), capped so a long term cannot explode.
fn variants(term: &str, table: &HashMap<char, Vec<char>>) -> Vec<String> {
    const CAP: usize = 32;
    let mut out = vec![String::new()];
    for c in term.chars() {
        let alts = table.get(&c).map_or(&[][..], Vec::as_slice);
        if alts.is_empty() || out.len() * (alts.len() + 1) > CAP {
            // Past the cap, extend every spelling with the primary Traditional form only
            // when the spelling already uses Traditional forms.
            let primary = alts.first().copied();
            for v in &mut out {
                let trad =
                    primary.is_some() && v.chars().any(|x| x as u32 > 0x7f && !term.contains(x));
                v.push(if trad { primary.unwrap_or(c) } else { c });
            }
            continue;
        }
        let mut next = Vec::with_capacity(out.len() * (alts.len() + 1));
        for v in &out {
            for &o in std::iter::once(&c).chain(alts) {
                let mut w = v.clone();
                w.push(o);
                next.push(w);
            }
        }
        out = next;
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATS: [&str; 2] = ["a", "b"];

    #[test]
    fn parses_sections_weak_terms_and_comments() {
        let terms = parse("# c\nx\n[b]\n~y\n\n  z  \n", "t", &CATS, 0).unwrap();
        let got: Vec<_> = terms.iter().map(|t| (t.text.as_str(), t.category, t.weak)).collect();
        assert_eq!(got, [("x", 0, false), ("y", 1, true), ("z", 1, false)]);
    }

    #[test]
    fn unknown_category_names_origin_and_line() {
        let err = parse("x\n[nope]\n", "my.txt", &CATS, 0).unwrap_err().to_string();
        assert!(err.contains("my.txt") && err.contains('2') && err.contains("nope"), "{err}");
    }

    #[test]
    fn missing_extra_file_names_the_path() {
        let err = load_extra(&["nope.txt".into()], Path::new("/nonexistent"), &CATS, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/nope.txt"), "{err}");
    }

    #[test]
    fn matches_traditional_variants_and_ascii_case() {
        let terms = parse("发布日期\n扫一扫\nAPP\n", "t", &CATS, 0).unwrap();
        let m = Matcher::new(terms).unwrap();
        for (line, want) in [
            ("發布日期 : 2021", Some("发布日期")),
            ("發佈日期", Some("发布日期")),
            ("掃一掃", Some("扫一扫")),
            ("下载app", Some("APP")),
            ("正文", None),
        ] {
            let mut got = None;
            m.for_each_hit(line, |h| got = Some(m.term(h.term).to_string()));
            assert_eq!(got.as_deref(), want, "{line}");
        }
    }
}
