from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.calendar import WorkingCalendar
from domain.enforcement import EnforcementCase, EnforcementStatus
from domain.errors import InvalidValue, RuleViolation
from domain.labels import Labelled
from domain.outcomes import DecisionType, EvidenceKind, ExecutionResult, PartyType, ReviewResult
from domain.rules import LargeFines, RuleTable
from tests.support import FINE, HANDLER, HASH, REVIEWER, SUPERVISOR, Clock, new_enforcement

S = EnforcementStatus
RULES = RuleTable.statutory()
CALENDAR = WorkingCalendar.default()
OFFICERS = ["张执法", "刘执法"]


def concluded(clock: Clock, *, major: bool = False, complex_case: bool = False) -> EnforcementCase:
    case = new_enforcement(clock)
    case.file(SUPERVISOR, clock(), "违法事实初步成立", "城管执法中队")
    case.start_investigation(SUPERVISOR, clock(), OFFICERS)
    case.add_evidence(HANDLER, clock(), EvidenceKind.PHOTO, "现场照片", HASH, "张执法")
    case.conclude_investigation(HANDLER, clock(), DecisionType.FINE, major, complex_case, "调查终结")
    return case


def status_now(case: EnforcementCase) -> Labelled:
    """``case.status`` read afresh: the case's commands change it, which the type checker, narrowing it to
    what an earlier assertion found, does not see."""
    return case.status


def test_a_simple_fine_from_clue_to_closure() -> None:
    clock = Clock()
    case = concluded(clock)
    case.give_prior_notice(HANDLER, clock(), DecisionType.FINE, FINE, "陈述、申辩、听证权利")
    case.decide(SUPERVISOR, clock(), DecisionType.FINE, FINE, "违法建设", "《城乡规划法》第六十四条")
    case.serve(HANDLER, clock(), "直接送达")
    case.publish(HANDLER, clock(), "区政府门户网站")
    with pytest.raises(RuleViolation, match=r"close\.execution"):
        case.close(SUPERVISOR, clock())
    case.execute(HANDLER, clock(), ExecutionResult.PAID)
    case.close(SUPERVISOR, clock())
    assert case.status is S.CLOSED and case.fine == FINE


def test_an_investigation_needs_two_officers() -> None:
    clock = Clock()
    case = new_enforcement(clock)
    case.file(SUPERVISOR, clock(), "立案", "城管执法中队")
    with pytest.raises(RuleViolation) as error:
        case.start_investigation(SUPERVISOR, clock(), ["张执法"])
    assert error.value.rule == "enforcement.investigate.officers"


def test_evidence_comes_from_an_officer_with_a_valid_unique_hash() -> None:
    clock = Clock()
    case = new_enforcement(clock)
    case.file(SUPERVISOR, clock(), "立案", "城管执法中队")
    case.start_investigation(SUPERVISOR, clock(), OFFICERS)
    with pytest.raises(InvalidValue) as error:
        case.add_evidence(HANDLER, clock(), EvidenceKind.PHOTO, "照片", "xyz", "张执法")
    assert error.value.field == "evidence.sha256"
    with pytest.raises(RuleViolation, match=r"add_evidence\.officer"):
        case.add_evidence(HANDLER, clock(), EvidenceKind.PHOTO, "照片", HASH, "路人")
    case.add_evidence(HANDLER, clock(), EvidenceKind.PHOTO, "照片", HASH, "张执法")
    with pytest.raises(RuleViolation, match=r"add_evidence\.duplicate"):
        case.add_evidence(HANDLER, clock(), EvidenceKind.VIDEO, "视频", HASH, "刘执法")


def test_conclusion_needs_evidence() -> None:
    clock = Clock()
    case = new_enforcement(clock)
    case.file(SUPERVISOR, clock(), "立案", "城管执法中队")
    case.start_investigation(SUPERVISOR, clock(), OFFICERS)
    with pytest.raises(RuleViolation, match=r"conclude\.evidence"):
        case.conclude_investigation(HANDLER, clock(), DecisionType.FINE, False, False, "终结")


def test_a_major_case_cannot_be_decided_before_legality_review_is_approved() -> None:
    clock = Clock()
    case = concluded(clock, major=True)
    case.give_prior_notice(HANDLER, clock(), DecisionType.FINE, FINE, "权利告知")
    with pytest.raises(RuleViolation) as error:
        case.decide(SUPERVISOR, clock(), DecisionType.FINE, FINE, "理由", "依据")
    assert error.value.rule == "enforcement.decide.major_review"
    assert "legality review is approved" in error.value.en


