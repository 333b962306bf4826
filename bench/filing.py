"""Filing throughput and latency through the real server on PostgreSQL, against a raw psycopg insert loop.

Run ``python -m bench.filing [--quick]``. In one run, on one scratch database:

1. a raw psycopg single-row INSERT loop (one transaction per row) into a table shaped like the event
   table, from 1 and from 10 threads, and the same from 10 threads with the library's ``LOCK TABLE`` +
   ``NOTIFY`` around each insert;
2. ``POST /api/complaints`` through ``caseledger serve`` (gunicorn gthread) from 10 keep-alive clients,
   for each worker × thread setting, plus one client alone to see the uncontended latency;
3. where the time goes: ``CaseLedger.authenticate`` and ``CaseLedger.file_complaint`` in-process (no
   HTTP; one thread with a breakdown by step, then 10 threads counting conflicts on the case-number
   counter), and ``Application.save()`` of a trivial aggregate (the library's recorder alone).

Prints a table with the ratio of the filing rate to the raw 10-thread insert rate and PASS/MISS against
the targets, and writes everything to ``bench/results/filing.json``.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from bench.common import (
    RESULTS_DIR,
    Server,
    ServerLog,
    caseledger,
    cpu_seconds,
    cpu_used,
    latency_summary_ms,
    machine,
    scratch_database,
    write_results,
)

CLIENTS = 10
TARGET_RATIO = 0.4
TARGET_P99_MS = 50.0
CLERK = "bench_clerk"

COMPLAINT: dict[str, Any] = {
    "category": "breakfast_stalls",
    "channel": "hotline",
    "location": {"village": "新河社区", "address": "人民医院北门", "grid_cell": "XH-07"},
    "description": "医院北门早餐摊点占道经营，影响救护车通行",
    "parties": [{"role": "complainant", "name": "王秀兰", "phone": "13800000000"}],
}


@dataclass(frozen=True)
class Plan:
    name: str
    filings: int  # HTTP filings per server setting, and raw inserts per baseline
    warmup: int  # HTTP filings before measuring (not counted)
    alone: int  # HTTP filings from one client alone
    servers: tuple[tuple[int, int], ...]  # (workers, threads)
    in_process: int  # in-process authentications and filings
    saves: int  # trivial aggregate saves


FULL = Plan("full", filings=3000, warmup=100, alone=300, servers=((2, 4), (4, 4)), in_process=500, saves=1500)
QUICK = Plan("quick", filings=300, warmup=30, alone=50, servers=((2, 4),), in_process=100, saves=300)


# -- the raw baseline ---------------------------------------------------------------------------------

RAW_TABLE = "bench_raw_inserts"
RAW_DDL = f"""
CREATE TABLE {RAW_TABLE} (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX {RAW_TABLE}_notification_id ON {RAW_TABLE} (notification_id ASC)
"""
RAW_INSERT = f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
RAW_TOPIC = "domain.complaint:Complaint.Registered"
RAW_PAYLOAD_BYTES = 1100  # about the size of a Complaint.Registered event's state


def raw_inserts(url: str, rows: int, threads: int, *, around: str = "", payload: bytes) -> dict[str, Any]:
    """``rows`` single-row inserts, one transaction each, shared among ``threads`` connections.

    ``around="lock+notify"`` wraps each insert as the eventsourcing recorder does: in one pipelined
    transaction, ``LOCK TABLE … IN EXCLUSIVE MODE`` and ``NOTIFY`` before the insert; ``"notify"`` sends
    the ``NOTIFY`` alone (a notifying transaction takes a database-wide lock while it commits).
    """
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    connections = [psycopg.connect(url, autocommit=True) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def run(conn: psycopg.Connection[Any]) -> None:
        mine: list[float] = []
        barrier.wait()
        while True:
            with lock:
                i = next(counter)
            if i >= rows:
                break
            started = time.perf_counter()
            try:
                if around:
                    with conn.pipeline(), conn.transaction():
                        if "lock" in around:
                            conn.execute("SET LOCAL lock_timeout = '0s'", prepare=True)
                            conn.execute(f"LOCK TABLE {RAW_TABLE} IN EXCLUSIVE MODE", prepare=True)
                        conn.execute(f"NOTIFY {RAW_TABLE}")
                        conn.execute(RAW_INSERT, (uuid.uuid4(), 1, RAW_TOPIC, payload), prepare=True)
                else:
                    conn.execute(RAW_INSERT, (uuid.uuid4(), 1, RAW_TOPIC, payload), prepare=True)
            except psycopg.Error as error:
                errors.append(repr(error))
                continue
            mine.append(time.perf_counter() - started)
        latencies.extend(mine)

    workers = [threading.Thread(target=run, args=(conn,), daemon=True) for conn in connections]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    for conn in connections:
        conn.close()
    return {
        "threads": threads,
        "around": around or "nothing",
        "rows": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": wall,
        "per_s": len(latencies) / wall,
        **latency_summary_ms(latencies),
    }


# -- HTTP ---------------------------------------------------------------------------------------------


@dataclass
class HttpRun:
    label: str
    clients: int
    requests: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of 201 responses
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # bodies of unexpected responses

    def summary(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "clients": self.clients,
            "requests": self.requests,
            "seconds": self.seconds,
            "filed": self.statuses.get(201, 0),
            "per_s": self.statuses.get(201, 0) / self.seconds if self.seconds else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "transport_errors": len(self.transport_errors),
            "first_transport_errors": self.transport_errors[:5],
            "unexpected_samples": self.samples[:5],
            **latency_summary_ms(self.latencies),
        }


class _Client:
    """One client thread's keep-alive connection, filing complaints until the shared counter runs out."""

    def __init__(self, port: int, token: str, label: str) -> None:
        self.port = port
        self.label = label
        self.body = json.dumps(COMPLAINT, ensure_ascii=False).encode("utf-8")
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.run = HttpRun(label, 0, 0)  # this client's share, merged by the caller
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def file(self, key: str) -> None:
        started = time.perf_counter()
        try:
            self.conn.request(
                "POST", "/api/complaints", body=self.body, headers=self.headers | {"Idempotency-Key": key}
            )
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.run.transport_errors.append(f"after {time.perf_counter() - started:.3f} s: {error!r}")
            self.conn.close()
            self.conn = self._connect()
            return
        elapsed = time.perf_counter() - started
        self.run.statuses[response.status] += 1
        if response.status == 201:
            self.run.latencies.append(elapsed)
        elif len(self.run.samples) < 3:
            text = data[:300].decode(errors="replace")
            self.run.samples.append(f"{response.status} after {elapsed * 1000:.0f} ms: {text}")
        if response.will_close:
            self.conn.close()
            self.conn = self._connect()


def file_over_http(port: int, token: str, requests: int, clients: int, label: str) -> HttpRun:
    """``requests`` POST /api/complaints from ``clients`` threads, one keep-alive connection each."""
    run_id = uuid.uuid4().hex[:8]
    threads = [_Client(port, token, label) for _ in range(clients)]

    def one(i: int, thread: int) -> None:
        threads[thread].file(f"bench-{label}-{run_id}-{i}")

    seconds, _, _ = _in_threads(requests, clients, one)
    result = HttpRun(label, clients, requests, seconds)
    for client in threads:
        client.conn.close()
        result.latencies.extend(client.run.latencies)
        result.statuses.update(client.run.statuses)
        result.transport_errors.extend(client.run.transport_errors)
        result.samples.extend(client.run.samples)
    return result


def pg_counters(url: str) -> dict[str, int]:
    """Committed and rolled-back transactions of this database (a conflicting save rolls back)."""
    time.sleep(1.5)  # backends flush their statistics at most once a second, when idle
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return {"commits": int(row[0]), "rollbacks": int(row[1])}


def serve_and_file(env: dict[str, str], url: str, token: str, plan: Plan, workers: int, threads: int) -> dict[str, Any]:
    """Start the server, warm it up, file from one client alone, then from all of them; read its log."""
    log_path = RESULTS_DIR / f"filing-server-{workers}x{threads}.log"
    alone: HttpRun | None = None
    summary: dict[str, Any] = {"workers": workers, "threads": threads}
    with Server(env, workers, threads, log_path) as server:
        file_over_http(server.port, token, plan.warmup, CLIENTS, f"warmup{workers}x{threads}")
        if plan.alone:
            alone = file_over_http(server.port, token, plan.alone, 1, f"alone{workers}x{threads}")
        with _db_delta(url, summary):
            cpu_before = cpu_seconds(server.session)
            run = file_over_http(server.port, token, plan.filings, CLIENTS, f"run{workers}x{threads}")
            summary["cores_used"] = cpu_used(cpu_before, cpu_seconds(server.session), run.seconds)
    log = ServerLog.read(log_path)
    return (
        summary
        | run.summary()
        | {
            "alone": alone.summary() if alone else None,
            "server_log": {
                "path": str(log_path),
                "statuses": log.statuses,
                "tracebacks": log.tracebacks,
                "worker_timeouts": log.worker_timeouts,
                "error_lines": log.error_lines,
            },
        }
    )


# -- in-process ---------------------------------------------------------------------------------------


class _Timers:
    """Wraps methods of live objects to add up the time spent in each (single-threaded use only)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: Counter[str] = Counter()
        self._installed: list[tuple[object, str]] = []

    def wrap(self, obj: object, attribute: str, name: str | Callable[..., str]) -> None:
        original: Callable[..., Any] = getattr(obj, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = name if isinstance(name, str) else name(*args, **kwargs)
                self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started
                self.calls[key] += 1

        setattr(obj, attribute, timed)
        self._installed.append((obj, attribute))

    def remove(self) -> None:
        for obj, attribute in reversed(self._installed):
            vars(obj).pop(attribute, None)
        self._installed.clear()


class _Tick(Aggregate):
    """The most trivial aggregate: one creation event with no attributes."""


class _TickLog(Application[uuid.UUID]):
    name = "BenchTicks"


def _complaint_arguments() -> dict[str, Any]:
    """The same complaint as the HTTP body, as the domain's values (what the web schema hands the ledger)."""
    from domain.outcomes import PartyRole
    from domain.values import Location, Party

    return {
        "category": COMPLAINT["category"],
        "channel": COMPLAINT["channel"],
        "location": Location(**COMPLAINT["location"]),
        "description": COMPLAINT["description"],
        "parties": [
            Party(role=PartyRole.parse(p["role"], "role"), **{k: v for k, v in p.items() if k != "role"})
            for p in COMPLAINT["parties"]
        ],
    }


def _in_threads(total: int, threads: int, one: Callable[[int, int], object]) -> tuple[float, list[float], list[str]]:
    """Call ``one(i, thread)`` for i in range(total) from ``threads`` threads; the wall time and each latency."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(threads + 1)

    def run(thread: int) -> None:
        mine: list[float] = []
        barrier.wait()
        while True:
            with lock:
                i = next(counter)
            if i >= total:
                break
            started = time.perf_counter()
            try:
                one(i, thread)
            except Exception as error:
                errors.append(repr(error))
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run, args=(t,), daemon=True) for t in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, latencies, errors


def _rate(label: str, total: int, threads: int, one: Callable[[int, int], object]) -> dict[str, Any]:
    seconds, latencies, errors = _in_threads(total, threads, one)
    return {
        "label": label,
        "threads": threads,
        "done": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": seconds,
        "per_s": len(latencies) / seconds if seconds else 0.0,
        **latency_summary_ms(latencies),
    }


@contextmanager
def _ledger(url: str) -> Iterator[Any]:
    from application.config import Settings
    from bootstrap.ledger import build_ledger

    ledger = build_ledger(Settings(database_url=url))
    try:
        yield ledger
    finally:
        ledger.close()


@contextmanager
def _db_delta(url: str, into: dict[str, Any]) -> Iterator[None]:
    before = pg_counters(url)
    yield
    after = pg_counters(url)
    into["db_commits"] = after["commits"] - before["commits"]
    into["db_rollbacks"] = after["rollbacks"] - before["rollbacks"]


def _filing_breakdown(ledger: Any, n: int, file_one: Callable[[int, int], object]) -> dict[str, Any]:
    """``n`` filings from one thread, timing the steps of ``Filing.file_case``."""
    timers = _Timers()
    timers.wrap(ledger, "file_complaint", "file_complaint (all)")
    timers.wrap(ledger, "exists", "exists(case)")
    timers.wrap(ledger.numbers, "next", "numbers.next")
    timers.wrap(ledger, "load", lambda cls, aid, what: f"load({cls.__name__})")
    timers.wrap(ledger, "save", "save (all)")
    timers.wrap(ledger.recorder, "insert_events", "save: recorder.insert_events")
    try:
        result = _rate("file_complaint", n, 1, file_one)
    finally:
        timers.remove()
    result["breakdown_ms_per_filing"] = {k: round(v / n * 1000, 3) for k, v in sorted(timers.seconds.items())}
    result["calls_per_filing"] = {k: round(v / n, 3) for k, v in sorted(timers.calls.items())}
    return result


def _filings_counting_conflicts(
    ledger: Any, url: str | None, n: int, threads: int, file_one: Callable[[int, int], object]
) -> dict[str, Any]:
    """``n`` filings from ``threads`` threads, counting the saves that conflicted and were retried."""
    from application.errors import Conflict

    attempts = Counter[str]()
    lock = threading.Lock()
    original_commit = ledger.commit

    def counting_commit(*aggregates: Any) -> Any:
        try:
            outcome = original_commit(*aggregates)
        except Conflict:
            with lock:
                attempts["conflicts"] += 1
            raise
        with lock:
            attempts["commits"] += 1
        return outcome

    ledger.commit = counting_commit
    result: dict[str, Any] = {}
    try:
        if url is None:
            result |= _rate("file_complaint", n, threads, file_one)
        else:  # the database's own count of rolled-back transactions, to check the HTTP runs' figure against
            with _db_delta(url, result):
                result |= _rate("file_complaint", n, threads, file_one)
    finally:
        vars(ledger).pop("commit", None)
    return result | {"commits": attempts["commits"], "conflicts": attempts["conflicts"]}


def in_process(url: str, token: str, plan: Plan) -> dict[str, Any]:
    """Authentication and filing without HTTP, with a breakdown; then the library's recorder alone."""
    n = plan.in_process
    results: dict[str, Any] = {}
    arguments = _complaint_arguments()
    tag = uuid.uuid4().hex[:8]
    shanghai = ZoneInfo("Asia/Shanghai")
    with _ledger(url) as ledger:
        actor = ledger.authenticate(token, "bench")
        if actor is None:
            raise RuntimeError("the bench token does not authenticate in-process")

        def file_one(prefix: str) -> Callable[[int, int], object]:
            return lambda i, thread: ledger.file_complaint(f"inproc-{prefix}-{tag}-{i}", actor, **arguments)

        # years the ledger can file in (those with a working-day calendar, not in the future), one per thread
        this_year = datetime.now(shanghai).year
        years = sorted(y for y in ledger.calendar.years if y <= this_year)[-CLIENTS:]

        def file_in_year(same: bool) -> Callable[[int, int], object]:
            def one(i: int, thread: int) -> object:
                year = years[-1] if same else years[thread]
                at = min(datetime(year, 6, 1, 10, tzinfo=shanghai), datetime.now(shanghai) - timedelta(minutes=1))
                key = f"inproc-{'same' if same else 'own'}-{tag}-{i}"
                return ledger.file_complaint(key, actor, at=at, **arguments)

            return one

        results["authenticate"] = _rate("authenticate", n, 1, lambda i, t: ledger.authenticate(token, "bench"))
        _in_threads(20, 1, file_one("warm"))  # caches and prepared statements
        results["file_complaint_1"] = _filing_breakdown(ledger, n, file_one("one"))
        results[f"file_complaint_{CLIENTS}"] = _filings_counting_conflicts(ledger, url, n, CLIENTS, file_one("many"))
        if len(years) > 1:
            results["file_complaint_same_year"] = _filings_counting_conflicts(
                ledger, None, n, len(years), file_in_year(same=True)
            )
            results["file_complaint_own_year"] = _filings_counting_conflicts(
                ledger, None, n, len(years), file_in_year(same=False)
            )
    results |= trivial_saves(url, plan.saves)
    return results


TRIVIAL_VARIANTS: dict[str, dict[str, str]] = {
    "": {},  # the ledger's own persistence settings
    "_no_pre_ping": {"POSTGRES_PRE_PING": "n"},
    "_db_function": {"POSTGRES_ENABLE_DB_FUNCTIONS": "y"},
}


def _saver(ticks: _TickLog) -> Callable[[int, int], object]:
    return lambda i, thread: ticks.save(_Tick())


def trivial_saves(url: str, n: int) -> dict[str, Any]:
    """The library's write path alone: ``Application.save()`` of a new trivial aggregate, one event each,
    with the ledger's persistence settings, without the pool's pre-ping, and with the library's optional
    insert function (one round trip: ``NOTIFY`` + ``INSERT`` in a PL/pgSQL function, no ``LOCK TABLE``)."""
    from application.config import Settings
    from bootstrap.ledger import library_env

    results: dict[str, Any] = {}
    for suffix, overrides in TRIVIAL_VARIANTS.items():
        env = library_env(Settings(database_url=url)) | {"CREATE_TABLE": "y"} | overrides
        ticks = _TickLog(env=env)
        save = _saver(ticks)
        try:
            _in_threads(20, 1, save)
            label = f"save(trivial aggregate){suffix.replace('_', ' ')}"
            for threads in (1, CLIENTS) if not suffix else (CLIENTS,):
                results[f"save_trivial_{threads}{suffix}"] = _rate(label, n, threads, save)
        finally:
            ticks.close()
    return results


def event_sizes(url: str) -> dict[str, float]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT topic, avg(length(state))::float, count(*) FROM caseledger_events GROUP BY topic ORDER BY 3 DESC"
        ).fetchall()
    return {str(topic): round(float(size), 1) for topic, size, _ in rows}


