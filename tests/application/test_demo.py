"""The demo year: proportionate counts, every lifecycle status reached, plausible times, no second load."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.config import Settings
from application.ledger import CaseLedger
from application.permissions import RecordKind
from application.register_adoption import logged_values
from bootstrap.ledger import build_ledger
from demo.registers import register_demo_office
from demo.year import USERS, DemoAlreadyLoaded, DemoSummary, load_demo, planned_counts
from domain.case import Case
from domain.clearing import Clearing, ClearingStatus
from domain.complaint import ComplaintStatus
from domain.dispute import DisputeStatus
from domain.enforcement import EnforcementStatus
from domain.labels import Labelled
from domain.outcomes import DecisionType, RefusalGround
from domain.registers.refs import Register
from domain.time import SHANGHAI
from domain.tolerance import RulingOutcome, RulingStatus, ToleranceRuling
from tests.support import DISCIPLINE

SCALE = 0.2
YEAR = 2025


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CaseLedger, DemoSummary, list[int]]]:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
    ledger = build_ledger(Settings(database_url=f"sqlite:///{path}"), create_tables=True)
    seen: list[int] = []
    summary = load_demo(ledger, year=YEAR, scale=SCALE, progress=seen.append)
    yield ledger, summary, seen
    ledger.close()


def codes(members: type[Labelled]) -> set[str]:
    return {m.code for m in members}


def states(ledger: CaseLedger, summary: DemoSummary, kind: str) -> list[dict[str, Any]]:
    """The cases of ``kind`` as the discipline committee reads them (everything but identities)."""
    return [ledger.view_case(DISCIPLINE, case_id) for case_id in summary.case_ids[kind]]


def record(ledger: CaseLedger, kind: type[ToleranceRuling | Clearing], record_id: UUID) -> dict[str, Any]:
    """A ruling or a clearing as the discipline committee reads it, its state merged in."""
    view = ledger.view_record(DISCIPLINE, kind, record_id)
    return {**view, **view["state"]}


def history(ledger: CaseLedger, aggregate_id: UUID, kind: RecordKind = Case) -> list[dict[str, Any]]:
    return ledger.view_history(DISCIPLINE, kind, aggregate_id)


def events(ledger: CaseLedger, aggregate_id: UUID, kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in history(ledger, aggregate_id) if e["type"] == kind]


def test_counts_are_proportionate_to_the_scale(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    _, summary, _ = demo
    assert summary.cases == planned_counts(SCALE)
    assert all(n > 0 for n in summary.cases.values())
    full = planned_counts(1.0)
    assert sum(full.values()) >= 400
    assert all(full[kind] > summary.cases[kind] for kind in full)
    assert summary.rulings >= 8
    assert summary.clearings == 1
    assert summary.events > 5 * sum(summary.cases.values())


def test_every_case_status_is_reached(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    ledger, summary, _ = demo
    for kind, statuses in (
        ("complaint", ComplaintStatus),
        ("dispute", DisputeStatus),
        ("enforcement", EnforcementStatus),
    ):
        reached = {case["status"]["code"] for case in states(ledger, summary, kind)}
        assert reached == codes(statuses), kind


def test_every_ruling_and_clearing_status_is_reached(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    ledger, summary, _ = demo
    rulings = [record(ledger, ToleranceRuling, ruling_id) for ruling_id in summary.ruling_ids]
    assert {r["status"]["code"] for r in rulings} == codes(RulingStatus)
    outcomes = {r["outcome"]["code"] for r in rulings if r["outcome"] is not None}
    assert outcomes == codes(RulingOutcome)
    review = next(r for r in rulings if r["supersedes"] is not None)
    assert record(ledger, ToleranceRuling, UUID(review["supersedes"]))["status"]["code"] == "appealed"
    (clearing_id,) = summary.clearing_ids
    current = record(ledger, Clearing, clearing_id)
    history: set[Labelled] = set()
    for version in range(1, current["version"] + 1):
        clearing: object = ledger.repository.get(clearing_id, version=version)
        assert isinstance(clearing, Clearing)
        history.add(clearing.status)
    assert current["status"]["code"] == "recorded" and history == set(ClearingStatus)


def test_the_special_paths_are_walked(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    ledger, summary, _ = demo
    complaints = [c | c["state"] for c in states(ledger, summary, "complaint")]
    assert any(c["problem_case"] and c["reopenings"] == 3 for c in complaints)
    assert any(c["designated"] and c["returns"] == 1 and c["status"]["code"] == "closed" for c in complaints)
    assert any(c["merged_into"] for c in complaints)
    assert any(c["supervised"] and c["reminders"] for c in complaints)
    assert any(c["extensions"] for c in complaints) and any(c["corrections"] for c in complaints)
    assert {c["resolved"] for c in complaints if c["status"]["code"] == "closed"} == {True, False}
    disputes = [d | d["state"] for d in states(ledger, summary, "dispute")]
    assert any(d["recused"] and d["mediator"] for d in disputes)
    assert any(d["confirmed"] for d in disputes) and any(d["at_risk"] for d in disputes)
    assert {d["performance"]["code"] for d in disputes if d["performance"]} >= {"fulfilled", "not_fulfilled"}
    refused = [e for d in disputes for e in events(ledger, UUID(d["id"]), "Refused")]
    assert {e["ground"]["code"] for e in refused} == codes(RefusalGround)
    consented = [e for d in disputes for e in events(ledger, UUID(d["id"]), "DeadlineExtended")]
    assert any(e["parties_consent"] for e in consented)
    cases = [c | c["state"] for c in states(ledger, summary, "enforcement")]
    assert {c["decision"]["code"] for c in cases if c["decision"]} == codes(DecisionType)
    assert any(c["links"] for c in cases) and any(c["hearing_held"] for c in cases)
    reviews = [[e["result"]["code"] for e in events(ledger, UUID(c["id"]), "LegalityReviewed")] for c in cases]
    assert ["returned", "approved"] in reviews
    assert all(len(c["officers"]) >= 2 for c in cases if c["officers"])
    assert all(c["review"]["code"] == "approved" and c["discussed"] for c in cases if c["major"] and c["decision"])


def test_a_duplicate_is_merged_into_a_complaint_still_open(
    demo: tuple[CaseLedger, DemoSummary, list[int]],
) -> None:
    ledger, summary, _ = demo
    merged = [c for c in states(ledger, summary, "complaint") if c["state"]["merged_into"]]
    assert merged
    for duplicate in merged:
        (merge,) = [e for e in history(ledger, UUID(duplicate["id"])) if e["type"] == "Merged"]
        merged_at = datetime.fromisoformat(merge["at"])
        target = [
            (e["type"], datetime.fromisoformat(e["at"]))
            for e in history(ledger, UUID(duplicate["state"]["merged_into"]))
        ]
        assert target[0][1] < merged_at
        assert all(at > merged_at for kind, at in target if kind == "Closed")
        target_case = ledger.view_case(DISCIPLINE, UUID(duplicate["state"]["merged_into"]))
        assert duplicate["category"] == target_case["category"]


def test_anonymous_complaints_close_without_a_visit(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    ledger, summary, _ = demo
    complaints = states(ledger, summary, "complaint")
    anonymous = [c for c in complaints if c["state"]["anonymous"]]
    assert {c["channel"]["code"] for c in anonymous} == {"mailbox"} and not any(c["parties"] for c in anonymous)
    closed = [c for c in anonymous if c["status"]["code"] == "closed"]
    assert closed and all(c["state"]["resolved"] for c in closed)
    assert all(not events(ledger, UUID(c["id"]), "Visited") for c in anonymous)
    named = [c for c in complaints if not c["state"]["anonymous"] and c["status"]["code"] == "closed"]
    assert all(events(ledger, UUID(c["id"]), "Visited") for c in named)


def test_prior_notice_goes_only_with_a_penalty(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    ledger, summary, _ = demo
    decided = [c for c in states(ledger, summary, "enforcement") if c["state"]["decision"]]
    for case in decided:
        decision = DecisionType.parse(case["state"]["decision"]["code"], "decision")
        notices = events(ledger, UUID(case["id"]), "PriorNoticeGiven")
        assert len(notices) == int(decision.is_penalty), (case["number"], decision)
        executed = events(ledger, UUID(case["id"]), "Executed")
        if case["status"]["code"] == "closed":
            assert len(executed) == int(decision.needs_execution), (case["number"], decision)
    codes_decided = {c["state"]["decision"]["code"] for c in decided}
    assert {"order_rectify", "criticism"} <= codes_decided
    criticised = [c for c in decided if c["state"]["decision"]["code"] == "criticism"]
    assert any(c["status"]["code"] == "closed" for c in criticised)


def test_officers_are_users_independent_of_review_and_hearing(
    demo: tuple[CaseLedger, DemoSummary, list[int]],
) -> None:
    ledger, summary, _ = demo
    investigated = [c for c in states(ledger, summary, "enforcement") if c["state"]["officers"]]
    assert investigated
    for case in investigated:
        officers = set(case["state"]["officers"])
        assert len(officers) >= 2 and all(o.startswith("zf.") for o in officers)
        for event in history(ledger, UUID(case["id"])):
            if event["type"] == "EvidenceAdded":
                assert event["data"]["item"]["collected_by"] in officers
            if event["type"] == "LegalityReviewed":
                assert event["actor"]["user_id"] not in officers
            if event["type"] == "HearingHeld":
                assert event["data"]["chair"].startswith("zf.") and event["data"]["chair"] not in officers


def test_every_event_falls_in_office_hours_of_the_year_in_order(
    demo: tuple[CaseLedger, DemoSummary, list[int]],
) -> None:
    ledger, summary, _ = demo
    ids: list[tuple[RecordKind, UUID]] = [
        *((Case, i) for kind in summary.case_ids.values() for i in kind),
        *((ToleranceRuling, i) for i in summary.ruling_ids),
        *((Clearing, i) for i in summary.clearing_ids),
    ]
    for record_kind, aggregate_id in ids:
        moments = [datetime.fromisoformat(e["at"]) for e in history(ledger, aggregate_id, record_kind)]
        assert moments == sorted(moments) and len(set(moments)) == len(moments)
        for moment in moments:
            local = moment.astimezone(SHANGHAI)
            assert local.year == YEAR and time(8, 30) <= local.time() <= time(17, 30)
            assert ledger.calendar.is_working_day(local.date())


def test_protected_identities_stay_masked(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    ledger, summary, _ = demo
    parties = [p for c in states(ledger, summary, "complaint") for p in c["parties"]]
    assert parties and all(p["name"] == "***" and p["protected"] for p in parties)
    assert {p["role"]["code"] for p in parties} == {"complainant", "whistleblower"}


def test_progress_is_reported_up_to_the_event_count(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    _, summary, seen = demo
    assert seen == sorted(seen) and seen[-1] == summary.events


def test_a_second_load_is_refused_and_writes_nothing(demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    ledger, _, _ = demo
    before = ledger.log_position()
    with pytest.raises(DemoAlreadyLoaded):
        load_demo(ledger, year=YEAR, scale=SCALE)
    assert ledger.log_position() == before


def test_the_same_seed_gives_the_same_year(tmp_path: Path, demo: tuple[CaseLedger, DemoSummary, list[int]]) -> None:
    _, summary, _ = demo
    again = build_ledger(Settings(database_url=f"sqlite:///{tmp_path}/again.db"), create_tables=True)
    try:
        repeat = load_demo(again, year=YEAR, scale=SCALE)
    finally:
        again.close()
    assert (repeat.cases, repeat.events, repeat.case_ids) == (summary.cases, summary.events, summary.case_ids)


def test_every_unit_place_and_category_the_demo_names_is_registered_in_force(
    demo: tuple[CaseLedger, DemoSummary, list[int]],
) -> None:
    ledger, _, _ = demo
    named = logged_values(ledger)
    assert {f.register for f in named} == {
        Register.UNIT,
        Register.PLACE,
        Register.COMPLAINT_CATEGORY,
        Register.DISPUTE_CATEGORY,
        Register.ENFORCEMENT_CATEGORY,
    }
    for found in named:
        ledger.active_entry("default", found.register, found.code, found.since)
    cells = [p for p in ledger.read_register(DISCIPLINE, "default", "place") if p.parent is not None]
    assert cells and all(ledger.active_entry("default", Register.PLACE, c.parent or "", c.active_from) for c in cells)


def test_a_second_demo_year_registers_nothing_again(tmp_path: Path) -> None:
    ledger = build_ledger(Settings(database_url=f"sqlite:///{tmp_path}/twice.db"), create_tables=True)
    try:
        users = [actor.unit for actor, _ in USERS]
        assert register_demo_office(ledger, users) > 100
        before = ledger.log_position()
        assert register_demo_office(ledger, users) == 0
        assert ledger.log_position() == before
    finally:
        ledger.close()
