"""Statistics and the annual report, on SQLite and PostgreSQL: each indicator means what its
definition says on cases whose numbers are worked out by hand."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.ledger import CaseLedger
from domain.actor import Actor, Role
from domain.clearing import AccusationFinding, ClearingMethod
from domain.errors import InvalidValue
from domain.kinds import ViolationType
from domain.outcomes import (
    DecisionType,
    EvidenceKind,
    ExecutionResult,
    Finding,
    Performance,
    RefusalGround,
    ReplyOpinion,
    ReviewResult,
    Satisfaction,
    SessionOutcome,
)
from domain.time import local_date
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect
from projections.case_index import CaseIndex
from projections.report import annual_report, report_csv
from projections.report_html import report_html
from projections.runner import ProjectionRunner
from projections.statistics import INDICATORS, Period, Statistics, periods_of
from projections.statistics.facts import CASE_COLUMNS, CaseColumns, CaseFacts
from projections.store import ReadStore
from tests.projections.desk import MEDIATOR, OFFICERS, Desk
from tests.support import CLERK, DISCIPLINE, FINE, HANDLER, HASH, REVIEWER, SUPERVISOR, Clock

CITY, MARKET = HANDLER.unit, "市场监管所"
MARKET_HANDLER = Actor("handler-9", Role.HANDLER, MARKET)
START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
LATE = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)
YEAR = [Period("year", 2025)]
PARTIES = ["李建国", "赵国强"]
LEADERS = ["张立平", "陈海军", "吴秀英"]


class Counted:
    """The statistics projection over the ``ledger`` fixture's store, kept up to date on demand."""

    def __init__(self, ledger: CaseLedger, store: ReadStore, case_index: CaseIndex) -> None:
        self.statistics = Statistics(store, ledger.rules, ledger.calendar)
        self.runners = [ProjectionRunner(ledger, store, p) for p in (self.statistics, case_index)]

    def catch_up(self) -> None:
        for runner in self.runners:
            runner.run_once()

    def year(self, group_by: str | None = None, as_of: datetime = LATE) -> dict[str, Any]:
        result = self.statistics.indicators(YEAR, group_by, as_of=as_of)["periods"][0]
        if group_by is None:
            return dict(result["total"])
        return {group["key"]: group["indicators"] for group in result["groups"]}


@pytest.fixture
def counted(ledger: CaseLedger, read_store: ReadStore, case_index: CaseIndex) -> Counted:
    return Counted(ledger, read_store, case_index)


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": None if denominator == 0 else round(numerator / denominator, 4),
    }


def replied(desk: Desk, case: UUID, unit: str = CITY, *, days: float = 0) -> None:
    handler = HANDLER if unit == CITY else MARKET_HANDLER
    desk.do("dispatch_complaint", case, SUPERVISOR, unit, [])
    desk.do("investigate_complaint", case, handler, Finding.SUBSTANTIATED, "属实", days=days)
    desk.do("reply_to_complaint", case, handler, ReplyOpinion.SUPPORT, "事实", "理由", "依据")


