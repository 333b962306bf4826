"""A year of a subdistrict office's cases, recorded through the ledger's use cases, for demonstrations.

:func:`load_demo` files complaints, disputes and enforcement cases, tolerated-error rulings and a
clearing, and takes each through the steps the office would record, each on a working day in office
hours (Asia/Shanghai) of the chosen year and never later than now. The same seed gives the same year.
A fixed set of cases walks every path of every lifecycle and stops at every stage, whatever the scale;
the bulk, scaled by ``scale``, follows typical paths, and a step that would fall after the year's end
is not taken, which leaves a year-end backlog in every queue. The wording is in
:mod:`demo.text`.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from application.core import CommandResult
from application.errors import CaseLedgerError
from application.ledger import CaseLedger
from demo.text import (
    ASSIST,
    BASIS,
    BUILDING,
    CITY,
    CLEARING,
    COMPLAINTS,
    DISPUTES,
    EVIDENCE,
    GIVEN,
    LEADERS,
    LOCAL,
    MEDIATORS,
    NEAR,
    OFFICERS,
    REFUSALS,
    REPLIES,
    ROADS,
    RULING,
    SAY,
    SERVICE,
    SESSION_NOTES,
    SURNAMES,
    VILLAGES,
    VIOLATIONS,
)
from domain.accounts import User, user_id_for
from domain.actor import Actor, Role
from domain.case import case_id_for
from domain.clearing import AccusationFinding, ClearingMethod
from domain.complaint import Complaint
from domain.complaint import ComplaintStatus as CS
from domain.dispute import Dispute
from domain.dispute import DisputeStatus as DS
from domain.enforcement import EnforcementCase
from domain.enforcement import EnforcementStatus as ES
from domain.kinds import CaseKind, Channel, ComplaintCategory, DisputeType, GridLevel, ViolationType
from domain.labels import Labelled
from domain.outcomes import (
    ClockPause,
    EvidenceKind,
    ExecutionResult,
    Finding,
    PartyRole,
    Performance,
    ReplyOpinion,
    ReviewResult,
    Satisfaction,
    SessionOutcome,
)
from domain.outcomes import DecisionType as DEC
from domain.outcomes import RefusalGround as RG
from domain.time import SHANGHAI, local_date, now
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect
from domain.tolerance import RulingStatus as RS
from domain.values import Location, Party

T = TypeVar("T")
CC, DT, VT = ComplaintCategory, DisputeType, ViolationType

CLERK = Actor("demo.clerk", Role.CLERK, "综治中心受理窗口")
SUPERVISOR = Actor("demo.supervisor", Role.SUPERVISOR, "依法行政工作监督小组")
# The legality reviewer and hearing recorder: never one of the squad's officers (OFFICERS).
LEGAL = Actor("demo.legal_reviewer", Role.LEGAL_REVIEWER, "法制审核室")
DISCIPLINE = Actor("demo.discipline", Role.DISCIPLINE, "街道纪工委")
ADMIN = Actor("demo.admin", Role.ADMIN, "系统管理")
USERS = (
    (CLERK, "叶受理"),
    (Actor("demo.handler", Role.HANDLER, CITY), "周执法"),
    (SUPERVISOR, "陈督办"),
    (LEGAL, "何法制"),
    (DISCIPLINE, "林纪检"),
    (Actor("demo.statistician", Role.STATISTICIAN, "党政办"), "吴统计"),
    (ADMIN, "系统管理员"),
)
"""One user per role, to try each: the clerk who registers the demo cases, a handler of the unit most
cases go to, and the supervisor, reviewer and committee who act in them."""

COMPLAINT_WEIGHTS = {c: row[0] for c, row in COMPLAINTS.items() if c is not CC.OTHER}
COMPLAINT_CHANNELS = {Channel.HOTLINE: 30, Channel.HOTLINE_12345: 25, Channel.MAILBOX: 12, Channel.WALK_IN: 15}
COMPLAINT_CHANNELS |= {Channel.ONLINE: 12, Channel.DEPUTY_REFERRAL: 6}
DISPUTE_WEIGHTS = {c: row[0] for c, row in DISPUTES.items()}
DISPUTE_CHANNELS = {Channel.APPLICATION: 45, Channel.SCREENING: 25, Channel.REFERRAL: 10, Channel.WALK_IN: 12}
DISPUTE_CHANNELS |= {Channel.HOTLINE: 8}
VIOLATION_WEIGHTS = {c: row[0] for c, row in VIOLATIONS.items()}
EXECUTION = {DEC.FINE: ExecutionResult.PAID, DEC.CONFISCATION: ExecutionResult.ENFORCED}
EXECUTION |= {DEC.ORDER_RECTIFY: ExecutionResult.RECTIFIED, DEC.ORDER_DEMOLISH: ExecutionResult.DEMOLISHED}
REFERRED = {VT.ILLEGAL_CONSTRUCTION: CC.ILLEGAL_CONSTRUCTION, VT.ROAD_OCCUPATION: CC.ROAD_OCCUPATION}
REFERRED |= {VT.STREET_VENDING: CC.BREAKFAST_STALLS, VT.CATERING_FUMES: CC.CATERING_ORDER}
BULK = {"complaint": 236, "dispute": 71, "enforcement": 65}
OPEN, CLOSE = time(8, 30), time(17, 30)


class DemoAlreadyLoaded(CaseLedgerError):
    """The store already holds the demo cases of this year."""


class StoreHoldsCases(CaseLedgerError):
    """The store already holds cases, and the demo year would stay among them for good."""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` recorded: cases filed per kind code, rulings, clearings, events, and their ids."""

    cases: dict[str, int]
    rulings: int
    clearings: int
    events: int
    case_ids: dict[str, list[UUID]] = field(default_factory=dict)
    ruling_ids: list[UUID] = field(default_factory=list)
    clearing_ids: list[UUID] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    """A new token of each demo user, by username: shown once, never stored in clear."""


def planned_counts(scale: float = 1.0) -> dict[str, int]:
    """How many cases of each kind code :func:`load_demo` files at ``scale`` for a past year."""
    fixed = {"complaint": SPECIAL_COMPLAINTS, "dispute": SPECIAL_DISPUTES, "enforcement": SPECIAL_ENFORCEMENT}
    return {kind: len(plans) + round(BULK[kind] * scale) for kind, plans in fixed.items()}


def demo_key(year: int, kind: str, index: int) -> str:
    """The filing or request key of the ``index``-th demo record of ``kind`` in ``year``."""
    return f"demo-{year}-{kind}-{index:04d}"


class _Halt(Exception):
    """The record reached the stage its plan leaves it at, or its next step would fall after the horizon."""


