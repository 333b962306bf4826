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
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.common import caseledger, code_version, machine, scratch_database, step, write_results
from bench.filing_http import CLIENTS, serve_and_file
from bench.filing_inprocess import event_sizes, in_process
from bench.filing_raw import RAW_DDL, RAW_PAYLOAD_BYTES, raw_inserts
from bench.filing_report import TARGET_P99_MS, TARGET_RATIO, report

CLERK = "bench_clerk"


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
            http_runs.append(
                serve_and_file(
                    env, url, token, workers, threads, warmup=plan.warmup, alone_count=plan.alone, filings=plan.filings
                )
            )
        step("raw inserts again")
        raw[f"{CLIENTS}_after"] = raw_inserts(url, plan.filings, CLIENTS, payload=payload)
        step("in-process")
        inproc = in_process(url, token, plan.in_process, plan.saves)
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
