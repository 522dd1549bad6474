//! Behaviour tables for the stage: one case per line, named by what it shows.

use std::borrow::Cow;

use encoding_rs::{GBK, UTF_8};
use proptest::prelude::*;
use qingxi_core::{Document, Stage, StageName};

use crate::tables::tables;
use crate::{Mojibake, MojibakeConfig, MojibakeError};

fn stage() -> Mojibake {
    MojibakeConfig::default().build().unwrap()
}

// ---- ways to damage text, as the readers that did it ----

fn gbk_bytes(s: &str) -> Vec<u8> {
    let (b, _, unmappable) = GBK.new_encoder().encoding().encode(s);
    assert!(!unmappable, "{s} is not GBK");
    b.into_owned()
}

/// Double-byte bytes read as GBK, a lone or invalid lead byte becoming U+FFFD (as Python's
/// `errors="replace"` does: one U+FFFD per byte, then go on with the next byte).
fn read_as_gbk(b: &[u8]) -> String {
    let mut out = String::new();
    let mut k = 0;
    while k < b.len() {
        if b[k] < 0x80 {
            out.push(char::from(b[k]));
            k += 1;
        } else if let Some(c) = b.get(k + 1).and_then(|&t| tables().gbk_decode(b[k], t)) {
            out.push(c);
            k += 2;
        } else {
            out.push('\u{FFFD}');
            k += 1;
        }
    }
    out
}

/// Bytes read as windows-1252 the way browsers do (undefined bytes become C1 controls).
fn read_as_cp1252(b: &[u8]) -> String {
    b.iter()
        .map(|&x| match x {
            0x81 | 0x8D | 0x8F | 0x90 | 0x9D => char::from(x),
            _ => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&[x])
                .0
                .chars()
                .next()
                .unwrap(),
        })
        .collect()
}

fn read_as_latin1(b: &[u8]) -> String {
    b.iter().map(|&x| char::from(x)).collect()
}

fn utf8_as_gbk(s: &str) -> String {
    read_as_gbk(s.as_bytes())
}
fn utf8_as_cp1252(s: &str) -> String {
    read_as_cp1252(s.as_bytes())
}
fn utf8_as_latin1(s: &str) -> String {
    read_as_latin1(s.as_bytes())
}
fn gbk_as_latin1(s: &str) -> String {
    read_as_latin1(&gbk_bytes(s))
}
fn gbk_as_cp1252(s: &str) -> String {
    read_as_cp1252(&gbk_bytes(s))
}
fn big5_as_latin1(s: &str) -> String {
    let (b, _, bad) = encoding_rs::BIG5.encode(s);
    assert!(!bad);
    read_as_latin1(&b)
}

/// Sentences written for these tests (not taken from the sample documents).
const SENTENCES: &[&str] = &[
    "发布日期：2024年3月15日",
    "今天早上气温只有三度，街上的行人都穿上了羽绒服。",
    "交通部门提醒，雨雪天气路面湿滑，驾驶员应当减速慢行。",
    "这款新手机采用了自主研发的芯片，续航时间明显延长。",
    "周末我和朋友去郊外爬山，山顶的风景比想象中还要美。",
    "社区工作人员挨家挨户走访独居老人，送去棉被和取暖器。",
    "图书馆新开了一个儿童阅读区，每到周六上午都有志愿者讲故事。",
    "网络安全法规定，运营者应当采取技术措施防范网络攻击。",
];

const TRADITIONAL: &[&str] = &[
    "颱風過後，沿海地區的居民開始清理家園。",
    "捷運新路線通車之後，從市區到機場只需要不到四十分鐘。",
    "圖書館推出夜間閱讀活動，民眾可以借閱書籍直到晚上十點。",
];

