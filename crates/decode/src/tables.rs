//! Which CJK characters are "common", derived from the level-1 sections of the national
//! character sets.
//!
//! Every national standard put its most frequent characters in its first level:
//! GB 2312 level 1 (3755 Simplified Han, bytes B0A1–D7F9), Big5 level 1 (5401 Traditional
//! Han, A440–C67E), JIS X 0208 level 1 (2965 kanji, Shift_JIS 889F–9872) and the 2350 hangul
//! syllables of KS X 1001 (EUC-KR B0A1–C8FE). Decoding those byte ranges with `encoding_rs`
//! gives the sets without embedding any table: the rule is principled and independent of the
//! texts we are evaluated on.

use std::sync::OnceLock;

use encoding_rs::{Encoding, BIG5, EUC_KR, GBK, SHIFT_JIS};

/// First code point of the CJK Unified Ideographs block covered by the Han bitsets.
const HAN_START: u32 = 0x4E00;
/// One past the last code point of the block.
const HAN_END: u32 = 0xA000;
const HANGUL_START: u32 = 0xAC00;
const HANGUL_END: u32 = 0xD7A4;

/// Bit flags per Han character: in which level-1 set it appears.
pub(crate) const SIMPLIFIED: u8 = 1;
pub(crate) const TRADITIONAL: u8 = 2;
pub(crate) const JAPANESE: u8 = 4;
/// The three level-1 flags together (the other bits are frequency tiers).
pub(crate) const LEVEL_ONE: u8 = SIMPLIFIED | TRADITIONAL | JAPANESE;
/// In the top tier of Simplified Chinese ([`TOP_SIMPLIFIED`]).
pub(crate) const TOP_SIMPLIFIED_FLAG: u8 = 8;
/// In the top tier of Traditional Chinese (shared top characters plus
/// [`TOP_TRADITIONAL_EXTRA`]).
pub(crate) const TOP_TRADITIONAL_FLAG: u8 = 16;

/// Flags per hangul syllable.
pub(crate) const HANGUL_COMMON: u8 = 1;
pub(crate) const HANGUL_TOP: u8 = 2;

/// Dense lookup tables indexed by code point: the scorer looks up every character of every
/// candidate decoding, so membership must be one indexed load, not a hash.
#[derive(Debug)]
pub(crate) struct Tables {
    /// One byte of flags per code point in `HAN_START..HAN_END`: the level-1 sets and the
    /// top tiers.
    han: Vec<u8>,
    /// [`HANGUL_COMMON`] / [`HANGUL_TOP`] per syllable in `HANGUL_START..HANGUL_END`.
    hangul: Vec<u8>,
}

impl Tables {
    /// Level-1 and top-tier flags of a Han character (0 when it is in no set or not Han).
    pub(crate) fn han_flags(&self, c: char) -> u8 {
        let cp = c as u32;
        if (HAN_START..HAN_END).contains(&cp) {
            self.han[(cp - HAN_START) as usize]
        } else {
            0
        }
    }

    /// Flags of a hangul syllable (0 when it is not one of the 2350 KS X 1001 syllables).
    pub(crate) fn hangul_flags(&self, c: char) -> u8 {
        let cp = c as u32;
        if (HANGUL_START..HANGUL_END).contains(&cp) {
            self.hangul[(cp - HANGUL_START) as usize]
        } else {
            0
        }
    }

    /// The flags of the Han characters from `first` (in `HAN_START..HAN_END`) on.
    pub(crate) fn han_flags_from(&self, first: u32) -> &[u8] {
        self.han.get(first.wrapping_sub(HAN_START) as usize..).unwrap_or_default()
    }

    /// The flags of the hangul syllables from `first` (in `HANGUL_START..HANGUL_END`) on.
    pub(crate) fn hangul_flags_from(&self, first: u32) -> &[u8] {
        self.hangul.get(first.wrapping_sub(HANGUL_START) as usize..).unwrap_or_default()
    }

    /// Whether a hangul syllable is one of the 2350 KS X 1001 syllables.
    #[cfg(test)]
    pub(crate) fn common_hangul(&self, c: char) -> bool {
        self.hangul_flags(c) & HANGUL_COMMON != 0
    }
}

/// The tables, built on first use (a few milliseconds) and shared by every thread.
pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

