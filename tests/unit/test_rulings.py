from __future__ import annotations

from functools import partial

import pytest

from domain.clearing import AccusationFinding, Clearing, ClearingMethod, ClearingStatus
from domain.errors import InvalidValue, RuleViolation
from domain.tolerance import (
    RulingOutcome,
    RulingStatus,
    ToleranceCondition,
    ToleranceEffect,
    ToleranceRuling,
)
from tests.support import DISCIPLINE, Clock

ALL = list(ToleranceCondition)
PANEL = ["纪工委书记", "纪工委副书记", "组织委员"]


def requested(clock: Clock) -> ToleranceRuling:
    return ToleranceRuling.request(
        request_key="r-1",
        cadre_id="cadre-7",
        cadre_name="孙某",
        unit="城管执法中队",
        case_ids=[],
        error="拆违时未及时固定证据",
        consequences="行政复议被撤销",
        circumstances="台风前紧急处置",
        motive="防止安全隐患",
        proposed_by_unit=True,
        actor=DISCIPLINE,
        at=clock(),
    )


def deliberated(clock: Clock, met: list[ToleranceCondition], negative: bool = False) -> ToleranceRuling:
    ruling = requested(clock)
    ruling.accept(DISCIPLINE, clock())
    ruling.verify(DISCIPLINE, clock(), met, negative, "逐项核实")
    ruling.deliberate(DISCIPLINE, clock(), PANEL, "集体研究")
    return ruling


def test_an_exemption_through_notice_filing_and_appeal() -> None:
    clock = Clock()
    ruling = deliberated(clock, ALL)
    ruling.rule(DISCIPLINE, clock(), RulingOutcome.EXEMPTED, [ToleranceEffect.AWARDS], "容错免责办法第五条")
    ruling.notify(DISCIPLINE, clock(), "孙某")
    ruling.file_upward(DISCIPLINE, clock(), "区纪委监委")
    ruling.appeal(DISCIPLINE, clock(), "对认定范围有异议")
    assert ruling.status is RulingStatus.APPEALED


def test_exemption_needs_every_condition_met() -> None:
    clock = Clock()
    ruling = deliberated(clock, ALL[:-1])
    with pytest.raises(RuleViolation) as error:
        ruling.rule(DISCIPLINE, clock(), RulingOutcome.EXEMPTED, [ToleranceEffect.AWARDS], "依据")
    assert error.value.rule == "ruling.rule.conditions"
    assert ToleranceCondition.CORRECTED.en in error.value.en
    ruling.rule(DISCIPLINE, clock(), RulingOutcome.MITIGATED, [ToleranceEffect.DISCIPLINARY_SANCTION], "依据")
    assert ruling.outcome is RulingOutcome.MITIGATED


def test_the_negative_list_refuses_any_tolerance() -> None:
    clock = Clock()
    ruling = deliberated(clock, ALL, negative=True)
    with pytest.raises(RuleViolation, match=r"negative_list"):
        ruling.rule(DISCIPLINE, clock(), RulingOutcome.MITIGATED, [ToleranceEffect.AWARDS], "依据")
    with pytest.raises(InvalidValue) as error:
        ruling.rule(DISCIPLINE, clock(), RulingOutcome.NOT_TOLERATED, [ToleranceEffect.AWARDS], "依据")
    assert error.value.field == "effects"
    ruling.rule(DISCIPLINE, clock(), RulingOutcome.NOT_TOLERATED, [], "属负面清单情形")


def test_deliberation_is_collective_and_steps_keep_their_order() -> None:
    clock = Clock()
    ruling = requested(clock)
    with pytest.raises(RuleViolation, match=r"ruling\.verify\.status"):
        ruling.verify(DISCIPLINE, clock(), ALL, False, "核实")
    ruling.accept(DISCIPLINE, clock())
    ruling.verify(DISCIPLINE, clock(), ALL, False, "核实")
    with pytest.raises(InvalidValue) as error:
        ruling.deliberate(DISCIPLINE, clock(), PANEL[:2], "研究")
    assert error.value.field == "participants"


def test_a_request_can_be_declined() -> None:
    clock = Clock()
    ruling = requested(clock)
    ruling.decline(DISCIPLINE, clock(), "不属于容错情形")
    assert ruling.status is RulingStatus.DECLINED and not ruling.is_open


def test_a_clearing_requires_a_false_accusation_and_runs_to_the_record() -> None:
    clock = Clock()
    propose = partial(
        Clearing.propose,
        request_key="k",
        cadre_id="cadre-9",
        cadre_name="钱某",
        unit="东湖村",
        accusation="反映其优亲厚友",
        investigation="纪工委初核报告〔2025〕3号",
        actor=DISCIPLINE,
    )
    with pytest.raises(RuleViolation, match=r"clearing\.propose\.finding"):
        propose(finding=AccusationFinding.UNDETERMINED, at=clock())
    clearing = propose(finding=AccusationFinding.FALSE, at=clock())
    with pytest.raises(RuleViolation, match=r"clearing\.clear\.status"):
        clearing.clear(DISCIPLINE, clock(), ClearingMethod.LETTER, "村两委")
    clearing.approve(DISCIPLINE, clock())
    clearing.clear(DISCIPLINE, clock(), ClearingMethod.MEETING_NOTICE, "村民代表会议")
    clearing.record(DISCIPLINE, clock(), "干部档案〔2025〕12号")
    assert clearing.status is ClearingStatus.RECORDED


def test_users_and_tokens_refuse_a_second_deactivation_or_revocation() -> None:
    from domain.accounts import AccessToken, User
    from domain.actor import Role

    clock = Clock()
    user = User.register(
        username="wang", display_name="王", roles=[Role.CLERK], units=["受理窗口"], actor=DISCIPLINE, at=clock()
    )
    user.deactivate(DISCIPLINE, clock(), "调离")
    with pytest.raises(RuleViolation, match=r"user\.deactivate\.inactive"):
        user.deactivate(DISCIPLINE, clock(), "again")
    token = AccessToken(
        token_hash="h" * 64,
        username="wang",
        label="desk",
        expires_at=None,
        actor=DISCIPLINE,
        at=clock(),
        kind="api",
        role=Role.CLERK,
        unit="受理窗口",
    )
    token.revoke(DISCIPLINE, clock(), "lost")
    with pytest.raises(RuleViolation, match=r"token\.revoke\.revoked"):
        token.revoke(DISCIPLINE, clock(), "again")
    assert token.revoked and not token.is_expired_at(clock()), "refused as revoked, not as expired"