@pytest.fixture
def complaints(ledger: CaseLedger, counted: Counted) -> dict[str, UUID]:
    """Six complaints whose every number is known (see each one's comment)."""
    desk = Desk(ledger, Clock(START))
    c: dict[str, UUID] = {}
    c["a"] = desk.complaint("a")  # accepted at once, on time, visited satisfied, closed resolved
    desk.do("accept_complaint", c["a"], SUPERVISOR)
    replied(desk, c["a"], days=5)
    desk.do("visit_complainant", c["a"], CLERK, Satisfaction.SATISFIED)
    desk.do("close_complaint", c["a"], SUPERVISOR, True, days=2)
    c["b"] = desk.complaint("b")  # refused
    desk.do("refuse_complaint", c["b"], SUPERVISOR, "属诉讼事项", "向人民法院起诉")
    c["c"] = desk.complaint("c")  # accepted and left open: overdue by December
    desk.do("accept_complaint", c["c"], SUPERVISOR)
    desk.do("dispatch_complaint", c["c"], SUPERVISOR, CITY, [])
    c["e"] = desk.complaint("e")  # merged into c while registered: a repeat complaint, never accepted
    desk.do("merge_complaint", c["e"], SUPERVISOR, c["c"], "重复投诉")
    c["f"] = desk.complaint("f", anonymous=True)  # anonymous, answered directly, closed without a visit
    desk.do("answer_complaint", c["f"], CLERK, ReplyOpinion.EXPLAIN, "当场解释")
    desk.do("close_complaint", c["f"], SUPERVISOR, True)
    c["d"] = desk.complaint("d")  # accepted late, replied late, reopened, finally basically satisfied, unresolved
    desk.do("accept_complaint", c["d"], SUPERVISOR, days=20)
    replied(desk, c["d"], MARKET, days=70)
    desk.do("visit_complainant", c["d"], CLERK, Satisfaction.DISSATISFIED)
    desk.do("reopen_complaint", c["d"], SUPERVISOR, "回访不满意")
    replied(desk, c["d"], MARKET)
    desk.do("visit_complainant", c["d"], CLERK, Satisfaction.BASICALLY)
    desk.do("close_complaint", c["d"], SUPERVISOR, False, "群众诉求部分无法满足")
    counted.catch_up()
    return c


def test_complaint_indicators_follow_their_definitions(
    ledger: CaseLedger, counted: Counted, complaints: dict[str, UUID]
) -> None:
    got = counted.year("kind")["complaint"]
    assert {k: got[k] for k in ("received", "accepted", "not_accepted", "closed", "open", "overdue")} == {
        "received": 6,
        "accepted": 4,
        "not_accepted": 1,
        "closed": 3,
        "open": 1,
        "overdue": 1,
    }
    assert (got["answered_directly"], got["repeat_complaints"], got["transferred_out"]) == (1, 1, 0)
    assert got["on_time_acceptance_rate"] == rate(5, 6), "d was accepted 20 days after registration"
    assert got["closure_rate"] == rate(3, 4), "accepted: a, c, d and the answered f"
    assert got["on_time_closure_rate"] == rate(2, 4), "a and f on time; d late; c open and overdue"
    assert got["resolution_rate"] == rate(2, 3)
    assert got["follow_up_rate"] == rate(2, 2), "the anonymous f had nobody to visit"
    assert got["satisfaction_rate"] == rate(2, 2), "d's latest visit was basically satisfied"
    assert got["reopen_rate"] == rate(1, 2)
    assert (got["reopenings"], got["problem_cases"]) == (1, 0)
    durations = sorted(
        (local_date(ledger.repository.get(c).last_at) - local_date(ledger.repository.get(c).filed_at)).days
        for c in (complaints["a"], complaints["d"], complaints["f"])
    )
    assert got["days_to_close"] == {
        "count": 3,
        "mean": round(sum(durations) / 3, 2),
        "median": float(durations[1]),
    }
    assert counted.year("kind", as_of=START + timedelta(days=5))["complaint"]["overdue"] == 0


def test_cases_merged_or_transferred_after_acceptance_leave_the_closure_rate(
    ledger: CaseLedger, counted: Counted
) -> None:
    desk = Desk(ledger, Clock(START))
    target, merged, transferred = desk.complaint("target"), desk.complaint("merged"), desk.complaint("transferred")
    for case in (merged, transferred):
        desk.do("accept_complaint", case, SUPERVISOR)
    desk.do("dispatch_complaint", merged, SUPERVISOR, CITY, [])
    desk.do("merge_complaint", merged, SUPERVISOR, target, "重复投诉")
    desk.do("transfer_complaint", transferred, SUPERVISOR, "县市场监督管理局", "属其职责")
    counted.catch_up()
    got = counted.year()
    assert (got["received"], got["accepted"], got["open"]) == (3, 2, 1)
    assert (got["repeat_complaints"], got["transferred_out"]) == (1, 1)
    assert got["closure_rate"] == rate(0, 0) and got["on_time_acceptance_rate"] == rate(2, 3), "target is late"


