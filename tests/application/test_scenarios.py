"""Application scenarios, each run against SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest

from application.config import Settings
from application.core import CommandResult
from application.errors import Conflict, IdempotencyKeyReused, NotFound, StaleVersion
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from domain.case import Case
from domain.complaint import Complaint, ComplaintStatus
from domain.dispute import DisputeStatus
from domain.enforcement import EnforcementCase, EnforcementStatus
from domain.errors import InvalidValue, RuleViolation
from domain.kinds import Channel, ComplaintCategory
from domain.outcomes import DecisionType, EvidenceKind, PartyRole, SessionOutcome
from domain.values import Party
from tests.support import CLERK, FINE, HANDLER, HASH, SUPERVISOR, complainant, location


def file_complaint(ledger: CaseLedger, key: str | None = None, description: str = "早餐摊点占道经营") -> CommandResult:
    return ledger.file_complaint(
        key or uuid4().hex,
        CLERK,
        category=ComplaintCategory.BREAKFAST_STALLS,
        channel=Channel.HOTLINE,
        location=location(),
        description=description,
        parties=[complainant()],
    )


def test_filing_numbers_the_case_and_reloads_with_its_types(ledger: CaseLedger) -> None:
    filed = file_complaint(ledger)
    assert re.fullmatch(r"TS-\d{4}-\d{6}", filed.number)
    assert filed.version == 1 and filed.position is not None and filed.position > 0
    complaint: object = ledger.repository.get(filed.id)
    assert isinstance(complaint, Complaint)
    assert complaint.category is ComplaintCategory.BREAKFAST_STALLS
    assert complaint.status is ComplaintStatus.REGISTERED
    assert isinstance(complaint.parties[0], Party) and complaint.parties[0].role is PartyRole.COMPLAINANT
    assert complaint.filed_by == CLERK


def test_the_same_filing_key_returns_the_same_case(ledger: CaseLedger) -> None:
    first = file_complaint(ledger, "hotline-20250301-0007")
    again = file_complaint(ledger, "hotline-20250301-0007")
    assert again.id == first.id and again.number == first.number
    assert len(ledger.events_of(first.id)) == 1


def test_a_filing_key_reused_for_different_content_is_refused(ledger: CaseLedger) -> None:
    file_complaint(ledger, "mailbox-42")
    with pytest.raises(IdempotencyKeyReused):
        file_complaint(ledger, "mailbox-42", description="另一件事")


def test_commands_advance_the_version_and_a_stale_version_is_refused(ledger: CaseLedger) -> None:
    filed = file_complaint(ledger)
    accepted = ledger.accept_complaint(filed.id, filed.version, SUPERVISOR)
    assert accepted.version == 2 and accepted.position is not None and accepted.position > (filed.position or 0)
    with pytest.raises(StaleVersion) as error:
        ledger.dispatch_complaint(filed.id, filed.version, SUPERVISOR, "城管执法中队", [])
    assert error.value.current == 2


def test_two_clerks_deciding_on_the_same_version_one_wins(ledger: CaseLedger, store_url: str) -> None:
    filed = file_complaint(ledger)
    ledger.accept_complaint(filed.id, 1, SUPERVISOR)
    other = build_ledger(Settings(database_url=store_url))
    both_loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def dispatch(app: CaseLedger, unit: str) -> None:
        def decide(complaint: Complaint, at: datetime) -> None:
            both_loaded.wait(timeout=10)
            complaint.dispatch(SUPERVISOR, at, unit, [])

        try:
            app.update(Complaint, filed.id, 2, SUPERVISOR, "dispatch_complaint", decide, None)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    clerks = [threading.Thread(target=dispatch, args=pair) for pair in ((ledger, "甲中队"), (other, "乙中队"))]
    for clerk in clerks:
        clerk.start()
    for clerk in clerks:
        clerk.join()
    other.close()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert len(ledger.events_of(filed.id)) == 3


def test_fifty_concurrent_filings_get_fifty_distinct_numbers(ledger: CaseLedger) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda i: file_complaint(ledger, f"concurrent-{i}"), range(50)))
    numbers = [r.number for r in results]
    assert len(set(numbers)) == 50
    assert len({r.id for r in results}) == 50
    assert all(re.fullmatch(r"TS-\d{4}-\d{6}", n) for n in numbers)


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("category", {"category": "flying_saucers"}),
        ("channel", {"channel": "patrol"}),
        ("description", {"description": "   "}),
        ("parties", {"parties": ["not a party"]}),
    ],
)
def test_bad_filing_input_names_the_field_and_stores_nothing(
    ledger: CaseLedger, field: str, change: dict[str, object]
) -> None:
    arguments: dict[str, object] = {
        "category": "noise",
        "channel": "hotline",
        "location": location(),
        "description": "噪声扰民",
        "parties": [complainant()],
    } | change
    before = ledger.log_position()
    with pytest.raises(InvalidValue) as error:
        ledger.file_complaint("bad-" + field, CLERK, **arguments)  # type: ignore[arg-type]
    assert error.value.field == field
    assert ledger.log_position() == before


def test_refused_commands_store_nothing(ledger: CaseLedger) -> None:
    filed = file_complaint(ledger)
    ledger.accept_complaint(filed.id, 1, SUPERVISOR)
    before = ledger.log_position()
    with pytest.raises(InvalidValue) as bad_extension:
        ledger.extend_deadline(filed.id, 2, SUPERVISOR, 45, "情况复杂")
    assert bad_extension.value.field == "days"
    with pytest.raises(RuleViolation):
        ledger.reopen_complaint(filed.id, 2, SUPERVISOR, "重办")
    assert ledger.log_position() == before
    assert ledger.view_case(SUPERVISOR, filed.id)["version"] == 2


def concluded_enforcement_case(ledger: CaseLedger) -> tuple[CommandResult, int]:
    """A patrol's clue, filed, investigated with evidence and concluded with a proposed fine; and its version."""
    clue = ledger.record_clue(
        uuid4().hex,
        HANDLER,
        category="illegal_construction",
        channel="patrol",
        location=location(),
        description="巡查发现违法搭建",
        parties=[Party(PartyRole.PARTY, "某店")],
        grid_level="street",
    )
    v = ledger.file_enforcement_case(clue.id, 1, SUPERVISOR, "立案", HANDLER.unit).version
    v = ledger.start_investigation(clue.id, v, SUPERVISOR, ["张执法", "刘执法"]).version
    v = ledger.add_evidence(clue.id, v, HANDLER, EvidenceKind.PHOTO, "现场照片", HASH, "张执法").version
    return clue, ledger.conclude_investigation(clue.id, v, HANDLER, DecisionType.FINE, False, False, "终结").version