#[test]
fn literal_repairs() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        ("utf8 read as gbk, whole",            "鍙戝竷鏃ユ湡",                   "发布日期"),
        ("utf8 read as gbk, inside clean text", "本站于鍙戝竷鏃ユ湡公布",           "本站于发布日期公布"),
        ("gbk read as latin1",                  "·¢²¼ÈÕÆÚ",                      "发布日期"),
        ("utf8 read as cp1252",                 "ä¸\u{AD}æ–‡",                   "中文"),
        ("utf8 read as cp1252, western word",   "cafÃ©",                          "café"),
        ("utf8 read as cp1252 twice",           "Ã¤Â¸Â\u{AD}Ã¦â€“â€¡",         "中文"),
        ("kunjinkao run becomes U+FFFD",        "锟斤拷锟斤拷",                       "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
        ("fullwidth colon read as latin1",      "联系电话£º12345678",             "联系电话：12345678"),
        ("ascii kept around latin1 damage",     "共2020ÈÕÆÚ",                     "共2020日期"),
        ("damaged line between clean lines",    "第一行。\nµÚ¶þÐÐ¡£\n第三行。",   "第一行。\n第二行。\n第三行。"),
        ("control inside utf8-as-gbk damage",   "本站于鍙戝竷\u{6}鏃ユ湡公布",      "本站于发布日期公布"),
        ("zero-width inside utf8-as-gbk damage", "鍏辨\u{200B}湁医疗",               "共有医疗"),
        ("control run inside utf8-as-gbk damage", "本站于鍙戝竷\0\0\0\0\0\0\0\0\0\0鏃ユ湡公布", "本站于发布日期公布"),
        ("control inside a gbk pair read as latin1", "·\u{1}¢²¼ÈÕÆÚ",              "发布日期"),
        ("control between gbk pairs read as latin1", "·¢²¼\u{19}ÈÕÆÚ",             "发布日期"),
        ("control inside utf8 read as cp1252",  "ä¸\u{19}\u{AD}æ–‡",             "中文"),
    ];
    let s = stage();
    for (name, input, want) in cases {
        assert_eq!(s.repair(input).text, *want, "{name}");
    }
}

#[test]
fn every_damage_kind_round_trips_on_written_text() {
    #[rustfmt::skip]
    type Damage = fn(&str) -> String;
    let kinds: &[(&str, Damage)] = &[
        ("utf8-as-cp1252", utf8_as_cp1252),
        ("utf8-as-latin1", utf8_as_latin1),
        ("gbk-as-latin1", gbk_as_latin1),
        ("gbk-as-cp1252", gbk_as_cp1252),
        ("utf8-as-cp1252x2", |s| utf8_as_cp1252(&utf8_as_cp1252(s))),
    ];
    let s = stage();
    for (kind, damage) in kinds {
        for text in SENTENCES.iter().chain(TRADITIONAL) {
            let bad = damage(text);
            assert_eq!(s.repair(&bad).text, *text, "{kind}: {bad}");
        }
    }
}

#[test]
fn big5_read_as_latin1_is_repaired() {
    let s = stage();
    for text in TRADITIONAL {
        assert_eq!(s.repair(&big5_as_latin1(text)).text, *text);
    }
}

#[test]
fn utf8_read_as_gbk_spans_are_repaired() {
    // Strict GBK decoding only survives on even-length spans, so cut spans that do.
    let s = stage();
    let mut n = 0;
    for text in SENTENCES {
        let chars: Vec<char> = text.chars().collect();
        for len in [4, 6, 8] {
            for at in 0..chars.len().saturating_sub(len) {
                let span: String = chars[at..at + len].iter().collect();
                let bad = utf8_as_gbk(&span);
                if bad.contains('\u{FFFD}') || !span.chars().all(|c| !c.is_ascii()) {
                    continue;
                }
                let before: String = chars[..at].iter().collect();
                let after: String = chars[at + len..].iter().collect();
                let input = format!("{before}{bad}{after}");
                assert_eq!(s.repair(&input).text, *text, "inline {input}");
                n += 1;
            }
        }
    }
    assert!(n > 20, "too few spans tested: {n}");
}