def _pick(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _handler(unit: str) -> Actor:
    return Actor(f"demo-handler-{hashlib.sha256(unit.encode()).hexdigest()[:8]}", Role.HANDLER, unit)


def _cadre_id(name: str) -> str:
    return f"demo-cadre-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


class _Run:
    """The year being recorded: its clock, its random source and what has been filed so far."""

    def __init__(self, ledger: CaseLedger, year: int, seed: int) -> None:
        self.ledger, self.year, self.rng = ledger, year, random.Random(seed)
        self.first = datetime(year, 1, 1, tzinfo=SHANGHAI)
        self.horizon = min(datetime(year + 1, 1, 1, tzinfo=SHANGHAI), now() - timedelta(minutes=1))
        if self.horizon <= self.first:
            raise ValueError(f"the demo year {year} has not begun")
        self.events = 0
        self.ids: dict[str, list[UUID]] = {
            kind: [] for kind in ("complaint", "dispute", "enforcement", "ruling", "clearing")
        }
        self.filed: list[tuple[datetime, str, UUID]] = []
        self.latest: dict[ComplaintCategory, _Track] = {}
        # Duplicate complaints by index, not yet filed: the open complaint they duplicate files and merges them.
        self.waiting: dict[int, _Complaint] = {}

    def start_day(self, fraction: float) -> date:
        """The calendar day ``fraction`` of the way through the year (up to the horizon)."""
        return (self.first + (self.horizon - self.first) * fraction).astimezone(SHANGHAI).date()

    def start_at(self, fraction: float) -> datetime:
        """A moment in office hours of the first working day from :meth:`start_day` on."""
        return self._office(self._next_working_day(self.start_day(fraction) - timedelta(days=1)))

    def later(self, after: datetime, lo: int, hi: int) -> datetime:
        """A moment ``lo``..``hi`` working days after ``after`` (0: later the same day), in office hours."""
        n = self.rng.randint(lo, hi)
        local = after.astimezone(SHANGHAI)
        if n == 0:
            moment = local + timedelta(minutes=self.rng.randint(10, 90))
            if moment.time() <= CLOSE:
                return self._within(moment)
            n = 1
        day = local.date()
        for _ in range(n):
            day = self._next_working_day(day)
        return self._office(day)

    def _next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while day.year == self.year and not self.ledger.calendar.is_working_day(day):
            day += timedelta(days=1)
        if day.year != self.year:
            raise _Halt
        return day

    def _office(self, day: date) -> datetime:
        return self._within(datetime.combine(day, OPEN, SHANGHAI) + timedelta(minutes=self.rng.randint(0, 480)))

    def _within(self, moment: datetime) -> datetime:
        if moment > self.horizon:
            raise _Halt
        return moment.astimezone(UTC)

    def party(self, role: PartyRole, *avoid: str) -> Party:
        while (name := self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)) in avoid:
            pass
        phone = f"1{self.rng.choice(('38', '39', '58', '59', '88'))}{self.rng.randint(0, 99999999):08d}"
        return Party(role, name, phone, party_id=f"{self.rng.getrandbits(128):032x}")

    def location(self, near: Labelled) -> Location:
        village = NEAR.get(near) or self.rng.choice(VILLAGES)
        address = f"{village}{self.rng.choice(ROADS)}{self.rng.randint(1, 188)}号"
        return Location(village, address, grid_cell=f"{village}第{self.rng.randint(1, 6)}网格")

    def case_before(self, at: datetime, kind: CaseKind) -> list[UUID]:
        earlier = [case_id for filed, code, case_id in self.filed if filed < at and code == kind.code]
        return [self.rng.choice(earlier)] if earlier else []


class _Track:
    """One record's progress: its id, version and last moment; halts on reaching the plan's ``stop``."""

    def __init__(self, run: _Run, stop: Labelled | None) -> None:
        self.run, self.stop = run, stop
        self.id, self.version, self.at = UUID(int=0), 0, run.first
        self.since = self.at

    def start(self, kind: str, command: Callable[..., CommandResult], *args: Any, **kw: Any) -> None:
        result = command(*args, **kw)
        self.id, self.version, self.at = result.id, result.version, kw["at"]
        self.since = self.at
        self.run.events += result.version
        self.run.ids[kind].append(result.id)
        self.run.filed.append((self.at, kind, self.id))

    def next(self, lo: int, hi: int) -> datetime:
        return self.run.later(self.at, lo, hi)

    def do(
        self,
        command: Callable[..., CommandResult],
        *args: Any,
        days: tuple[int, int] = (1, 3),
        status: Labelled | None = None,
        when: datetime | None = None,
        **kw: Any,
    ) -> None:
        at = when or self.next(*days)
        result = command(self.id, self.version, *args, at=at, **kw)
        self.run.events += result.version - self.version
        self.version, self.at = result.version, at
        self.reached(status)

    def reached(self, status: Labelled | None) -> None:
        if status is not None and status is self.stop:
            raise _Halt


# -- complaints ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Complaint:
    start: float
    category: ComplaintCategory | None = None
    outcome: str = "handled"
    anonymous: bool = False
    returned: bool = False
    reopenings: int = 0
    final: Satisfaction = Satisfaction.SATISFIED
    finding: Finding | None = None
    supervise: bool = False
    extend: bool = False
    pause: bool = False
    correct: bool = False
    stop: CS | None = None

    @property
    def may_be_anonymous(self) -> bool:
        """Nothing on the plan's path needs the resident: no answer or refusal to them, no visit it turns on."""
        visit = self.reopenings or self.final is Satisfaction.DISSATISFIED or self.stop in (CS.VISITED, CS.REOPENED)
        return self.outcome in ("handled", "merged", "transferred") and not visit


