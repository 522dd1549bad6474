//! Turn the bytes of an input, in whatever encoding, into UTF-8 text — or refuse them as
//! binary.
//!
//! Key types:
//! - [`DecodeConfig`]: the `[decode]` section of `pipeline.toml`; [`DecodeConfig::build`]
//!   validates it into a [`Decoder`].
//! - [`Decoder::decode`]: bytes → [`Decision`]: either [`Decoded`] text (with the encoding
//!   used, a confidence, and how many malformed sequences became U+FFFD) or a
//!   [`BinaryReason`].
//! - [`decode_utf8_lossy`]: the no-detection path used when the decode stage is disabled.
//!
//! The order of checks: empty input; byte order mark (UTF-8, UTF-16LE/BE); binary file
//! signatures; NUL bytes (UTF-16 pattern or binary); control-byte density; strict UTF-8
//! (valid input is borrowed, never copied); almost-UTF-8 (a truncated tail or a stray byte
//! is still UTF-8); then the legacy encodings: the configured candidates are each decoded
//! and scored for plausibility (see `score.rs`), which is what makes 30-byte inputs
//! decidable. The scoring runs in growing rounds and stops as soon as a CJK reading has
//! clearly won; only undecided inputs are judged on the whole sample with chardetng's
//! guess. The winner is decoded once, through a lookup table for the double-byte CJK
//! encodings (`dbcs.rs`).
//!
//! ```
//! use qingxi_decode::{DecodeConfig, Decision};
//!
//! let decoder = DecodeConfig::default().build().unwrap();
//! // "中文文本的编码检测" in GBK
//! let (gbk, _, _) = encoding_rs::GBK.encode("中文文本的编码检测");
//! match decoder.decode(&gbk) {
//!     Decision::Text(d) => {
//!         assert_eq!(d.text, "中文文本的编码检测");
//!         assert_eq!(d.encoding, "GBK");
//!     }
//!     Decision::Binary(why) => panic!("not binary: {why}"),
//! }
//! assert!(matches!(decoder.decode(b"\x89PNG\r\n\x1a\n\0\0"), Decision::Binary(_)));
//! ```

mod binary;
mod config;
mod dbcs;
mod score;
mod tables;

use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding, GBK, UTF_16BE, UTF_16LE, UTF_8};

pub use binary::BinaryReason;
pub use config::{DecodeConfig, DecodeError};

use binary::HeadStats;
use score::{Model, Score, Scorer};

/// Text decoded from bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<'a> {
    /// The text; borrowed when the input was valid UTF-8 (after any BOM).
    pub text: Cow<'a, str>,
    /// Display name of the encoding used: "UTF-8", "UTF-16LE", "UTF-16BE", "GBK",
    /// "GB18030", "Big5", "Shift_JIS", "EUC-KR", "windows-1252", …
    pub encoding: &'static str,
    /// How sure the decoder is of `encoding`, 0.0–1.0.
    pub confidence: f32,
    /// Malformed byte sequences, each replaced by one U+FFFD (never dropped).
    pub malformed: u64,
    /// Whether the input started with a byte order mark (not part of `text`).
    pub bom: bool,
}

/// What the decoder made of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision<'a> {
    /// The input is text.
    Text(Decoded<'a>),
    /// The input is not text and was not decoded.
    Binary(BinaryReason),
}

/// Decodes inputs; built once from a [`DecodeConfig`] and shared across threads.
#[derive(Debug, Clone)]
pub struct Decoder {
    detect_binary: bool,
    sniff_utf16: bool,
    detect_legacy: bool,
    candidates: Vec<&'static Encoding>,
    fallback: &'static Encoding,
    max_control_ratio: f32,
    sample_bytes: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        DecodeConfig::default().build().expect("the default configuration is valid")
    }
}

/// Decode as UTF-8, replacing each malformed sequence with U+FFFD; no detection at all.
/// A UTF-8 BOM is removed. Valid input is borrowed.
pub fn decode_utf8_lossy(bytes: &[u8]) -> Decoded<'_> {
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let lossy = utf8_lossy(body);
    Decoded {
        text: lossy.text,
        encoding: "UTF-8",
        confidence: if lossy.malformed == 0 { 1.0 } else { 0.5 },
        malformed: lossy.malformed,
        bom,
    }
}

