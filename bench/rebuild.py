"""Reading the whole log, and rebuilding the projections from it: the rate, where the time goes, the memory.

A rebuild is ``ProjectionRunner.rebuild`` with a progress callback, as ``caseledger projections rebuild``
runs it; its steps are timed by wrapping them (about 1 µs per event of overhead), and the process's RSS
is sampled from /proc/self/status every :data:`RSS_INTERVAL_S` seconds (flat: the end no more than
:data:`TARGET_RSS_GROWTH` times the level after the first 10% of the rebuild).
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import pstats
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from application.ledger import CaseLedger
from bench.common import RESULTS_DIR, Timers
from projections.runner import ProjectionRunner

TARGET_REBUILD_PER_S = 20_000
TARGET_RSS_GROWTH = 1.20
READ_PAGE = 1000
RSS_INTERVAL_S = 0.5


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


def _instrument(runner: ProjectionRunner, timers: Timers) -> None:
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
    timers = Timers()
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
