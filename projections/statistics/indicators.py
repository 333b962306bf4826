"""The indicators of the statistics: each number's code, labels, type and section of the report."""

from __future__ import annotations

from dataclasses import dataclass

from domain.outcomes import DecisionType


@dataclass(frozen=True)
class Indicator:
    """One number of the statistics: its code, labels, what it is and which part of the report it is in.

    ``type`` is ``count`` (a whole number), ``rate`` (numerator, denominator, rate), ``days``
    (count, mean, median) or ``amount`` (yuan, as decimal text).
    """

    code: str
    zh: str
    en: str
    type: str
    section: str


SECTIONS = {
    "cases": ("案件总体", "All cases"),
    "complaints": ("投诉办理", "Complaints"),
    "disputes": ("矛盾纠纷调解", "Dispute mediation"),
    "enforcement": ("行政执法", "Enforcement"),
    "rulings": ("容错免责与澄清正名", "Tolerated errors and clearings"),
}


def _decision_indicators() -> list[Indicator]:
    return [
        Indicator(f"decisions_{d.code}", f"决定：{d.zh}", f"Decisions: {d.en}", "count", "enforcement")
        for d in DecisionType
    ]


INDICATORS: tuple[Indicator, ...] = (
    Indicator("received", "收件数", "Received", "count", "cases"),
    Indicator("accepted", "受理数（执法为立案）", "Accepted (enforcement: filed)", "count", "cases"),
    Indicator("not_accepted", "不予受理数", "Not accepted", "count", "cases"),
    Indicator("closed", "办结数", "Closed", "count", "cases"),
    Indicator("open", "在办数", "Open", "count", "cases"),
    Indicator("overdue", "超期在办数", "Open and overdue", "count", "cases"),
    Indicator("on_time_acceptance_rate", "按时签收率", "On-time acceptance", "rate", "cases"),
    Indicator("closure_rate", "办结率", "Closure rate", "rate", "cases"),
    Indicator("on_time_closure_rate", "按期办结率", "On-time closure", "rate", "cases"),
    Indicator("resolution_rate", "解决率", "Resolution rate", "rate", "cases"),
    Indicator("follow_up_rate", "回访率", "Follow-up rate", "rate", "cases"),
    Indicator("satisfaction_rate", "满意率", "Satisfaction", "rate", "cases"),
    Indicator("days_to_close", "办结用时（天）", "Days to close", "days", "cases"),
    Indicator("answered_directly", "当场答复数", "Answered directly", "count", "complaints"),
    Indicator("transferred_out", "转办数", "Transferred out", "count", "complaints"),
    Indicator("repeat_complaints", "重复投诉（并案）数", "Repeat complaints (merged)", "count", "complaints"),
    Indicator("reopen_rate", "发回重办率", "Reopen rate", "rate", "complaints"),
    Indicator("reopenings", "重办次数", "Reopenings", "count", "complaints"),
    Indicator("problem_cases", "问题工单数", "Problem cases", "count", "complaints"),
    Indicator("mediation_success_rate", "调解成功率", "Mediation success", "rate", "disputes"),
    Indicator("agreements", "达成调解协议数", "Agreements", "count", "disputes"),
    Indicator("mediation_ended", "调解终止数", "Mediation ended", "count", "disputes"),
    Indicator("fulfilment_rate", "协议履行率", "Fulfilment", "rate", "disputes"),
    Indicator("confirmations_applied", "申请司法确认数", "Judicial confirmation applied for", "count", "disputes"),
    Indicator("judicial_confirmations", "司法确认数", "Judicial confirmations", "count", "disputes"),
    Indicator("at_risk", "激化风险纠纷数", "Disputes at risk of escalating", "count", "disputes"),
    Indicator("enforcement_filed", "执法立案数", "Enforcement cases filed", "count", "enforcement"),
    Indicator("enforcement_not_filed", "不予立案数", "Not filed", "count", "enforcement"),
    Indicator("decisions", "作出处理决定数", "Decisions", "count", "enforcement"),
    *_decision_indicators(),
    Indicator("fines_total", "罚款金额（元）", "Fines (yuan)", "amount", "enforcement"),
    Indicator("hearings_requested", "申请听证数", "Hearings requested", "count", "enforcement"),
    Indicator("hearings_held", "举行听证数", "Hearings held", "count", "enforcement"),
    Indicator(
        "legality_review_coverage_rate",
        "重大执法决定法制审核率",
        "Legality-review coverage of major decisions",
        "rate",
        "enforcement",
    ),
    Indicator("publication_on_time_rate", "执法决定按时公示率", "Decisions published on time", "rate", "enforcement"),
    Indicator("ruling_requests", "容错免责申请数", "Tolerated-error requests", "count", "rulings"),
    Indicator("ruling_appeal_reviews", "其中申诉复核", "Of which appeal reviews", "count", "rulings"),
    Indicator("rulings_pending", "办理中", "Pending", "count", "rulings"),
    Indicator("rulings_declined", "不予受理", "Declined", "count", "rulings"),
    Indicator("rulings_exempted", "免责", "Exempted", "count", "rulings"),
    Indicator("rulings_mitigated", "减责", "Mitigated", "count", "rulings"),
    Indicator("rulings_not_tolerated", "不予容错", "Not tolerated", "count", "rulings"),
    Indicator("rulings_appealed", "已申诉", "Appealed", "count", "rulings"),
    Indicator("clearings_proposed", "澄清正名提出数", "Clearings proposed", "count", "rulings"),
    Indicator("clearings_cleared", "已澄清正名数", "Cadres cleared", "count", "rulings"),
)
RECORD_INDICATORS = frozenset(i.code for i in INDICATORS if i.code.startswith(("ruling", "clearing")))
"""Indicators of rulings and clearings, which group by unit only."""
