"""Statistics: one row of facts per case, per tolerated-error ruling and per clearing, so that every
indicator an annual rule-of-law report quotes is an aggregate query over them.

Which period a fact counts in: every case counts in the period of the day it came in (registered,
applied for, or recorded as a clue; Asia/Shanghai), a ruling in the period it was requested and a
clearing in the period it was proposed; what happened to them is counted as it stands now. So a
period's rates always compare like with like (their numerators are part of their denominators), and
a past period's numbers can still change while its cases are being handled. Overdue is judged on the
day asked about (``as_of``), like the queues.

The definitions, per case counted in the period (every rate is returned as
``{numerator, denominator, rate}``, the rate ``None`` when the denominator is 0):

- received: every case; accepted: a complaint accepted or answered directly, a dispute accepted,
  an enforcement case filed (立案); not accepted: refused acceptance, refused mediation, not filed;
- on-time acceptance (按时签收率): complaints whose acceptance was decided (accepted, refused,
  answered, merged or transferred) by the acceptance deadline, over those decided plus those still
  undecided past it;
- closed (办结): cases whose status is closed; closure rate (办结率): closed over accepted cases not
  merged into a duplicate or transferred out;
- on-time closure (按期办结率): closed cases none of whose handling clocks (complaint: handle;
  dispute: settle; enforcement: decide) finished late, over the closed cases plus the open ones
  already late (a clock finished late, or the running one overdue);
- resolution (解决率): complaints and disputes closed as resolved over those closed;
- follow-up (回访率): closed complaints (not anonymous) and disputes that had a follow-up visit,
  over those closed; satisfaction (满意率): cases whose latest visit found the resident satisfied or
  basically satisfied, over the cases visited; reopen rate (发回重办率): complaints reopened at
  least once over the complaints visited (only a visited complaint can be reopened);
- repeat complaints (重复投诉): complaints merged into another as its duplicate (the index holds no
  identities, so a repeat is what the office itself merged as one);
- days to close: calendar days from the day a closed case came in to the day of its last closure;
  the mean by SQL, the median computed here from the fetched durations, on both stores;
- mediation success (调解成功率): disputes with an agreement over those whose mediation reached an
  agreement or ended; fulfilment (履行率): agreements checked as fulfilled over those checked
  (partly fulfilled is not fulfilled);
- enforcement: filed, not filed, decided, decisions by type (no penalty and transfer to judicial
  organs among them), fines (sum, in yuan), hearings requested and held; legality-review
  coverage: major cases decided after an approved legality review over the major cases decided;
  publication on time: decisions published within the publication limit (working days after the
  decision, 20 by default after 国办发〔2018〕118号, configurable), over those published plus those
  whose limit has passed unpublished;
- rulings: requests (appeal reviews among them), declined, pending, exempted, mitigated, not
  tolerated, appealed; clearings: proposed and cleared. Rulings and clearings group by unit only.
- open and overdue: cases still open, and those whose earliest running deadline has passed.

Grouping: by kind, category (within its kind), channel, village, or unit: the lead unit of a
complaint, the mediating unit of a dispute, the enforcement unit of a case ("" before there is one);
the cadre's unit for rulings and clearings. Time limits and calendar are the ledger's when the event
is applied: after changing either, rebuild.
"""

from __future__ import annotations

import json
import logging
import statistics as stats
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.calendar import WorkingCalendar
from domain.clearing import Clearing, ClearingStatus
from domain.clocks import ClockStatus, StageClock, derive_clocks, marks_from_events
from domain.errors import CalendarYearMissing, InvalidValue
from domain.kinds import CaseKind, Channel
from domain.labels import Labelled
from domain.outcomes import DecisionType, Performance, ReviewResult, Satisfaction
from domain.rules import RuleTable, Stage
from domain.time import SHANGHAI, local_date, now, require_aware
from domain.tolerance import RulingOutcome, RulingStatus, ToleranceRuling
from projections.base import Projection
from projections.case_row import CASE_CLASSES, PAUSED, RUNNING, UNKNOWN, CaseRow, filed_kind, is_case_event
from projections.store import Cursor, ReadStore

log = logging.getLogger(__name__)

COMPLAINT, DISPUTE, ENFORCEMENT = CaseKind.COMPLAINT, CaseKind.DISPUTE, CaseKind.ENFORCEMENT
PUBLICATION_WORKING_DAYS = 20
"""Working days after a decision within which it is published (国办发〔2018〕118号: 20)."""
MAIN_STAGE = {COMPLAINT: Stage.HANDLING, DISPUTE: Stage.SETTLEMENT, ENFORCEMENT: Stage.DECISION}
"""The clock whose stages decide whether a case was handled on time."""
WINDOW_STAGES = frozenset({Stage.RETURN_WINDOW})
GROUPINGS = ("kind", "category", "channel", "village", "unit")
PERIODS = ("month", "quarter", "year")
_LOAD_CHUNK = 500
_SATISFIED = frozenset({Satisfaction.SATISFIED.code, Satisfaction.BASICALLY.code})
_PENDING_RULINGS = (RulingStatus.REQUESTED, RulingStatus.ACCEPTED, RulingStatus.VERIFIED, RulingStatus.DELIBERATED)


