"""Statistics: one row of facts per case, per tolerated-error ruling and per clearing, so that every
indicator an annual rule-of-law report quotes is an aggregate query over them.

A year holds tens of thousands of cases, too many to aggregate per request. So the projection also keeps
a roll-up: per period received (its month, its quarter and its year) and per group of each grouping, the
sum of every count that does not depend on the day asked about (:data:`STATIC_TERMS`), and a histogram of
the days to close. When a batch changes a case, what the case added before is taken off its cells and
what it adds now is put on, in the batch's transaction. The counts that depend on the day asked about
(:data:`DYNAMIC_TERMS`: overdue, and the deadlines passed in three rates' denominators) are counted per
request over the period's pending cases only (open, or awaiting an acceptance decision or a publication).

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
  the mean and the median from a histogram of them per period and group, on both stores;
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

import itertools
import json
import logging
from collections.abc import Callable, Iterable, Sequence
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
            raise InvalidValue("period", f"must be one of: {', '.join(PERIODS)}", zh=f"可选：{'、'.join(PERIODS)}")
        if not isinstance(self.year, int) or isinstance(self.year, bool) or not 2000 <= self.year <= 2100:
            raise InvalidValue("year", "must be a year from 2000 to 2100", zh="应为 2000 至 2100 年")
        top = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if not isinstance(self.number, int) or isinstance(self.number, bool) or not 1 <= self.number <= top:
            raise InvalidValue(
                self.kind if self.kind != "year" else "year", f"must be from 1 to {top}", zh=f"应为 1 至 {top}"
            )

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
            int(
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

CASE_COLUMN_TYPES: tuple[tuple[str, str], ...] = (
    ("id", "text NOT NULL PRIMARY KEY"),
    ("number", "text NOT NULL"),
    ("kind", "text NOT NULL"),
    ("category", "text NOT NULL"),
    ("channel", "text NOT NULL"),
    ("village", "text NOT NULL"),
    ("unit", "text NOT NULL"),
    ("received_on", "text NOT NULL"),
    ("status", "text NOT NULL"),
    ("is_open", "bigint NOT NULL"),
    ("anonymous", "bigint NOT NULL"),
    ("accepted", "bigint NOT NULL"),
    ("not_accepted", "bigint NOT NULL"),
    ("answered", "bigint NOT NULL"),
    ("merged", "bigint NOT NULL"),
    ("transferred", "bigint NOT NULL"),
    ("closed", "bigint NOT NULL"),
    ("closed_on", "text"),
    ("days_to_close", "bigint"),
    ("resolved", "bigint"),
    ("visited", "bigint NOT NULL"),
    ("satisfied", "bigint"),
    ("reopenings", "bigint NOT NULL"),
    ("problem_case", "bigint NOT NULL"),
    ("acceptance_deadline", "text"),
    ("acceptance_met", "bigint"),
    ("main_missed", "bigint NOT NULL"),
    ("main_deadline", "text"),
    ("main_state", "text"),
    ("deadline", "text"),
    ("clock_state", "text"),
    ("agreed", "bigint NOT NULL"),
    ("mediation_ended", "bigint NOT NULL"),
    ("confirmation_applied", "bigint NOT NULL"),
    ("confirmed", "bigint NOT NULL"),
    ("performance", "text"),
    ("at_risk", "bigint NOT NULL"),
    ("decided", "bigint NOT NULL"),
    ("decision", "text"),
    ("fine_fen", "bigint NOT NULL"),
    ("major_decided", "bigint NOT NULL"),
    ("reviewed_before_decision", "bigint NOT NULL"),
    ("hearing_requested", "bigint NOT NULL"),
    ("hearing_held", "bigint NOT NULL"),
    ("published_on", "text"),
    ("publish_deadline", "text"),
    ("pending", "bigint NOT NULL"),
)
"""The columns of ``stat_cases`` and their SQL types, in the order :meth:`CaseFacts.values` gives them."""
CASE_COLUMNS = tuple(name for name, _ in CASE_COLUMN_TYPES)


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


# -- the roll-up ------------------------------------------------------------------------------------

Row = dict[str, Any]
"""A ``stat_cases`` row by column name."""


def _when(condition: str) -> str:
    return f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _followed_up(r: Row) -> bool:
    return bool(r["closed"]) and r["kind"] in ("complaint", "dispute") and not r["anonymous"]


STATIC_TERMS: tuple[tuple[str, Callable[[Row], int]], ...] = (
    ("received", lambda r: 1),
    ("accepted", lambda r: r["accepted"]),
    ("not_accepted", lambda r: r["not_accepted"]),
    ("closed", lambda r: r["closed"]),
    ("open", lambda r: r["is_open"]),
    ("on_time_acceptance_rate.n", lambda r: int(r["acceptance_met"] == 1)),
    ("on_time_acceptance_rate.d", lambda r: int(r["acceptance_met"] is not None)),
    ("closure_rate.n", lambda r: r["closed"]),
    ("closure_rate.d", lambda r: int(bool(r["accepted"] and not r["merged"] and not r["transferred"]))),
    ("on_time_closure_rate.n", lambda r: int(bool(r["closed"] and not r["main_missed"]))),
    ("on_time_closure_rate.d", lambda r: r["closed"]),
    ("resolution_rate.n", lambda r: int(bool(r["closed"] and r["resolved"] == 1))),
    ("resolution_rate.d", lambda r: int(bool(r["closed"] and r["resolved"] is not None))),
    ("follow_up_rate.n", lambda r: int(_followed_up(r) and bool(r["visited"]))),
    ("follow_up_rate.d", lambda r: int(_followed_up(r))),
    ("satisfaction_rate.n", lambda r: int(r["satisfied"] == 1)),
    ("satisfaction_rate.d", lambda r: r["visited"]),
    ("days_to_close.count", lambda r: int(r["days_to_close"] is not None)),
    ("days_to_close.sum", lambda r: r["days_to_close"] or 0),
    ("answered_directly", lambda r: r["answered"]),
    ("transferred_out", lambda r: r["transferred"]),
    ("repeat_complaints", lambda r: r["merged"]),
    ("reopen_rate.n", lambda r: int(r["kind"] == "complaint" and bool(r["visited"]) and r["reopenings"] > 0)),
    ("reopen_rate.d", lambda r: int(r["kind"] == "complaint" and bool(r["visited"]))),
    ("reopenings", lambda r: r["reopenings"]),
    ("problem_cases", lambda r: r["problem_case"]),
    ("mediation_success_rate.n", lambda r: r["agreed"]),
    ("mediation_success_rate.d", lambda r: int(bool(r["agreed"] or r["mediation_ended"]))),
    ("agreements", lambda r: r["agreed"]),
    ("mediation_ended", lambda r: r["mediation_ended"]),
    ("fulfilment_rate.n", lambda r: int(r["performance"] == Performance.FULFILLED.code)),
    ("fulfilment_rate.d", lambda r: int(r["performance"] is not None)),
    ("confirmations_applied", lambda r: r["confirmation_applied"]),
    ("judicial_confirmations", lambda r: r["confirmed"]),
    ("at_risk", lambda r: r["at_risk"]),
    ("enforcement_filed", lambda r: int(r["kind"] == "enforcement" and bool(r["accepted"]))),
    ("enforcement_not_filed", lambda r: int(r["kind"] == "enforcement" and bool(r["not_accepted"]))),
    ("decisions", lambda r: r["decided"]),
    *((f"decisions_{d.code}", lambda r, code=d.code: int(r["decision"] == code)) for d in DecisionType),
    ("fines_total", lambda r: r["fine_fen"]),
    ("hearings_requested", lambda r: r["hearing_requested"]),
    ("hearings_held", lambda r: r["hearing_held"]),
    ("legality_review_coverage_rate.n", lambda r: int(bool(r["major_decided"] and r["reviewed_before_decision"]))),
    ("legality_review_coverage_rate.d", lambda r: r["major_decided"]),
    (
        "publication_on_time_rate.n",
        lambda r: int(
            r["published_on"] is not None
            and r["publish_deadline"] is not None
            and r["published_on"] <= r["publish_deadline"]
        ),
    ),
    (
        "publication_on_time_rate.d",
        lambda r: int(r["publish_deadline"] is not None and r["published_on"] is not None),
    ),
)
"""What each case adds to a count, whatever the day: summed per period and group in ``stat_rollup``."""

DYNAMIC_TERMS: tuple[tuple[str, str], ...] = (
    ("overdue", f"s.is_open = 1 AND s.clock_state = '{RUNNING}' AND s.deadline < %s"),
    ("on_time_acceptance_rate.d", "s.acceptance_met IS NULL AND s.acceptance_deadline < %s"),
    (
        "on_time_closure_rate.d",
        f"s.is_open = 1 AND (s.main_missed = 1 OR (s.main_state = '{RUNNING}' AND s.main_deadline < %s))",
    ),
    ("publication_on_time_rate.d", "s.published_on IS NULL AND s.publish_deadline < %s"),
)
"""What a case adds depending on the day asked about (each with that day as its one parameter): counted
from the cases still pending, those open or awaiting an acceptance decision or a publication."""

GROUPING_KEYS: tuple[tuple[str, Callable[[Row], str]], ...] = (
    ("category", lambda r: f"{r['kind']}/{r['category']}"),
    ("channel", lambda r: r["channel"]),
    ("village", lambda r: r["village"]),
    ("unit", lambda r: r["unit"]),
)
"""Each stored grouping's key of a case. The total and the kinds are summed from the categories."""
_FROM_CATEGORIES: dict[str | None, Callable[[str], str]] = {
    None: lambda key: "",
    "kind": lambda key: key.partition("/")[0],
    "category": lambda key: key,
}

