"""How fast ``caseledger audit verify`` re-walks the log.

Run ``python -m bench.verify [--quick]``. On each store (a scratch PostgreSQL database and a SQLite
file) it writes a log of realistic events through the chained recorder (in batches, so the setup is
quick), then times ``verify_log`` over the whole log, best of three. Target: at least 50,000 events
per second. Writes ``bench/results/verify.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from application.config import Settings
from audit.verify import Outcome, verify_log
from bench.common import machine, scratch_database, verdict, write_results
from bootstrap.ledger import open_event_store

TARGET_RATE = 50_000
BATCH = 1_000
TOPIC = "domain.complaint:Complaint.Registered"


def _state(i: int) -> bytes:
    """About the size of a filed complaint's stored state."""
    return json.dumps(
        {
            "number": f"TS-2025-{i:06d}",
            "description": "医院北门早餐摊点占道经营，影响救护车通行。" * 4,
            "location": {"village": "新河社区", "address": "人民医院北门", "grid_cell": "XH-07"},
            "actor": {"user_id": f"clerk-{i % 9}", "role": "clerk", "unit": "受理窗口"},
            "at": "2025-03-03T01:00:00+00:00",
        },
        ensure_ascii=False,
    ).encode()


def measure(url: str, events: int) -> dict[str, Any]:
    store = open_event_store(Settings(database_url=url), create_tables=True)
    try:
        started = time.perf_counter()
        for first in range(0, events, BATCH):
            batch = [StoredEvent(uuid4(), 1, TOPIC, _state(i)) for i in range(first, min(events, first + BATCH))]
            store.recorder.insert_events(batch)
        written = time.perf_counter() - started
        reports = [verify_log(store.recorder) for _ in range(3)]
    finally:
        store.close()
    assert all(r.outcome is Outcome.OK and r.events == events for r in reports)
    best = max(r.rate for r in reports)
    return {
        "events": events,
        "setup_seconds": written,
        "verify_seconds": [r.seconds for r in reports],
        "events_per_s": best,
        "pass": best >= TARGET_RATE,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller log")
    args = parser.parse_args(argv)
    events = 20_000 if args.quick else 200_000
    results: dict[str, Any] = {}
    with scratch_database("bench_verify") as url:
        results["machine"] = machine(url)
        results["postgres"] = measure(url, events)
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = measure(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", events)
    print(f"{'store':<10} {'events':>9} {'verify s':>9} {'events/s':>10}  target ≥ {TARGET_RATE:,}/s")
    for name in ("postgres", "sqlite"):
        r = results[name]
        timing = f"{min(r['verify_seconds']):>9.2f} {r['events_per_s']:>10,.0f}"
        print(f"{name:<10} {r['events']:>9,} {timing}  {verdict(r['pass'])}")
    path = write_results("verify", results)
    print(f"written to {path}")
    return 0 if all(results[s]["pass"] for s in ("postgres", "sqlite")) else 1


if __name__ == "__main__":
    sys.exit(main())
