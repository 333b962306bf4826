from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.complaint import Complaint, ComplaintStatus
from domain.errors import InvalidValue, RuleViolation
from domain.outcomes import ClockPause, Finding, ReplyOpinion, Satisfaction
from domain.rules import RuleTable
from tests.support import CLERK, HANDLER, SUPERVISOR, Clock, new_complaint

S = ComplaintStatus
RULES = RuleTable.statutory()
CALENDAR = WorkingCalendar.default()


def handled(clock: Clock) -> Complaint:
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    complaint.dispatch(SUPERVISOR, clock(), "城管执法中队", ["市场监管所"])
    complaint.investigate(HANDLER, clock(), Finding.SUBSTANTIATED, "现场核实属实")
    complaint.dispose(HANDLER, clock(), "责令摊主退回店内经营")
    complaint.reply(HANDLER, clock(), ReplyOpinion.SUPPORT, "占道属实", "影响通行", "《城市市容和环境卫生管理条例》")
    return complaint


def test_the_full_path_reaches_closed_and_records_each_step() -> None:
    clock = Clock()
    complaint = handled(clock)
    complaint.visit(CLERK, clock(), Satisfaction.SATISFIED)
    complaint.close(SUPERVISOR, clock(), resolved=True)
    assert complaint.status is S.CLOSED
    assert complaint.resolved is True
    assert [type(e).__name__ for e in complaint.collect_events()] == [
        "Registered",
        "Accepted",
        "Dispatched",
        "Investigated",
        "Disposed",
        "Replied",
        "Visited",
        "Closed",
    ]


def test_not_accepted_needs_a_reason_and_a_route() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    with pytest.raises(InvalidValue) as error:
        complaint.not_accept(SUPERVISOR, clock(), "属于民事纠纷", " ")
    assert error.value.field == "route"
    complaint.not_accept(SUPERVISOR, clock(), "属于民事纠纷", "向人民法院起诉")
    assert complaint.status is S.NOT_ACCEPTED
    assert not complaint.is_open


def test_answered_directly_then_visited_and_closed() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    complaint.answer_directly(CLERK, clock(), ReplyOpinion.EXPLAIN, "已当场解释政策")
    complaint.visit(CLERK, clock(), Satisfaction.BASICALLY)
    complaint.close(SUPERVISOR, clock(), resolved=True)
    assert complaint.status is S.CLOSED


def test_accepting_twice_is_refused_naming_the_rule() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    with pytest.raises(RuleViolation) as error:
        complaint.accept(SUPERVISOR, clock())
    assert error.value.rule == "complaint.accept.status"
    assert "已登记" in error.value.zh


def test_dispatch_before_acceptance_is_refused() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    with pytest.raises(RuleViolation, match=r"complaint\.dispatch\.status"):
        complaint.dispatch(SUPERVISOR, clock(), "城管执法中队", [])


def test_the_lead_unit_cannot_also_assist() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    with pytest.raises(InvalidValue) as error:
        complaint.dispatch(SUPERVISOR, clock(), "城管执法中队", ["城管执法中队"])
    assert error.value.field == "assisting_units"


def test_a_unit_returns_within_five_working_days_and_the_redispatched_unit_is_designated() -> None:
    clock = Clock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))  # Friday before National Day
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    complaint.dispatch(SUPERVISOR, clock(), "市场监管所", [])
    # Sep 28 (调休 Sunday) and Sep 29, 30, Oct 9, 10 are the five working days; Oct 10 is still in time.
    complaint.return_to_dispatcher(HANDLER, datetime(2025, 10, 10, 8, tzinfo=UTC), "不属本单位职责", CALENDAR, RULES)
    assert complaint.status is S.RETURNED
    complaint.dispatch(SUPERVISOR, datetime(2025, 10, 10, 9, tzinfo=UTC), "城管执法中队", [])
    assert complaint.designated
    with pytest.raises(RuleViolation) as error:
        complaint.return_to_dispatcher(HANDLER, datetime(2025, 10, 10, 10, tzinfo=UTC), "仍不属本单位", CALENDAR, RULES)
    assert error.value.rule == "complaint.return.designated"


def test_a_late_return_is_refused() -> None:
    clock = Clock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    complaint.dispatch(SUPERVISOR, clock(), "市场监管所", [])
    with pytest.raises(RuleViolation) as error:
        complaint.return_to_dispatcher(HANDLER, datetime(2025, 10, 11, 8, tzinfo=UTC), "不属本单位", CALENDAR, RULES)
    assert error.value.rule == "complaint.return.window"


def test_closing_over_a_dissatisfied_resident_needs_a_reason() -> None:
    clock = Clock()
    complaint = handled(clock)
    complaint.visit(CLERK, clock(), Satisfaction.DISSATISFIED)
    with pytest.raises(InvalidValue) as error:
        complaint.close(SUPERVISOR, clock(), resolved=False)
    assert error.value.field == "reason"
    complaint.close(SUPERVISOR, clock(), resolved=False, reason="诉求超出政策范围")
    assert complaint.status is S.CLOSED and complaint.resolved is False


