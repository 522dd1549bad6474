//! Character classes, line features and the normalized line key shared by the filter stages.

/// Han ideographs (the BMP blocks plus extension A and the compatibility block).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Sentence-ending punctuation: a line containing one reads as prose, not furniture.
/// (Not the ellipsis: headlines use it.)
pub(crate) fn is_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；')
}

/// Characters that separate items of a menu or keyword run.
pub(crate) fn is_separator(c: char) -> bool {
    matches!(
        c,
        '|' | '｜'
            | '¦'
            | '丨'
            | '/'
            | '／'
            | '\\'
            | '·'
            | '•'
            | '●'
            | '▪'
            | '■'
            | '◆'
            | '>'
            | '＞'
            | '»'
            | '›'
            | '→'
            | '-'
            | '—'
            | ','
            | '，'
            | '、'
            | ';'
            | '；'
    )
}

/// Punctuation and symbols (ASCII, general punctuation, CJK symbols, full-width forms, arrows,
/// box drawing, shapes, misc symbols). Used to build keys that ignore punctuation.
pub(crate) fn is_punct_or_symbol(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c,
            '\u{00A1}'..='\u{00BF}' | '\u{00D7}' | '\u{00F7}'
            | '\u{2000}'..='\u{206F}' | '\u{2190}'..='\u{23FF}' | '\u{2500}'..='\u{27BF}'
            | '\u{3000}'..='\u{303F}' | '\u{FE30}'..='\u{FE4F}' | '\u{FE50}'..='\u{FE6F}'
            | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF65}' | '\u{FFE0}'..='\u{FFEE}')
}

/// Full-width ASCII folded to ASCII, ASCII letters lower-cased.
pub(crate) fn fold_width(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Cheap facts about one line that the rules combine with dictionary hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineFeatures {
    /// Non-whitespace characters.
    pub chars: usize,
    /// Han characters.
    pub cjk: usize,
    /// ASCII digits (and full-width digits).
    pub digits: usize,
    /// Sentence-ending punctuation marks anywhere in the line.
    pub terminals: usize,
    /// Menu / keyword separators.
    pub separators: usize,
    /// Characters belonging to URLs or bare domains.
    pub url_chars: usize,
    /// Longest run of digits (ignoring `-` and spaces inside it): 7+ looks like a phone number.
    pub longest_digit_run: usize,
}

impl LineFeatures {
    pub(crate) fn of(line: &str) -> Self {
        let mut f = LineFeatures::default();
        let mut run = 0usize;
        for c in line.chars() {
            if c.is_whitespace() {
                continue;
            }
            f.chars += 1;
            if is_cjk(c) {
                f.cjk += 1;
            }
            if is_terminal(c) {
                f.terminals += 1;
            }
            if is_separator(c) {
                f.separators += 1;
            }
            if c.is_ascii_digit() || ('０'..='９').contains(&c) {
                f.digits += 1;
                run += 1;
                f.longest_digit_run = f.longest_digit_run.max(run);
            } else if c != '-' {
                run = 0;
            }
        }
        if line.contains('.') {
            f.url_chars = url_chars(line);
        }
        f
    }

    /// True when the line reads as prose: it has sentence punctuation.
    pub(crate) fn is_prose(&self) -> bool {
        self.terminals > 0
    }

    pub(crate) fn url_share(&self) -> f32 {
        ratio(self.url_chars, self.chars)
    }

    pub(crate) fn has_phone(&self) -> bool {
        self.longest_digit_run >= 7
    }
}

pub(crate) fn ratio(a: usize, b: usize) -> f32 {
    if b == 0 {
        0.0
    } else {
        a as f32 / b as f32
    }
}

/// Count characters of URLs (`http://…`, `www.…`) and bare domains (`example.com`).
fn url_chars(line: &str) -> usize {
    let mut total = 0;
    // Split on anything that cannot be part of a URL; look at each ASCII-ish token.
    for tok in
        line.split(|c: char| !(c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)))
    {
        let tok = tok.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
        if tok.len() < 4 {
            continue;
        }
        let starts = |p: &str| tok.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
        let is_url =
            starts("http://") || starts("https://") || starts("www.") || has_domain_suffix(tok);
        if is_url {
            total += tok.chars().count();
        }
    }
    total
}

