"""The Chinese wording of the demo year (:mod:`demo.year`): places, people, case texts and phrases.

Every table is keyed by the domain's enums, so a new category or decision type shows up here as a
missing key rather than as an untranslated case.
"""

from __future__ import annotations

from domain.kinds import ComplaintCategory, DisputeType, ViolationType
from domain.labels import Labelled
from domain.outcomes import DecisionType, RefusalGround, SessionOutcome

CC, DT, VT, DEC, RG = ComplaintCategory, DisputeType, ViolationType, DecisionType, RefusalGround

# -- places and people -----------------------------------------------------------------------------

VILLAGES = ("东湖村", "新河社区", "海润社区", "城东社区", "西岙村", "沙柳村", "南门社区", "蒲西村", "洞港村")
ROADS = ("文化路", "振兴路", "滨河路", "工业路", "人民路", "海景路", "新村路")
SURNAMES = "王李张陈林叶杨郑章金何吴周徐罗"
GIVEN = ("伟明", "丽娟", "秀芳", "志强", "春花", "国庆", "美芬", "小军", "金龙", "玉兰", "海波", "明霞", "荣根")
# The enforcement squad's officers by user id: they investigate, collect evidence and chair hearings.
OFFICERS = {
    "zf.zheng": "郑志刚",
    "zf.chen": "陈晓东",
    "zf.yang": "杨帆",
    "zf.li": "李振华",
    "zf.wang": "王建军",
    "zf.jin": "金涛",
}
MEDIATORS = ("叶海燕", "章建平", "林素琴", "郑国华", "金晓丽", "何永康")
LEADERS = ["张立平", "陈海军", "吴秀英", "徐文斌"]
CITY, BUILDING, LOCAL = "城管执法中队", "村镇建设办公室", "村（居）委会"
STREET_MEDIATION = "街道人民调解委员会"
GRID_CELLS = 6
"""How many grid cells each village or community has."""


def village_committee(village: str) -> str:
    """The committee of a village (村民委员会) or community (居民委员会), which handles its local matters."""
    return village + ("村民委员会" if village.endswith("村") else "居民委员会")


def mediation_committee(village: str) -> str:
    """The people's mediation committee of a village or community."""
    return f"{village}人民调解委员会"


def grid_cell(village: str, number: int) -> str:
    """The ``number``-th grid cell of a village or community."""
    return f"{village}第{number}网格"


HOSPITAL, SCHOOL = "新河社区", "城东社区"
NEAR: dict[Labelled, str] = {CC.BREAKFAST_STALLS: HOSPITAL, CC.CATERING_ORDER: HOSPITAL, CC.PARKING: SCHOOL}
NEAR |= {VT.STREET_VENDING: HOSPITAL, VT.CATERING_FUMES: HOSPITAL, VT.DISORDERLY_PARKING: SCHOOL}
TIDY, ZJ_TIDY, PRC = "《城市市容和环境卫生管理条例》", "《浙江省城市市容和环境卫生管理条例》", "《中华人民共和国"

# -- complaints: (weight, lead unit, what the resident says) and (the action taken, its legal basis) --

COMPLAINTS: dict[ComplaintCategory, tuple[int, str, str]] = {
    CC.ROAD_OCCUPATION: (18, CITY, "{addr}沿街商户长期占用人行道摆放货物，行人只能走机动车道。"),
    CC.BREAKFAST_STALLS: (14, CITY, "县人民医院东门外早餐摊点清晨占道经营，油污满地，影响救护车通行。"),
    CC.CATERING_ORDER: (12, CITY, "医院周边餐饮店夜间店外摆桌经营，油烟直排、噪声扰民。"),
    CC.SANITATION: (14, LOCAL, "{addr}附近垃圾收集点清运不及时，蚊蝇滋生、气味难闻。"),
    CC.NOISE: (8, CITY, "{addr}附近工地夜间施工至凌晨，噪声影响居民休息。"),
    CC.ILLEGAL_CONSTRUCTION: (10, BUILDING, "{addr}有住户在屋顶搭建彩钢棚，疑似违法建设。"),
    CC.PARKING: (8, CITY, "技师学院附近上下学高峰车辆乱停乱放，占用消防通道。"),
    CC.PROPERTY_MANAGEMENT: (7, LOCAL, "{addr}小区电梯多次故障，物业公司迟迟不予维修。"),
    CC.ADMINISTRATIVE_EFFICIENCY: (4, "党政综合办公室", "到便民服务中心办事，窗口人员推诿，多次往返未办结。"),
    CC.OTHER: (5, "综治中心", "咨询农村宅基地建房审批需要提交哪些材料。"),
}
ASSIST = {CC.CATERING_ORDER: ["市场监管所"], CC.ILLEGAL_CONSTRUCTION: [CITY], CC.SANITATION: ["环境卫生管理所"]}
REPLIES: dict[ComplaintCategory, tuple[str, str]] = {
    CC.ROAD_OCCUPATION: ("责令商户将货物退回店内，门前划定经营界线", TIDY + "第十四条"),
    CC.BREAKFAST_STALLS: ("引导摊点进入临时疏导点经营，早间安排队员值守", ZJ_TIDY + "第十六条"),
    CC.CATERING_ORDER: ("督促餐饮店安装油烟净化设施，禁止店外摆桌", PRC + "大气污染防治法》第八十一条"),
    CC.SANITATION: ("增加清运频次，对收集点冲洗消杀", TIDY + "第二十八条"),
    CC.NOISE: ("约谈施工单位，夜间22时后停止高噪声作业", PRC + "噪声污染防治法》第四十三条"),
    CC.ILLEGAL_CONSTRUCTION: ("移交城管执法中队立案查处", PRC + "城乡规划法》第六十五条"),
    CC.PARKING: ("施划停车泊位，高峰时段安排人员疏导", ZJ_TIDY + "第二十二条"),
    CC.PROPERTY_MANAGEMENT: ("召集业委会与物业公司协商，电梯已修复", "《物业管理条例》第三十五条"),
    CC.ADMINISTRATIVE_EFFICIENCY: ("对窗口人员批评教育，推行首问负责制", "《信访工作条例》第三十五条"),
    CC.OTHER: ("已一次性告知办理流程和所需材料", "《信访工作条例》第三十条"),
}

