//! Character classes, line features and the normalized line key shared by the filter stages.

/// Han ideographs (the BMP blocks plus extension A and the compatibility block).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// The main block of Han ideographs (U+4E00–U+9FFF): one range test, the fast path of
/// the per-character loops (these characters are never space, punctuation or digits).
#[inline(always)]
pub(crate) fn is_cjk_unified(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Sentence-ending punctuation: a line containing one reads as prose, not furniture.
/// (Not the ellipsis: headlines use it.)
pub(crate) const fn is_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；')
}

/// Characters that separate items of a menu or keyword run.
pub(crate) const fn is_separator(c: char) -> bool {
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

/// True when `pred` holds for some three consecutive bytes of `b` (the last two positions
/// see zero padding, so two-byte sequences at the end are found). One loop without early
/// exit, which the compiler vectorizes: several times faster than a `str::contains` per
/// character for the small sets of characters the filters look for.
#[inline(always)]
fn any_seq(b: &[u8], pred: impl Fn(u8, u8, u8) -> bool) -> bool {
    let n = b.len();
    if n < 3 {
        return n == 2 && pred(b[0], b[1], 0);
    }
    let mut acc = 0u8;
    for ((&x, &y), &z) in b[..n - 2].iter().zip(&b[1..n - 1]).zip(&b[2..]) {
        acc |= u8::from(pred(x, y, z));
    }
    acc != 0 || pred(b[n - 2], b[n - 1], 0)
}

/// Count of ASCII whitespace bytes, with byte-sized counters in chunks so the loop
/// vectorizes.
fn ascii_spaces(b: &[u8]) -> usize {
    b.chunks(255)
        .map(|c| c.iter().fold(0u8, |n, &x| n + u8::from((x == b' ') | (x.wrapping_sub(9) < 5))))
        .map(usize::from)
        .sum()
}

/// Non-whitespace characters of `line` (what [`LineFeatures::chars`] counts), without
/// decoding: characters minus ASCII whitespace bytes, counted in loops that vectorize; only a
/// line holding whitespace outside ASCII — U+0085, U+00A0 (`C2 85`, `C2 A0`), U+1680
/// (`E1 9A 80`), U+2000–U+200A, U+2028, U+2029, U+202F (`E2 80 xx`), U+205F (`E2 81 9F`),
/// U+3000 (`E3 80 80`) — is decoded.
pub(crate) fn non_space_chars(line: &str) -> usize {
    let b = line.as_bytes();
    let wide = any_seq(b, |x, y, z| {
        ((x == 0xC2) & ((y == 0x85) | (y == 0xA0)))
            | ((x == 0xE1) & (y == 0x9A) & (z == 0x80))
            | ((x == 0xE2)
                & (((y == 0x80) & ((z <= 0x8A) | (z == 0xA8) | (z == 0xA9) | (z == 0xAF)))
                    | ((y == 0x81) & (z == 0x9F))))
            | ((x == 0xE3) & (y == 0x80) & (z == 0x80))
    });
    if wide {
        return line.chars().filter(|c| !c.is_whitespace()).count();
    }
    line.chars().count() - ascii_spaces(b)
}

/// A lower bound of [`non_space_chars`] of a line, from its bytes or any prefix of them, in
/// one cheap vectorized pass: the characters that are visible ASCII (`!`–DEL) or start at
/// U+4000 (lead bytes `E4`–`F4`: Han and everything after it, none of it whitespace), one
/// byte each (a continuation byte is never counted, so a prefix may end inside a character).
/// Exact for lines of Han and ASCII.
pub(crate) fn non_space_lower_bound(b: &[u8]) -> usize {
    b.chunks(255)
        .map(|c| {
            c.iter().fold(0u8, |n, &x| n + u8::from((x.wrapping_sub(0x21) < 0x5F) | (x >= 0xE4)))
        })
        .map(usize::from)
        .sum()
}

/// How many breadcrumb arrows (`>`, `＞` `EF BC 9E`, `›` `E2 80 BA`, `»` `C2 BB`, `→`
/// `E2 86 92`) `b` holds, in one vectorized pass (UTF-8 sequences never match inside another character, so
/// counting byte patterns counts characters).
pub(crate) fn arrow_count(b: &[u8]) -> usize {
    let n = b.len();
    let arrow = |x: u8, y: u8, z: u8| {
        (x == b'>')
            | ((x == 0xEF) & (y == 0xBC) & (z == 0x9E))
            | ((x == 0xE2) & (((y == 0x80) & (z == 0xBA)) | ((y == 0x86) & (z == 0x92))))
            | ((x == 0xC2) & (y == 0xBB))
    };
    if n < 3 {
        return (0..n).filter(|&i| arrow(b[i], b.get(i + 1).copied().unwrap_or(0), 0)).count();
    }
    // Byte-sized counters per chunk of 255 positions, so the loop vectorizes.
    let mut count = 0usize;
    let mut at = 0;
    while at < n - 2 {
        let end = (at + 255).min(n - 2);
        let windows = b[at..end].iter().zip(&b[at + 1..end + 1]).zip(&b[at + 2..end + 2]);
        count += usize::from(windows.fold(0u8, |a, ((&x, &y), &z)| a + u8::from(arrow(x, y, z))));
        at = end;
    }
    count + usize::from(arrow(b[n - 2], b[n - 1], 0)) + usize::from(arrow(b[n - 1], 0, 0))
}

/// True when `line` holds a character placeholders are made of: `x`, `X`, `_`, `×`, `Ｘ`,
/// `ｘ`, `＊`, `＿` or `某` (most lines hold none).
#[cfg(test)]
pub(crate) fn has_placeholder_char(line: &str) -> bool {
    first_placeholder_char(line.as_bytes()).is_some()
}

/// Positions tested per step of [`first_placeholder_char`].
const PLACEHOLDER_LANES: usize = 32;

/// Where the first character of [`has_placeholder_char`] starts in `b`.
///
/// Most lines hold none, so the search is built around a cheap "none in these 32
/// positions": each step tests [`placeholder_start_sup`], a superset of
/// [`placeholder_start`] of few vector operations, on 32 positions at once (one branch-free
/// loop over three overlapping arrays that the compiler turns into vector compares, inlined
/// so its constants stay in registers), and only a step where it holds is searched position
/// by position. Measured with callgrind on the 5 MB bench corpus: about 2.7 instructions per
/// byte in the steps, 4% fewer in all than 16 positions per step behind a call.
pub(crate) fn first_placeholder_char(b: &[u8]) -> Option<usize> {
    const W: usize = PLACEHOLDER_LANES;
    let exact = |chunk: &[u8; W + 2]| {
        (0..W).find(|&j| placeholder_start(chunk[j], chunk[j + 1], chunk[j + 2]))
    };
    let mut at = 0;
    while let Some(chunk) = b[at..].first_chunk::<{ W + 2 }>() {
        if placeholder_lanes(chunk) {
            if let Some(j) = exact(chunk) {
                return Some(at + j);
            }
        }
        at += W;
    }
    // At most W + 1 positions are left. On a long enough input, the last full chunk
    // (overlapping positions already tested and found clear, so its first hit is the first
    // of the input) and the last two positions by themselves, with zero padding.
    let n = b.len();
    if let Some(last) = b.last_chunk::<{ W + 2 }>() {
        if placeholder_lanes(last) {
            if let Some(j) = exact(last) {
                return Some(n - W - 2 + j);
            }
        }
        return if placeholder_start(b[n - 2], b[n - 1], 0) {
            Some(n - 2)
        } else {
            placeholder_start(b[n - 1], 0, 0).then_some(n - 1)
        };
    }
    // A short input (at most W + 1 bytes): one zero-padded chunk, and its last position
    // (zero bytes never pass the test, so the padding cannot hit).
    let mut tail = [0u8; W + 2];
    tail[..n].copy_from_slice(b);
    if placeholder_lanes(&tail) {
        if let Some(j) = exact(&tail) {
            return Some(j);
        }
    }
    (n == W + 1 && placeholder_start(b[W], 0, 0)).then_some(W)
}

/// True when [`placeholder_start_sup`] holds at one of the [`PLACEHOLDER_LANES`] positions of
/// `chunk`.
#[inline(always)]
fn placeholder_lanes(chunk: &[u8; PLACEHOLDER_LANES + 2]) -> bool {
    const W: usize = PLACEHOLDER_LANES;
    let x: &[u8; W] = chunk.first_chunk().expect("shorter than the chunk");
    let y: &[u8; W] = chunk[1..].first_chunk().expect("shorter than the chunk");
    let z: &[u8; W] = chunk.last_chunk().expect("shorter than the chunk");
    let mut acc = 0u8;
    for j in 0..W {
        acc |= u8::from(placeholder_start_sup(x[j], y[j], z[j]));
    }
    acc != 0
}

/// A placeholder character starts with bytes `x y z`: `x` `X` `_`, × `C3 97`; Ｘ `EF BC B8`,
/// ＊ `EF BC 8A`, ＿ `EF BC BF`, ｘ `EF BD 98`; 某 `E6 9F 90`.
#[inline(always)]
fn placeholder_start(x: u8, y: u8, z: u8) -> bool {
    (x | 0x20 == b'x')
        | (x == b'_')
        | ((x == 0xC3) & (y == 0x97))
        | ((x == 0xEF)
            & (((y == 0xBC) & ((z == 0xB8) | (z == 0x8A) | (z == 0xBF)))
                | ((y == 0xBD) & (z == 0x98))))
        | ((x == 0xE6) & (y == 0x9F) & (z == 0x90))
}

/// [`placeholder_start`] without the lead bytes of the three-byte characters (fewer vector
/// operations; their last two bytes are rare in Chinese text): a superset (a test checks it
/// over every three bytes). (Looser supersets, such as any `C3` lead or "second byte in a set
/// and third byte in a set", let through common Han characters such as 培 `E5 9F B9` and the
/// Latin-1 letters of some pages: measured, one position in 240 on the bench corpus, which
/// costs more in exact searches than the compares they save.)
#[inline(always)]
fn placeholder_start_sup(x: u8, y: u8, z: u8) -> bool {
    (x | 0x20 == b'x')
        | (x == b'_')
        | ((x == 0xC3) & (y == 0x97))
        | ((y == 0xBC) & ((z == 0xB8) | (z == 0x8A) | (z == 0xBF)))
        | ((y == 0xBD) & (z == 0x98))
        | ((y == 0x9F) & (z == 0x90))
}

/// True when `line` has sentence-ending punctuation ([`LineFeatures::is_prose`]).
/// Byte-level (vectorized): `!` `?`, and 。 `E3 80 82`, ！ `EF BC 81`, ？ `EF BC 9F`,
/// ； `EF BC 9B`.
pub(crate) fn has_terminal(line: &str) -> bool {
    let b = line.as_bytes();
    b.iter().fold(false, |a, &x| a | (x == b'!') | (x == b'?'))
        || any_seq(b, |x, y, z| {
            ((x == 0xE3) & (y == 0x80) & (z == 0x82))
                | ((x == 0xEF) & (y == 0xBC) & ((z == 0x81) | (z == 0x9F) | (z == 0x9B)))
        })
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
    /// Breadcrumb arrows ([`is_arrow`]).
    pub arrows: usize,
}

/// Separators of breadcrumbs (`首页 > 新闻 > 正文`): `>`, `＞`, `›`, `»`, `→`.
pub(crate) const fn is_arrow(c: char) -> bool {
    matches!(c, '>' | '＞' | '›' | '»' | '→')
}

/// [`LineFeatures::of`]'s view of each ASCII byte (a test checks it against the
/// character-level definition): which counters it adds to.
const FEAT_SPACE: u8 = 1;
const FEAT_TERMINAL: u8 = 2;
const FEAT_SEPARATOR: u8 = 4;
const FEAT_DIGIT: u8 = 8;
const FEAT_DASH: u8 = 16;
const FEAT_ARROW: u8 = 32;
/// `.`: only [`LineFeatures::of`]'s "look for URLs" reads it.
const FEAT_DOT: u8 = 64;
const FEAT_ASCII: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        t[b as usize] = match b {
            9..=13 | b' ' => FEAT_SPACE,
            b'!' | b'?' => FEAT_TERMINAL,
            b'|' | b';' | b'/' | b'\\' | b',' => FEAT_SEPARATOR,
            b'>' => FEAT_SEPARATOR | FEAT_ARROW,
            b'.' => FEAT_DOT,
            b'-' => FEAT_SEPARATOR | FEAT_DASH,
            b'0'..=b'9' => FEAT_DIGIT,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// [`LineFeatures::of`]'s view of the CJK punctuation block U+3000–U+303F (`E3 80 xx`)
/// and of the full-width forms U+FF00–U+FF7F (`EF BC xx`, `EF BD xx`), the punctuation of
/// most Chinese lines, in the bits of [`FEAT_ASCII`] (the test over every character checks
/// them against the character-level definition).
const FEAT_3000: [u8; 64] = feat_table(0x3000);
const FEAT_FF00: [u8; 128] = feat_table(0xFF00);

const fn feat_table<const N: usize>(first: u32) -> [u8; N] {
    let mut t = [0u8; N];
    let mut k = 0;
    while k < N {
        let Some(c) = char::from_u32(first + k as u32) else { panic!("not a character") };
        // The only whitespace of both blocks is the ideographic space; neither holds Han
        // characters or `-`.
        t[k] = if c == '\u{3000}' {
            FEAT_SPACE
        } else {
            let mut f = 0;
            if is_terminal(c) {
                f |= FEAT_TERMINAL;
            }
            if is_separator(c) {
                f |= FEAT_SEPARATOR;
            }
            if matches!(c, '０'..='９') {
                f |= FEAT_DIGIT;
            }
            if is_arrow(c) {
                f |= FEAT_ARROW;
            }
            f
        };
        k += 1;
    }
    t
}

/// True when a Han character U+5000–U+9FFF (lead bytes `E5`–`E9`, and `E4` from U+4E00)
/// starts at byte `i` of `b` (false at the end).
#[inline(always)]
fn is_han_at(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        Some(&l) if l.wrapping_sub(0xE5) < 5 => true,
        Some(&0xE4) => b.get(i + 1) >= Some(&0xB8),
        _ => false,
    }
}

impl LineFeatures {
    /// The features of `line`. Decided byte by byte where that is exact: Han characters
    /// U+5000–U+9FFF (lead bytes `E5`–`E9`, and `E4` from U+4E00) and ASCII through a
    /// table; other characters are decoded and classified one by one.
    pub(crate) fn of(line: &str) -> Self {
        let mut f = LineFeatures::default();
        let mut run = 0usize;
        // The classes of the ASCII characters seen (for the dot: no second pass to find one).
        let mut ascii = 0u8;
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let lead = b[i];
            if lead < 0x80 {
                i += 1;
                let t = FEAT_ASCII[usize::from(lead)];
                ascii |= t;
                f.add_class(t, &mut run);
                continue;
            }
            if is_han_at(b, i) {
                // A run of Han characters, most of the text, in a loop of its own: counted
                // once per run, and they end a digit run.
                let start = i;
                i += 3;
                while is_han_at(b, i) {
                    i += 3;
                }
                let n = (i - start) / 3;
                f.chars += n;
                f.cjk += n;
                run = 0;
                continue;
            }
            // CJK punctuation and full-width forms through their tables.
            let t = match b.get(i..i + 3) {
                Some(&[0xE3, 0x80, c2]) => Some(FEAT_3000[usize::from(c2 & 0x3F)]),
                Some(&[0xEF, 0xBC, c2]) => Some(FEAT_FF00[usize::from(c2 & 0x3F)]),
                Some(&[0xEF, 0xBD, c2]) => Some(FEAT_FF00[64 + usize::from(c2 & 0x3F)]),
                _ => None,
            };
            if let Some(t) = t {
                i += 3;
                f.add_class(t, &mut run);
                continue;
            }
            let c = line[i..].chars().next().unwrap_or('\u{FFFD}');
            i += c.len_utf8();
            f.add_char(c, &mut run);
        }
        // URLs are looked for only in a line with a dot (the character-level definition).
        if ascii & FEAT_DOT != 0 {
            f.url_chars = url_chars(line);
        }
        f
    }

    /// Count one character of the table classes ([`FEAT_ASCII`], [`FEAT_3000`],
    /// [`FEAT_FF00`]); `run` is the current digit run.
    #[inline(always)]
    fn add_class(&mut self, t: u8, run: &mut usize) {
        if t & FEAT_SPACE != 0 {
            return;
        }
        self.chars += 1;
        self.terminals += usize::from(t & FEAT_TERMINAL != 0);
        self.separators += usize::from(t & FEAT_SEPARATOR != 0);
        self.arrows += usize::from(t & FEAT_ARROW != 0);
        if t & FEAT_DIGIT != 0 {
            self.digits += 1;
            *run += 1;
            self.longest_digit_run = self.longest_digit_run.max(*run);
        } else if t & FEAT_DASH == 0 {
            *run = 0;
        }
    }

    /// Count one character (the character-level definition of [`LineFeatures::of`]);
    /// `run` is the current digit run.
    #[inline]
    fn add_char(&mut self, c: char, run: &mut usize) {
        if is_cjk_unified(c) {
            self.chars += 1;
            self.cjk += 1;
            *run = 0;
            return;
        }
        if c.is_whitespace() {
            return;
        }
        self.chars += 1;
        if is_cjk(c) {
            self.cjk += 1;
        }
        if is_terminal(c) {
            self.terminals += 1;
        }
        if is_separator(c) {
            self.separators += 1;
        }
        if is_arrow(c) {
            self.arrows += 1;
        }
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            self.digits += 1;
            *run += 1;
            self.longest_digit_run = self.longest_digit_run.max(*run);
        } else if c != '-' {
            *run = 0;
        }
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
    // URLs are ASCII: a byte per character.
    urls(line).map(str::len).sum()
}

