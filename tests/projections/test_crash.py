"""Crash test, on SQLite and PostgreSQL: the real projection worker (``caseledger projections run``)
is killed with SIGKILL in the middle of a batch, again and again, and restarted; on PostgreSQL its
database also goes away mid-batch (every connection cut, new ones refused, as in a restart) and the
same worker process must come back on its own. After each, every read model must equal the oracle of
``test_oracle.py`` (a naive recomputation from the aggregates and their events), hold one row per
filed case, and equal row for row what an uninterrupted rebuild from the same log writes: nothing
counted twice, nothing missed.

The log is a demo year of the office (about 440 cases, 3,600 events), recorded through the ledger's use
cases. The worker gets through it in under a second, so catching it mid-way is not left to luck: it runs
in short slices between SIGSTOP and SIGCONT, and is only killed (or cut off) when, frozen, it is past
the chosen point and inside a batch's transaction.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from application.config import Settings
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from bootstrap.read_side import build_runners, open_read_store
from demo.year import DemoSummary, load_demo
from domain.time import SHANGHAI
from projections.case_index import CaseIndex
from projections.case_listing import MAX_PER_PAGE
from projections.runner import ProjectionRunner
from projections.store import ReadStore
from storage.read_store import SQLiteReadStore
from tests.projections.test_oracle import Checker, History
from tests.web.tcp_proxy import proxied

YEAR = 2025
AS_OF = datetime(YEAR, 12, 31, 17, 0, tzinfo=SHANGHAI)
KILL_POINTS = (0.0, 1 / 4, 1 / 2)
"""Where the worker is killed: after its first batch, and past a quarter and a half of its work."""
SLICE_SECONDS = 0.005
"""How long the worker runs between two looks at it."""
OUTAGE_SECONDS = 1.0
"""How long the database stays away once the worker has noticed."""
WAIT = 60.0
ROOT = Path(__file__).resolve().parents[2]
CASELEDGER = Path(sys.executable).with_name("caseledger")
ONLY_POSTGRES = pytest.mark.parametrize("module_store_url", ["postgres"], indirect=True)


@dataclass
class Office:
    """A store holding a demo year of the office's log, and the test's own view of its read models."""

    url: str
    ledger: CaseLedger
    store: ReadStore
    runners: list[ProjectionRunner]
    demo: DemoSummary
    head: int

    def positions(self) -> dict[str, int]:
        """Each projection's tracked position, as committed."""
        return {runner.name: runner.position() for runner in self.runners}

    def done(self, positions: dict[str, int]) -> float:
        """The share of the work of bringing every projection to the head that ``positions`` stand for."""
        return sum(positions.values()) / (len(positions) * self.head)

    def mid_batch(self) -> bool:
        """Whether a batch's transaction is open (nothing but the worker writes during these tests).

        SQLite: its one write lock is held. PostgreSQL: a session is idle inside a transaction that has
        written, waiting for the worker's next statement (so not committing either).
        """
        if isinstance(self.store, SQLiteReadStore):
            probe = sqlite3.connect(self.store.path, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                assert "locked" in str(error), error
                return True
            finally:
                probe.close()
            return False
        with psycopg.connect(self.url, autocommit=True) as admin:
            found = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_xid IS NOT NULL AND state = 'idle in transaction'"
            ).fetchone()
        return found is not None and found[0] > 0


@pytest.fixture(scope="module")
def office(module_store_url: str) -> Iterator[Office]:
    ledger = build_ledger(Settings(database_url=module_store_url))
    demo = load_demo(ledger, year=YEAR)
    store = open_read_store(ledger.settings)
    try:
        yield Office(module_store_url, ledger, store, build_runners(ledger, store), demo, ledger.log_position())
    finally:
        store.close()
        ledger.close()


@pytest.fixture
def unprojected(office: Office) -> Office:
    """The office with its read models empty and at position 0, as after ``caseledger db init``."""
    with office.store.transaction() as cursor:
        for runner in office.runners:
            for statement in runner.projection.drop_statements:
                cursor.execute(statement)
        cursor.execute("DROP TABLE IF EXISTS projection_tracking")
        cursor.execute("DROP TABLE IF EXISTS projection_rebuilds")
    for runner in office.runners:
        runner.setup()
    assert set(office.positions().values()) == {0}
    return office