SPECIAL_COMPLAINTS = (
    _Complaint(0.05, CC.OTHER, outcome="not_accepted"),
    _Complaint(0.08, CC.OTHER, outcome="answered"),
    _Complaint(0.12, CC.ILLEGAL_CONSTRUCTION, outcome="transferred"),
    _Complaint(0.15, CC.ROAD_OCCUPATION, reopenings=3, final=Satisfaction.BASICALLY, supervise=True),
    _Complaint(0.20, CC.BREAKFAST_STALLS),
    _Complaint(0.21, CC.BREAKFAST_STALLS, outcome="merged"),
    _Complaint(0.25, CC.PROPERTY_MANAGEMENT, returned=True),
    _Complaint(0.30, CC.CATERING_ORDER, reopenings=1),
    _Complaint(0.35, CC.NOISE, final=Satisfaction.DISSATISFIED),
    _Complaint(0.40, CC.ILLEGAL_CONSTRUCTION, finding=Finding.SUBSTANTIATED),
    _Complaint(0.45, CC.SANITATION, extend=True, supervise=True),
    _Complaint(0.50, CC.PARKING, correct=True),
    _Complaint(0.55, CC.ADMINISTRATIVE_EFFICIENCY, pause=True, finding=Finding.PARTLY),
    _Complaint(0.60, CC.SANITATION, anonymous=True),
    _Complaint(0.985, stop=CS.REGISTERED),
    _Complaint(0.96, stop=CS.ACCEPTED),
    _Complaint(0.97, CC.OTHER, outcome="answered", stop=CS.ANSWERED),
    _Complaint(0.95, stop=CS.DISPATCHED),
    _Complaint(0.94, CC.PROPERTY_MANAGEMENT, returned=True, stop=CS.RETURNED),
    _Complaint(0.93, stop=CS.INVESTIGATED),
    _Complaint(0.91, finding=Finding.SUBSTANTIATED, stop=CS.DISPOSED),
    _Complaint(0.90, stop=CS.REPLIED),
    _Complaint(0.88, stop=CS.VISITED),
    _Complaint(0.82, reopenings=1, stop=CS.REOPENED),
)


def _bulk_complaint(rng: random.Random) -> _Complaint:
    outcome = _pick(rng, {"handled": 84, "not_accepted": 6, "answered": 5, "transferred": 3, "merged": 2})
    category = {"answered": CC.OTHER, "transferred": CC.ILLEGAL_CONSTRUCTION}.get(outcome)
    return _Complaint(
        rng.random(),
        category or _pick(rng, COMPLAINT_WEIGHTS),
        outcome=outcome,
        returned=rng.random() < 0.05,
        reopenings=int(rng.random() < 0.06),
        final=_pick(rng, {Satisfaction.SATISFIED: 70, Satisfaction.BASICALLY: 22, Satisfaction.DISSATISFIED: 8}),
        supervise=rng.random() < 0.08,
        extend=rng.random() < 0.04,
    )


def _complaint(run: _Run, plan: _Complaint, index: int) -> None:
    if plan.outcome == "merged" and run.waiting.pop(index, None) is None:
        return  # filed and merged while the complaint it duplicates was open (see _merge_duplicates)
    ledger = run.ledger
    category = plan.category or _pick(run.rng, COMPLAINT_WEIGHTS)
    where = run.location(category)
    t, anonymous = _file_complaint(run, plan, index, category, where)
    if plan.correct:
        fixed = Location(where.village, where.address.replace("号", "号旁"), where.grid_cell)
        t.do(ledger.correct_case, CLERK, 1, SAY["correct"], location=fixed, days=(0, 1))
    if plan.outcome == "not_accepted":
        t.do(ledger.refuse_complaint, SUPERVISOR, SAY["refuse"], SAY["route"], days=(1, 5))
    elif plan.outcome == "transferred":
        t.do(ledger.transfer_complaint, SUPERVISOR, SAY["transfer_to"], SAY["transfer"])
    elif plan.outcome == "answered":
        answer = REPLIES[category][0]
        t.do(ledger.answer_complaint, CLERK, ReplyOpinion.EXPLAIN, answer, days=(0, 0), status=CS.ANSWERED)
        if not anonymous:
            t.do(ledger.visit_complainant, CLERK, Satisfaction.SATISFIED, SAY["answered"], days=(1, 3))
        t.do(ledger.close_complaint, SUPERVISOR, True, days=(0, 2))
    else:  # handled, or a duplicate that came in when no complaint about the same problem was open
        run.latest[category] = t
        lead, village = COMPLAINTS[category][1], where.village
        unit = village + ("村民委员会" if village.endswith("村") else "居民委员会") if lead == LOCAL else lead
        _handle_complaint(t, plan, category, unit, where, anonymous)


def _file_complaint(
    run: _Run, plan: _Complaint, index: int, category: ComplaintCategory, where: Location
) -> tuple[_Track, bool]:
    """Register the complaint; say whether it is anonymous (only by mailbox, and only if the plan allows)."""
    adm = category is CC.ADMINISTRATIVE_EFFICIENCY
    if adm:
        channel = Channel.EFFICIENCY_HOTLINE
    else:
        channel = Channel.MAILBOX if plan.anonymous else _pick(run.rng, COMPLAINT_CHANNELS)
    chance = channel is Channel.MAILBOX and plan.may_be_anonymous and run.rng.random() < 0.4
    anonymous = plan.anonymous or chance
    role = PartyRole.WHISTLEBLOWER if adm else PartyRole.COMPLAINANT
    t = _Track(run, plan.stop)
    t.start(
        "complaint",
        run.ledger.file_complaint,
        demo_key(run.year, "complaint", index),
        CLERK,
        at=run.start_at(plan.start),
        category=category,
        channel=channel,
        location=where,
        description=COMPLAINTS[category][2].format(addr=where.address),
        anonymous=anonymous,
        parties=[] if anonymous else [run.party(role)],
    )
    t.reached(CS.REGISTERED)
    return t, anonymous


def _handle_complaint(
    t: _Track, plan: _Complaint, category: ComplaintCategory, lead: str, where: Location, anonymous: bool
) -> None:
    ledger = t.run.ledger
    t.do(ledger.accept_complaint, SUPERVISOR, days=(0, 2), status=CS.ACCEPTED)
    if plan.returned:
        wrong = CITY if lead != CITY else BUILDING
        t.do(ledger.dispatch_complaint, SUPERVISOR, wrong, [], days=(0, 1))
        reason = f"所反映问题不属{wrong}职责，申请退回"
        t.do(ledger.return_complaint, _handler(wrong), reason, days=(1, 4), status=CS.RETURNED)
    assist = ASSIST.get(category, [])
    t.do(ledger.dispatch_complaint, SUPERVISOR, lead, assist, SAY["dispatch"], days=(0, 1), status=CS.DISPATCHED)
    if plan.supervise:
        t.do(ledger.supervise, SUPERVISOR, SAY["supervise"], days=(0, 2))
        t.do(ledger.remind, SUPERVISOR, SAY["remind"], days=(3, 6))
    if plan.extend:
        t.do(ledger.extend_deadline, SUPERVISOR, 30, SAY["extend"], days=(2, 5))
    if plan.pause:
        t.do(ledger.pause_clock, _handler(lead), ClockPause.WAITING_ON_PARTY, SAY["away"], days=(1, 2))
        t.do(ledger.resume_clock, _handler(lead), days=(3, 6))
    for round_ in range(plan.reopenings + 1):
        final = round_ == plan.reopenings
        satisfaction = plan.final if final else Satisfaction.DISSATISFIED
        _complaint_round(t, plan.finding, category, lead, None if anonymous else satisfaction)
        if not final:
            t.do(ledger.reopen_complaint, SUPERVISOR, SAY["reopen"], days=(0, 2), status=CS.REOPENED)
            t.do(ledger.dispatch_complaint, SUPERVISOR, lead, assist, SAY["redo"], days=(0, 1))
    last = _merge_duplicates(t, category, where)
    resolved = anonymous or satisfaction is not Satisfaction.DISSATISFIED
    reason = "" if resolved else SAY["unresolved"]
    t.do(ledger.close_complaint, SUPERVISOR, resolved, reason, when=t.run.later(last, 0, 2), status=CS.CLOSED)


