//! Run the four filter stages over a folder of `.txt` files and print one JSON record per
//! document (the format `score_clean.py` reads), until the real `qingxi` binary exists.
//!
//! ```text
//! cargo run -p qingxi-filter --example filter_dir -- DIR [--raw] [--explain]
//! ```
//! Files directly in DIR belong to site `seeds`; files in a subfolder belong to a site named
//! after it (ids are paths relative to DIR). A first pass fills the site line counts.
//!
//! The text stages (annotation removal, reflow) belong to another crate; unless `--raw` is
//! given, a crude stand-in runs first so the filters see text shaped like the pipeline's:
//! pinyin readings after Han characters and `**` markup are dropped, and a line that stops
//! mid-sentence is joined with the next.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use qingxi_core::{Document, Output, Stage};
use qingxi_filter::{BoilerplateConfig, RepeatsConfig, SpamConfig, TemplateConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let raw = args.iter().any(|a| a == "--raw");
    let explain = args.iter().any(|a| a == "--explain");
    let dir = PathBuf::from(
        args.iter()
            .find(|a| !a.starts_with("--"))
            .ok_or("usage: filter_dir DIR [--raw] [--explain]")?,
    );
    let mut docs = Vec::new();
    collect(&dir, &dir, &mut docs)?;
    docs.sort_by(|a: &Document, b| a.id.cmp(&b.id));
    if !raw {
        for d in &mut docs {
            d.text = crude_text_stages(&d.text);
        }
    }

    let tcfg = TemplateConfig::default();
    let mut counts = tcfg.new_counts();
    for d in &docs {
        counts.observe(&d.site, &d.text);
    }
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(BoilerplateConfig::default().build(&dir)?),
        Box::new(SpamConfig::default().build(&dir)?),
        Box::new(tcfg.build(Some(Arc::new(counts)))?),
        Box::new(RepeatsConfig::default().build()?),
    ];
    for mut d in docs {
        let bytes = d.text.len();
        d.split_blocks();
        for s in &stages {
            s.run(&mut d);
        }
        if explain {
            println!("== {}", d.id);
            for b in &d.blocks {
                let text: String = b.text.trim().chars().take(60).collect();
                println!(
                    "{:>4} {:<11} {:<26} {:<12} {}",
                    b.line,
                    b.label.as_str(),
                    b.rule.unwrap_or(""),
                    b.matched.as_deref().unwrap_or(""),
                    text
                );
            }
        } else {
            println!("{}", Output::from_document(d, None, bytes).to_json());
        }
    }
    Ok(())
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<Document>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "txt") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let id = rel.to_string_lossy().replace('\\', "/");
            let site = match rel.parent().and_then(|p| p.to_str()) {
                Some(p) if !p.is_empty() => p.to_string(),
                _ => "seeds".to_string(),
            };
            let mut d = Document::new(id, std::fs::read_to_string(&path)?);
            d.site = site;
            out.push(d);
        }
    }
    Ok(())
}

/// Stand-in for the text stages (see the module docs).
fn crude_text_stages(text: &str) -> String {
    let no_pinyin = strip_pinyin(&text.replace("**", ""));
    let lines: Vec<&str> = no_pinyin.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let mut cur = lines[i].to_string();
        i += 1;
        // Join while the line stops mid-sentence: long, ends in a Han character or digit.
        loop {
            let t = cur.trim_end();
            let last = t.chars().last();
            let mid = t.chars().count() >= 18
                && last.is_some_and(|c| {
                    ('\u{4E00}'..='\u{9FFF}').contains(&c) || c == '、' || c == '，' || c == ','
                });
            let mut j = i;
            while j < lines.len() && lines[j].trim().is_empty() {
                j += 1;
            }
            let next_ok = j < lines.len()
                && lines[j].trim().chars().count() >= 1
                && !lines[j].starts_with([' ', '\t']);
            let heading = j < lines.len()
                && lines[j]
                    .trim_start()
                    .starts_with(|c: char| "（(一二三四五六七八九十".contains(c));
            if mid && next_ok && !heading && !out.is_empty() && j - i <= 2 {
                cur = format!("{}{}", t, lines[j].trim());
                i = j + 1;
            } else {
                break;
            }
        }
        out.push_str(&cur);
        out.push('\n');
    }
    out
}

/// Drop `(pīn)` readings inserted after Han characters.
fn strip_pinyin(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '(' && i > 0 && ('\u{4E00}'..='\u{9FFF}').contains(&chars[i - 1]) {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_lowercase()
                    || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ".contains(chars[j]))
            {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && chars[j] == ')' {
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}
