"""The read side's statuses are the domain's: after every event of every transition, the case index's row,
the ruling index and the statistics hold the status the record itself has once that event is applied.

The records are walked through every transition of their lifecycle tables (a test checks none is left
out), and each history is replayed event by event into a fresh aggregate and into the projection.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest

from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.clearing import AccusationFinding, Clearing, ClearingMethod
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase, EnforcementStatus
from domain.lifecycle import transitions_by_event
from domain.outcomes import (
    ClockPause,
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
from domain.rules import RuleTable
from domain.time import local_date
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect, ToleranceRuling
from projections.case_row import CaseRow
from projections.queues import RulingIndex
from projections.statistics import Statistics
from projections.store import ReadStore
from tests.support import (
    CLERK,
    DISCIPLINE,
    FINE,
    HANDLER,
    HASH,
    REVIEWER,
    SUPERVISOR,
    Clock,
    new_complaint,
    new_dispute,
    new_enforcement,
)

RULES = RuleTable.statutory()
CALENDAR = WorkingCalendar.default()
OFFICERS = ["张执法", "刘执法"]
LEADERS = ["张立平", "陈海军", "吴秀英"]


def shared(case: Case, clock: Clock, pause: ClockPause) -> None:
    """The actions every kind shares, on an open case."""
    case.supervise(SUPERVISOR, clock(), "群众反映强烈")
    case.remind(SUPERVISOR, clock(), "请加快办理")
    case.link(CLERK, clock(), new_complaint(clock, "c-other").id, "同一地点")
    case.correct(CLERK, clock(), 1, "描述有误", description="描述更正")
    case.pause_clock(HANDLER, clock(), pause, "暂停计时", RULES)
    case.resume_clock(HANDLER, clock())


def complaints(clock: Clock) -> list[Complaint]:
    main = new_complaint(clock, "c-main")
    main.accept(SUPERVISOR, clock())
    shared(main, clock, ClockPause.WAITING_ON_PARTY)
    main.extend_deadline(SUPERVISOR, clock(), 20, "情况复杂", RULES)
    main.dispatch(SUPERVISOR, clock(), "市场监管所", [])
    main.return_to_dispatcher(HANDLER, clock(), "不属本单位职责", CALENDAR, RULES)
    main.dispatch(SUPERVISOR, clock(), "城管执法中队", ["市场监管所"])
    main.investigate(HANDLER, clock(), Finding.SUBSTANTIATED, "属实")
    main.dispose(HANDLER, clock(), "责令整改")
    main.reply(HANDLER, clock(), ReplyOpinion.SUPPORT, "事实", "理由", "依据")
    main.visit(CLERK, clock(), Satisfaction.DISSATISFIED)
    main.reopen(SUPERVISOR, clock(), "回访不满意")
    main.dispatch(SUPERVISOR, clock(), "城管执法中队", [])
    main.investigate(HANDLER, clock(), Finding.PARTLY, "部分属实")
    main.reply(HANDLER, clock(), ReplyOpinion.EXPLAIN, "事实", "理由", "依据")
    main.visit(CLERK, clock(), Satisfaction.SATISFIED)
    main.close(SUPERVISOR, clock(), resolved=True)
    refused = new_complaint(clock, "c-refused")
    refused.not_accept(SUPERVISOR, clock(), "属诉讼事项", "向人民法院起诉")
    answered = new_complaint(clock, "c-answered")
    answered.answer_directly(CLERK, clock(), ReplyOpinion.EXPLAIN, "当场解释")
    answered.visit(CLERK, clock(), Satisfaction.BASICALLY)
    answered.close(SUPERVISOR, clock(), resolved=True)
    merged = new_complaint(clock, "c-merged")
    merged.merge_into(SUPERVISOR, clock(), main.id, "重复投诉")
    transferred = new_complaint(clock, "c-transferred")
    transferred.transfer_out(SUPERVISOR, clock(), "区市场监管局", "不属本办职责")
    return [main, refused, answered, merged, transferred]


def disputes(clock: Clock) -> list[Dispute]:
    main = new_dispute(clock, "d-main")
    main.flag_risk(HANDLER, clock(), "双方冲突激烈", "派出所")
    main.accept(SUPERVISOR, clock())
    shared(main, clock, ClockPause.WAITING_ON_PARTY)
    main.extend_deadline(SUPERVISOR, clock(), 10, "双方同意延长", RULES, parties_consent=True)
    main.assign_mediator(SUPERVISOR, clock(), "陈调解", "东湖村人民调解委员会")
    main.recuse(SUPERVISOR, clock(), "与一方有亲属关系")
    main.assign_mediator(SUPERVISOR, clock(), "王调解", "东湖村人民调解委员会")
    main.investigate(HANDLER, clock(), "走访双方")
    at = clock()
    main.hold_session(HANDLER, at, local_date(at), ["王调解", "李建国", "赵国强"], "双方陈述", SessionOutcome.PROGRESS)
    at = clock()
    main.agree(HANDLER, at, ["李建国", "赵国强"], "事实", "责任", "条款", "履行", local_date(at) + timedelta(days=3))
    main.apply_for_confirmation(HANDLER, clock(), "区人民法院", True, RULES)
    main.record_confirmation(HANDLER, clock(), True, "(2025)民特00号")
    main.check_performance(HANDLER, clock(days=3), Performance.FULFILLED)
    main.visit(CLERK, clock(), Satisfaction.SATISFIED)
    main.close(SUPERVISOR, clock(), resolved=True)
    refused = new_dispute(clock, "d-refused")
    refused.refuse(SUPERVISOR, clock(), RefusalGround.PARTY_REFUSES, "", "一方拒绝调解")
    ended = new_dispute(clock, "d-ended")
    ended.accept(SUPERVISOR, clock())
    ended.assign_mediator(SUPERVISOR, clock(), "陈调解", "东湖村人民调解委员会")
    ended.end_mediation(HANDLER, clock(), "无法达成一致", "向人民法院起诉")
    ended.visit(CLERK, clock(), Satisfaction.BASICALLY)
    ended.close(SUPERVISOR, clock(), resolved=False, reason="调解不成")
    return [main, refused, ended]


def concluded(clock: Clock, key: str) -> EnforcementCase:
    case = new_enforcement(clock, key)
    case.file(SUPERVISOR, clock(), "违法事实初步成立", "城管执法中队")
    case.start_investigation(SUPERVISOR, clock(), OFFICERS)
    case.add_evidence(HANDLER, clock(), EvidenceKind.PHOTO, "现场照片", HASH, "张执法")
    case.conclude_investigation(HANDLER, clock(), DecisionType.FINE, True, False, "调查终结")
    return case


def enforcement_cases(clock: Clock) -> list[EnforcementCase]:
    main = concluded(clock, "e-main")
    shared(main, clock, ClockPause.EXPERT_TESTING)
    main.extend_deadline(SUPERVISOR, clock(), 30, "案情复杂", RULES)
    main.submit_for_review(HANDLER, clock())
    main.review_legality(REVIEWER, clock(), ReviewResult.APPROVED, "")
    main.give_prior_notice(HANDLER, clock(), DecisionType.FINE, FINE, "陈述、申辩、听证权利", hearing_offered=True)
    main.request_hearing(HANDLER, clock(), CALENDAR, RULES)
    main.hold_hearing(SUPERVISOR, clock(), "周主持", ["当事人"], "听证笔录")
    main.submit_for_review(HANDLER, clock())
    main.review_legality(REVIEWER, clock(), ReviewResult.APPROVED, "")
    main.discuss(SUPERVISOR, clock(), LEADERS, "同意处罚")
    main.decide(SUPERVISOR, clock(), DecisionType.FINE, FINE, "违法建设", "《城乡规划法》第六十四条")
    main.serve(HANDLER, clock(), "直接送达")
    main.publish(HANDLER, clock(), "区政府门户网站")
    main.execute(HANDLER, clock(), ExecutionResult.PAID)
    main.close(SUPERVISOR, clock())
    declined = new_enforcement(clock, "e-declined")
    declined.decline(SUPERVISOR, clock(), "证据不足")
    returned = concluded(clock, "e-returned")
    returned.give_prior_notice(HANDLER, clock(), DecisionType.FINE, FINE, "陈述、申辩权利")
    returned.submit_for_review(HANDLER, clock())
    returned.review_legality(REVIEWER, clock(), ReviewResult.APPROVED, "")
    returned.submit_for_review(HANDLER, clock())
    returned.review_legality(REVIEWER, clock(), ReviewResult.RETURNED, "证据不足，补充调查")
    return [main, declined, returned]


def rulings(clock: Clock) -> list[ToleranceRuling]:
    common: dict[str, Any] = {
        "cadre_id": "cadre-7",
        "cadre_name": "刘某",
        "unit": "城管执法中队",
        "case_ids": [],
        "error": "程序瑕疵",
        "consequences": "轻微",
        "circumstances": "紧急处置",
        "motive": "出于公心",
        "proposed_by_unit": False,
        "actor": DISCIPLINE,
    }
    ruled = ToleranceRuling.request(request_key="r-ruled", at=clock(), **common)
    ruled.accept(DISCIPLINE, clock())
    ruled.verify(DISCIPLINE, clock(), list(ToleranceCondition), False, "逐项核实")
    ruled.deliberate(DISCIPLINE, clock(), LEADERS, "集体研究")
    ruled.rule(DISCIPLINE, clock(), RulingOutcome.EXEMPTED, [ToleranceEffect.AWARDS], "容错规定第五条")
    ruled.notify(DISCIPLINE, clock(), "刘某")
    ruled.file_upward(DISCIPLINE, clock(), "区纪委")
    ruled.appeal(DISCIPLINE, clock(), "不服认定")
    declined = ToleranceRuling.request(request_key="r-declined", at=clock(), **common)
    declined.decline(DISCIPLINE, clock(), "不属容错范围")
    return [ruled, declined]


def clearings(clock: Clock) -> list[Clearing]:
    clearing = Clearing.propose(
        request_key="k-1",
        cadre_id="cadre-7",
        cadre_name="刘某",
        unit="城管执法中队",
        accusation="举报收受礼品",
        investigation="经查无此事",
        finding=AccusationFinding.FALSE,
        actor=DISCIPLINE,
        at=clock(),
    )
    clearing.approve(DISCIPLINE, clock())
    clearing.clear(DISCIPLINE, clock(), ClearingMethod.MEETING_NOTICE, "全街道")
    clearing.record(DISCIPLINE, clock(), "档案-2025-01")
    return [clearing]


Record = Case | ToleranceRuling | Clearing
"""A record whose status follows a lifecycle table."""


def replayed(record: Record) -> Iterator[tuple[Any, Record]]:
    """Each event of ``record``'s history with the record as it stands once that event is applied."""
    aggregate: Any = None
    for event in record.collect_events():
        aggregate = event.mutate(aggregate)
        yield event, aggregate