impl Decoder {
    /// Decode `bytes` into text, or say why they are not text. Never panics; malformed
    /// sequences become U+FFFD and are counted.
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Decision<'a> {
        if bytes.is_empty() {
            return Decision::Text(Decoded {
                text: Cow::Borrowed(""),
                encoding: "UTF-8",
                confidence: 1.0,
                malformed: 0,
                bom: false,
            });
        }
        if let Some(d) = self.decode_bom(bytes) {
            return Decision::Text(d);
        }
        let head = &bytes[..bytes.len().min(self.sample_bytes)];
        if self.detect_binary {
            if let Some(kind) = binary::magic(bytes) {
                return Decision::Binary(BinaryReason::Magic(kind));
            }
        }
        let stats = HeadStats::of(head);
        if stats.nul > 0 {
            if self.sniff_utf16 {
                if let Some(d) = utf16_by_nuls(bytes, head) {
                    return Decision::Text(d);
                }
            }
            // A single NUL in a long text is a stray character, not a binary file.
            if self.detect_binary && stats.nul * 1000 > stats.len {
                return Decision::Binary(BinaryReason::NulBytes);
            }
        }
        if self.detect_binary
            && stats.bad_controls() > 1
            && stats.bad_controls() as f32 > self.max_control_ratio * stats.len as f32
        {
            return Decision::Binary(BinaryReason::ControlBytes);
        }
        // The one validation of valid input (SIMD: a fraction of a cycle per byte).
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            if stats.esc > 0 && bytes.is_ascii() {
                if let Some(d) = iso_2022_jp(bytes) {
                    return Decision::Text(d);
                }
            }
            return Decision::Text(Decoded {
                text: Cow::Borrowed(text),
                encoding: "UTF-8",
                confidence: utf8_confidence(bytes),
                malformed: 0,
                bom: false,
            });
        }
        if !self.detect_legacy {
            return Decision::Text(decode_with(self.fallback, bytes, 0.5));
        }
        Decision::Text(self.detect(bytes))
    }

    fn decode_bom<'a>(&self, bytes: &'a [u8]) -> Option<Decoded<'a>> {
        let (enc, len) = Encoding::for_bom(bytes)?;
        let body = &bytes[len..];
        let mut d = if enc == UTF_8 {
            let lossy = utf8_lossy(body);
            Decoded {
                text: lossy.text,
                encoding: "UTF-8",
                confidence: 1.0,
                malformed: lossy.malformed,
                bom: true,
            }
        } else {
            decode_with(enc, body, 1.0)
        };
        d.bom = true;
        Some(d)
    }

    /// Non-UTF-8 input without a BOM: almost-UTF-8, UTF-16 without NULs, or a legacy
    /// encoding chosen by plausibility.
    ///
    /// Every candidate decodes the sample with its own streaming decoder in growing rounds
    /// ([`ROUNDS`]) and is scored as it goes. After each round, a CJK candidate that is
    /// plausible throughout and far ahead of every other reading ([`Decoder::decisive`]) is
    /// taken at once: neither the rest of the sample nor chardetng could change the outcome
    /// (chardetng's vote is worth at most a few points). Otherwise the whole sample is judged
    /// as a whole, with chardetng's guess, exactly as for a short input.
    fn detect<'a>(&self, bytes: &'a [u8]) -> Decoded<'a> {
        let head = &bytes[..bytes.len().min(self.sample_bytes) & !1];
        // Judge the part that has non-ASCII bytes: a long ASCII header (markup, a licence)
        // would otherwise fill the sample with text every candidate reads the same way.
        let start = match bytes.iter().position(|b| *b >= 0x80) {
            Some(p) if p > self.sample_bytes / 2 => {
                bytes[..p].iter().rposition(|b| *b == b'\n').map_or(p, |i| i + 1)
            }
            _ => 0,
        };
        let sample = sample_prefix(&bytes[start..], self.sample_bytes);
        let complete = start == 0 && sample.len() == bytes.len();

        let mut legacy: Vec<Candidate> =
            self.candidates.iter().map(|&enc| Candidate::new(enc, Model::of(enc))).collect();
        let mut utf8 = Candidate::new(UTF_8, Model::Unicode);
        // UTF-16 without BOM or NULs: only all-CJK text, so it must decode without errors
        // and be almost entirely common characters to be considered at all.
        let mut utf16: Vec<Candidate> =
            if self.sniff_utf16 && bytes.len() % 2 == 0 && bytes.len() >= 8 {
                [UTF_16LE, UTF_16BE]
                    .into_iter()
                    .map(|enc| Candidate {
                        give_up_on_malformed: true,
                        ..Candidate::new(enc, Model::Unicode)
                    })
                    .collect()
            } else {
                Vec::new()
            };
        let mut buf = String::new();
        let (mut done, mut done16) = (0, 0);
        for &round in ROUNDS.iter().chain([&usize::MAX]) {
            let end = round.min(sample.len());
            let last = end == sample.len();
            for c in legacy.iter_mut().chain([&mut utf8]) {
                c.feed(&sample[done..end], last, &mut buf);
            }
            done = end;
            let end16 = if last { head.len() } else { round.min(head.len()) };
            for c in &mut utf16 {
                c.feed(&head[done16..end16], end16 == head.len(), &mut buf);
            }
            done16 = end16;
            if last {
                break;
            }
            if let Some((enc, margin, plausible_share)) = decisive(&legacy, &utf8, &utf16) {
                let confidence = legacy_confidence(margin, plausible_share, end);
                return decode_with(enc, bytes, confidence);
            }
        }

        // Mostly valid multi-byte UTF-8 with a few bad bytes: UTF-8 with damage, not a
        // legacy encoding (legacy CJK text produces about as many errors as valid pairs).
        let multibyte = utf8.multibyte();
        if multibyte >= 1 && utf8.malformed * 10 <= multibyte {
            let mut d = decode_utf8_lossy(bytes);
            d.confidence = if multibyte >= 8 { 0.95 } else { 0.8 };
            return d;
        }

        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(sample, complete);
        let guess = match detector.guess(None, false) {
            // GBK and GB18030 decode identically; do not let them compete as two encodings.
            g if g == GBK && self.candidates.contains(&encoding_rs::GB18030) => {
                encoding_rs::GB18030
            }
            g => g,
        };
        if !self.candidates.contains(&guess) && guess != UTF_8 {
            let mut c = Candidate::new(guess, Model::of(guess));
            c.feed(sample, true, &mut buf);
            legacy.push(c);
        }
        let mut scored: Vec<Scored> = legacy
            .iter()
            .map(|c| {
                let s = c.scorer.score();
                let bonus = match (c.enc == guess, self.candidates.contains(&c.enc)) {
                    (true, true) => chardet_bonus(sample.len()),
                    // A guess outside the configured candidates is more often a short-input
                    // accident (windows-1250 for a windows-1252 line, EUC-JP for a few GBK
                    // characters), so it counts only once the sample is long.
                    (true, false) => (chardet_bonus(sample.len()) - 2.0).max(0.0),
                    _ => 0.0,
                };
                Scored {
                    enc: c.enc,
                    total: s.total + bonus,
                    plausible_share: share(s.plausible, s.chars),
                }
            })
            .collect();
        // UTF-8 with damage competes on plausibility too (short inputs with one bad byte).
        scored.push(utf8.scored());
        for c in &utf16 {
            let s = c.scored();
            if c.malformed == 0 && s.plausible_share >= 0.9 {
                scored.push(s);
            }
        }
        // Stable sort: on a tie the candidate listed first in the configuration wins.
        scored.sort_by(|a, b| b.total.total_cmp(&a.total));
        let best = scored[0];
        let margin = scored.get(1).map_or(10.0, |s| best.total - s.total);
        let confidence = legacy_confidence(margin, best.plausible_share, sample.len());
        if best.enc == UTF_8 {
            let mut d = decode_utf8_lossy(bytes);
            d.confidence = confidence;
            return d;
        }
        decode_with(best.enc, bytes, confidence)
    }
}

