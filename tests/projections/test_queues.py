"""The work queues, on SQLite and PostgreSQL: each holds exactly the cases in its states, sorted by
deadline then number, filtered, paged, as of the day asked, and never with an identity."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest

from application.ledger import CaseLedger
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.kinds import Channel, ComplaintCategory, DisputeType, ViolationType
from domain.outcomes import DecisionType, EvidenceKind, Finding, Performance, ReplyOpinion, Satisfaction, SessionOutcome
from domain.time import SHANGHAI
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect
from projections.case_index import CaseIndex
from projections.queues import QUEUES, QueueFilter, RulingIndex, WorkQueues
from projections.runner import ProjectionRunner
from projections.store import ReadStore
from tests.projections.desk import MEDIATOR, OFFICERS, Desk, place
from tests.support import CLERK, DISCIPLINE, FINE, HANDLER, HASH, SUPERVISOR, Clock

CITY, MARKET = HANDLER.unit, "市场监管所"
MARKET_HANDLER = Actor("handler-9", Role.HANDLER, MARKET)
START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
EARLY = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
LATE = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)
PARTIES = ["李建国", "赵国强"]


class Readers:
    """The two projections the queues read, kept up to date, and the queues over them."""

    def __init__(self, ledger: CaseLedger, store: ReadStore, case_index: CaseIndex) -> None:
        self.rulings = RulingIndex(store)
        self.runners = [ProjectionRunner(ledger, store, p) for p in (case_index, self.rulings)]
        self.queues = WorkQueues(case_index, self.rulings)

    def catch_up(self) -> None:
        for runner in self.runners:
            runner.run_once()

    def ids(self, name: str, as_of: datetime = EARLY, **filters: Any) -> list[UUID]:
        page = self.queues.page(name, QueueFilter(**filters), per_page=200, as_of=as_of, with_description=True)
        assert page.total == len(page.items)
        return [UUID(item["id"]) for item in page.items]


@pytest.fixture
def readers(ledger: CaseLedger, read_store: ReadStore, case_index: CaseIndex) -> Readers:
    return Readers(ledger, read_store, case_index)


def complaint_replied(desk: Desk, key: str, **filing: Any) -> UUID:
    case = desk.complaint(key, **filing)
    desk.do("accept_complaint", case, SUPERVISOR)
    desk.do("dispatch_complaint", case, SUPERVISOR, CITY, [])
    desk.do("investigate_complaint", case, HANDLER, Finding.SUBSTANTIATED, "属实")
    desk.do("reply_to_complaint", case, HANDLER, ReplyOpinion.SUPPORT, "事实", "理由", "依据")
    return case


def dispute_mediating(desk: Desk, key: str, **filing: Any) -> UUID:
    case = desk.dispute(key, **filing)
    desk.do("accept_dispute", case, SUPERVISOR)
    desk.do("assign_mediator", case, SUPERVISOR, "叶调解", MEDIATOR.unit)
    desk.do("investigate_dispute", case, MEDIATOR, "走访双方")
    desk.do(
        "hold_mediation_session", case, MEDIATOR, desk.clock.moment.date(), PARTIES, "笔录", SessionOutcome.PROGRESS
    )
    return case


def enforcement_concluded(desk: Desk, key: str, *, major: bool) -> UUID:
    case = desk.clue(key)
    desk.do("file_enforcement_case", case, SUPERVISOR, "立案", CITY)
    desk.do("start_investigation", case, SUPERVISOR, OFFICERS)
    desk.do("add_evidence", case, HANDLER, EvidenceKind.PHOTO, "现场照片", HASH, OFFICERS[0])
    desk.do("conclude_investigation", case, HANDLER, DecisionType.FINE, major, False, "调查终结")
    return case


@pytest.fixture
def office(ledger: CaseLedger, readers: Readers) -> dict[str, UUID]:
    """A case in every state some queue holds, and a few no queue of theirs holds."""
    desk = Desk(ledger, Clock(START))
    c: dict[str, UUID] = {}
    c["registered"] = desk.complaint("registered", category=ComplaintCategory.NOISE, channel=Channel.MAILBOX)
    c["accepted"] = desk.complaint("accepted")
    desk.do("accept_complaint", c["accepted"], SUPERVISOR)
    c["returned"] = desk.complaint("returned", location=place("新河社区", "XH-01"))
    desk.do("accept_complaint", c["returned"], SUPERVISOR)
    desk.do("dispatch_complaint", c["returned"], SUPERVISOR, MARKET, [])
    desk.do("return_complaint", c["returned"], MARKET_HANDLER, "不属本单位职责")
    c["reopened"] = complaint_replied(desk, "reopened")
    desk.do("visit_complainant", c["reopened"], CLERK, Satisfaction.DISSATISFIED)
    desk.do("reopen_complaint", c["reopened"], SUPERVISOR, "回访不满意")
    c["dispatched"] = desk.complaint("dispatched")
    desk.do("accept_complaint", c["dispatched"], SUPERVISOR)
    desk.do("dispatch_complaint", c["dispatched"], SUPERVISOR, CITY, [MARKET])
    desk.do("supervise", c["dispatched"], SUPERVISOR, "群众反映强烈")
    c["replied"] = complaint_replied(desk, "replied")
    c["anonymous"] = complaint_replied(desk, "anonymous", anonymous=True)
    c["answered"] = desk.complaint("answered")
    desk.do("answer_complaint", c["answered"], CLERK, ReplyOpinion.EXPLAIN, "当场解释")
    c["closed"] = complaint_replied(desk, "closed")
    desk.do("supervise", c["closed"], SUPERVISOR, "督办")
    desk.do("visit_complainant", c["closed"], CLERK, Satisfaction.SATISFIED)
    desk.do("close_complaint", c["closed"], SUPERVISOR, True)
    c["applied"] = desk.dispute("applied", category=DisputeType.NEIGHBOUR)
    c["dispute_accepted"] = desk.dispute("dispute-accepted")
    desk.do("accept_dispute", c["dispute_accepted"], SUPERVISOR)
    c["assigned"] = desk.dispute("assigned")
    desk.do("accept_dispute", c["assigned"], SUPERVISOR)
    desk.do("assign_mediator", c["assigned"], SUPERVISOR, "叶调解", MEDIATOR.unit)
    c["mediating"] = dispute_mediating(desk, "mediating")
    c["checked"] = dispute_mediating(desk, "checked")
    perform_by = desk.clock.moment.date() + timedelta(days=20)
    desk.do("record_agreement", c["checked"], MEDIATOR, PARTIES, "事实", "责任", "条款", "履行", perform_by)
    desk.do("check_performance", c["checked"], MEDIATOR, Performance.FULFILLED)
    c["ended"] = desk.dispute("ended")
    desk.do("accept_dispute", c["ended"], SUPERVISOR)
    desk.do("assign_mediator", c["ended"], SUPERVISOR, "叶调解", MEDIATOR.unit)
    desk.do("end_mediation", c["ended"], MEDIATOR, "一方拒绝调解", "向法院起诉")
    c["clue"] = desk.clue("clue", category=ViolationType.STREET_VENDING)
    c["review"] = enforcement_concluded(desk, "review", major=True)
    desk.do("submit_for_review", c["review"], HANDLER)
    c["hearing"] = enforcement_concluded(desk, "hearing", major=False)
    desk.do("give_prior_notice", c["hearing"], HANDLER, DecisionType.FINE, FINE, "陈述申辩和听证的权利")
    desk.do("request_hearing", c["hearing"], HANDLER)
    readers.catch_up()
    return c


def named(office: dict[str, UUID], *names: str) -> set[UUID]:
    return {office[name] for name in names}


def test_each_queue_holds_exactly_the_cases_in_its_states(readers: Readers, office: dict[str, UUID]) -> None:
    expected = {
        "intake": named(office, "registered", "applied", "clue"),
        "dispatch": named(office, "accepted", "returned", "reopened", "dispute_accepted"),
        "mediation": named(office, "assigned", "mediating"),
        "legality_review": named(office, "review"),
        "hearings": named(office, "hearing"),
        "follow_up": named(office, "replied", "answered", "checked", "ended"),
        "supervised": named(office, "dispatched"),
        "rulings_pending": set(),
    }
    for name, cases in expected.items():
        assert set(readers.ids(name)) == cases, name
    mine = named(office, "dispatched", "reopened", "replied", "anonymous", "review", "hearing")
    assert set(readers.ids("my_unit", unit=CITY)) == mine
    assert set(readers.ids("my_unit", unit=MARKET)) == named(office, "dispatched", "returned")
    assert set(readers.ids("my_unit", unit=MEDIATOR.unit)) == named(office, "assigned", "mediating", "checked", "ended")


def test_overdue_and_due_soon_follow_the_day_asked(readers: Readers, office: dict[str, UUID]) -> None:
    assert readers.ids("overdue", as_of=EARLY) == []
    overdue = set(readers.ids("overdue", as_of=LATE))
    assert office["registered"] in overdue and office["dispatched"] in overdue
    assert office["closed"] not in overdue and office["clue"] not in overdue, "no running clock, never overdue"
    registered = readers.queues.page("intake", QueueFilter(kind="complaint"), as_of=EARLY).items[0]
    deadline = date.fromisoformat(registered["deadline"])
    on_the_day = datetime.combine(deadline, time(9), SHANGHAI)
    assert office["registered"] in readers.ids("due_soon", as_of=on_the_day)
    assert office["registered"] not in readers.ids("overdue", as_of=on_the_day)
    assert office["registered"] in readers.ids("overdue", as_of=on_the_day + timedelta(days=1))
    assert office["registered"] not in readers.ids("due_soon", as_of=on_the_day - timedelta(days=10))
    for item in readers.queues.page("due_soon", as_of=on_the_day, per_page=200).items:
        assert item["clock_status"]["code"] == "due_soon"


def test_a_queue_is_sorted_by_deadline_then_number_and_paged(readers: Readers, office: dict[str, UUID]) -> None:
    whole = readers.queues.page("my_unit", QueueFilter(unit=MEDIATOR.unit), per_page=200, as_of=EARLY).items
    keys = [(item["deadline"] is None, item["deadline"] or "", item["number"]) for item in whole]
    assert keys == sorted(keys) and len(keys) == 4
    pages = [readers.queues.page("my_unit", QueueFilter(unit=MEDIATOR.unit), n, 3, as_of=EARLY) for n in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [3, 1, 0]
    assert {(p.total, p.pages) for p in pages} == {(4, 2)}
    assert [i["id"] for p in pages for i in p.items] == [i["id"] for i in whole]


def test_filters_narrow_a_queue(readers: Readers, office: dict[str, UUID]) -> None:
    assert set(readers.ids("intake", kind="dispute")) == named(office, "applied")
    assert set(readers.ids("intake", category="noise")) == named(office, "registered")
    assert set(readers.ids("intake", kind="enforcement", category="street_vending")) == named(office, "clue")
    assert set(readers.ids("intake", channel="mailbox")) == named(office, "registered")
    assert set(readers.ids("dispatch", village="新河社区")) == named(office, "returned")
    assert set(readers.ids("supervised", unit=MARKET)) == named(office, "dispatched")
    assert readers.ids("supervised", unit=MEDIATOR.unit) == []
    with pytest.raises(InvalidValue) as error:
        readers.ids("intake", kind="dispute", category="noise")
    assert error.value.field == "category"


def test_descriptions_only_when_asked_and_never_an_identity(readers: Readers, office: dict[str, UUID]) -> None:
    for name in QUEUES:
        filters = QueueFilter(unit=CITY) if name == "my_unit" else None
        bare = readers.queues.page(name, filters, per_page=200, as_of=LATE)
        full = readers.queues.page(name, filters, per_page=200, as_of=LATE, with_description=True)
        assert all("description" not in item for item in bare.items), name
        assert [{k: v for k, v in i.items() if k != "description"} for i in full.items] == bare.items
        for secret in ("王秀兰", "13800000000", "330000199001010000", "李建国", "13900000000", "赵国强"):
            assert secret not in repr(full.items)


def test_bad_requests_name_the_field(readers: Readers, office: dict[str, UUID]) -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: readers.queues.page("inbox"), "name"),
        (lambda: readers.queues.page("my_unit"), "unit"),
        (lambda: readers.queues.page("intake", page=0), "page"),
        (lambda: readers.queues.page("intake", per_page=201), "per_page"),
        (lambda: readers.queues.page("rulings_pending", QueueFilter(kind="complaint")), "kind"),
    ]
    for call, field in cases:
        with pytest.raises(InvalidValue) as error:
            call()
        assert error.value.field == field


def request_ruling(ledger: CaseLedger, clock: Clock, key: str, unit: str) -> UUID:
    return ledger.request_ruling(
        key,
        DISCIPLINE,
        cadre_id=f"cadre-{key}",
        cadre_name="孙某某",
        unit=unit,
        case_ids=[],
        error="未按时答复",
        consequences="群众不满",
        circumstances="人手不足",
        motive="无私利",
        proposed_by_unit=True,
        at=clock(),
    ).id


@pytest.fixture
def rulings(ledger: CaseLedger, readers: Readers) -> Iterator[dict[str, UUID]]:
    clock = Clock(START)
    r = {name: request_ruling(ledger, clock, name, unit) for name, unit in (("new", CITY), ("declined", MARKET))}
    r["appealed"] = request_ruling(ledger, clock, "appealed", MARKET)
    r["reviewed"] = request_ruling(ledger, clock, "reviewed", CITY)
    ledger.decline_ruling(r["declined"], 1, DISCIPLINE, "不属容错范围", at=clock())
    for name in ("appealed", "reviewed"):
        ruling = r[name]
        ledger.accept_ruling(ruling, 1, DISCIPLINE, at=clock())
        ledger.verify_ruling(ruling, 2, DISCIPLINE, list(ToleranceCondition), False, "核实", at=clock())
        ledger.deliberate_ruling(ruling, 3, DISCIPLINE, ["甲", "乙", "丙"], "研究", at=clock())
        ledger.issue_ruling(
            ruling, 4, DISCIPLINE, RulingOutcome.MITIGATED, [ToleranceEffect.AWARDS], "依据", at=clock()
        )
        ledger.notify_ruling(ruling, 5, DISCIPLINE, "本人", at=clock())
        ledger.appeal_ruling(ruling, 6, DISCIPLINE, "不服", at=clock())
    r["review"] = ledger.review_appeal(r["reviewed"], "review-of-reviewed", DISCIPLINE, at=clock()).id
    readers.catch_up()
    yield r


def test_pending_rulings_are_those_not_yet_ruled_or_appealed_without_a_review(
    readers: Readers, rulings: dict[str, UUID]
) -> None:
    assert readers.ids("rulings_pending") == [rulings["new"], rulings["appealed"], rulings["review"]]
    assert readers.ids("rulings_pending", unit=MARKET) == [rulings["appealed"]]
    page = readers.queues.page("rulings_pending", per_page=1)
    assert (page.total, page.pages, len(page.items)) == (3, 3, 1)
    item = readers.queues.page("rulings_pending", QueueFilter(unit=MARKET)).items[0]
    assert item["status"]["code"] == "appealed" and item["outcome"]["code"] == "mitigated"
    assert item["unit"] == MARKET and "孙某某" not in repr(item) and "cadre-" not in repr(item)
    review = readers.queues.page("rulings_pending", QueueFilter(unit=CITY)).items[1]
    assert review["reviews"] == str(rulings["reviewed"])
