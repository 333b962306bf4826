"""One case as the case index holds it, and what each of the case's events does to it.

A row holds no personal identity (no party names, phones or id numbers). Events are told apart by
their class: the status an event leads to is its transition's target in the case kind's lifecycle
table (:data:`TRANSITIONS`), and the other columns follow the events named in :meth:`CaseRow.change`.
Only a filing event's class says which kind of case it is: events of behaviour the kinds share are
recorded as events of the base classes (``Case.Supervised``, ``FollowedUpCase.Closed``), so their kind
is the row's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from domain.case import Case
from domain.clocks import ClockMark
from domain.complaint import Complaint, ComplaintStatus
from domain.dispute import Dispute, DisputeStatus
from domain.enforcement import EnforcementCase, EnforcementStatus
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.lifecycle import EventTable, Transition, status_after, transitions_by_event
from domain.outcomes import ClockPause
from domain.rules import DayUnit, Stage
from domain.time import local_date

CASE_CLASSES: dict[CaseKind, type[Case]] = {c.KIND: c for c in (Complaint, Dispute, EnforcementCase)}
STATUS_CLASSES: dict[CaseKind, type[Labelled]] = {
    CaseKind.COMPLAINT: ComplaintStatus,
    CaseKind.DISPUTE: DisputeStatus,
    CaseKind.ENFORCEMENT: EnforcementStatus,
}
TRANSITIONS: dict[CaseKind, EventTable[Transition]] = {
    kind: transitions_by_event(case_class.LIFECYCLE) for kind, case_class in CASE_CLASSES.items()
}
"""Each kind's transitions by the event that records them, from the domain's lifecycle tables."""

LEAD, ASSISTING = "lead", "assisting"
RUNNING, PAUSED, UNKNOWN = "running", "paused", "unknown"


class IndexColumns(NamedTuple):
    """A row of ``case_index``: each field is a column, by name and in order. Flags are 0 or 1, moments
    fixed-width UTC text (:func:`utc_text`), days ISO text; ``state`` is the row's bookkeeping as JSON."""

    id: str
    number: str
    kind: str
    status: str
    is_open: int
    category: str
    channel: str
    village: str
    grid_cell: str
    lead_unit: str
    filed_at: str
    filed_on: str
    last_at: str
    description: str
    search_text: str
    supervised: int
    anonymous: int
    problem_case: int
    at_risk: int
    major: int
    deadline: str | None
    deadline_stage: str | None
    clock_state: str | None
    version: int
    state: str


COLUMNS: tuple[str, ...] = IndexColumns._fields


def handled_events(kind: CaseKind) -> frozenset[str]:
    """The names of the event classes of ``kind`` the index knows what to do with: every transition's."""
    return frozenset(event_class.__name__ for event_class in TRANSITIONS[kind])


def is_case_event(event: Any) -> bool:
    """Whether ``event`` was recorded by a case (of any kind), not by another aggregate."""
    return isinstance(event, Case.Event)


def filed_kind(event: Any) -> CaseKind | None:
    """The kind of case a filing event creates, or None if it creates no case."""
    if isinstance(event, Case.Created):
        for kind, case_class in CASE_CLASSES.items():
            if isinstance(event, case_class.Event):
                return kind
    return None


