//! Hand-written text material the generator combines: sentence parts, whole sentences, page
//! furniture, SEO spam and site names.
//!
//! Content sentences are assembled from parts with random numbers and dates so that lines
//! stay distinct across documents (as real articles are); furniture and spam come from small
//! fixed pools so they repeat the way real page furniture does. All text here was written for
//! this benchmark.

/// Openers of a generated sentence (time, source or manner adverbials).
pub const OPENERS: &[&str] = &[
    "今年以来，",
    "近日，",
    "上半年，",
    "据统计，",
    "去年，",
    "“十四五”期间，",
    "截至目前，",
    "为进一步改善民生，",
    "在有关部门的指导下，",
    "按照年初制定的工作计划，",
    "记者从有关方面获悉，",
    "与往年相比，",
    "",
    "",
    "",
];

/// Subjects of a generated sentence.
pub const SUBJECTS: &[&str] = &[
    "市卫生健康委",
    "区教育局",
    "该公司",
    "全县各乡镇",
    "项目建设单位",
    "社区志愿者",
    "省交通运输厅",
    "市场监管部门",
    "县农业农村局",
    "街道办事处",
    "科研团队",
    "当地政府",
    "市文化和旅游局",
    "高新区管委会",
    "市生态环境局",
    "各级医疗机构",
    "市住房和城乡建设局",
    "图书馆",
    "这所中学",
    "合作社的社员们",
    "消防救援支队",
    "公安交警部门",
    "市人力资源和社会保障局",
    "气象部门",
    "水利部门",
    "供电公司",
    "开发区",
    "村党支部",
    "博物馆",
    "市急救中心",
];

/// Predicates with objects; `{n}` is replaced by a number, `{p}` by a percentage.
pub const PREDICATES: &[&str] = &[
    "扎实推进老旧小区改造工程，共完成改造{n}个小区",
    "组织开展安全生产大检查，排查整改隐患{n}处",
    "新建和改造农村道路{n}公里",
    "新增城镇就业岗位{n}个",
    "累计投入专项资金{n}万元",
    "完成植树造林{n}亩",
    "接待游客{n}万人次，同比增长{p}",
    "开展义诊活动{n}场，服务群众{n}人次",
    "建成标准化充电桩{n}个",
    "受理群众来电来信{n}件，办结率达到{p}",
    "引进高层次人才{n}名",
    "举办各类培训班{n}期，培训{n}人次",
    "新增学位{n}个，有效缓解了入学难的问题",
    "完成高标准农田建设{n}亩",
    "查处违法案件{n}起",
    "为辖区老人免费体检{n}人次",
    "改造雨污管网{n}公里",
    "发放创业担保贷款{n}万元",
    "空气质量优良天数比例达到{p}",
    "实现网上办理事项{n}项，网办率提高到{p}",
    "在全市范围内推广垃圾分类，覆盖居民{n}户",
    "签约重点项目{n}个，总投资{n}亿元",
    "完成夏粮收购{n}吨",
    "举办读书分享会{n}场",
    "救治急危重症患者{n}人",
    "发布暴雨预警信息{n}条",
    "修复河道堤防{n}米",
    "更换老旧变压器{n}台",
    "培育省级专精特新企业{n}家",
    "收集整理馆藏文物{n}件",
];

/// Tails appended to some sentences.
pub const TAILS: &[&str] = &[
    "，有效提升了群众的获得感",
    "，为下一步工作打下了坚实基础",
    "，取得了阶段性成效",
    "，受到社会各界的广泛好评",
    "，各项指标均好于预期",
    "，工作经验在全省推广",
    "，群众满意度明显提高",
    "，比原计划提前了一个月",
    "",
    "",
    "",
    "",
];

/// Whole sentences of everyday prose (not government style), mixed into paragraphs.
pub const PROSE: &[&str] = &[
    "清晨的湖面上起了一层薄雾，几只白鹭贴着水面慢慢飞过。",
    "老街两旁的梧桐树已经有六十多年的历史，夏天走在树下几乎晒不到太阳。",
    "他把旧书按年份排好，每一本都用牛皮纸重新包了书皮。",
    "这家面馆只在早上营业，十点以后就关门，常常有人排队等上半个小时。",
    "雨停之后，山谷里的溪水明显涨了，水声一直传到半山腰。",
    "奶奶说，做酱要选晴天，晒足四十天味道才正。",
    "实验室里的设备大多是自己改装的，花的钱不到进口仪器的十分之一。",
    "孩子们在操场上放风筝，风一大，线就绷得紧紧的。",
    "夜里的火车站依旧热闹，广播里不停地播报着晚点的车次。",
    "她每天骑车上班，单程十二公里，坚持了整整五年。",
    "这座桥建于明代，桥面的石板被来往的行人磨得发亮。",
    "小镇的集市每逢农历三、六、九开市，附近村子的人都会赶来。",
    "新修的步道沿着江边一直延伸到城市的另一头。",
    "师傅说，修表最要紧的是耐心，一个零件装错就得全部拆开重来。",
    "初冬的阳光照进教室，黑板上的粉笔字显得格外清楚。",
    "志愿者们把整理好的衣物分门别类地装进纸箱，贴上标签。",
    "软件更新以后，界面变得简洁了许多，但有些老用户一时还不太习惯。",
    "他在日记里写道：“今天终于把那段山路走完了。”",
    "研究人员在样本中发现了一种此前从未记录过的微生物。",
    "菜市场门口新开了一家修鞋铺，生意出乎意料地好。",
];