# -- the indicators ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """One number of the statistics: its code, labels, what it is and which part of the report it is in.

    ``type`` is ``count`` (a whole number), ``rate`` (numerator, denominator, rate), ``days``
    (count, mean, median) or ``amount`` (yuan, as decimal text).
    """

    code: str
    zh: str
    en: str
    type: str
    section: str


SECTIONS = {
    "cases": ("案件总体", "All cases"),
    "complaints": ("投诉办理", "Complaints"),
    "disputes": ("矛盾纠纷调解", "Dispute mediation"),
    "enforcement": ("行政执法", "Enforcement"),
    "rulings": ("容错免责与澄清正名", "Tolerated errors and clearings"),
}


def _decision_indicators() -> list[Indicator]:
    return [
        Indicator(f"decisions_{d.code}", f"决定：{d.zh}", f"Decisions: {d.en}", "count", "enforcement")
        for d in DecisionType
    ]


INDICATORS: tuple[Indicator, ...] = (
    Indicator("received", "收件数", "Received", "count", "cases"),
    Indicator("accepted", "受理数（执法为立案）", "Accepted (enforcement: filed)", "count", "cases"),
    Indicator("not_accepted", "不予受理数", "Not accepted", "count", "cases"),
    Indicator("closed", "办结数", "Closed", "count", "cases"),
    Indicator("open", "在办数", "Open", "count", "cases"),
    Indicator("overdue", "超期在办数", "Open and overdue", "count", "cases"),
    Indicator("on_time_acceptance_rate", "按时签收率", "On-time acceptance", "rate", "cases"),
    Indicator("closure_rate", "办结率", "Closure rate", "rate", "cases"),
    Indicator("on_time_closure_rate", "按期办结率", "On-time closure", "rate", "cases"),
    Indicator("resolution_rate", "解决率", "Resolution rate", "rate", "cases"),
    Indicator("follow_up_rate", "回访率", "Follow-up rate", "rate", "cases"),
    Indicator("satisfaction_rate", "满意率", "Satisfaction", "rate", "cases"),
    Indicator("days_to_close", "办结用时（天）", "Days to close", "days", "cases"),
    Indicator("answered_directly", "当场答复数", "Answered directly", "count", "complaints"),
    Indicator("transferred_out", "转办数", "Transferred out", "count", "complaints"),
    Indicator("repeat_complaints", "重复投诉（并案）数", "Repeat complaints (merged)", "count", "complaints"),
    Indicator("reopen_rate", "发回重办率", "Reopen rate", "rate", "complaints"),
    Indicator("reopenings", "重办次数", "Reopenings", "count", "complaints"),
    Indicator("problem_cases", "问题工单数", "Problem cases", "count", "complaints"),
    Indicator("mediation_success_rate", "调解成功率", "Mediation success", "rate", "disputes"),
    Indicator("agreements", "达成调解协议数", "Agreements", "count", "disputes"),
    Indicator("mediation_ended", "调解终止数", "Mediation ended", "count", "disputes"),
    Indicator("fulfilment_rate", "协议履行率", "Fulfilment", "rate", "disputes"),
    Indicator("confirmations_applied", "申请司法确认数", "Judicial confirmation applied for", "count", "disputes"),
    Indicator("judicial_confirmations", "司法确认数", "Judicial confirmations", "count", "disputes"),
    Indicator("at_risk", "激化风险纠纷数", "Disputes at risk of escalating", "count", "disputes"),
    Indicator("enforcement_filed", "执法立案数", "Enforcement cases filed", "count", "enforcement"),
    Indicator("enforcement_not_filed", "不予立案数", "Not filed", "count", "enforcement"),
    Indicator("decisions", "作出处理决定数", "Decisions", "count", "enforcement"),
    *_decision_indicators(),
    Indicator("fines_total", "罚款金额（元）", "Fines (yuan)", "amount", "enforcement"),
    Indicator("hearings_requested", "申请听证数", "Hearings requested", "count", "enforcement"),
    Indicator("hearings_held", "举行听证数", "Hearings held", "count", "enforcement"),
    Indicator(
        "legality_review_coverage_rate",
        "重大执法决定法制审核率",
        "Legality-review coverage of major decisions",
        "rate",
        "enforcement",
    ),
    Indicator("publication_on_time_rate", "执法决定按时公示率", "Decisions published on time", "rate", "enforcement"),
    Indicator("ruling_requests", "容错免责申请数", "Tolerated-error requests", "count", "rulings"),
    Indicator("ruling_appeal_reviews", "其中申诉复核", "Of which appeal reviews", "count", "rulings"),
    Indicator("rulings_pending", "办理中", "Pending", "count", "rulings"),
    Indicator("rulings_declined", "不予受理", "Declined", "count", "rulings"),
    Indicator("rulings_exempted", "免责", "Exempted", "count", "rulings"),
    Indicator("rulings_mitigated", "减责", "Mitigated", "count", "rulings"),
    Indicator("rulings_not_tolerated", "不予容错", "Not tolerated", "count", "rulings"),
    Indicator("rulings_appealed", "已申诉", "Appealed", "count", "rulings"),
    Indicator("clearings_proposed", "澄清正名提出数", "Clearings proposed", "count", "rulings"),
    Indicator("clearings_cleared", "已澄清正名数", "Cadres cleared", "count", "rulings"),
)
INDICATOR_BY_CODE = {i.code: i for i in INDICATORS}
RECORD_INDICATORS = frozenset(i.code for i in INDICATORS if i.code.startswith(("ruling", "clearing")))
"""Indicators of rulings and clearings, which group by unit only."""


# -- periods -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month, quarter or year of the Asia/Shanghai calendar."""

    kind: str
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        if self.kind not in PERIODS:
            raise InvalidValue("period", f"must be one of: {', '.join(PERIODS)}")
        if not isinstance(self.year, int) or isinstance(self.year, bool) or not 2000 <= self.year <= 2100:
            raise InvalidValue("year", "must be a year from 2000 to 2100")
        top = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if not isinstance(self.number, int) or isinstance(self.number, bool) or not 1 <= self.number <= top:
            raise InvalidValue(self.kind if self.kind != "year" else "year", f"must be from 1 to {top}")

    @property
    def start(self) -> date:
        """The first day of the period."""
        month = {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = self.start
        after = date(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1)
        return after - timedelta(days=1)

    @property
    def code(self) -> str:
        """``2025``, ``2025-Q1`` or ``2025-03``."""
        if self.kind == "year":
            return str(self.year)
        return f"{self.year}-Q{self.number}" if self.kind == "quarter" else f"{self.year}-{self.number:02d}"

    def describe(self) -> dict[str, Any]:
        """The period as plain data, with Chinese and English names."""
        zh = {
            "year": f"{self.year}年",
            "quarter": f"{self.year}年第{self.number}季度",
            "month": f"{self.year}年{self.number}月",
        }
        en = {"year": str(self.year), "quarter": f"Q{self.number} {self.year}", "month": self.start.strftime("%B %Y")}
        return {
            "code": self.code,
            "kind": self.kind,
            "zh": zh[self.kind],
            "en": en[self.kind],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def periods_of(kind: str, year: int, number: int | None = None) -> list[Period]:
    """The period ``number`` of ``year``, or every period of that kind in the year when it is None."""
    if number is not None:
        return [Period(kind, year, number)]
    count = {"month": 12, "quarter": 4, "year": 1}.get(kind, 1)
    return [Period(kind, year, n) for n in range(1, count + 1)]


# -- the facts of one case -----------------------------------------------------------------------------


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
        match type(event).__name__:
            case "Accepted" | "Filed":
                self.accepted = True
            case "AnsweredDirectly":
                self.accepted = self.answered = True
            case "NotAccepted" | "Refused" | "NotFiled":
                self.not_accepted = True
            case "Merged":
                self.merged = True
            case "TransferredOut":
                self.transferred = True
            case "Visited":
                self.visited, self.satisfaction = True, _code(event.satisfaction)
            case "Closed":
                self.closed_on = day
                resolved = getattr(event, "resolved", None)
                self.resolved = None if resolved is None else bool(resolved)
            case "Reopened":
                self.reopenings += 1
            case "AgreementReached":
                self.agreed = True
            case "MediationEnded":
                self.mediation_ended = True
            case "JudicialConfirmationApplied":
                self.confirmation_applied = True
            case "JudicialConfirmationRecorded":
                self.confirmed = bool(event.confirmed)
            case "PerformanceChecked":
                self.performance = _code(event.result)
            case "InvestigationConcluded":
                self.review_approved = False
            case "LegalityReviewed":
                self.review_approved = _code(event.result) == ReviewResult.APPROVED.code
            case "HearingRequested":
                self.hearing_requested = True
            case "HearingHeld":
                self.hearing_held = True
            case "Decided":
                self._decided(event, calendar, publication_days)
            case "Published":
                self.published_on = day

    def _decided(self, event: Any, calendar: WorkingCalendar, publication_days: int) -> None:
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

    def values(self) -> tuple[Any, ...]:
        """The row of ``stat_cases``, in :data:`CASE_COLUMNS` order."""
        row = self.row
        closed = row.status == "closed"
        received = local_date(row.filed_at)
        days = (date.fromisoformat(self.closed_on) - received).days if closed and self.closed_on else None
        satisfied = None if self.satisfaction is None else int(self.satisfaction in _SATISFIED)
        return (
            row.id,
            row.number,
            row.kind.code,
            row.category,
            row.channel,
            row.village,
            row.lead_unit,
            received.isoformat(),
            row.status,
            int(row.is_open),
            int(row.anonymous),
            int(self.accepted),
            int(self.not_accepted),
            int(self.answered),
            int(self.merged),
            int(self.transferred),
            int(closed),
            self.closed_on if closed else None,
            days,
            _int(self.resolved),
            int(self.visited),
            satisfied,
            self.reopenings,
            int(row.problem_case),
            self.acceptance_deadline,
            _int(self.acceptance_met),
            int(self.main_missed),
            self.main_deadline,
            self.main_state,
            None if row.deadline is None else row.deadline.isoformat(),
            row.clock_state,
            int(self.agreed),
            int(self.mediation_ended),
            int(self.confirmation_applied),
            int(self.confirmed),
            self.performance,
            int(row.at_risk),
            int(self.decided_on is not None),
            self.decision,
            self.fine_fen,
            int(self.major_decided),
            int(self.reviewed_before_decision),
            int(self.hearing_requested),
            int(self.hearing_held),
            self.published_on,
            self.publish_deadline,
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

CASE_COLUMNS = (
    "id",
    "number",
    "kind",
    "category",
    "channel",
    "village",
    "unit",
    "received_on",
    "status",
    "is_open",
    "anonymous",
    "accepted",
    "not_accepted",
    "answered",
    "merged",
    "transferred",
    "closed",
    "closed_on",
    "days_to_close",
    "resolved",
    "visited",
    "satisfied",
    "reopenings",
    "problem_case",
    "acceptance_deadline",
    "acceptance_met",
    "main_missed",
    "main_deadline",
    "main_state",
    "deadline",
    "clock_state",
    "agreed",
    "mediation_ended",
    "confirmation_applied",
    "confirmed",
    "performance",
    "at_risk",
    "decided",
    "decision",
    "fine_fen",
    "major_decided",
    "reviewed_before_decision",
    "hearing_requested",
    "hearing_held",
    "published_on",
    "publish_deadline",
)
_TEXT_COLUMNS = frozenset(
    {
        "id",
        "number",
        "kind",
        "category",
        "channel",
        "village",
        "unit",
        "received_on",
        "status",
        "closed_on",
        "acceptance_deadline",
        "main_deadline",
        "main_state",
        "deadline",
        "clock_state",
        "performance",
        "decision",
        "published_on",
        "publish_deadline",
    }
)
_NULLABLE = frozenset(
    {
        "closed_on",
        "days_to_close",
        "resolved",
        "satisfied",
        "acceptance_deadline",
        "acceptance_met",
        "main_deadline",
        "main_state",
        "deadline",
        "clock_state",
        "performance",
        "decision",
        "published_on",
        "publish_deadline",
    }
)


def _column_ddl(column: str) -> str:
    kind = "text" if column in _TEXT_COLUMNS else "bigint"
    required = "" if column in _NULLABLE else " NOT NULL"
    return f"{column} {kind}{required}{' PRIMARY KEY' if column == 'id' else ''}"


_UPSERT = (
    f"INSERT INTO stat_cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('%s' for _ in CASE_COLUMNS)}) "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in CASE_COLUMNS if c != 'id')}"
)
_UPSERT_STATE = (
    "INSERT INTO stat_case_states (id, state) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET state = excluded.state"
)

_RULING_STATUS_AFTER = {
    "Requested": RulingStatus.REQUESTED,
    "Accepted": RulingStatus.ACCEPTED,
    "Declined": RulingStatus.DECLINED,
    "Verified": RulingStatus.VERIFIED,
    "Deliberated": RulingStatus.DELIBERATED,
    "Ruled": RulingStatus.RULED,
    "Notified": RulingStatus.NOTIFIED,
    "FiledUpward": RulingStatus.FILED_UPWARD,
    "Appealed": RulingStatus.APPEALED,
}
_CLEARING_STATUS_AFTER = {
    "Proposed": ClearingStatus.PROPOSED,
    "Approved": ClearingStatus.APPROVED,
    "Cleared": ClearingStatus.CLEARED,
    "Recorded": ClearingStatus.RECORDED,
}


# -- the projection ------------------------------------------------------------------------------------


class Statistics(Projection):
    """Facts per case, ruling and clearing, and the indicators aggregated from them."""

    name = "statistics"
    per_aggregate = True
    create_statements = (
        f"CREATE TABLE IF NOT EXISTS stat_cases ({', '.join(_column_ddl(c) for c in CASE_COLUMNS)})",
        "CREATE INDEX IF NOT EXISTS stat_cases_by_received_on ON stat_cases (received_on)",
        "CREATE TABLE IF NOT EXISTS stat_case_states (id text PRIMARY KEY, state text NOT NULL)",
        "CREATE TABLE IF NOT EXISTS stat_rulings ("
        " id text PRIMARY KEY, unit text NOT NULL, requested_on text NOT NULL, review bigint NOT NULL,"
        " status text NOT NULL, outcome text)",
        "CREATE TABLE IF NOT EXISTS stat_clearings ("
        " id text PRIMARY KEY, unit text NOT NULL, proposed_on text NOT NULL, status text NOT NULL)",
    )
    drop_statements = (
        "DROP TABLE IF EXISTS stat_cases",
        "DROP TABLE IF EXISTS stat_case_states",
        "DROP TABLE IF EXISTS stat_rulings",
        "DROP TABLE IF EXISTS stat_clearings",
    )

    def __init__(
        self,
        store: ReadStore,
        rules: RuleTable,
        calendar: WorkingCalendar,
        *,
        publication_working_days: int = PUBLICATION_WORKING_DAYS,
    ) -> None:
        self.store = store
        self.rules = rules
        self.calendar = calendar
        self.publication_working_days = publication_working_days
        self._facts: dict[str, CaseFacts] = {}
        self._dirty: set[str] = set()

    # -- applying -----------------------------------------------------------------------------------

    def begin_batch(self, cursor: Cursor, events: Sequence[tuple[int, Any]], *, new_rows: bool = False) -> None:
        self._facts, self._dirty = {}, set()
        if new_rows:
            return
        wanted = sorted({str(e.originator_id) for _, e in events if is_case_event(e) and filed_kind(e) is None})
        for offset in range(0, len(wanted), _LOAD_CHUNK):
            self._load(cursor, wanted[offset : offset + _LOAD_CHUNK])

    def apply(self, cursor: Cursor, domain_event: Any, position: int) -> None:
        if isinstance(domain_event, ToleranceRuling.Event):
            self._ruling(cursor, domain_event)
            return
        if isinstance(domain_event, Clearing.Event):
            self._clearing(cursor, domain_event)
            return
        if not is_case_event(domain_event):
            return
        case_id = str(domain_event.originator_id)
        kind = filed_kind(domain_event)
        if kind is not None:
            facts = CaseFacts(CaseRow.filed(kind, domain_event))
        else:
            if case_id not in self._facts:
                self._load(cursor, [case_id])
            found = self._facts.get(case_id)
            if found is None:
                log.warning("statistics: event %d is of case %s, whose filing was never seen", position, case_id)
                return
            facts = found
            facts.row.change(domain_event)
            facts.record(domain_event, self.calendar, self.publication_working_days)
        facts.row.description = ""
        facts.row.marks.extend(marks_from_events(facts.row.kind, [domain_event]))
        self._facts[case_id] = facts
        self._dirty.add(case_id)

    def end_batch(self, cursor: Cursor) -> None:
        changed = [self._facts[case_id] for case_id in sorted(self._dirty)]
        self._facts, self._dirty = {}, set()
        for facts in changed:
            facts.derive_clocks(self.rules, self.calendar)
        if changed:
            cursor.executemany(_UPSERT, [facts.values() for facts in changed])
            cursor.executemany(_UPSERT_STATE, [(facts.row.id, facts.state()) for facts in changed])

    def _load(self, cursor: Cursor, case_ids: Sequence[str]) -> None:
        placeholders = ", ".join("%s" for _ in case_ids)
        cursor.execute(f"SELECT state FROM stat_case_states WHERE id IN ({placeholders})", case_ids)
        for (state,) in cursor.fetchall():
            facts = CaseFacts.from_state(state)
            self._facts[facts.row.id] = facts

    def _ruling(self, cursor: Cursor, event: Any) -> None:
        name = type(event).__name__
        status = _RULING_STATUS_AFTER.get(name)
        if status is None:
            return
        ruling_id = str(event.originator_id)
        if name == "Requested":
            cursor.execute(
                "INSERT INTO stat_rulings (id, unit, requested_on, review, status) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                (
                    ruling_id,
                    event.unit,
                    local_date(event.at).isoformat(),
                    int(event.supersedes is not None),
                    status.code,
                ),
            )
            return
        outcome = _code(event.outcome) if name == "Ruled" else None
        cursor.execute(
            "UPDATE stat_rulings SET status = %s, outcome = coalesce(%s, outcome) WHERE id = %s",
            (status.code, outcome, ruling_id),
        )

    def _clearing(self, cursor: Cursor, event: Any) -> None:
        name = type(event).__name__
        status = _CLEARING_STATUS_AFTER.get(name)
        if status is None:
            return
        clearing_id = str(event.originator_id)
        if name == "Proposed":
            cursor.execute(
                "INSERT INTO stat_clearings (id, unit, proposed_on, status) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                (clearing_id, event.unit, local_date(event.at).isoformat(), status.code),
            )
            return
        cursor.execute("UPDATE stat_clearings SET status = %s WHERE id = %s", (status.code, clearing_id))

    # -- querying -----------------------------------------------------------------------------------

    def indicators(
        self, periods: Sequence[Period], group_by: str | None = None, *, as_of: datetime | None = None
    ) -> dict[str, Any]:
        """Every indicator for each period, in total and (if ``group_by``) per group; overdue as of ``as_of``."""
        if group_by is not None and group_by not in GROUPINGS:
            raise InvalidValue("group_by", f"must be one of: {', '.join(GROUPINGS)}")
        moment = now() if as_of is None else require_aware(as_of, "as_of")
        today = local_date(moment).isoformat()
        results = []
        with self.store.transaction(readonly=True) as cursor:
            for period in periods:
                total = _merge(
                    _case_indicators(cursor, period, None, today),
                    _record_indicators(cursor, period, None),
                )[""]
                groups: list[dict[str, Any]] = []
                if group_by is not None:
                    by_group = _case_indicators(cursor, period, group_by, today)
                    if group_by == "unit":
                        by_group = _merge(by_group, _record_indicators(cursor, period, "unit"))
                    groups = [
                        {"key": key, "label": _group_label(group_by, key), "indicators": values}
                        for key, values in sorted(by_group.items())
                    ]
                results.append({"period": period.describe(), "total": total, "groups": groups})
        return {
            "as_of": moment.astimezone(SHANGHAI).isoformat(),
            "group_by": group_by,
            "publication_working_days": self.publication_working_days,
            "periods": results,
        }


