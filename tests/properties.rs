//! Property tests of the whole pipeline: any bytes in, one well-formed record (or one reported
//! outcome) out, idempotent on its own output, and clean text left alone.
//!
//! Inputs come from three generators: arbitrary bytes; realistic Chinese text (sentences
//! built from common words and punctuation) with page noise mixed in; and that text pushed
//! through the damage real scrapes show (legacy encodings, mis-decoding, truncation). The
//! inputs the fuzz targets found interesting are kept in `tests/data/fuzz-regressions/` and
//! run here too.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use qingxi_core::{Failure, Input, InputContent, Output, Ready, StageName};
use qingxi_pipeline::{Config, Event, Outcome, Pipeline, Rejection, RunOptions};

fn pipeline(config: &Config) -> Pipeline {
    Pipeline::build(config, Path::new(".")).expect("the pipeline builds")
}

fn default_pipeline() -> &'static Pipeline {
    static P: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    P.get_or_init(|| pipeline(&Config::default()))
}

/// Only the text stages (decode … reflow): filters legitimately remove lines of clean text.
fn text_stages_pipeline() -> &'static Pipeline {
    static P: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let mut config = Config::default();
        let only: Vec<StageName> = StageName::ALL.into_iter().filter(|s| !s.is_filter()).collect();
        config.stages.apply(&only, &[], &[]);
        pipeline(&config)
    })
}

fn input(id: &str, content: InputContent) -> Input {
    Input { id: id.into(), origin: id.into(), site: "site".into(), content, fields: None }
}

/// Clean bytes as a file input would be cleaned. A stage panic is caught by the pipeline and
/// comes back as `Failed("internal error …")`: that is a test failure here.
fn clean_bytes(p: &Pipeline, bytes: &[u8]) -> Option<Output> {
    match p.clean(input("doc.txt", InputContent::Bytes(bytes.to_vec()))) {
        Ok(out) => Some(out),
        Err(Rejection::Binary { .. }) => None,
        Err(Rejection::Failed(f)) => panic!("cleaning failed: {f}\ninput: {bytes:?}"),
    }
}

fn clean_text(p: &Pipeline, text: &str) -> Output {
    match p.clean(input("doc.txt", InputContent::Text(text.to_string()))) {
        Ok(out) => out,
        Err(e) => panic!("cleaning text failed: {e:?}\ninput: {text:?}"),
    }
}

/// The record as written to JSONL must parse back with the same text and template.
fn check_record(out: &Output) {
    let line = serde_json::to_string(&out.to_json()).expect("the record serializes");
    assert!(!line.contains('\n'), "a JSONL record is one line");
    let back: serde_json::Value = serde_json::from_str(&line).expect("the record parses");
    assert_eq!(back["text"].as_str(), Some(out.text.as_str()));
    assert_eq!(back["template"].as_str(), Some(out.template.as_str()));
    assert_eq!(back["id"].as_str(), Some(out.id.as_str()));
}

// ---------------------------------------------------------------------------------------
// Generators

/// Common words of everyday written Chinese (news, reports, notices), Simplified.
const WORDS: &[&str] = &[
    "我们",
    "今天",
    "学校",
    "老师",
    "学生",
    "经济",
    "发展",
    "社会",
    "研究",
    "数据",
    "显示",
    "城市",
    "农村",
    "人民",
    "政府",
    "企业",
    "公司",
    "市场",
    "增长",
    "环境",
    "保护",
    "科技",
    "创新",
    "文化",
    "历史",
    "问题",
    "方法",
    "提出",
    "认为",
    "进行",
    "已经",
    "正在",
    "需要",
    "可以",
    "应该",
    "非常",
    "重要",
    "主要",
    "一些",
    "这个",
    "那些",
    "时候",
    "地方",
    "工作",
    "生活",
    "健康",
    "医院",
    "医生",
    "孩子",
    "家庭",
    "朋友",
    "春天",
    "天气",
    "河流",
    "山区",
    "道路",
    "交通",
    "建设",
    "计划",
    "目标",
    "由于",
    "因此",
    "但是",
    "而且",
    "如果",
    "虽然",
    "通过",
    "关于",
    "对于",
    "之后",
    "以前",
    "以来",
    "去年",
    "明年",
    "世界",
    "国家",
    "地区",
    "居民",
    "游客",
    "专家",
    "记者",
    "报道",
    "表示",
    "介绍",
    "2024年",
    "3月",
    "15日",
    "百分之十",
    "3.5%",
    "一百多",
    "第一",
    "两个",
    "几年",
];
/// Function characters that glue words together.
const GLUE: &[&str] =
    &["的", "了", "在", "和", "是", "有", "也", "都", "就", "把", "被", "对", "从", ""];
/// Punctuation inside a sentence.
const INNER: &[&str] = &["，", "，", "、", "；", "："];
/// Punctuation ending a sentence.
const END: &[&str] = &["。", "。", "。", "！", "？", "……"];