def test_open_and_overdue_are_judged_on_the_day_asked(counted: Counted, complaints: dict[str, UUID]) -> None:
    early, late = counted.year(as_of=START + timedelta(days=10)), counted.year()
    assert (early["open"], early["overdue"]) == (late["open"], 0) == (1, 0)
    assert late["overdue"] == 1
    assert early["on_time_closure_rate"] == rate(2, 3), "c is not yet late"


def test_grouped_by_unit_and_channel_the_groups_add_up(counted: Counted, complaints: dict[str, UUID]) -> None:
    by_unit = counted.year("unit")
    assert set(by_unit) == {"", CITY, MARKET}
    assert (by_unit[CITY]["received"], by_unit[MARKET]["received"], by_unit[""]["received"]) == (2, 1, 3)
    assert by_unit[CITY]["overdue"] == 1 and by_unit[MARKET]["on_time_closure_rate"] == rate(0, 1)
    total = counted.year()
    for code in ("received", "accepted", "closed", "open"):
        assert sum(group[code] for group in by_unit.values()) == total[code]
    groups = counted.statistics.indicators(YEAR, "unit", as_of=LATE)["periods"][0]["groups"]
    assert groups[0]["label"] == {"code": "", "zh": "未分派", "en": "Not assigned"}
    channels = counted.statistics.indicators(YEAR, "channel", as_of=LATE)["periods"][0]["groups"]
    assert [(g["key"], g["label"]["zh"]) for g in channels] == [("hotline", "投诉电话")]
    categories = counted.statistics.indicators(YEAR, "category", as_of=LATE)["periods"][0]["groups"]
    assert [g["label"]["zh"] for g in categories] == ["投诉·占道经营"]


def test_a_case_counts_in_the_shanghai_month_it_came_in(ledger: CaseLedger, counted: Counted) -> None:
    desk = Desk(ledger, Clock(datetime(2025, 3, 31, 15, 58, tzinfo=UTC)))
    desk.complaint("march")
    desk.complaint("april", days=0.0)
    desk.clock.moment = datetime(2025, 3, 31, 16, 30, tzinfo=UTC)
    desk.complaint("april-too")
    counted.catch_up()
    months = counted.statistics.indicators(periods_of("month", 2025), as_of=LATE)["periods"]
    assert [m["total"]["received"] for m in months][2:4] == [1, 2]
    assert [m["period"]["code"] for m in months][:2] == ["2025-01", "2025-02"]
    quarters = counted.statistics.indicators(periods_of("quarter", 2025), as_of=LATE)["periods"]
    assert [q["total"]["received"] for q in quarters] == [1, 2, 0, 0]
    assert quarters[1]["period"] == {
        "code": "2025-Q2",
        "kind": "quarter",
        "zh": "2025年第2季度",
        "en": "Q2 2025",
        "start": "2025-04-01",
        "end": "2025-06-30",
    }
    empty = counted.statistics.indicators([Period("month", 2025, 7)], "kind", as_of=LATE)["periods"][0]
    assert empty["groups"] == [] and empty["total"]["received"] == 0
    assert empty["total"]["closure_rate"] == rate(0, 0) and empty["total"]["days_to_close"]["mean"] is None