def test_the_walks_take_every_transition_of_every_lifecycle() -> None:
    clock = Clock()
    walks: Sequence[tuple[type[Record], Sequence[Record]]] = [
        (Complaint, complaints(clock)),
        (Dispute, disputes(clock)),
        (EnforcementCase, enforcement_cases(clock)),
        (ToleranceRuling, rulings(clock)),
        (Clearing, clearings(clock)),
    ]
    for record_class, records in walks:
        transitions = transitions_by_event(record_class.LIFECYCLE)
        taken = {transitions.get(event) for record in records for event in record.collect_events()}
        missing = [name for name, t in record_class.LIFECYCLE.items() if t.event is not None and t not in taken]
        assert not missing, f"{record_class.__name__}: {missing}"


@pytest.mark.parametrize("walk", [complaints, disputes, enforcement_cases], ids=["complaint", "dispute", "enforcement"])
def test_after_every_event_the_case_row_has_the_case_s_status(walk: Any) -> None:
    reviews: set[tuple[str, str]] = set()
    for case in walk(Clock()):
        row: CaseRow | None = None
        before = ""
        for event, after in replayed(case):
            assert isinstance(after, Case)
            if row is None:
                row = CaseRow.filed(after.KIND, event)
            else:
                row.change(event)
            assert (row.status, row.is_open) == (after.status.code, after.is_open), type(event).__qualname__
            if isinstance(event, EnforcementCase.LegalityReviewed):
                reviews.add((before, row.status))
            before = row.status
    if walk is enforcement_cases:
        S = EnforcementStatus
        assert reviews == {
            (S.UNDER_REVIEW.code, S.REVIEWED.code),
            (S.UNDER_REVIEW.code, S.HEARD.code),
            (S.UNDER_REVIEW.code, S.NOTIFIED.code),
            (S.UNDER_REVIEW.code, S.INVESTIGATING.code),
        }, "a review approved after a submission from a concluded, heard and noticed case, and one returned"


def test_after_every_event_the_ruling_and_clearing_rows_have_the_record_s_status(read_store: ReadStore) -> None:
    statistics = Statistics(read_store, RULES, CALENDAR)
    index = RulingIndex(read_store)
    clock = Clock()
    with read_store.transaction() as cursor:
        for statement in (*statistics.create_statements, *index.create_statements):
            cursor.execute(statement)
        records: list[Record] = [*rulings(clock), *clearings(clock)]
        for record in records:
            for position, (event, after) in enumerate(replayed(record), start=1):
                statistics.apply(cursor, event, position)
                index.apply(cursor, event, position)
                queries = ["SELECT status FROM stat_clearings WHERE id = %s"]
                if isinstance(record, ToleranceRuling):
                    queries = [
                        "SELECT status FROM stat_rulings WHERE id = %s",
                        "SELECT status FROM ruling_index WHERE id = %s",
                    ]
                for query in queries:
                    cursor.execute(query, (str(record.id),))
                    assert cursor.fetchone() == (after.status.code,), (query, type(event).__qualname__)