def _complaint_round(
    t: _Track, finding: Finding | None, category: ComplaintCategory, lead: str, satisfaction: Satisfaction | None
) -> None:
    """Investigate, dispose and reply; then visit the resident, unless anonymous (``satisfaction`` None)."""
    ledger, worker = t.run.ledger, _handler(lead)
    found = finding or _pick(t.run.rng, {Finding.SUBSTANTIATED: 60, Finding.PARTLY: 25, Finding.UNSUBSTANTIATED: 15})
    opinion = {Finding.SUBSTANTIATED: ReplyOpinion.SUPPORT, Finding.PARTLY: ReplyOpinion.EXPLAIN}
    reply = opinion.get(found, ReplyOpinion.NOT_SUPPORTED)
    action, basis = REPLIES[category]
    summary = f"{lead}赴现场核查，反映情况{found.zh}"
    t.do(ledger.investigate_complaint, worker, found, summary, days=(2, 8), status=CS.INVESTIGATED)
    if found is not Finding.UNSUBSTANTIATED:
        t.do(ledger.dispose_complaint, worker, action, days=(1, 5), status=CS.DISPOSED)
    facts, reasons = f"经核查，所反映{category.zh}问题{found.zh}。", f"{reply.zh}：{action}。"
    t.do(ledger.reply_to_complaint, worker, reply, facts, reasons, basis, status=CS.REPLIED)
    if satisfaction is not None:
        note = f"电话回访，投诉人表示{satisfaction.zh}"
        t.do(ledger.visit_complainant, CLERK, satisfaction, note, days=(2, 5), status=CS.VISITED)


def _merge_duplicates(t: _Track, category: ComplaintCategory, where: Location) -> datetime:
    """File the waiting duplicates that came in while ``t`` was open and merge them into it (并案).

    A duplicate is another resident's complaint of the same category, filed after ``t`` and no later than
    its last step, about the same place. Returns the last merge (or ``t``'s last step), after which ``t``
    closes, so every merge is into a complaint still open at that moment.
    """
    run, last = t.run, t.at
    since, until = local_date(t.since), local_date(t.at)
    for index, plan in list(run.waiting.items()):
        if plan.category is not category or not since < run.start_day(plan.start) <= until:
            continue
        del run.waiting[index]
        duplicate, _ = _file_complaint(run, plan, index, category, where)
        duplicate.do(run.ledger.merge_complaint, SUPERVISOR, t.id, SAY["merge"], days=(0, 1))
        last = max(last, duplicate.at)
    return last


# -- disputes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dispute:
    start: float
    category: DisputeType | None = None
    refusal: RG | None = None
    recusal: bool = False
    sessions: int = 1
    agreed: bool = True
    confirmation: bool = False
    performance: Performance = Performance.FULFILLED
    risk: bool = False
    extend: bool = False
    stop: DS | None = None


SPECIAL_DISPUTES = (
    _Dispute(0.06, DT.NEIGHBOUR, refusal=RG.PARTY_REFUSES),
    _Dispute(0.11, DT.LABOUR, refusal=RG.ARBITRATION),
    _Dispute(0.16, DT.LAND_CONTRACT, refusal=RG.OTHER_AGENCY),
    _Dispute(0.19, DT.NEIGHBOUR, refusal=RG.COURT),
    _Dispute(0.24, DT.AQUACULTURE_POND, recusal=True, sessions=2, confirmation=True),
    _Dispute(0.29, DT.NEW_VILLAGE_CONSTRUCTION, sessions=3, performance=Performance.NOT_FULFILLED),
    _Dispute(0.33, DT.ENVIRONMENT, sessions=3, agreed=False),
    _Dispute(0.38, DT.NEIGHBOUR, sessions=2, risk=True),
    _Dispute(0.43, DT.FAMILY, sessions=2, extend=True, performance=Performance.PARTLY),
    _Dispute(0.985, stop=DS.APPLIED),
    _Dispute(0.97, stop=DS.ACCEPTED),
    _Dispute(0.96, stop=DS.MEDIATOR_ASSIGNED),
    _Dispute(0.95, stop=DS.INVESTIGATED),
    _Dispute(0.92, sessions=2, stop=DS.MEDIATING),
    _Dispute(0.90, stop=DS.AGREED),
    _Dispute(0.90, agreed=False, stop=DS.ENDED),
    _Dispute(0.86, confirmation=True, stop=DS.CONFIRMATION_APPLIED),
    _Dispute(0.82, stop=DS.PERFORMANCE_CHECKED),
    _Dispute(0.80, stop=DS.VISITED),
)


def _bulk_dispute(rng: random.Random) -> _Dispute:
    category = _pick(rng, DISPUTE_WEIGHTS)
    refusal = None
    if rng.random() < 0.08:
        refusal = RG.ARBITRATION if category is DT.LABOUR else rng.choice([RG.PARTY_REFUSES, RG.COURT, RG.OTHER_AGENCY])
    agreed = rng.random() < 0.78
    return _Dispute(
        rng.random(),
        category,
        refusal,
        recusal=rng.random() < 0.03,
        sessions=rng.randint(1, 3),
        agreed=agreed,
        confirmation=agreed and rng.random() < 0.1,
        performance=_pick(rng, {Performance.FULFILLED: 85, Performance.PARTLY: 8, Performance.NOT_FULFILLED: 7}),
        risk=rng.random() < 0.05,
        extend=rng.random() < 0.04,
    )