# -- disputes: (weight, what happened) and refusals: (the competent body, the reason) ---------------

DISPUTES: dict[DisputeType, tuple[int, str]] = {
    DT.NEIGHBOUR: (30, "{a}与邻居{b}因房屋滴水和排水沟占用问题多次发生争执。"),
    DT.AQUACULTURE_POND: (15, "{a}与{b}因养殖塘承包到期后塘租和设施补偿问题产生纠纷。"),
    DT.ENVIRONMENT: (12, "{a}反映{b}经营的加工厂粉尘和噪声影响生活，双方协商未果。"),
    DT.NEW_VILLAGE_CONSTRUCTION: (10, "新农村建设道路拓宽涉及{a}家围墙，与村民代表{b}就补偿存在分歧。"),
    DT.LAND_CONTRACT: (10, "{a}与{b}就承包地边界和流转费用发生争议。"),
    DT.FAMILY: (10, "{a}与{b}因赡养老人费用分担问题发生家庭纠纷。"),
    DT.LABOUR: (8, "{a}在{b}承包的工地务工被拖欠工资，双方协商未果。"),
    DT.PROPERTY_MANAGEMENT: (5, "业主{a}与物业负责人{b}因物业费和公共维修问题发生纠纷。"),
}
REFUSALS = {
    RG.PARTY_REFUSES: ("", "被申请人明确表示拒绝调解"),
    RG.COURT: ("县人民法院", "一方已就同一纠纷向人民法院起诉并已立案"),
    RG.ARBITRATION: ("县劳动人事争议仲裁委员会", "属劳动争议，应依法申请劳动仲裁"),
    RG.OTHER_AGENCY: ("县农业农村局", "涉及土地承包经营权确权，属农业农村部门处理"),
}
SESSION_NOTES = {
    SessionOutcome.PROGRESS: "双方陈述意见，调解员释法明理，分歧有所缩小",
    SessionOutcome.ADJOURNED: "一方要求与家人商量，约定择期再调",
    SessionOutcome.AGREEMENT_REACHED: "双方互谅互让，就主要事项达成一致",
    SessionOutcome.FAILED: "双方分歧较大，仍未能达成一致",
}

# -- enforcement: (weight, what was found, the usual fines in yuan) and the legal basis of decisions --

VIOLATIONS: dict[ViolationType, tuple[int, str, tuple[int, ...]]] = {
    VT.ILLEGAL_CONSTRUCTION: (20, "{addr}未经规划许可擅自搭建砖混结构房屋约{n}平方米。", (2000,)),
    VT.ROAD_OCCUPATION: (18, "{addr}商户超出门窗占道经营，堆放货物。", (100, 200, 500)),
    VT.STREET_VENDING: (15, "县人民医院周边流动摊贩早间占道设摊经营早餐。", (50, 100, 200)),
    VT.DISORDERLY_PARKING: (12, "技师学院周边车辆乱停乱放占用人行道。", (50, 100)),
    VT.CATERING_FUMES: (12, "医院周边餐饮店未安装油烟净化设施，油烟直排。", (5000, 8000, 20000)),
    VT.SANITATION: (12, "{addr}沿街单位未履行门前三包责任，垃圾乱堆乱放。", (200, 500, 1000)),
    VT.FOOD_SAFETY: (6, "群众举报{addr}小作坊无证生产销售糕点。", (5000, 10000, 50000)),
    VT.WORK_SAFETY: (5, "检查发现{addr}出租房内违规存放液化石油气钢瓶十余只。", (5000, 10000, 20000)),
}
BASIS: dict[Labelled, str] = {
    VT.ILLEGAL_CONSTRUCTION: PRC + "城乡规划法》第六十五条",
    VT.ROAD_OCCUPATION: TIDY + "第三十六条",
    VT.STREET_VENDING: ZJ_TIDY + "第十六条",
    VT.DISORDERLY_PARKING: ZJ_TIDY + "第二十二条",
    VT.CATERING_FUMES: PRC + "大气污染防治法》第一百一十八条",
    VT.SANITATION: TIDY + "第三十四条",
    VT.FOOD_SAFETY: PRC + "食品安全法》第一百二十二条",
    VT.WORK_SAFETY: PRC + "安全生产法》第一百零二条",
    DEC.NO_PENALTY: PRC + "行政处罚法》第三十三条第一款",
    DEC.NOT_ESTABLISHED: PRC + "行政处罚法》第五十七条第一款第三项",
    DEC.TRANSFER_JUDICIAL: "《行政执法机关移送涉嫌犯罪案件的规定》第三条",
}
EVIDENCE = ("现场照片6张", "现场检查笔录", "当事人询问笔录", "执法记录仪视频")
SERVICE = ("直接送达", "留置送达", "邮寄送达")