# -- the aggregate queries -----------------------------------------------------------------------------

TODAY = object()
"""Stands for the day asked about among an expression's parameters."""


def _when(condition: str) -> str:
    return f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)"


_OVERDUE = f"s.clock_state = '{RUNNING}' AND s.deadline < %s"
_MAIN_LATE = f"s.main_missed = 1 OR (s.main_state = '{RUNNING}' AND s.main_deadline < %s)"
_FOLLOWED_UP = "s.closed = 1 AND s.kind IN ('complaint', 'dispute') AND s.anonymous = 0"

CASE_EXPRESSIONS: tuple[tuple[str, str, tuple[Any, ...]], ...] = (
    ("received", "count(*)", ()),
    ("accepted", "sum(s.accepted)", ()),
    ("not_accepted", "sum(s.not_accepted)", ()),
    ("closed", "sum(s.closed)", ()),
    ("open", "sum(s.is_open)", ()),
    ("overdue", _when(f"s.is_open = 1 AND {_OVERDUE}"), (TODAY,)),
    ("on_time_acceptance_rate.n", _when("s.acceptance_met = 1"), ()),
    (
        "on_time_acceptance_rate.d",
        _when("s.acceptance_met IS NOT NULL OR s.acceptance_deadline < %s"),
        (TODAY,),
    ),
    ("closure_rate.n", "sum(s.closed)", ()),
    ("closure_rate.d", _when("s.accepted = 1 AND s.merged = 0 AND s.transferred = 0"), ()),
    ("on_time_closure_rate.n", _when("s.closed = 1 AND s.main_missed = 0"), ()),
    ("on_time_closure_rate.d", _when(f"s.closed = 1 OR (s.is_open = 1 AND ({_MAIN_LATE}))"), (TODAY,)),
    ("resolution_rate.n", _when("s.closed = 1 AND s.resolved = 1"), ()),
    ("resolution_rate.d", _when("s.closed = 1 AND s.resolved IS NOT NULL"), ()),
    ("follow_up_rate.n", _when(f"{_FOLLOWED_UP} AND s.visited = 1"), ()),
    ("follow_up_rate.d", _when(_FOLLOWED_UP), ()),
    ("satisfaction_rate.n", _when("s.satisfied = 1"), ()),
    ("satisfaction_rate.d", "sum(s.visited)", ()),
    ("days_to_close.count", _when("s.days_to_close IS NOT NULL"), ()),
    ("days_to_close.mean", "avg(s.days_to_close)", ()),
    ("answered_directly", "sum(s.answered)", ()),
    ("transferred_out", "sum(s.transferred)", ()),
    ("repeat_complaints", "sum(s.merged)", ()),
    ("reopen_rate.n", _when("s.kind = 'complaint' AND s.visited = 1 AND s.reopenings > 0"), ()),
    ("reopen_rate.d", _when("s.kind = 'complaint' AND s.visited = 1"), ()),
    ("reopenings", "sum(s.reopenings)", ()),
    ("problem_cases", "sum(s.problem_case)", ()),
    ("mediation_success_rate.n", "sum(s.agreed)", ()),
    ("mediation_success_rate.d", _when("s.agreed = 1 OR s.mediation_ended = 1"), ()),
    ("agreements", "sum(s.agreed)", ()),
    ("mediation_ended", "sum(s.mediation_ended)", ()),
    ("fulfilment_rate.n", _when("s.performance = %s"), (Performance.FULFILLED.code,)),
    ("fulfilment_rate.d", _when("s.performance IS NOT NULL"), ()),
    ("confirmations_applied", "sum(s.confirmation_applied)", ()),
    ("judicial_confirmations", "sum(s.confirmed)", ()),
    ("at_risk", "sum(s.at_risk)", ()),
    ("enforcement_filed", _when("s.kind = 'enforcement' AND s.accepted = 1"), ()),
    ("enforcement_not_filed", _when("s.kind = 'enforcement' AND s.not_accepted = 1"), ()),
    ("decisions", "sum(s.decided)", ()),
    *((f"decisions_{d.code}", _when("s.decision = %s"), (d.code,)) for d in DecisionType),
    ("fines_total", "sum(s.fine_fen)", ()),
    ("hearings_requested", "sum(s.hearing_requested)", ()),
    ("hearings_held", "sum(s.hearing_held)", ()),
    ("legality_review_coverage_rate.n", _when("s.major_decided = 1 AND s.reviewed_before_decision = 1"), ()),
    ("legality_review_coverage_rate.d", "sum(s.major_decided)", ()),
    (
        "publication_on_time_rate.n",
        _when("s.published_on IS NOT NULL AND s.publish_deadline IS NOT NULL AND s.published_on <= s.publish_deadline"),
        (),
    ),
    (
        "publication_on_time_rate.d",
        _when("s.publish_deadline IS NOT NULL AND (s.published_on IS NOT NULL OR s.publish_deadline < %s)"),
        (TODAY,),
    ),
)
_NOTHING = tuple(0 if code == "received" else None for code, _, _ in CASE_EXPRESSIONS)
"""The aggregates of no case at all."""

