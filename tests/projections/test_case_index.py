"""The case index, on SQLite and PostgreSQL: it follows every transition, filters, pages, and keeps
no identities."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from application.ledger import CaseLedger
from application.topics import current_topics
from domain.actor import Actor
from domain.case import Case
from domain.clocks import ClockStatus, derive_clocks, marks_from_events
from domain.complaint import ComplaintStatus
from domain.dispute import DisputeStatus
from domain.enforcement import EnforcementStatus
from domain.errors import InvalidValue
from domain.kinds import CaseKind, Channel, ComplaintCategory, DisputeType, ViolationType
from domain.labels import Labelled
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
from domain.rules import Stage
from domain.time import local_date
from projections.case_index import CaseIndex
from projections.case_listing import CaseFilter
from projections.case_row import CASE_CLASSES, handled_events
from projections.runner import ProjectionRunner
from projections.store import ReadStore
from tests.projections.desk import MEDIATOR, OFFICERS, Desk, place
from tests.support import CLERK, FINE, HANDLER, HASH, REVIEWER, SUPERVISOR, Clock

CITY = HANDLER.unit


def expected(ledger: CaseLedger, case_id: UUID) -> dict[str, Any]:
    """What the index should say of a case, worked out from the aggregate and its events."""
    case: Any = ledger.repository.get(case_id)
    marks = marks_from_events(case.KIND, ledger.events_of(case_id))
    clocks = derive_clocks(case.KIND, case.category.code, marks, ledger.rules, ledger.calendar, case.last_at)
    duties = [c for c in clocks if c.running and c.stage is not Stage.RETURN_WINDOW]
    first = min(duties, key=lambda c: (c.deadline, c.stage.code)) if duties else None
    return {
        "number": case.number,
        "kind": case.KIND.code,
        "status": case.status.code,
        "open": case.is_open,
        "category": case.category.code,
        "channel": case.channel.code,
        "village": case.location.village,
        "grid_cell": case.location.grid_cell,
        "units": sorted(case.handling_units),
        "description": case.description,
        "supervised": case.supervised,
        "problem_case": getattr(case, "problem_case", False),
        "at_risk": getattr(case, "at_risk", False),
        "major": getattr(case, "major", False),
        "deadline": None if first is None else first.deadline.isoformat(),
        "deadline_stage": None if first is None else first.stage.code,
        "clock_status": None if first is None else first.status.code,
        "version": case.version,
    }


def indexed(index: CaseIndex, case_id: UUID, as_of: datetime) -> dict[str, Any]:
    item = index.get(case_id, as_of=as_of)
    assert item is not None, f"{case_id} is not in the index"
    return {
        "number": item["number"],
        "kind": item["kind"]["code"],
        "status": item["status"]["code"],
        "open": item["open"],
        "category": item["category"]["code"],
        "channel": item["channel"]["code"],
        "village": item["village"],
        "grid_cell": item["grid_cell"],
        "units": sorted(([item["lead_unit"]] if item["lead_unit"] else []) + item["assisting_units"]),
        "description": item["description"],
        "supervised": item["supervised"],
        "problem_case": item["problem_case"],
        "at_risk": item["at_risk"],
        "major": item["major"],
        "deadline": item["deadline"],
        "deadline_stage": None if item["deadline_stage"] is None else item["deadline_stage"]["code"],
        "clock_status": None if item["clock_status"] is None else item["clock_status"]["code"],
        "version": item["version"],
    }


class CheckedDesk(Desk):
    """A desk after each of whose commands the index is brought up to date and checked against the case."""

    def __init__(self, ledger: CaseLedger, runner: ProjectionRunner, index: CaseIndex) -> None:
        super().__init__(ledger)
        self.seen: dict[str, set[str]] = {kind.code: set() for kind in CaseKind}
        self.after = self.check
        self.runner = runner
        self.index = index

    def check(self, case_id: UUID) -> None:
        self.runner.run_once()
        want = expected(self.ledger, case_id)
        assert indexed(self.index, case_id, self.ledger.repository.get(case_id).last_at) == want
        self.seen[want["kind"]].add(want["status"])


@pytest.fixture
def desk(ledger: CaseLedger, runner: ProjectionRunner, case_index: CaseIndex) -> CheckedDesk:
    return CheckedDesk(ledger, runner, case_index)


def every(status_class: type[Labelled]) -> set[str]:
    return {member.code for member in status_class}


def test_every_event_of_every_kind_of_case_is_known_to_the_index() -> None:
    for kind, case_class in CASE_CLASSES.items():
        classes = [c for c in case_class.__mro__ if issubclass(c, Case)]
        prefixes = tuple(f"{c.__module__}:{c.__qualname__}." for c in classes)
        topics = [topic for topic in current_topics() if topic.startswith(prefixes)]
        recorded = {topic.rpartition(".")[2] for topic in topics}
        assert recorded, kind
        assert recorded <= handled_events(kind), f"{kind.code}: {sorted(recorded - handled_events(kind))}"


def test_the_index_follows_a_complaint_through_every_status(desk: CheckedDesk) -> None:
    main = desk.complaint("c-main")
    desk.do("accept_complaint", main, SUPERVISOR)
    desk.do("dispatch_complaint", main, SUPERVISOR, "市场监管所", [CITY])
    desk.do("return_complaint", main, Actor("handler-9", HANDLER.role, "市场监管所"), "不属本单位职责", days=1)
    desk.do("dispatch_complaint", main, SUPERVISOR, CITY, ["市场监管所"], "重新交办")
    desk.do("supervise", main, SUPERVISOR, "群众反映强烈")
    desk.do("remind", main, SUPERVISOR, "请加快办理")
    desk.do("pause_clock", main, HANDLER, ClockPause.WAITING_ON_PARTY, "等待投诉人补充材料", days=2)
    desk.do("remind", main, SUPERVISOR, "暂停期间催办", days=3)
    desk.do("resume_clock", main, HANDLER, days=2)
    desk.do("extend_deadline", main, SUPERVISOR, 20, "情况复杂")
    desk.do(
        "correct_case",
        main,
        CLERK,
        1,
        "登记时分类和地点有误",
        category=ComplaintCategory.BREAKFAST_STALLS,
        location=place("新河社区", "XH-01"),
        description="医院东门早餐摊点占道经营",
    )
    desk.do("investigate_complaint", main, HANDLER, Finding.SUBSTANTIATED, "现场核实属实", days=3)
    desk.do("dispose_complaint", main, HANDLER, "责令摊主退回店内经营")
    desk.do("reply_to_complaint", main, HANDLER, ReplyOpinion.SUPPORT, "事实", "理由", "依据")
    desk.do("visit_complainant", main, CLERK, Satisfaction.DISSATISFIED, "仍有摊点", days=2)
    desk.do("reopen_complaint", main, SUPERVISOR, "回访不满意")
    desk.do("dispatch_complaint", main, SUPERVISOR, CITY, [])
    desk.do("investigate_complaint", main, HANDLER, Finding.SUBSTANTIATED, "复查属实")
    desk.do("reply_to_complaint", main, HANDLER, ReplyOpinion.SUPPORT, "事实", "理由", "依据")
    desk.do("visit_complainant", main, CLERK, Satisfaction.SATISFIED)
    desk.do("close_complaint", main, SUPERVISOR, True)

    problem = desk.complaint("c-problem")
    desk.do("accept_complaint", problem, SUPERVISOR)
    for _ in range(3):
        desk.do("dispatch_complaint", problem, SUPERVISOR, CITY, [])
        desk.do("investigate_complaint", problem, HANDLER, Finding.PARTLY, "部分属实")
        desk.do("reply_to_complaint", problem, HANDLER, ReplyOpinion.EXPLAIN, "事实", "理由", "依据")
        desk.do("visit_complainant", problem, CLERK, Satisfaction.DISSATISFIED)
        desk.do("reopen_complaint", problem, SUPERVISOR, "回访不满意")

    desk.do("refuse_complaint", desk.complaint("c-refused"), SUPERVISOR, "属诉讼事项", "向人民法院起诉")
    answered = desk.complaint("c-answered")
    desk.do("answer_complaint", answered, CLERK, ReplyOpinion.EXPLAIN, "当场解释政策")
    desk.do("merge_complaint", desk.complaint("c-duplicate"), SUPERVISOR, problem, "重复投诉")
    transferred = desk.complaint("c-transferred")
    desk.do("accept_complaint", transferred, SUPERVISOR)
    desk.do("transfer_complaint", transferred, SUPERVISOR, "县市场监督管理局", "属其职责")

    assert desk.seen["complaint"] == every(ComplaintStatus)


def test_the_index_follows_a_dispute_through_every_status(desk: CheckedDesk) -> None:
    main = desk.dispute("d-main")
    desk.do("accept_dispute", main, SUPERVISOR)
    desk.do("assign_mediator", main, SUPERVISOR, "陈调解", "司法所")
    desk.do("recuse_mediator", main, SUPERVISOR, "与当事人有亲属关系")
    desk.do("assign_mediator", main, SUPERVISOR, "叶调解", MEDIATOR.unit)
    desk.do("investigate_dispute", main, MEDIATOR, "走访双方", days=2)
    desk.do("extend_deadline", main, SUPERVISOR, 15, "双方同意延期", parties_consent=True)
    held_on = local_date(desk.clock.moment)
    desk.do("hold_mediation_session", main, MEDIATOR, held_on, ["李建国", "赵国强"], "笔录", SessionOutcome.PROGRESS)
    desk.do("flag_dispute_risk", main, MEDIATOR, "双方言语冲突", "综治中心")
    perform_by = local_date(desk.clock.moment) + timedelta(days=30)
    terms = ("事实", "责任", "条款", "分期履行")
    desk.do("record_agreement", main, MEDIATOR, ["李建国", "赵国强"], *terms, perform_by, days=3)
    desk.do("apply_for_confirmation", main, MEDIATOR, "县人民法院", True)
    desk.do("record_confirmation", main, MEDIATOR, True, "（2025）浙0000民特1号")
    desk.do("check_performance", main, MEDIATOR, Performance.FULFILLED, days=10)
    desk.do("visit_dispute_parties", main, CLERK, Satisfaction.SATISFIED)
    desk.do("close_dispute", main, SUPERVISOR, True)

    refused = desk.dispute("d-refused")
    desk.do("refuse_dispute", refused, SUPERVISOR, RefusalGround.COURT, "县人民法院", "已起诉")
    ended = desk.dispute("d-ended", category=DisputeType.NEIGHBOUR)
    desk.do("accept_dispute", ended, SUPERVISOR)
    desk.do("assign_mediator", ended, SUPERVISOR, "叶调解", MEDIATOR.unit)
    desk.do("pause_clock", ended, MEDIATOR, ClockPause.WAITING_ON_PARTY, "一方外出务工")
    desk.do("end_mediation", ended, MEDIATOR, "一方拒绝继续调解", "向人民法院起诉", days=4)

    assert desk.seen["dispute"] == every(DisputeStatus)


def test_the_index_follows_an_enforcement_case_through_every_status(desk: CheckedDesk) -> None:
    main = desk.clue("e-main")
    desk.do("file_enforcement_case", main, SUPERVISOR, "立案", CITY)
    desk.do("start_investigation", main, SUPERVISOR, OFFICERS)
    desk.do("add_evidence", main, HANDLER, EvidenceKind.PHOTO, "现场照片", HASH, OFFICERS[0])
    desk.do("pause_clock", main, HANDLER, ClockPause.EXPERT_TESTING, "委托测绘")
    desk.do("resume_clock", main, HANDLER, days=6)
    desk.do("conclude_investigation", main, HANDLER, DecisionType.FINE, True, False, "调查终结")
    desk.do("submit_for_review", main, HANDLER)
    desk.do("review_legality", main, REVIEWER, ReviewResult.RETURNED, "补充证据")
    desk.do("conclude_investigation", main, HANDLER, DecisionType.FINE, True, False, "补充后终结")
    desk.do("submit_for_review", main, HANDLER)
    desk.do("review_legality", main, REVIEWER, ReviewResult.APPROVED, "")
    desk.do("give_prior_notice", main, HANDLER, DecisionType.FINE, FINE, "陈述、申辩和听证的权利")
    desk.do("request_hearing", main, HANDLER, days=1)
    desk.do("remind", main, SUPERVISOR, "听证期间催办", days=2)
    desk.do("hold_hearing", main, REVIEWER, "王主持", ["张执法", "某建材店"], "听证笔录", days=2)
    desk.do("submit_for_review", main, HANDLER)
    desk.do("review_legality", main, REVIEWER, ReviewResult.APPROVED, "")
    desk.do("extend_deadline", main, SUPERVISOR, 30, "案情重大复杂")
    desk.do("hold_collective_discussion", main, SUPERVISOR, ["张立平", "陈海军", "吴秀英"], "同意罚款")
    desk.do("decide_case", main, SUPERVISOR, DecisionType.FINE, FINE, "理由", "依据")
    desk.do("serve_decision", main, HANDLER, "直接送达")
    desk.do("publish_decision", main, HANDLER, "门户网站")
    desk.do("execute_decision", main, HANDLER, ExecutionResult.PAID, days=5)
    desk.do("close_enforcement_case", main, SUPERVISOR)

    desk.do("decline_enforcement_case", desk.clue("e-declined"), SUPERVISOR, "不属违法行为")

    assert desk.seen["enforcement"] == every(EnforcementStatus)


@pytest.fixture
def office(ledger: CaseLedger, runner: ProjectionRunner) -> dict[str, UUID]:
    """Cases that differ in every way the filters look at."""
    desk = Desk(ledger, Clock(datetime(2025, 3, 3, 1, 0, tzinfo=UTC)))
    cases = {
        "stalls": desk.complaint("stalls", description="早餐摊点占道，油污满地"),
        "noise": desk.complaint(
            "noise", category=ComplaintCategory.NOISE, channel=Channel.MAILBOX, location=place("新河社区", "XH-01")
        ),
        "pond": desk.dispute("pond", category=DisputeType.NEIGHBOUR, description="邻里滴水纠纷"),
        "shed": desk.clue("shed", category=ViolationType.ILLEGAL_CONSTRUCTION, location=place("西岙村", "XA-02")),
    }
    desk.clock.moment = datetime(2025, 3, 4, 17, 30, tzinfo=UTC)
    cases["late"] = desk.complaint("late", description="深夜（上海已是次日）登记的投诉：100%属实_待查")
    desk.do("accept_complaint", cases["stalls"], SUPERVISOR)
    desk.do("dispatch_complaint", cases["stalls"], SUPERVISOR, CITY, ["市场监管所"])
    desk.do("accept_complaint", cases["noise"], SUPERVISOR)
    desk.do("dispatch_complaint", cases["noise"], SUPERVISOR, f"{CITY}二分队", [])
    desk.do("supervise", cases["noise"], SUPERVISOR, "夜间噪声多次投诉")
    desk.do("accept_dispute", cases["pond"], SUPERVISOR)
    desk.do("assign_mediator", cases["pond"], SUPERVISOR, "叶调解", MEDIATOR.unit)
    desk.do("file_enforcement_case", cases["shed"], SUPERVISOR, "立案", CITY)
    desk.do("refuse_complaint", cases["late"], SUPERVISOR, "不属受理范围", "向有关部门反映")
    runner.run_once()
    return cases


def listed(index: CaseIndex, **filters: Any) -> set[UUID]:
    page = index.list_cases(CaseFilter(**filters), per_page=200, as_of=datetime(2025, 3, 10, tzinfo=UTC))
    assert page.total == len(page.items)
    return {UUID(item["id"]) for item in page.items}


def test_each_filter_narrows_the_list(case_index: CaseIndex, office: dict[str, UUID]) -> None:
    c = office
    assert listed(case_index) == set(c.values())
    assert listed(case_index, kind="complaint") == {c["stalls"], c["noise"], c["late"]}
    assert listed(case_index, kind="dispute") == {c["pond"]}
    assert listed(case_index, status="dispatched") == {c["stalls"], c["noise"]}
    assert listed(case_index, kind="dispute", status="mediator_assigned") == {c["pond"]}
    assert listed(case_index, category="noise") == {c["noise"]}
    assert listed(case_index, category="illegal_construction") == {c["shed"]}
    assert listed(case_index, village="东湖村") == {c["stalls"], c["pond"], c["late"]}
    assert listed(case_index, channel="mailbox") == {c["noise"]}
    assert listed(case_index, unit=CITY) == {c["stalls"], c["shed"]}
    assert listed(case_index, unit="市场监管所") == {c["stalls"]}
    assert listed(case_index, unit=MEDIATOR.unit) == {c["pond"]}
    assert listed(case_index, unit="城管") == set()
    assert listed(case_index, filed_from=date(2025, 3, 5)) == {c["late"]}
    assert listed(case_index, filed_to=date(2025, 3, 4)) == set(c.values()) - {c["late"]}
    assert listed(case_index, filed_from=date(2025, 3, 3), filed_to=date(2025, 3, 3)) == set(c.values()) - {c["late"]}
    assert listed(case_index, text="占道") == {c["stalls"]}
    assert listed(case_index, text="jf-2025") == {c["pond"]}
    assert listed(case_index, text="100%") == {c["late"]}
    assert listed(case_index, text="%") == {c["late"]}
    assert listed(case_index, text="_") == {c["late"]}
    assert listed(case_index, text="实_待") == {c["late"]}
    assert listed(case_index, text="实x待") == set()
    assert listed(case_index, supervised=True) == {c["noise"]}
    assert listed(case_index, open=False) == {c["late"]}
    assert listed(case_index, kind="complaint", village="东湖村", open=True) == {c["stalls"]}


def test_the_clock_filter_and_status_follow_the_day_one_asks(case_index: CaseIndex, office: dict[str, UUID]) -> None:
    before, long_after = datetime(2025, 3, 10, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC)
    with_clocks = {office[k] for k in ("stalls", "noise", "pond", "shed")}
    assert listed(case_index, clock="on_time") == with_clocks
    after = case_index.list_cases(CaseFilter(clock="overdue"), as_of=long_after)
    assert {UUID(item["id"]) for item in after.items} == with_clocks
    assert all(item["clock_status"]["code"] == "overdue" for item in after.items)
    assert case_index.list_cases(CaseFilter(clock="overdue"), as_of=before).total == 0
    assert case_index.list_cases(CaseFilter(clock="paused"), as_of=before).total == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "case"), ("status", "lost"), ("category", "ufo"), ("channel", "pigeon"), ("clock", "late")],
)
def test_an_unknown_code_is_refused_naming_the_filter(case_index: CaseIndex, field: str, value: str) -> None:
    unknown: dict[str, Any] = {field: value}
    with pytest.raises(InvalidValue) as error:
        case_index.list_cases(CaseFilter(**unknown))
    assert error.value.field == field


@pytest.mark.parametrize(("page", "per_page"), [(0, 10), (1, 0), (1, 201), (True, 10)])
def test_a_page_outside_the_bounds_is_refused(case_index: CaseIndex, page: int, per_page: int) -> None:
    with pytest.raises(InvalidValue):
        case_index.list_cases(page=page, per_page=per_page)


def test_pages_list_every_case_once_by_deadline_then_number(
    ledger: CaseLedger, runner: ProjectionRunner, case_index: CaseIndex
) -> None:
    desk = Desk(ledger)
    filed = [desk.complaint(f"p-{i}", days=(i * 3) % 7) for i in range(7)]
    filed.append(desk.dispute("p-dispute"))
    runner.run_once()
    pages = [case_index.list_cases(page=n, per_page=3) for n in (1, 2, 3, 4)]
    assert [len(p.items) for p in pages] == [3, 3, 2, 0]
    assert {(p.total, p.pages, p.per_page) for p in pages} == {(8, 3, 3)}
    listed_ids = [UUID(item["id"]) for p in pages for item in p.items]
    assert sorted(listed_ids) == sorted(filed)
    want = [expected(ledger, case_id) for case_id in filed]
    order = sorted(want, key=lambda w: (w["deadline"] is None, w["deadline"] or "", w["number"]))
    assert [item["number"] for p in pages for item in p.items] == [w["number"] for w in order]
    assert order[-1]["deadline"] is None


def test_the_clock_status_agrees_with_the_domain_on_every_day(
    ledger: CaseLedger, runner: ProjectionRunner, case_index: CaseIndex
) -> None:
    desk = Desk(ledger, Clock(datetime(2025, 9, 26, 2, 0, tzinfo=UTC)))
    case_id = desk.complaint("around-the-holiday")
    runner.run_once()
    case: Case = ledger.repository.get(case_id)
    marks = marks_from_events(case.KIND, ledger.events_of(case_id))
    statuses = set()
    for day in range(40):
        as_of = case.last_at + timedelta(days=day)
        (clock,) = derive_clocks(case.KIND, case.category.code, marks, ledger.rules, ledger.calendar, as_of)
        item = case_index.get(case_id, as_of=as_of)
        assert item is not None
        assert (item["deadline"], item["clock_status"]["code"]) == (clock.deadline.isoformat(), clock.status.code)
        statuses.add(clock.status)
    assert statuses == {ClockStatus.ON_TIME, ClockStatus.DUE_SOON, ClockStatus.OVERDUE}


def test_the_index_keeps_no_identity_of_a_party(
    ledger: CaseLedger, runner: ProjectionRunner, read_store: ReadStore, case_index: CaseIndex
) -> None:
    desk = Desk(ledger)
    desk.complaint("identity")
    desk.dispute("identity")
    runner.run_once()
    with read_store.transaction(readonly=True) as cursor:
        cursor.execute("SELECT * FROM case_index")
        stored = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM case_index_units")
        stored += repr(cursor.fetchall())
    listed_text = repr(case_index.list_cases().items)
    for secret in ("王秀兰", "13800000000", "330000199001010000", "李建国", "13900000000", "赵国强"):
        assert secret not in stored and secret not in listed_text


def test_an_unknown_case_is_none(case_index: CaseIndex, runner: ProjectionRunner) -> None:
    runner.run_once()
    assert case_index.get(UUID(int=0)) is None