#[test]
fn lossy_utf8_as_gbk_keeps_fffd_where_bytes_are_gone() {
    let s = stage();
    for text in SENTENCES.iter().chain(TRADITIONAL) {
        let bad = utf8_as_gbk(text);
        let got = s.repair(&bad).text.into_owned();
        assert!(got.matches('\u{FFFD}').count() <= bad.matches('\u{FFFD}').count(), "{got}");
        // Every character is right or U+FFFD standing for exactly one character.
        assert_eq!(got.chars().count(), text.chars().count(), "{got} vs {text}");
        for (g, w) in got.chars().zip(text.chars()) {
            assert!(g == w || g == '\u{FFFD}', "{got} vs {text}");
        }
    }
}

#[test]
fn utf8_read_as_gbk_twice_is_repaired() {
    let s = stage();
    let mut n = 0;
    for span in ["发布日期", "温只有三", "上的行人", "了羽绒服", "门提醒，", "中文"]
    {
        let first = utf8_as_gbk(span);
        let bad = utf8_as_gbk(&first);
        // Only spans whose byte count lets both readings decode without loss.
        if !first.contains('\u{FFFD}') && !bad.contains('\u{FFFD}') {
            assert_eq!(s.repair(&bad).text, span, "{bad}");
            n += 1;
        }
    }
    assert!(n >= 4, "too few lossless spans: {n}");
}

#[test]
fn clean_text_is_never_changed() {
    #[rustfmt::skip]
    let controls: &[&str] = &[
        "明日の朝は早いので、今夜は十時までに寝るつもりです。",        // Japanese
        "ﾃｽﾄ用の半角ｶﾅと「かぎ括弧」を含む行です。",                   // half-width kana
        "내일 아침에는 비가 올 예정이니 우산을 챙기세요.",              // Korean
        "周末去爬山🏔️，记得带水💧和防晒霜🧴！",                       // emoji
        "𠀋、𡃁、𤭢 这些扩展区汉字常显示为方框。",                     // Ext-B
        "Our café serves crêpes; São Paulo’s população is large.",     // Western é, ã
        "SÃO PAULO e MACEIÓ ficam no Brasil; NÃO é longe.",            // capital Ã in words
        "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}会议于上午九点开始。",   // NBSP indentation (not 牋牋牋)
        "发布日期\u{a0}\u{a0}:\u{a0}\u{a0}2021-07-16",                // NBSP runs inside a line
        "Größenänderung fehlgeschlagen: »bericht.pdf« ist schreibgeschützt.",
        "Recipe: 12½ oz of flour, £4 of butter, and a 5‰ pinch of salt.",
        "她回答道：“我明天再来。”随后离开了会议室……",                 // full-width punctuation
        "订单号：A2023-0917（已付款），合计 ￥356.50。",               // mixed Latin/CJK
        "Go 语言的 goroutine 与 Rust 的 async/await 各有优劣——",
        "µ 微、Ø 直径、° 度：这些符号常出现在技术文档里。",
        "正體字範例：臺灣、電腦、程式、資料庫、伺服器。",
        "颱風過後，沿海地區的居民開始清理家園。",
        "涓涓细流汇成江河，鍙是一个生僻字。",                             // rare chars that mojibake uses
        "À bientôt! 再见！Tschüß! 回头见！",
        "粤语常用字：乜 孖 冇 嘢 啲 咗 嘅 佢。",
        // U+FFFD runs a decoder left in clean text are no evidence of UTF-8 read as GBK
        // (packing their unknown bytes into fewer lost characters looked cheaper).
        "补齐县级中\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}短板；全市100%的政府",
        "補齊縣級中\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}短板;全市100%的政府",
        "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}短板；",
        "",
        "\n\n",
    ];
    let s = stage();
    for text in controls.iter().chain(SENTENCES).chain(TRADITIONAL) {
        let got = s.repair(text);
        assert!(matches!(got.text, Cow::Borrowed(_)), "changed: {text} -> {}", got.text);
        assert!(got.repairs.is_empty());
    }
}

