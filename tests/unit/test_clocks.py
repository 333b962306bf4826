"""Statutory clocks on real dates of the Chinese calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.clocks import ClockMark, ClockStatus, StageClock, _count, _deadline, derive_clocks, marks_from_events
from domain.enforcement import EnforcementCase
from domain.kinds import CaseKind
from domain.outcomes import ClockPause, DecisionType, EvidenceKind, Finding, ReplyOpinion
from domain.rules import DayUnit, RuleTable, Stage
from domain.time import SHANGHAI
from tests.support import CLERK, FINE, HANDLER, HASH, SUPERVISOR, Clock, new_complaint, new_dispute, new_enforcement

RULES = RuleTable.statutory()
CALENDAR = WorkingCalendar.default()


def shanghai(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


_recorded: dict[int, tuple[Case, list[object]]] = {}


def clocks(case: Case, on: date) -> dict[Stage, StageClock]:
    """The case's clocks on ``on``, from every event it has triggered so far."""
    _, history = _recorded.setdefault(id(case), (case, []))
    history.extend(case.collect_events())
    marks = marks_from_events(case.KIND, history)
    derived = derive_clocks(case.KIND, case.category.code, marks, RULES, CALENDAR, shanghai(on, 18))
    return {c.stage: c for c in derived}


def test_a_complaint_registered_the_friday_before_national_day_2025_must_be_accepted_by_the_make_up_saturday() -> None:
    complaint = new_complaint(Clock(shanghai(date(2025, 9, 26))))
    acceptance = clocks(complaint, date(2025, 10, 9))[Stage.ACCEPTANCE]
    # 26 Sep + 15 calendar days is Saturday 11 Oct 2025, a make-up working day (调休), so it stands.
    assert acceptance.deadline == date(2025, 10, 11)
    assert acceptance.status is ClockStatus.DUE_SOON
    assert acceptance.days_used == 13 and acceptance.days_left == 2


def test_the_acceptance_clock_goes_overdue_and_a_late_acceptance_is_a_missed_deadline() -> None:
    clock = Clock(shanghai(date(2025, 9, 26)))
    complaint = new_complaint(clock)
    assert clocks(complaint, date(2025, 10, 12))[Stage.ACCEPTANCE].status is ClockStatus.OVERDUE
    complaint = new_complaint(Clock(shanghai(date(2025, 9, 26))))
    complaint.accept(SUPERVISOR, shanghai(date(2025, 10, 13)))
    stopped = clocks(complaint, date(2025, 10, 20))
    assert stopped[Stage.ACCEPTANCE].status is ClockStatus.MISSED
    assert stopped[Stage.ACCEPTANCE].stopped_on == date(2025, 10, 13)
    assert stopped[Stage.HANDLING].deadline == date(2025, 12, 12)


def test_an_extension_moves_the_handling_deadline_by_its_days() -> None:
    clock = Clock(shanghai(date(2025, 9, 26)))
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    complaint.extend_deadline(SUPERVISOR, clock(days=30), 30, "情况复杂，需协调多个部门", RULES)
    handling = clocks(complaint, date(2025, 11, 1))[Stage.HANDLING]
    # 26 Sep + 60 days is 25 Nov; thirty more is Thursday 25 Dec 2025.
    assert handling.deadline == date(2025, 12, 25)
    assert handling.extended_days == 30 and handling.status is ClockStatus.ON_TIME


def test_a_reply_stops_handling_on_time() -> None:
    clock = Clock(shanghai(date(2025, 3, 3)))
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    complaint.dispatch(SUPERVISOR, clock(), "城管执法中队", [])
    complaint.investigate(HANDLER, clock(days=3), Finding.SUBSTANTIATED, "属实")
    complaint.reply(HANDLER, clock(days=10), ReplyOpinion.SUPPORT, "事实", "理由", "依据")
    derived = clocks(complaint, date(2025, 6, 1))
    assert derived[Stage.HANDLING].status is ClockStatus.MET
    assert derived[Stage.RETURN_WINDOW].status is ClockStatus.MET


def test_a_dispute_accepted_on_spring_festival_eve_2026_is_due_thirty_days_later() -> None:
    clock = Clock(shanghai(date(2026, 2, 10)))
    dispute = new_dispute(clock)
    dispute.accept(SUPERVISOR, shanghai(date(2026, 2, 16)))
    settlement = clocks(dispute, date(2026, 3, 2))[Stage.SETTLEMENT]
    assert settlement.deadline == date(2026, 3, 18)
    assert settlement.started_on == date(2026, 2, 16)
    assert settlement.status is ClockStatus.ON_TIME


