//! Decoder behaviour tables. Byte inputs are built from sentences written for these tests,
//! encoded with encoding_rs's encoders.

use super::*;

fn decoder() -> Decoder {
    Decoder::default()
}

fn encode(label: &str, text: &str) -> Vec<u8> {
    let enc = Encoding::for_label(label.as_bytes()).expect("known label");
    match enc.name() {
        // encoding_rs only encodes to UTF-8-compatible outputs for UTF-16; build it by hand.
        "UTF-16LE" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        "UTF-16BE" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        _ => {
            let (bytes, _, unmappable) = enc.encode(text);
            assert!(!unmappable, "{label} cannot encode {text}");
            bytes.into_owned()
        }
    }
}

fn text_of(decision: Decision<'_>) -> Decoded<'_> {
    match decision {
        Decision::Text(d) => d,
        Decision::Binary(why) => panic!("unexpected binary: {why}"),
    }
}

#[test]
fn legacy_encodings_are_detected_and_decoded() {
    // (behaviour, encoding label, text, expected display name)
    let cases: &[(&str, &str, &str, &str)] = &[
        ("gbk sentence", "gbk", "我们计划下周三上午在三楼会议室召开项目进度讨论会。", "GBK"),
        ("gbk short", "gbk", "今天天气很好，适合出门。", "GBK"),
        ("gbk with ascii", "gbk", "第3章：用Python处理数据，共12页。", "GBK"),
        ("gbk traditional-leaning", "gbk", "这家书店的老板很热情，常常推荐新书。", "GBK"),
        ("gb18030 four-byte", "gb18030", "𠀋字在扩展区，普通字体里看不到它。", "GB18030"),
        ("big5 sentence", "big5", "這間餐廳的牛肉麵非常有名，每天中午都要排隊。", "Big5"),
        ("big5 short", "big5", "請在週五前繳交報告。", "Big5"),
        (
            "shift_jis sentence",
            "shift_jis",
            "駅の近くに新しいパン屋さんができました。",
            "Shift_JIS",
        ),
        ("shift_jis short", "shift_jis", "会議は三時からです。", "Shift_JIS"),
        ("euc-kr sentence", "euc-kr", "우리 동네 도서관은 월요일마다 문을 닫습니다.", "EUC-KR"),
        ("euc-kr short", "euc-kr", "감사합니다 선생님.", "EUC-KR"),
        ("euc-kr polite request", "euc-kr", "잠시만 기다려 주십시오.", "EUC-KR"),
        ("windows-1252 fraction", "windows-1252", "Add ¼ cup of milk and stir.", "windows-1252"),
        ("windows-1252 portuguese", "windows-1252", "A promoção termina amanhã.", "windows-1252"),
        (
            "windows-1252 french",
            "windows-1252",
            "Le musée ouvre à neuf heures précises.",
            "windows-1252",
        ),
        (
            "windows-1252 german",
            "windows-1252",
            "Die Brücke über den Fluß ist gesperrt.",
            "windows-1252",
        ),
        (
            "windows-1252 quotes",
            "windows-1252",
            "He said “maybe” and left — quietly.",
            "windows-1252",
        ),
    ];
    let d = decoder();
    for (name, label, text, want) in cases {
        let bytes = encode(label, text);
        let got = text_of(d.decode(&bytes));
        assert_eq!(got.text, *text, "{name}");
        assert_eq!(got.encoding, *want, "{name}");
        assert_eq!(got.malformed, 0, "{name}");
        assert!(!got.bom, "{name}");
        assert!(got.confidence > 0.0 && got.confidence < 1.0, "{name}: {}", got.confidence);
    }
}

#[test]
fn gb18030_candidate_does_not_compete_with_chardetng_gbk() {
    let d = DecodeConfig {
        candidates: vec!["gb18030".into(), "big5".into()],
        ..DecodeConfig::default()
    }
    .build()
    .unwrap();
    let bytes = encode("gbk", "我们下午三点在学校门口见面，不见不散。");
    let got = text_of(d.decode(&bytes));
    assert_eq!(got.encoding, "GBK");
    assert!(got.confidence > 0.8, "{}", got.confidence);
}

#[test]
fn short_legacy_guesses_are_less_confident_than_long_ones() {
    let short = encode("gbk", "明天见");
    let long = encode("gbk", &"我们明天上午九点在公司门口集合，然后一起出发。".repeat(10));
    let c_short = text_of(decoder().decode(&short)).confidence;
    let c_long = text_of(decoder().decode(&long)).confidence;
    assert!(c_short < c_long, "{c_short} vs {c_long}");
}

#[test]
fn bom_decides_the_encoding_and_is_not_part_of_the_text() {
    let text = "带BOM的文本 with ASCII";
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(text.as_bytes());
    let mut le = b"\xFF\xFE".to_vec();
    le.extend(encode("utf-16le", text));
    let mut be = b"\xFE\xFF".to_vec();
    be.extend(encode("utf-16be", text));
    let cases: &[(&str, &[u8], &str)] = &[
        ("utf-8 bom", &utf8, "UTF-8"),
        ("utf-16le bom", &le, "UTF-16LE"),
        ("utf-16be bom", &be, "UTF-16BE"),
    ];
    for (name, bytes, want) in cases {
        let got = text_of(decoder().decode(bytes));
        assert_eq!(got.text, text, "{name}");
        assert_eq!(got.encoding, *want, "{name}");
        assert!(got.bom, "{name}");
        assert_eq!(got.confidence, 1.0, "{name}");
    }
}

#[test]
fn utf8_bom_input_is_still_borrowed() {
    let bytes = "\u{FEFF}正文".as_bytes();
    let got = text_of(decoder().decode(bytes));
    assert!(matches!(got.text, Cow::Borrowed("正文")));
}

#[test]
fn utf16_without_bom_is_recognised() {
    let cases: &[(&str, &str, &str)] = &[
        ("latin little-endian", "utf-16le", "Plain English text, no BOM.\r\n"),
        ("latin big-endian", "utf-16be", "Plain English text, no BOM.\r\n"),
        ("cjk with newlines le", "utf-16le", "第一行中文内容\n第二行中文内容\n"),
        ("cjk with newlines be", "utf-16be", "第一行中文内容\n第二行中文内容\n"),
        ("pure cjk le", "utf-16le", "我们明天上午出发去北京开会"),
        ("pure cjk be", "utf-16be", "我们明天上午出发去北京开会"),
    ];
    for (name, label, text) in cases {
        let bytes = encode(label, text);
        let got = text_of(decoder().decode(&bytes));
        assert_eq!(got.text, *text, "{name}");
        assert_eq!(got.encoding, Encoding::for_label(label.as_bytes()).unwrap().name(), "{name}");
    }
}

#[test]
fn utf16_sniffing_can_be_switched_off() {
    let d = DecodeConfig { sniff_utf16: false, ..DecodeConfig::default() }.build().unwrap();
    let bytes = encode("utf-16le", "Plain English text, no BOM.");
    assert_eq!(d.decode(&bytes), Decision::Binary(BinaryReason::NulBytes));
}

#[test]
fn utf8_is_checked_strictly_and_borrowed() {
    let cases: &[(&str, &str)] = &[
        ("ascii", "just ascii text\n"),
        ("chinese", "简体中文与繁體中文混排。"),
        ("emoji and symbols", "温度 −5℃ 🌧️"),
        ("stray control kept", "一行文字\u{7}后面还有"),
    ];
    for (name, text) in cases {
        let got = text_of(decoder().decode(text.as_bytes()));
        assert!(matches!(got.text, Cow::Borrowed(_)), "{name}");
        assert_eq!(got.text, *text, "{name}");
        assert_eq!(got.encoding, "UTF-8", "{name}");
    }
}

#[test]
fn damaged_utf8_stays_utf8_with_malformed_counted() {
    let long = "这是一段很长的中文文本，用来检验解码器对损坏的容忍度。".repeat(3);
    let mut truncated = long.as_bytes().to_vec();
    truncated.pop();
    let mut stray = long.as_bytes().to_vec();
    stray.insert(30, 0xFF);
    let short = "好的，明天见".as_bytes();
    let mut short_truncated = short.to_vec();
    short_truncated.pop();
    let mut short_stray = short.to_vec();
    short_stray.insert(6, 0x80);
    let cases: &[(&str, &[u8], u64)] = &[
        ("truncated final sequence", &truncated, 1),
        ("stray byte", &stray, 1),
        ("short truncated", &short_truncated, 1),
        ("short stray byte", &short_stray, 1),
    ];
    for (name, bytes, malformed) in cases {
        let got = text_of(decoder().decode(bytes));
        assert_eq!(got.encoding, "UTF-8", "{name}");
        assert_eq!(got.malformed, *malformed, "{name}");
        assert_eq!(got.text.matches('\u{FFFD}').count() as u64, *malformed, "{name}");
    }
}

#[test]
fn binary_inputs_are_refused() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&[0x80; 40]);
    let elf = b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    let nul_mix = b"abc\0\0\0\xFF\x10def\0\x01\0\x02\0\0\x03ghi\0".to_vec();
    let controls: Vec<u8> =
        (0..200u8).map(|i| [b'a', 0x01, 0x02, 0x03, 0x11][i as usize % 5]).collect();
    let cases: &[(&str, &[u8], BinaryReason)] = &[
        ("png", &png, BinaryReason::Magic("PNG image")),
        ("elf", &elf, BinaryReason::Magic("ELF executable")),
        ("gzip", b"\x1F\x8B\x08\0\0\0\0\0", BinaryReason::Magic("gzip archive")),
        ("zip", b"PK\x03\x04\x14\0\0\0", BinaryReason::Magic("ZIP archive")),
        ("pdf", b"%PDF-1.4\n", BinaryReason::Magic("PDF document")),
        ("nuls without utf-16 pattern", &nul_mix, BinaryReason::NulBytes),
        ("dense control bytes", &controls, BinaryReason::ControlBytes),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(decoder().decode(bytes), Decision::Binary(*want), "{name}");
        assert!(!want.to_string().is_empty());
    }
}