# -- phrases: reasons, notes and opinions, by the step they are recorded with -----------------------

SAY = {
    # complaints
    "correct": "登记时门牌号录入有误，依投诉人来电更正",
    "merge": "与此前投诉反映同一问题，并案办理",
    "refuse": "所反映事项已进入诉讼程序",
    "route": "依法向县人民法院主张权利",
    "transfer": "反映事项属自然资源部门法定职责，依法转办",
    "transfer_to": "县自然资源和规划局",
    "dispatch": "按职责交办",
    "redo": "重办",
    "supervise": "群众多次反映、社会关注度高，列入督办",
    "remind": "办理期限临近，请加快办理并及时反馈",
    "extend": "需协调县级职能部门联合处置，批准延长办理期限",
    "away": "投诉人外出，等待其补充材料",
    "answered": "对答复满意",
    "reopen": "回访不满意，反映问题仍未解决，发回重办",
    "unresolved": "诉求超出法律政策规定，已充分解释，依规办结",
    # disputes
    "recuse": "调解员与被申请人系近亲属，依法回避",
    "survey": "走访双方当事人及村干部，查看现场，了解纠纷起因和诉求",
    "risk": "一方情绪激动并扬言采取过激行为，存在矛盾激化风险",
    "risk_to": "街道综治中心、辖区派出所",
    "waiting": "被申请人在外地务工，等待其返乡",
    "consent": "经双方当事人同意延长调解期限",
    "ended": "经多次调解仍未达成一致",
    "sue": "告知当事人可依法向县人民法院提起诉讼",
    "to_court": "当事人表示将通过诉讼解决",
    "duty": "双方对纠纷发生均负有一定责任",
    "payment": "一次性现金支付，调委会见证",
    "court": "县人民法院",
    "unfulfilled": "协议未完全履行，已告知当事人可申请强制执行或起诉",
    # enforcement cases
    "decline": "经现场核实，当事人已自行改正，违法行为轻微，不予立案",
    "file": "经初步核查，有违法事实，依法应予立案查处",
    "survey_more": "案情复杂，需委托测绘机构测量，经批准延长办案期限",
    "testing": "样品送检，等待检验报告",
    "test_report": "抽检样品检验报告",
    "returned": "当事人身份证明材料缺失，测量依据不足，请补充证据",
    "more_evidence": "当事人身份证明及测绘报告",
    "approved": "事实清楚、证据确凿、程序合法、适用依据正确",
    "rights": "告知拟处罚的事实、理由、依据及陈述、申辩、听证权利",
    "hearing": "当事人要求听证，听证期间不计入办案期限",
    "heard": "当事人对违法事实无异议，对处罚幅度提出申辩，调查人员当场答复",
    "published": "街道政务公开栏及县政府门户网站执法公示专栏",
    "closed": "案件办理完毕，依法结案",
    "from_complaint": "由群众投诉转入",
}

# -- rulings on cadres' errors (容错免责) and the clearing of a falsely accused cadre (澄清正名) ----------

RULING = {
    "consequences": "未造成重大损失，已及时采取补救措施",
    "circumstances": "任务紧急、时间紧迫，事后主动报告",
    "motive": "出于推进工作的公心，未谋取私利",
    "declined": "所涉行为属违反廉洁纪律，不适用容错免责",
    "appeal": "已履行集体决策程序，减责认定依据不充分，申请复核",
    "verified": "调阅案卷、谈话核实，逐项核查容错条件和负面清单",
    "basis": "《街道干部容错免责实施办法》第六条",
    "notified": "{cadre}本人及其所在单位",
    "filed_with": "县纪委监委",
}
CLEARING = {
    "cadre": "郑国强",
    "accusation": "匿名举报反映其在违法建设拆除中收受当事人财物",
    "investigation": "纪工委调阅案卷、走访当事人及知情群众，查明举报内容与事实不符",
    "scope": "在城管执法中队全体会议和东湖村党员大会上通报澄清",
    "record": "廉政档案（{year}）澄字第1号",
}
