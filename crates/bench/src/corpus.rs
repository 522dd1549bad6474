//! Deterministic benchmark corpus: N MB of scraped-looking documents in nested folders, and
//! the same documents as one JSONL file.
//!
//! Every document gets its own PRNG stream (seed, document index), so the bytes depend only
//! on the seed, the size and the sample files. Mix (by document):
//! - ~70% pages of multi-page "sites" (`sites/<domain>/<section>/`), sharing the site's
//!   header, nav bar and footer, with meta lines, share widgets, pagers and sometimes spam;
//! - standalone articles, forum posts full of SEO keywords and ad runs, form skeletons with
//!   placeholders (`misc/`, `forum/`), short notes, and verbatim copies of `samples/`;
//! - ~10% encoded as GBK, Big5 (traditional text) or UTF-16 LE/BE with BOM;
//! - ~5% mojibake: UTF-8 bytes decoded as GBK, or GBK bytes decoded as windows-1252 (whole
//!   document or one paragraph), saved as UTF-8;
//! - light damage: U+3000 indents, stray line breaks, full-width digits, zero-width spaces,
//!   NBSP, `**` residue, CRLF line ends.
//!
//! Lengths are log-uniform between 200 B and 50 KB.

use crate::material as m;
use crate::rng::Rng;
use anyhow::{Context, Result};
use encoding_rs::{Encoding, BIG5, GBK, WINDOWS_1252};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Target size of the directory corpus in bytes (generation stops once reached).
    pub bytes: u64,
    pub seed: u64,
    /// Directory corpus output (created).
    pub out: Option<PathBuf>,
    /// JSONL variant output.
    pub jsonl: Option<PathBuf>,
    /// Folder with the real sample documents.
    pub samples: PathBuf,
}

/// Counts of what was generated.
#[derive(Debug, Default)]
pub struct Manifest {
    pub docs: u64,
    pub dir_bytes: u64,
    pub jsonl_bytes: u64,
    pub by_kind: BTreeMap<&'static str, u64>,
    pub by_encoding: BTreeMap<&'static str, u64>,
}

impl Manifest {
    pub fn to_json(&self, seed: u64) -> serde_json::Value {
        serde_json::json!({
            "seed": seed,
            "docs": self.docs,
            "dir_bytes": self.dir_bytes,
            "jsonl_bytes": self.jsonl_bytes,
            "by_kind": self.by_kind,
            "by_encoding": self.by_encoding,
        })
    }
}

/// Material read from `samples/`.
#[derive(Debug, Default)]
struct Samples {
    /// Raw files (any encoding) with their decoded text, copied verbatim as documents.
    files: Vec<(Vec<u8>, String)>,
    /// Non-empty lines of the UTF-8 samples and JSONL texts, used as paragraphs.
    lines: Vec<String>,
}

fn load_samples(dir: &Path) -> Result<Samples> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                paths.push(p);
            }
        }
    }
    paths.sort();
    let mut s = Samples::default();
    for p in paths {
        let bytes = fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        if name.ends_with(".jsonl") {
            for line in String::from_utf8_lossy(&bytes).lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                    if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
                        s.lines.extend(
                            t.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from),
                        );
                    }
                }
            }
            continue;
        }
        let text = decode_sample(&bytes, &name);
        if std::str::from_utf8(&bytes).is_ok() {
            s.lines.extend(
                text.lines().map(str::trim).filter(|l| l.chars().count() >= 8).map(String::from),
            );
        }
        s.files.push((bytes, text));
    }
    Ok(s)
}