/// Sample lengths after which the candidates are compared; the last round is the whole
/// sample. Most legacy CJK inputs are decided after the first: 256 bytes are about a
/// hundred characters, and the right reading leads the others by well over a hundred
/// points by then.
const ROUNDS: [usize; 3] = [256, 1024, 4096];

/// How far (in score points, about one per character) the best candidate must lead every
/// other reading to be taken before the whole sample is judged. chardetng's vote is worth
/// at most 6 points, so this leaves a wide safety margin.
const DECISIVE_MARGIN: f32 = 40.0;

/// The legacy CJK candidate that has won already, with its lead and plausible share: it
/// reads as its language throughout (nine characters in ten plausible), has at least 32
/// non-ASCII characters, leads every other reading (UTF-8 and UTF-16 included) by
/// [`DECISIVE_MARGIN`], and the input is clearly not UTF-8 with some damage. Latin-script
/// and other single-byte encodings are never decided early: telling windows-1250 from
/// windows-1252 needs chardetng's statistics, which the scorer does not have.
fn decisive(
    legacy: &[Candidate],
    utf8: &Candidate,
    utf16: &[Candidate],
) -> Option<(&'static Encoding, f32, f32)> {
    let mut best: Option<(usize, Score)> = None;
    for (i, c) in legacy.iter().enumerate() {
        let s = c.scorer.score();
        if best.is_none_or(|(_, b)| s.total > b.total) {
            best = Some((i, s));
        }
    }
    let (i, s) = best?;
    let winner = &legacy[i];
    let cjk = matches!(
        Model::of(winner.enc),
        Model::Simplified | Model::Traditional | Model::Japanese | Model::Korean
    );
    let plausible_share = share(s.plausible, s.chars);
    if !cjk || plausible_share < 0.9 || winner.scorer.non_ascii() < 32 {
        return None;
    }
    if utf8.malformed <= utf8.multibyte() {
        return None;
    }
    let runner_up = legacy
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, c)| c.scorer.score().total)
        .chain([utf8.scorer.score().total])
        .chain(utf16.iter().filter(|c| c.malformed == 0).map(|c| c.scorer.score().total))
        .fold(f32::NEG_INFINITY, f32::max);
    let margin = s.total - runner_up;
    (margin >= DECISIVE_MARGIN).then_some((winner.enc, margin, plausible_share))
}

