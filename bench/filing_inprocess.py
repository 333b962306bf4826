"""Where a filing's time goes, in-process on the same database (no HTTP): ``CaseLedger.authenticate`` and
``CaseLedger.file_complaint`` with a breakdown by step, the conflicts on the case-number counter from
many threads, and ``Application.save()`` of a trivial aggregate (the library's recorder alone)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from application.config import Settings
from application.errors import Conflict
from bench.common import Timers, in_threads, latency_summary_ms
from bench.filing_http import CLIENTS, COMPLAINT, db_delta
from bootstrap.ledger import build_ledger, library_env
from domain.outcomes import PartyRole
from domain.values import Location, Party


class _Tick(Aggregate):
    """The most trivial aggregate: one creation event with no attributes."""


class _TickLog(Application[uuid.UUID]):
    name = "BenchTicks"


def _complaint_arguments() -> dict[str, Any]:
    """The same complaint as the HTTP body, as the domain's values (what the web schema hands the ledger)."""
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


def _rate(label: str, total: int, threads: int, one: Callable[[int, int], object]) -> dict[str, Any]:
    seconds, latencies, errors = in_threads(total, threads, one)
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
    ledger = build_ledger(Settings(database_url=url))
    try:
        yield ledger
    finally:
        ledger.close()


def _filing_breakdown(ledger: Any, n: int, file_one: Callable[[int, int], object]) -> dict[str, Any]:
    """``n`` filings from one thread, timing the steps of ``Filing.file_case``."""
    timers = Timers()
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
            with db_delta(url, result):
                result |= _rate("file_complaint", n, threads, file_one)
    finally:
        vars(ledger).pop("commit", None)
    return result | {"commits": attempts["commits"], "conflicts": attempts["conflicts"]}


def in_process(url: str, token: str, n: int, saves: int) -> dict[str, Any]:
    """Authentication and filing without HTTP, with a breakdown; then the library's recorder alone."""
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
        in_threads(20, 1, file_one("warm"))  # caches and prepared statements
        results["file_complaint_1"] = _filing_breakdown(ledger, n, file_one("one"))
        results[f"file_complaint_{CLIENTS}"] = _filings_counting_conflicts(ledger, url, n, CLIENTS, file_one("many"))
        if len(years) > 1:
            results["file_complaint_same_year"] = _filings_counting_conflicts(
                ledger, None, n, len(years), file_in_year(same=True)
            )
            results["file_complaint_own_year"] = _filings_counting_conflicts(
                ledger, None, n, len(years), file_in_year(same=False)
            )
    results |= trivial_saves(url, saves)
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
    results: dict[str, Any] = {}
    for suffix, overrides in TRIVIAL_VARIANTS.items():
        env = library_env(Settings(database_url=url)) | {"CREATE_TABLE": "y"} | overrides
        ticks = _TickLog(env=env)
        save = _saver(ticks)
        try:
            in_threads(20, 1, save)
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