def test_dispute_indicators_follow_their_definitions(ledger: CaseLedger, counted: Counted) -> None:
    desk = Desk(ledger, Clock(START))

    def mediating(key: str) -> UUID:
        case = desk.dispute(key)
        desk.do("accept_dispute", case, SUPERVISOR)
        desk.do("assign_mediator", case, SUPERVISOR, "叶调解", MEDIATOR.unit)
        desk.do("investigate_dispute", case, MEDIATOR, "走访")
        desk.do(
            "hold_mediation_session", case, MEDIATOR, desk.clock.moment.date(), PARTIES, "笔录", SessionOutcome.PROGRESS
        )
        return case

    def agreed(key: str) -> UUID:
        case = mediating(key)
        perform_by = desk.clock.moment.date() + timedelta(days=30)
        desk.do("record_agreement", case, MEDIATOR, PARTIES, "事实", "责任", "条款", "履行", perform_by)
        return case

    confirmed = agreed("confirmed")
    desk.do("apply_for_confirmation", confirmed, MEDIATOR, "县人民法院", True)
    desk.do("record_confirmation", confirmed, MEDIATOR, True, "（2025）浙0000民特1号")
    desk.do("check_performance", confirmed, MEDIATOR, Performance.FULFILLED)
    desk.do("visit_dispute_parties", confirmed, CLERK, Satisfaction.SATISFIED)
    desk.do("close_dispute", confirmed, SUPERVISOR, True)
    ended = mediating("ended")
    desk.do("end_mediation", ended, MEDIATOR, "一方拒绝", "向法院起诉")
    desk.do("visit_dispute_parties", ended, CLERK, Satisfaction.DISSATISFIED)
    desk.do("close_dispute", ended, SUPERVISOR, False, "调解不成")
    desk.do("check_performance", agreed("partly"), MEDIATOR, Performance.PARTLY)
    desk.do("refuse_dispute", desk.dispute("refused"), SUPERVISOR, RefusalGround.COURT, "县人民法院", "已起诉")
    desk.do("flag_dispute_risk", mediating("risky"), MEDIATOR, "言语冲突", "综治中心")
    counted.catch_up()
    got = counted.year("kind")["dispute"]
    assert (got["received"], got["accepted"], got["not_accepted"], got["closed"]) == (5, 4, 1, 2)
    assert got["mediation_success_rate"] == rate(2, 3)
    assert (got["agreements"], got["mediation_ended"], got["at_risk"]) == (2, 1, 1)
    assert got["fulfilment_rate"] == rate(1, 2), "partly fulfilled is not fulfilled"
    assert (got["confirmations_applied"], got["judicial_confirmations"]) == (1, 1)
    assert got["satisfaction_rate"] == rate(1, 2) and got["follow_up_rate"] == rate(2, 2)
    assert got["resolution_rate"] == rate(1, 2) and got["reopen_rate"] == rate(0, 0)
    assert counted.year("unit")[MEDIATOR.unit]["received"] == 4


def test_enforcement_indicators_follow_their_definitions(ledger: CaseLedger, counted: Counted) -> None:
    desk = Desk(ledger, Clock(START))

    def concluded(key: str, proposed: DecisionType, *, major: bool) -> UUID:
        case = desk.clue(key, category=ViolationType.ILLEGAL_CONSTRUCTION)
        desk.do("file_enforcement_case", case, SUPERVISOR, "立案", CITY)
        desk.do("start_investigation", case, SUPERVISOR, OFFICERS)
        desk.do("add_evidence", case, HANDLER, EvidenceKind.PHOTO, "照片", HASH, OFFICERS[0])
        desk.do("conclude_investigation", case, HANDLER, proposed, major, False, "终结")
        return case

    fined = concluded("fined", DecisionType.FINE, major=True)
    desk.do("submit_for_review", fined, HANDLER)
    desk.do("review_legality", fined, REVIEWER, ReviewResult.APPROVED, "")
    desk.do("give_prior_notice", fined, HANDLER, DecisionType.FINE, FINE + Decimal("0.50"), "权利")
    desk.do("request_hearing", fined, HANDLER)
    desk.do("hold_hearing", fined, REVIEWER, "王主持", ["张执法"], "笔录", days=3)
    desk.do("hold_collective_discussion", fined, SUPERVISOR, LEADERS, "同意")
    desk.do("decide_case", fined, SUPERVISOR, DecisionType.FINE, FINE + Decimal("0.50"), "理由", "依据")
    desk.do("serve_decision", fined, HANDLER, "直接送达")
    desk.do("publish_decision", fined, HANDLER, "门户网站", days=5)
    desk.do("execute_decision", fined, HANDLER, ExecutionResult.PAID)
    desk.do("close_enforcement_case", fined, SUPERVISOR)
    unpublished = concluded("unpublished", DecisionType.NO_PENALTY, major=False)
    desk.do("decide_case", unpublished, SUPERVISOR, DecisionType.NO_PENALTY, None, "首违不罚", "第三十三条")
    desk.do("serve_decision", unpublished, HANDLER, "直接送达")
    late = concluded("late", DecisionType.TRANSFER_JUDICIAL, major=False)
    desk.do("decide_case", late, SUPERVISOR, DecisionType.TRANSFER_JUDICIAL, None, "涉嫌犯罪", "第二十七条")
    desk.do("serve_decision", late, HANDLER, "直接送达")
    desk.do("publish_decision", late, HANDLER, "门户网站", days=40)
    desk.do("decline_enforcement_case", desk.clue("declined"), SUPERVISOR, "不属违法行为")
    counted.catch_up()
    got = counted.year("kind")["enforcement"]
    assert (got["received"], got["enforcement_filed"], got["enforcement_not_filed"], got["decisions"]) == (4, 3, 1, 3)
    assert (got["accepted"], got["not_accepted"], got["closed"]) == (3, 1, 1)
    by_type = {d.code: got[f"decisions_{d.code}"] for d in DecisionType}
    assert by_type == {d.code: int(d.code in {"fine", "no_penalty", "transfer_judicial"}) for d in DecisionType}
    assert got["fines_total"] == "2000.50"
    assert (got["hearings_requested"], got["hearings_held"]) == (1, 1)
    assert got["legality_review_coverage_rate"] == rate(1, 1)
    assert got["publication_on_time_rate"] == rate(1, 3), "one late, one never published past its limit"
    soon = counted.year("kind", as_of=START + timedelta(days=1))["enforcement"]
    assert soon["publication_on_time_rate"] == rate(1, 2), "the unpublished one is not yet due"
    assert got["on_time_closure_rate"] == rate(1, 1)