def test_a_negative_fine_is_refused_and_a_real_one_round_trips(ledger: CaseLedger) -> None:
    clue, v = concluded_enforcement_case(ledger)
    with pytest.raises(InvalidValue) as error:
        ledger.give_prior_notice(clue.id, v, HANDLER, DecisionType.FINE, Decimal("-100"), "权利")
    assert error.value.field == "fine"
    v = ledger.give_prior_notice(clue.id, v, HANDLER, DecisionType.FINE, FINE, "权利").version
    v = ledger.decide_case(clue.id, v, SUPERVISOR, DecisionType.FINE, FINE, "理由", "依据").version
    case: object = ledger.repository.get(clue.id)
    assert isinstance(case, EnforcementCase)
    assert case.fine == FINE and isinstance(case.fine, Decimal)
    assert case.status is EnforcementStatus.DECIDED and case.decided_on is not None
    assert isinstance(case.evidence[0].kind, EvidenceKind)


def test_the_office_s_large_fine_amounts_decide_when_a_notice_offers_a_hearing(store_url: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('[{"large_fines": {"individual": 1000, "organisation": 20000}}]', encoding="utf-8")
    ledger = build_ledger(Settings(database_url=store_url, rules_file=rules))
    try:
        clue, v = concluded_enforcement_case(ledger)
        with pytest.raises(RuleViolation, match=r"notify\.hearing_rights") as refused:
            ledger.give_prior_notice(clue.id, v, HANDLER, DecisionType.FINE, Decimal("1000"), "权利")
        assert "1000 yuan or more on an individual" in refused.value.en
        v = ledger.give_prior_notice(
            clue.id, v, HANDLER, DecisionType.FINE, Decimal("1000"), "权利", party_type="organisation"
        ).version
        with pytest.raises(RuleViolation, match=r"decide\.beyond_notice"):
            ledger.decide_case(clue.id, v, SUPERVISOR, DecisionType.FINE, Decimal("1500"), "理由", "依据")
        assert ledger.decide_case(clue.id, v, SUPERVISOR, DecisionType.FINE, Decimal("1000"), "理由", "依据").version
        reloaded = build_ledger(Settings(database_url=store_url))
        try:
            case: object = reloaded.repository.get(clue.id)
            assert isinstance(case, EnforcementCase) and case.intended_fine == Decimal("1000")
        finally:
            reloaded.close()
    finally:
        ledger.close()


def test_a_dispute_session_keeps_its_date(ledger: CaseLedger) -> None:
    filed = ledger.file_dispute(
        uuid4().hex,
        CLERK,
        category="neighbour",
        channel="application",
        location=location(),
        description="邻里排水纠纷",
        parties=[Party(PartyRole.APPLICANT, "甲"), Party(PartyRole.RESPONDENT, "乙")],
    )
    v = ledger.accept_dispute(filed.id, 1, SUPERVISOR).version
    v = ledger.assign_mediator(filed.id, v, SUPERVISOR, "陈调解", HANDLER.unit).version
    v = ledger.investigate_dispute(filed.id, v, HANDLER, "走访").version
    held = date(2020, 1, 2)
    v = ledger.hold_mediation_session(
        filed.id, v, HANDLER, held, ["陈调解", "甲", "乙"], "调解", SessionOutcome.PROGRESS
    ).version
    assert ledger.repository.get(filed.id).status is DisputeStatus.MEDIATING
    assert ledger.view_history(HANDLER, Case, filed.id)[-1]["data"]["held_on"] == "2020-01-02"


def test_unknown_ids_and_wrong_kinds_are_not_found(ledger: CaseLedger) -> None:
    filed = file_complaint(ledger)
    with pytest.raises(NotFound):
        ledger.accept_dispute(filed.id, 1, SUPERVISOR)
    with pytest.raises(NotFound):
        ledger.accept_complaint(uuid4(), 1, SUPERVISOR)


def test_protected_identities_are_masked_unless_asked_for(ledger: CaseLedger) -> None:
    filed = file_complaint(ledger)
    masked = ledger.view_case(SUPERVISOR, filed.id)["parties"][0]
    assert masked["name"] == "***" and masked["id_number"] == ""
    assert ledger.view_case(CLERK, filed.id)["parties"][0]["name"] == "王秀兰", "the registering clerk"
    assert ledger.view_history(SUPERVISOR, Case, filed.id)[0]["data"]["parties"][0]["name"] == "***"


def test_clocks_are_the_same_after_reloading_from_the_log(ledger: CaseLedger, store_url: str) -> None:
    registered = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)
    filed = ledger.file_complaint(
        uuid4().hex,
        CLERK,
        category="road_occupation",
        channel="mailbox",
        location=location(),
        description="国庆前夕投诉占道经营",
        parties=[complainant()],
        at=registered,
    )
    ledger.accept_complaint(filed.id, 1, SUPERVISOR, at=registered + timedelta(days=2))
    here = ledger.view_case(SUPERVISOR, filed.id)["clocks"]
    reloaded = build_ledger(Settings(database_url=store_url))
    there = reloaded.view_case(SUPERVISOR, filed.id)["clocks"]
    reloaded.close()
    assert here == there
    assert [(c["stage"]["code"], c["deadline"]) for c in there] == [
        ("acceptance", date(2025, 10, 11).isoformat()),
        ("handling", date(2025, 11, 27).isoformat()),
    ]
    assert ledger.view_case(SUPERVISOR, filed.id)["clocks"][0]["status"]["code"] == "met"