fn sentence() -> impl Strategy<Value = String> {
    let clause = proptest::collection::vec(
        (proptest::sample::select(WORDS), proptest::sample::select(GLUE)),
        1..5,
    )
    .prop_map(|ws| ws.into_iter().map(|(w, g)| format!("{w}{g}")).collect::<String>());
    (
        proptest::collection::vec((clause, proptest::sample::select(INNER)), 1..4),
        proptest::sample::select(END),
        0..6u8,
    )
        .prop_map(|(clauses, end, quote)| {
            let mut s = String::new();
            for (i, (c, p)) in clauses.iter().enumerate() {
                if i > 0 {
                    s.push_str(p);
                }
                s.push_str(c);
            }
            // Some sentences quote or cite a title, as real prose does.
            match quote {
                0 => format!("“{s}{end}”"),
                1 => format!("《{s}》{end}"),
                _ => format!("{s}{end}"),
            }
        })
}

fn paragraph() -> impl Strategy<Value = String> {
    proptest::collection::vec(sentence(), 1..5).prop_map(|s| s.concat())
}

/// Clean prose: paragraphs that end their sentences, one per line, blank lines or not
/// between them. (Not indented: removing `\u{3000}\u{3000}` indentation is a documented
/// `normalize` rule, so indented text is not "clean" by this project's definition.)
fn clean_document() -> impl Strategy<Value = String> {
    (proptest::collection::vec(paragraph(), 1..6), any::<bool>(), any::<bool>()).prop_map(
        |(paras, blank, final_newline)| {
            let sep = if blank { "\n\n" } else { "\n" };
            let mut doc = paras.join(sep);
            if final_newline {
                doc.push('\n');
            }
            doc
        },
    )
}

/// Things scraped pages carry besides prose.
const NOISE: &[&str] = &[
    "分享到：微信 微博 QQ空间",
    "【字体：大 中 小】【打印本页】【关闭窗口】",
    "来源：本站 编辑：admin",
    "首页 > 新闻中心 > 正文",
    "  ",
    "\u{3000}\u{3000}",
    "\u{200b}",
    "\u{a0}\u{a0}",
    "**",
    "ＡＢＣ１２３",
    "\r\n",
    "\t",
    "衛(wèi)生",
    "點擊次數：",
    "20xx年XX市",
    "×××同志",
    "http://www.example.com/a?b=1",
    "<p>",
    "&nbsp;",
    "\u{feff}",
    "\u{fffd}",
    "ä¸\u{ad}æ–‡",
    "涓枃",
];

/// Prose with page noise, stray line breaks and repeated paragraphs.
fn noisy_document() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => paragraph(),
        2 => proptest::sample::select(NOISE).prop_map(str::to_string),
        1 => Just("\n".to_string()),
        1 => "[a-zA-Z0-9 ,.!?()\\-]{0,20}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ];
    proptest::collection::vec((piece, 0..4u8), 0..16).prop_map(|parts| {
        let mut doc = String::new();
        for (p, brk) in parts {
            doc.push_str(&p);
            match brk {
                0 => {}
                1 => doc.push_str("\n\n"),
                _ => doc.push('\n'),
            }
        }
        doc
    })
}

/// Bytes as scrapes deliver them: UTF-8 (± BOM), legacy encodings, UTF-8 mis-decoded as
/// GBK or windows-1252 and re-encoded (mojibake), or cut at an arbitrary byte.
fn realistic_bytes() -> impl Strategy<Value = Vec<u8>> {
    (noisy_document(), 0..8u8, any::<proptest::sample::Index>()).prop_map(|(text, how, cut)| {
        use encoding_rs::{BIG5, GBK, UTF_8, WINDOWS_1252};
        let mut bytes = match how {
            0 => GBK.encode(&text).0.into_owned(),
            1 => BIG5.encode(&text).0.into_owned(),
            2 => {
                let mut b = vec![0xFF, 0xFE];
                for u in text.encode_utf16() {
                    b.extend_from_slice(&u.to_le_bytes());
                }
                b
            }
            3 => {
                let (moji, _, _) = GBK.decode(text.as_bytes());
                UTF_8.encode(&moji).0.into_owned()
            }
            4 => {
                let (moji, _, _) = WINDOWS_1252.decode(text.as_bytes());
                UTF_8.encode(&moji).0.into_owned()
            }
            5 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            _ => text.into_bytes(),
        };
        if how == 7 && !bytes.is_empty() {
            // Truncated mid-stream, possibly inside a multi-byte sequence.
            bytes.truncate(cut.index(bytes.len()));
        }
        bytes
    })
}

/// Realistic bytes, or arbitrary ones.
fn document_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => realistic_bytes(),
        1 => proptest::collection::vec(any::<u8>(), 0..1024),
    ]
}

