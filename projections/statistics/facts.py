"""The facts of one case: what the statistics need to know of it, folded from its events, and its row of
``stat_cases``."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, get_args, get_type_hints

from domain.calendar import WorkingCalendar
from domain.clocks import ClockStatus, StageClock, derive_clocks
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.errors import CalendarYearMissing
from domain.followup import FollowedUpCase
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.outcomes import ReviewResult, Satisfaction
from domain.rules import RuleTable, Stage
from domain.time import local_date
from projections.case_row import PAUSED, RUNNING, UNKNOWN, CaseRow

log = logging.getLogger(__name__)

COMPLAINT, DISPUTE, ENFORCEMENT = CaseKind.COMPLAINT, CaseKind.DISPUTE, CaseKind.ENFORCEMENT
MAIN_STAGE = {COMPLAINT: Stage.HANDLING, DISPUTE: Stage.SETTLEMENT, ENFORCEMENT: Stage.DECISION}
"""The clock whose stages decide whether a case was handled on time."""
WINDOW_STAGES = frozenset({Stage.RETURN_WINDOW})
_SATISFIED = frozenset({Satisfaction.SATISFIED.code, Satisfaction.BASICALLY.code})


class CaseColumns(NamedTuple):
    """A row of ``stat_cases``: each field is a column, by name and in order (``id`` is the key).

    A ``str`` is ``text NOT NULL``, an ``int`` ``bigint NOT NULL``; ``None`` allowed makes it nullable.
    Flags are 0 or 1, days ISO text (Asia/Shanghai).
    """

    id: str
    number: str
    kind: str
    category: str
    channel: str
    village: str
    unit: str
    received_on: str
    status: str
    is_open: int
    anonymous: int
    accepted: int
    not_accepted: int
    answered: int
    merged: int
    transferred: int
    closed: int
    closed_on: str | None
    days_to_close: int | None
    resolved: int | None
    visited: int
    satisfied: int | None
    reopenings: int
    problem_case: int
    acceptance_deadline: str | None
    acceptance_met: int | None
    main_missed: int
    main_deadline: str | None
    main_state: str | None
    deadline: str | None
    clock_state: str | None
    agreed: int
    mediation_ended: int
    confirmation_applied: int
    confirmed: int
    performance: str | None
    at_risk: int
    decided: int
    decision: str | None
    fine_fen: int
    major_decided: int
    reviewed_before_decision: int
    hearing_requested: int
    hearing_held: int
    published_on: str | None
    publish_deadline: str | None
    pending: int


def _sql_type(name: str, annotation: Any) -> str:
    """The SQL type of a :class:`CaseColumns` field: ``str | None`` is ``text``, ``int`` is ``bigint NOT NULL``."""
    nullable = type(None) in get_args(annotation)
    python_type = next(a for a in get_args(annotation) if a is not type(None)) if nullable else annotation
    sql = _SQL_TYPES[python_type]
    if name == "id":
        return f"{sql} NOT NULL PRIMARY KEY"
    return sql if nullable else f"{sql} NOT NULL"


_SQL_TYPES: dict[Any, str] = {str: "text", int: "bigint"}


CASE_COLUMN_TYPES: tuple[tuple[str, str], ...] = tuple(
    (name, _sql_type(name, annotation)) for name, annotation in get_type_hints(CaseColumns).items()
)
"""The columns of ``stat_cases`` and their SQL types, from :class:`CaseColumns`."""
CASE_COLUMNS: tuple[str, ...] = CaseColumns._fields


@dataclass
class CaseFacts:
    """What the statistics need to know of one case, and the case index's row that follows its events.

    Dates are ISO text (Asia/Shanghai days). The row's description is never kept.
    """

    row: CaseRow
    accepted: bool = False
    not_accepted: bool = False
    answered: bool = False
    merged: bool = False
    transferred: bool = False
    closed_on: str | None = None
    resolved: bool | None = None
    visited: bool = False
    satisfaction: str | None = None
    reopenings: int = 0
    agreed: bool = False
    mediation_ended: bool = False
    confirmation_applied: bool = False
    confirmed: bool = False
    performance: str | None = None
    review_approved: bool = False
    decided_on: str | None = None
    decision: str | None = None
    fine_fen: int = 0
    major_decided: bool = False
    reviewed_before_decision: bool = False
    hearing_requested: bool = False
    hearing_held: bool = False
    published_on: str | None = None
    publish_deadline: str | None = None
    acceptance_deadline: str | None = None
    acceptance_met: bool | None = None
    main_missed: bool = False
    main_deadline: str | None = None
    main_state: str | None = None

    def record(self, event: Any, calendar: WorkingCalendar, publication_days: int) -> None:
        """The facts an event of the case (other than its filing) establishes."""
        day = local_date(event.at).isoformat()
        match event:
            case Complaint.Accepted() | Dispute.Accepted() | EnforcementCase.Filed():
                self.accepted = True
            case Complaint.AnsweredDirectly():
                self.accepted = self.answered = True
            case Complaint.NotAccepted() | Dispute.Refused() | EnforcementCase.NotFiled():
                self.not_accepted = True
            case Complaint.Merged():
                self.merged = True
            case Complaint.TransferredOut():
                self.transferred = True
            case FollowedUpCase.Visited():
                self.visited, self.satisfaction = True, _code(event.satisfaction)
            case FollowedUpCase.Closed():
                self.closed_on, self.resolved = day, bool(event.resolved)
            case EnforcementCase.Closed():
                self.closed_on, self.resolved = day, None
            case Complaint.Reopened():
                self.reopenings += 1
            case Dispute.AgreementReached():
                self.agreed = True
            case Dispute.MediationEnded():
                self.mediation_ended = True
            case Dispute.JudicialConfirmationApplied():
                self.confirmation_applied = True
            case Dispute.JudicialConfirmationRecorded():
                self.confirmed = bool(event.confirmed)
            case Dispute.PerformanceChecked():
                self.performance = _code(event.result)
            case EnforcementCase.InvestigationConcluded():
                self.review_approved = False
            case EnforcementCase.LegalityReviewed():
                self.review_approved = _code(event.result) == ReviewResult.APPROVED.code
            case EnforcementCase.HearingRequested():
                self.hearing_requested = True
            case EnforcementCase.HearingHeld():
                self.hearing_held = True
            case EnforcementCase.Decided():
                self._decided(event, calendar, publication_days)
            case EnforcementCase.Published():
                self.published_on = day

    def _decided(self, event: EnforcementCase.Decided, calendar: WorkingCalendar, publication_days: int) -> None:
        decided = local_date(event.at)
        self.decided_on, self.decision = decided.isoformat(), _code(event.decision)
        self.fine_fen = 0 if event.fine is None else int(Decimal(event.fine) * 100)
        self.major_decided, self.reviewed_before_decision = self.row.major, self.review_approved
        try:
            self.publish_deadline = calendar.add_working_days(decided, publication_days).isoformat()
        except CalendarYearMissing as error:
            log.warning("statistics: %s has no publication deadline: %s", self.row.number, error)
            self.publish_deadline = None

    def derive_clocks(self, rules: RuleTable, calendar: WorkingCalendar) -> None:
        """Where the case's clocks stand as of its last event: acceptance, handling, and the earliest deadline."""
        row = self.row
        try:
            clocks = derive_clocks(row.kind, row.category, row.marks, rules, calendar, row.last_at)
        except CalendarYearMissing as error:
            log.warning("statistics: %s has no deadline: %s", row.number, error)
            self.acceptance_deadline = self.acceptance_met = self.main_deadline = self.main_state = None
            self.main_missed = False
            row.deadline, row.deadline_stage, row.clock_state = None, None, UNKNOWN
            return
        acceptance = [c for c in clocks if c.stage is Stage.ACCEPTANCE]
        last = acceptance[-1] if acceptance else None
        self.acceptance_deadline = None if last is None else last.deadline.isoformat()
        self.acceptance_met = None if last is None or last.running else last.status is ClockStatus.MET
        main = [c for c in clocks if c.stage is MAIN_STAGE[row.kind]]
        self.main_missed = any(c.status is ClockStatus.MISSED for c in main)
        first = _earliest(c for c in main if c.running)
        self.main_deadline = None if first is None else first.deadline.isoformat()
        self.main_state = None if first is None else _state(first)
        duty = _earliest(c for c in clocks if c.running and c.stage not in WINDOW_STAGES)
        row.deadline = None if duty is None else duty.deadline
        row.deadline_stage = None if duty is None else duty.stage.code
        row.clock_state = None if duty is None else _state(duty)

    # -- storage ------------------------------------------------------------------------------------

    def values(self) -> CaseColumns:
        """The case's row of ``stat_cases``."""
        row = self.row
        closed = row.status == "closed"
        received = local_date(row.filed_at)
        days = (date.fromisoformat(self.closed_on) - received).days if closed and self.closed_on else None
        return CaseColumns(
            id=row.id,
            number=row.number,
            kind=row.kind.code,
            category=row.category,
            channel=row.channel,
            village=row.village,
            unit=row.lead_unit,
            received_on=received.isoformat(),
            status=row.status,
            is_open=int(row.is_open),
            anonymous=int(row.anonymous),
            accepted=int(self.accepted),
            not_accepted=int(self.not_accepted),
            answered=int(self.answered),
            merged=int(self.merged),
            transferred=int(self.transferred),
            closed=int(closed),
            closed_on=self.closed_on if closed else None,
            days_to_close=days,
            resolved=_int(self.resolved),
            visited=int(self.visited),
            satisfied=None if self.satisfaction is None else int(self.satisfaction in _SATISFIED),
            reopenings=self.reopenings,
            problem_case=int(row.problem_case),
            acceptance_deadline=self.acceptance_deadline,
            acceptance_met=_int(self.acceptance_met),
            main_missed=int(self.main_missed),
            main_deadline=self.main_deadline,
            main_state=self.main_state,
            deadline=None if row.deadline is None else row.deadline.isoformat(),
            clock_state=row.clock_state,
            agreed=int(self.agreed),
            mediation_ended=int(self.mediation_ended),
            confirmation_applied=int(self.confirmation_applied),
            confirmed=int(self.confirmed),
            performance=self.performance,
            at_risk=int(row.at_risk),
            decided=int(self.decided_on is not None),
            decision=self.decision,
            fine_fen=self.fine_fen,
            major_decided=int(self.major_decided),
            reviewed_before_decision=int(self.reviewed_before_decision),
            hearing_requested=int(self.hearing_requested),
            hearing_held=int(self.hearing_held),
            published_on=self.published_on,
            publish_deadline=self.publish_deadline,
            pending=int(
                row.is_open
                or (self.acceptance_met is None and self.acceptance_deadline is not None)
                or (self.publish_deadline is not None and self.published_on is None)
            ),
        )

    def state(self) -> str:
        """The row and the facts, as ``stat_case_states`` keeps them for the case's next events."""
        facts = {name: getattr(self, name) for name in _FACT_FIELDS}
        return json.dumps({"row": list(self.row.values()), "facts": facts}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_state(cls, text: str) -> CaseFacts:
        """The facts :meth:`state` wrote."""
        state = json.loads(text)
        return cls(row=CaseRow.from_values(tuple(state["row"])), **state["facts"])


_FACT_FIELDS = tuple(f.name for f in fields(CaseFacts) if f.name != "row")
"""The facts :meth:`CaseFacts.state` keeps beside the row (each a plain value: no deep copy needed)."""


def _int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _earliest(clocks: Iterable[StageClock]) -> StageClock | None:
    found = list(clocks)
    return min(found, key=lambda clock: (clock.deadline, clock.stage.code)) if found else None


def _state(clock: StageClock) -> str:
    return PAUSED if clock.status is ClockStatus.PAUSED else RUNNING


def _code(value: Any) -> str:
    return value.code if isinstance(value, Labelled) else str(value)