def test_only_a_dissatisfied_visit_can_be_reopened() -> None:
    clock = Clock()
    complaint = handled(clock)
    complaint.visit(CLERK, clock(), Satisfaction.SATISFIED)
    with pytest.raises(RuleViolation) as error:
        complaint.reopen(SUPERVISOR, clock(), "复查")
    assert error.value.rule == "complaint.reopen.satisfied"


def test_the_third_reopening_marks_a_problem_case() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    for round_ in range(1, 4):
        complaint.dispatch(SUPERVISOR, clock(), "城管执法中队", [])
        complaint.investigate(HANDLER, clock(), Finding.PARTLY, "部分属实")
        complaint.reply(HANDLER, clock(), ReplyOpinion.EXPLAIN, "事实", "理由", "依据")
        complaint.visit(CLERK, clock(), Satisfaction.DISSATISFIED)
        complaint.reopen(SUPERVISOR, clock(), "群众不满意，发回重办")
        assert complaint.reopenings == round_
        assert complaint.problem_case is (round_ == 3)
    assert complaint.status is S.REOPENED


def test_merge_into_itself_is_refused_and_merge_into_another_is_terminal() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    with pytest.raises(RuleViolation):
        complaint.merge_into(CLERK, clock(), complaint.id, "重复")
    other = uuid4()
    complaint.merge_into(CLERK, clock(), other, "与已登记投诉重复")
    assert complaint.status is S.MERGED and complaint.merged_into == other
    with pytest.raises(RuleViolation, match=r"complaint\.closed"):
        complaint.supervise(SUPERVISOR, clock(), "督办")


def test_transfer_out_is_only_before_dispatch() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    complaint.dispatch(SUPERVISOR, clock(), "城管执法中队", [])
    with pytest.raises(RuleViolation, match=r"complaint\.transfer\.status"):
        complaint.transfer_out(SUPERVISOR, clock(), "区市场监管局", "属市场监管职责")


def test_extension_is_capped_at_thirty_days_and_allowed_once() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    with pytest.raises(InvalidValue) as error:
        complaint.extend_deadline(SUPERVISOR, clock(), 31, "情况复杂", RULES)
    assert error.value.field == "days"
    complaint.extend_deadline(SUPERVISOR, clock(), 30, "情况复杂", RULES)
    with pytest.raises(RuleViolation) as refused:
        complaint.extend_deadline(SUPERVISOR, clock(), 5, "再次延期", RULES)
    assert refused.value.rule == "complaint.extend.limit"


def test_supervision_reminders_pause_and_resume() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    complaint.supervise(SUPERVISOR, clock(), "群众反映强烈")
    with pytest.raises(RuleViolation, match=r"supervise\.already"):
        complaint.supervise(SUPERVISOR, clock(), "再督办")
    complaint.remind(SUPERVISOR, clock(), "请加快办理")
    with pytest.raises(RuleViolation, match=r"pause\.not_allowed"):
        complaint.pause_clock(SUPERVISOR, clock(), ClockPause.HEARING, "听证", RULES)
    complaint.pause_clock(SUPERVISOR, clock(), ClockPause.WAITING_ON_PARTY, "等待投诉人补充材料", RULES)
    with pytest.raises(RuleViolation, match=r"pause\.already"):
        complaint.pause_clock(SUPERVISOR, clock(), ClockPause.WAITING_ON_PARTY, "x", RULES)
    complaint.resume_clock(SUPERVISOR, clock())
    with pytest.raises(RuleViolation, match=r"resume\.not_paused"):
        complaint.resume_clock(SUPERVISOR, clock())
    assert complaint.supervised and complaint.reminders == 1 and complaint.paused is None


def test_a_correction_names_the_event_it_corrects() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    with pytest.raises(InvalidValue) as error:
        complaint.correct(CLERK, clock(), 7, "登记错误", description="新的描述")
    assert error.value.field == "corrects_version"
    with pytest.raises(InvalidValue):
        complaint.correct(CLERK, clock(), 1, "登记错误")
    complaint.correct(CLERK, clock(), 1, "地址登记错误", description="早餐摊点占用盲道经营")
    corrected = complaint.collect_events()[-1]
    assert isinstance(corrected, Case.Corrected) and corrected.corrects_version == 1
    assert complaint.description == "早餐摊点占用盲道经营"


def test_times_must_be_aware_ordered_and_not_in_the_future() -> None:
    clock = Clock()
    complaint = new_complaint(clock)
    with pytest.raises(InvalidValue, match="time-zone"):
        complaint.accept(SUPERVISOR, datetime(2025, 3, 4, 9, 0))
    with pytest.raises(InvalidValue, match="earlier"):
        complaint.accept(SUPERVISOR, clock.moment - timedelta(hours=1))
    with pytest.raises(InvalidValue, match="future"):
        complaint.accept(SUPERVISOR, datetime.now(UTC) + timedelta(days=1))
    assert complaint.status is S.REGISTERED


def test_only_an_anonymous_complaint_closes_without_a_follow_up_visit() -> None:
    clock = Clock()
    complaint = handled(clock)
    with pytest.raises(RuleViolation) as error:
        complaint.close(SUPERVISOR, clock(), resolved=True)
    assert error.value.rule == "complaint.close.visit"
    anonymous = handled(Clock())
    anonymous.anonymous = True
    anonymous.close(SUPERVISOR, clock(), resolved=True)
    assert anonymous.status is S.CLOSED