def test_rulings_and_clearings_count_by_the_cadres_unit(ledger: CaseLedger, counted: Counted) -> None:
    clock = Clock(START)

    def request(key: str, unit: str) -> UUID:
        return ledger.request_ruling(
            key,
            DISCIPLINE,
            cadre_id=key,
            cadre_name="孙某某",
            unit=unit,
            case_ids=[],
            error="差错",
            consequences="后果",
            circumstances="情节",
            motive="动机",
            proposed_by_unit=False,
            at=clock(),
        ).id

    exempted, pending, declined = request("r1", CITY), request("r2", CITY), request("r3", MARKET)
    ledger.accept_ruling(exempted, 1, DISCIPLINE, at=clock())
    ledger.verify_ruling(exempted, 2, DISCIPLINE, list(ToleranceCondition), False, "核实", at=clock())
    ledger.deliberate_ruling(exempted, 3, DISCIPLINE, LEADERS, "研究", at=clock())
    ledger.issue_ruling(exempted, 4, DISCIPLINE, RulingOutcome.EXEMPTED, [ToleranceEffect.AWARDS], "依据", at=clock())
    ledger.accept_ruling(pending, 1, DISCIPLINE, at=clock())
    ledger.decline_ruling(declined, 1, DISCIPLINE, "不属容错范围", at=clock())
    for key in ("k1", "k2"):
        cleared = ledger.propose_clearing(
            key,
            DISCIPLINE,
            cadre_id=key,
            cadre_name="钱某某",
            unit=MARKET,
            accusation="举报",
            investigation="调查",
            finding=AccusationFinding.FALSE,
            at=clock(),
        ).id
    ledger.approve_clearing(cleared, 1, DISCIPLINE, at=clock())
    ledger.clear_cadre(cleared, 2, DISCIPLINE, ClearingMethod.MEETING_NOTICE, "全街道", at=clock())
    counted.catch_up()
    total = counted.year()
    assert {k: v for k, v in total.items() if k.startswith(("ruling", "clearing"))} == {
        "ruling_requests": 3,
        "ruling_appeal_reviews": 0,
        "rulings_pending": 1,
        "rulings_declined": 1,
        "rulings_exempted": 1,
        "rulings_mitigated": 0,
        "rulings_not_tolerated": 0,
        "rulings_appealed": 0,
        "clearings_proposed": 2,
        "clearings_cleared": 1,
    }
    by_unit = counted.year("unit")
    assert (by_unit[CITY]["ruling_requests"], by_unit[MARKET]["ruling_requests"]) == (2, 1)
    assert by_unit[MARKET]["clearings_cleared"] == 1 and by_unit[CITY]["received"] == 0
    assert list(total) == [i.code for i in INDICATORS]