def test_a_returned_review_sends_the_case_back_and_approval_then_allows_discussion_and_decision() -> None:
    clock = Clock()
    case = concluded(clock, major=True)
    case.submit_for_review(HANDLER, clock())
    with pytest.raises(InvalidValue) as error:
        case.review_legality(REVIEWER, clock(), ReviewResult.RETURNED, "")
    assert error.value.field == "opinions"
    case.review_legality(REVIEWER, clock(), ReviewResult.RETURNED, "证据不足，补充询问笔录")
    assert case.status is S.INVESTIGATING
    case.add_evidence(HANDLER, clock(), EvidenceKind.TESTIMONY, "询问笔录", "b" * 64, "刘执法")
    case.conclude_investigation(HANDLER, clock(), DecisionType.ORDER_DEMOLISH, True, False, "补充后终结")
    case.submit_for_review(HANDLER, clock())
    case.review_legality(REVIEWER, clock(), ReviewResult.APPROVED, "")
    assert status_now(case) is S.REVIEWED
    case.give_prior_notice(HANDLER, clock(), DecisionType.ORDER_DEMOLISH, None, "权利告知", hearing_offered=True)
    with pytest.raises(RuleViolation, match=r"decide\.collective"):
        case.decide(SUPERVISOR, clock(), DecisionType.ORDER_DEMOLISH, None, "理由", "依据")
    case.discuss(SUPERVISOR, clock(), ["主任", "副主任", "法制员"], "同意责令拆除")
    case.decide(SUPERVISOR, clock(), DecisionType.ORDER_DEMOLISH, None, "理由", "依据")
    assert status_now(case) is S.DECIDED


def test_an_investigator_cannot_review_legality() -> None:
    from domain.actor import Actor, Role

    clock = Clock()
    case = concluded(clock)
    case.submit_for_review(HANDLER, clock())
    with pytest.raises(RuleViolation, match=r"review\.independent"):
        case.review_legality(Actor("张执法", Role.LEGAL_REVIEWER, "法制审核室"), clock(), ReviewResult.APPROVED, "")


def test_a_penalty_needs_prior_notice_and_a_requested_hearing_must_be_held_by_an_outsider() -> None:
    clock = Clock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))
    case = concluded(clock)
    with pytest.raises(RuleViolation, match=r"decide\.prior_notice"):
        case.decide(SUPERVISOR, clock(), DecisionType.WARNING, None, "理由", "依据")
    case.give_prior_notice(HANDLER, clock(), DecisionType.FINE, FINE, "权利告知")
    case.request_hearing(HANDLER, datetime(2025, 10, 10, 2, tzinfo=UTC), CALENDAR, RULES)
    with pytest.raises(RuleViolation, match=r"decide\.status"):
        case.decide(SUPERVISOR, clock(days=20), DecisionType.FINE, FINE, "理由", "依据")
    with pytest.raises(RuleViolation, match=r"hold_hearing\.chair"):
        case.hold_hearing(SUPERVISOR, clock(), "张执法", ["当事人"], "听证笔录")
    case.hold_hearing(SUPERVISOR, clock(), "法制员王某", ["当事人", "张执法"], "听证笔录")
    case.decide(SUPERVISOR, clock(), DecisionType.FINE, FINE, "理由", "依据")
    assert case.status is S.DECIDED


def test_a_hearing_requested_too_late_is_refused() -> None:
    clock = Clock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))
    case = concluded(clock)
    case.give_prior_notice(HANDLER, clock(), DecisionType.FINE, FINE, "权利告知")
    with pytest.raises(RuleViolation) as error:
        case.request_hearing(HANDLER, datetime(2025, 10, 11, 2, tzinfo=UTC), CALENDAR, RULES)
    assert error.value.rule == "enforcement.request_hearing.window"


def test_fines_are_positive_and_only_on_fines() -> None:
    clock = Clock()
    case = concluded(clock)
    with pytest.raises(InvalidValue) as error:
        case.give_prior_notice(HANDLER, clock(), DecisionType.FINE, Decimal("-5"), "权利告知")
    assert error.value.field == "fine"
    with pytest.raises(InvalidValue):
        case.give_prior_notice(HANDLER, clock(), DecisionType.WARNING, FINE, "权利告知")
    with pytest.raises(InvalidValue):
        case.decide(SUPERVISOR, clock(), DecisionType.FINE, Decimal("1.005"), "理由", "依据")