# -- the run ------------------------------------------------------------------------------------------


def run(plan: Plan) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {"plan": plan.name, "clients": CLIENTS, "load_average_before": os.getloadavg()}
    with scratch_database("caseledger_bench") as url:
        results["machine"] = machine(url)
        results["code"] = code_version()
        env = dict(os.environ) | {"CASELEDGER_DATABASE_URL": url}
        env.pop("CASELEDGER_RULES_FILE", None)
        caseledger(env, "db", "init")
        caseledger(env, "users", "add", CLERK, "--role", "clerk", "--unit", "受理窗口")
        token = caseledger(env, "tokens", "issue", CLERK, "--label", "bench").strip()

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(RAW_DDL)
        payload = os.urandom(RAW_PAYLOAD_BYTES)
        step("raw inserts")
        raw: dict[str, Any] = {}
        for threads, around in (
            (1, ""),
            (CLIENTS, ""),
            (1, "lock+notify"),
            (CLIENTS, "lock+notify"),
            (CLIENTS, "notify"),
        ):
            key = f"{threads}_{around}" if around else str(threads)
            raw[key] = raw_inserts(url, plan.filings, threads, around=around, payload=payload)
        http_runs = []
        for workers, threads in plan.servers:
            step(f"HTTP filings, {workers} workers × {threads} threads")
            http_runs.append(serve_and_file(env, url, token, plan, workers, threads))
        step("raw inserts again")
        raw[f"{CLIENTS}_after"] = raw_inserts(url, plan.filings, CLIENTS, payload=payload)
        step("in-process")
        inproc = in_process(url, token, plan)
        results["event_state_bytes"] = event_sizes(url)

    baseline = (raw[str(CLIENTS)]["per_s"] + raw[f"{CLIENTS}_after"]["per_s"]) / 2
    for row in [*raw.values(), *(v for v in inproc.values() if isinstance(v, dict))]:
        row["ratio_to_raw"] = row["per_s"] / baseline
    for http_run in http_runs:
        http_run["ratio_to_raw"] = http_run["per_s"] / baseline
        http_run["ratio_pass"] = http_run["ratio_to_raw"] >= TARGET_RATIO
        http_run["p99_pass"] = http_run["p99_ms"] <= TARGET_P99_MS
    results |= {
        "raw": raw,
        "raw_baseline_per_s": baseline,
        "http": http_runs,
        "in_process": inproc,
        "targets": {"ratio": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
        "total_seconds": time.monotonic() - started,
        "load_average_after": os.getloadavg(),
    }
    return results


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it (others edit concurrently)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=Path(__file__).parent)
        return done.stdout.rstrip("\n")

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if not line[3:].startswith("bench/")]
    commit = git("rev-parse", "--short", "HEAD") or os.environ.get(
        "BENCH_CODE_VERSION", "unknown (not a git work tree)"
    )
    return {"commit": commit, "changed_outside_bench": changed}


