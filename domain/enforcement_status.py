"""The statuses of an enforcement case (执法案件), and where a legality review leads."""

from __future__ import annotations

from domain.labels import Labelled
from domain.outcomes import ReviewResult


class EnforcementStatus(Labelled):
    CLUE = ("clue", "线索", "Clue")
    FILED = ("filed", "已立案", "Filed")
    NOT_FILED = ("not_filed", "不予立案", "Not filed")
    INVESTIGATING = ("investigating", "调查取证", "Under investigation")
    CONCLUDED = ("concluded", "调查终结", "Investigation concluded")
    UNDER_REVIEW = ("under_review", "法制审核中", "Under legality review")
    REVIEWED = ("reviewed", "法制审核通过", "Legality review approved")
    NOTIFIED = ("notified", "已事先告知", "Prior notice given")
    HEARING_REQUESTED = ("hearing_requested", "已申请听证", "Hearing requested")
    HEARD = ("heard", "已听证", "Hearing held")
    DISCUSSED = ("discussed", "已集体讨论", "Collectively discussed")
    DECIDED = ("decided", "已作出决定", "Decided")
    SERVED = ("served", "已送达", "Served")
    PUBLISHED = ("published", "已公示", "Published")
    EXECUTED = ("executed", "已执行", "Executed")
    CLOSED = ("closed", "已结案", "Closed")


S = EnforcementStatus


def status_after_review(result: ReviewResult, submitted_from: EnforcementStatus | None) -> EnforcementStatus:
    """Where a legality review leads: approved, back to where the case was submitted from (a concluded
    investigation becoming reviewed); returned, to investigation."""
    if result is not ReviewResult.APPROVED:
        return S.INVESTIGATING
    return S.REVIEWED if submitted_from in (None, S.CONCLUDED) else submitted_from