def test_no_penalty_decisions_need_no_notice_and_no_execution() -> None:
    clock = Clock()
    case = concluded(clock)
    case.decide(SUPERVISOR, clock(), DecisionType.NO_PENALTY, None, "首违不罚", "《行政处罚法》第三十三条")
    case.serve(HANDLER, clock(), "直接送达")
    with pytest.raises(RuleViolation, match=r"execute\.nothing"):
        case.execute(HANDLER, clock(), ExecutionResult.PAID)
    case.close(SUPERVISOR, clock())
    assert case.status is S.CLOSED


def test_a_clue_can_be_declined() -> None:
    clock = Clock()
    case = new_enforcement(clock)
    case.decline(SUPERVISOR, clock(), "不属于本机关管辖")
    assert case.status is S.NOT_FILED and not case.is_open


def test_an_order_to_rectify_is_not_a_penalty_but_a_notice_of_criticism_is() -> None:
    clock = Clock()
    case = concluded(clock)
    with pytest.raises(RuleViolation, match=r"notify\.penalty"):
        case.give_prior_notice(HANDLER, clock(), DecisionType.ORDER_RECTIFY, None, "权利告知")
    with pytest.raises(RuleViolation, match=r"decide\.prior_notice"):
        case.decide(SUPERVISOR, clock(), DecisionType.CRITICISM, None, "理由", "依据")
    case.decide(SUPERVISOR, clock(), DecisionType.ORDER_RECTIFY, None, "责令限期改正", "《行政处罚法》第二十八条")
    assert case.decision is DecisionType.ORDER_RECTIFY


# -- the decision stays within the prior notice (行政处罚法 Arts. 44, 62, 63) -------------------------


def _notified(clock: Clock, intended: DecisionType, fine: Decimal | None, **notice: Any) -> EnforcementCase:
    case = concluded(clock)
    case.give_prior_notice(HANDLER, clock(), intended, fine, "陈述、申辩权利", **notice)
    return case


def _refusal(case: EnforcementCase, clock: Clock, decision: DecisionType, fine: Decimal | None) -> RuleViolation:
    version = case.version
    with pytest.raises(RuleViolation) as error:
        case.decide(SUPERVISOR, clock(), decision, fine, "违法事实清楚", "《城乡规划法》第六十四条")
    assert case.version == version and case.status is S.NOTIFIED, "nothing changed"
    return error.value


def test_a_fine_cannot_be_decided_on_the_notice_of_a_warning() -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    case = _notified(clock, DecisionType.WARNING, None)
    refusal = _refusal(case, clock, DecisionType.FINE, Decimal("50000"))
    assert refusal.rule == "enforcement.decide.beyond_notice"
    assert refusal.en.startswith(
        "the decision (a fine of 50000 yuan) is heavier than, or of another type than, the prior notice (warning)"
    )
    assert refusal.zh.startswith("决定的罚款50000元重于或不同于事先告知的「警告」") and "第六十二条" in refusal.zh


def test_a_fine_cannot_be_decided_above_the_fine_noticed() -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    case = _notified(clock, DecisionType.FINE, Decimal("200"))
    assert _refusal(case, clock, DecisionType.FINE, Decimal("500")).rule == "enforcement.decide.beyond_notice"
    assert _refusal(case, clock, DecisionType.FINE, Decimal("200.01")).rule == "enforcement.decide.beyond_notice"
    case.decide(SUPERVISOR, clock(), DecisionType.FINE, Decimal("200"), "违法事实清楚", "依据")
    assert case.status is S.DECIDED and case.fine == Decimal("200")


def test_a_lighter_decision_of_the_type_noticed_stands() -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    case = _notified(clock, DecisionType.FINE, Decimal("800"))
    case.decide(SUPERVISOR, clock(), DecisionType.FINE, Decimal("150"), "有从轻情节", "《行政处罚法》第三十二条")
    assert case.status is S.DECIDED and case.fine == Decimal("150")


def test_a_penalty_of_another_type_needs_a_new_notice_even_if_lighter() -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    case = _notified(clock, DecisionType.FINE, Decimal("800"))
    assert _refusal(case, clock, DecisionType.WARNING, None).rule == "enforcement.decide.beyond_notice"
    case.decide(SUPERVISOR, clock(), DecisionType.NO_PENALTY, None, "首违不罚", "《行政处罚法》第三十三条")
    assert case.status is S.DECIDED, "not penalising needs no notice"