_PENDING_CODES = ", ".join(f"'{s.code}'" for s in _PENDING_RULINGS)
_CLEARED = f"('{ClearingStatus.CLEARED.code}', '{ClearingStatus.RECORDED.code}')"
RULING_EXPRESSIONS: tuple[tuple[str, str], ...] = (
    ("ruling_requests", "count(*)"),
    ("ruling_appeal_reviews", "sum(r.review)"),
    ("rulings_pending", _when(f"r.status IN ({_PENDING_CODES})")),
    ("rulings_declined", _when(f"r.status = '{RulingStatus.DECLINED.code}'")),
    ("rulings_exempted", _when(f"r.outcome = '{RulingOutcome.EXEMPTED.code}'")),
    ("rulings_mitigated", _when(f"r.outcome = '{RulingOutcome.MITIGATED.code}'")),
    ("rulings_not_tolerated", _when(f"r.outcome = '{RulingOutcome.NOT_TOLERATED.code}'")),
    ("rulings_appealed", _when(f"r.status = '{RulingStatus.APPEALED.code}'")),
)
CLEARING_EXPRESSIONS: tuple[tuple[str, str], ...] = (
    ("clearings_proposed", "count(*)"),
    ("clearings_cleared", _when(f"c.status IN {_CLEARED}")),
)