/// One reading of the sample: a streaming decoder and the score of what it produced.
struct Candidate {
    enc: &'static Encoding,
    decoder: encoding_rs::Decoder,
    scorer: Scorer,
    /// Malformed sequences so far, each decoded as one U+FFFD.
    malformed: u64,
    /// Stop reading at the first malformed sequence (UTF-16 without NULs is ruled out by
    /// one, so the rest of its score does not matter).
    give_up_on_malformed: bool,
    /// UTF-8 only: the start of a sequence cut by the end of the previous piece.
    pending: Vec<u8>,
}

impl Candidate {
    fn new(enc: &'static Encoding, model: Model) -> Self {
        Candidate {
            enc,
            decoder: enc.new_decoder_without_bom_handling(),
            scorer: Scorer::new(model),
            malformed: 0,
            give_up_on_malformed: false,
            pending: Vec::new(),
        }
    }

    /// Decode the next piece of input (into `buf`, reused between calls) and score it.
    fn feed(&mut self, bytes: &[u8], last: bool, buf: &mut String) {
        buf.clear();
        if self.give_up_on_malformed && self.malformed > 0 {
            return;
        }
        self.malformed += if self.enc == UTF_8 {
            self.utf8_into(bytes, last, buf)
        } else {
            decode_into(&mut self.decoder, bytes, last, buf, self.give_up_on_malformed)
        };
        self.scorer.feed(buf);
    }

    /// The UTF-8 reading, by the standard library: legacy bytes read as UTF-8 are malformed
    /// every other byte, and encoding_rs returns to the caller for each one, which costs ten
    /// times more than the decoding itself. Same U+FFFD per maximal invalid subpart.
    fn utf8_into(&mut self, bytes: &[u8], last: bool, buf: &mut String) -> u64 {
        let joined;
        let src = if self.pending.is_empty() {
            bytes
        } else {
            joined = [std::mem::take(&mut self.pending).as_slice(), bytes].concat();
            &joined
        };
        buf.reserve(src.len() + src.len() / 2);
        let mut malformed = 0;
        let mut chunks = src.utf8_chunks().peekable();
        while let Some(chunk) = chunks.next() {
            buf.push_str(chunk.valid());
            let invalid = chunk.invalid();
            if invalid.is_empty() {
                continue;
            }
            // A sequence cut by the end of this piece may be completed by the next.
            let cut = !last
                && chunks.peek().is_none()
                && std::str::from_utf8(invalid).is_err_and(|e| e.error_len().is_none());
            if cut {
                self.pending = invalid.to_vec();
            } else {
                malformed += 1;
                buf.push('\u{FFFD}');
            }
        }
        malformed
    }