def test_a_new_notice_opens_the_heavier_decision_and_a_new_hearing_window() -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    case = _notified(clock, DecisionType.FINE, Decimal("200"))
    _refusal(case, clock, DecisionType.FINE, Decimal("500"))
    case.give_prior_notice(HANDLER, datetime(2025, 6, 16, 2, tzinfo=UTC), DecisionType.FINE, Decimal("500"), "重新告知")
    assert case.intended_fine == Decimal("500") and case.notified_on == date(2025, 6, 16)
    case.request_hearing(HANDLER, datetime(2025, 6, 20, 2, tzinfo=UTC), CALENDAR, RULES)
    assert case.status is S.HEARING_REQUESTED, "the five working days run from the new notice"
    case.hold_hearing(SUPERVISOR, datetime(2025, 6, 27, 2, tzinfo=UTC), "法制员王某", ["当事人"], "听证笔录")
    case.decide(SUPERVISOR, datetime(2025, 6, 30, 2, tzinfo=UTC), DecisionType.FINE, Decimal("500"), "理由", "依据")
    assert status_now(case) is S.DECIDED


def test_the_notice_of_a_large_fine_must_offer_a_hearing() -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    case = concluded(clock)
    with pytest.raises(RuleViolation) as error:
        case.give_prior_notice(HANDLER, clock(), DecisionType.FINE, Decimal("5000"), "陈述、申辩权利")
    assert error.value.rule == "enforcement.notify.hearing_rights"
    assert "对公民罚款5000元以上" in error.value.zh and "5000 yuan or more on an individual" in error.value.en
    assert case.status is S.CONCLUDED
    case.give_prior_notice(HANDLER, clock(), DecisionType.FINE, Decimal("4999.99"), "陈述、申辩权利")
    assert status_now(case) is S.NOTIFIED and not case.hearing_offered
    with pytest.raises(RuleViolation, match=r"notify\.hearing_rights"):
        case.give_prior_notice(
            HANDLER, clock(), DecisionType.FINE, Decimal("10000"), "权利", party_type=PartyType.ORGANISATION
        )
    case.give_prior_notice(
        HANDLER, clock(), DecisionType.FINE, Decimal("9999"), "权利", party_type=PartyType.ORGANISATION
    )
    case.give_prior_notice(
        HANDLER, clock(), DecisionType.FINE, Decimal("50000"), "陈述、申辩、听证权利", hearing_offered=True
    )
    assert case.hearing_offered and case.intended_fine == Decimal("50000")


@pytest.mark.parametrize("heavy", [DecisionType.CONFISCATION, DecisionType.ORDER_DEMOLISH])
def test_a_confiscation_or_an_order_to_demolish_is_noticed_with_a_hearing(heavy: DecisionType) -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    case = concluded(clock)
    with pytest.raises(RuleViolation, match=r"notify\.hearing_rights"):
        case.give_prior_notice(HANDLER, clock(), heavy, None, "陈述、申辩权利")
    case.give_prior_notice(HANDLER, clock(), DecisionType.WARNING, None, "陈述、申辩权利")
    case.give_prior_notice(HANDLER, clock(), heavy, None, "陈述、申辩、听证权利", hearing_offered=True)
    assert case.intended is heavy


def test_the_large_fine_amounts_are_the_office_s_own() -> None:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    local = RuleTable.statutory().overridden([{"large_fines": {"individual": 2000, "organisation": "30000.50"}}])
    assert local.large_fines == LargeFines(individual=Decimal("2000"), organisation=Decimal("30000.50"))
    assert RULES.large_fines == LargeFines(individual=Decimal("5000"), organisation=Decimal("10000"))
    case = concluded(clock)
    with pytest.raises(RuleViolation, match=r"notify\.hearing_rights"):
        case.give_prior_notice(
            HANDLER, clock(), DecisionType.FINE, Decimal("2000"), "权利", large_fines=local.large_fines
        )
    case.give_prior_notice(
        HANDLER,
        clock(),
        DecisionType.FINE,
        Decimal("30000"),
        "权利",
        party_type=PartyType.ORGANISATION,
        large_fines=local.large_fines,
    )
    assert case.status is S.NOTIFIED


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"large_fines": {"individual": -1}}, "rules[0].large_fines.individual"),
        ({"large_fines": {"organisation": "lots"}}, "rules[0].large_fines.organisation"),
        ({"large_fines": {"company": 1}}, "rules[0].large_fines"),
        ({"large_fines": {"individual": 1}, "kind": "enforcement"}, "rules[0].large_fines"),
        ({"large_fines": 5000}, "rules[0].large_fines"),
    ],
)
def test_a_bad_large_fine_amount_names_its_field(override: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        RuleTable.statutory().overridden([override])
    assert error.value.field == field