/// Decode a sample file for the JSONL variant: BOM, UTF-8, else the legacy encoding its name
/// announces (the samples are named after their encoding).
fn decode_sample(bytes: &[u8], name: &str) -> String {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc.decode_with_bom_removal(bytes).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let enc = if name.contains("big5") { BIG5 } else { encoding_rs::GB18030 };
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// A multi-page site: its pages share everything here.
#[derive(Debug)]
struct Site {
    domain: String,
    header: Vec<String>,
    footer: Vec<String>,
    sections: Vec<&'static str>,
    source: String,
}

fn make_site(rng: &mut Rng, i: usize) -> Site {
    let city = rng.pick(m::CITIES);
    let kind = rng.pick(m::SITE_KINDS);
    let name = format!("{city}{kind}");
    let domain = format!("www.site{i:04}.example.cn");
    let mut nav: Vec<&str> = vec!["首页"];
    let n = rng.range(4, 8);
    while nav.len() < n {
        let item = rng.pick(m::NAV_ITEMS);
        if !nav.contains(&item) {
            nav.push(item);
        }
    }
    let sep = rng.pick(&[" | ", "  ", " · ", "　"]);
    let mut header = vec![name.clone(), nav.join(sep)];
    if rng.chance(0.5) {
        header.insert(0, format!("欢迎访问{name}！ 设为首页 | 加入收藏 | 无障碍浏览"));
    }
    let mut footer = vec![
        format!(
            "版权所有：{name}  地址：{city}市{}路{}号  邮编：{}",
            rng.pick(m::CITIES),
            rng.range(1, 300),
            rng.range(100_000, 999_999)
        ),
        format!(
            "ICP备案号：京ICP备{:08}号-{}  网站标识码：{:010}",
            rng.range(0, 99_999_999),
            rng.range(1, 5),
            rng.next_u64() % 10_000_000_000
        ),
    ];
    if rng.chance(0.6) {
        footer.push(format!(
            "技术支持：{city}信息中心  联系电话：0{}-{:08}",
            rng.range(100, 999),
            rng.range(0, 99_999_999)
        ));
    }
    if rng.chance(0.4) {
        footer.insert(
            0,
            format!(
                "关于我们 | 网站地图 | 联系我们 | 隐私声明 | {}",
                nav.last().unwrap_or(&"首页")
            ),
        );
    }
    let mut sections = Vec::new();
    for _ in 0..rng.range(1, 4) {
        let s = rng.pick(m::SECTIONS);
        if !sections.contains(&s) {
            sections.push(s);
        }
    }
    Site { domain, header, footer, sections, source: name }
}

/// How a document's bytes are produced from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    Utf8Bom,
    Gbk,
    Big5,
    Utf16Le,
    Utf16Be,
    /// UTF-8 bytes decoded as GBK (whole document or one paragraph), stored as UTF-8.
    MojiUtf8AsGbk {
        whole: bool,
    },
    /// GBK bytes decoded as windows-1252, stored as UTF-8.
    MojiGbkAs1252 {
        whole: bool,
    },
}

impl Enc {
    fn draw(rng: &mut Rng) -> Enc {
        let r = rng.unit();
        match r {
            _ if r < 0.05 => Enc::Gbk,
            _ if r < 0.07 => Enc::Big5,
            _ if r < 0.09 => Enc::Utf16Le,
            _ if r < 0.10 => Enc::Utf16Be,
            _ if r < 0.13 => Enc::MojiUtf8AsGbk { whole: rng.chance(0.5) },
            _ if r < 0.15 => Enc::MojiGbkAs1252 { whole: rng.chance(0.5) },
            _ if r < 0.16 => Enc::Utf8Bom,
            _ => Enc::Utf8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "utf-8",
            Enc::Utf8Bom => "utf-8-bom",
            Enc::Gbk => "gbk",
            Enc::Big5 => "big5",
            Enc::Utf16Le => "utf-16le",
            Enc::Utf16Be => "utf-16be",
            Enc::MojiUtf8AsGbk { .. } => "mojibake-utf8-as-gbk",
            Enc::MojiGbkAs1252 { .. } => "mojibake-gbk-as-cp1252",
        }
    }
}

/// One generated document: where it goes, its bytes and the text a correct decoder yields.
#[derive(Debug)]
struct Doc {
    id: String,
    url: String,
    bytes: Vec<u8>,
    text: String,
    kind: &'static str,
    enc: &'static str,
}