#[test]
fn stage_records_edits_and_counts() {
    let mut doc = Document::new("t", "第一行\n鍙戝竷鏃ユ湡：·¢²¼ÈÕÆÚ\n".to_string());
    let s = stage();
    assert_eq!(s.name(), StageName::Mojibake);
    s.run(&mut doc);
    assert_eq!(doc.text, "第一行\n发布日期：发布日期\n");
    assert_eq!(doc.meta.changes["mojibake"], 2);
    let rules: Vec<_> =
        doc.meta.edits.iter().map(|e| (e.rule.as_ref(), e.offset, e.after.as_str())).collect();
    assert_eq!(rules, [("utf8-as-gbk", 4, "发布日期"), ("gbk-as-latin1", 9, "发布日期")]);
    assert!(doc.meta.edits.iter().all(|e| e.stage == "mojibake" && e.confidence.unwrap() > 0.5));
}

#[test]
fn clean_document_is_untouched_by_the_stage() {
    let mut doc = Document::new("t", SENTENCES.join("\n"));
    let before = doc.clone();
    stage().run(&mut doc);
    assert_eq!(doc, before);
}

#[test]
fn config_parses_kebab_case_and_rejects_unknown_keys() {
    let cfg: MojibakeConfig = toml::from_str("min-gain = 8.0\nguess-lost = false").unwrap();
    assert_eq!(cfg.min_gain, 8.0);
    assert!(!cfg.guess_lost);
    assert_eq!(cfg.short_span_gain, MojibakeConfig::default().short_span_gain);
    assert!(toml::from_str::<MojibakeConfig>("min_gain = 8.0").is_err());
    let empty: MojibakeConfig = toml::from_str("").unwrap();
    assert_eq!(empty, MojibakeConfig::default());
}

#[test]
fn config_rejects_out_of_range_values() {
    #[rustfmt::skip]
    let cases: &[(&str, MojibakeConfig)] = &[
        ("min-gain",        MojibakeConfig { min_gain: -1.0, ..Default::default() }),
        ("short-span-gain", MojibakeConfig { short_span_gain: f32::NAN, ..Default::default() }),
        ("guess-margin",    MojibakeConfig { guess_margin: -0.5, ..Default::default() }),
        ("max-passes",      MojibakeConfig { max_passes: 0, ..Default::default() }),
    ];
    for (option, cfg) in cases {
        match cfg.build() {
            Err(MojibakeError::InvalidOption { option: o, .. }) => assert_eq!(o, *option),
            other => panic!("{option}: {other:?}"),
        }
    }
}

#[test]
fn decoded_utf8_is_what_the_test_helpers_assume() {
    // Guards the helpers above: reading UTF-8 as UTF-8 is the identity.
    assert_eq!(UTF_8.decode(SENTENCES[0].as_bytes()).0, SENTENCES[0]);
}

/// Characters of everyday Chinese text, for the property tests.
const COMMON: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研它们";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn repair_is_idempotent(s in "[a-zé Ã©¢²¼ÈÕÆÚ中文发布日期鍙戝竷鏃ユ湡锟斤拷，。\u{FFFD}\n]{0,40}") {
        let st = stage();
        let once = st.repair(&s).text.into_owned();
        let twice = st.repair(&once).text.into_owned();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn clean_chinese_never_changes(idx in proptest::collection::vec(0usize..300, 1..60), punct in 0usize..6) {
        let common: Vec<char> = COMMON.chars().collect();
        let p = ['，', '。', '、', '“', '”', '—'][punct];
        let s: String = idx.iter().enumerate()
            .map(|(k, &i)| if k % 9 == 8 { p } else { common[i % common.len()] })
            .collect();
        let got = stage().repair(&s);
        prop_assert!(matches!(got.text, Cow::Borrowed(_)), "{} -> {}", s, got.text);
    }
}