#[test]
fn binary_detection_can_be_switched_off() {
    let d = DecodeConfig { detect_binary: false, ..DecodeConfig::default() }.build().unwrap();
    assert!(matches!(d.decode(b"\x89PNG\r\n\x1a\n"), Decision::Text(_)));
}

#[test]
fn text_with_a_stray_control_or_nul_is_not_binary() {
    let mut long_with_nul = "A long line of ordinary text. ".repeat(50).into_bytes();
    long_with_nul.push(0);
    let cases: &[(&str, &[u8])] = &[
        ("bell in text", b"Attention\x07 please, the meeting starts soon."),
        ("dos eof mark", b"old DOS file\r\n\x1a"),
        ("one nul in a long text", &long_with_nul),
        ("iso-2022 shifts with esc", b"\x1b$)C\x0e\x21\x21\x0f text"),
    ];
    for (name, bytes) in cases {
        assert!(matches!(decoder().decode(bytes), Decision::Text(_)), "{name}");
    }
}

#[test]
fn legacy_text_after_a_long_ascii_header_is_detected() {
    let mut bytes = "<!-- generated page, ascii only -->\n".repeat(1000).into_bytes();
    let body = "這是一段繁體中文的正文，放在很長的標頭之後。";
    bytes.extend(encode("big5", body));
    let got = text_of(decoder().decode(&bytes));
    assert_eq!(got.encoding, "Big5");
    assert!(got.text.ends_with(body));
}