/// Builds text: sentences, paragraphs, titles.
struct Writer<'a> {
    rng: Rng,
    samples: &'a Samples,
    traditional: bool,
}

impl Writer<'_> {
    fn number(&mut self, out: &mut String) {
        let n = match self.rng.below(3) {
            0 => self.rng.range(2, 99),
            1 => self.rng.range(100, 9_999),
            _ => self.rng.range(10_000, 999_999),
        };
        let _ = write!(out, "{n}");
    }

    fn sentence(&mut self, out: &mut String) {
        if self.traditional {
            out.push_str(self.rng.pick(m::TRADITIONAL));
            return;
        }
        if self.rng.chance(0.25) {
            out.push_str(self.rng.pick(m::PROSE));
            return;
        }
        out.push_str(self.rng.pick(m::OPENERS));
        if self.rng.chance(0.3) {
            let _ = write!(out, "{}月{}日，", self.rng.range(1, 12), self.rng.range(1, 28));
        }
        out.push_str(self.rng.pick(m::SUBJECTS));
        let pred = self.rng.pick(m::PREDICATES);
        let mut rest = pred;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            if rest[i..].starts_with("{n}") {
                self.number(out);
            } else {
                let _ = write!(out, "{}.{}%", self.rng.range(1, 99), self.rng.below(10));
            }
            rest = &rest[i + 3..];
        }
        out.push_str(rest);
        out.push_str(self.rng.pick(m::TAILS));
        out.push('。');
    }

    fn paragraph(&mut self) -> String {
        if !self.traditional && !self.samples.lines.is_empty() && self.rng.chance(0.08) {
            return self.rng.pick_ref(&self.samples.lines).clone();
        }
        let mut p = String::with_capacity(400);
        for _ in 0..self.rng.range(1, 7) {
            self.sentence(&mut p);
        }
        p
    }

    /// A headline: subject and the first clause of a predicate, without the sentence's
    /// opener and final punctuation.
    fn title(&mut self) -> String {
        let mut s = String::new();
        if self.traditional {
            s.push_str(self.rng.pick(m::TRADITIONAL));
        } else {
            s.push_str(self.rng.pick(m::SUBJECTS));
            let pred = self.rng.pick(m::PREDICATES);
            s.push_str(pred.split('，').next().unwrap_or(pred));
            if let Some(i) = s.find('{') {
                s.truncate(i);
                self.number(&mut s);
                s.push_str(self.rng.pick(&["项", "个", "件", "处"]));
            }
        }
        let cut = s.find('，').unwrap_or(s.len()).min(s.find('。').unwrap_or(s.len()));
        s.truncate(cut);
        s
    }

    fn person(&mut self) -> String {
        format!("{}{}", self.rng.pick(m::SURNAMES), self.rng.pick(m::GIVEN))
    }

    fn date(&mut self) -> String {
        format!(
            "20{:02}-{:02}-{:02}",
            self.rng.range(10, 24),
            self.rng.range(1, 12),
            self.rng.range(1, 28)
        )
    }

    fn nav_bar(&mut self) -> String {
        let mut items: Vec<&str> = Vec::new();
        for _ in 0..self.rng.range(4, 9) {
            items.push(self.rng.pick(m::NAV_ITEMS));
        }
        items.join(" | ")
    }

    fn seo_block(&mut self) -> String {
        let mut s =
            String::from(self.rng.pick(&["关键词：", "热门搜索：", "相关标签：", "Tags："]));
        for i in 0..self.rng.range(6, 20) {
            if i > 0 {
                s.push_str(self.rng.pick(&["、", " ", ",", " | "]));
            }
            s.push_str(self.rng.pick(m::SEO_KEYWORDS));
        }
        s
    }

    /// Content paragraphs until `body` reaches `target` bytes.
    fn body(&mut self, target: usize, lines: &mut Vec<String>) {
        let mut n = 0;
        while n < target {
            let p = self.paragraph();
            n += p.len() + 2;
            lines.push(p);
            if self.rng.chance(0.7) {
                lines.push(String::new());
            }
        }
    }
}

