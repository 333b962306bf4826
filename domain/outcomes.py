"""The closed vocabularies of findings, opinions, results and reasons that events record."""

from __future__ import annotations

from domain.labels import Labelled


class PartyRole(Labelled):
    COMPLAINANT = ("complainant", "投诉人", "Complainant")
    WHISTLEBLOWER = ("whistleblower", "举报人", "Whistleblower")
    APPLICANT = ("applicant", "申请人", "Applicant")
    RESPONDENT = ("respondent", "被申请人", "Respondent")
    PARTY = ("party", "当事人", "Party")

    @property
    def is_protected(self) -> bool:
        """Complainant and whistleblower identities are confidential (信访工作条例 Art. 30)."""
        return self in (PartyRole.COMPLAINANT, PartyRole.WHISTLEBLOWER)


class Finding(Labelled):
    SUBSTANTIATED = ("substantiated", "属实", "Substantiated")
    PARTLY = ("partly", "部分属实", "Partly substantiated")
    UNSUBSTANTIATED = ("unsubstantiated", "不属实", "Unsubstantiated")


class ReplyOpinion(Labelled):
    SUPPORT = ("support", "支持", "Supported")
    EXPLAIN = ("explain", "解释", "Explained")
    NOT_SUPPORTED = ("not_supported", "不予支持", "Not supported")


class Satisfaction(Labelled):
    SATISFIED = ("satisfied", "满意", "Satisfied")
    BASICALLY = ("basically", "基本满意", "Basically satisfied")
    DISSATISFIED = ("dissatisfied", "不满意", "Dissatisfied")


class RefusalGround(Labelled):
    PARTY_REFUSES = ("party_refuses", "当事人拒绝调解", "A party refuses mediation")
    COURT = ("court", "属法院管辖", "Belongs to a court")
    ARBITRATION = ("arbitration", "属仲裁管辖", "Belongs to arbitration")
    OTHER_AGENCY = ("other_agency", "属其他机关处理", "Belongs to another agency")


class SessionOutcome(Labelled):
    PROGRESS = ("progress", "取得进展", "Progress made")
    ADJOURNED = ("adjourned", "择期再调", "Adjourned")
    AGREEMENT_REACHED = ("agreement_reached", "达成一致", "Agreement reached")
    FAILED = ("failed", "未能达成一致", "No agreement")


class Performance(Labelled):
    FULFILLED = ("fulfilled", "已履行", "Fulfilled")
    PARTLY = ("partly", "部分履行", "Partly fulfilled")
    NOT_FULFILLED = ("not_fulfilled", "未履行", "Not fulfilled")


class ClockPause(Labelled):
    HEARING = ("hearing", "听证", "Hearing")
    EXPERT_TESTING = ("expert_testing", "检测鉴定", "Expert testing")
    WAITING_ON_PARTY = ("waiting_on_party", "等待当事人", "Waiting on a party")
    PUBLIC_NOTICE = ("public_notice", "公告", "Public notice")


class EvidenceKind(Labelled):
    DOCUMENT = ("document", "书证", "Document")
    PHOTO = ("photo", "照片", "Photograph")
    VIDEO = ("video", "视听资料", "Audio-visual record")
    ONSITE_RECORD = ("onsite_record", "现场笔录", "On-site record")
    TESTIMONY = ("testimony", "询问笔录", "Interview record")
    EXPERT_OPINION = ("expert_opinion", "鉴定意见", "Expert opinion")


class ReviewResult(Labelled):
    APPROVED = ("approved", "审核通过", "Approved")
    RETURNED = ("returned", "退回补充", "Returned with opinions")


class DecisionType(Labelled):
    WARNING = ("warning", "警告", "Warning")
    CRITICISM = ("criticism", "通报批评", "Notice of criticism")
    FINE = ("fine", "罚款", "Fine")
    CONFISCATION = ("confiscation", "没收违法所得、非法财物", "Confiscation")
    ORDER_RECTIFY = ("order_rectify", "责令限期改正", "Order to rectify")
    ORDER_DEMOLISH = ("order_demolish", "责令限期拆除", "Order to demolish")
    NO_PENALTY = ("no_penalty", "不予处罚（首违不罚）", "No penalty (first offence)")
    NOT_ESTABLISHED = ("not_established", "违法事实不能成立", "Violation not established")
    TRANSFER_JUDICIAL = ("transfer_judicial", "移送司法机关", "Transferred to judicial organs")

    @property
    def is_penalty(self) -> bool:
        """A penalty (行政处罚法 Art. 9), which needs prior notice (Art. 44). An order to rectify is not a
        penalty (Art. 28); an order to demolish is treated as one, so the party is heard first."""
        return self in _PENALTIES

    @property
    def needs_execution(self) -> bool:
        """A decision whose execution is recorded before the case closes."""
        return self in _EXECUTED


_PENALTIES = frozenset(
    {
        DecisionType.WARNING,
        DecisionType.CRITICISM,
        DecisionType.FINE,
        DecisionType.CONFISCATION,
        DecisionType.ORDER_DEMOLISH,
    }
)
_EXECUTED = frozenset(
    {DecisionType.FINE, DecisionType.CONFISCATION, DecisionType.ORDER_RECTIFY, DecisionType.ORDER_DEMOLISH}
)


class PartyType(Labelled):
    """Whom a penalty is addressed to: the thresholds of a large fine differ (行政处罚法 Art. 63)."""

    INDIVIDUAL = ("individual", "公民", "Individual")
    ORGANISATION = ("organisation", "法人或者其他组织", "Legal person or other organisation")


class ExecutionResult(Labelled):
    PAID = ("paid", "已缴纳罚没款", "Paid")
    RECTIFIED = ("rectified", "已整改", "Rectified")
    DEMOLISHED = ("demolished", "已拆除", "Demolished")
    ENFORCED = ("enforced", "已强制执行", "Enforced")