def _dispute(run: _Run, plan: _Dispute, index: int) -> None:
    ledger, rng = run.ledger, run.rng
    category = plan.category or _pick(rng, DISPUTE_WEIGHTS)
    a = run.party(PartyRole.APPLICANT)
    b = run.party(PartyRole.RESPONDENT, a.name)
    where = run.location(category)
    t = _Track(run, plan.stop)
    t.start(
        "dispute",
        ledger.file_dispute,
        demo_key(run.year, "dispute", index),
        CLERK,
        at=run.start_at(plan.start),
        category=category,
        channel=_pick(rng, DISPUTE_CHANNELS),
        location=where,
        description=DISPUTES[category][1].format(a=a.name, b=b.name),
        parties=[a, b],
    )
    t.reached(DS.APPLIED)
    if plan.refusal is not None:
        body, reason = REFUSALS[plan.refusal]
        t.do(ledger.refuse_dispute, SUPERVISOR, plan.refusal, body, reason, status=DS.REFUSED)
        return
    t.do(ledger.accept_dispute, SUPERVISOR, days=(0, 2), status=DS.ACCEPTED)
    first, second = rng.sample(MEDIATORS, 2)
    unit = rng.choice((f"{where.village}人民调解委员会", "街道人民调解委员会"))
    t.do(ledger.assign_mediator, SUPERVISOR, first, unit, days=(0, 2), status=DS.MEDIATOR_ASSIGNED)
    if plan.recusal:
        t.do(ledger.recuse_mediator, SUPERVISOR, SAY["recuse"], days=(0, 1))
        t.do(ledger.assign_mediator, SUPERVISOR, second, unit, days=(0, 1))
    mediation = _handler(unit)
    t.do(ledger.investigate_dispute, mediation, SAY["survey"], days=(1, 4), status=DS.INVESTIGATED)
    if plan.risk:
        t.do(ledger.flag_dispute_risk, mediation, SAY["risk"], SAY["risk_to"], days=(0, 1))
    if plan.extend:
        t.do(ledger.pause_clock, mediation, ClockPause.WAITING_ON_PARTY, SAY["waiting"], days=(0, 2))
        t.do(ledger.resume_clock, mediation, days=(3, 6))
        t.do(ledger.extend_deadline, SUPERVISOR, 15, SAY["consent"], parties_consent=True, days=(0, 1))
    _mediate(t, plan, mediation, [a.name, b.name, second if plan.recusal else first], category)


def _mediate(t: _Track, plan: _Dispute, mediation: Actor, people: list[str], category: DisputeType) -> None:
    ledger, rng = t.run.ledger, t.run.rng
    for n in range(plan.sessions):
        outcome = rng.choice((SessionOutcome.PROGRESS, SessionOutcome.ADJOURNED))
        if n == plan.sessions - 1:
            outcome = SessionOutcome.AGREEMENT_REACHED if plan.agreed else SessionOutcome.FAILED
        at = t.next(2, 6)
        session = ledger.hold_mediation_session
        t.do(session, mediation, local_date(at), people, SESSION_NOTES[outcome], outcome, when=at, status=DS.MEDIATING)
    if not plan.agreed:
        t.do(ledger.end_mediation, mediation, SAY["ended"], SAY["sue"], days=(0, 1), status=DS.ENDED)
        t.do(ledger.visit_dispute_parties, CLERK, Satisfaction.BASICALLY, SAY["to_court"], days=(2, 5))
        t.do(ledger.close_dispute, SUPERVISOR, False, SAY["ended"], days=(0, 2))
        return
    at = t.next(0, 0)
    terms = f"{people[1]}向{people[0]}支付补偿款{rng.choice((2000, 5000, 8000))}元，双方不再就此事发生争执"
    facts, by = f"双方因{category.zh}事宜发生争议", local_date(at) + timedelta(days=15)
    agreement = (people[:2], facts, SAY["duty"], terms, SAY["payment"], by)
    t.do(ledger.record_agreement, mediation, *agreement, when=at, status=DS.AGREED)
    if plan.confirmation:
        t.do(ledger.apply_for_confirmation, mediation, SAY["court"], True, days=(1, 6), status=DS.CONFIRMATION_APPLIED)
        reference = f"（{t.run.year}）民特字第{rng.randint(10, 300)}号"
        t.do(ledger.record_confirmation, mediation, True, reference, days=(5, 10))
    note = f"回访核查，协议{plan.performance.zh}"
    t.do(ledger.check_performance, mediation, plan.performance, note, days=(12, 18), status=DS.PERFORMANCE_CHECKED)
    fulfilled = plan.performance is Performance.FULFILLED
    satisfaction = Satisfaction.SATISFIED if fulfilled else Satisfaction.DISSATISFIED
    t.do(ledger.visit_dispute_parties, CLERK, satisfaction, days=(1, 4), status=DS.VISITED)
    reason = "" if fulfilled else SAY["unfulfilled"]
    t.do(ledger.close_dispute, SUPERVISOR, fulfilled, reason, days=(0, 2), status=DS.CLOSED)


# -- enforcement cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Enforcement:
    start: float
    category: ViolationType | None = None
    decision: DEC | None = DEC.ORDER_RECTIFY
    fine: int | None = None
    major: bool = False
    complex: bool = False
    hearing: bool = False
    returned: bool = False
    extend: bool = False
    testing: bool = False
    channel: Channel = Channel.PATROL
    stop: ES | None = None


SPECIAL_ENFORCEMENT = (
    _Enforcement(0.10, VT.STREET_VENDING, decision=None),
    _Enforcement(0.14, VT.ROAD_OCCUPATION, DEC.WARNING),
    _Enforcement(0.18, VT.CATERING_FUMES, DEC.FINE, 8000, complex=True),
    _Enforcement(0.22, VT.CATERING_FUMES, DEC.FINE, 20000, major=True, hearing=True, returned=True, extend=True),
    _Enforcement(0.27, VT.FOOD_SAFETY, DEC.CONFISCATION, testing=True, channel=Channel.INSPECTION),
    _Enforcement(0.31, VT.SANITATION, DEC.ORDER_RECTIFY),
    _Enforcement(0.36, VT.SANITATION, DEC.CRITICISM),
    _Enforcement(0.42, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_DEMOLISH, major=True, hearing=True),
    _Enforcement(0.43, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_RECTIFY, channel=Channel.COMPLAINT_REFERRAL),
    _Enforcement(0.47, VT.STREET_VENDING, DEC.NO_PENALTY),
    _Enforcement(0.52, VT.DISORDERLY_PARKING, DEC.NOT_ESTABLISHED),
    _Enforcement(0.57, VT.WORK_SAFETY, DEC.TRANSFER_JUDICIAL, major=True, channel=Channel.TRANSFER),
    _Enforcement(0.985, stop=ES.CLUE),
    _Enforcement(0.97, VT.ROAD_OCCUPATION, DEC.WARNING, stop=ES.FILED),
    _Enforcement(0.95, stop=ES.INVESTIGATING),
    _Enforcement(0.93, stop=ES.CONCLUDED),
    _Enforcement(0.90, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_DEMOLISH, major=True, stop=ES.UNDER_REVIEW),
    _Enforcement(0.86, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_DEMOLISH, major=True, stop=ES.REVIEWED),
    _Enforcement(0.90, VT.SANITATION, DEC.FINE, 500, stop=ES.NOTIFIED),
    _Enforcement(0.86, VT.CATERING_FUMES, DEC.FINE, 8000, hearing=True, stop=ES.HEARING_REQUESTED),
    _Enforcement(0.82, VT.CATERING_FUMES, DEC.FINE, 8000, hearing=True, stop=ES.HEARD),
    _Enforcement(0.84, VT.ROAD_OCCUPATION, DEC.WARNING, complex=True, stop=ES.DISCUSSED),
    _Enforcement(0.90, VT.ROAD_OCCUPATION, DEC.WARNING, stop=ES.DECIDED),
    _Enforcement(0.87, VT.DISORDERLY_PARKING, DEC.WARNING, stop=ES.SERVED),
    _Enforcement(0.82, VT.SANITATION, DEC.FINE, 1000, stop=ES.PUBLISHED),
    _Enforcement(0.80, VT.ROAD_OCCUPATION, DEC.FINE, 200, stop=ES.EXECUTED),
)