def test_a_complaint_merges_only_into_an_open_one(ledger: CaseLedger) -> None:
    target = file_complaint(ledger)
    duplicate = file_complaint(ledger)
    ledger.refuse_complaint(target.id, 1, SUPERVISOR, "不属于受理范围", "向人民法院起诉")
    with pytest.raises(RuleViolation) as error:
        ledger.merge_complaint(duplicate.id, 1, SUPERVISOR, target.id, "重复投诉")
    assert error.value.rule == "complaint.merge.target_open"
    other = file_complaint(ledger)
    assert ledger.merge_complaint(duplicate.id, 1, SUPERVISOR, other.id, "重复投诉").version == 2


def test_a_time_in_a_year_without_a_calendar_is_refused(ledger: CaseLedger) -> None:
    with pytest.raises(InvalidValue) as error:
        ledger.file_complaint(
            uuid4().hex,
            CLERK,
            category="noise",
            channel="hotline",
            location=location(),
            description="很久以前的投诉",
            parties=[],
            at=datetime(2000, 1, 3, tzinfo=UTC),
        )
    assert error.value.field == "at" and "2000" in error.value.message


def test_only_an_appealed_ruling_is_reviewed_by_a_new_one_that_names_it(ledger: CaseLedger) -> None:
    from domain.tolerance import ToleranceRuling
    from tests.support import DISCIPLINE

    ruling = ledger.request_ruling(
        uuid4().hex,
        DISCIPLINE,
        cadre_id="c-1",
        cadre_name="孙某",
        unit="城管执法中队",
        case_ids=[],
        error="未及时固定证据",
        consequences="复议撤销",
        circumstances="台风前紧急处置",
        motive="消除隐患",
        proposed_by_unit=True,
    )
    with pytest.raises(RuleViolation, match=r"ruling\.review_appeal\.status"):
        ledger.review_appeal(ruling.id, uuid4().hex, DISCIPLINE)
    v = ledger.accept_ruling(ruling.id, 1, DISCIPLINE).version
    v = ledger.verify_ruling(ruling.id, v, DISCIPLINE, ["within_law"], False, "核实").version
    v = ledger.deliberate_ruling(ruling.id, v, DISCIPLINE, ["甲", "乙", "丙"], "研究").version
    v = ledger.issue_ruling(ruling.id, v, DISCIPLINE, "mitigated", ["awards"], "依据").version
    v = ledger.notify_ruling(ruling.id, v, DISCIPLINE, "孙某").version
    ledger.appeal_ruling(ruling.id, v, DISCIPLINE, "对减责范围有异议")
    review = ledger.review_appeal(ruling.id, uuid4().hex, DISCIPLINE)
    assert ledger.view_record(DISCIPLINE, ToleranceRuling, review.id)["state"]["supersedes"] == str(ruling.id)
