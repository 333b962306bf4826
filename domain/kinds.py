"""What a case is about: its kind, the channel it came in by, and its category."""

from __future__ import annotations

from domain.labels import Labelled


class CaseKind(Labelled):
    COMPLAINT = ("complaint", "投诉", "Complaint")
    DISPUTE = ("dispute", "纠纷", "Dispute")
    ENFORCEMENT = ("enforcement", "执法案件", "Enforcement case")

    @property
    def prefix(self) -> str:
        """The letters that start this kind's case numbers (TS-2026-000042)."""
        return {"complaint": "TS", "dispute": "JF", "enforcement": "ZF"}[self.code]


class Channel(Labelled):
    HOTLINE = ("hotline", "投诉电话", "Complaint hotline")
    MAILBOX = ("mailbox", "投诉信箱", "Complaint mailbox")
    EFFICIENCY_HOTLINE = ("efficiency_hotline", "行政效能投诉举报电话", "Administrative-efficiency hotline")
    HOTLINE_12345 = ("hotline_12345", "12345热线", "12345 citizen hotline")
    WALK_IN = ("walk_in", "来访", "Walk-in visit")
    ONLINE = ("online", "网上", "Online")
    DEPUTY_REFERRAL = ("deputy_referral", "人大代表/政协委员转交", "Deputy or CPPCC member referral")
    APPLICATION = ("application", "当事人申请", "Application by a party")
    SCREENING = ("screening", "矛盾排查", "Found by screening")
    REFERRAL = ("referral", "移交", "Referred by another body")
    PATROL = ("patrol", "巡查发现", "Patrol")
    COMPLAINT_REFERRAL = ("complaint_referral", "投诉转入", "Referred from a complaint")
    INSPECTION = ("inspection", "检查发现", "Inspection")
    TRANSFER = ("transfer", "部门移送", "Transferred by another agency")


CHANNELS_BY_KIND: dict[CaseKind, frozenset[Channel]] = {
    CaseKind.COMPLAINT: frozenset(
        {
            Channel.HOTLINE,
            Channel.MAILBOX,
            Channel.EFFICIENCY_HOTLINE,
            Channel.HOTLINE_12345,
            Channel.WALK_IN,
            Channel.ONLINE,
            Channel.DEPUTY_REFERRAL,
        }
    ),
    CaseKind.DISPUTE: frozenset(
        {Channel.APPLICATION, Channel.SCREENING, Channel.REFERRAL, Channel.WALK_IN, Channel.HOTLINE}
    ),
    CaseKind.ENFORCEMENT: frozenset({Channel.PATROL, Channel.COMPLAINT_REFERRAL, Channel.INSPECTION, Channel.TRANSFER}),
}


class ComplaintCategory(Labelled):
    ROAD_OCCUPATION = ("road_occupation", "占道经营", "Road occupation")
    BREAKFAST_STALLS = ("breakfast_stalls", "早餐摊点", "Breakfast stalls")
    CATERING_ORDER = ("catering_order", "餐饮秩序", "Catering order")
    SANITATION = ("sanitation", "环境卫生", "Environmental sanitation")
    NOISE = ("noise", "噪声扰民", "Noise")
    ILLEGAL_CONSTRUCTION = ("illegal_construction", "违法建设", "Illegal construction")
    PARKING = ("parking", "乱停车", "Disorderly parking")
    PROPERTY_MANAGEMENT = ("property_management", "物业管理", "Property management")
    ADMINISTRATIVE_EFFICIENCY = ("administrative_efficiency", "行政效能", "Administrative efficiency")
    OTHER = ("other", "其他", "Other")


class DisputeType(Labelled):
    NEIGHBOUR = ("neighbour", "邻里纠纷", "Neighbour dispute")
    AQUACULTURE_POND = ("aquaculture_pond", "养殖塘纠纷", "Aquaculture-pond dispute")
    ENVIRONMENT = ("environment", "环境纠纷", "Environmental dispute")
    NEW_VILLAGE_CONSTRUCTION = ("new_village_construction", "新农村建设纠纷", "New-village construction dispute")
    LAND_CONTRACT = ("land_contract", "土地承包纠纷", "Land-contract dispute")
    FAMILY = ("family", "婚姻家庭纠纷", "Family dispute")
    LABOUR = ("labour", "劳资纠纷", "Labour dispute")
    PROPERTY_MANAGEMENT = ("property_management", "物业纠纷", "Property-management dispute")


class ViolationType(Labelled):
    ILLEGAL_CONSTRUCTION = ("illegal_construction", "违法建设", "Illegal construction")
    ROAD_OCCUPATION = ("road_occupation", "乱占道", "Road occupation")
    STREET_VENDING = ("street_vending", "流动摊贩", "Street vending")
    DISORDERLY_PARKING = ("disorderly_parking", "乱停车", "Disorderly parking")
    CATERING_FUMES = ("catering_fumes", "餐饮油烟及秩序", "Catering fumes and order")
    SANITATION = ("sanitation", "环境卫生脏乱差", "Environmental sanitation")
    FOOD_SAFETY = ("food_safety", "食品安全", "Food safety")
    WORK_SAFETY = ("work_safety", "安全生产", "Work safety")


class GridLevel(Labelled):
    STREET = ("street", "街长", "Street chief")
    AREA = ("area", "片长", "Area chief")
    DISTRICT = ("district", "区长", "District chief")