/// ASCII characters that can be part of a URL: alphanumerics and `-._~:/?#[]@!$&'()*+,;=%`.
const URL_BYTE: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0u8;
    while b < 128 {
        t[b as usize] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b':'
                    | b'/'
                    | b'?'
                    | b'#'
                    | b'['
                    | b']'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
            );
        b += 1;
    }
    t
};

/// The URLs and bare domains of `line`, in order.
pub(crate) fn urls(line: &str) -> impl Iterator<Item = &str> {
    // Split on anything that cannot be part of a URL; look at each ASCII-ish token.
    url_tokens(line).map(|tok| tok.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())).filter(
        |tok| {
            let starts = |p: &str| tok.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
            tok.len() >= 4
                && (starts("http://")
                    || starts("https://")
                    || starts("www.")
                    || has_domain_suffix(tok))
        },
    )
}

/// The non-empty pieces of `line` between characters that cannot be part of a URL: maximal
/// runs of [`URL_BYTE`] bytes (every byte of a non-ASCII character is outside them), the
/// non-empty items of `line.split(|c| !(c.is_ascii() && URL_BYTE[c]))` (a test checks this)
/// found from the bytes, without decoding the characters. Stretches of 16 bytes without
/// visible ASCII (Chinese text) are skipped at once.
fn url_tokens(line: &str) -> UrlTokens<'_> {
    UrlTokens { line, at: 0 }
}

