"""Projections on PostgreSQL: rebuild rate against the raw log-read rate, query latency, lag under load.

Run ``python -m bench.projections [--quick] [--together] [--profile]``. In one run, on one scratch database:

1. a realistic log, written fast (:mod:`bench.office_log`): the demo office's complaints, disputes and
   enforcement cases (with a few tolerated-error rulings and clearings), in the demo year's mix, built as
   domain aggregates and taken through their lifecycles by a discrete-event simulation over the working
   days of 2024 to now (full) or of the last 60 days (quick), in two processes, each saving about 400
   events per transaction. A case's events are spread over the log among those of the other cases, as in
   life; a few cases stall part-way. Full: 1,000,000 events; quick: 50,000;
2. the raw log-read rate (:mod:`bench.rebuild`): the whole log through ``recorder.select_notifications``
   in pages of 1,000, without decoding, and again decoding each notification with
   ``ledger.mapper.to_domain_event``;
3. the rebuild rate (:mod:`bench.rebuild`): ``ProjectionRunner.rebuild`` of each projection alone (as
   ``caseledger projections rebuild`` does them, one after the other; the case index and the statistics
   replay the log aggregate by aggregate, the ruling index in log order), in events/s and as a ratio to the
   read rates, with where the time goes and the process's RSS. ``--together`` adds a rebuild of all of
   them at once, a thread each;
4. query latency on the rebuilt read models (:mod:`bench.queries`): first a short pass (20 each, at most
   3 s per kind) on the tables as the rebuild left them; then ``VACUUM ANALYZE`` of every projection table
   (timed) and the measured pass, 200 times each (quick: 50), at most 10 s per kind of query (a slower kind
   is run fewer times; the count is reported);
5. lag under a steady load (:mod:`bench.lag`) of 200 commands/s for 30 s (quick: 10 s).

The projections are the bootstrap's (:func:`bootstrap.read_side.build_read_models`). ``--profile`` adds,
after everything else, a cProfile of each rebuild under target over the first 100,000 events (it slows them
down, so it is never in the figures).

Prints a table with PASS/MISS against the targets (:mod:`bench.projections_report`) and writes
``bench/results/projections.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from application.config import Settings
from application.ledger import CaseLedger
from bench.common import code_version, machine, postgres_settings, scratch_database, step, write_results
from bench.lag import LAG_RATE, TARGET_LAG_S, steady_load
from bench.office_log import generate, log_shape
from bench.pages import TARGET_PAGE_P95_MS, page_latencies
from bench.projections_report import report
from bench.queries import TARGET_QUERY_P95_MS, query_latencies, vacuum_analyze
from bench.rebuild import (
    TARGET_REBUILD_PER_S,
    TARGET_RSS_GROWTH,
    profile_rebuild,
    read_log,
    rebuild_one,
    rebuild_together,
)
from bootstrap.ledger import build_ledger
from bootstrap.read_side import build_read_models
from projections.read_models import ReadModels

PROFILE_EVENTS = 100_000
AS_REBUILT_REPEATS, AS_REBUILT_SECONDS_CAP = 20, 3.0  # the short pass before VACUUM ANALYZE
PLANNER_SETTINGS = ["autovacuum", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather"]


@dataclass(frozen=True)
class Plan:
    name: str
    events: int  # log size
    window_days: int | None  # the log's span back from now; None: from 2024-01-02
    query_repeats: int  # per query kind
    lag_seconds: float  # steady load duration


FULL = Plan("full", events=1_000_000, window_days=None, query_repeats=200, lag_seconds=30.0)
QUICK = Plan("quick", events=50_000, window_days=60, query_repeats=50, lag_seconds=10.0)


@contextmanager
def _ledger_and_read_models(url: str) -> Iterator[tuple[CaseLedger, ReadModels]]:
    """The ledger on an empty store at ``url`` and the read models over it, closed afterwards."""
    ledger = build_ledger(Settings(database_url=url), create_tables=True)
    models = build_read_models(ledger)
    try:
        yield ledger, models
    finally:
        models.store.close()
        ledger.close()


def run(plan: Plan, *, together: bool = False, profile: bool = False) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {"plan": plan.name, "load_average_before": os.getloadavg(), "phases": {}}

    def phase(what: str) -> None:
        step(what)
        results["phases"][what] = {"at_s": round(time.monotonic() - started, 1), "load_average": os.getloadavg()}

    with scratch_database("caseledger_bench") as url, _ledger_and_read_models(url) as (ledger, models):
        results["machine"] = machine(url)
        results["postgres_planner_settings"] = postgres_settings(url, PLANNER_SETTINGS)
        results["code"] = code_version()
        phase(f"writing a log of {plan.events:,} events")
        results["generation"] = generate(url, plan.events, plan.window_days)
        results["log"] = log_shape(url, f"{ledger.name.lower()}_events")  # the library's name for it
        head = ledger.log_position()
        results["log"]["head"] = head
        phase("reading the log")
        raw = read_log(ledger, decode=False)
        decoded = read_log(ledger, decode=True)
        results["read"] = {"raw": raw, "decoded": decoded}
        rates = {"raw": raw["per_s"], "decoded": decoded["per_s"]}
        results["projections"] = list(models.runners)
        runners = list(models.runners.values())
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
        queues, statistics = models.queues, models.statistics
        results["queries_as_rebuilt"] = query_latencies(queues, statistics, AS_REBUILT_REPEATS, AS_REBUILT_SECONDS_CAP)
        phase("VACUUM ANALYZE")
        results["vacuum_analyze"] = vacuum_analyze(url, [r.projection for r in runners])
        phase("queries after VACUUM ANALYZE")
        results["queries"] = query_latencies(queues, statistics, plan.query_repeats)
        phase("console pages")
        results["pages"] = page_latencies(ledger, url, plan.query_repeats)
        phase(f"steady load: {LAG_RATE:.0f} commands/s for {plan.lag_seconds:.0f} s")
        results["lag"] = steady_load(ledger, url, runners, plan.lag_seconds)
        if profile:
            results["profile"] = {}
            for runner, rebuilt in zip(runners, rebuilds, strict=True):
                if rebuilt["per_s"] < TARGET_REBUILD_PER_S:
                    phase(f"profiling the rebuild of {runner.name}")
                    results["profile"][runner.name] = profile_rebuild(runner, min(PROFILE_EVENTS, head))
    results["targets"] = {
        "rebuild_per_s": TARGET_REBUILD_PER_S,
        "query_p95_ms": TARGET_QUERY_P95_MS,
        "page_p95_ms": TARGET_PAGE_P95_MS,
        "lag_max_s": TARGET_LAG_S,
        "rss_growth_after_10pct": TARGET_RSS_GROWTH,
    }
    results["total_seconds"] = time.monotonic() - started
    results["load_average_after"] = os.getloadavg()
    return results


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
