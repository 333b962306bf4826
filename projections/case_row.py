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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from domain.case import Case
from domain.clocks import ClockMark
from domain.complaint import Complaint, ComplaintStatus
from domain.dispute import Dispute, DisputeStatus
from domain.enforcement import EnforcementCase, EnforcementStatus
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.lifecycle import EventTable, Transition, status_after, transitions_by_event
from domain.outcomes import ClockPause
from domain.rules import Stage
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

COLUMNS = (
    "id",
    "number",
    "kind",
    "status",
    "is_open",
    "category",
    "channel",
    "village",
    "grid_cell",
    "lead_unit",
    "filed_at",
    "filed_on",
    "last_at",
    "description",
    "search_text",
    "supervised",
    "anonymous",
    "problem_case",
    "at_risk",
    "major",
    "deadline",
    "deadline_stage",
    "clock_state",
    "version",
    "state",
)


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

    def values(self) -> tuple[Any, ...]:
        """The row's column values, in :data:`COLUMNS` order."""
        state = {
            "assisting": self.assisting_units,
            "marks": [_mark_values(m) for m in self.marks],
            "resume": self.review_resume,
        }
        return (
            self.id,
            self.number,
            self.kind.code,
            self.status,
            int(self.is_open),
            self.category,
            self.channel,
            self.village,
            self.grid_cell,
            self.lead_unit,
            utc_text(self.filed_at),
            local_date(self.filed_at).isoformat(),
            utc_text(self.last_at),
            self.description,
            f"{self.number}\n{self.description}".casefold(),
            int(self.supervised),
            int(self.anonymous),
            int(self.problem_case),
            int(self.at_risk),
            int(self.major),
            None if self.deadline is None else self.deadline.isoformat(),
            self.deadline_stage,
            self.clock_state,
            self.version,
            json.dumps(state, ensure_ascii=False, separators=(",", ":")),
        )

    @classmethod
    def from_values(cls, values: tuple[Any, ...]) -> CaseRow:
        """The row stored as ``values`` (in :data:`COLUMNS` order)."""
        data = dict(zip(COLUMNS, values, strict=True))
        state = json.loads(data["state"])
        return cls(
            id=data["id"],
            kind=CaseKind.parse(data["kind"], "kind"),
            number=data["number"],
            status=data["status"],
            category=data["category"],
            channel=data["channel"],
            village=data["village"],
            grid_cell=data["grid_cell"],
            filed_at=parse_utc(data["filed_at"]),
            last_at=parse_utc(data["last_at"]),
            description=data["description"],
            version=int(data["version"]),
            supervised=bool(data["supervised"]),
            anonymous=bool(data["anonymous"]),
            problem_case=bool(data["problem_case"]),
            at_risk=bool(data["at_risk"]),
            major=bool(data["major"]),
            deadline=None if data["deadline"] is None else date.fromisoformat(data["deadline"]),
            deadline_stage=data["deadline_stage"],
            clock_state=data["clock_state"],
            lead_unit=data["lead_unit"],
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
    return [mark.action, utc_text(mark.at), stage, pause, mark.days]


def _mark(values: list[Any]) -> ClockMark:
    action, at, stage, pause, days = values
    return ClockMark(
        action,
        parse_utc(at),
        None if stage is None else Stage.parse(stage, "stage"),
        None if pause is None else ClockPause.parse(pause, "pause"),
        int(days),
    )