/// The iterator of [`url_tokens`].
struct UrlTokens<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Iterator for UrlTokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let b = self.line.as_bytes();
        let is_url = |x: u8| x < 0x80 && URL_BYTE[usize::from(x)];
        let mut i = self.at;
        // The token's first byte. (URL bytes are visible ASCII, `!`–`~`: a chunk without
        // one holds no token start; a branch-free fold, so it vectorizes.)
        loop {
            while let Some(c) = b.get(i..).and_then(<[u8]>::first_chunk::<16>) {
                if c.iter().fold(false, |a, &x| a | (x.wrapping_sub(0x21) < 0x5E)) {
                    break;
                }
                i += 16;
            }
            match b.get(i) {
                None => {
                    self.at = i;
                    return None;
                }
                Some(&x) if is_url(x) => break,
                Some(_) => i += 1,
            }
        }
        let start = i;
        while b.get(i).is_some_and(|&x| is_url(x)) {
            i += 1;
        }
        self.at = i;
        // ASCII bytes at both ends: character boundaries.
        self.line.get(start..i)
    }
}

fn has_domain_suffix(tok: &str) -> bool {
    // Every suffix is a dot and a letter: most tokens with a dot (`2021.07.16`, `3.5`) have
    // none, and need no search.
    tok.as_bytes().windows(2).any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic())
        && domain_suffix_search(tok)
}