def step(what: str) -> None:
    print(f"· {what}", file=sys.stderr, flush=True)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"filing benchmark ({results['plan']}), {m['date']}, {m['cpus']} CPUs, Python {m['python']}, "
        f"psycopg {m['psycopg']} ({m['psycopg_impl']}), {m['postgres'].split(' on ')[0]}",
        f"code: {results['code']['commit']}"
        + (
            f", with uncommitted changes to {', '.join(changed)}"
            if (changed := results["code"]["changed_outside_bench"])
            else ""
        ),
        "",
        f"raw psycopg single-row INSERT ({RAW_PAYLOAD_BYTES}-byte state), one transaction each",
        f"  {'':40} {'rows/s':>9} {'÷ raw':>6} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    raw = results["raw"]
    for key, label in (
        ("1", "1 thread"),
        (str(CLIENTS), f"{CLIENTS} threads"),
        (f"{CLIENTS}_after", f"{CLIENTS} threads, after the HTTP runs"),
        ("1_lock+notify", "1 thread, + LOCK TABLE + NOTIFY"),
        (f"{CLIENTS}_lock+notify", f"{CLIENTS} threads, + LOCK TABLE + NOTIFY"),
        (f"{CLIENTS}_notify", f"{CLIENTS} threads, + NOTIFY only"),
    ):
        row = raw[key]
        lines.append(
            f"  {label:40} {row['per_s']:9.0f} {row['ratio_to_raw']:6.3f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f}"
        )
    lines += [
        f"  baseline = mean of the two {CLIENTS}-thread runs: {results['raw_baseline_per_s']:.0f} rows/s",
        "",
        f"POST /api/complaints, {CLIENTS} keep-alive clients (ms; targets: ratio ≥ {TARGET_RATIO}, p99 ≤ "
        f"{TARGET_P99_MS:.0f} ms)",
        f"  {'server':8} {'filed':>6} {'non-201':>7} {'per s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
        f" {'ratio':>6} {'ratio':>5} {'p99':>5} {'rollbk':>6}  cores: server/postgres/bench",
    ]
    for r in results["http"]:
        bad = sum(v for k, v in r["statuses"].items() if k != "201") + r["transport_errors"]
        cores = r["cores_used"]
        lines.append(
            f"  {str(r['workers']) + '×' + str(r['threads']):8} {r['filed']:6d} {bad:7d} {r['per_s']:7.1f}"
            f" {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} {r['p99_ms']:7.1f} {r['max_ms']:7.0f} {r['ratio_to_raw']:6.3f}"
            f" {_verdict(r['ratio_pass']):>5} {_verdict(r['p99_pass']):>5} {r['db_rollbacks']:6d}"
            f"  {cores['server']:.2f}/{cores['postgres']:.2f}/{cores['bench']:.2f}"
        )
    for r in results["http"]:
        setting = f"{r['workers']}×{r['threads']}"
        if r["alone"]:
            a = r["alone"]
            lines.append(
                f"  {setting} one client alone: {a['per_s']:.1f} filings/s, p50 {a['p50_ms']:.1f} ms,"
                f" p99 {a['p99_ms']:.1f} ms"
            )
        log = r["server_log"]
        if log["tracebacks"] or log["worker_timeouts"] or log["error_lines"]:
            lines.append(
                f"  {setting} server log: {log['tracebacks']} tracebacks, {log['worker_timeouts']} worker timeouts,"
                f" e.g. {log['error_lines'][:2]}"
            )
        lines += [f"    {sample}" for sample in r["unexpected_samples"] + r["first_transport_errors"]]
    lines += ["", "where the time goes (in-process on the same database, no HTTP)"]
    lines.append(f"  {'':46} {'per s':>7} {'÷ raw':>6} {'p50 ms':>8} {'p99 ms':>8} {'commits':>8} {'conflicts':>9}")
    p = results["in_process"]
    for key, label in (
        ("authenticate", "authenticate (token + user)"),
        ("file_complaint_1", "file_complaint, 1 thread"),
        (f"file_complaint_{CLIENTS}", f"file_complaint, {CLIENTS} threads"),
        ("file_complaint_same_year", "file_complaint, {threads} threads, one year"),
        ("file_complaint_own_year", "file_complaint, {threads} threads, a year each"),
        ("save_trivial_1", "save(trivial aggregate), 1 thread"),
        (f"save_trivial_{CLIENTS}", f"save(trivial aggregate), {CLIENTS} threads"),
        (f"save_trivial_{CLIENTS}_no_pre_ping", f"  same, {CLIENTS} threads, no pool pre-ping"),
        (f"save_trivial_{CLIENTS}_db_function", f"  same, {CLIENTS} threads, library's insert function"),
    ):
        if key not in p:
            continue
        row = p[key]
        counts = f"{row['commits']:8d} {row['conflicts']:9d}" if "conflicts" in row else ""
        lines.append(
            f"  {label.format(threads=row['threads']):46} {row['per_s']:7.0f} {row['ratio_to_raw']:6.3f}"
            f" {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} {counts}"
        )
        if row["errors"]:
            lines.append(f"    {row['errors']} errors, e.g. {row['first_errors'][:1]}")
    single = p["file_complaint_1"]
    lines.append("  file_complaint, 1 thread, ms per filing (calls per filing):")
    lines += [
        f"    {k:34} {v:7.2f} ({single['calls_per_filing'][k]:.2f})"
        for k, v in single["breakdown_ms_per_filing"].items()
    ]
    before, after = results["load_average_before"], results["load_average_after"]
    lines.append(
        f"  total {results['total_seconds']:.0f} s; load average (1 min) {before[0]:.2f} before, {after[0]:.2f} after"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.filing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (one server setting, 300 filings)")
    args = parser.parse_args(argv)
    results = run(QUICK if args.quick else FULL)
    path = write_results("filing", results)
    print(report(results))
    print(f"\nwritten to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