def test_the_statistics_tables_hold_no_identity(
    ledger: CaseLedger, read_store: ReadStore, counted: Counted, complaints: dict[str, UUID]
) -> None:
    with read_store.transaction(readonly=True) as cursor:
        stored = ""
        for table in ("stat_cases", "stat_case_states", "stat_rulings", "stat_clearings"):
            cursor.execute(f"SELECT * FROM {table}")
            stored += repr(cursor.fetchall())
    for secret in ("王秀兰", "13800000000", "330000199001010000", "早餐摊点占用人行道经营"):
        assert secret not in stored


def test_each_stat_cases_row_holds_the_named_columns_of_its_case_facts(
    read_store: ReadStore, counted: Counted, complaints: dict[str, UUID]
) -> None:
    with read_store.transaction(readonly=True) as cursor:
        cursor.execute(f"SELECT {', '.join(CASE_COLUMNS)} FROM stat_cases WHERE id = %s", (str(complaints["d"]),))
        found = cursor.fetchone()
        cursor.execute("SELECT state FROM stat_case_states WHERE id = %s", (str(complaints["d"]),))
        state = cursor.fetchone()
    assert found is not None and state is not None
    stored = CaseColumns(*found)
    assert stored == CaseFacts.from_state(str(state[0])).values()
    assert (stored.kind, stored.unit, stored.status, stored.closed, stored.reopenings) == (
        "complaint",
        MARKET,
        "closed",
        1,
        1,
    )
    assert (stored.visited, stored.satisfied, stored.resolved, stored.main_missed, stored.pending) == (1, 1, 0, 1, 0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.indicators(YEAR, "colour"), "group_by"),
        (lambda s: s.indicators([Period("month", 2025, 13)]), "month"),
        (lambda s: s.indicators([Period("week", 2025)]), "period"),
        (lambda s: s.indicators([Period("year", 1999)]), "year"),
        (lambda s: s.indicators(YEAR, as_of=datetime(2025, 1, 1)), "as_of"),
    ],
)
def test_bad_arguments_name_the_field(counted: Counted, call: Any, field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        call(counted.statistics)
    assert error.value.field == field


def test_the_annual_report_as_data_csv_and_html(counted: Counted, complaints: dict[str, UUID]) -> None:
    report = annual_report(counted.statistics, 2025, as_of=LATE)
    assert report["indicators"]["received"] == 6 and len(report["monthly"]) == 12
    assert report["monthly"][2]["received"] == 6 and report["by_kind"][0]["kind"]["code"] == "complaint"
    assert [h["code"] for h in report["headline"]] == ["complaints", "disputes", "enforcement", "rulings"]
    assert report["headline"][0]["zh"].startswith("登记群众投诉6件，受理4件，办结3件，办结率75.0%")
    assert "on-time closure 50.0%" in report["headline"][0]["en"]
    assert "调解成功率—" in report["headline"][1]["zh"], "no dispute: no rate, not 0%"

    text = report_csv(report)
    assert text.startswith("\ufeffsection,code,")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["code"] for row in rows] == [i.code for i in INDICATORS]
    by_code = {row["code"]: row for row in rows}
    assert (by_code["closure_rate"]["value"], by_code["closure_rate"]["numerator"]) == ("0.75", "3")
    assert by_code["days_to_close"]["denominator"] == "3" and by_code["received"]["value"] == "6"
    assert by_code["satisfaction_rate"]["指标"] == "满意率"

    page = report_html(report)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "<script" not in page
    assert page.index("满意率") < page.index("Satisfaction")
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(charts) == 3
    for chart in charts:
        ET.fromstring(chart)
    assert "王秀兰" not in page and "早餐摊点" not in page