def _bulk_enforcement(rng: random.Random) -> _Enforcement:
    category = _pick(rng, VIOLATION_WEIGHTS)
    choices = {
        VT.ILLEGAL_CONSTRUCTION: {DEC.ORDER_DEMOLISH: 60, DEC.ORDER_RECTIFY: 40},
        VT.DISORDERLY_PARKING: {DEC.WARNING: 60, DEC.NO_PENALTY: 25, DEC.NOT_ESTABLISHED: 15},
        VT.CATERING_FUMES: {DEC.FINE: 50, DEC.ORDER_RECTIFY: 40, DEC.NOT_ESTABLISHED: 10},
        VT.SANITATION: {DEC.WARNING: 20, DEC.CRITICISM: 15, DEC.ORDER_RECTIFY: 30, DEC.FINE: 25, DEC.NO_PENALTY: 10},
        VT.FOOD_SAFETY: {DEC.CONFISCATION: 50, DEC.FINE: 40, DEC.TRANSFER_JUDICIAL: 10},
        VT.WORK_SAFETY: {DEC.ORDER_RECTIFY: 50, DEC.FINE: 40, DEC.TRANSFER_JUDICIAL: 10},
    }.get(category, {DEC.WARNING: 30, DEC.ORDER_RECTIFY: 30, DEC.FINE: 25, DEC.NO_PENALTY: 15})
    decision = None if rng.random() < 0.1 else _pick(rng, choices)
    fine = rng.choice(VIOLATIONS[category][2]) if decision is DEC.FINE else None
    major = decision in (DEC.ORDER_DEMOLISH, DEC.TRANSFER_JUDICIAL) or (fine or 0) >= 10000
    channels = {Channel.PATROL: 60, Channel.COMPLAINT_REFERRAL: 15, Channel.INSPECTION: 15, Channel.TRANSFER: 10}
    return _Enforcement(
        rng.random(),
        category,
        decision,
        fine,
        major=major,
        complex=major or rng.random() < 0.1,
        hearing=major and decision is not DEC.TRANSFER_JUDICIAL and rng.random() < 0.5,
        channel=_pick(rng, channels),
    )


@dataclass(frozen=True)
class _Team:
    """A case's investigating officers (user ids from OFFICERS); the first leads and records the case."""

    officers: tuple[str, ...]

    @property
    def lead(self) -> Actor:
        return Actor(self.officers[0], Role.HANDLER, CITY)

    def others(self) -> list[str]:
        """The squad's officers not on this case, who may chair its hearing (行政处罚法 Art. 64)."""
        return [officer for officer in OFFICERS if officer not in self.officers]


def _enforcement(run: _Run, plan: _Enforcement, index: int) -> None:
    ledger, rng = run.ledger, run.rng
    category = plan.category or _pick(rng, VIOLATION_WEIGHTS)
    where = run.location(category)
    party = run.party(PartyRole.PARTY)
    t = _Track(run, plan.stop)
    t.start(
        "enforcement",
        ledger.record_clue,
        demo_key(run.year, "enforcement", index),
        CLERK,
        at=run.start_at(plan.start),
        category=category,
        channel=plan.channel,
        location=where,
        description=VIOLATIONS[category][1].format(addr=where.address, n=rng.randint(20, 160)),
        parties=[party],
        grid_level=rng.choice(list(GridLevel)) if plan.channel is Channel.PATROL else None,
    )
    related = run.latest.get(REFERRED.get(category, CC.OTHER))
    if plan.channel is Channel.COMPLAINT_REFERRAL and related is not None:
        t.do(ledger.link_cases, CLERK, related.id, SAY["from_complaint"], days=(0, 0))
    t.reached(ES.CLUE)
    if plan.decision is None:
        t.do(ledger.decline_enforcement_case, SUPERVISOR, SAY["decline"], status=ES.NOT_FILED)
        return
    t.do(ledger.file_enforcement_case, SUPERVISOR, SAY["file"], CITY, status=ES.FILED)
    team = _Team(tuple(rng.sample(list(OFFICERS), 2)))
    t.do(ledger.start_investigation, team.lead, list(team.officers), days=(0, 2), status=ES.INVESTIGATING)
    if plan.extend:
        t.do(ledger.extend_deadline, SUPERVISOR, 30, SAY["survey_more"], days=(0, 2))
    _investigate(t, plan, plan.decision, team, rng.randint(1, 3))
    if plan.major or (plan.complex and not plan.decision.is_penalty):
        _review(t, plan, plan.decision, team)
    _decide(t, plan, plan.decision, team, party, category)


def _evidence(t: _Track, team: _Team, kind: EvidenceKind, description: str) -> None:
    digest = hashlib.sha256(f"{t.id}|{t.version}|{description}".encode()).hexdigest()
    collector = t.run.rng.choice(team.officers)
    t.do(t.run.ledger.add_evidence, team.lead, kind, description, digest, collector, days=(0, 2))


def _investigate(t: _Track, plan: _Enforcement, decision: DEC, team: _Team, items: int) -> None:
    ledger = t.run.ledger
    kinds = (EvidenceKind.PHOTO, EvidenceKind.ONSITE_RECORD, EvidenceKind.TESTIMONY, EvidenceKind.VIDEO)
    for kind, description in t.run.rng.sample(list(zip(kinds, EVIDENCE, strict=True)), items):
        _evidence(t, team, kind, description)
    if plan.testing:
        t.do(ledger.pause_clock, team.lead, ClockPause.EXPERT_TESTING, SAY["testing"], days=(0, 1))
        t.do(ledger.resume_clock, team.lead, days=(5, 10))
        _evidence(t, team, EvidenceKind.EXPERT_OPINION, SAY["test_report"])
    _conclude(t, plan, decision, team)


