"""Statutory clocks, derived from a case's events, never stored as editable fields.

Each stage's clock starts and stops on particular events (:data:`TRIGGERS`, by event class), and
pauses, resumes and is extended on others (:func:`marks_from_events`). Days are counted in
Asia/Shanghai from the day after the start (the start day itself does not count); a paused day
does not count; a deadline counted in calendar days that falls on a rest day moves to the next
working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.lifecycle import EventTable
from domain.outcomes import ClockPause
from domain.rules import ClockRule, DayUnit, RuleTable, Stage
from domain.time import local_date

DUE_SOON_WORKING_DAYS = 2

_START, _STOP = "start", "stop"

C, D, E = Complaint, Dispute, EnforcementCase
TRIGGERS: dict[CaseKind, EventTable[tuple[tuple[str, Stage], ...]]] = {
    CaseKind.COMPLAINT: EventTable(
        {
            C.Registered: ((_START, Stage.ACCEPTANCE),),
            C.Accepted: ((_STOP, Stage.ACCEPTANCE), (_START, Stage.HANDLING)),
            C.NotAccepted: ((_STOP, Stage.ACCEPTANCE),),
            C.AnsweredDirectly: ((_STOP, Stage.ACCEPTANCE),),
            C.Dispatched: ((_START, Stage.RETURN_WINDOW),),
            C.Returned: ((_STOP, Stage.RETURN_WINDOW),),
            C.Investigated: ((_STOP, Stage.RETURN_WINDOW),),
            C.Replied: ((_STOP, Stage.HANDLING),),
            C.Reopened: ((_START, Stage.HANDLING),),
            C.Merged: ((_STOP, Stage.ACCEPTANCE), (_STOP, Stage.RETURN_WINDOW), (_STOP, Stage.HANDLING)),
            C.TransferredOut: ((_STOP, Stage.ACCEPTANCE), (_STOP, Stage.HANDLING)),
        }
    ),
    CaseKind.DISPUTE: EventTable(
        {
            D.Accepted: ((_START, Stage.SETTLEMENT),),
            D.AgreementReached: ((_STOP, Stage.SETTLEMENT),),
            D.MediationEnded: ((_STOP, Stage.SETTLEMENT),),
        }
    ),
    CaseKind.ENFORCEMENT: EventTable(
        {
            E.Filed: ((_START, Stage.DECISION),),
            E.Decided: ((_STOP, Stage.DECISION), (_START, Stage.SERVICE)),
            E.Served: ((_STOP, Stage.SERVICE),),
        }
    ),
}


class ClockStatus(Labelled):
    ON_TIME = ("on_time", "正常", "On time")
    DUE_SOON = ("due_soon", "即将到期", "Due soon")
    OVERDUE = ("overdue", "已超期", "Overdue")
    PAUSED = ("paused", "已暂停", "Paused")
    MET = ("met", "按期完成", "Finished on time")
    MISSED = ("missed", "超期完成", "Finished late")


@dataclass(frozen=True)
class ClockMark:
    """One event's effect on the clocks: start or stop a stage, pause, resume, extend, or (a filing) set
    the time limit of a stage to its category's (``days`` in ``unit``)."""

    action: str
    at: datetime
    stage: Stage | None = None
    pause: ClockPause | None = None
    days: int = 0
    unit: DayUnit | None = None


@dataclass(frozen=True)
class StageClock:
    """Where one stage's time limit stands on a given day."""

    stage: Stage
    rule: ClockRule
    started_on: date
    deadline: date
    days_used: int
    days_left: int
    status: ClockStatus
    extended_days: int
    paused_days: int
    stopped_on: date | None

    @property
    def running(self) -> bool:
        return self.stopped_on is None


_PAUSE, _RESUME, _LIMIT = "pause", "resume", "limit"
_HEARING_PAUSE, _HEARING_RESUME = "hearing_pause", "hearing_resume"
_OPENS = frozenset({_PAUSE, _HEARING_PAUSE})
_CLOSES = {_RESUME: _PAUSE, _HEARING_RESUME: _HEARING_PAUSE}


@dataclass
class _Pause:
    source: str
    """Who opened it: a pause by hand (``pause``) or a hearing (``hearing_pause``); each closes its own."""
    begin: date
    end: date | None = None


@dataclass
class _Run:
    stage: Stage
    started: datetime
    stopped: datetime | None = None
    extended: int = 0
    pauses: list[_Pause] = field(default_factory=list)

    @property
    def paused(self) -> bool:
        return any(p.end is None for p in self.pauses)


def marks_from_events(kind: CaseKind, events: Iterable[Any]) -> list[ClockMark]:
    """The clock marks in a case's events, in order (events need ``at``)."""
    triggers = TRIGGERS[kind]
    marks: list[ClockMark] = []
    for event in events:
        at: datetime = event.at
        marks.extend(ClockMark(action, at, stage) for action, stage in triggers.get(event) or ())
        match event:
            case Complaint.Registered() | Dispute.Applied() | EnforcementCase.ClueRecorded():
                marks.extend(ClockMark(_LIMIT, at, t.stage, days=t.days, unit=t.unit) for t in event.limits)
            case Case.ClockPaused():
                marks.append(ClockMark(_PAUSE, at, pause=event.pause))
            case Case.ClockResumed():
                marks.append(ClockMark(_RESUME, at))
            case EnforcementCase.HearingRequested():
                marks.append(ClockMark(_HEARING_PAUSE, at, pause=ClockPause.HEARING))
            case EnforcementCase.HearingHeld():
                marks.append(ClockMark(_HEARING_RESUME, at))
            case Case.DeadlineExtended():
                marks.append(ClockMark("extend", at, stage=event.stage, days=event.days))
    return marks