// ---- the scan that proves lines clean ----

/// The repairs of one line when searched everywhere, and when searched only in the windows
/// of the scan (none when the scan proves the line clean).
fn fixes_both_ways(line: &str) -> (Vec<crate::repair::Fix>, Vec<crate::repair::Fix>, bool) {
    use crate::repair::{repair_line, scan, Windows};
    let p = stage().params;
    let chars: Vec<char> = line.chars().collect();
    let everywhere = repair_line(&chars, &p, &Windows::everywhere(&chars));
    let mut w = Windows::default();
    let found = scan(line, &p, &mut w, &mut Vec::new());
    let windowed = if found { repair_line(&chars, &p, &w) } else { Vec::new() };
    (everywhere, windowed, found)
}

/// Every damaged line of the behaviour tables, damage alone and inside clean text.
fn damaged_lines() -> Vec<String> {
    type Damage = fn(&str) -> String;
    let kinds: &[Damage] = &[
        utf8_as_cp1252,
        utf8_as_latin1,
        gbk_as_latin1,
        gbk_as_cp1252,
        utf8_as_gbk,
        |s| utf8_as_cp1252(&utf8_as_cp1252(s)),
        |s| utf8_as_gbk(&utf8_as_gbk(s)),
        |s| utf8_as_gbk(&s.replace(|c: char| !c.is_ascii(), "锟斤拷")),
    ];
    let mut lines = Vec::new();
    for damage in kinds {
        for text in SENTENCES.iter().chain(TRADITIONAL) {
            let bad = damage(text);
            let chars: Vec<char> = text.chars().collect();
            let (head, tail): (String, String) =
                (chars[..3].iter().collect(), chars[chars.len() - 3..].iter().collect());
            lines.push(format!(
                "{head}{}{tail}",
                damage(&chars[3..chars.len() - 3].iter().collect::<String>())
            ));
            lines.push(bad);
        }
    }
    for text in TRADITIONAL {
        lines.push(big5_as_latin1(text));
    }
    lines
}

#[test]
fn every_damaged_line_passes_the_scan() {
    for line in damaged_lines() {
        let (everywhere, windowed, found) = fixes_both_ways(&line);
        assert!(found, "scan missed damage: {line}");
        assert!(!everywhere.is_empty(), "no repair: {line}");
        assert_eq!(windowed, everywhere, "{line}");
    }
}

#[test]
fn scan_rules_out_clean_text_without_trying_repairs() {
    #[rustfmt::skip]
    let clean: &[&str] = &[
        "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}会议于上午九点开始。",      // NBSP indentation
        "发布日期\u{a0}\u{a0}:\u{a0}\u{a0}2021-07-16",                   // NBSP runs
        "衛(wèi)生健康委員會(huì)認(rèn)真貫徹",                             // pinyin readings
        "卫(wèi)生(shēng)健(jiàn)康(kāng)，工(gōng)作(zuò)总(zǒng)结(jié)",
        "Our café serves crêpes à la carte.",                            // accented words
        "Tschüß und bis bald, São Paulo!",
        "今天早上气温只有三度，街上的行人都穿上了羽绒服。",
        "颱風過後，沿海地區的居民開始清理家園。",
    ];
    let p = stage().params;
    for line in clean {
        let mut w = crate::repair::Windows::default();
        assert!(!crate::repair::scan(line, &p, &mut w, &mut Vec::new()), "{line}: {w:?}");
    }
}

/// The table-driven scan finds exactly the windows of its character-by-character definition.
fn assert_scan_agrees(line: &str) {
    use crate::repair::{scan, scan_reference, Windows};
    let p = stage().params;
    let (mut fast, mut slow) = (Windows::default(), Windows::default());
    let found = scan(line, &p, &mut fast, &mut Vec::new());
    let want = scan_reference(line, &p, &mut slow, &mut Vec::new());
    assert_eq!((found, &fast), (want, &slow), "{line:?}");
}