def _conclude(t: _Track, plan: _Enforcement, decision: DEC, team: _Team) -> None:
    summary = f"违法事实清楚，证据确凿，拟作出{decision.zh}的处理"
    conclude = t.run.ledger.conclude_investigation
    t.do(conclude, team.lead, decision, plan.major, plan.complex, summary, days=(2, 6), status=ES.CONCLUDED)


def _review(t: _Track, plan: _Enforcement, decision: DEC, team: _Team) -> None:
    ledger = t.run.ledger
    t.do(ledger.submit_for_review, team.lead, days=(0, 2), status=ES.UNDER_REVIEW)
    if plan.returned:
        t.do(ledger.review_legality, LEGAL, ReviewResult.RETURNED, SAY["returned"])
        _evidence(t, team, EvidenceKind.DOCUMENT, SAY["more_evidence"])
        _conclude(t, plan, decision, team)
        t.do(ledger.submit_for_review, team.lead, days=(0, 1))
    t.do(ledger.review_legality, LEGAL, ReviewResult.APPROVED, SAY["approved"], status=ES.REVIEWED)


def _decide(t: _Track, plan: _Enforcement, decision: DEC, team: _Team, party: Party, category: ViolationType) -> None:
    """Notify a penalty (not an order to rectify), hear, discuss, decide, serve, publish, execute and close."""
    ledger, rng, lead = t.run.ledger, t.run.rng, team.lead
    fine = Decimal(plan.fine or rng.choice(VIOLATIONS[category][2])) if decision is DEC.FINE else None
    if decision.is_penalty:
        t.do(ledger.give_prior_notice, lead, decision, fine, SAY["rights"], hearing_offered=True, status=ES.NOTIFIED)
    if decision.is_penalty and plan.hearing:
        t.do(ledger.request_hearing, lead, days=(1, 4), status=ES.HEARING_REQUESTED)
        t.do(ledger.pause_clock, lead, ClockPause.HEARING, SAY["hearing"], days=(0, 0))
        chair, people = rng.choice(team.others()), [party.name, *(OFFICERS[o] for o in team.officers)]
        t.do(ledger.hold_hearing, LEGAL, chair, people, SAY["heard"], days=(3, 7), status=ES.HEARD)
        t.do(ledger.resume_clock, lead, days=(0, 0))
    if plan.major or plan.complex:
        conclusion = f"同意作出{decision.zh}的决定"
        t.do(ledger.hold_collective_discussion, SUPERVISOR, LEADERS, conclusion, status=ES.DISCUSSED)
    reasons = f"当事人{category.zh}一案，{decision.zh}"
    basis = BASIS.get(decision, BASIS[category])
    t.do(ledger.decide_case, SUPERVISOR, decision, fine, reasons, basis, days=(1, 4), status=ES.DECIDED)
    t.do(ledger.serve_decision, lead, rng.choice(SERVICE), days=(0, 4), status=ES.SERVED)
    if decision is not DEC.NOT_ESTABLISHED:
        t.do(ledger.publish_decision, lead, SAY["published"], status=ES.PUBLISHED)
    if decision.needs_execution:
        t.do(ledger.execute_decision, lead, EXECUTION[decision], days=(5, 15), status=ES.EXECUTED)
    t.do(ledger.close_enforcement_case, SUPERVISOR, SAY["closed"], status=ES.CLOSED)


# -- rulings and the clearing ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Ruling:
    start: float
    cadre: str
    unit: str
    kind: CaseKind
    error: str
    outcome: RulingOutcome | None = RulingOutcome.EXEMPTED
    appeal: bool = False
    stop: RS | None = None


EXEMPT, MITIGATE, REFUSE = RulingOutcome.EXEMPTED, RulingOutcome.MITIGATED, RulingOutcome.NOT_TOLERATED
ENF, COMP, DISP = CaseKind.ENFORCEMENT, CaseKind.COMPLAINT, CaseKind.DISPUTE
SPECIAL_RULINGS = (
    _Ruling(0.30, "叶志强", CITY, ENF, "早餐摊点整治中先行暂扣设施后补办手续，程序存在瑕疵"),
    _Ruling(0.40, "章丽君", BUILDING, ENF, "违法建设处罚决定书送达超过法定期限两日", MITIGATE),
    _Ruling(0.45, "王海滨", "社会事务办公室", COMP, "经多次提醒仍未回访即报请办结投诉", REFUSE, stop=RS.NOTIFIED),
    _Ruling(0.25, "林晓燕", "综治中心", DISP, "养殖塘纠纷调解协议履行期限约定不明", MITIGATE, appeal=True),
    _Ruling(0.55, "吴国平", "党政综合办公室", COMP, "接受当事人宴请后违规办理事项", None),
    _Ruling(0.90, "何文杰", CITY, ENF, "占道经营整治中未出示执法证件", stop=RS.DELIBERATED),
    _Ruling(0.93, "金秀芬", "综治中心", COMP, "投诉登记时遗漏联系电话，延误受理告知", stop=RS.VERIFIED),
    _Ruling(0.96, "周建新", BUILDING, ENF, "违建测量数据录入错误", stop=RS.ACCEPTED),
    _Ruling(0.985, "罗晓东", CITY, ENF, "暂扣物品清单记录不全", stop=RS.REQUESTED),
)


def _ruling(run: _Run, plan: _Ruling, index: int) -> None:
    ledger, at = run.ledger, run.start_at(plan.start)
    t = _Track(run, plan.stop)
    t.start(
        "ruling",
        ledger.request_ruling,
        demo_key(run.year, "ruling", index),
        DISCIPLINE,
        at=at,
        cadre_id=_cadre_id(plan.cadre),
        cadre_name=plan.cadre,
        unit=plan.unit,
        case_ids=run.case_before(at, plan.kind),
        error=plan.error,
        consequences=RULING["consequences"],
        circumstances=RULING["circumstances"],
        motive=RULING["motive"],
        proposed_by_unit=index % 2 == 0,
    )
    t.reached(RS.REQUESTED)
    if plan.outcome is None:
        t.do(ledger.decline_ruling, DISCIPLINE, RULING["declined"], status=RS.DECLINED)
        return
    _rule(t, plan.cadre, plan.outcome)
    if plan.appeal:
        t.do(ledger.appeal_ruling, DISCIPLINE, RULING["appeal"], status=RS.APPEALED)
        review = _Track(run, RS.RULED)
        key = demo_key(run.year, "ruling", index) + "-review"
        review.start("ruling", ledger.review_appeal, t.id, key, DISCIPLINE, at=t.next(5, 10))
        _rule(review, plan.cadre, EXEMPT)


