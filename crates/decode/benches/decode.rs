//! Throughput of the decoder, in input bytes per second, on the inputs a Chinese corpus is
//! made of: valid UTF-8 (the fast path), GBK and Big5 pages of about 8 KB (detection by
//! plausibility), UTF-16LE without a byte order mark (recognised by its NUL bytes) and a
//! 30-byte GBK snippet (the whole input is the sample; chardetng always runs).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qingxi_decode::{Decision, DecodeConfig};

/// Simplified Chinese written for this benchmark: a local news report with numbers, ASCII
/// names and full-width punctuation, as scraped pages have them.
const SIMPLIFIED: &str = "\
本市今年第三季度的居民消费价格比去年同期上涨百分之二点一，其中食品价格涨幅较大，蔬菜和水果的价格受天气影响波动明显。\
统计部门的负责人在发布会上表示，随着秋粮陆续上市，预计下个月的物价将保持基本稳定。\n\
为了方便老年人出行，公交公司从十月一日起在二十条线路上增加了低地板车辆，并在主要站点设置了爱心座椅和语音报站系统。\
市民可以通过手机应用查询车辆的实时位置，也可以拨打服务热线12345反映意见和建议。\n\
第十二届读书节昨天在市图书馆开幕，活动为期两周，包括作家讲座、亲子阅读、旧书交换等三十多项内容。\
图书馆还推出了“一卡通”服务，读者凭身份证即可在全市六十多个分馆借还图书。\n\
气象台发布消息说，受冷空气影响，明后两天我市将出现明显降温，最低气温可能降到五度以下，请大家注意添加衣物，\
驾车出行时减速慢行。农业部门提醒种植户做好大棚的保温工作，防止作物受冻。\n\
据了解，新建的体育中心已经基本完工，体育场可以容纳三万名观众，游泳馆和网球场也将在明年春天对外开放。\
届时，中小学生在周末和假期可以免费使用部分场地，具体办法由教育部门另行公布。\n";

/// Traditional Chinese written for this benchmark, in the style of a Taiwanese report.
const TRADITIONAL: &str = "\
這個週末臺北市將舉辦年度藝術節，主辦單位表示，今年共有來自十二個國家的表演團體參加，\
活動內容包括音樂會、舞蹈表演、戲劇和街頭藝術，大部分節目都免費開放給民眾欣賞。\n\
交通局提醒民眾，活動期間市中心部分道路將實施交通管制，建議多利用捷運和公車前往會場，\
並注意現場工作人員的引導。附近的停車場也會延長營業時間到晚上十一點。\n\
氣象局指出，下週開始東北季風增強，北部和東部地區的天氣將轉為陰雨，溫度也會明顯下降，\
山區可能出現較大的雨勢，請登山的民眾特別注意安全，出發前先查詢最新的天氣資訊。\n\
教育部宣布，從明年起國民中學將增加程式設計課程，讓學生從小培養邏輯思考的能力，\
老師們也將在寒假期間參加相關的研習，學校會依照各自的情況安排上課的時間。\n";

/// About `len` bytes of `text` encoded with `label`, repeated whole paragraphs.
fn encoded(label: &str, text: &str, len: usize) -> Vec<u8> {
    let enc = encoding_rs::Encoding::for_label(label.as_bytes()).expect("known label");
    let mut out = Vec::new();
    while out.len() < len {
        let (bytes, _, unmappable) = enc.encode(text);
        assert!(!unmappable, "{label}");
        out.extend_from_slice(&bytes);
    }
    out
}

fn utf16le(text: &str, len: usize) -> Vec<u8> {
    let unit: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    unit.repeat(len / unit.len() + 1)
}

fn bench(c: &mut Criterion) {
    let decoder = DecodeConfig::default().build().expect("default config");
    // A 30-byte GBK snippet: the first fourteen characters and a CRLF line break.
    let snippet: String = SIMPLIFIED.chars().take(14).chain(['\r', '\n']).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "utf8_chinese_64k",
            SIMPLIFIED.repeat(64 * 1024 / SIMPLIFIED.len() + 1).into_bytes(),
            "UTF-8",
        ),
        ("gbk_8k", encoded("gbk", SIMPLIFIED, 8 * 1024), "GBK"),
        ("big5_8k", encoded("big5", TRADITIONAL, 8 * 1024), "Big5"),
        ("utf16le_8k", utf16le(SIMPLIFIED, 8 * 1024), "UTF-16LE"),
        ("gbk_30b", encoded("gbk", &snippet, 1), "GBK"),
    ];
    let mut group = c.benchmark_group("decode");
    for (name, bytes, want) in &cases {
        // The benchmark must measure the intended path.
        match decoder.decode(bytes) {
            Decision::Text(d) => assert_eq!(d.encoding, *want, "{name}"),
            Decision::Binary(why) => panic!("{name}: binary ({why})"),
        }
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*name, |b| {
            // The pipeline keeps one owned String per document, so that copy is included.
            b.iter(|| match decoder.decode(bytes) {
                Decision::Text(d) => d.text.into_owned(),
                Decision::Binary(_) => String::new(),
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