_GROUP_EXPRESSIONS = {
    "kind": "s.kind",
    "category": "s.kind || '/' || s.category",
    "channel": "s.channel",
    "village": "s.village",
    "unit": "s.unit",
}


def _case_indicators(cursor: Cursor, period: Period, group_by: str | None, today: str) -> dict[str, dict[str, Any]]:
    """The case indicators of the cases received in ``period``, per group ("" when not grouped)."""
    group = "''" if group_by is None else _GROUP_EXPRESSIONS[group_by]
    grouped = "" if group_by is None else f" GROUP BY {group}"
    selected = ", ".join(f"{sql} AS c{n}" for n, (_, sql, _) in enumerate(CASE_EXPRESSIONS))
    params = [today if p is TODAY else p for _, _, expression_params in CASE_EXPRESSIONS for p in expression_params]
    where = " WHERE s.received_on >= %s AND s.received_on <= %s"
    bounds = [period.start.isoformat(), period.end.isoformat()]
    cursor.execute(f"SELECT {group} AS g, {selected} FROM stat_cases s{where}{grouped}", [*params, *bounds])
    raw = {str(values[0]): values[1:] for values in cursor.fetchall()}
    cursor.execute(
        f"SELECT {group} AS g, s.days_to_close FROM stat_cases s{where} AND s.days_to_close IS NOT NULL", bounds
    )
    durations: dict[str, list[int]] = {}
    for key, days in cursor.fetchall():
        durations.setdefault(str(key), []).append(int(days))
    return {key: _case_values(values, durations.get(key, [])) for key, values in raw.items()}