/// Log-uniform length between 200 B and 50 KB.
fn doc_len(rng: &mut Rng) -> usize {
    let (lo, hi) = (200f64.ln(), 50_000f64.ln());
    (lo + rng.unit() * (hi - lo)).exp() as usize
}

/// Generate document `index`.
fn make_doc(seed: u64, index: u64, sites: &[Site], samples: &Samples) -> Doc {
    let mut rng = Rng::new(seed, index + 1);
    let enc = Enc::draw(&mut rng);
    let target = doc_len(&mut rng);
    let kind_draw = rng.unit();
    let mut w =
        Writer { rng: Rng::new(seed ^ 0x5151, index), samples, traditional: enc == Enc::Big5 };
    let mut lines: Vec<String> = Vec::new();
    let (kind, id, url);
    // Only content lines get typographic damage; furniture stays byte-identical across a site.
    let mut body = 0..0;

    if !samples.files.is_empty() && kind_draw < 0.03 && enc == Enc::Utf8 {
        // A verbatim copy of a real sample, in whatever encoding the sample has.
        let (bytes, text) = w.rng.pick_ref(&samples.files);
        let (a, b) = (w.rng.below(8), w.rng.below(8));
        return Doc {
            id: format!("misc/{a:02}/{b:02}/sample-{index:07}.txt"),
            url: format!("https://blog{}.example.com/p/{index}", w.rng.below(200)),
            bytes: bytes.clone(),
            text: text.clone(),
            kind: "sample",
            enc: "sample",
        };
    } else if enc == Enc::Big5 {
        // Big5 cannot encode simplified furniture: a plain Traditional-script article.
        kind = "article-big5";
        let a = w.rng.below(8);
        id = format!("misc/tw/{a:02}/doc-{index:07}.txt");
        url = format!("https://tw{}.example.com/p/{index}", w.rng.below(50));
        lines.push(w.title());
        lines.push(String::new());
        let start = lines.len();
        w.body(target.saturating_sub(60).max(60), &mut lines);
        body = start..lines.len();
    } else if kind_draw < 0.73 && !sites.is_empty() {
        kind = "site-page";
        let site = &sites[w.rng.below(sites.len())];
        let section = w.rng.pick(&site.sections);
        id = format!("sites/{}/{section}/{index:07}.txt", site.domain);
        url = format!("https://{}/{section}/{index}.html", site.domain);
        lines.extend(site.header.iter().cloned());
        lines.push(format!("当前位置：首页 > {} > 正文", w.rng.pick(m::NAV_ITEMS)));
        lines.push(w.title());
        let meta = format!(
            "发布时间：{}  来源：{}  作者：{}  浏览次数：{}",
            w.date(),
            site.source,
            w.person(),
            w.rng.range(10, 99_999)
        );
        lines.push(meta);
        if w.rng.chance(0.5) {
            lines.push("字体：大 中 小  【打印】".into());
        }
        lines.push(String::new());
        let furniture: usize = lines.iter().chain(&site.footer).map(|l| l.len() + 1).sum();
        let start = lines.len();
        w.body(target.saturating_sub(furniture + 200).max(60), &mut lines);
        body = start..lines.len();
        for _ in 0..w.rng.range(1, 3) {
            lines.push(w.rng.pick(m::BOILERPLATE).to_string());
        }
        lines.push(format!("责任编辑：{}", w.person()));
        lines.push(format!("上一篇：{}", w.title()));
        lines.push(format!("下一篇：{}", w.title()));
        if w.rng.chance(0.1) {
            lines.push(w.seo_block());
        }
        if w.rng.chance(0.04) {
            lines.push(w.rng.pick(m::SPAM_LINES).to_string());
        }
        lines.extend(site.footer.iter().cloned());
    } else if kind_draw < 0.90 || target < 600 {
        kind = if target < 600 { "note" } else { "article" };
        let (a, b) = (w.rng.below(8), w.rng.below(8));
        id = format!("misc/{a:02}/{b:02}/doc-{index:07}.txt");
        url = format!("https://blog{}.example.com/p/{index}", w.rng.below(200));
        lines.push(w.title());
        if w.rng.chance(0.5) {
            lines.push(format!("{}  {}", w.date(), w.person()));
        }
        lines.push(String::new());
        let start = lines.len();
        w.body(target.saturating_sub(100).max(60), &mut lines);
        body = start..lines.len();
        if w.rng.chance(0.3) {
            lines.push(w.rng.pick(m::BOILERPLATE).to_string());
        }
    } else if kind_draw < 0.97 {
        kind = "forum";
        let board = w.rng.below(16);
        id = format!("forum/board-{board:02}/thread-{index:07}.txt");
        url = format!("https://bbs.example.net/board{board}/t{index}");
        lines.push(w.nav_bar());
        lines.push(format!("【求助】{}", w.title()));
        let (mut n, mut floor) = (0, 0);
        body.start = lines.len();
        while n < target {
            let start = lines.len();
            floor += 1;
            lines.push(format!("{floor}楼  {}  发表于 {}", w.person(), w.date()));
            let p = w.paragraph();
            lines.push(p);
            match w.rng.below(6) {
                0 => lines.push(w.seo_block()),
                1 => lines.push(w.rng.pick(m::SPAM_LINES).to_string()),
                2 => lines.push("回复  引用  举报  顶部".into()),
                _ => {}
            }
            n += lines[start..].iter().map(|l| l.len() + 1).sum::<usize>();
        }
        body.end = lines.len();
    } else {
        kind = "form";
        let (a, b) = (w.rng.below(8), w.rng.below(8));
        id = format!("misc/{a:02}/{b:02}/form-{index:07}.txt");
        url = format!("https://gov{}.example.cn/forms/{index}", w.rng.below(50));
        lines.push(format!("{}申请表", w.title()));
        lines.push(String::new());
        for l in m::FORM_LINES {
            if w.rng.chance(0.7) {
                lines.push((*l).to_string());
            }
        }
        lines.push(String::new());
        let start = lines.len();
        w.body(target.saturating_sub(300).max(60), &mut lines);
        body = start..lines.len();
        lines.push("XX市人民政府办公室".into());
        lines.push("20xx年xx月xx日".into());
    }

    damage(&mut w.rng, &mut lines[body], enc);
    let crlf = w.rng.chance(0.1);
    let mut text = lines.join(if crlf { "\r\n" } else { "\n" });
    text.push_str(if crlf { "\r\n" } else { "\n" });
    let (bytes, text) = encode(&mut w.rng, text, enc);
    Doc { id, url, bytes, text, kind, enc: enc.name() }
}

