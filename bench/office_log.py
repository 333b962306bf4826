"""The benchmark's log: the demo office's work over the working days of a window, written fast.

Records arrive over the window's working days in office hours and each takes its course
(:mod:`bench.stories`, :mod:`bench.enforcement_stories`), interleaved in time order with the
others, in :data:`GENERATORS` processes, each saving about :data:`BATCH_EVENTS` events per transaction
with ``ledger.save(*aggregates)`` through the ledger's own (chained) recorder. A step that would fall
after the window's end is not taken, and a few records stall part-way: the backlog the queues show.
"""

from __future__ import annotations

import heapq
import itertools
import multiprocessing
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg

from application.config import Settings
from application.ledger import CaseLedger
from bench.desk import Desk, Story, Track, Wait
from bench.enforcement_stories import clearing, enforcement, ruling
from bench.stories import complaint, dispute
from bootstrap.ledger import build_ledger
from demo.office import CLOSE, OPEN, Office, PastHorizon
from demo.plans import BULK, SPECIAL_RULINGS
from domain.time import SHANGHAI, local_date

BATCH_EVENTS = 400
EVENTS_PER_CASE = 9.0  # about what a record of the simulation comes to: the first arrival rate
GENERATORS = 2  # processes writing the log
SEED = 20261128
OFFICE_MINUTES = (CLOSE.hour - OPEN.hour) * 60 + CLOSE.minute - OPEN.minute
STALL_PER_STEP = 0.004  # a record stops part-way, left open (about 4% of cases)

STORIES: dict[str, tuple[float, Callable[[Desk, Track, datetime], Story]]] = {
    "complaint": (BULK["complaint"], complaint),
    "dispute": (BULK["dispute"], dispute),
    "enforcement": (BULK["enforcement"], enforcement),
    "ruling": (len(SPECIAL_RULINGS), ruling),
    "clearing": (1, clearing),
}
"""Each kind of record, as many as the demo office's year brings, and its story."""


class Simulation:
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
        self.rng = rng = random.Random(SEED + worker)
        self.office = office = Office(rng, ledger.calendar.is_working_day, local_date(end), end)
        self.desk = Desk(ledger, rng, office, worker, workers)
        self.first_day = first_day
        days = [first_day + timedelta(days=i) for i in range((local_date(end) - first_day).days + 1)]
        working = [day for day in days if office.is_working_day(day)]
        self.working_left = {day: len(working) - i for i, day in enumerate(working)}
        self.initial_rate = events / EVENTS_PER_CASE / max(1, len(working) - 10)
        self.rate = self.initial_rate  # arrivals per working day
        self.kinds = list(STORIES)
        self.weights = [STORIES[k][0] for k in self.kinds]
        self.heap: list[tuple[datetime, int, Track]] = []
        self.sequence = itertools.count()
        self.dirty: dict[UUID, Any] = {}
        self.pending = self.emitted = self.batches = self.stalled = self.cut_off = 0
        self.done_cases = self.done_events = 0
        self.done_days = 0.0
        self.active_events = 0
        self.save_seconds = 0.0
        self.last_at = datetime.combine(first_day, OPEN, SHANGHAI)
        self.rates: list[float] = []

    def run(self) -> dict[str, Any]:
        day = self.first_day
        while not self.office.is_working_day(day):
            day += timedelta(days=1)
        minute = self.rng.expovariate(self.rate / OFFICE_MINUTES)
        started = time.perf_counter()
        next_report = started + 20
        while self.emitted < self.target:
            arrival = datetime.combine(day, OPEN, SHANGHAI) + timedelta(minutes=minute)
            if self.heap and self.heap[0][0] <= arrival:
                at, _, track = heapq.heappop(self.heap)
                self._advance(track, at, at)
            else:
                if arrival > self.end:
                    break
                at = arrival.astimezone(UTC)
                track = Track(at)
                track.story = STORIES[self.rng.choices(self.kinds, weights=self.weights)[0]][1](self.desk, track, at)
                self._advance(track, at, None)
                minute += self.rng.expovariate(self.rate / OFFICE_MINUTES)
                while minute >= OFFICE_MINUTES:
                    minute -= OFFICE_MINUTES
                    day += timedelta(days=1)
                    while not self.office.is_working_day(day):
                        day += timedelta(days=1)
                    self._adjust_rate(day)
            self.last_at = max(self.last_at, at)
            if self.pending >= BATCH_EVENTS:
                self._flush()
            if time.perf_counter() > next_report:
                elapsed = time.perf_counter() - started
                print(
                    f"  [{self.desk.worker}] {self.emitted:,} events ({self.emitted / elapsed:,.0f}/s),"
                    f" up to {self.last_at:%Y-%m-%d}",
                    file=sys.stderr,
                )
                next_report += 20
        self._flush()
        return self._summary(time.perf_counter() - started)

    def _summary(self, seconds: float) -> dict[str, Any]:
        return {
            "events": self.emitted,
            "seconds": seconds,
            "save_seconds": self.save_seconds,
            "transactions": self.batches,
            "records": dict(self.desk.filed),
            "stalled": self.stalled,
            "in_progress_at_end": len(self.heap) + self.cut_off,
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
            "numbers": [[prefix, year, last] for (prefix, year), last in self.desk.numbers_used().items()],
        }

    def _advance(self, track: Track, at: datetime, value: datetime | None) -> None:
        """Run the next step of ``track``'s story at ``at`` (``value`` None: its first); schedule the one after."""
        assert track.story is not None
        try:
            wait: Wait | None = next(track.story) if value is None else track.story.send(value)
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
            try:
                heapq.heappush(self.heap, (self.office.later(at, *wait), next(self.sequence), track))
            except PastHorizon:  # its next step would come after the window: it is still open at the end
                self.cut_off += 1
                self.active_events -= track.events

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
        simulation = Simulation(
            ledger, events, date.fromisoformat(first_day), datetime.fromisoformat(end), worker, workers
        )
        return simulation.run()
    finally:
        ledger.close()


def generate(url: str, events: int, window_days: int | None) -> dict[str, Any]:
    """Write ``events`` events from :data:`GENERATORS` processes, each simulating its share of the office, over
    the last ``window_days`` days (None: from 2024-01-02) up to a few minutes ago."""
    end = datetime.now(UTC) - timedelta(minutes=10)
    first_day = date(2024, 1, 2) if window_days is None else local_date(end) - timedelta(days=window_days)
    shares = [events // GENERATORS + (w < events % GENERATORS) for w in range(GENERATORS)]
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
    written = sum(p["events"] for p in parts)
    records = {kind: sum(p["records"][kind] for p in parts) for kind in STORIES}
    transactions = sum(p["transactions"] for p in parts)
    completed = max(1, sum(p["completed"] for p in parts))
    return {
        "events": written,
        "processes": GENERATORS,
        "seconds": seconds,
        "per_s": written / seconds,
        "save_seconds_per_process": [round(p["save_seconds"], 1) for p in parts],
        "seconds_per_process": [round(p["seconds"], 1) for p in parts],
        "transactions": transactions,
        "events_per_transaction": written / max(1, transactions),
        "records": records,
        "events_per_record": written / max(1, sum(records.values())),
        "completed_events_per_case": sum(p["completed_events_per_case"] * p["completed"] for p in parts) / completed,
        "completed_days_per_case": sum(p["completed_days_per_case"] * p["completed"] for p in parts) / completed,
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