#[test]
fn empty_input_is_empty_utf8_text() {
    let got = text_of(decoder().decode(b""));
    assert_eq!(got.text, "");
    assert_eq!(got.encoding, "UTF-8");
    assert_eq!(got.confidence, 1.0);
}

#[test]
fn iso_2022_jp_is_not_mistaken_for_ascii() {
    let text = "日本語のメールです。";
    let bytes = encode("iso-2022-jp", text);
    let got = text_of(decoder().decode(&bytes));
    assert_eq!(got.text, text);
    assert_eq!(got.encoding, "ISO-2022-JP");
}

#[test]
fn fallback_is_used_when_detection_is_off() {
    let d =
        DecodeConfig { detect_legacy: false, fallback: "big5".into(), ..DecodeConfig::default() }
            .build()
            .unwrap();
    let bytes = encode("big5", "繁體中文");
    let got = text_of(d.decode(&bytes));
    assert_eq!(got.encoding, "Big5");
    assert_eq!(got.text, "繁體中文");
}

#[test]
fn lossy_utf8_counts_and_borrows() {
    let cases: &[(&str, &[u8], &str, u64, bool)] = &[
        ("valid", "中文".as_bytes(), "中文", 0, false),
        ("bom removed", b"\xEF\xBB\xBFabc", "abc", 0, true),
        ("bad bytes", b"a\xFFb\xC3", "a\u{FFFD}b\u{FFFD}", 2, false),
    ];
    for (name, bytes, text, malformed, bom) in cases {
        let got = decode_utf8_lossy(bytes);
        assert_eq!(got.text, *text, "{name}");
        assert_eq!(got.malformed, *malformed, "{name}");
        assert_eq!(got.bom, *bom, "{name}");
    }
    assert!(matches!(decode_utf8_lossy("中文".as_bytes()).text, Cow::Borrowed(_)));
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A deterministic xorshift stream of lengths 0..300 covers odd lengths, cut sequences
    // and every lead byte without needing a property-testing crate.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let d = decoder();
    for len in 0..300usize {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        if let Decision::Text(t) = d.decode(&bytes) {
            assert!((0.0..=1.0).contains(&t.confidence));
        }
    }
}