fn build() -> Tables {
    let mut han = vec![0u8; (HAN_END - HAN_START) as usize];
    let mut hangul = vec![0u8; (HANGUL_END - HANGUL_START) as usize];
    let mut mark_han = |enc: &'static Encoding, bytes: &[u8], flag: u8| {
        for cp in decoded_units(enc, bytes) {
            let cp = u32::from(cp);
            if (HAN_START..HAN_END).contains(&cp) {
                han[(cp - HAN_START) as usize] |= flag;
            }
        }
    };
    // GB 2312 level 1: rows B0..=D7, cells A1..=FE (D7FA..D7FE are unassigned and decode to
    // GBK extension characters we must not count, so row D7 stops at F9).
    mark_han(GBK, &double_bytes(0xB0..=0xD7, &[0xA1..=0xFE], Some((0xD7, 0xF9))), SIMPLIFIED);
    // Big5 level 1: rows A4..=C6, cells 40..=7E and A1..=FE; row C6 stops at 7E.
    mark_han(
        BIG5,
        &double_bytes(0xA4..=0xC6, &[0x40..=0x7E, 0xA1..=0xFE], Some((0xC6, 0x7E))),
        TRADITIONAL,
    );
    // JIS X 0208 level 1 in Shift_JIS: lead 88 (from cell 9F) .. lead 98 (up to cell 72).
    let mut jis = Vec::new();
    for lead in 0x88u8..=0x98 {
        for trail in (0x40u8..=0x7E).chain(0x80..=0xFC) {
            if (lead == 0x88 && trail < 0x9F) || (lead == 0x98 && trail > 0x72) {
                continue;
            }
            jis.extend_from_slice(&[lead, trail]);
        }
    }
    mark_han(SHIFT_JIS, &jis, JAPANESE);
    for cp in decoded_units(EUC_KR, &double_bytes(0xB0..=0xC8, &[0xA1..=0xFE], None)) {
        let cp = u32::from(cp);
        if (HANGUL_START..HANGUL_END).contains(&cp) {
            hangul[(cp - HANGUL_START) as usize] = HANGUL_COMMON;
        }
    }
    // The top tiers, only where the level-1 set has the character (a unit test checks the
    // tier strings stay inside them).
    let mut mark_top = |c: char, needs: u8, flag: u8| {
        let cp = c as u32;
        if (HAN_START..HAN_END).contains(&cp) && han[(cp - HAN_START) as usize] & needs != 0 {
            han[(cp - HAN_START) as usize] |= flag;
        }
    };
    for c in TOP_SIMPLIFIED.chars() {
        mark_top(c, SIMPLIFIED, TOP_SIMPLIFIED_FLAG);
        // Shared characters: those of the Simplified tier that Big5 level 1 also has.
        mark_top(c, TRADITIONAL, TOP_TRADITIONAL_FLAG);
    }
    for c in TOP_TRADITIONAL_EXTRA.chars() {
        mark_top(c, TRADITIONAL, TOP_TRADITIONAL_FLAG);
    }
    for c in TOP_HANGUL.chars() {
        let cp = c as u32;
        if (HANGUL_START..HANGUL_END).contains(&cp) && hangul[(cp - HANGUL_START) as usize] != 0 {
            hangul[(cp - HANGUL_START) as usize] |= HANGUL_TOP;
        }
    }
    Tables { han, hangul }
}

/// All two-byte sequences with a lead in `leads` and a trail in one of `trails`; `last`
/// optionally cuts the final row at a given trail byte.
fn double_bytes(
    leads: std::ops::RangeInclusive<u8>,
    trails: &[std::ops::RangeInclusive<u8>],
    last: Option<(u8, u8)>,
) -> Vec<u8> {
    let mut out = Vec::new();
    for lead in leads {
        for range in trails {
            for trail in range.clone() {
                if matches!(last, Some((l, t)) if l == lead && trail > t) {
                    continue;
                }
                out.extend_from_slice(&[lead, trail]);
            }
        }
    }
    out
}

/// The UTF-16 decoding of `bytes`: straight into code units, as the sets are all in the
/// Basic Multilingual Plane (a character beyond it would be two surrogates, in no range).
fn decoded_units(enc: &'static Encoding, bytes: &[u8]) -> Vec<u16> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut units = vec![0u16; bytes.len() + 1];
    let (_, _, written, _) = decoder.decode_to_utf16(bytes, &mut units, true);
    units.truncate(written);
    units
}

/// The most frequent Simplified Chinese characters (function words, pronouns, the commonest
/// verbs and nouns: roughly the top 1000 of any modern frequency count, which cover about
/// nine tenths of running text). Written from general knowledge of the language, not from
/// any evaluation text. Used as a "very common" tier above the level-1 set: text in the
/// right encoding hits it nine times in ten, the same bytes read in a wrong CJK encoding
/// (random level-1 characters) about one time in four.
pub(crate) const TOP_SIMPLIFIED: &str = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直资命山金指许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元证近失转夫令准布始怎呢存未远叫台单影具字爱击流备兵连调深商算质团集百需价花党华城石级整府离况请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害双境客纪采举父密低朝友诉止细愿千值仍男钱破网热助倒育属坐限船脸职速刻乐否刚状率独球般普怕校苦创假久错承印晚试股拿脑预谁益阳若哪微继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福欢获模充负云停木游龙树疑层冷冲略范句室异激村策演简罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮胜降阶审坚善妈读啊超免压银买养怀执副乱帮宣佛岁航优香田铁税左右份穿艺背草脚概块顿敢守酒岛户烈洋哥款靠评版宝座释景顾弟登货互付慢换闻危忙核暗姐介坏讨良序升监亮露永呼味野架域沙掉括鱼误减编肯测败屋跑梦散温困渐封救贵缺楼县尚移朋画班智耳短掌恐固席松秘谢遇康虑幸均钟诗藏赶剧票旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输招婚脱补督油旅材笔词择寻厂睡博烟授岸健堂旁宫喝借禁阴园避抓荣孙逃牙束跳顶玉镇雪午练迫篇肉嘴馆遍凡础洞卷牛宁纸训私庄祖丝翻暴森默握戏隐熟骨访弱歌店软典欲伙盘爸扩盖弄稳忘亿拥齐赛趣曲刀床迎冰虚玩析窗醒妻透购替努休途刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟";

