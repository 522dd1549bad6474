//! `qingxi explain FILE`: run the pipeline on one file and show every decision.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::ValueEnum;
use qingxi_core::{Label, Pending, StageName};
use qingxi_io::Sources;
use qingxi_pipeline::Rejection;

use crate::{build_pipeline, source_options, ExplainArgs};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

struct Paint(bool);

impl Paint {
    fn label(&self, label: Label) -> String {
        let (code, name) = match label {
            Label::Content => ("32", "content"),
            Label::Boilerplate => ("33", "boilerplate"),
            Label::Spam => ("31", "spam"),
            Label::Template => ("36", "template"),
            Label::Repeat => ("35", "repeat"),
        };
        self.paint(code, &format!("{name:<11}"))
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let (pipeline, config) = build_pipeline(&args.stages)?;
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal(),
    };
    let paint = Paint(color);
    let opts = source_options(&config, false, None);
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for item in Sources::new(std::slice::from_ref(&args.file), opts) {
        let input = match item.and_then(Pending::load) {
            Ok(input) => input,
            Err(f) => {
                eprintln!("{f}");
                failed = true;
                continue;
            }
        };
        let doc = match pipeline.process(input) {
            Ok(doc) => doc,
            Err(Rejection::Binary { origin, reason, .. }) => {
                eprintln!("{origin}: skipped: {reason}");
                continue;
            }
            Err(Rejection::Failed(f)) => {
                eprintln!("{f}");
                failed = true;
                continue;
            }
        };
        let m = &doc.meta;
        let on: Vec<&str> =
            StageName::ALL.iter().filter(|s| pipeline.enabled(**s)).map(|s| s.as_str()).collect();
        let mut out = String::new();
        out.push_str(&paint.paint("1", &format!("== {}", doc.id)));
        out.push('\n');
        out.push_str(&format!(
            "encoding: {} (confidence {:.2}, {} malformed)\nstages:   {}\nchanges:  {}\n",
            m.encoding.as_deref().unwrap_or("?"),
            m.confidence.unwrap_or(0.0),
            m.malformed,
            on.join(" "),
            if m.changes.is_empty() {
                "none".to_string()
            } else {
                m.changes.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
            }
        ));
        for (k, v) in &m.notes {
            out.push_str(&format!("{k}: {v}\n"));
        }
        for e in &m.edits {
            out.push_str(&format!(
                "edit:     {} {} at {}: {:?} -> {:?}\n",
                e.stage, e.rule, e.offset, e.before, e.after
            ));
        }
        out.push('\n');
        for b in &doc.blocks {
            let rule = match (&b.rule, &b.matched) {
                (Some(r), Some(t)) => format!("{r} [{t}]"),
                (Some(r), None) => (*r).to_string(),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{:>5} {} {}\n",
                b.line,
                paint.label(b.label),
                paint.paint("2", &rule)
            ));
            out.push_str(&format!("      {}\n", b.text));
        }
        if stdout.write_all(out.as_bytes()).is_err() {
            return Ok(ExitCode::SUCCESS);
        }
    }
    stdout.flush().context("writing to stdout")?;
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