def derive_clocks(
    kind: CaseKind,
    category: str,
    marks: Sequence[ClockMark],
    rules: RuleTable,
    calendar: WorkingCalendar,
    as_of: datetime,
) -> list[StageClock]:
    """Every clock the marks started, running or stopped, as it stands on ``as_of``.

    A pause by hand and a hearing's pause may overlap; each resume closes only the pause of its own
    source, and a day inside either does not count. A stage whose time limit the case's category set
    when it was filed runs on that limit, with the rule table's pauses and extensions.
    """
    limits = {
        m.stage: (m.days, m.unit) for m in marks if m.action == _LIMIT and m.stage is not None and m.unit is not None
    }

    def rule(stage: Stage) -> ClockRule:
        found = rules.rule(kind, stage, category)
        if stage not in limits:
            return found
        days, unit = limits[stage]
        return replace(found, days=days, unit=unit)

    runs: list[_Run] = []
    for mark in marks:
        if mark.action == _START and mark.stage is not None:
            runs.append(_Run(mark.stage, mark.at))
        elif mark.action == _STOP:
            for run in runs:
                if run.stage is mark.stage and run.stopped is None:
                    run.stopped = mark.at
        elif mark.action == "extend":
            for run in runs:
                if run.stage is mark.stage and run.stopped is None:
                    run.extended += mark.days
        elif mark.action in _OPENS and mark.pause is not None:
            for run in runs:
                if run.stopped is None and mark.pause in rule(run.stage).pauses:
                    run.pauses.append(_Pause(mark.action, local_date(mark.at)))
        elif mark.action in _CLOSES:
            source = _CLOSES[mark.action]
            for run in runs:
                for pause in run.pauses:
                    if pause.source == source and pause.end is None:
                        pause.end = local_date(mark.at)
    today = local_date(as_of)
    return [_clock(run, rule(run.stage), calendar, today) for run in runs]


def _clock(run: _Run, rule: ClockRule, calendar: WorkingCalendar, today: date) -> StageClock:
    start = local_date(run.started)
    stopped = local_date(run.stopped) if run.stopped is not None else None
    end = stopped or today
    pauses = [(p.begin, p.end or today) for p in run.pauses]
    limit = rule.days + run.extended
    deadline = _deadline(start, limit, rule.unit, pauses, calendar)
    used = _count(start, end, rule.unit, pauses, calendar)
    paused_days = _count(start, end, rule.unit, [], calendar) - used
    if stopped is not None:
        status = ClockStatus.MET if stopped <= deadline else ClockStatus.MISSED
    elif run.paused:
        status = ClockStatus.PAUSED
    elif today > deadline:
        status = ClockStatus.OVERDUE
    elif calendar.working_days_between(today, deadline) <= DUE_SOON_WORKING_DAYS:
        status = ClockStatus.DUE_SOON
    else:
        status = ClockStatus.ON_TIME
    return StageClock(
        stage=run.stage,
        rule=rule,
        started_on=start,
        deadline=deadline,
        days_used=used,
        days_left=limit - used,
        status=status,
        extended_days=run.extended,
        paused_days=paused_days,
        stopped_on=stopped,
    )


def _merged(pauses: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    """The pauses as disjoint spans ``(begin, end]``, in order (overlapping or touching ones joined)."""
    spans: list[tuple[date, date]] = []
    for begin, end in sorted(p for p in pauses if p[1] > p[0]):
        if spans and begin <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((begin, end))
    return spans


def _span(after: date, through: date, unit: DayUnit, calendar: WorkingCalendar) -> int:
    """How many days ``d`` with ``after < d <= through`` count in ``unit``."""
    if through <= after:
        return 0
    return (through - after).days if unit is DayUnit.CALENDAR else calendar.working_days_between(after, through)


def _later(day: date, n: int, unit: DayUnit, calendar: WorkingCalendar) -> date:
    """The ``n``-th day in ``unit`` after ``day`` (``day`` itself when ``n`` is 0)."""
    return day + timedelta(days=n) if unit is DayUnit.CALENDAR else calendar.add_working_days(day, n)


def _count(
    start: date, end: date, unit: DayUnit, pauses: Sequence[tuple[date, date]], calendar: WorkingCalendar
) -> int:
    """Days counted after ``start`` up to ``end``: those of ``unit`` outside every pause."""
    total = _span(start, end, unit, calendar)
    for begin, finish in _merged(pauses):
        total -= _span(max(begin, start), min(finish, end), unit, calendar)
    return total


def _deadline(
    start: date, limit: int, unit: DayUnit, pauses: Sequence[tuple[date, date]], calendar: WorkingCalendar
) -> date:
    """The day the ``limit``-th counted day after ``start`` falls on, moved off a rest day."""
    day, remaining = start, limit
    for begin, finish in _merged(pauses):
        if finish <= day:
            continue
        if remaining == 0 or _later(day, remaining, unit, calendar) <= begin:
            break
        remaining -= _span(day, max(begin, day), unit, calendar)
        day = finish
    return calendar.next_working_day_on_or_after(_later(day, remaining, unit, calendar))