STATIC_CODES = tuple(code for code, _ in STATIC_TERMS)
_TERM_COLUMNS = tuple(f"t{n}" for n in range(len(STATIC_TERMS)))
ROLLUP_DDL = (
    "CREATE TABLE IF NOT EXISTS stat_rollup (period text NOT NULL, grouping text NOT NULL, key text NOT NULL, "
    + ", ".join(f"{column} bigint NOT NULL" for column in _TERM_COLUMNS)
    + ", PRIMARY KEY (period, grouping, key))"
)
_ADD_TO_ROLLUP = (
    f"INSERT INTO stat_rollup (period, grouping, key, {', '.join(_TERM_COLUMNS)}) "
    f"VALUES (%s, %s, %s, {', '.join('%s' for _ in _TERM_COLUMNS)}) ON CONFLICT (period, grouping, key) "
    f"DO UPDATE SET {', '.join(f'{c} = stat_rollup.{c} + excluded.{c}' for c in _TERM_COLUMNS)}"
)
_DROP_EMPTY_CELL = "DELETE FROM stat_rollup WHERE period = %s AND grouping = %s AND key = %s AND t0 = 0"
_DROP_EMPTY_DAYS = (
    "DELETE FROM stat_close_days WHERE period = %s AND grouping = %s AND key = %s AND days = %s AND n = 0"
)
_ADD_TO_CLOSE_DAYS = (
    "INSERT INTO stat_close_days (period, grouping, key, days, n) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (period, grouping, key, days) DO UPDATE SET n = stat_close_days.n + excluded.n"
)