def _enforcement_notified_on_31_march_2025() -> EnforcementCase:
    case = new_enforcement(Clock(shanghai(date(2025, 3, 1))))
    case.file(SUPERVISOR, shanghai(date(2025, 3, 3)), "立案", "城管执法中队")
    case.start_investigation(SUPERVISOR, shanghai(date(2025, 3, 4)), ["张执法", "刘执法"])
    case.add_evidence(HANDLER, shanghai(date(2025, 3, 5)), EvidenceKind.PHOTO, "照片", HASH, "张执法")
    case.conclude_investigation(HANDLER, shanghai(date(2025, 3, 28)), DecisionType.FINE, False, False, "终结")
    case.give_prior_notice(HANDLER, shanghai(date(2025, 3, 31)), DecisionType.FINE, FINE, "告知权利")
    return case


def test_a_hearing_pauses_the_enforcement_decision_clock_for_its_twelve_days() -> None:
    case = new_enforcement(Clock(shanghai(date(2025, 3, 1))))
    case.file(SUPERVISOR, shanghai(date(2025, 3, 3)), "立案", "城管执法中队")
    without_hearing = clocks(case, date(2025, 3, 20))[Stage.DECISION]
    # 3 Mar + 90 days is Sunday 1 Jun 2025, inside the Dragon Boat holiday: the next working day is 3 Jun.
    assert without_hearing.deadline == date(2025, 6, 3)

    case = _enforcement_notified_on_31_march_2025()
    case.request_hearing(HANDLER, shanghai(date(2025, 4, 1)), CALENDAR, RULES)
    paused = clocks(case, date(2025, 4, 5))[Stage.DECISION]
    assert paused.status is ClockStatus.PAUSED
    case.hold_hearing(SUPERVISOR, shanghai(date(2025, 4, 13)), "法制员王某", ["当事人"], "听证笔录")
    decision = clocks(case, date(2025, 4, 20))[Stage.DECISION]
    assert decision.paused_days == 12
    assert decision.deadline == date(2025, 6, 13)


def test_expert_testing_overlapping_a_hearing_stays_paused_until_both_end() -> None:
    case = _enforcement_notified_on_31_march_2025()
    case.pause_clock(SUPERVISOR, shanghai(date(2025, 3, 31)), ClockPause.EXPERT_TESTING, "送检样品", RULES)
    case.request_hearing(HANDLER, shanghai(date(2025, 4, 1)), CALENDAR, RULES)
    case.hold_hearing(SUPERVISOR, shanghai(date(2025, 4, 13)), "法制员王某", ["当事人"], "听证笔录")
    # The hearing is over but the testing is not: the clock still stands still.
    still = clocks(case, date(2025, 4, 16))[Stage.DECISION]
    assert still.status is ClockStatus.PAUSED and still.paused_days == 16
    case.resume_clock(SUPERVISOR, shanghai(date(2025, 4, 20)))
    decision = clocks(case, date(2025, 4, 25))[Stage.DECISION]
    # Paused 1–20 Apr, 20 days counted once although two pauses covered 2–13 Apr: 3 Jun + 20 = 23 Jun.
    assert decision.status is ClockStatus.ON_TIME
    assert decision.paused_days == 20
    assert decision.deadline == date(2025, 6, 23)


def test_a_pause_by_hand_ending_inside_a_hearing_leaves_the_hearing_pause_running() -> None:
    case = _enforcement_notified_on_31_march_2025()
    case.pause_clock(SUPERVISOR, shanghai(date(2025, 3, 31)), ClockPause.EXPERT_TESTING, "送检样品", RULES)
    case.request_hearing(HANDLER, shanghai(date(2025, 4, 1)), CALENDAR, RULES)
    case.resume_clock(SUPERVISOR, shanghai(date(2025, 4, 5)))
    assert clocks(case, date(2025, 4, 8))[Stage.DECISION].status is ClockStatus.PAUSED
    case.hold_hearing(SUPERVISOR, shanghai(date(2025, 4, 13)), "法制员王某", ["当事人"], "听证笔录")
    decision = clocks(case, date(2025, 4, 20))[Stage.DECISION]
    # Paused 31 Mar – 13 Apr: 13 days, so 3 Jun + 13 = 16 Jun.
    assert decision.paused_days == 13
    assert decision.deadline == date(2025, 6, 16)