#[test]
fn fast_scan_agrees_with_its_definition_on_damage_and_clean_text() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/clean");
    let mut texts: Vec<String> = damaged_lines();
    for f in std::fs::read_dir(dir).unwrap() {
        texts.extend(std::fs::read_to_string(f.unwrap().path()).unwrap().lines().map(String::from));
    }
    for t in &texts {
        assert_scan_agrees(t);
    }
}

#[test]
fn fast_scan_agrees_with_its_definition_on_every_bmp_character() {
    // Each character alone and after contexts that leave different decoders live.
    let before = ["", "a", "中", "鍙", "鏃", "\u{FFFD}", "é", "ä¸", "Ã", "\u{a0}", "锟斤"];
    let after = ["", "文", "戝a", "¸", "\u{FFFD}b"];
    for cp in 0..0x10000u32 {
        let Some(c) = char::from_u32(cp) else { continue };
        for (k, b) in before.iter().enumerate() {
            assert_scan_agrees(&format!("{b}{c}{}", after[(k + cp as usize) % after.len()]));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The same on random lines over the characters that matter to either family.
    #[test]
    fn fast_scan_agrees_with_its_definition(
        s in "[a-z 0-9\u{0}\u{6}\u{7f}wèéàü()\u{a0}·¢²¼ÈÕÆÚ£ºÃ¤¸\u{AD}æ–‡â€™“”…™中文发布日期的是鍙戝竷鏃ユ湡锟斤拷衛會，。\u{FFFD}\u{200B}\u{FEFF}한국😀ㄅ]{0,60}",
    ) {
        assert_scan_agrees(&s);
    }

    /// And on random characters of any kind.
    #[test]
    fn fast_scan_agrees_with_its_definition_on_any_chars(v in proptest::collection::vec(any::<char>(), 0..40)) {
        assert_scan_agrees(&v.into_iter().collect::<String>());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The windows hold every repair the search over the whole line finds.
    #[test]
    fn windowed_search_equals_whole_line_search(
        s in "[a-z wèéàü()\u{a0}·¢²¼ÈÕÆÚ£ºÃ¤¸\u{AD}æ–‡â€™中文发布日期的是鍙戝竷鏃ユ湡锟斤拷衛會，。\u{FFFD}\u{6}\u{200B}]{0,40}",
    ) {
        let (everywhere, windowed, _) = fixes_both_ways(&s);
        prop_assert_eq!(windowed, everywhere);
    }

    /// Damage of every kind cut into clean text at any place is still found.
    #[test]
    fn damage_anywhere_in_a_line_is_found(
        text in 0usize..11, kind in 0usize..5, a in 0usize..30, len in 1usize..30,
    ) {
        let all: Vec<&str> = SENTENCES.iter().chain(TRADITIONAL).copied().collect();
        let chars: Vec<char> = all[text].chars().collect();
        let a = a.min(chars.len() - 1);
        let b = (a + len).min(chars.len());
        let span: String = chars[a..b].iter().collect();
        let bad = match kind {
            0 => utf8_as_gbk(&span),
            1 => gbk_as_latin1(&span),
            2 => utf8_as_cp1252(&span),
            3 => gbk_as_cp1252(&span),
            _ => utf8_as_latin1(&span),
        };
        let line = format!("{}{bad}{}", chars[..a].iter().collect::<String>(), chars[b..].iter().collect::<String>());
        let (everywhere, windowed, _) = fixes_both_ways(&line);
        prop_assert_eq!(windowed, everywhere);
    }
}

/// A UTF-8 stretch that ends in a character no repair may produce (here U+0A13, a stray byte
/// read with its neighbours) is still repaired up to that character.
#[test]
fn utf8_stretch_is_repaired_up_to_an_implausible_character() {
    let fixed = stage().repair("我说ä¸\u{AD}æ–‡à¨“").text.into_owned();
    assert!(fixed.starts_with("我说中文"), "{fixed:?}");
}

/// Lines found by [`crate::repair::scan_line`] and their windows, walking `text` as the
/// stage does.
fn lines_by_scan_line(text: &str) -> Vec<(String, bool, crate::repair::Windows)> {
    let p = stage().params;
    let mut lines = Vec::new();
    let mut next = 0;
    while next < text.len() {
        let mut w = crate::repair::Windows::default();
        let (len, found) = crate::repair::scan_line(&text[next..], &p, &mut w, &mut Vec::new());
        lines.push((text[next..next + len].to_string(), found, w));
        next += len + 1;
    }
    lines
}

/// The lines of `split_inclusive('\n')` without their `\n`, each scanned alone.
fn lines_by_split(text: &str) -> Vec<(String, bool, crate::repair::Windows)> {
    let p = stage().params;
    let mut lines = Vec::new();
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let mut w = crate::repair::Windows::default();
        let found = crate::repair::scan(body, &p, &mut w, &mut Vec::new());
        lines.push((body.to_string(), found, w));
    }
    lines
}

#[test]
fn scan_line_splits_like_split_inclusive_on_samples() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/clean");
    let mut texts: Vec<String> = vec![damaged_lines().join("\n"), damaged_lines().join("\r\n")];
    for f in std::fs::read_dir(dir).unwrap() {
        texts.push(std::fs::read_to_string(f.unwrap().path()).unwrap());
    }
    texts.extend(["", "\n", "\n\n", "a", "a\n", "\na", "中\n\n文\n"].map(String::from));
    for t in &texts {
        assert_eq!(lines_by_scan_line(t), lines_by_split(t), "{t:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Walking a text with `scan_line` finds the lines `split_inclusive` does, each with the
    /// windows `scan` finds on it alone.
    #[test]
    fn scan_line_splits_like_split_inclusive(
        s in "[a-z 0-9\t\n\r\u{0}\u{6}\u{b}\u{7f}wèé()\u{a0}·¢²¼ÈÕÆÚ£ºÃ¤¸\u{AD}æ–‡â€™“”…中文发布日期鍙戝竷鏃ユ湡锟斤拷，。\u{FFFD}\u{200B}\u{FEFF}]{0,80}",
    ) {
        prop_assert_eq!(lines_by_scan_line(&s), lines_by_split(&s));
    }

    /// The same on random characters of any kind with line feeds among them.
    #[test]
    fn scan_line_splits_like_split_inclusive_on_any_chars(
        v in proptest::collection::vec(prop_oneof![any::<char>(), Just('\n')], 0..60),
    ) {
        let s: String = v.into_iter().collect();
        prop_assert_eq!(lines_by_scan_line(&s), lines_by_split(&s));
    }
}

/// The double-byte search reusing the starts it decoded at the previous position finds what
/// it finds decoding every position's starts afresh.
fn assert_reuse_agrees(line: &str) {
    use crate::repair::{double_byte_fixes_afresh, double_byte_fixes_reusing};
    let p = stage().params;
    let chars: Vec<char> = line.chars().collect();
    assert_eq!(
        double_byte_fixes_reusing(&chars, &p),
        double_byte_fixes_afresh(&chars, &p),
        "{line}"
    );
}

#[test]
fn reused_starts_find_what_fresh_ones_do_on_damage() {
    let p = stage().params;
    let mut repaired = 0;
    for line in damaged_lines() {
        assert_reuse_agrees(&line);
        let chars: Vec<char> = line.chars().collect();
        repaired += usize::from(!crate::repair::double_byte_fixes_reusing(&chars, &p).is_empty());
    }
    assert!(repaired > 10, "{repaired}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn reused_starts_find_what_fresh_ones_do(
        s in "[a-z é中文发布日期的是鍙戝竷鏃ユ湡锟斤拷衛會，。\u{FFFD}\u{6}\u{200B}涓枃鐨勬槸]{0,40}",
    ) {
        assert_reuse_agrees(&s);
    }
}