    /// Valid sequences above ASCII (meaningful for the UTF-8 reading): every malformed
    /// sequence became one U+FFFD, which is not one of them.
    fn multibyte(&self) -> u64 {
        (self.scorer.non_ascii() as u64).saturating_sub(self.malformed)
    }

    fn scored(&self) -> Scored {
        let s = self.scorer.score();
        Scored { enc: self.enc, total: s.total, plausible_share: share(s.plausible, s.chars) }
    }
}

/// One candidate's result on the sample.
#[derive(Debug, Clone, Copy)]
struct Scored {
    enc: &'static Encoding,
    total: f32,
    plausible_share: f32,
}

/// How much chardetng's own guess is worth: it is a good detector on longer inputs and
/// a weak one on a few dozen bytes, so its vote grows with the sample.
fn chardet_bonus(len: usize) -> f32 {
    (len as f32 / 20.0).clamp(1.0, 6.0)
}

fn share(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        0.0
    } else {
        part as f32 / whole as f32
    }
}

/// Confidence of a legacy guess from its lead over the runner-up (in score points, about
/// one per character), how plausible its own decoding is, and how much there was to judge
/// (a few dozen bytes can always be a coincidence).
fn legacy_confidence(margin: f32, plausible_share: f32, sample_len: usize) -> f32 {
    let lead = 1.0 - 0.5 * (-margin.max(0.0) / 8.0).exp();
    let evidence = (0.8 + sample_len as f32 / 320.0).min(1.0);
    (lead * plausible_share.clamp(0.0, 1.0) * evidence).clamp(0.0, 0.99)
}

/// Valid UTF-8: certain when it has enough multi-byte sequences (or none: ASCII reads the
/// same in every ASCII-compatible encoding); one or two sequences might be a coincidence.
fn utf8_confidence(bytes: &[u8]) -> f32 {
    if bytes.len() > 256 || bytes.is_ascii() {
        return 1.0;
    }
    match bytes.iter().filter(|b| **b >= 0xC0).count() {
        0 => 1.0,
        1 => 0.8,
        2 => 0.9,
        _ => 1.0,
    }
}

/// The first `limit` bytes, cut after the last line break when there is one in the second
/// half, so multi-byte characters are not split.
fn sample_prefix(bytes: &[u8], limit: usize) -> &[u8] {
    if bytes.len() <= limit {
        return bytes;
    }
    let cut = &bytes[..limit];
    match cut.iter().rposition(|b| *b == b'\n') {
        Some(i) if i >= limit / 2 => &bytes[..=i],
        _ => cut,
    }
}

/// UTF-8 decoded with U+FFFD for each maximal invalid subpart, with the count.
struct Lossy<'a> {
    text: Cow<'a, str>,
    malformed: u64,
}

fn utf8_lossy(bytes: &[u8]) -> Lossy<'_> {
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Lossy { text: Cow::Borrowed(s), malformed: 0 };
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut malformed = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            malformed += 1;
            text.push('\u{FFFD}');
        }
    }
    Lossy { text: Cow::Owned(text), malformed }
}

/// Append the decoding of `bytes` to `out`, one U+FFFD per malformed sequence; returns how
/// many there were. `out` grows at most once (to the decoder's worst case) up front.
fn decode_into(
    decoder: &mut encoding_rs::Decoder,
    bytes: &[u8],
    last: bool,
    out: &mut String,
    stop_at_malformed: bool,
) -> u64 {
    let worst = |d: &encoding_rs::Decoder, n: usize| {
        d.max_utf8_buffer_length_without_replacement(n).unwrap_or(n.saturating_mul(3))
    };
    out.reserve(worst(decoder, bytes.len()));
    let mut src = bytes;
    let mut malformed = 0u64;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(src, out, last);
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                let more = worst(decoder, src.len());
                out.reserve(more.max(16));
            }
            DecoderResult::Malformed(_, _) => {
                malformed += 1;
                out.push('\u{FFFD}');
                if stop_at_malformed {
                    break;
                }
            }
        }
    }
    malformed
}