/// Traditional-script sentences for Big5 documents (Big5 cannot encode simplified forms).
pub const TRADITIONAL: &[&str] = &[
    "本館自下月起延長開放時間，週末亦照常開放。",
    "讀者可憑借書證在自助機辦理借還手續。",
    "市政府今日宣布，將於明年完成舊城區的排水系統改善工程。",
    "這項計畫預計投入經費三億元，受惠居民超過十萬人。",
    "颱風過後，各地農會積極協助農民搶修溫室與灌溉設施。",
    "學校圖書室新增兩千冊兒童讀物，歡迎家長陪同孩子前來閱讀。",
    "捷運新路線通車後，往返兩地的時間縮短至二十分鐘。",
    "專家提醒，天氣轉涼時應注意保暖，避免感冒。",
    "博物館特展將展出清代書畫作品八十餘件。",
    "社區活動中心每週三晚上開設書法與太極拳課程。",
    "本公司謹訂於十月十五日召開股東常會。",
    "報名時請攜帶身分證明文件及最近三個月內的照片兩張。",
];

/// Page furniture lines: share/print widgets, meta lines, pagers, promos.
pub const BOILERPLATE: &[&str] = &[
    "分享到：微信 微博 QQ空间",
    "【打印本页】【关闭窗口】",
    "字体：大 中 小",
    "扫一扫在手机打开当前页",
    "【我要纠错】 【打印】 【关闭】",
    "上一篇：没有了",
    "责任编辑：王晓明",
    "相关阅读：",
    "点击排行",
    "返回顶部",
    "本文来源于网络，如有侵权请联系删除。",
    "欢迎关注我们的微信公众号，获取更多资讯。",
    "阅读原文",
    "收藏本文  分享  举报",
    "网友评论 (0)  我要评论",
    "免责声明：本站所载内容仅供参考，不构成投资建议。",
];

/// Menu items for navigation bars.
pub const NAV_ITEMS: &[&str] = &[
    "首页",
    "新闻中心",
    "政务公开",
    "办事服务",
    "互动交流",
    "专题专栏",
    "通知公告",
    "政策法规",
    "走进本地",
    "数据发布",
    "在线访谈",
    "人事信息",
    "联系我们",
    "English",
];

/// Keywords for SEO keyword blocks.
pub const SEO_KEYWORDS: &[&str] = &[
    "装修公司",
    "二手房",
    "免费下载",
    "最新电影",
    "在线观看",
    "减肥方法",
    "代办营业执照",
    "北京租房",
    "考研资料",
    "手机壳批发",
    "网站建设",
    "优化排名",
    "借款平台",
    "高清壁纸",
    "小说阅读",
];

/// Whole spam lines (gambling and ad runs).
pub const SPAM_LINES: &[&str] = &[
    "澳门威尼斯人在线娱乐，注册即送38元彩金，日赚千元不是梦！",
    "真人视讯 百家乐 老虎机 体育投注 首存即送100%",
    "加微信领取内部资料，名额有限，先到先得！！！",
    "特价代开各类发票，电话：138****0000",
    "网络兼职日结，动动手指月入过万，详情加QQ 12345678",
    "六合彩开奖结果 特码资料 免费公开 稳赚不赔",
];

/// Section folder names inside a site.
pub const SECTIONS: &[&str] =
    &["news", "notice", "policy", "culture", "economy", "health", "edu", "travel", "tech", "life"];

/// City names for site names and footers.
pub const CITIES: &[&str] = &[
    "青州", "临川", "云阳", "江宁", "武康", "南岭", "东阳", "安平", "清河", "长乐", "宜兴", "新安",
    "丰城", "永宁", "平湖", "石门",
];

/// Kinds of site; combined with a city to form its name.
pub const SITE_KINDS: &[&str] = &[
    "人民政府网",
    "日报社",
    "卫生健康委员会",
    "教育信息网",
    "新闻网",
    "旅游资讯网",
    "融媒体中心",
    "科技论坛",
];

/// Surnames and given names for editors and authors.
pub const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
pub const GIVEN: &[&str] =
    &["伟", "芳", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛"];

/// Form skeleton lines with placeholders, for template-style documents.
pub const FORM_LINES: &[&str] = &[
    "申请人：__________  联系电话：__________",
    "XX市XX区XX街道XX号",
    "签字：×××        日期：20xx年xx月xx日",
    "单位名称（盖章）：",
    "身份证号码：□□□□□□□□□□□□□□□□□□",
    "备注：",
];
