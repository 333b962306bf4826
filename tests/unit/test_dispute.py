from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.dispute import Dispute, DisputeStatus
from domain.errors import InvalidValue, RuleViolation
from domain.outcomes import Performance, RefusalGround, Satisfaction, SessionOutcome
from domain.rules import RuleTable
from domain.time import local_date
from tests.support import CLERK, HANDLER, SUPERVISOR, Clock, new_dispute

S = DisputeStatus
RULES = RuleTable.statutory()


def in_mediation(clock: Clock) -> Dispute:
    dispute = new_dispute(clock)
    dispute.accept(SUPERVISOR, clock())
    dispute.assign_mediator(SUPERVISOR, clock(), "陈调解", "东湖村人民调解委员会")
    dispute.investigate(HANDLER, clock(), "走访双方及邻居")
    at = clock()
    dispute.hold_session(
        HANDLER, at, local_date(at), ["陈调解", "李建国", "赵国强"], "双方陈述", SessionOutcome.PROGRESS
    )
    return dispute


def agreed(clock: Clock) -> Dispute:
    dispute = in_mediation(clock)
    at = clock()
    dispute.agree(
        HANDLER,
        at,
        ["李建国", "赵国强"],
        "排水口改道",
        "双方各半",
        "三日内改道",
        "现场履行",
        local_date(at) + timedelta(days=3),
    )
    return dispute


def test_mediation_to_agreement_confirmation_performance_visit_and_closure() -> None:
    clock = Clock()
    dispute = agreed(clock)
    dispute.apply_for_confirmation(HANDLER, clock(days=10), "区人民法院", True, RULES)
    dispute.record_confirmation(HANDLER, clock(), True, "(2025)浙0000民特00号")
    dispute.check_performance(HANDLER, clock(days=3), Performance.FULFILLED)
    dispute.visit(CLERK, clock(), Satisfaction.SATISFIED)
    dispute.close(SUPERVISOR, clock(), resolved=True)
    assert dispute.status is S.CLOSED and dispute.confirmed is True


def test_refusal_for_another_forum_must_name_it() -> None:
    clock = Clock()
    dispute = new_dispute(clock)
    with pytest.raises(InvalidValue) as error:
        dispute.refuse(SUPERVISOR, clock(), RefusalGround.COURT, "", "已起诉")
    assert error.value.field == "competent_body"
    dispute.refuse(SUPERVISOR, clock(), RefusalGround.COURT, "区人民法院", "一方已向法院起诉")
    assert dispute.status is S.REFUSED


def test_a_dispute_needs_two_parties() -> None:
    clock = Clock()
    with pytest.raises(InvalidValue) as error:
        Dispute.check_filing(
            category="neighbour",
            channel="application",
            location=new_dispute(clock).location,
            description="邻里纠纷",
            parties=[],
            at=clock(),
        )
    assert error.value.field == "parties"


def test_a_recused_mediator_cannot_be_assigned_again_nor_a_party() -> None:
    clock = Clock()
    dispute = new_dispute(clock)
    dispute.accept(SUPERVISOR, clock())
    with pytest.raises(RuleViolation, match=r"assign_mediator\.party"):
        dispute.assign_mediator(SUPERVISOR, clock(), "李建国", "东湖村人民调解委员会")
    dispute.assign_mediator(SUPERVISOR, clock(), "陈调解", "东湖村人民调解委员会")
    dispute.recuse(SUPERVISOR, clock(), "调解员系申请人亲属")
    assert dispute.status is S.ACCEPTED
    with pytest.raises(RuleViolation) as error:
        dispute.assign_mediator(SUPERVISOR, clock(), "陈调解", "东湖村人民调解委员会")
    assert error.value.rule == "dispute.assign_mediator.recused"
    dispute.assign_mediator(SUPERVISOR, clock(), "周调解", "东湖村人民调解委员会")
    assert dispute.mediator == "周调解"


def test_an_agreement_needs_a_session_first() -> None:
    clock = Clock()
    dispute = new_dispute(clock)
    dispute.accept(SUPERVISOR, clock())
    dispute.assign_mediator(SUPERVISOR, clock(), "陈调解", "东湖村人民调解委员会")
    dispute.investigate(HANDLER, clock(), "调查")
    with pytest.raises(RuleViolation, match=r"dispute\.agree\.status"):
        dispute.agree(HANDLER, clock(), ["甲", "乙"], "f", "r", "t", "p", date(2025, 12, 31))


def test_a_session_cannot_be_recorded_before_it_is_held() -> None:
    clock = Clock()
    dispute = new_dispute(clock)
    dispute.accept(SUPERVISOR, clock())
    dispute.assign_mediator(SUPERVISOR, clock(), "陈调解", "东湖村人民调解委员会")
    dispute.investigate(HANDLER, clock(), "调查")
    at = clock()
    with pytest.raises(InvalidValue) as error:
        dispute.hold_session(
            HANDLER, at, local_date(at) + timedelta(days=1), ["甲", "乙"], "n", SessionOutcome.PROGRESS
        )
    assert error.value.field == "held_on"


def test_judicial_confirmation_is_joint_and_within_thirty_days() -> None:
    clock = Clock()
    dispute = agreed(clock)
    with pytest.raises(RuleViolation, match=r"apply_confirmation\.jointly"):
        dispute.apply_for_confirmation(HANDLER, clock(), "区人民法院", False, RULES)
    with pytest.raises(RuleViolation, match=r"apply_confirmation\.window"):
        dispute.apply_for_confirmation(HANDLER, clock(days=31), "区人民法院", True, RULES)


def test_ended_mediation_can_be_closed_with_the_route_advised() -> None:
    clock = Clock()
    dispute = in_mediation(clock)
    dispute.end_mediation(HANDLER, clock(), "一方拒绝继续调解", "可向人民法院起诉")
    dispute.close(SUPERVISOR, clock(), resolved=False)
    assert dispute.status is S.CLOSED and dispute.resolved is False


def test_risk_is_flagged_once_and_extension_needs_both_parties_consent() -> None:
    clock = Clock()
    dispute = in_mediation(clock)
    dispute.flag_risk(HANDLER, clock(), "双方发生肢体冲突", "综治中心")
    with pytest.raises(RuleViolation, match=r"flag_risk\.already"):
        dispute.flag_risk(HANDLER, clock(), "再次", "综治中心")
    with pytest.raises(RuleViolation) as error:
        dispute.extend_deadline(SUPERVISOR, clock(), 15, "需要测量", RULES)
    assert error.value.rule == "dispute.extend.consent"
    dispute.extend_deadline(SUPERVISOR, clock(), 15, "需要测量", RULES, parties_consent=True)
    assert dispute.extensions == [15]


def test_an_agreement_cannot_be_performed_before_it_is_made() -> None:
    clock = Clock()
    dispute = in_mediation(clock)
    at = clock()
    with pytest.raises(InvalidValue) as error:
        dispute.agree(HANDLER, at, ["甲", "乙"], "事实", "责任", "条款", "履行", local_date(at) - timedelta(days=1))
    assert error.value.field == "perform_by"


def test_a_court_ruling_is_recorded_only_after_an_application() -> None:
    clock = Clock()
    dispute = agreed(clock)
    with pytest.raises(RuleViolation, match=r"dispute\.record_confirmation\.status"):
        dispute.record_confirmation(HANDLER, clock(), True, "(2025)民特1号")