#[test]
fn decoder_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync + std::fmt::Debug>() {}
    assert_send_sync::<Decoder>();
}

#[test]
fn candidates_read_in_pieces_as_they_read_at_once() {
    // Valid and truncated sequences of every length, a stray byte, a four-byte character,
    // and a sequence cut by the end of the input.
    let utf8: &[u8] = b"ab\xE4\xB8\xADc\xFF\xE4\xB8d\xF0\x9F\x98\x80e\xC3\xA9\xE2\x82";
    let gbk = encode("gb18030", "中文，第3章。𠀋");
    let cases: &[(&str, &'static Encoding, &[u8])] =
        &[("utf-8", UTF_8, utf8), ("gb18030", encoding_rs::GB18030, &gbk)];
    for (name, enc, bytes) in cases {
        let mut whole = Candidate::new(enc, Model::Unicode);
        let mut want = String::new();
        whole.feed(bytes, true, &mut want);
        for cut in 0..=bytes.len() {
            let mut c = Candidate::new(enc, Model::Unicode);
            let (mut first, mut second) = (String::new(), String::new());
            c.feed(&bytes[..cut], false, &mut first);
            c.feed(&bytes[cut..], true, &mut second);
            assert_eq!(first + &second, want, "{name} cut at {cut}");
            assert_eq!(c.malformed, whole.malformed, "{name} cut at {cut}");
            assert_eq!(c.scorer.score(), whole.scorer.score(), "{name} cut at {cut}");
        }
    }
    let lossy = String::from_utf8_lossy(utf8);
    let mut c = Candidate::new(UTF_8, Model::Unicode);
    let mut text = String::new();
    c.feed(utf8, true, &mut text);
    assert_eq!(text, lossy);
    assert_eq!(c.malformed, 3);
}

#[test]
fn table_decoding_hands_over_to_encoding_rs_exactly() {
    let gbk = encode("gbk", "中文文本，第3章");
    let mut with_bad_byte = gbk.clone();
    with_bad_byte.insert(4, 0xFF);
    let mut four_byte = encode("gb18030", "扩展区𠀋字");
    four_byte.extend_from_slice(&gbk);
    // Big5-HKSCS 0x8862 is two characters (Ê̄); Shift_JIS 0xB1 is a half-width katakana.
    let big5: Vec<u8> =
        [encode("big5", "請在週五前").as_slice(), b"\x88\x62", b"\xA4\xA4"].concat();
    let sjis: Vec<u8> = [encode("shift_jis", "会議は").as_slice(), b"\xB1\xB2 ok"].concat();
    let cases: &[(&str, &str, &[u8])] = &[
        ("clean gbk", "gbk", &gbk),
        ("bad byte in the middle", "gbk", &with_bad_byte),
        ("truncated at the end", "gbk", &gbk[..gbk.len() - 1]),
        ("gb18030 four-byte", "gb18030", &four_byte),
        ("big5 two-character pair", "big5", &big5),
        ("shift_jis half-width kana", "shift_jis", &sjis),
        ("euc-kr", "euc-kr", &encode("euc-kr", "감사합니다 선생님.")),
    ];
    for (name, label, bytes) in cases {
        let enc = Encoding::for_label(label.as_bytes()).expect("label");
        let (want, _) = enc.decode_without_bom_handling(bytes);
        let got = decode_with(enc, bytes, 1.0);
        assert_eq!(got.text, want, "{name}");
        assert_eq!(got.malformed, want.matches('\u{FFFD}').count() as u64, "{name}");
    }
    assert_eq!(decode_with(encoding_rs::GB18030, &four_byte, 1.0).encoding, "GB18030");
    assert_eq!(decode_with(encoding_rs::GB18030, &gbk, 1.0).encoding, "GBK");
}