/// Whether a label of the token's host (or the token's end) is a known suffix: `a.com`,
/// `a.com.cn`, `a.edu.cn`, `…/x.html`.
fn domain_suffix_search(tok: &str) -> bool {
    const TLDS: [&str; 10] =
        [".com", ".cn", ".net", ".org", ".gov", ".edu", ".cc", ".top", ".info", ".html"];
    let host = tok.split('/').next().unwrap_or(tok);
    if !host.contains('.') || !host.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return false;
    }
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

/// ASCII bytes that cut items in [`segments`]: whitespace and the ASCII separators (a test
/// checks this and [`segment_chars`] against [`segments`] over every character).
const SEGMENT_CUT_ASCII: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0u8;
    while b < 128 {
        t[b as usize] = matches!(b, 9..=13 | b' ') || is_separator(b as char);
        b += 1;
    }
    t
};

/// The character counts of the items of [`segments`], in order, without building the
/// slices: Han characters from lead bytes `E5`–`E9` (and `E4` but `丨`, `E4 B8 A8`) and
/// ASCII are classified from their bytes, other characters are decoded. (The keyword
/// checks only need how many items and how long; `str::split` decodes every character and
/// the count then walks each item again.)
pub(crate) fn segment_chars(line: &str) -> SegmentChars<'_> {
    SegmentChars { line, at: 0 }
}