@dataclass(frozen=True)
class Contribution:
    """What one case adds to the roll-up: its periods, its group in each grouping, its terms, its days to close."""

    periods: tuple[str, ...]
    cells: tuple[tuple[str, str], ...]
    terms: tuple[int, ...]
    days_to_close: int | None

    @classmethod
    def of(cls, values: Sequence[Any]) -> Contribution:
        """The contribution of a ``stat_cases`` row."""
        row = dict(zip(CASE_COLUMNS, values, strict=True))
        return cls(
            periods=_periods_of(row["received_on"]),
            cells=tuple((grouping, key(row)) for grouping, key in GROUPING_KEYS),
            terms=tuple(int(term(row)) for _, term in STATIC_TERMS),
            days_to_close=row["days_to_close"],
        )


def _periods_of(day: str) -> tuple[str, ...]:
    """The codes of the month, quarter and year of an ISO day (as :attr:`Period.code` writes them)."""
    year, month = int(day[:4]), int(day[5:7])
    return (f"{year}-{month:02d}", f"{year}-Q{(month - 1) // 3 + 1}", str(year))


class _RollUp:
    """The changes a batch makes to ``stat_rollup`` and ``stat_close_days``, summed per cell."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, str], list[int]] = {}
        self.days: dict[tuple[str, str, str, int], int] = {}

    def add(self, contribution: Contribution, sign: int) -> None:
        counted = [(n, sign * value) for n, value in enumerate(contribution.terms) if value]
        for period, (grouping, key) in itertools.product(contribution.periods, contribution.cells):
            cell = (period, grouping, key)
            sums = self.cells.get(cell)
            if sums is None:
                sums = self.cells[cell] = [0] * len(STATIC_TERMS)
            for n, value in counted:
                sums[n] += value
            if contribution.days_to_close is not None:
                day = (*cell, contribution.days_to_close)
                self.days[day] = self.days.get(day, 0) + sign

    def write(self, cursor: Cursor) -> None:
        """Add the changes to the tables; a group left with no case, or a count of days with none, goes."""
        if self.cells:
            cursor.executemany(_ADD_TO_ROLLUP, [(*cell, *sums) for cell, sums in self.cells.items()])
            emptied = [cell for cell, sums in self.cells.items() if sums[0] < 0]
            if emptied:
                cursor.executemany(_DROP_EMPTY_CELL, emptied)
        if self.days:
            cursor.executemany(_ADD_TO_CLOSE_DAYS, [(*day, n) for day, n in self.days.items() if n])
            emptied_days = [day for day, n in self.days.items() if n < 0]
            if emptied_days:
                cursor.executemany(_DROP_EMPTY_DAYS, emptied_days)


# -- the projection ------------------------------------------------------------------------------------


class Statistics(Projection):
    """Facts per case, ruling and clearing, and the indicators aggregated from them."""

    name = "statistics"
    per_aggregate = True
    create_statements = (
        f"CREATE TABLE IF NOT EXISTS stat_cases ({', '.join(f'{name} {kind}' for name, kind in CASE_COLUMN_TYPES)})",
        "CREATE INDEX IF NOT EXISTS stat_cases_by_received_on ON stat_cases (received_on)",
        "CREATE INDEX IF NOT EXISTS stat_cases_pending ON stat_cases (pending, received_on)",
        "CREATE TABLE IF NOT EXISTS stat_case_states (id text PRIMARY KEY, state text NOT NULL)",
        ROLLUP_DDL,
        "CREATE TABLE IF NOT EXISTS stat_close_days (period text NOT NULL, grouping text NOT NULL,"
        " key text NOT NULL, days bigint NOT NULL, n bigint NOT NULL, PRIMARY KEY (period, grouping, key, days))",
        "CREATE TABLE IF NOT EXISTS stat_rulings ("
        " id text PRIMARY KEY, unit text NOT NULL, requested_on text NOT NULL, review bigint NOT NULL,"
        " status text NOT NULL, outcome text)",
        "CREATE TABLE IF NOT EXISTS stat_clearings ("
        " id text PRIMARY KEY, unit text NOT NULL, proposed_on text NOT NULL, status text NOT NULL)",
    )
    drop_statements = (
        "DROP TABLE IF EXISTS stat_cases",
        "DROP TABLE IF EXISTS stat_case_states",
        "DROP TABLE IF EXISTS stat_rollup",
        "DROP TABLE IF EXISTS stat_close_days",
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
        self._before: dict[str, Contribution] = {}
        self._replaying = False

    # -- applying -----------------------------------------------------------------------------------

    def begin_batch(self, cursor: Cursor, events: Sequence[tuple[int, Any]], *, new_rows: bool = False) -> None:
        self._facts, self._dirty, self._before = {}, set(), {}
        self._replaying = new_rows
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
        before, self._facts, self._dirty, self._before = self._before, {}, set(), {}
        rows, rollup = [], _RollUp()
        for facts in changed:
            facts.derive_clocks(self.rules, self.calendar)
            values = facts.values()
            rows.append(values)
            if self._replaying:
                continue  # the roll-up is built once at the end (end_replay)
            now_adds, used_to_add = Contribution.of(values), before.get(facts.row.id)
            if now_adds != used_to_add:
                rollup.add(now_adds, 1)
                if used_to_add is not None:
                    rollup.add(used_to_add, -1)
        if changed:
            cursor.executemany(_UPSERT, rows)
            cursor.executemany(_UPSERT_STATE, [(facts.row.id, facts.state()) for facts in changed])
            rollup.write(cursor)

    def end_replay(self, cursor: Cursor) -> None:
        """Build the roll-up from every case's row, a year of cases at a time (read a month at a time)."""
        cursor.execute("SELECT DISTINCT substr(received_on, 1, 7) FROM stat_cases")
        months = sorted(str(month) for (month,) in cursor.fetchall())
        for _, in_year in itertools.groupby(months, key=lambda month: month[:4]):
            rollup = _RollUp()
            for month in in_year:
                cursor.execute(
                    f"SELECT {', '.join(CASE_COLUMNS)} FROM stat_cases WHERE received_on >= %s AND received_on <= %s",
                    (f"{month}-01", f"{month}-31"),
                )
                for values in cursor.fetchall():
                    rollup.add(Contribution.of(values), 1)
            rollup.write(cursor)

    def _load(self, cursor: Cursor, case_ids: Sequence[str]) -> None:
        placeholders = ", ".join("%s" for _ in case_ids)
        cursor.execute(f"SELECT state FROM stat_case_states WHERE id IN ({placeholders})", case_ids)
        for (state,) in cursor.fetchall():
            facts = CaseFacts.from_state(state)
            self._facts[facts.row.id] = facts
            self._before[facts.row.id] = Contribution.of(facts.values())

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
            raise InvalidValue(
                "group_by", f"must be one of: {', '.join(GROUPINGS)}", zh=f"可选：{'、'.join(GROUPINGS)}"
            )
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
    """The case indicators of the cases received in ``period``, per group ("" when not grouped).

    The counts that do not depend on the day come from the period's cells of ``stat_rollup``; those that
    do are counted over the period's pending cases; the median days to close from the histogram.
    """
    merged = _FROM_CATEGORIES.get(group_by)
    grouping = "category" if merged is not None else str(group_by)
    columns = ", ".join(f"r.{column}" for column in _TERM_COLUMNS)
    cursor.execute(
        f"SELECT r.key, {columns} FROM stat_rollup r WHERE r.period = %s AND r.grouping = %s",
        [period.code, grouping],
    )
    found: dict[str, dict[str, int]] = {}
    for values in cursor.fetchall():
        key = str(values[0]) if merged is None else merged(str(values[0]))
        into = found.setdefault(key, dict.fromkeys(STATIC_CODES, 0))
        for code, value in zip(STATIC_CODES, values[1:], strict=True):
            into[code] += _whole(value)
    group = "''" if group_by is None else _GROUP_EXPRESSIONS[group_by]
    counted = ", ".join(f"{_when(sql)} AS d{n}" for n, (_, sql) in enumerate(DYNAMIC_TERMS))
    cursor.execute(
        f"SELECT {group} AS g, {counted} FROM stat_cases s"
        f" WHERE s.pending = 1 AND s.received_on >= %s AND s.received_on <= %s"
        + ("" if group_by is None else f" GROUP BY {group}"),
        [*(today for _ in DYNAMIC_TERMS), period.start.isoformat(), period.end.isoformat()],
    )
    for values in cursor.fetchall():
        pending = found.get(str(values[0]))
        if pending is not None:
            for n, (code, _) in enumerate(DYNAMIC_TERMS):
                pending[code] = pending.get(code, 0) + _whole(values[n + 1])
    cursor.execute(
        "SELECT d.key, d.days, d.n FROM stat_close_days d WHERE d.period = %s AND d.grouping = %s",
        [period.code, grouping],
    )
    histograms: dict[str, dict[int, int]] = {}
    for key, days, n in cursor.fetchall():
        counts = histograms.setdefault(str(key) if merged is None else merged(str(key)), {})
        counts[int(days)] = counts.get(int(days), 0) + int(n)
    return {key: _case_values(terms, sorted(histograms.get(key, {}).items())) for key, terms in found.items()}


def _case_values(found: dict[str, int], histogram: list[tuple[int, int]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for indicator in INDICATORS:
        code = indicator.code
        if code in RECORD_INDICATORS:
            continue
        if indicator.type == "rate":
            result[code] = rate(found.get(f"{code}.n", 0), found.get(f"{code}.d", 0))
        elif indicator.type == "days":
            count, total = found.get(f"{code}.count", 0), found.get(f"{code}.sum", 0)
            median = _median(histogram)
            result[code] = {
                "count": count,
                "mean": round(total / count, 2) if count else None,
                "median": None if median is None else round(median, 2),
            }
        elif indicator.type == "amount":
            result[code] = yuan(found.get(code, 0))
        else:
            result[code] = found.get(code, 0)
    return result


def _median(histogram: Sequence[tuple[int, int]]) -> float | None:
    """The median of the values a sorted histogram of ``(value, how many)`` counts."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return None
    wanted = ((total - 1) // 2, total // 2)
    found: list[int] = []
    seen = 0
    for value, n in histogram:
        found += [value for position in wanted if seen <= position < seen + n]
        seen += n
    return sum(found) / 2


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
    empty_cases = _case_values({}, [])
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