// ---------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any bytes: a record (or a binary skip), never a panic or an internal error; the
    /// record is valid UTF-8 JSON that round-trips.
    #[test]
    fn any_bytes_give_a_well_formed_record(bytes in document_bytes()) {
        if let Some(out) = clean_bytes(default_pipeline(), &bytes) {
            check_record(&out);
        }
    }

    /// Cleaning the cleaned text again changes nothing. (Over realistic documents: in
    /// arbitrary bytes, C0 control characters interleaved with mojibake can hide the damage
    /// from the mojibake stage until the normalize stage has removed them, so a second run
    /// repairs what the first could not see.)
    #[test]
    fn pipeline_is_idempotent_on_its_own_output(bytes in realistic_bytes()) {
        let p = default_pipeline();
        if let Some(once) = clean_bytes(p, &bytes) {
            let twice = clean_text(p, &once.text);
            prop_assert_eq!(&twice.text, &once.text, "input: {:?}", bytes);
        }
    }

    /// Clean prose goes through every text stage byte for byte, and is decoded as UTF-8.
    #[test]
    fn clean_text_passes_the_text_stages_unchanged(text in clean_document()) {
        let out = clean_bytes(text_stages_pipeline(), text.as_bytes())
            .expect("prose is not binary");
        prop_assert_eq!(&out.text, &text);
        prop_assert_eq!(out.meta.encoding.as_deref(), Some("UTF-8"));
        prop_assert!(out.meta.changes.is_empty(), "changes: {:?}", out.meta.changes);
    }
}

/// What a source might hand the runner: an input or a failure to read one.
#[derive(Debug, Clone)]
enum Item {
    Bytes(Vec<u8>),
    Text(String),
    Unreadable,
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        4 => document_bytes().prop_map(Item::Bytes),
        2 => noisy_document().prop_map(Item::Text),
        1 => Just(Item::Unreadable),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `Pipeline::run` over a vector of inputs gives exactly one outcome per input, in input
    /// order, whatever the batching and the number of threads.
    #[test]
    fn every_input_yields_exactly_one_outcome(
        items in proptest::collection::vec(item(), 0..24),
        batch_docs in 1..8usize,
        jobs in 1..3usize,
    ) {
        let origins: Vec<String> = (0..items.len()).map(|i| format!("in/{i}.txt")).collect();
        let sources = items.iter().zip(&origins).map(|(it, origin)| {
            let content = match it {
                Item::Bytes(b) => InputContent::Bytes(b.clone()),
                Item::Text(t) => InputContent::Text(t.clone()),
                Item::Unreadable => return Err(Failure::new(origin.clone(), "permission denied")),
            };
            Ok(Ready(input(origin, content)))
        });
        let opts = RunOptions { jobs, batch_docs, ..RunOptions::default() };
        let mut seen = Vec::new();
        default_pipeline()
            .run(sources, &opts, |event| {
                if let Event::Outcome(outcome) = event {
                    seen.push(match outcome {
                        Outcome::Done(out) => {
                            check_record(&out);
                            out.origin
                        }
                        Outcome::Skipped { origin, .. } => origin,
                        Outcome::Failed(f) => {
                            assert_eq!(f.reason, "permission denied", "{f}");
                            f.origin
                        }
                    });
                }
                ControlFlow::Continue(())
            })
            .expect("the run completes");
        prop_assert_eq!(seen, origins);
    }
}

// ---------------------------------------------------------------------------------------
// Fuzz regressions

fn regression_inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    files.sort();
    files
}

/// Every input a fuzz target kept goes through the whole pipeline to a well-formed record.
#[test]
fn fuzz_regressions_clean_without_failing() {
    let files = regression_inputs();
    assert!(!files.is_empty(), "the regression corpus is missing");
    for path in files {
        let bytes = std::fs::read(&path).expect("readable");
        let out = match default_pipeline()
            .clean(input(&path.display().to_string(), InputContent::Bytes(bytes)))
        {
            Ok(out) => out,
            Err(Rejection::Binary { .. }) => continue,
            Err(Rejection::Failed(f)) => panic!("{}: {f}", path.display()),
        };
        check_record(&out);
    }
}

/// Cleaning a regression input's output again changes nothing.
#[test]
fn fuzz_regressions_are_idempotent() {
    let p = default_pipeline();
    let mut failures = Vec::new();
    for path in regression_inputs() {
        let bytes = std::fs::read(&path).expect("readable");
        let Some(once) = clean_bytes(p, &bytes) else { continue };
        let twice = clean_text(p, &once.text);
        if twice.text != once.text {
            failures.push(format!(
                "{}:\n  once:  {:?}\n  twice: {:?}",
                path.display(),
                once.text,
                twice.text
            ));
        }
    }
    assert!(failures.is_empty(), "not idempotent:\n{}", failures.join("\n"));
}