def _case_values(values: Sequence[Any], durations: list[int]) -> dict[str, Any]:
    found = {code: values[n] for n, (code, _, _) in enumerate(CASE_EXPRESSIONS)}
    result: dict[str, Any] = {}
    for indicator in INDICATORS:
        code = indicator.code
        if code in RECORD_INDICATORS:
            continue
        if indicator.type == "rate":
            result[code] = rate(_whole(found[f"{code}.n"]), _whole(found[f"{code}.d"]))
        elif indicator.type == "days":
            mean = found[f"{code}.mean"]
            result[code] = {
                "count": _whole(found[f"{code}.count"]),
                "mean": None if mean is None else round(float(mean), 2),
                "median": round(float(stats.median(durations)), 2) if durations else None,
            }
        elif indicator.type == "amount":
            result[code] = yuan(_whole(found[code]))
        else:
            result[code] = _whole(found[code])
    return result


def _record_indicators(cursor: Cursor, period: Period, group_by: str | None) -> dict[str, dict[str, Any]]:
    bounds = [period.start.isoformat(), period.end.isoformat()]
    found: dict[str, dict[str, Any]] = {}
    for table, alias, day, expressions in (
        ("stat_rulings", "r", "requested_on", RULING_EXPRESSIONS),
        ("stat_clearings", "c", "proposed_on", CLEARING_EXPRESSIONS),
    ):
        group = "''" if group_by is None else f"{alias}.unit"
        grouped = "" if group_by is None else f" GROUP BY {group}"
        selected = ", ".join(f"{sql} AS v{n}" for n, (_, sql) in enumerate(expressions))
        cursor.execute(
            f"SELECT {group} AS g, {selected} FROM {table} {alias}"
            f" WHERE {alias}.{day} >= %s AND {alias}.{day} <= %s{grouped}",
            bounds,
        )
        for values in cursor.fetchall():
            into = found.setdefault(str(values[0]), {})
            into.update({code: _whole(values[n + 1]) for n, (code, _) in enumerate(expressions)})
    zero = {code: 0 for code, _ in (*RULING_EXPRESSIONS, *CLEARING_EXPRESSIONS)}
    return {key: zero | values for key, values in found.items()}