class Worker:
    """``caseledger projections run`` in a process of its own, as deployed, logging to a file."""

    def __init__(self, url: str, log: Path) -> None:
        assert CASELEDGER.exists(), f"no console script at {CASELEDGER}: install the project (pip install -e .)"
        # The worker runs the code under test, wherever the project is installed from.
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "CASELEDGER_DATABASE_URL": url, "PYTHONPATH": path}
        self.log_file = log
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [str(CASELEDGER), "projections", "run"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8")

    def freeze(self) -> None:
        """Stop the process (every thread of it) and return once it has stopped."""
        os.kill(self.process.pid, signal.SIGSTOP)
        _, status = os.waitpid(self.process.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            self.process.returncode = os.waitstatus_to_exitcode(status)
            pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log()}")

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """The real thing: SIGKILL, no chance to clean up."""
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=WAIT) == -signal.SIGKILL

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it: it must finish cleanly."""
        self.process.terminate()
        assert self.process.wait(timeout=WAIT) == 0, self.log()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[[str], Worker]]:
    """Starts workers; any still running at the end is killed."""
    started: list[Worker] = []

    def start(url: str) -> Worker:
        started.append(Worker(url, tmp_path / f"worker-{len(started) + 1}.log"))
        return started[-1]

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait(timeout=WAIT)


def freeze_mid_batch(worker: Worker, office: Office, past: float) -> dict[str, int]:
    """Let ``worker`` run in short slices until, frozen, it is more than ``past`` done and mid-batch.

    The worker is left frozen; the positions it had committed are returned.
    """
    deadline, looks = time.monotonic() + WAIT, 0
    while True:
        looks += 1
        worker.thaw()
        time.sleep(SLICE_SECONDS)
        worker.freeze()
        positions = office.positions()
        caught = f"caught mid-batch past {past:.0%} of its work ({looks} looks, at {positions})"
        assert min(positions.values()) < office.head, f"the worker finished before it was {caught}"
        if office.done(positions) > past and office.mid_batch():
            return positions
        assert time.monotonic() < deadline, f"the worker was not {caught} in {WAIT} s"


def wait_for_the_head(office: Office, worker: Worker) -> None:
    for runner in office.runners:
        assert runner.wait_for(office.head, timeout=WAIT), (runner.name, office.positions(), worker.log())


def snapshot(office: Office) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read-model table, in an order that does not depend on how they were written."""
    tables = [table for runner in office.runners for table in runner.projection.tables()]
    found: dict[str, list[tuple[Any, ...]]] = {}
    with office.store.transaction(readonly=True) as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            found[table] = sorted(cursor.fetchall(), key=repr)
    return found


def assert_equal_to_the_oracle(office: Office) -> None:
    assert office.positions() == {runner.name: office.head for runner in office.runners}
    filed = {case_id for ids in office.demo.case_ids.values() for case_id in ids}
    # All the oracle needs of a history: the ledger and which cases, rulings and clearings it holds.
    history = History(
        office.ledger,
        random.Random(YEAR),
        AS_OF,
        cases=sorted(filed),
        rulings=list(office.demo.ruling_ids),
        clearings=list(office.demo.clearing_ids),
    )
    checker = Checker(office.ledger, office.store, history)
    checker.check(AS_OF)

    case_index = CaseIndex(office.store, office.ledger.rules, office.ledger.calendar)
    first = case_index.list_cases(per_page=MAX_PER_PAGE, as_of=AS_OF)
    listed = [
        item
        for page in range(1, first.pages + 1)
        for item in case_index.list_cases(page=page, per_page=MAX_PER_PAGE, as_of=AS_OF).items
    ]
    assert first.total == len(listed) == len(filed), "one row per filed case"
    assert {UUID(item["id"]) for item in listed} == filed
    assert {item["id"]: item["version"] for item in listed} == {k.id: k.case.version for k in checker.known}

    projected = snapshot(office)
    assert len(projected["case_index"]) == len(filed)
    for runner in office.runners:
        runner.rebuild()
    assert snapshot(office) == projected, "the worker's rows differ from an uninterrupted rebuild's"


def test_a_worker_killed_mid_batch_again_and_again_ends_equal_to_the_oracle(
    unprojected: Office, spawn: Callable[[str], Worker]
) -> None:
    office = unprojected
    reached = office.positions()
    workers = []
    for point in KILL_POINTS:
        worker = spawn(office.url)
        workers.append(worker)
        frozen = freeze_mid_batch(worker, office, past=max(point, office.done(reached)))
        worker.kill()
        killed = office.positions()
        assert all(reached[name] <= frozen[name] <= killed[name] for name in killed), (reached, frozen, killed)
        assert office.done(killed) > office.done(reached), "the restarted worker went on from where it was killed"
        assert min(killed.values()) < office.head, killed
        reached = killed
    last = spawn(office.url)
    workers.append(last)
    wait_for_the_head(office, last)
    last.stop()
    logs = "".join(worker.log() for worker in workers)
    assert "Traceback" not in logs and " ERROR " not in logs, logs
    assert_equal_to_the_oracle(office)


@ONLY_POSTGRES
def test_a_worker_whose_database_restarts_mid_batch_recovers_by_itself(
    unprojected: Office, spawn: Callable[[str], Worker]
) -> None:
    office = unprojected
    with proxied(office.url) as (proxy, through_proxy):
        worker = spawn(through_proxy)
        freeze_mid_batch(worker, office, past=1 / 3)
        proxy.cut()
        worker.thaw()
        deadline = time.monotonic() + WAIT
        while not all(f"{runner.name}: the store is unavailable" in worker.log() for runner in office.runners):
            assert worker.process.poll() is None, worker.log()
            assert time.monotonic() < deadline, f"the worker never noticed the database was gone:\n{worker.log()}"
            time.sleep(0.05)
        during = office.positions()
        assert min(during.values()) < office.head, during
        time.sleep(OUTAGE_SECONDS)
        assert office.positions() == during, "the worker reaches the database through the proxy only"
        proxy.start()
        wait_for_the_head(office, worker)
        worker.stop()
    log = worker.log()
    for runner in office.runners:
        assert log.count(f"{runner.name}: the store is unavailable") == 1, log
        assert log.count(f"{runner.name}: the store is back") == 1, log
    assert "applying the log failed" not in log and "Traceback" not in log, log
    assert_equal_to_the_oracle(office)
