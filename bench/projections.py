"""Projections on PostgreSQL: rebuild rate against the raw log-read rate, query latency, lag under load.

Run ``python -m bench.projections [--quick] [--together] [--profile]``. In one run, on one scratch database:

1. a realistic log, written fast: complaints, disputes and enforcement cases (with a few tolerated-error
   rulings and clearings) built as domain aggregates and taken through their lifecycles by a
   discrete-event simulation over the working days of 2024–2026 (full) or of the last 60 days (quick),
   never later than now, in two processes, each saving with ``ledger.save(*aggregates)`` about 400
   events per transaction through the ledger's own (chained) recorder. A case's events are spread over
   the log among those of the other cases, as in life; a few cases stall part-way (the backlog the
   queues show). Full: 1,000,000 events; quick: 50,000. Complainants' identities are sealed as the
   ledger seals them, with a key that is not kept;
2. the raw log-read rate: the whole log through ``recorder.select_notifications`` in pages of 1,000,
   without decoding, and again decoding each notification with ``ledger.mapper.to_domain_event``;
3. the rebuild rate: ``ProjectionRunner.rebuild`` of each projection alone (as ``caseledger projections
   rebuild`` does them, one after the other, with a progress callback; the case index and the statistics
   replay the log aggregate by aggregate, the ruling index in log order), in events/s and as a ratio to the
   read rates, with where the time goes (reading, decoding, loading rows, applying, deriving clocks and
   writing; timed by wrapping those methods, about 1 µs per event of overhead) and the process's RSS
   sampled from /proc/self/status every 0.5 s (flat: the end no more than 20% above the level after the
   first 10% of the rebuild). ``--together`` adds a rebuild of all of them at once, a thread each;
4. query latency on the rebuilt read models: every work queue, the case listing with several filters and
   the statistics indicators, with varied filters and pages. First a short pass (20 each, at most 3 s per
   kind) on the tables as the rebuild left them; then ``VACUUM ANALYZE`` of every projection table (timed,
   with the dead row versions the rebuild left: what autovacuum would do in time, and it is off on some
   servers) and the measured pass, 200 times each (quick: 50), at most 10 s per kind of query (a slower
   kind is run fewer times; the count is reported);
5. lag under a steady load: every runner following the log in a thread of this process (``run_forever``,
   woken by PostgreSQL ``NOTIFY``), as the worker runs them, while 2 other processes of 4 threads each
   (as a web server's) drive 200 commands/s on one schedule (complaints and disputes filed and taken
   through their steps by the ``CaseLedger`` use cases) for 30 s (quick: 10 s); an observer polls the
   tracking table every 5 ms and takes, for each command, the time from its commit until each
   projection's position reaches the command's log position.

The projections are those of ``projections.catalog.build_projections``, plus the ruling index
(``projections.queues``) and the statistics (``projections.statistics``) when they import and the catalog
does not list them yet. ``--profile`` adds, after everything else, a cProfile of each rebuild under target
over the first 100,000 events (it slows them down, so it is never in the figures).

Prints a table with PASS/MISS against the targets and writes ``bench/results/projections.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import heapq
import io
import itertools
import multiprocessing
import os
import pstats
import random
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid4

import psycopg
from projections.catalog import build_projections, queues_and_statistics
from psycopg import sql

from application.config import Settings
from application.ledger import CaseLedger, build_ledger
from application.sealing import seal_party
from bench.common import (
    RESULTS_DIR,
    cpu_seconds,
    cpu_used,
    latency_summary_ms,
    machine,
    percentile,
    postgres_settings,
    scratch_database,
    write_results,
)
from bench.filing import code_version, step
from demo.text import (
    ASSIST,
    BASIS,
    CLEARING,
    COMPLAINTS,
    DISPUTES,
    EVIDENCE,
    GIVEN,
    LEADERS,
    MEDIATORS,
    OFFICERS,
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
from domain.actor import Actor, Role
from domain.case import Case
from domain.clearing import AccusationFinding, Clearing, ClearingMethod
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.errors import CalendarYearMissing
from domain.kinds import CaseKind, Channel, ComplaintCategory
from domain.numbering import format_number
from domain.outcomes import (
    ClockPause,
    DecisionType,
    EvidenceKind,
    ExecutionResult,
    Finding,
    PartyRole,
    Performance,
    RefusalGround,
    ReplyOpinion,
    ReviewResult,
    Satisfaction,
    SessionOutcome,
)
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect, ToleranceRuling
from domain.values import Location, Party
from projections.base import Projection
from projections.case_listing import CaseFilter
from projections.queues import QUEUES, QueueFilter, WorkQueues
from projections.runner import ProjectionRunner
from projections.statistics import Period, Statistics
from projections.store import open_read_store

TARGET_REBUILD_PER_S = 20_000
TARGET_QUERY_P95_MS = 20.0
TARGET_LAG_S = 1.0
TARGET_RSS_GROWTH = 1.20
LAG_RATE = 200.0
DRIVER_PROCESSES, DRIVER_THREADS = 2, 4  # the steady load comes from other processes, as from a web server's
BATCH_EVENTS = 400
READ_PAGE = 1000
RSS_INTERVAL_S = 0.5
OBSERVER_INTERVAL_S = 0.005
PROFILE_EVENTS = 100_000
QUERY_SECONDS_CAP = 10.0  # per kind of query: a slow kind runs fewer than the planned repeats
AS_REBUILT_REPEATS, AS_REBUILT_SECONDS_CAP = 20, 3.0  # the short pass before VACUUM ANALYZE
EVENTS_PER_CASE = 9.0  # about what a record of the simulation below comes to: the first arrival rate
GENERATORS = 2  # processes writing the log
PLANNER_SETTINGS = ["autovacuum", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather"]
SEED = 20261128

T = TypeVar("T")
DISSATISFIED = Satisfaction.DISSATISFIED


@dataclass(frozen=True)
class Plan:
    name: str
    events: int  # log size
    window_days: int | None  # the log's span back from now; None: from 2024-01-02
    query_repeats: int  # per query kind
    lag_seconds: float  # steady load duration


FULL = Plan("full", events=1_000_000, window_days=None, query_repeats=200, lag_seconds=30.0)
QUICK = Plan("quick", events=50_000, window_days=60, query_repeats=50, lag_seconds=10.0)


# -- the log: a simulation of the office's work over working days -------------------------------------

Wait = tuple[int, int]
"""How many working days until the next step: from, to (0: later the same day)."""
Story = Generator[Wait, datetime, None]
"""A record's life: yields the wait before each step, receives the moment of that step."""

SHANGHAI_OFFSET = timedelta(hours=8)  # Asia/Shanghai has no daylight saving time
OFFICE_OPENS_UTC = clock_time(0, 30)  # 08:30 in Shanghai
OFFICE_MINUTES = 540
STALL_PER_STEP = 0.004  # a record stops part-way, left open (about 4% of cases)