/// Light typographic damage the normalize/reflow stages repair.
fn damage(rng: &mut Rng, lines: &mut [String], enc: Enc) {
    let indent = rng.chance(0.3);
    let breaks = rng.chance(0.1);
    let fullwidth = rng.chance(0.05);
    let invisible = rng.chance(0.03) && enc != Enc::Big5 && enc != Enc::Gbk;
    let markup = rng.chance(0.03);
    for l in lines.iter_mut() {
        if l.len() < 60 {
            continue;
        }
        if fullwidth {
            *l = l
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
                    } else {
                        c
                    }
                })
                .collect();
        }
        if markup && rng.chance(0.2) {
            *l = format!("**{l}**");
        }
        if invisible && rng.chance(0.3) {
            let at = char_boundary(l, rng.below(l.len()));
            l.insert(at, if rng.chance(0.5) { '\u{200B}' } else { '\u{A0}' });
        }
        if breaks && l.len() > 150 && rng.chance(0.5) {
            let at = char_boundary(l, rng.range(l.len() / 3, 2 * l.len() / 3));
            l.insert(at, '\n');
        }
        if indent {
            l.insert_str(0, "\u{3000}\u{3000}");
        }
    }
}

fn char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Bytes on disk and the text a correct decoder recovers from them.
fn encode(rng: &mut Rng, text: String, enc: Enc) -> (Vec<u8>, String) {
    match enc {
        Enc::Utf8 => (text.clone().into_bytes(), text),
        Enc::Utf8Bom => {
            let mut b = vec![0xEF, 0xBB, 0xBF];
            b.extend_from_slice(text.as_bytes());
            (b, text)
        }
        Enc::Gbk | Enc::Big5 => {
            let e = if enc == Enc::Gbk { GBK } else { BIG5 };
            let (b, _, _) = e.encode(&text);
            let b = b.into_owned();
            // Unmappable characters became numeric references: decode to get the real text.
            let t = e.decode_without_bom_handling(&b).0.into_owned();
            (b, t)
        }
        Enc::Utf16Le | Enc::Utf16Be => {
            let le = enc == Enc::Utf16Le;
            let mut b = Vec::with_capacity(text.len() * 2 / 3 * 2 + 2);
            b.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
            for u in text.encode_utf16() {
                b.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            (b, text)
        }
        Enc::MojiUtf8AsGbk { whole } | Enc::MojiGbkAs1252 { whole } => {
            let garble = |s: &str| -> String {
                match enc {
                    Enc::MojiUtf8AsGbk { .. } => {
                        GBK.decode_without_bom_handling(s.as_bytes()).0.into_owned()
                    }
                    _ => {
                        let (b, _, _) = GBK.encode(s);
                        WINDOWS_1252.decode_without_bom_handling(&b).0.into_owned()
                    }
                }
            };
            let out = if whole {
                garble(&text)
            } else {
                // One long line is garbled, as when a fragment was pasted from another page.
                let lines: Vec<&str> = text.split('\n').collect();
                let candidates: Vec<usize> =
                    (0..lines.len()).filter(|&i| lines[i].len() >= 60).collect();
                if candidates.is_empty() {
                    garble(&text)
                } else {
                    let pick = rng.pick(&candidates);
                    let mut s = String::with_capacity(text.len() + 64);
                    for (i, l) in lines.iter().enumerate() {
                        if i > 0 {
                            s.push('\n');
                        }
                        if i == pick {
                            s.push_str(&garble(l));
                        } else {
                            s.push_str(l);
                        }
                    }
                    s
                }
            };
            (out.clone().into_bytes(), out)
        }
    }
}

/// Generate the corpus; returns what was written.
pub fn generate(opts: &GenOptions) -> Result<Manifest> {
    let samples = load_samples(&opts.samples)?;
    // About 9 KB per document on average, 70% on sites of ~40 pages each.
    let est_docs = (opts.bytes / 9_000).max(1) as usize;
    let n_sites = (est_docs * 7 / 10 / 40).max(3);
    let mut site_rng = Rng::new(opts.seed, 0);
    let sites: Vec<Site> = (0..n_sites).map(|i| make_site(&mut site_rng, i)).collect();

    if let Some(out) = &opts.out {
        fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    }
    let mut jsonl = match &opts.jsonl {
        Some(p) => {
            if let Some(parent) = p.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent)?;
            }
            Some(BufWriter::with_capacity(
                1 << 20,
                fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
            ))
        }
        None => None,
    };
    let mut made_dirs: HashSet<PathBuf> = HashSet::new();
    let mut man = Manifest::default();
    let mut index = 0u64;
    while man.dir_bytes < opts.bytes {
        let doc = make_doc(opts.seed, index, &sites, &samples);
        index += 1;
        man.docs += 1;
        man.dir_bytes += doc.bytes.len() as u64;
        *man.by_kind.entry(doc.kind).or_default() += 1;
        *man.by_encoding.entry(doc.enc).or_default() += 1;
        if let Some(out) = &opts.out {
            let path = out.join(&doc.id);
            if let Some(parent) = path.parent() {
                if !made_dirs.contains(parent) {
                    fs::create_dir_all(parent)
                        .with_context(|| format!("creating {}", parent.display()))?;
                    made_dirs.insert(parent.to_path_buf());
                }
            }
            fs::write(&path, &doc.bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        if let Some(w) = jsonl.as_mut() {
            let rec = serde_json::json!({"id": doc.id, "url": doc.url, "text": doc.text});
            let line = serde_json::to_string(&rec)?;
            man.jsonl_bytes += line.len() as u64 + 1;
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
        }
    }
    if let Some(mut w) = jsonl {
        w.flush()?;
    }
    Ok(man)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
    }

    fn gen(dir: &Path, seed: u64) -> Manifest {
        generate(&GenOptions {
            bytes: 250_000,
            seed,
            out: Some(dir.join("corpus")),
            jsonl: Some(dir.join("corpus.jsonl")),
            samples: samples_dir(),
        })
        .unwrap()
    }

    /// Every file under `dir`, as (relative path, bytes), sorted.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((p.strip_prefix(dir).unwrap().to_path_buf(), fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let (ma, mb) = (gen(a.path(), 42), gen(b.path(), 42));
        gen(c.path(), 43);
        assert_eq!(ma.docs, mb.docs);
        assert!(ma.dir_bytes >= 250_000);
        let (sa, sb, sc) = (snapshot(a.path()), snapshot(b.path()), snapshot(c.path()));
        assert_eq!(sa.len() as u64, ma.docs + 1, "one file per document plus the JSONL");
        assert!(sa == sb, "same seed must give the same files and bytes");
        assert!(sa != sc, "a different seed must give a different corpus");
    }

    #[test]
    fn jsonl_has_one_record_per_document_with_its_decoded_text() {
        let dir = tempfile::tempdir().unwrap();
        let man = gen(dir.path(), 7);
        let jsonl = fs::read_to_string(dir.path().join("corpus.jsonl")).unwrap();
        let mut n = 0;
        for line in jsonl.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let id = v["id"].as_str().unwrap();
            let text = v["text"].as_str().unwrap();
            let bytes = fs::read(dir.path().join("corpus").join(id)).unwrap();
            if let Ok(s) = std::str::from_utf8(&bytes) {
                assert_eq!(s.trim_start_matches('\u{FEFF}'), text, "{id}");
            } else {
                assert!(!text.is_empty());
            }
            n += 1;
        }
        assert_eq!(n, man.docs);
    }

    #[test]
    fn utf16_and_legacy_files_decode_to_their_jsonl_text() {
        let mut sites_rng = Rng::new(1, 0);
        let sites: Vec<Site> = (0..3).map(|i| make_site(&mut sites_rng, i)).collect();
        let samples = Samples::default();
        let mut seen = BTreeMap::new();
        for i in 0..400 {
            let d = make_doc(1, i, &sites, &samples);
            *seen.entry(d.enc).or_insert(0) += 1;
            let decoded = match d.enc {
                "utf-16le" => encoding_rs::UTF_16LE.decode_with_bom_removal(&d.bytes).0,
                "utf-16be" => encoding_rs::UTF_16BE.decode_with_bom_removal(&d.bytes).0,
                "gbk" => GBK.decode_without_bom_handling(&d.bytes).0,
                "big5" => BIG5.decode_without_bom_handling(&d.bytes).0,
                _ => continue,
            };
            assert_eq!(decoded, d.text, "doc {i} ({})", d.enc);
            assert!(!d.text.contains("&#"), "doc {i} has unmappable characters");
        }
        for enc in ["gbk", "big5", "utf-16le", "mojibake-utf8-as-gbk", "utf-8"] {
            assert!(seen.contains_key(enc), "no {enc} document in 400: {seen:?}");
        }
    }
}