def _merge(cases: dict[str, dict[str, Any]], records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Case and record indicators of the same groups, each group having every indicator."""
    empty_cases = _case_values(_NOTHING, [])
    empty_records = {code: 0 for code, _ in (*RULING_EXPRESSIONS, *CLEARING_EXPRESSIONS)}
    merged: dict[str, dict[str, Any]] = {}
    for key in sorted(set(cases) | set(records)):
        merged[key] = (cases.get(key) or empty_cases) | (records.get(key) or empty_records)
    return {key: _ordered(values) for key, values in merged.items()}


def _ordered(values: dict[str, Any]) -> dict[str, Any]:
    return {i.code: values[i.code] for i in INDICATORS if i.code in values}


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    """A rate with what it is made of; the rate is None when nothing is counted."""
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": None if denominator == 0 else round(numerator / denominator, 4),
    }


def yuan(fen: int) -> str:
    """An amount in fen as yuan, with two decimals."""
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def _whole(value: Any) -> int:
    return 0 if value is None else int(value)


def _int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _earliest(clocks: Iterable[StageClock]) -> StageClock | None:
    found = list(clocks)
    return min(found, key=lambda clock: (clock.deadline, clock.stage.code)) if found else None


def _state(clock: StageClock) -> str:
    return PAUSED if clock.status is ClockStatus.PAUSED else RUNNING


def _code(value: Any) -> str:
    return value.code if isinstance(value, Labelled) else str(value)


def _group_label(group_by: str, key: str) -> dict[str, str]:
    """A group's key with its Chinese and English names."""
    if group_by == "kind":
        member: Labelled = CaseKind.parse(key, "kind")
        return {"code": key, "zh": member.zh, "en": member.en}
    if group_by == "category":
        kind_code, _, category = key.partition("/")
        kind = CaseKind.parse(kind_code, "kind")
        member = CASE_CLASSES[kind].CATEGORY.parse(category, "category")
        return {"code": key, "zh": f"{kind.zh}·{member.zh}", "en": f"{kind.en}: {member.en}"}
    if group_by == "channel":
        member = Channel.parse(key, "channel")
        return {"code": key, "zh": member.zh, "en": member.en}
    if not key:
        return {"code": "", "zh": "未分派" if group_by == "unit" else "未填写", "en": "Not assigned"}
    return {"code": key, "zh": key, "en": key}