/// The iterator of [`segment_chars`].
pub(crate) struct SegmentChars<'a> {
    line: &'a str,
    at: usize,
}

impl Iterator for SegmentChars<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        let b = self.line.as_bytes();
        let mut i = self.at;
        let mut n = 0;
        while i < b.len() {
            let lead = b[i];
            let (cut, len) = if lead < 0x80 {
                (SEGMENT_CUT_ASCII[usize::from(lead)], 1)
            } else if (0xE5..=0xE9).contains(&lead)
                || (lead == 0xE4 && !matches!(b.get(i + 1..i + 3), Some(&[0xB8, 0xA8])))
            {
                (false, 3)
            } else {
                let c = self.line[i..].chars().next().unwrap_or('\u{FFFD}');
                (c.is_whitespace() || is_separator(c), c.len_utf8())
            };
            i += len;
            if !cut {
                n += 1;
            } else if n > 0 {
                self.at = i;
                return Some(n);
            }
        }
        self.at = i;
        (n > 0).then_some(n)
    }
}

/// True for a line that opens with an enumeration marker (`一、`, `（二）`, `3.`, `第四章`):
/// such headings recur across a site's reports but are content.
pub(crate) fn starts_enumerated(line: &str) -> bool {
    let t = line.trim_start();
    let mut chars = t.chars();
    let Some(first) = chars.next() else { return false };
    let numeral = |c: char| {
        matches!(
            c,
            '一' | '二'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '百'
                | '零'
                | '〇'
        ) || c.is_ascii_digit()
    };
    match first {
        '(' | '（' => chars.next().is_some_and(numeral),
        '第' => chars.next().is_some_and(numeral),
        // The character after the run of numerals.
        c if numeral(c) => {
            matches!(chars.find(|c| !numeral(*c)), Some('、' | '.' | '．' | ')' | '）' | '，'))
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

/// A character as normalized keys see it: width-folded and lower-cased, or `None` for
/// whitespace, punctuation and symbols, which keys leave out.
#[inline]
pub(crate) fn keep_for_key(c: char) -> Option<char> {
    let c = fold_width(c);
    (!(c.is_whitespace() || is_punct_or_symbol(c))).then_some(c)
}

/// `line_key`'s view of each ASCII byte: the character kept (lower-cased), `KEY_DROP` for
/// whitespace and punctuation, `KEY_DIGIT` for digits (a test checks it against
/// [`keep_for_key`]).
const LINE_KEY_ASCII: [u16; 128] = {
    let mut t = [0u16; 128];
    let mut b = 0u8;
    while b < 128 {
        t[b as usize] = if matches!(b, 9..=13 | b' ') || b.is_ascii_punctuation() {
            KEY_DROP
        } else if b.is_ascii_digit() {
            KEY_DIGIT
        } else {
            b.to_ascii_lowercase() as u16
        };
        b += 1;
    }
    t
};
const KEY_DROP: u16 = 0x100;
const KEY_DIGIT: u16 = 0x101;

/// The normalized key of a line for site statistics: full-width folded, ASCII lower-cased,
/// whitespace, punctuation and symbols removed, every run of digits folded to one symbol.
/// Returns the hash and the number of characters kept (0 means the line has no key).
///
/// Defined character by character ([`keep_for_key`] over `chars()`), computed from the bytes:
/// Han characters U+4000–U+9FFF (lead bytes `E4`–`E9`, most of the text) are always kept as
/// they are and decoded in place, ASCII goes through a table, and only the rest is decoded
/// and classified. The values must not change: tables of counts are merged across machines
/// (a test checks this against the character-level definition).
pub(crate) fn line_key(line: &str) -> (u64, usize) {
    let (h, kept, _) = line_key_with::<false>(line);
    (h, kept)
}

/// [`line_key`] and [`has_placeholder_char`] of `line` in one pass over its bytes (the
/// template stage needs both for most lines).
pub(crate) fn line_key_and_placeholder_char(line: &str) -> (u64, usize, bool) {
    line_key_with::<true>(line)
}

/// The code point of a three-byte sequence (`1110xxxx 10yyyyyy 10zzzzzz`), with the marker
/// bits subtracted at once instead of masked off byte by byte.
#[inline(always)]
fn han_code_point(l: u8, c1: u8, c2: u8) -> u64 {
    (u64::from(l) << 12) + (u64::from(c1) << 6) + u64::from(c2) - 0xE_2080
}

/// [`line_key`], and with `PLACEHOLDER` whether the line holds a placeholder character.
#[inline(always)]
fn line_key_with<const PLACEHOLDER: bool>(line: &str) -> (u64, usize, bool) {
    let mut placeholder = false;
    // One rotate-xor-multiply per kept character, then a finalizer: fixed arithmetic, so
    // the key is the same on every platform and version of Rust.
    let mut h: u64 = 0x243F_6A88_85A3_08D3;
    let mut kept = 0;
    let mut in_digits = false;
    // `某` seen in a Han run (a byte, not a bool: no masking per character), and the bytes
    // of the Han runs (each character three), counted once per run rather than per character
    // and divided once at the end.
    let mut mou = 0u8;
    let mut han_bytes = 0;
    let b = line.as_bytes();
    let mut i = 0;
    // One dispatch per character on its lead byte, Han first (most of the text), so the
    // other characters do not pass through the Han loop's checks and bookkeeping.
    while let Some(&lead) = b.get(i) {
        if lead.wrapping_sub(0xE4) < 6 {
            // A run of Han characters, always kept as they are, in a loop of its own.
            let mut rest = &b[i..];
            // Two characters per step while two lead bytes follow (fewer checks and jumps
            // per character), then one. (A pattern on the rest of the line: one length test
            // per step, measured fewer instructions than indexing.)
            while let [l0 @ 0xE4..=0xE9, a0, b0, l1 @ 0xE4..=0xE9, a1, b1, ref tail @ ..] = *rest {
                rest = tail;
                let v0 = han_code_point(l0, a0, b0);
                let v1 = han_code_point(l1, a1, b1);
                if PLACEHOLDER {
                    mou |= u8::from(v0 == u64::from('某')) | u8::from(v1 == u64::from('某'));
                }
                h = (h.rotate_left(23) ^ v0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                h = (h.rotate_left(23) ^ v1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            }
            if let [l @ 0xE4..=0xE9, c1, c2, ref tail @ ..] = *rest {
                rest = tail;
                let v = han_code_point(l, c1, c2);
                if PLACEHOLDER {
                    mou |= u8::from(v == u64::from('某'));
                }
                h = (h.rotate_left(23) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            }
            let end = b.len() - rest.len();
            han_bytes += end - i;
            i = end;
            in_digits = false;
            continue;
        }
        // ASCII, or a full-width form U+FF01–U+FF5E (`EF BC 81`–`EF BD 9E`) keyed as the
        // ASCII character it folds to: that character. (One pattern match on the rest of
        // the line: its lengths are known, no bounds tests after it.)
        let a = match b[i..] {
            [x @ 0..=0x7F, ..] => {
                i += 1;
                if PLACEHOLDER {
                    placeholder |= matches!(x, b'x' | b'X' | b'_');
                }
                x
            }
            [0xE2 | 0xE3, 0x80, _, ..] => {
                // U+2000–U+203F (general punctuation, spaces) and U+3000–U+303F (CJK
                // punctuation, the ideographic space): always left out.
                i += 3;
                continue;
            }
            [0xEF, y @ (0xBC | 0xBD), z, ..]
                if (y == 0xBC && z >= 0x81) || (y == 0xBD && z <= 0x9E) =>
            {
                i += 3;
                let a = (y - 0xBC) * 0x40 + (z & 0x3F) + 0x20;
                if PLACEHOLDER {
                    // Ｘ ｘ ＊ ＿.
                    placeholder |= matches!(a, b'X' | b'x' | b'*' | b'_');
                }
                a
            }
            _ => {
                let c = line[i..].chars().next().unwrap_or('\u{FFFD}');
                i += c.len_utf8();
                if PLACEHOLDER {
                    placeholder |= matches!(c, '×' | 'Ｘ' | 'ｘ' | '＊' | '＿');
                }
                let v = match keep_for_key(c) {
                    None => continue,
                    Some(c) if c.is_ascii_digit() => {
                        if in_digits {
                            continue;
                        }
                        in_digits = true;
                        u64::from(b'#')
                    }
                    Some(c) => {
                        in_digits = false;
                        u64::from(c as u32)
                    }
                };
                h = (h.rotate_left(23) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                kept += 1;
                continue;
            }
        };
        // (`a` is below 0x80: the mask only spares a bounds test.)
        let v = match LINE_KEY_ASCII[usize::from(a & 0x7F)] {
            KEY_DROP => continue,
            KEY_DIGIT => {
                if in_digits {
                    continue;
                }
                in_digits = true;
                u64::from(b'#')
            }
            v => {
                in_digits = false;
                u64::from(v)
            }
        };
        h = (h.rotate_left(23) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        kept += 1;
    }
    let kept = kept + han_bytes / 3;
    (mix64(h ^ kept as u64), kept, placeholder | (mou != 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::random_lines;

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

    /// The original character-level definition of [`line_key`].
    fn line_key_by_chars(line: &str) -> (u64, usize) {
        let mut h: u64 = 0x243F_6A88_85A3_08D3;
        let mut kept = 0;
        let mut in_digits = false;
        for c in line.chars() {
            let v = if is_cjk_unified(c) {
                in_digits = false;
                u64::from(c as u32)
            } else if let Some(c) = keep_for_key(c) {
                if c.is_ascii_digit() {
                    if in_digits {
                        continue;
                    }
                    in_digits = true;
                    u64::from('#')
                } else {
                    in_digits = false;
                    u64::from(c as u32)
                }
            } else {
                continue;
            };
            h = (h.rotate_left(23) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            kept += 1;
        }
        (mix64(h ^ kept as u64), kept)
    }

    /// The character-level definition of [`LineFeatures::of`].
    fn features_by_chars(line: &str) -> LineFeatures {
        let mut f = LineFeatures::default();
        let mut run = 0;
        for c in line.chars() {
            f.add_char(c, &mut run);
        }
        if line.contains('.') {
            f.url_chars = urls(line).map(|u| u.chars().count()).sum();
        }
        f
    }

    #[test]
    fn features_agree_with_the_character_level_definition() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for line in [format!("{c}"), format!("1{c}2-3"), format!("a.cn{c}9")] {
                assert_eq!(LineFeatures::of(&line), features_by_chars(&line), "{line:?}");
            }
        }
        let pool: Vec<char> =
            "0123456789０９- —|｜/.,，;；!！?？。>＞»a中䷀㐀丁鿿 \t\u{3000}\u{a0}wcom:"
                .chars()
                .collect();
        for line in random_lines(&pool, 5, 3000, 37) {
            assert_eq!(LineFeatures::of(&line), features_by_chars(&line), "{line:?}");
        }
    }

    #[test]
    fn line_key_agrees_with_the_character_level_definition() {
        // Every character alone, after a digit, after a Han character and before a digit.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for line in [format!("{c}"), format!("1{c}2"), format!("中{c}"), format!("{c}９")] {
                assert_key_agrees(&line);
            }
        }
        // Random lines over a pool mixing digits, spaces, punctuation, width forms and Han.
        let pool: Vec<char> =
            "0123456789０１２９aZｚＡxX_×Ｘｘ＊＿某 　\t,.，。、|｜-—中国网丁㐀鿿䷀\u{a0}\u{2028}é😀Ⅻ①"
                .chars()
                .collect();
        for line in random_lines(&pool, 11, 3000, 41) {
            assert_key_agrees(&line);
        }
    }

    fn assert_key_agrees(line: &str) {
        let (h, kept) = line_key_by_chars(line);
        assert_eq!(line_key(line), (h, kept), "{line:?}");
        let want = line.contains(['x', 'X', '_', '×', 'Ｘ', 'ｘ', '＊', '＿', '某']);
        assert_eq!(line_key_and_placeholder_char(line), (h, kept, want), "{line:?}");
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
    fn byte_level_counts_agree_with_char_level_features() {
        let spaces = "\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2005}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";
        let others = "a.>＞›»→。、“”—…€\u{200b}\u{2030}\u{2190}\u{3001}\u{c3}\u{1681}中😀xX_×Ｘｘ＊＿某＋Ｙ染!?！？；;，〃";
        let pool: Vec<char> = spaces.chars().chain(others.chars()).collect();
        for line in random_lines(&pool, 7, 400, 23) {
            assert_byte_checks_agree(&line);
        }
    }

    /// The byte-level checks agree with their character-by-character definitions.
    fn assert_byte_checks_agree(line: &str) {
        let f = LineFeatures::of(line);
        assert_eq!(non_space_chars(line), f.chars, "{line:?}");
        for end in [0, 1, 2, line.len() / 2, line.len()] {
            let b = &line.as_bytes()[..end.min(line.len())];
            assert!(non_space_lower_bound(b) <= f.chars, "{line:?}");
        }
        assert_eq!(has_terminal(line), f.is_prose(), "{line:?}");
        let want = line.matches(['>', '＞', '›', '»', '→']).count();
        assert_eq!(arrow_count(line.as_bytes()), want, "{line:?}");
        assert_eq!(f.arrows, want, "{line:?}");
        let want = line.find(['x', 'X', '_', '×', 'Ｘ', 'ｘ', '＊', '＿', '某']);
        assert_eq!(first_placeholder_char(line.as_bytes()), want, "{line:?}");
        assert_eq!(has_placeholder_char(line), want.is_some(), "{line:?}");
    }

    #[test]
    fn placeholder_superset_holds_wherever_the_test_does() {
        for x in 0..=255u8 {
            for y in 0..=255u8 {
                for z in 0..=255u8 {
                    assert!(!placeholder_start(x, y, z) || placeholder_start_sup(x, y, z));
                }
            }
        }
    }

    #[test]
    fn byte_level_tests_find_a_lone_character_at_every_position() {
        // Long lines of filler with one needle, at every offset across the vector chunks
        // (and straddling their boundaries), after one-, two- and three-byte filler.
        let needles = "x_>.!?×Ｘｘ＊＿某＞›»→。！？；\u{a0}\u{3000}\u{2028}";
        for filler in ['中', 'a', 'é'] {
            for len in (0..=20).chain([32, 33, 34, 35, 48, 49, 70]) {
                for at in 0..=len {
                    for n in needles.chars() {
                        let line: String = (0..len)
                            .map(|_| filler)
                            .take(at)
                            .chain(std::iter::once(n))
                            .chain((at..len).map(|_| filler))
                            .collect();
                        assert_byte_checks_agree(&line);
                    }
                }
            }
        }
    }

    #[test]
    fn non_space_lower_bound_never_exceeds_the_count() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let line = format!("{c}中a{c}");
            assert!(non_space_lower_bound(line.as_bytes()) <= non_space_chars(&line), "{line:?}");
        }
        // Exact on Han and ASCII, and past the 255-byte chunks of its counters.
        for reps in [0, 1, 100, 300, 1000] {
            let line = format!("{} x{}", "中a".repeat(reps), "\t鿿 ".repeat(reps));
            assert_eq!(non_space_lower_bound(line.as_bytes()), non_space_chars(&line), "{reps}");
        }
    }

    fn assert_segment_chars_agree(line: &str) {
        let want: Vec<usize> = segments(line).map(|s| s.chars().count()).collect();
        assert_eq!(segment_chars(line).collect::<Vec<_>>(), want, "{line:?}");
    }

    #[test]
    fn url_tokens_agree_with_the_split_by_characters() {
        let by_chars = |line: &str| -> Vec<String> {
            line.split(|c: char| !(c.is_ascii() && URL_BYTE[c as usize]))
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        };
        let agree = |line: &str| {
            let got: Vec<String> = url_tokens(line).map(str::to_string).collect();
            assert_eq!(got, by_chars(line), "{line:?}");
        };
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            agree(&format!("a{c}b.cn{c}"));
        }
        // Tokens at every offset across the 16-byte skips, between Han characters.
        for len in 0..40 {
            for at in 0..=len {
                let line: String = (0..len)
                    .map(|k| if k == at { "w.cn" } else { "中" })
                    .chain((at == len).then_some("x"))
                    .collect();
                agree(&line);
            }
        }
        let pool: Vec<char> = "a.c/:w1-中，。 \t<>\"|^é😀_%".chars().collect();
        for line in random_lines(&pool, 17, 5000, 40) {
            agree(&line);
        }
    }

    #[test]
    fn domain_suffix_check_agrees_with_the_search() {
        // Tokens of `urls` are ASCII.
        let pieces = [
            ".", "/", "a", "2021", "07", "com", "CN", "net", "html", "Org", "gov", "edu", "cc",
            "top", "info", "x", "-", "www",
        ];
        let mut seed = 17u64;
        for len in 0..20_000 {
            let tok: String = (0..len % 9)
                .map(|_| {
                    seed = mix64(seed.wrapping_add(1));
                    pieces[(seed % pieces.len() as u64) as usize]
                })
                .collect();
            assert_eq!(has_domain_suffix(&tok), domain_suffix_search(&tok), "{tok:?}");
        }
    }

    #[test]
    fn arrow_count_counts_long_lines() {
        for reps in [0, 1, 84, 85, 86, 200, 1000] {
            let line = format!("{}»", "中>›→＞a»".repeat(reps));
            let want = line.matches(['>', '＞', '›', '»', '→']).count();
            assert_eq!(arrow_count(line.as_bytes()), want, "{reps}");
        }
    }

    #[test]
    fn segment_chars_agree_with_segments() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for line in [format!("{c}"), format!("a{c}中"), format!("中{c}{c}b|")] {
                assert_segment_chars_agree(&line);
            }
        }
        let pool: Vec<char> =
            "|｜¦丨/／\\·•●▪■◆>＞»›→-—,，、;；中丁㐀鿿一a1 \t\u{3000}\u{a0}\u{2028}é😀。"
                .chars()
                .collect();
        for line in random_lines(&pool, 3, 5000, 31) {
            assert_segment_chars_agree(&line);
        }
    }

    /// The first definition of [`starts_enumerated`], character by character.
    fn starts_enumerated_by_strings(line: &str) -> bool {
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

    #[test]
    fn starts_enumerated_agrees_with_its_first_definition() {
        let pool: Vec<char> = "一二三十百零〇09第(（、.．)），中 \u{3000}a四".chars().collect();
        for line in random_lines(&pool, 13, 20_000, 7) {
            assert_eq!(starts_enumerated(&line), starts_enumerated_by_strings(&line), "{line:?}");
        }
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