def test_service_is_due_within_seven_working_days_across_national_day() -> None:
    case = new_enforcement(Clock(shanghai(date(2025, 9, 1))))
    case.file(SUPERVISOR, shanghai(date(2025, 9, 2)), "立案", "城管执法中队")
    case.start_investigation(SUPERVISOR, shanghai(date(2025, 9, 3)), ["张执法", "刘执法"])
    case.add_evidence(HANDLER, shanghai(date(2025, 9, 4)), EvidenceKind.PHOTO, "照片", HASH, "张执法")
    case.conclude_investigation(HANDLER, shanghai(date(2025, 9, 20)), DecisionType.NO_PENALTY, False, False, "终结")
    case.decide(SUPERVISOR, shanghai(date(2025, 9, 26)), DecisionType.NO_PENALTY, None, "首违不罚", "第三十三条")
    service = clocks(case, date(2025, 9, 30))[Stage.SERVICE]
    # Working days after Fri 26 Sep: Sun 28 (调休), 29, 30 Sep, 9, 10 Oct, Sat 11 Oct (调休), Mon 13 Oct.
    assert service.rule.unit is DayUnit.WORKING
    assert service.deadline == date(2025, 10, 13)
    assert service.days_used == 3


def test_clocks_are_derived_only_from_events() -> None:
    clock = Clock(shanghai(date(2025, 9, 26)))
    complaint = new_complaint(clock)
    complaint.accept(SUPERVISOR, clock())
    events = complaint.collect_events()
    marks = marks_from_events(CaseKind.COMPLAINT, events)
    assert [m.action for m in marks] == ["start", "stop", "start"]
    assert marks == marks_from_events(CaseKind.COMPLAINT, list(events))
    assert CLERK.role.code == "clerk"


starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30))


@settings(max_examples=150, deadline=None)
@given(
    start=starts,
    days=st.integers(min_value=1, max_value=90),
    unit=st.sampled_from(list(DayUnit)),
    pause_after=st.integers(min_value=0, max_value=60),
    pause_length=st.integers(min_value=0, max_value=40),
)
def test_a_pause_never_shortens_a_deadline(
    start: date, days: int, unit: DayUnit, pause_after: int, pause_length: int
) -> None:
    rules = RuleTable.statutory().overridden(
        [{"kind": "enforcement", "stage": "decision", "days": days, "unit": unit.code}]
    )
    begun = shanghai(start)
    plain = [ClockMark("start", begun, Stage.DECISION)]
    paused = [
        *plain,
        ClockMark("pause", begun + timedelta(days=pause_after), pause=ClockPause.EXPERT_TESTING),
        ClockMark("resume", begun + timedelta(days=pause_after + pause_length)),
    ]
    as_of = datetime(2026, 12, 31, tzinfo=UTC)
    before = derive_clocks(CaseKind.ENFORCEMENT, "", plain, rules, CALENDAR, as_of)[0]
    after = derive_clocks(CaseKind.ENFORCEMENT, "", paused, rules, CALENDAR, as_of)[0]
    assert after.deadline >= before.deadline
    assert CALENDAR.is_working_day(after.deadline)


def _day_by_day_count(start: date, end: date, unit: DayUnit, pauses: list[tuple[date, date]]) -> int:
    """Counted days after ``start`` up to ``end``, one day at a time: the definition."""
    total, day = 0, start
    while day < end:
        day += timedelta(days=1)
        paused = any(begin < day <= finish for begin, finish in pauses)
        total += not paused and (unit is DayUnit.CALENDAR or CALENDAR.is_working_day(day))
    return total


def _day_by_day_deadline(start: date, limit: int, unit: DayUnit, pauses: list[tuple[date, date]]) -> date:
    day = start
    while _day_by_day_count(start, day, unit, pauses) < limit:
        day += timedelta(days=1)
    return CALENDAR.next_working_day_on_or_after(day)


spans = st.tuples(st.integers(min_value=-10, max_value=80), st.integers(min_value=0, max_value=30))


@settings(max_examples=300)
@given(
    start=starts,
    limit=st.integers(min_value=0, max_value=90),
    unit=st.sampled_from(list(DayUnit)),
    offsets=st.lists(spans, max_size=3),
    length=st.integers(min_value=0, max_value=150),
)
def test_deadlines_and_counts_equal_counting_day_by_day(
    start: date, limit: int, unit: DayUnit, offsets: list[tuple[int, int]], length: int
) -> None:
    """Pauses may overlap, touch, begin before the start or end after the end."""
    pauses = [(start + timedelta(days=a), start + timedelta(days=a + n)) for a, n in offsets]
    end = start + timedelta(days=length)
    assert _count(start, end, unit, pauses, CALENDAR) == _day_by_day_count(start, end, unit, pauses)
    assert _deadline(start, limit, unit, pauses, CALENDAR) == _day_by_day_deadline(start, limit, unit, pauses)


@given(start=starts, n=st.integers(min_value=0, max_value=250))
def test_adding_working_days_equals_stepping_day_by_day(start: date, n: int) -> None:
    day, left = start, n
    while left:
        day += timedelta(days=1)
        left -= CALENDAR.is_working_day(day)
    assert CALENDAR.add_working_days(start, n) == day
    assert CALENDAR.working_days_between(start, day) == n