def _weights_pick(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Track:
    """One record in the simulation: its aggregate, its story, when it was filed and its events so far."""

    __slots__ = ("aggregate", "events", "filed", "story")

    def __init__(self, filed: datetime) -> None:
        self.aggregate: Any = None
        self.story: Story | None = None
        self.filed = filed
        self.events = 0


class _Office:
    """Everything the stories share: actors, texts, working days, numbers, and the random source."""

    def __init__(self, ledger: CaseLedger, seed: int, worker: int, workers: int) -> None:
        self.ledger = ledger
        self.worker, self.workers = worker, workers
        self.calendar = ledger.calendar
        self.rules = ledger.rules
        self.rng = random.Random(seed)
        self.clerk = Actor("bench-clerk", Role.CLERK, "综治中心受理窗口")
        self.supervisor = Actor("bench-supervisor", Role.SUPERVISOR, "依法行政工作监督小组")
        self.legal = Actor("bench-legal", Role.LEGAL_REVIEWER, "法制审核室")
        self.discipline = Actor("bench-discipline", Role.DISCIPLINE, "街道纪工委")
        self._handlers: dict[str, Actor] = {}
        self.complaint_weights = {c: row[0] for c, row in COMPLAINTS.items()}
        self.dispute_weights = {c: row[0] for c, row in DISPUTES.items()}
        self.violation_weights = {c: row[0] for c, row in VIOLATIONS.items()}
        self._working: dict[date, bool] = {}
        self._numbers: dict[tuple[str, int], int] = {}
        self.seal_key = os.urandom(32)  # the keys are not stored: the identities cannot be read back
        self.filed = {"complaint": 0, "dispute": 0, "enforcement": 0, "ruling": 0, "clearing": 0}
        self.recent_complaint: UUID | None = None
        self.recent_enforcement: UUID | None = None

    def handler(self, unit: str) -> Actor:
        found = self._handlers.get(unit)
        if found is None:
            found = Actor(f"bench-handler-{hashlib.sha256(unit.encode()).hexdigest()[:8]}", Role.HANDLER, unit)
            self._handlers[unit] = found
        return found

    def key(self, kind: str) -> str:
        """The next filing or request key of ``kind`` (every process has its own)."""
        self.filed[kind] += 1
        return f"bench-{kind}-{self.worker}-{self.filed[kind]}"

    def number(self, kind: CaseKind, at: datetime) -> str:
        """The next case number of ``kind`` in ``at``'s year; the processes take turns, so none repeats."""
        year = (at + SHANGHAI_OFFSET).year
        key = (kind.prefix, year)
        self._numbers[key] = n = self._numbers.get(key, self.worker + 1 - self.workers) + self.workers
        return format_number(kind, year, n)

    def numbers_used(self) -> dict[tuple[str, int], int]:
        return dict(self._numbers)

    def working(self, day: date) -> bool:
        found = self._working.get(day)
        if found is None:
            try:
                found = bool(self.calendar.is_working_day(day))
            except CalendarYearMissing:
                found = day.weekday() < 5
            self._working[day] = found
        return found

    def office_moment(self, day: date) -> datetime:
        """A moment in office hours of ``day`` (a Shanghai day), in UTC."""
        opens = datetime.combine(day, OFFICE_OPENS_UTC, UTC)
        return opens + timedelta(minutes=self.rng.randrange(OFFICE_MINUTES))

    def later(self, at: datetime, wait: Wait) -> datetime:
        n = self.rng.randint(*wait)
        if n == 0:
            return at + timedelta(minutes=self.rng.randint(5, 120))
        day = (at + SHANGHAI_OFFSET).date()
        for _ in range(n):
            day += timedelta(days=1)
            while not self.working(day):
                day += timedelta(days=1)
        return self.office_moment(day)

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def two_names(self) -> tuple[str, str]:
        first = self.name()
        second = self.name()
        while second == first:
            second = self.name()
        return first, second

    def location(self) -> Location:
        village = self.rng.choice(VILLAGES)
        road = self.rng.choice(ROADS)
        return Location(
            village=village,
            address=f"{village}{road}{self.rng.randint(1, 200)}号",
            grid_cell=f"{village[:1]}-{self.rng.randint(1, 12):02d}",
        )


def _extras(office: _Office, case: Case, handler: Actor, pause: ClockPause, extendable: bool) -> Story:
    """What may happen to any open case: supervision, a reminder, a paused clock, an extension."""
    rng = office.rng
    if rng.random() < 0.06 and not case.supervised:
        at = yield (0, 2)
        case.supervise(office.supervisor, at, SAY["supervise"])
    if rng.random() < 0.08:
        at = yield (0, 3)
        case.remind(office.supervisor, at, SAY["remind"])
    if rng.random() < 0.04:
        at = yield (0, 2)
        case.pause_clock(handler, at, pause, SAY["waiting"], office.rules)
        at = yield (2, 10)
        case.resume_clock(handler, at)
    if extendable and rng.random() < 0.03:
        at = yield (0, 2)
        case.extend_deadline(office.supervisor, at, 15, SAY["extend"], office.rules, parties_consent=True)


# -- complaints: 5% refused, 8% answered directly, 2% transferred, 3% merged; the rest handled by a unit,
#    visited and closed, a dissatisfied resident's complaint sometimes reopened


def _complaint(office: _Office, track: _Track, at: datetime) -> Story:
    rng = office.rng
    category = _weights_pick(rng, office.complaint_weights)
    _, unit, said = COMPLAINTS[category]
    location = office.location()
    anonymous = rng.random() < 0.08
    parties = []
    if not anonymous:
        party = Party(PartyRole.COMPLAINANT, office.name(), f"138{rng.randrange(10**8):08d}", "")
        parties = [seal_party(party, uuid4().hex, office.seal_key)]
    channels = [Channel.HOTLINE, Channel.HOTLINE_12345, Channel.HOTLINE_12345, Channel.MAILBOX, Channel.WALK_IN]
    c = Complaint(
        number=office.number(CaseKind.COMPLAINT, at),
        filing_key=office.key("complaint"),
        category=category,
        channel=rng.choice(channels),
        location=location,
        description=said.format(addr=location.address),
        parties=parties,
        anonymous=anonymous,
        fingerprint=uuid4().hex,
        actor=office.clerk,
        at=at,
    )
    track.aggregate = c
    duplicate_of, office.recent_complaint = office.recent_complaint, c.id
    roll = rng.random()
    at = yield (0, 2)
    if roll < 0.15 or (roll < 0.18 and duplicate_of is not None):
        yield from _complaint_ends_early(office, c, category, at, roll, duplicate_of)
    else:
        yield from _complaint_handled(office, c, category, at, unit)


def _complaint_ends_early(
    office: _Office, c: Complaint, category: ComplaintCategory, at: datetime, roll: float, duplicate_of: UUID | None
) -> Story:
    sup, clerk = office.supervisor, office.clerk
    if roll < 0.05:
        c.not_accept(sup, at, SAY["refuse"], SAY["route"])
    elif roll < 0.13:
        c.answer_directly(clerk, at, ReplyOpinion.EXPLAIN, REPLIES[category][0])
        if not c.anonymous:
            at = yield (1, 3)
            c.visit(clerk, at, Satisfaction.SATISFIED, SAY["answered"])
        at = yield (0, 2)
        c.close(sup, at, resolved=True)
    elif roll < 0.15 or duplicate_of is None:
        c.transfer_out(sup, at, SAY["transfer_to"], SAY["transfer"])
    else:
        c.merge_into(sup, at, duplicate_of, SAY["merge"])


def _complaint_handled(office: _Office, c: Complaint, category: ComplaintCategory, at: datetime, unit: str) -> Story:
    rng, sup = office.rng, office.supervisor
    if rng.random() < 0.02:
        c.correct(office.clerk, at, 1, SAY["correct"], location=office.location())
        at = yield (0, 1)
    c.accept(sup, at)
    handler = office.handler(unit)
    at = yield (0, 1)
    c.dispatch(sup, at, unit, list(ASSIST.get(category, [])), SAY["dispatch"])
    if rng.random() < 0.04:
        at = yield (1, 4)
        c.return_to_dispatcher(handler, at, "所反映事项不属本单位职责", office.calendar, office.rules)
        unit = "综治中心" if unit != "综治中心" else "城管执法中队"
        handler = office.handler(unit)
        at = yield (0, 2)
        c.dispatch(sup, at, unit, [], SAY["dispatch"])
    while (yield from _complaint_round(office, c, category, handler)):
        at = yield (0, 1)
        c.dispatch(sup, at, unit, [], SAY["redo"])


def _complaint_round(
    office: _Office, c: Complaint, category: ComplaintCategory, handler: Actor
) -> Generator[Wait, datetime, bool]:
    """Investigate, perhaps dispose, reply, visit; close, or reopen (True) after a dissatisfied visit."""
    rng, sup = office.rng, office.supervisor
    yield from _extras(office, c, handler, ClockPause.WAITING_ON_PARTY, not c.extensions)
    at = yield (1, 8)
    c.investigate(handler, at, rng.choice(list(Finding)), "现场核查，情况属实，已拍照取证")
    action, basis = REPLIES[category]
    if rng.random() < 0.5:
        at = yield (1, 5)
        c.dispose(handler, at, action)
    at = yield (1, 6)
    c.reply(handler, at, ReplyOpinion.SUPPORT, action, "经调查核实", basis)
    if c.anonymous:
        at = yield (0, 3)
        c.close(sup, at, resolved=True)
        return False
    satisfaction = _weights_pick(rng, {Satisfaction.SATISFIED: 80, Satisfaction.BASICALLY: 12, DISSATISFIED: 8})
    at = yield (1, 5)
    c.visit(office.clerk, at, satisfaction, "电话回访")
    if satisfaction is DISSATISFIED and c.reopenings < 3 and rng.random() < 0.6:
        at = yield (0, 2)
        c.reopen(sup, at, SAY["reopen"])
        return True
    at = yield (0, 3)
    unhappy = satisfaction is DISSATISFIED
    c.close(sup, at, resolved=not unhappy, reason=SAY["unresolved"] if unhappy else "")
    return False


# -- disputes: 5% refused; the rest mediated in one to three sessions, 75% to an agreement (a fifth of them
#    confirmed by a court) whose performance is checked, the others ended; then visited and closed

MEDIATION = "人民调解委员会"


def _dispute(office: _Office, track: _Track, at: datetime) -> Story:
    rng = office.rng
    category = _weights_pick(rng, office.dispute_weights)
    a, b = office.two_names()
    d = Dispute(
        number=office.number(CaseKind.DISPUTE, at),
        filing_key=office.key("dispute"),
        category=category,
        channel=rng.choice([Channel.APPLICATION, Channel.APPLICATION, Channel.SCREENING, Channel.WALK_IN]),
        location=office.location(),
        description=DISPUTES[category][1].format(a=a, b=b),
        parties=[Party(PartyRole.APPLICANT, a, f"139{rng.randrange(10**8):08d}"), Party(PartyRole.RESPONDENT, b)],
        fingerprint=uuid4().hex,
        actor=office.clerk,
        at=at,
    )
    track.aggregate = d
    sup = office.supervisor
    handler = office.handler(MEDIATION)
    at = yield (0, 2)
    if rng.random() < 0.05:
        d.refuse(sup, at, RefusalGround.COURT, "县人民法院", "一方已就同一纠纷向人民法院起诉并已立案")
        return
    d.accept(sup, at)
    mediators = [m for m in MEDIATORS if m not in (a, b)]
    at = yield (0, 2)
    d.assign_mediator(sup, at, mediators[0], MEDIATION)
    if rng.random() < 0.03:
        at = yield (0, 2)
        d.recuse(sup, at, SAY["recuse"])
        at = yield (0, 2)
        d.assign_mediator(sup, at, mediators[1], MEDIATION)
    if rng.random() < 0.05:
        at = yield (0, 2)
        d.flag_risk(handler, at, SAY["risk"], SAY["risk_to"])
    yield from _extras(office, d, handler, ClockPause.WAITING_ON_PARTY, True)
    yield from _mediation(office, d, handler, [a, b])


def _mediation(office: _Office, d: Dispute, handler: Actor, names: list[str]) -> Story:
    rng = office.rng
    at = yield (1, 4)
    d.investigate(handler, at, SAY["survey"])
    for _ in range(rng.randint(1, 3)):
        at = yield (1, 4)
        outcome = rng.choice([SessionOutcome.PROGRESS, SessionOutcome.ADJOURNED])
        d.hold_session(handler, at, (at + SHANGHAI_OFFSET).date(), names, SESSION_NOTES[outcome], outcome)
    agreed = rng.random() < 0.75
    if agreed:
        at = yield (0, 1)
        day = (at + SHANGHAI_OFFSET).date()
        d.agree(handler, at, names, "双方陈述一致", SAY["duty"], "一次性补偿", SAY["payment"], day + timedelta(30))
        if rng.random() < 0.2:
            at = yield (1, 5)
            d.apply_for_confirmation(handler, at, SAY["court"], True, office.rules)
            at = yield (3, 10)
            d.record_confirmation(handler, at, True, f"（{day.year}）浙0000民特{rng.randrange(1000):03d}号")
        at = yield (5, 15)
        result = _weights_pick(rng, {Performance.FULFILLED: 85, Performance.PARTLY: 10, Performance.NOT_FULFILLED: 5})
        d.check_performance(handler, at, result, "")
    else:
        at = yield (0, 1)
        d.end_mediation(handler, at, SAY["ended"], SAY["sue"])
    at = yield (1, 5)
    d.visit(handler, at, Satisfaction.SATISFIED if agreed else Satisfaction.BASICALLY, "电话回访")
    at = yield (0, 2)
    d.close(office.supervisor, at, resolved=agreed)


# -- enforcement cases: 8% not filed; the rest investigated with one to four pieces of evidence, major or
#    complex ones reviewed (a tenth returned once) and collectively discussed, penalties notified first
#    (15% with a hearing), then decided, served, mostly published, executed when needed, and closed

DECISION_WEIGHTS = {
    DecisionType.FINE: 45,
    DecisionType.WARNING: 10,
    DecisionType.ORDER_RECTIFY: 20,
    DecisionType.ORDER_DEMOLISH: 5,
    DecisionType.NO_PENALTY: 12,
    DecisionType.NOT_ESTABLISHED: 5,
    DecisionType.CONFISCATION: 2,
    DecisionType.TRANSFER_JUDICIAL: 1,
}
EXECUTION = {
    DecisionType.FINE: ExecutionResult.PAID,
    DecisionType.CONFISCATION: ExecutionResult.ENFORCED,
    DecisionType.ORDER_RECTIFY: ExecutionResult.RECTIFIED,
    DecisionType.ORDER_DEMOLISH: ExecutionResult.DEMOLISHED,
}
CITY = "城管执法中队"


def _enforcement(office: _Office, track: _Track, at: datetime) -> Story:
    rng = office.rng
    category = _weights_pick(rng, office.violation_weights)
    _, found, fines = VIOLATIONS[category]
    location = office.location()
    handler = office.handler(CITY)
    e = EnforcementCase(
        number=office.number(CaseKind.ENFORCEMENT, at),
        filing_key=office.key("enforcement"),
        category=category,
        channel=rng.choice([Channel.PATROL, Channel.PATROL, Channel.INSPECTION, Channel.COMPLAINT_REFERRAL]),
        location=location,
        description=found.format(addr=location.address, n=rng.randint(20, 200)),
        parties=[Party(PartyRole.PARTY, f"{office.name()}（个体工商户）")],
        grid_level=None,
        fingerprint=uuid4().hex,
        actor=handler,
        at=at,
    )
    track.aggregate = e
    office.recent_enforcement = e.id
    at = yield (0, 3)
    if rng.random() < 0.08:
        e.decline(office.supervisor, at, SAY["decline"])
        return
    e.file(office.supervisor, at, SAY["file"], CITY)
    decision = _weights_pick(rng, DECISION_WEIGHTS)
    fine = Decimal(rng.choice(fines)) if decision is DecisionType.FINE else None
    major, complex_case = rng.random() < 0.12, rng.random() < 0.08
    yield from _investigation(office, e, handler, decision, major, complex_case)
    yield from _decision(office, e, handler, decision, fine, major or complex_case)


def _investigation(
    office: _Office, e: EnforcementCase, handler: Actor, decision: DecisionType, major: bool, complex_case: bool
) -> Story:
    rng = office.rng
    officers = rng.sample(list(OFFICERS.values()), 2)
    at = yield (0, 2)
    e.start_investigation(handler, at, officers)
    evidence = itertools.count(1)

    def add_evidence(at: datetime) -> None:
        digest = hashlib.sha256(f"{e.number}-{next(evidence)}".encode()).hexdigest()
        kind = rng.choice([EvidenceKind.PHOTO, EvidenceKind.ONSITE_RECORD, EvidenceKind.TESTIMONY, EvidenceKind.VIDEO])
        e.add_evidence(handler, at, kind, rng.choice(EVIDENCE), digest, rng.choice(officers))

    for _ in range(rng.randint(1, 4)):
        at = yield (0, 3)
        add_evidence(at)
    yield from _extras(office, e, handler, ClockPause.EXPERT_TESTING, True)
    at = yield (1, 5)
    e.conclude_investigation(handler, at, decision, major, complex_case, "违法事实清楚，证据确凿")
    if not (major or complex_case):
        return
    at = yield (0, 2)
    e.submit_for_review(handler, at)
    if rng.random() < 0.1:
        at = yield (1, 3)
        e.review_legality(office.legal, at, ReviewResult.RETURNED, SAY["returned"])
        at = yield (1, 5)
        add_evidence(at)
        at = yield (1, 3)
        e.conclude_investigation(handler, at, decision, major, complex_case, "补充证据后调查终结")
        at = yield (0, 1)
        e.submit_for_review(handler, at)
    at = yield (1, 3)
    e.review_legality(office.legal, at, ReviewResult.APPROVED, SAY["approved"])


def _decision(
    office: _Office, e: EnforcementCase, handler: Actor, decision: DecisionType, fine: Decimal | None, major: bool
) -> Story:
    rng, sup = office.rng, office.supervisor
    if decision.is_penalty:
        at = yield (0, 2)
        e.give_prior_notice(handler, at, decision, fine, SAY["rights"], hearing_offered=True)
        if rng.random() < 0.15:
            at = yield (1, 4)
            e.request_hearing(handler, at, office.calendar, office.rules)
            at = yield (3, 10)
            e.hold_hearing(sup, at, LEADERS[0], [LEADERS[1], *e.officers], SAY["heard"])
    if major:
        at = yield (1, 5)
        e.discuss(sup, at, LEADERS[:3], "同意调查终结意见")
    at = yield (3, 8)
    e.decide(sup, at, decision, fine, "违法事实清楚，证据确凿", BASIS.get(decision, BASIS[e.category]))
    at = yield (1, 5)
    e.serve(handler, at, rng.choice(SERVICE))
    if rng.random() < 0.9:
        at = yield (1, 5)
        e.publish(handler, at, SAY["published"])
    if decision.needs_execution:
        at = yield (3, 20)
        e.execute(handler, at, EXECUTION[decision], "")
    at = yield (1, 5)
    e.close(sup, at, SAY["closed"])


# -- a few tolerated-error rulings (exempted) and clearings of falsely accused cadres


def _ruling(office: _Office, track: _Track, at: datetime) -> Story:
    key = office.key("ruling")
    cadre = office.name()
    who = office.discipline
    r = ToleranceRuling.request(
        request_key=key,
        cadre_id=f"cadre-{key}",
        cadre_name=cadre,
        unit=CITY,
        case_ids=[] if office.recent_enforcement is None else [office.recent_enforcement],
        error="执法过程中程序瑕疵",
        consequences=RULING["consequences"],
        circumstances=RULING["circumstances"],
        motive=RULING["motive"],
        proposed_by_unit=False,
        actor=who,
        at=at,
    )
    track.aggregate = r
    at = yield (1, 5)
    r.accept(who, at)
    at = yield (2, 10)
    r.verify(who, at, list(ToleranceCondition), False, RULING["verified"])
    at = yield (2, 10)
    r.deliberate(who, at, LEADERS[:3], "经集体研究，符合容错情形")
    at = yield (1, 5)
    r.rule(who, at, RulingOutcome.EXEMPTED, [ToleranceEffect.AWARDS], RULING["basis"])
    at = yield (1, 5)
    r.notify(who, at, RULING["notified"].format(cadre=cadre))
    at = yield (1, 5)
    r.file_upward(who, at, RULING["filed_with"])


def _clearing(office: _Office, track: _Track, at: datetime) -> Story:
    key = office.key("clearing")
    who = office.discipline
    c = Clearing.propose(
        request_key=key,
        cadre_id=f"cadre-{key}",
        cadre_name=office.name(),
        unit=CITY,
        accusation=CLEARING["accusation"],
        investigation=CLEARING["investigation"],
        finding=AccusationFinding.FALSE,
        actor=who,
        at=at,
    )
    track.aggregate = c
    at = yield (2, 10)
    c.approve(who, at)
    at = yield (1, 5)
    c.clear(who, at, ClearingMethod.MEETING_NOTICE, CLEARING["scope"])
    at = yield (1, 5)
    c.record(who, at, CLEARING["record"].format(year=(at + SHANGHAI_OFFSET).year))


STORIES: dict[str, tuple[int, Callable[[_Office, _Track, datetime], Story]]] = {
    "complaint": (640, _complaint),
    "dispute": (190, _dispute),
    "enforcement": (170, _enforcement),
    "ruling": (2, _ruling),
    "clearing": (1, _clearing),
}


class _Simulation:
    """One process's share of the log: arrivals over the window's working days, each record's story in
    time order, saved about :data:`BATCH_EVENTS` events per transaction.

    The arrival rate is corrected every simulated day so that the share is reached near the window's end:
    what is still needed, less what the records in progress will add, spread over the days left (a record
    filed less than its typical duration before the end adds only part of its events).
    """

    def __init__(
        self, ledger: CaseLedger, events: int, first_day: date, end: datetime, worker: int, workers: int
    ) -> None:
        self.ledger, self.target, self.end = ledger, events, end
        self.office = office = _Office(ledger, SEED + worker, worker, workers)
        self.rng = office.rng
        self.first_day = first_day
        last_day = (end + SHANGHAI_OFFSET).date()
        days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
        working = [day for day in days if office.working(day)]
        self.working_left = {day: len(working) - i for i, day in enumerate(working)}
        self.initial_rate = events / EVENTS_PER_CASE / max(1, len(working) - 10)
        self.rate = self.initial_rate  # arrivals per working day
        self.kinds = list(STORIES)
        self.weights = [STORIES[k][0] for k in self.kinds]
        self.heap: list[tuple[datetime, int, _Track]] = []
        self.sequence = itertools.count()
        self.dirty: dict[UUID, Any] = {}
        self.pending = self.emitted = self.batches = self.stalled = 0
        self.done_cases = self.done_events = 0
        self.done_days = 0.0
        self.active_events = 0
        self.save_seconds = 0.0
        self.last_at = datetime.combine(first_day, OFFICE_OPENS_UTC, UTC)
        self.rates: list[float] = []

    def run(self) -> dict[str, Any]:
        office = self.office
        day = self.first_day
        while not office.working(day):
            day += timedelta(days=1)
        minute = self.rng.expovariate(self.rate / OFFICE_MINUTES)
        started = time.perf_counter()
        next_report = started + 20
        while self.emitted < self.target:
            arrival = datetime.combine(day, OFFICE_OPENS_UTC, UTC) + timedelta(minutes=minute)
            if self.heap and self.heap[0][0] <= arrival:
                at, _, track = heapq.heappop(self.heap)
                if at > self.end:
                    break
                self._advance(track, at, at)
            else:
                if arrival > self.end:
                    break
                at = arrival
                track = _Track(at)
                track.story = STORIES[self.rng.choices(self.kinds, weights=self.weights)[0]][1](office, track, at)
                self._advance(track, at, None)
                minute += self.rng.expovariate(self.rate / OFFICE_MINUTES)
                while minute >= OFFICE_MINUTES:
                    minute -= OFFICE_MINUTES
                    day += timedelta(days=1)
                    while not office.working(day):
                        day += timedelta(days=1)
                    self._adjust_rate(day)
            self.last_at = max(self.last_at, at)
            if self.pending >= BATCH_EVENTS:
                self._flush()
            if time.perf_counter() > next_report:
                elapsed = time.perf_counter() - started
                print(
                    f"  [{office.worker}] {self.emitted:,} events ({self.emitted / elapsed:,.0f}/s),"
                    f" up to {self.last_at:%Y-%m-%d}",
                    file=sys.stderr,
                )
                next_report += 20
        self._flush()
        seconds = time.perf_counter() - started
        return {
            "events": self.emitted,
            "seconds": seconds,
            "save_seconds": self.save_seconds,
            "transactions": self.batches,
            "records": dict(office.filed),
            "stalled": self.stalled,
            "in_progress_at_end": len(self.heap),
            "completed": self.done_cases,
            "completed_events_per_case": self.done_events / max(1, self.done_cases),
            "completed_days_per_case": self.done_days / max(1, self.done_cases),
            "last_event": self.last_at.isoformat(timespec="seconds"),
            "arrivals_per_working_day": {
                "first": self.initial_rate,
                "min": min(self.rates, default=self.rate),
                "max": max(self.rates, default=self.rate),
                "last": self.rate,
            },
            "numbers": [[prefix, year, last] for (prefix, year), last in office.numbers_used().items()],
        }

    def _advance(self, track: _Track, at: datetime, value: datetime | None) -> None:
        """Run the next step of ``track``'s story at ``at`` (``value`` None: its first); schedule the one after."""
        assert track.story is not None
        try:
            wait: Wait | None = track.story.send(value)  # type: ignore[arg-type]  # None starts the story
        except StopIteration:
            wait = None
        aggregate = track.aggregate
        self.dirty[aggregate.id] = aggregate
        self.pending += 1
        self.emitted += 1
        track.events += 1
        self.active_events += 1
        if wait is None:
            self.done_cases += 1
            self.done_events += track.events
            self.done_days += (at - track.filed).total_seconds() / 86400
            self.active_events -= track.events
        elif self.rng.random() < STALL_PER_STEP:
            self.stalled += 1
            self.active_events -= track.events
        else:
            heapq.heappush(self.heap, (self.office.later(at, wait), next(self.sequence), track))

    def _adjust_rate(self, day: date) -> None:
        left = self.working_left.get(day, 0)
        if left <= 0 or self.done_cases < 50:
            return
        # the records finished first are the short ones: never take less than the prior guesses
        per_case = max(EVENTS_PER_CASE, self.done_events / self.done_cases)
        duration = max(10.0, self.done_days / self.done_cases * 5 / 7)  # in working days
        active = len(self.heap)
        still_to_come = max(0.0, active * per_case - self.active_events)
        still_to_come = min(still_to_come, active * per_case / duration * left)
        needed = self.target * 1.05 - self.emitted - still_to_come  # aim a little past: better early than short
        reach = per_case * (left - duration / 2) if left > duration else per_case / duration * left * left / 2
        wanted = needed / max(reach, 1e-9)
        self.rate = min(max(wanted, self.initial_rate / 4), self.initial_rate * 4)
        self.rates.append(self.rate)

    def _flush(self) -> None:
        if not self.dirty:
            return
        started = time.perf_counter()
        recordings = self.ledger.save(*self.dirty.values())
        self.save_seconds += time.perf_counter() - started
        if len(recordings) != self.pending:
            raise RuntimeError(f"saved {len(recordings)} events, expected {self.pending}")
        self.dirty.clear()
        self.pending = 0
        self.batches += 1


def _generate_part(url: str, events: int, first_day: str, end: str, worker: int, workers: int) -> dict[str, Any]:
    """One generating process: its own ledger, its share of the events."""

    ledger = build_ledger(Settings(database_url=url))
    try:
        simulation = _Simulation(
            ledger, events, date.fromisoformat(first_day), datetime.fromisoformat(end), worker, workers
        )
        return simulation.run()
    finally:
        ledger.close()


def generate(url: str, plan: Plan) -> dict[str, Any]:
    """Write ``plan.events`` events from :data:`GENERATORS` processes, each simulating its share of the office."""
    end = datetime.now(UTC) - timedelta(minutes=10)
    if plan.window_days is None:
        first_day = date(2024, 1, 2)
    else:
        first_day = (end + SHANGHAI_OFFSET).date() - timedelta(days=plan.window_days)
    shares = [plan.events // GENERATORS + (w < plan.events % GENERATORS) for w in range(GENERATORS)]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # no inherited connections
    with context.Pool(GENERATORS) as pool:
        parts = pool.starmap(
            _generate_part,
            [(url, share, first_day.isoformat(), end.isoformat(), w, GENERATORS) for w, share in enumerate(shares)],
        )
    seconds = time.perf_counter() - started
    used: dict[tuple[str, int], int] = {}
    for part in parts:
        for prefix, year, last in part.pop("numbers"):
            used[(prefix, year)] = max(used.get((prefix, year), 0), last)
    _advance_counters(url, used)
    events = sum(p["events"] for p in parts)
    records = {kind: sum(p["records"][kind] for p in parts) for kind in STORIES}
    transactions = sum(p["transactions"] for p in parts)
    return {
        "events": events,
        "processes": GENERATORS,
        "seconds": seconds,
        "per_s": events / seconds,
        "save_seconds_per_process": [round(p["save_seconds"], 1) for p in parts],
        "seconds_per_process": [round(p["seconds"], 1) for p in parts],
        "transactions": transactions,
        "events_per_transaction": events / max(1, transactions),
        "records": records,
        "events_per_record": events / max(1, sum(records.values())),
        "completed_events_per_case": sum(p["completed_events_per_case"] * p["completed"] for p in parts)
        / max(1, sum(p["completed"] for p in parts)),
        "completed_days_per_case": sum(p["completed_days_per_case"] * p["completed"] for p in parts)
        / max(1, sum(p["completed"] for p in parts)),
        "stalled": sum(p["stalled"] for p in parts),
        "in_progress_at_end": sum(p["in_progress_at_end"] for p in parts),
        "first_day": first_day.isoformat(),
        "last_event": max(p["last_event"] for p in parts),
        "window_end": end.isoformat(timespec="seconds"),
        "parts": parts,
    }


def _advance_counters(url: str, used: dict[tuple[str, int], int]) -> None:
    """Move the case-number counters past the numbers the simulation gave, so later filings never repeat one."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.cursor().executemany(
            "INSERT INTO case_number_counters (prefix, year, last) VALUES (%s, %s, %s) "
            "ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(case_number_counters.last, excluded.last)",
            [(prefix, year, last) for (prefix, year), last in used.items()],
        )


def log_shape(url: str, table: str) -> dict[str, Any]:
    """How many events, of which topics, how big."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"SELECT topic, count(*), avg(length(state))::float FROM {table} GROUP BY topic ORDER BY 2 DESC"
        ).fetchall()
        size = conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()
    total = sum(int(n) for _, n, _ in rows)
    mean = sum(int(n) * float(s) for _, n, s in rows) / max(1, total)
    return {
        "events": total,
        "mean_state_bytes": round(mean, 1),
        "table_bytes": int(size[0]) if size else 0,
        "topics": {str(t).rsplit(":", 1)[-1]: int(n) for t, n, _ in rows[:25]},
    }


# -- reading the log ------------------------------------------------------------------------------------


def read_log(ledger: CaseLedger, decode: bool) -> dict[str, Any]:
    """The whole log in pages of :data:`READ_PAGE`, decoded or not; notifications/s."""
    recorder, mapper = ledger.recorder, ledger.mapper
    start, count, size = 1, 0, 0
    started = time.perf_counter()
    while True:
        page = recorder.select_notifications(start, limit=READ_PAGE)
        if not page:
            break
        if decode:
            for notification in page:
                mapper.to_domain_event(notification)
        count += len(page)
        size += sum(len(n.state) for n in page)
        start = page[-1].id + 1
    seconds = time.perf_counter() - started
    return {"events": count, "seconds": seconds, "per_s": count / seconds, "mb_per_s": size / seconds / 1e6}


# -- rebuilding -------------------------------------------------------------------------------------------


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssSampler:
    """Samples this process's resident set size every :data:`RSS_INTERVAL_S` seconds in a thread."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append((time.perf_counter(), rss_kb()))
            if self._stop.wait(RSS_INTERVAL_S):
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.perf_counter(), rss_kb()))


class _Timers:
    """Adds up the time spent in wrapped methods of live objects (per thread: the runners run alone)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._installed: list[tuple[Any, str, Any, bool]] = []

    def wrap(self, obj: Any, attribute: str, name: str) -> None:
        module_level = isinstance(obj, type(sys))
        original = getattr(obj, attribute)
        seconds, calls = self.seconds, self.calls
        seconds.setdefault(name, 0.0)
        calls.setdefault(name, 0)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - started
                calls[name] += 1

        setattr(obj, attribute, timed)
        self._installed.append((obj, attribute, original, module_level))

    def remove(self) -> None:
        for obj, attribute, original, module_level in reversed(self._installed):
            if module_level:
                setattr(obj, attribute, original)
            else:
                vars(obj).pop(attribute, None)
        self._installed.clear()


def _instrument(runner: ProjectionRunner, timers: _Timers) -> None:
    """Time the runner's steps: read, decode, begin/apply/end of the batch, clock derivation, position."""
    import projections.case_index
    import projections.statistics.facts

    timers.wrap(runner.ledger.recorder, "select_notifications", "read: select_notifications")
    timers.wrap(runner.ledger.recorder, "events_in_aggregate_order", "read: in aggregate order")
    timers.wrap(runner.ledger.mapper, "to_domain_event", "decode: to_domain_event")
    timers.wrap(runner.projection, "begin_batch", "begin_batch (load rows)")
    timers.wrap(runner.projection, "apply", "apply (per event)")
    timers.wrap(runner.projection, "end_batch", "end_batch (derive + write)")
    timers.wrap(runner, "position", "position()")
    module = {"case_index": projections.case_index, "statistics": projections.statistics.facts}.get(runner.name)
    if module is not None:
        timers.wrap(module, "derive_clocks", "  of which derive_clocks")


def rebuild_one(runner: ProjectionRunner, read_rates: dict[str, float]) -> dict[str, Any]:
    """``runner.rebuild()`` with progress, the time breakdown and the RSS samples."""
    progress: list[tuple[float, int, int]] = []
    timers = _Timers()
    _instrument(runner, timers)
    rss_before = rss_kb()
    try:
        with RssSampler() as sampler:
            started = time.perf_counter()
            applied = runner.rebuild(lambda done, total: progress.append((time.perf_counter(), done, total)))
            seconds = time.perf_counter() - started
    finally:
        timers.remove()
    spent = dict(timers.seconds)
    spent["other (claim, commit, loop)"] = seconds - sum(v for k, v in spent.items() if not k.startswith("  "))
    return {
        "projection": runner.name,
        "events": applied,
        "seconds": seconds,
        "per_s": applied / seconds,
        "ratio_to_raw_read": applied / seconds / read_rates["raw"],
        "ratio_to_decoded_read": applied / seconds / read_rates["decoded"],
        "breakdown_s": {k: round(v, 3) for k, v in spent.items()},
        "breakdown_us_per_event": {k: round(v / max(1, applied) * 1e6, 2) for k, v in spent.items()},
        "calls": dict(timers.calls),
        "rate_by_tenth": _rate_by_tenth(progress, started),
        "rss": rss_profile(rss_before, sampler.samples, progress),
    }


def _rate_by_tenth(progress: Sequence[tuple[float, int, int]], started: float) -> list[int]:
    """Events/s over each tenth of the rebuild (does the rate change as the tables grow?)."""
    rates, last_t, last_done, tenth = [], started, 0, 1
    for t, done, total in progress:
        if done >= tenth * total / 10 or (t, done, total) == progress[-1]:
            rates.append(round((done - last_done) / max(t - last_t, 1e-9)))
            last_t, last_done, tenth = t, done, tenth + 1
    return rates


def rss_profile(
    before: int, samples: Sequence[tuple[float, int]], progress: Sequence[tuple[float, int, int]]
) -> dict[str, Any]:
    """RSS before, after the first 10% of the rebuild, at half way, at the end and at its peak; flat or not."""

    def at_fraction(fraction: float) -> int:
        moment = next((t for t, done, total in progress if done >= fraction * total), None)
        if moment is None:
            return samples[-1][1]
        return next((kb for t, kb in samples if t >= moment), samples[-1][1])

    tenth, middle, end = at_fraction(0.1), at_fraction(0.5), samples[-1][1]
    peak = max(kb for _, kb in samples)
    return {
        "before_mb": before / 1024,
        "after_10pct_mb": tenth / 1024,
        "middle_mb": middle / 1024,
        "end_mb": end / 1024,
        "peak_mb": peak / 1024,
        "growth_after_10pct": end / max(1, tenth),
        "flat": end <= TARGET_RSS_GROWTH * tenth,
        "samples": len(samples),
    }


def rebuild_together(runners: Sequence[ProjectionRunner], head: int) -> dict[str, Any]:
    """Every runner's ``rebuild()`` at once, one thread each (as ``caseledger projections run`` runs them)."""
    results: dict[str, Any] = {}
    errors: list[str] = []
    finished: dict[str, float] = {}
    progress: list[tuple[float, int, int]] = []

    def one(runner: ProjectionRunner) -> None:
        try:
            results[runner.name] = runner.rebuild(
                (lambda done, total: progress.append((time.perf_counter(), done, total)))
                if runner is runners[0]
                else None
            )
        except Exception as error:  # reported, not raised: the other runners go on
            errors.append(f"{runner.name}: {error!r}")
        finished[runner.name] = time.perf_counter()

    rss_before = rss_kb()
    with RssSampler() as sampler:
        started = time.perf_counter()
        threads = [threading.Thread(target=one, args=(r,), name=f"rebuild-{r.name}") for r in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    return {
        "projections": [r.name for r in runners],
        "seconds": seconds,
        "log_events_per_s": head / seconds,
        "events_applied": sum(results.values()),
        "each_seconds": {name: t - started for name, t in finished.items()},
        "errors": errors,
        "rss": rss_profile(rss_before, sampler.samples, progress),
    }


# -- querying ------------------------------------------------------------------------------------------


def query_latencies(
    queues: WorkQueues, statistics: Statistics, repeats: int, cap_seconds: float = QUERY_SECONDS_CAP, seed: int = 7
) -> dict[str, dict[str, Any]]:
    """Each kind of query ``repeats`` times (at most ``cap_seconds``), with varied filters and pages."""
    rng = random.Random(seed)
    case_index = queues.case_index
    today = (datetime.now(UTC) + SHANGHAI_OFFSET).date()
    units = ["城管执法中队", "村（居）委会", "村镇建设办公室", "人民调解委员会", "综治中心"]
    kinds: dict[str, Callable[[], object]] = {}

    def page() -> int:
        return rng.choice([1, 1, 1, 2, 3, 5, 10])

    def queue_query(name: str) -> Callable[[], object]:
        queue = QUEUES[name]

        def run() -> object:
            if queue.rulings:
                chosen = QueueFilter(unit=rng.choice([None, "城管执法中队"]))
            else:
                chosen = rng.choice(
                    [
                        QueueFilter(),
                        QueueFilter(kind=rng.choice(["complaint", "dispute", "enforcement"])),
                        QueueFilter(village=rng.choice(VILLAGES)),
                        QueueFilter(unit=rng.choice(units)),
                    ]
                )
                if queue.needs_unit and not chosen.unit:
                    chosen = QueueFilter(unit=rng.choice(units), village=chosen.village, kind=chosen.kind)
            return queues.page(name, chosen, page(), rng.choice([20, 50]))

        return run

    for name in QUEUES:
        kinds[f"queue {name}"] = queue_query(name)

    def listing(make: Callable[[], Any]) -> Callable[[], object]:
        return lambda: case_index.list_cases(make(), page(), rng.choice([20, 50]))

    def month() -> CaseFilter:
        first = date(rng.choice([today.year - 1, today.year]), rng.randint(1, 12), 1)
        first = min(first, today.replace(day=1))
        return CaseFilter(filed_from=first, filed_to=first + timedelta(days=30))

    kinds |= {
        "list (no filter)": listing(CaseFilter),
        "list kind+status": listing(
            lambda: rng.choice(
                [
                    CaseFilter(kind="complaint", status=rng.choice(["dispatched", "closed", "registered"])),
                    CaseFilter(kind="dispute", status=rng.choice(["mediating", "closed"])),
                    CaseFilter(kind="enforcement", status=rng.choice(["investigating", "closed"])),
                ]
            )
        ),
        "list village+open": listing(lambda: CaseFilter(village=rng.choice(VILLAGES), open=True)),
        "list unit": listing(lambda: CaseFilter(unit=rng.choice(units))),
        "list filed in a month": listing(month),
        "list text search": listing(lambda: CaseFilter(text=rng.choice(["占道", "噪声", "TS-2025-0001", "养殖塘"]))),
        "list overdue": listing(lambda: CaseFilter(open=True, clock="overdue")),
    }
    years = [today.year - 2, today.year - 1, today.year]

    def indicators(kind: str, group: Callable[[], str | None]) -> Callable[[], object]:
        def run() -> object:
            year = rng.choice(years)
            top = {"month": 12, "quarter": 4, "year": 1}[kind]
            if year == today.year:
                top = {"month": today.month, "quarter": (today.month + 2) // 3, "year": 1}[kind]
            return statistics.indicators([Period(kind, year, rng.randint(1, top))], group())

        return run

    kinds |= {
        "statistics year": indicators("year", lambda: None),
        "statistics quarter by unit": indicators("quarter", lambda: "unit"),
        "statistics month by category": indicators("month", lambda: "category"),
        "statistics year by village": indicators("year", lambda: rng.choice(["village", "kind", "channel"])),
    }
    results: dict[str, dict[str, Any]] = {}
    for name, query in kinds.items():
        query()  # warm: the first call may open a connection
        latencies: list[float] = []
        deadline = time.perf_counter() + cap_seconds
        while len(latencies) < repeats and time.perf_counter() < deadline:
            started = time.perf_counter()
            query()
            latencies.append(time.perf_counter() - started)
        group = "statistics" if name.startswith("statistics") else "queue" if name.startswith("queue") else "list"
        summary = latency_summary_ms(latencies)
        results[name] = {"group": group, "repeats": len(latencies), **summary}
        results[name]["pass"] = group == "list" or summary["p95_ms"] <= TARGET_QUERY_P95_MS
    return results


def vacuum_analyze(url: str, projections: Sequence[Projection]) -> dict[str, Any]:
    """``VACUUM ANALYZE`` every projection table (what autovacuum would do in time; it is off on some servers):
    the dead row versions the rebuild's upserts left, and how long it takes."""
    tables = [table for p in projections for table in p.tables()]
    counts = "SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = %s"
    found: dict[str, dict[str, int]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        time.sleep(1.0)  # backends report their counters when idle, about once a second
        conn.execute("SELECT pg_stat_clear_snapshot()")
        for table in tables:
            row = conn.execute(counts, (table,)).fetchone()
            found[table] = {"live": int(row[0]) if row else 0, "dead_before": int(row[1]) if row else 0}
        started = time.perf_counter()
        for table in tables:
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
        seconds = time.perf_counter() - started
        for table in tables:
            size = sql.SQL("SELECT avg(pg_column_size(t.*))::float, pg_relation_size({name}) FROM {table} t").format(
                name=sql.Literal(table), table=sql.Identifier(table)
            )
            row = conn.execute(size).fetchone()
            found[table] |= {"mean_row_bytes": round(row[0] or 0), "heap_bytes": int(row[1])} if row else {}
    return {"seconds": seconds, "tables": found}


# -- lag under a steady load ---------------------------------------------------------------------------------


class _Script:
    """One driver thread's cases: the next command of its current case, a complaint or a dispute."""

    def __init__(self, ledger: CaseLedger, thread: int, rng: random.Random) -> None:
        self.ledger, self.thread, self.rng = ledger, thread, rng
        self.clerk = Actor("bench-lag-clerk", Role.CLERK, "综治中心受理窗口")
        self.supervisor = Actor("bench-lag-supervisor", Role.SUPERVISOR, "依法行政工作监督小组")
        self.city = Actor("bench-lag-city", Role.HANDLER, "城管执法中队")
        self.mediation = Actor("bench-lag-mediation", Role.HANDLER, "人民调解委员会")
        self.case: UUID | None = None
        self.version = 0
        self.steps: Iterator[tuple[str, Callable[[], Any]]] = iter(())
        self.filed = 0

    def next_command(self) -> tuple[str, Callable[[], Any]]:
        for command in self.steps:
            return command
        self.steps = self._complaint() if self.rng.random() < 0.7 else self._dispute()
        return next(self.steps)

    def _run(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        assert self.case is not None
        result = call(self.case, self.version, *args, **kwargs)
        self.version = result.version
        return result

    def _filed(self, result: Any) -> Any:
        self.case, self.version = result.id, result.version
        return result

    def _key(self, kind: str) -> str:
        self.filed += 1
        return f"bench-lag-{kind}-{self.thread}-{self.filed}-{uuid4().hex[:6]}"

    def _complaint(self) -> Iterator[tuple[str, Callable[[], Any]]]:
        ledger, clerk, sup, city = self.ledger, self.clerk, self.supervisor, self.city
        place = Location(village="新河社区", address="人民医院北门", grid_cell="XH-07")
        parties = [Party(PartyRole.COMPLAINANT, "王秀兰", "13800000000")]
        yield (
            "file_complaint",
            lambda: self._filed(
                ledger.file_complaint(
                    self._key("complaint"),
                    clerk,
                    category="breakfast_stalls",
                    channel="hotline",
                    location=place,
                    description="医院北门早餐摊点占道经营，影响救护车通行",
                    parties=parties,
                )
            ),
        )
        yield "accept_complaint", lambda: self._run(ledger.accept_complaint, sup)
        yield "dispatch_complaint", lambda: self._run(ledger.dispatch_complaint, sup, "城管执法中队", [])
        yield (
            "investigate_complaint",
            lambda: self._run(ledger.investigate_complaint, city, Finding.SUBSTANTIATED, "现场核查属实"),
        )
        yield (
            "reply_to_complaint",
            lambda: self._run(ledger.reply_to_complaint, city, ReplyOpinion.SUPPORT, "已整改", "经调查", "条例"),
        )
        yield "visit_complainant", lambda: self._run(ledger.visit_complainant, clerk, Satisfaction.SATISFIED)
        yield "close_complaint", lambda: self._run(ledger.close_complaint, sup, True)

    def _dispute(self) -> Iterator[tuple[str, Callable[[], Any]]]:
        ledger, clerk, sup, med = self.ledger, self.clerk, self.supervisor, self.mediation
        place = Location(village="东湖村", address="东湖村三组12号", grid_cell="DH-03")
        parties = [Party(PartyRole.APPLICANT, "李建国", "13900000000"), Party(PartyRole.RESPONDENT, "赵国强")]
        yield (
            "file_dispute",
            lambda: self._filed(
                ledger.file_dispute(
                    self._key("dispute"),
                    clerk,
                    category="neighbour",
                    channel="application",
                    location=place,
                    description="因房屋滴水问题发生争执",
                    parties=parties,
                )
            ),
        )
        yield "accept_dispute", lambda: self._run(ledger.accept_dispute, sup)
        yield "assign_mediator", lambda: self._run(ledger.assign_mediator, sup, "叶海燕", "人民调解委员会")
        yield "investigate_dispute", lambda: self._run(ledger.investigate_dispute, med, "走访双方当事人")
        today = (datetime.now(UTC) + SHANGHAI_OFFSET).date()
        yield (
            "hold_mediation_session",
            lambda: self._run(
                ledger.hold_mediation_session, med, today, ["李建国", "赵国强"], "双方达成一致", SessionOutcome.PROGRESS
            ),
        )
        yield (
            "record_agreement",
            lambda: self._run(
                ledger.record_agreement,
                med,
                ["李建国", "赵国强"],
                "事实清楚",
                "双方均有责任",
                "一次性补偿",
                "现金支付",
                today + timedelta(days=30),
            ),
        )
        yield "check_performance", lambda: self._run(ledger.check_performance, med, Performance.FULFILLED)
        yield "visit_dispute_parties", lambda: self._run(ledger.visit_dispute_parties, med, Satisfaction.SATISFIED)
        yield "close_dispute", lambda: self._run(ledger.close_dispute, sup, True)


@dataclass
class _Pending:
    position: int
    committed: float
    waiting: set[str]


@dataclass
class _LagLog:
    """Commands committed and not yet applied by every projection, and the lags measured so far."""

    names: list[str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: list[_Pending] = field(default_factory=list)
    lags: dict[str, list[float]] = field(default_factory=dict)

    def committed(self, position: int, at: float) -> None:
        with self.lock:
            self.pending.append(_Pending(position, at, set(self.names)))

    def observe(self, positions: dict[str, int], at: float) -> None:
        with self.lock:
            still = []
            for entry in self.pending:
                for name in list(entry.waiting):
                    if positions.get(name, 0) >= entry.position:
                        self.lags.setdefault(name, []).append(at - entry.committed)
                        entry.waiting.discard(name)
                if entry.waiting:
                    still.append(entry)
            self.pending = still


class _Observer:
    """Polls the tracking table every :data:`OBSERVER_INTERVAL_S` and hands the positions to the lag log."""

    def __init__(self, url: str, log: _LagLog) -> None:
        self.url, self.log = url, log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-observer", daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute("SELECT name, position FROM projection_tracking").fetchall()
                self.log.observe({str(name): int(position) for name, position in rows}, time.monotonic())
                time.sleep(OBSERVER_INTERVAL_S)

    def __enter__(self) -> _Observer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _drive_part(url: str, worker: int, workers: int, total: int, start: Any, go: Any, messages: Any) -> None:
    """One driving process: :data:`DRIVER_THREADS` threads taking every ``workers``-th command of the shared
    schedule (starting at ``start``, a ``time.monotonic()`` reading, once ``go`` is set), through its own ledger;
    each outcome goes to ``messages``."""
    ledger = build_ledger(Settings(database_url=url))
    counter = itertools.count()
    lock = threading.Lock()

    def drive(thread: int) -> None:
        script = _Script(ledger, worker * DRIVER_THREADS + thread, random.Random(worker * DRIVER_THREADS + thread))
        go.wait()
        while True:
            with lock:
                k = worker + next(counter) * workers
            if k >= total:
                return
            due = start.value + k / LAG_RATE
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            name, command = script.next_command()
            started = time.monotonic()
            try:
                result = command()
            except Exception as error:  # counted and reported; the thread starts a new case
                messages.put(("error", name, repr(error)))
                script.steps = iter(())
                continue
            done = time.monotonic()
            messages.put(("done", name, result.position, done, done - started, max(0.0, started - due)))

    cpu_at_go = 0.0
    try:
        threads = [threading.Thread(target=drive, args=(t,)) for t in range(DRIVER_THREADS)]
        for thread in threads:
            thread.start()
        messages.put(("ready", worker))
        go.wait()
        cpu_at_go = time.process_time()
        for thread in threads:
            thread.join()
    finally:
        ledger.close()
        messages.put(("finished", worker, time.process_time() - cpu_at_go))


@dataclass
class _LoadOutcome:
    """What the driving processes reported."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    late: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_done: float = 0.0
    cpu_seconds: float = 0.0


def _drive(url: str, log: _LagLog, total: int) -> tuple[_LoadOutcome, float, float]:
    """Run the schedule from :data:`DRIVER_PROCESSES` processes; what they reported, its start and its seconds."""
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    go = context.Event()
    start = context.Value("d", 0.0)
    processes = [
        context.Process(target=_drive_part, args=(url, w, DRIVER_PROCESSES, total, start, go, messages))
        for w in range(DRIVER_PROCESSES)
    ]
    for process in processes:
        process.start()
    outcome = _LoadOutcome()
    ready = finished = 0
    while ready < DRIVER_PROCESSES:
        kind, *_ = messages.get(timeout=120)
        ready += kind == "ready"
    start.value = time.monotonic() + 0.5
    go.set()
    while finished < DRIVER_PROCESSES:
        kind, *rest = messages.get(timeout=120)
        if kind == "done":
            name, position, done, latency, late = rest
            if position is not None:
                log.committed(position, done)
            outcome.latencies.setdefault(name, []).append(latency)
            outcome.late.append(late)
            outcome.last_done = max(outcome.last_done, done)
        elif kind == "error":
            outcome.errors.append(f"{rest[0]}: {rest[1]}")
        elif kind == "finished":
            finished += 1
            outcome.cpu_seconds += rest[1]
    for process in processes:
        process.join(timeout=30)
    return outcome, start.value, outcome.last_done - start.value


def steady_load(ledger: CaseLedger, url: str, runners: Sequence[ProjectionRunner], plan: Plan) -> dict[str, Any]:
    """Runners following the log in threads of this process (as the worker runs them) while commands arrive at
    :data:`LAG_RATE` per second from other processes (as from the web server's)."""
    stop_runners = threading.Event()
    followers = [
        threading.Thread(target=r.run_forever, args=(stop_runners,), name=f"follow-{r.name}", daemon=True)
        for r in runners
    ]
    for follower in followers:
        follower.start()
    head = ledger.log_position()
    caught_up = _wait_until(lambda: all(r.position() >= head for r in runners), 120)
    log = _LagLog([r.name for r in runners])
    total = int(LAG_RATE * plan.lag_seconds)
    with _Observer(url, log):
        cpu_before = cpu_seconds()
        measured_from = time.monotonic()
        load, _, driven = _drive(url, log, total)
        cores = cpu_used(cpu_before, cpu_seconds(), time.monotonic() - measured_from)
        drained = _wait_until(lambda: not log.pending, 15)
    stop_runners.set()
    for follower in followers:
        follower.join(timeout=10)
    done = sum(len(v) for v in load.latencies.values())
    return {
        "target_rate": LAG_RATE,
        "processes": DRIVER_PROCESSES,
        "threads": DRIVER_PROCESSES * DRIVER_THREADS,
        "scheduled": total,
        "commands": done,
        "errors": len(load.errors),
        "first_errors": load.errors[:5],
        "seconds": driven,
        "per_s": done / driven,
        "sustained": done / driven >= 0.95 * LAG_RATE,
        "schedule_lateness_p95_ms": percentile(load.late, 95) * 1000,
        "schedule_lateness_max_ms": (max(load.late) * 1000) if load.late else float("nan"),
        "command_latency": {k: latency_summary_ms(v) for k, v in sorted(load.latencies.items())},
        "all_commands_latency": latency_summary_ms([x for v in load.latencies.values() for x in v]),
        "caught_up_before": caught_up,
        "drained_after": drained,
        "unapplied_after": len(log.pending),
        "cores_used": {
            "followers (this process)": cores["bench"],
            "drivers": round(load.cpu_seconds / driven, 3),
            "postgres": cores["postgres"],
        },
        "observer_interval_ms": OBSERVER_INTERVAL_S * 1000,
        "lag": {name: _lag_summary(values) for name, values in sorted(log.lags.items())},
    }


def _lag_summary(values: Sequence[float]) -> dict[str, Any]:
    return {
        "applied": len(values),
        "p50_s": percentile(values, 50),
        "p95_s": percentile(values, 95),
        "p99_s": percentile(values, 99),
        "max_s": max(values) if values else float("nan"),
        "pass": bool(values) and max(values) < TARGET_LAG_S,
    }


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# -- the run ---------------------------------------------------------------------------------------------------


@contextmanager
def _ledger_and_store(url: str) -> Iterator[tuple[Any, Any]]:
    settings = Settings(database_url=url)
    ledger = build_ledger(settings, create_tables=True)
    store = open_read_store(settings)
    try:
        yield ledger, store
    finally:
        store.close()
        ledger.close()


def profile_rebuild(runner: ProjectionRunner, events: int) -> dict[str, Any]:
    """cProfile of ``runner.rebuild()`` over the first ``events`` events (stopped there): the top functions by
    own time, and the whole profile by own and by cumulative time in ``bench/results/``."""

    class _Enough(Exception):
        """Raised from the progress callback once ``events`` are done."""

    def stop_after(done: int, total: int) -> None:
        if done >= events:
            raise _Enough

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    try:
        with contextlib.suppress(_Enough):
            runner.rebuild(stop_after)
    finally:
        profiler.disable()
    seconds = time.perf_counter() - started
    top = io.StringIO()
    pstats.Stats(profiler, stream=top).sort_stats("tottime").print_stats(20)
    whole = io.StringIO()
    stats = pstats.Stats(profiler, stream=whole)
    stats.sort_stats("tottime").print_stats(60)
    stats.sort_stats("cumulative").print_stats(80)
    path = RESULTS_DIR / f"projections-profile-{runner.name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(whole.getvalue(), encoding="utf-8")
    lines = top.getvalue().splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    return {"events": events, "seconds_under_profiler": seconds, "top": lines[first:], "file": str(path)}


def run(plan: Plan, *, together: bool = False, profile: bool = False) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {"plan": plan.name, "load_average_before": os.getloadavg(), "phases": {}}

    def phase(what: str) -> None:
        step(what)
        results["phases"][what] = {"at_s": round(time.monotonic() - started, 1), "load_average": os.getloadavg()}

    with scratch_database("caseledger_bench") as url, _ledger_and_store(url) as (ledger, store):
        results["machine"] = machine(url)
        results["postgres_planner_settings"] = postgres_settings(url, PLANNER_SETTINGS)
        results["code"] = code_version()
        phase(f"writing a log of {plan.events:,} events")
        results["generation"] = generate(url, plan)
        results["log"] = log_shape(url, ledger.recorder.events_table_name)
        head = ledger.log_position()
        results["log"]["head"] = head
        phase("reading the log")
        raw = read_log(ledger, decode=False)
        decoded = read_log(ledger, decode=True)
        results["read"] = {"raw": raw, "decoded": decoded}
        rates = {"raw": raw["per_s"], "decoded": decoded["per_s"]}
        found = build_projections(ledger, store)
        results["projections"] = list(found)
        runners = [ProjectionRunner(ledger, store, p) for p in found.values()]
        rebuilds = []
        for runner in runners:
            phase(f"rebuilding {runner.name}")
            rebuilds.append(rebuild_one(runner, rates))
            print(f"  {runner.name}: {rebuilds[-1]['per_s']:,.0f} events/s", file=sys.stderr)
        total_seconds = sum(r["seconds"] for r in rebuilds)
        results["rebuild"] = rebuilds
        results["rebuild_all_in_turn"] = {"seconds": total_seconds, "log_events_per_s": head / total_seconds}
        if together and len(runners) > 1:
            phase("rebuilding every projection at once")
            results["rebuild_together"] = rebuild_together(runners, head)
        phase("queries")
        queues, statistics = queues_and_statistics(found)
        results["queries_as_rebuilt"] = query_latencies(queues, statistics, AS_REBUILT_REPEATS, AS_REBUILT_SECONDS_CAP)
        phase("VACUUM ANALYZE")
        results["vacuum_analyze"] = vacuum_analyze(url, list(found.values()))
        phase("queries after VACUUM ANALYZE")
        results["queries"] = query_latencies(queues, statistics, plan.query_repeats)
        phase(f"steady load: {LAG_RATE:.0f} commands/s for {plan.lag_seconds:.0f} s")
        results["lag"] = steady_load(ledger, url, runners, plan)
        if profile:
            results["profile"] = {}
            for runner, rebuilt in zip(runners, rebuilds, strict=True):
                if rebuilt["per_s"] < TARGET_REBUILD_PER_S:
                    phase(f"profiling the rebuild of {runner.name}")
                    results["profile"][runner.name] = profile_rebuild(runner, min(PROFILE_EVENTS, head))
    results["targets"] = {
        "rebuild_per_s": TARGET_REBUILD_PER_S,
        "query_p95_ms": TARGET_QUERY_P95_MS,
        "lag_max_s": TARGET_LAG_S,
        "rss_growth_after_10pct": TARGET_RSS_GROWTH,
    }
    results["total_seconds"] = time.monotonic() - started
    results["load_average_after"] = os.getloadavg()
    return results


# -- the report --------------------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict[str, Any]) -> str:
    m, g, log, read = results["machine"], results["generation"], results["log"], results["read"]
    changed = results["code"]["changed_outside_bench"]
    lines = [
        f"projections benchmark ({results['plan']}), {m['date']}, {m['cpus']} CPUs, Python {m['python']}, "
        f"psycopg {m['psycopg']} ({m['psycopg_impl']}), {m['postgres'].split(' on ')[0]}",
        f"code: {results['code']['commit']}"
        + (f", with uncommitted changes to {', '.join(changed)}" if changed else ""),
        "postgres: "
        + ", ".join(f"{k} {v}" for k, v in {**m["postgres_settings"], **results["postgres_planner_settings"]}.items()),
        "",
        f"log: {log['events']:,} events (mean state {log['mean_state_bytes']:.0f} bytes, table "
        f"{log['table_bytes'] / 1e6:,.0f} MB), {g['first_day']} to {g['last_event'][:10]}; "
        + ", ".join(f"{n:,} {k}s" for k, n in g["records"].items()),
        f"  completed records: {g['completed_events_per_case']:.1f} events over {g['completed_days_per_case']:.0f}"
        f" days each; {g['stalled']:,} stalled part-way, {g['in_progress_at_end']:,} in progress at the end",
        f"  written at {g['per_s']:,.0f} events/s by {g['processes']} processes ({g['seconds']:.0f} s, of which"
        f" ledger.save {'+'.join(str(s) for s in g['save_seconds_per_process'])} s;"
        f" {g['transactions']:,} transactions of {g['events_per_transaction']:.0f} events)",
        "",
        f"reading the whole log, pages of {READ_PAGE}:",
        f"  raw select_notifications      {read['raw']['per_s']:>9,.0f} events/s ({read['raw']['mb_per_s']:.0f} MB/s)",
        f"  + mapper.to_domain_event      {read['decoded']['per_s']:>9,.0f} events/s",
        "",
        f"rebuild (target ≥ {TARGET_REBUILD_PER_S:,} events/s; memory flat: end ≤ {TARGET_RSS_GROWTH:.2f} × after 10%)",
        f"  {'projection':14} {'events/s':>9} {'÷ raw':>6} {'÷ dec.':>6} {'seconds':>8}  {'RSS MB: before':>14}"
        f" {'10%':>5} {'50%':>5} {'end':>5} {'peak':>5}  rate  memory",
    ]
    for r in results["rebuild"]:
        rss = r["rss"]
        lines.append(
            f"  {r['projection']:14} {r['per_s']:9,.0f} {r['ratio_to_raw_read']:6.3f} {r['ratio_to_decoded_read']:6.3f}"
            f" {r['seconds']:8.1f}  {rss['before_mb']:14.0f} {rss['after_10pct_mb']:5.0f} {rss['middle_mb']:5.0f}"
            f" {rss['end_mb']:5.0f} {rss['peak_mb']:5.0f}  {_verdict(r['per_s'] >= TARGET_REBUILD_PER_S)}"
            f"  {_verdict(rss['flat'])}"
        )
    turn = results["rebuild_all_in_turn"]
    lines.append(
        f"  all, one after the other: {turn['seconds']:.1f} s, {turn['log_events_per_s']:,.0f} log events/s"
        f"  {_verdict(turn['log_events_per_s'] >= TARGET_REBUILD_PER_S)}"
    )
    together = results.get("rebuild_together")
    if together:
        rss = together["rss"]
        lines.append(
            f"  all at once, a thread each: {together['seconds']:.1f} s, {together['log_events_per_s']:,.0f} log"
            f" events/s, RSS {rss['after_10pct_mb']:.0f} → {rss['end_mb']:.0f} MB (peak {rss['peak_mb']:.0f})"
            f"  {_verdict(together['log_events_per_s'] >= TARGET_REBUILD_PER_S)}  {_verdict(rss['flat'])}"
            + (f"  errors: {together['errors']}" if together["errors"] else "")
        )
    for r in results["rebuild"]:
        lines.append(f"  {r['projection']}: events/s by tenth of the log: {', '.join(map(str, r['rate_by_tenth']))}")
    lines.append("  where a rebuild's time goes, µs per event:")
    names = list(dict.fromkeys(k for r in results["rebuild"] for k in r["breakdown_us_per_event"]))
    lines.append(f"    {'':32}" + "".join(f" {r['projection'][:12]:>12}" for r in results["rebuild"]))
    for name in names:
        lines.append(
            f"    {name:32}"
            + "".join(
                f" {r['breakdown_us_per_event'][name]:12.1f}" if name in r["breakdown_us_per_event"] else f" {'':>12}"
                for r in results["rebuild"]
            )
        )
    vacuum = results["vacuum_analyze"]
    dead = ", ".join(
        f"{t} {v['dead_before']:,} dead / {v['live']:,} live, {v.get('mean_row_bytes', 0):,} B a row"
        for t, v in vacuum["tables"].items()
        if v["live"] > 1000
    )
    lines += [
        "",
        f"queries (target p95 ≤ {TARGET_QUERY_P95_MS:.0f} ms for queues and statistics; ms): as the rebuild left"
        f" the tables, then after VACUUM ANALYZE ({vacuum['seconds']:.1f} s; before it: {dead})",
        f"  {'':34} {'as rebuilt: n':>13} {'p50':>7} {'p95':>7} | {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}",
    ]
    for name, q in results["queries"].items():
        verdict = "" if q["group"] == "list" else _verdict(q["pass"])
        before = results["queries_as_rebuilt"][name]
        lines.append(
            f"  {name:34} {before['repeats']:13d} {before['p50_ms']:7.1f} {before['p95_ms']:7.1f} |"
            f" {q['repeats']:4d} {q['p50_ms']:7.1f} {q['p95_ms']:7.1f} {q['p99_ms']:7.1f} {q['max_ms']:7.1f}  {verdict}"
        )
    lag = results["lag"]
    cores = lag["cores_used"]
    lines += [
        "",
        f"lag under a steady load (target: every command applied within {TARGET_LAG_S:.0f} s)",
        f"  {lag['commands']:,} commands in {lag['seconds']:.1f} s from {lag['processes']} processes ×"
        f" {lag['threads'] // lag['processes']} threads: {lag['per_s']:.1f}/s"
        f" of {lag['target_rate']:.0f}/s scheduled ({'sustained' if lag['sustained'] else 'NOT sustained'});"
        f" {lag['errors']} errors; lateness p95 {lag['schedule_lateness_p95_ms']:.0f} ms;"
        f" command p50 {lag['all_commands_latency']['p50_ms']:.1f} ms, p99 {lag['all_commands_latency']['p99_ms']:.1f}"
        f" ms; cores: " + ", ".join(f"{k} {v:.2f}" for k, v in cores.items()),
    ]
    for name, value in lag["lag"].items():
        lines.append(
            f"  {name:14} applied {value['applied']:6,}  p50 {value['p50_s'] * 1000:6.0f} ms"
            f"  p95 {value['p95_s'] * 1000:6.0f} ms  p99 {value['p99_s'] * 1000:6.0f} ms"
            f"  max {value['max_s'] * 1000:6.0f} ms"
            f"  {_verdict(value['pass'])}"
        )
    if lag["first_errors"]:
        lines.append(f"  errors, e.g. {lag['first_errors'][:2]}")
    measured = ", ".join(results["projections"])
    before, after = results["load_average_before"], results["load_average_after"]
    lines += [
        "",
        f"projections: {measured}",
        f"total {results['total_seconds']:.0f} s; load average (1 min) {before[0]:.2f} before, {after[0]:.2f} after;"
        " at the start of each phase: "
        + ", ".join(f"{v['load_average'][0]:.1f} ({k.split(':')[0]})" for k, v in results["phases"].items()),
    ]
    for name, found in results.get("profile", {}).items():
        lines += ["", f"cProfile of rebuilding {name}, first {found['events']:,} events (whole: {found['file']}):"]
        lines += [f"  {line}" for line in found["top"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.projections", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (50,000 events, 10 s of load)")
    parser.add_argument("--together", action="store_true", help="also rebuild every projection at once, a thread each")
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"also profile each rebuild under target (first {PROFILE_EVENTS:,} events)",
    )
    args = parser.parse_args(argv)
    results = run(QUICK if args.quick else FULL, together=args.together, profile=args.profile)
    path = write_results("projections", results)
    print(report(results))
    print(f"\nwritten to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