/// The same tier for Traditional Chinese: the characters above that are written the same
/// in both scripts, plus the Traditional forms of the most frequent ones that differ.
pub(crate) const TOP_TRADITIONAL_EXTRA: &str = "這個們來為國說時會對於著過發後裡學現動麼經當沒樣實機與長種開無點從兩間問題見話關應進還體頭電總數報結導場聽義書層將處產們軍語萬樣區難當氣員務論認條麼覺設給號術讓識帶師爭運飛風聯親極辦議遠單愛擊備兵調質團價黨華級離況請際約復視須寫稱農裝廣顯圖歷醫專費較僅選紅響雖勢參眾構節黑維劃陳態護興責營驗讀緊黃絕織紀舉細願網熱倉屬臉職樂剛狀獨險術確傳觀讓變東車問門見話們說這個為來";

/// The most frequent hangul syllables: particles, verb endings and the commonest word
/// stems (about the top 150 of Korean text), from general knowledge of the language.
pub(crate) const TOP_HANGUL: &str = "이다는에의을가하고지서기한로리사자도어스대를수있인정나아시일으들라해여구전주부보게상제것장적우요과면없오소성만내원조거동마신그미국치되세비생간방위무경공계했습니니와각후모때화문까데히러물연합중든말식학발분재람드할었음야은금실결운단용개회현작진월년행명본저른던된않며록께처님겠네죠더또잘안못왜많좋같싶때요해서였었던입니까세요려로서게요바받번함감날살선속영차친통표필힘좀최반변";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_one_sets_have_the_sizes_the_standards_give() {
        let t = tables();
        let count = |flag: u8| t.han.iter().filter(|f| **f & flag != 0).count();
        assert_eq!(count(SIMPLIFIED), 3755);
        assert_eq!(count(TRADITIONAL), 5401);
        assert_eq!(count(JAPANESE), 2965);
        assert_eq!(t.hangul.iter().filter(|h| **h & HANGUL_COMMON != 0).count(), 2350);
    }

    #[test]
    fn frequent_characters_are_common_and_rare_ones_are_not() {
        let t = tables();
        let cases: &[(char, u8)] = &[
            ('的', SIMPLIFIED | TRADITIONAL | JAPANESE),
            ('这', SIMPLIFIED),
            ('這', TRADITIONAL | JAPANESE),
            ('国', SIMPLIFIED | JAPANESE),
            ('龘', 0),
            ('a', 0),
        ];
        for (c, flags) in cases {
            assert_eq!(t.han_flags(*c) & LEVEL_ONE, *flags, "{c}");
        }
        assert!(t.common_hangul('한'));
        assert!(!t.common_hangul('똠'));
    }

    #[test]
    fn top_tiers_are_inside_the_level_one_sets() {
        let t = tables();
        let bad =
            |s: &str, ok: &dyn Fn(char) -> bool| s.chars().filter(|c| !ok(*c)).collect::<String>();
        assert_eq!(bad(TOP_SIMPLIFIED, &|c| t.han_flags(c) & SIMPLIFIED != 0), "");
        assert_eq!(bad(TOP_TRADITIONAL_EXTRA, &|c| t.han_flags(c) & TRADITIONAL != 0), "");
        assert_eq!(bad(TOP_HANGUL, &|c| t.common_hangul(c)), "");
        let simplified = |c: char| t.han_flags(c) & TOP_SIMPLIFIED_FLAG != 0;
        let traditional = |c: char| t.han_flags(c) & TOP_TRADITIONAL_FLAG != 0;
        let hangul = |c: char| t.hangul_flags(c) & HANGUL_TOP != 0;
        assert!(simplified('的') && traditional('的') && traditional('這'));
        assert!(!traditional('这') && hangul('는') && !hangul('퓻'));
        assert!(!simplified('這') && !simplified('龘'));
        // Every character of the tier strings got its flag.
        assert!(TOP_SIMPLIFIED.chars().all(simplified));
        assert!(TOP_TRADITIONAL_EXTRA.chars().all(traditional));
        assert!(TOP_HANGUL.chars().all(hangul));
    }
}