fn has_domain_suffix(tok: &str) -> bool {
    const TLDS: [&str; 10] =
        [".com", ".cn", ".net", ".org", ".gov", ".edu", ".cc", ".top", ".info", ".html"];
    let host = tok.split('/').next().unwrap_or(tok);
    if !host.contains('.') || !host.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return false;
    }
    // A label of the host (or the token's end) is a known suffix: `a.com`, `a.com.cn`,
    // `a.edu.cn`, `…/x.html`.
    let ends =
        |s: &str, t: &str| s.len() >= t.len() && s[s.len() - t.len()..].eq_ignore_ascii_case(t);
    TLDS.iter().any(|t| {
        ends(host, t)
            || ends(tok, t)
            || host.match_indices('.').any(|(i, _)| {
                host[i..].get(..t.len()).is_some_and(|h| h.eq_ignore_ascii_case(t))
                    && host[i + t.len()..].starts_with('.')
            })
    })
}

/// Split a line into items at separators and whitespace runs; empty items are skipped.
pub(crate) fn segments(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || is_separator(c)).filter(|s| !s.is_empty())
}

/// True for a line that opens with an enumeration marker (`一、`, `（二）`, `3.`, `第四章`):
/// such headings recur across a site's reports but are content.
pub(crate) fn starts_enumerated(line: &str) -> bool {
    let t = line.trim_start();
    let mut chars = t.chars();
    let Some(first) = chars.next() else { return false };
    let numeral = |c: char| "一二三四五六七八九十百零〇".contains(c) || c.is_ascii_digit();
    match first {
        '(' | '（' => chars.next().is_some_and(numeral),
        '第' => chars.next().is_some_and(numeral),
        c if numeral(c) => {
            let rest: String = chars.take_while(|c| numeral(*c)).collect();
            let after = t.chars().nth(1 + rest.chars().count());
            matches!(after, Some('、' | '.' | '．' | ')' | '）' | '，'))
        }
        _ => false,
    }
}

/// A fast hasher for keys that are already good 64-bit hashes (shingles, line keys):
/// one multiply instead of SipHash.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct U64Hasher(u64);

impl std::hash::Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

pub(crate) type FastMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<U64Hasher>>;

/// Mix a 64-bit value into a well-spread hash (splitmix64 finalizer).
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a, 64 bit: stable across platforms and versions, so counts written on one machine can
/// be merged on another.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) const fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// The normalized key of a line for site statistics: full-width folded, ASCII lower-cased,
/// whitespace, punctuation and symbols removed, every run of digits folded to one symbol.
/// Returns the hash and the number of characters kept (0 means the line has no key).
pub(crate) fn line_key(line: &str) -> (u64, usize) {
    // One rotate-xor-multiply per kept character, then a finalizer: fixed arithmetic, so
    // the key is the same on every platform and version of Rust.
    let mut h: u64 = 0x243F_6A88_85A3_08D3;
    let mut kept = 0;
    let mut in_digits = false;
    for c in line.chars() {
        let c = fold_width(c);
        if c.is_whitespace() || is_punct_or_symbol(c) {
            continue;
        }
        let v = if c.is_ascii_digit() {
            if in_digits {
                continue;
            }
            in_digits = true;
            u64::from('#')
        } else {
            in_digits = false;
            u64::from(c as u32)
        };
        h = (h.rotate_left(23) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        kept += 1;
    }
    (mix64(h ^ kept as u64), kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_key_ignores_digits_spaces_punctuation_and_width() {
        let cases = [
            ("digits folded", "第12期 | 2021年", "第3期｜1999年"),
            ("full-width folded", "ＡＢＣ网", "abc网"),
            ("punctuation removed", "首页 > 新闻中心 > 正文", "首页》新闻中心·正文"),
        ];
        for (name, a, b) in cases {
            assert_eq!(line_key(a).0, line_key(b).0, "{name}");
        }
        assert_ne!(line_key("上一篇").0, line_key("下一篇").0);
        assert_eq!(line_key(" ，。 ").1, 0);
    }

    #[test]
    fn features_detect_urls_phones_and_prose() {
        let f = LineFeatures::of("本文来源:http://www.example.com/a/1.html");
        assert!(f.url_share() > 0.5, "{f:?}");
        assert!(LineFeatures::of("电话：010-88886666").has_phone());
        assert!(!LineFeatures::of("2021年7月16日").has_phone());
        assert!(LineFeatures::of("这是一句话。").is_prose());
        assert!(LineFeatures::of("【www.doubiweb.com--工作计划】").url_chars >= 16);
    }

    #[test]
    fn enumerated_headings() {
        for (line, want) in [
            ("一、基本情况", true),
            ("（二）应急救援", true),
            ("3.业务培训", true),
            ("第四章 总则", true),
            ("一是加强", false),
            ("首页", false),
            ("2021年工作", false),
        ] {
            assert_eq!(starts_enumerated(line), want, "{line}");
        }
    }
}