/// Decode the whole input with `enc`, naming GB18030 when four-byte sequences occur.
///
/// The double-byte CJK encodings go through their lookup table ([`dbcs`]) as far as the
/// input is error-free, and through encoding_rs from there on.
fn decode_with(enc: &'static Encoding, bytes: &[u8], confidence: f32) -> Decoded<'static> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let (mut text, done) = match dbcs::table(enc) {
        Some(t) => t.decode_prefix(bytes),
        None => (String::new(), 0),
    };
    let rest = &bytes[done..];
    let malformed =
        if rest.is_empty() { 0 } else { decode_into(&mut decoder, rest, true, &mut text, false) };
    let encoding = if enc == GBK || enc == encoding_rs::GB18030 {
        // The table has no four-byte sequences: only the rest can hold one.
        if has_gb18030_four_byte(rest) {
            "GB18030"
        } else {
            "GBK"
        }
    } else {
        enc.name()
    };
    Decoded { text: Cow::Owned(text), encoding, confidence, malformed, bom: false }
}

/// Whether the bytes, read as GB18030, contain a four-byte sequence
/// (lead 81–FE, digit, 81–FE, digit).
fn has_gb18030_four_byte(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        match bytes.get(i + 1..i + 4) {
            Some([b1, b2, b3])
                if (0x30..=0x39).contains(b1)
                    && (0x81..=0xFE).contains(b2)
                    && (0x30..=0x39).contains(b3) =>
            {
                return true;
            }
            _ => i += 2,
        }
    }
    false
}

/// UTF-16 recognised by its NUL bytes: the high byte of every ASCII character is zero.
/// Which byte order is decided by plausibility, not only by where the NULs fall, because a
/// short CJK text has as many NULs from characters like U+4E00 as from its line breaks. The
/// decoding must look like text: few errors, controls or private-use characters, and no
/// pile of rare characters (which is what binary data read as UTF-16 gives).
///
/// Both byte orders are read in the same rounds as the legacy candidates; once one of them
/// is spotless so far and leads the other by [`DECISIVE_MARGIN`], the rest of the sample is
/// not examined.
fn utf16_by_nuls(bytes: &[u8], sample: &[u8]) -> Option<Decoded<'static>> {
    let sample = &sample[..sample.len() & !1];
    let mut orders = [UTF_16LE, UTF_16BE].map(|enc| (Candidate::new(enc, Model::Unicode), 0u64));
    let mut buf = String::new();
    let mut done = 0;
    for &round in ROUNDS.iter().chain([&usize::MAX]) {
        let end = round.min(sample.len());
        let last = end == sample.len();
        for (c, odd) in &mut orders {
            c.feed(&sample[done..end], last, &mut buf);
            *odd += buf
                .chars()
                .filter(|c| {
                    (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0C}'))
                        || ('\u{E000}'..='\u{F8FF}').contains(c)
                })
                .count() as u64;
        }
        done = end;
        if last {
            break;
        }
        let [(le, le_odd), (be, be_odd)] = &orders;
        let (le_s, be_s) = (le.scorer.score(), be.scorer.score());
        for (c, odd, s, other) in [(le, le_odd, le_s, be_s), (be, be_odd, be_s, le_s)] {
            let clean = c.malformed == 0 && *odd == 0 && s.total >= -0.3 * s.chars as f32;
            if clean && s.total - other.total >= DECISIVE_MARGIN {
                return Some(decode_with(c.enc, bytes, 0.95));
            }
        }
    }
    let mut best: Option<(&'static Encoding, f32)> = None;
    for (c, odd) in &orders {
        let s = c.scorer.score();
        let bad = c.malformed * 4 + odd;
        let plausible = bad * 50 <= s.chars as u64 && s.total >= -0.3 * s.chars as f32;
        if plausible && best.is_none_or(|(_, t)| s.total > t) {
            best = Some((c.enc, s.total));
        }
    }
    best.map(|(enc, _)| decode_with(enc, bytes, 0.95))
}

/// 7-bit input with ISO-2022-JP escape sequences is Japanese, not ASCII.
fn iso_2022_jp(bytes: &[u8]) -> Option<Decoded<'static>> {
    let has_escape =
        bytes.windows(3).any(|w| matches!(w, b"\x1b$B" | b"\x1b$@" | b"\x1b(J" | b"\x1b(I"));
    if !has_escape {
        return None;
    }
    let d = decode_with(encoding_rs::ISO_2022_JP, bytes, 0.95);
    (d.malformed == 0).then_some(d)
}

#[cfg(test)]
mod tests;
