"""Query latency on the rebuilt read models: every work queue, the case listing with several filters and
the statistics indicators, with varied filters and pages; and ``VACUUM ANALYZE`` of the projections'
tables, with the dead row versions a rebuild left (what autovacuum would do in time; it is off on some
servers)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from bench.common import latency_summary_ms
from demo.text import BUILDING, CITY, VILLAGES
from domain.time import local_date
from projections.base import Projection
from projections.case_listing import CaseFilter
from projections.queues import QUEUES, QueueFilter, WorkQueues
from projections.statistics import Period, Statistics

TARGET_QUERY_P95_MS = 20.0
QUERY_SECONDS_CAP = 10.0  # per kind of query: a slow kind runs fewer than the planned repeats


def query_latencies(
    queues: WorkQueues, statistics: Statistics, repeats: int, cap_seconds: float = QUERY_SECONDS_CAP, seed: int = 7
) -> dict[str, dict[str, Any]]:
    """Each kind of query ``repeats`` times (at most ``cap_seconds``), with varied filters and pages."""
    rng = random.Random(seed)
    case_index = queues.case_index
    today = local_date(datetime.now(UTC))
    units = [CITY, f"{VILLAGES[0]}村民委员会", BUILDING, "街道人民调解委员会", "综治中心"]
    kinds: dict[str, Callable[[], object]] = {}

    def page() -> int:
        return rng.choice([1, 1, 1, 2, 3, 5, 10])

    def queue_query(name: str) -> Callable[[], object]:
        queue = QUEUES[name]

        def run() -> object:
            if queue.rulings:
                chosen = QueueFilter(unit=rng.choice([None, CITY]))
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
