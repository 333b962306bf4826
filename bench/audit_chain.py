"""What the hash chain costs on the write path, at one event per command.

Run ``python -m bench.audit_chain [--quick]``. In one run, on each store (a scratch PostgreSQL database
and a SQLite file), two applications save the same one-event aggregates through ``Application.save``:
one with the library's application recorder, one with the chained recorder. Rounds alternate between
the two so drift in the machine hits both alike; the figure is the ratio of their rates. Target: the
chain costs at most 15 %. Writes ``bench/results/audit_chain.json``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from application.config import Settings
from bench.common import machine, scratch_database, verdict, write_results
from bootstrap.ledger import library_env

TARGET_OVERHEAD = 0.15
NOTE = "夜间施工噪声扰民，已多次反映。" * 12


class Ticket(Aggregate):
    @event("Opened")
    def __init__(self, note: str, by: str) -> None:
        self.note = note
        self.by = by


class Plain(Application[Any]):
    name = "BenchPlain"


class Chained(Application[Any]):
    name = "BenchChained"


def _env(url: str, chained: bool) -> dict[str, str]:
    """The ledger's persistence settings for ``url`` (a file of its own on SQLite), with the chained recorder
    or with the library's own."""
    if url.startswith("sqlite"):
        url += "-chained" if chained else "-plain"
    env = library_env(Settings(database_url=url)) | {"CREATE_TABLE": "y"}
    if not chained:
        env.pop("APPLICATION_RECORDER_TOPIC")
    return env


def _round(app: Application[Any], saves: int) -> float:
    started = time.perf_counter()
    for i in range(saves):
        app.save(Ticket(NOTE, f"clerk-{i % 7}"))
    return saves / (time.perf_counter() - started)


def measure(url: str, rounds: int, saves: int) -> dict[str, Any]:
    plain = Plain(env=_env(url, chained=False))
    chained = Chained(env=_env(url, chained=True))
    try:
        _round(plain, 20), _round(chained, 20)
        rates: dict[str, list[float]] = {"plain": [], "chained": []}
        for n in range(rounds):
            order = [("plain", plain), ("chained", chained)]
            for label, app in order if n % 2 == 0 else reversed(order):
                rates[label].append(_round(app, saves))
    finally:
        plain.close()
        chained.close()
    plain_rate = sorted(rates["plain"])[len(rates["plain"]) // 2]
    chained_rate = sorted(rates["chained"])[len(rates["chained"]) // 2]
    overhead = 1 - chained_rate / plain_rate
    return {
        "saves_per_round": saves,
        "rounds": rounds,
        "plain_events_per_s": rates["plain"],
        "chained_events_per_s": rates["chained"],
        "plain_median": plain_rate,
        "chained_median": chained_rate,
        "overhead": overhead,
        "pass": overhead <= TARGET_OVERHEAD,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    args = parser.parse_args(argv)
    rounds, saves = (4, 150) if args.quick else (8, 400)
    results: dict[str, Any] = {}
    with scratch_database("bench_chain") as url:
        results["machine"] = machine(url)
        results["postgres"] = measure(url, rounds, saves)
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = measure(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", rounds, saves)
    print(f"{'store':<10} {'plain ev/s':>11} {'chained ev/s':>13} {'overhead':>9}  target ≤ {TARGET_OVERHEAD:.0%}")
    for store in ("postgres", "sqlite"):
        r = results[store]
        rates = f"{r['plain_median']:>11,.0f} {r['chained_median']:>13,.0f}"
        print(f"{store:<10} {rates} {r['overhead']:>9.1%}  {verdict(r['pass'])}")
    path = write_results("audit_chain", results)
    print(f"written to {path}")
    return 0 if all(results[s]["pass"] for s in ("postgres", "sqlite")) else 1


if __name__ == "__main__":
    sys.exit(main())