@dataclass
class CaseRow:
    """A case's row in the index, plus the bookkeeping needed to apply its next events."""

    id: str
    kind: CaseKind
    number: str
    status: str
    category: str
    channel: str
    village: str
    grid_cell: str
    filed_at: datetime
    last_at: datetime
    description: str
    version: int
    supervised: bool = False
    anonymous: bool = False
    problem_case: bool = False
    at_risk: bool = False
    major: bool = False
    deadline: date | None = None
    deadline_stage: str | None = None
    clock_state: str | None = None
    lead_unit: str = ""
    assisting_units: list[str] = field(default_factory=list)
    marks: list[ClockMark] = field(default_factory=list)
    review_resume: str = ""
    units_changed: bool = False
    clocks_changed: bool = False

    @classmethod
    def filed(cls, kind: CaseKind, event: Any) -> CaseRow:
        """The row of a case from the event that created it."""
        return cls(
            id=str(event.originator_id),
            kind=kind,
            number=event.number,
            status=_status_after(kind, event, ""),
            category=_code(event.category),
            channel=_code(event.channel),
            village=event.location.village,
            grid_cell=event.location.grid_cell,
            filed_at=event.at,
            last_at=event.at,
            description=event.description,
            version=event.originator_version,
            anonymous=bool(getattr(event, "anonymous", False)),
        )

    @property
    def is_open(self) -> bool:
        """Whether the case is still being handled (its status is not a terminal one)."""
        return self.status not in {s.code for s in CASE_CLASSES[self.kind].TERMINAL}

    def units(self) -> list[tuple[str, str]]:
        """Every handling unit with its role: the lead unit first, then the assisting ones."""
        lead = [(self.lead_unit, LEAD)] if self.lead_unit else []
        return lead + [(unit, ASSISTING) for unit in self.assisting_units]

    def change(self, event: Any) -> None:
        """Apply one event recorded after the filing (its clock marks are the caller's business)."""
        was_open = self.is_open
        self.status = _status_after(self.kind, event, self.status, self.review_resume)
        match event:
            case EnforcementCase.SubmittedForReview():
                self.review_resume = _code(event.resume)
            case Complaint.Dispatched():
                self._handled_by(event.lead_unit, list(event.assisting_units))
            case Dispute.MediatorAssigned() | EnforcementCase.Filed():
                self._handled_by(event.unit, [])
            case Case.Supervised():
                self.supervised = True
            case Complaint.Reopened():
                self.problem_case = self.problem_case or bool(event.escalated)
            case Dispute.RiskFlagged():
                self.at_risk = True
            case EnforcementCase.InvestigationConcluded():
                self.major = bool(event.major)
            case Case.Corrected():
                self._corrected(event)
        self.version = event.originator_version
        self.last_at = event.at
        if self.is_open != was_open:
            self.units_changed = True  # the unit rows carry whether the case is open

    def _handled_by(self, lead: str, assisting: list[str]) -> None:
        self.lead_unit, self.assisting_units, self.units_changed = lead, assisting, True

    def _corrected(self, event: Case.Corrected) -> None:
        if event.category is not None:
            self.category = _code(event.category)
        if event.channel is not None:
            self.channel = _code(event.channel)
        if event.location is not None:
            self.village, self.grid_cell = event.location.village, event.location.grid_cell
        if event.description is not None:
            self.description = event.description

    # -- storage ----------------------------------------------------------------------------

    def values(self) -> IndexColumns:
        """The row's ``case_index`` columns."""
        state = {
            "assisting": self.assisting_units,
            "marks": [_mark_values(m) for m in self.marks],
            "resume": self.review_resume,
        }
        return IndexColumns(
            id=self.id,
            number=self.number,
            kind=self.kind.code,
            status=self.status,
            is_open=int(self.is_open),
            category=self.category,
            channel=self.channel,
            village=self.village,
            grid_cell=self.grid_cell,
            lead_unit=self.lead_unit,
            filed_at=utc_text(self.filed_at),
            filed_on=local_date(self.filed_at).isoformat(),
            last_at=utc_text(self.last_at),
            description=self.description,
            search_text=f"{self.number}\n{self.description}".casefold(),
            supervised=int(self.supervised),
            anonymous=int(self.anonymous),
            problem_case=int(self.problem_case),
            at_risk=int(self.at_risk),
            major=int(self.major),
            deadline=None if self.deadline is None else self.deadline.isoformat(),
            deadline_stage=self.deadline_stage,
            clock_state=self.clock_state,
            version=self.version,
            state=json.dumps(state, ensure_ascii=False, separators=(",", ":")),
        )

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> CaseRow:
        """The row stored as ``values`` (the :class:`IndexColumns`, in order)."""
        row = IndexColumns(*values)
        state = json.loads(row.state)
        return cls(
            id=row.id,
            kind=CaseKind.parse(row.kind, "kind"),
            number=row.number,
            status=row.status,
            category=row.category,
            channel=row.channel,
            village=row.village,
            grid_cell=row.grid_cell,
            filed_at=parse_utc(row.filed_at),
            last_at=parse_utc(row.last_at),
            description=row.description,
            version=int(row.version),
            supervised=bool(row.supervised),
            anonymous=bool(row.anonymous),
            problem_case=bool(row.problem_case),
            at_risk=bool(row.at_risk),
            major=bool(row.major),
            deadline=None if row.deadline is None else date.fromisoformat(row.deadline),
            deadline_stage=row.deadline_stage,
            clock_state=row.clock_state,
            lead_unit=row.lead_unit,
            assisting_units=list(state["assisting"]),
            marks=[_mark(values) for values in state["marks"]],
            review_resume=state["resume"],
        )


def _status_after(kind: CaseKind, event: Any, status: str, resume: str = "") -> str:
    """The status code a case of ``kind`` in ``status`` has after ``event``: its transition's target, or the
    status the target decides from the event's result and ``resume`` (the status the case left for review)."""
    transitions = TRANSITIONS[kind]
    fixed = status_after(transitions, event)
    if fixed is not None:
        return fixed.code
    transition = transitions.get(event)
    target = None if transition is None else transition.target
    if callable(target):
        submitted_from = STATUS_CLASSES[kind].parse(resume, "resume") if resume else None
        return _code(target(event.result, submitted_from))
    return status


def utc_text(moment: datetime) -> str:
    """A moment as fixed-width ISO 8601 UTC text, so that text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    """The moment :func:`utc_text` wrote."""
    return datetime.fromisoformat(text)


def _code(value: Any) -> str:
    return value.code if isinstance(value, Labelled) else str(value)


def _mark_values(mark: ClockMark) -> list[Any]:
    stage = None if mark.stage is None else mark.stage.code
    pause = None if mark.pause is None else mark.pause.code
    unit = [] if mark.unit is None else [mark.unit.code]  # rows from before category limits stay the same
    return [mark.action, utc_text(mark.at), stage, pause, mark.days, *unit]


def _mark(values: list[Any]) -> ClockMark:
    action, at, stage, pause, days, *unit = values
    return ClockMark(
        action,
        parse_utc(at),
        None if stage is None else Stage.parse(stage, "stage"),
        None if pause is None else ClockPause.parse(pause, "pause"),
        int(days),
        DayUnit.parse(unit[0], "unit") if unit else None,
    )
