"""Lag under a steady load: every runner following the log in a thread of this process (``run_forever``,
woken by PostgreSQL ``NOTIFY``), as the worker runs them, while :data:`DRIVER_PROCESSES` other processes of
:data:`DRIVER_THREADS` threads each (as a web server's) drive :data:`LAG_RATE` commands/s on one schedule
(complaints and disputes filed and taken through their steps by the ``CaseLedger`` use cases); an observer
polls the tracking table every :data:`OBSERVER_INTERVAL_S` and takes, for each command, the time from its
commit until each projection's position reaches the command's log position."""

from __future__ import annotations

import itertools
import multiprocessing
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg

from application.config import Settings
from application.ledger import CaseLedger
from bench.common import cpu_seconds, cpu_used, latency_summary_ms, percentile
from bootstrap.ledger import build_ledger
from demo.office import CLERK, SUPERVISOR, handler
from demo.text import CITY
from domain.outcomes import Finding, PartyRole, Performance, ReplyOpinion, Satisfaction, SessionOutcome
from domain.time import local_date
from domain.values import Location, Party
from projections.runner import ProjectionRunner

TARGET_LAG_S = 1.0
LAG_RATE = 200.0
DRIVER_PROCESSES, DRIVER_THREADS = 2, 4  # the steady load comes from other processes, as from a web server's
OBSERVER_INTERVAL_S = 0.005
MEDIATION = "人民调解委员会"


class _Script:
    """One driver thread's cases: the next command of its current case, a complaint or a dispute."""

    def __init__(self, ledger: CaseLedger, thread: int, rng: random.Random) -> None:
        self.ledger, self.thread, self.rng = ledger, thread, rng
        self.clerk, self.supervisor = CLERK, SUPERVISOR
        self.city, self.mediation = handler(CITY), handler(MEDIATION)
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
        yield "dispatch_complaint", lambda: self._run(ledger.dispatch_complaint, sup, CITY, [])
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
        yield "assign_mediator", lambda: self._run(ledger.assign_mediator, sup, "叶海燕", MEDIATION)
        yield "investigate_dispute", lambda: self._run(ledger.investigate_dispute, med, "走访双方当事人")
        today = local_date(datetime.now(UTC))
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


def steady_load(ledger: CaseLedger, url: str, runners: Sequence[ProjectionRunner], seconds: float) -> dict[str, Any]:
    """Runners following the log in threads of this process (as the worker runs them) while commands arrive at
    :data:`LAG_RATE` per second for ``seconds`` from other processes (as from the web server's)."""
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
    total = int(LAG_RATE * seconds)
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