def _rule(t: _Track, cadre: str, outcome: RulingOutcome) -> None:
    ledger, days = t.run.ledger, (3, 8)
    met = [c for c in ToleranceCondition if outcome is EXEMPT or c is not ToleranceCondition.DUE_PROCEDURE]
    effects = {EXEMPT: list(ToleranceEffect), REFUSE: [], MITIGATE: [ToleranceEffect.INTEGRITY_ASSESSMENT]}[outcome]
    hit = outcome is REFUSE
    t.do(ledger.accept_ruling, DISCIPLINE, days=days, status=RS.ACCEPTED)
    t.do(ledger.verify_ruling, DISCIPLINE, [] if hit else met, hit, RULING["verified"], days=days, status=RS.VERIFIED)
    summary = f"集体研究认为应予{outcome.zh}"
    t.do(ledger.deliberate_ruling, DISCIPLINE, LEADERS, summary, days=days, status=RS.DELIBERATED)
    t.do(ledger.issue_ruling, DISCIPLINE, outcome, effects, RULING["basis"], days=days, status=RS.RULED)
    told = RULING["notified"].format(cadre=cadre)
    t.do(ledger.notify_ruling, DISCIPLINE, told, days=days, status=RS.NOTIFIED)
    t.do(ledger.file_ruling_upward, DISCIPLINE, RULING["filed_with"], days=days, status=RS.FILED_UPWARD)


def _clearing(run: _Run, _: None, index: int) -> None:
    ledger, t = run.ledger, _Track(run, None)
    t.start(
        "clearing",
        ledger.propose_clearing,
        demo_key(run.year, "clearing", index),
        DISCIPLINE,
        at=run.start_at(0.5),
        cadre_id=_cadre_id(CLEARING["cadre"]),
        cadre_name=CLEARING["cadre"],
        unit=CITY,
        accusation=CLEARING["accusation"],
        investigation=CLEARING["investigation"],
        finding=AccusationFinding.FALSE,
    )
    t.do(ledger.approve_clearing, DISCIPLINE, days=(3, 6))
    t.do(ledger.clear_cadre, DISCIPLINE, ClearingMethod.MEETING_NOTICE, CLEARING["scope"])
    t.do(ledger.record_clearing, DISCIPLINE, CLEARING["record"].format(year=run.year))


# -- loading ---------------------------------------------------------------------------------------

_Flow = Callable[[_Run, Any, int], None]


def load_demo(
    ledger: CaseLedger,
    *,
    year: int = 2025,
    seed: int = 2025,
    scale: float = 1.0,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> DemoSummary:
    """Record a year of the office's work through the ledger's use cases and say what was recorded.

    The fixed cases that walk every path are recorded at any ``scale``; the bulk is ``scale`` times the
    usual year (:func:`planned_counts`). ``progress``, if given, is called after each case with the number
    of events recorded so far. A load is not repeated: if the store already holds the year's first demo
    complaint, :class:`DemoAlreadyLoaded` is raised before anything is written (so an interrupted load
    needs a fresh store). A store that holds any case is refused too (:class:`StoreHoldsCases`), unless
    ``force``: the log is never rewritten, so a demo year loaded among real cases stays there for good.
    A ``year`` still running is recorded up to now only. Then one user per role (:data:`USERS`) is
    added, if not there yet, and given a new token.
    """
    if scale < 0:
        raise ValueError("scale must not be negative")
    if ledger.exists(case_id_for(CaseKind.COMPLAINT, demo_key(year, "complaint", 1))):
        raise DemoAlreadyLoaded(f"the demo year {year} is already loaded in this store")
    if not force and ledger.created_ids(Complaint, Dispute, EnforcementCase, limit=1):
        raise StoreHoldsCases(
            "the store already holds cases, and a demo year loaded among them would stay in the log for good "
            "(it is never rewritten): load the demo into an empty store, or pass --force to add it anyway"
        )
    run = _Run(ledger, year, seed)
    kinds: list[tuple[str, _Flow, tuple[Any, ...], Callable[[random.Random], Any]]] = [
        ("complaint", _complaint, SPECIAL_COMPLAINTS, _bulk_complaint),
        ("dispute", _dispute, SPECIAL_DISPUTES, _bulk_dispute),
        ("enforcement", _enforcement, SPECIAL_ENFORCEMENT, _bulk_enforcement),
    ]
    plans: list[tuple[float, str, _Flow, Any]] = []
    for kind, flow, fixed, make in kinds:
        bulk = [make(run.rng) for _ in range(round(BULK[kind] * scale))]
        plans += [(plan.start, kind, flow, plan) for plan in (*fixed, *bulk)]
    plans.sort(key=lambda item: (item[0], item[1]))
    plans += [(0, "ruling", _ruling, plan) for plan in SPECIAL_RULINGS] + [(0, "clearing", _clearing, None)]
    counters: dict[str, int] = {}
    numbered: list[tuple[_Flow, Any, int]] = []
    for _, kind, flow, plan in plans:
        counters[kind] = counters.get(kind, 0) + 1
        numbered.append((flow, plan, counters[kind]))
        if kind == "complaint" and plan.outcome == "merged":
            run.waiting[counters[kind]] = plan
    for flow, plan, index in numbered:
        with contextlib.suppress(_Halt):
            flow(run, plan, index)
        if progress is not None:
            progress(run.events)
    ids = run.ids
    return DemoSummary(
        tokens=_demo_tokens(ledger),
        cases={kind: len(ids[kind]) for kind in BULK},
        rulings=len(ids["ruling"]),
        clearings=len(ids["clearing"]),
        events=run.events,
        case_ids={kind: ids[kind] for kind in BULK},
        ruling_ids=ids["ruling"],
        clearing_ids=ids["clearing"],
    )


def _demo_tokens(ledger: CaseLedger) -> dict[str, str]:
    """Add each demo user not there yet and issue them a new token; a deactivated one gets none."""
    tokens = {}
    for actor, name in USERS:
        if not ledger.exists(user_id_for(actor.user_id)):
            ledger.add_user(ADMIN, actor.user_id, name, actor.role, actor.unit)
        elif not ledger.load(User, user_id_for(actor.user_id), "user").active:
            continue
        tokens[actor.user_id] = ledger.issue_token(ADMIN, actor.user_id, "demo")[1]
    return tokens
