"""The projection runner, on SQLite and PostgreSQL: exactly once across failures, rebuilds, gaps,
concurrent writers, waiting and surviving the store going away."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
import pytest

from application.config import Settings
from application.errors import StoreUnavailable
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from domain.kinds import ComplaintCategory
from domain.outcomes import ClockPause
from projections import runner as runner_module
from projections.case_index import CaseIndex
from projections.runner import REBUILDING, ProjectionOutdated, ProjectionRunner
from projections.store import Cursor, ReadStore
from tests.projections.desk import Desk
from tests.support import HANDLER, SUPERVISOR

WAIT = 30.0
ONLY_POSTGRES = pytest.mark.parametrize("store_url", ["postgres"], indirect=True)


class PowerCut(Exception):
    """Stands for the process dying in the middle of a batch."""


def snapshot(store: ReadStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    with store.transaction(readonly=True) as cursor:
        cursor.execute("SELECT * FROM case_index ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute("SELECT case_id, unit, role FROM case_index_units ORDER BY case_id, unit")
        units = cursor.fetchall()
        cursor.execute("SELECT position FROM projection_tracking WHERE name = 'case_index'")
        tracked = cursor.fetchone()
    assert tracked is not None
    return rows, units, int(tracked[0])


def busy_office(desk: Desk, n: int = 6) -> list[UUID]:
    """Complaints moved on a few steps, with clock marks whose double application would show."""
    cases = [desk.complaint(f"office-{i}", category=ComplaintCategory.NOISE) for i in range(n)]
    for case_id in cases[::2]:
        desk.do("accept_complaint", case_id, SUPERVISOR)
        desk.do("dispatch_complaint", case_id, SUPERVISOR, HANDLER.unit, ["市场监管所"])
        desk.do("extend_deadline", case_id, SUPERVISOR, 10, "情况复杂")
        desk.do("pause_clock", case_id, HANDLER, ClockPause.WAITING_ON_PARTY, "等待补充材料", days=1)
    return cases


@contextmanager
def following(follower: ProjectionRunner, poll_interval: float | None = None) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=follower.run_forever, args=(stop, poll_interval), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=WAIT)
        assert not thread.is_alive()


def test_run_once_applies_everything_once_and_then_nothing(
    ledger: CaseLedger, runner: ProjectionRunner, read_store: ReadStore
) -> None:
    desk = Desk(ledger)
    busy_office(desk)
    assert runner.lag() == desk.position
    assert runner.run_once() == desk.position
    assert runner.position() == desk.position == runner.head()
    assert runner.lag() == 0
    assert runner.run_once() == 0
    rows, units, _ = snapshot(read_store)
    assert len(rows) == 6 and len(units) == 6


@pytest.mark.parametrize("where", ["apply", "end_batch"])
def test_a_batch_that_fails_midway_leaves_nothing_behind_and_is_applied_once_later(
    ledger: CaseLedger, read_store: ReadStore, runner: ProjectionRunner, where: str
) -> None:
    desk = Desk(ledger)
    busy_office(desk)

    class FailingIndex(CaseIndex):
        batches = 0
        applied = 0

        def begin_batch(self, cursor: Cursor, events: Any, *, new_rows: bool = False) -> None:
            super().begin_batch(cursor, events, new_rows=new_rows)
            self.applied = 0

        def apply(self, cursor: Cursor, domain_event: Any, position: int) -> None:
            super().apply(cursor, domain_event, position)
            self.applied += 1
            if where == "apply" and self.batches == 1 and self.applied == 3:
                raise PowerCut

        def end_batch(self, cursor: Cursor) -> None:
            super().end_batch(cursor)
            self.batches += 1
            if where == "end_batch" and self.batches == 2:
                raise PowerCut

    index = FailingIndex(read_store, ledger.rules, ledger.calendar)
    failing = ProjectionRunner(ledger, read_store, index, batch_size=5)
    with pytest.raises(PowerCut):
        failing.run_once()
    first_batch = ledger.recorder.select_notifications(start=1, limit=5)
    rows, _, tracked = snapshot(read_store)
    assert tracked == first_batch[-1].id
    assert len(rows) == sum(n.topic.endswith("Registered") for n in first_batch)

    assert runner.run_once() == desk.position - tracked
    resumed = snapshot(read_store)
    assert resumed[2] == desk.position
    runner.rebuild()
    assert snapshot(read_store) == resumed


def test_a_rebuild_gives_identical_rows_and_resumes_when_interrupted(
    ledger: CaseLedger, read_store: ReadStore, runner: ProjectionRunner
) -> None:
    desk = Desk(ledger)
    busy_office(desk, 9)
    runner.run_once()
    before = snapshot(read_store)
    assert runner.rebuild() == desk.position
    assert snapshot(read_store) == before

    class Interrupted(CaseIndex):
        batches = 0

        def end_batch(self, cursor: Cursor) -> None:
            super().end_batch(cursor)
            self.batches += 1
            if self.batches == 2:
                raise PowerCut

    interrupted = ProjectionRunner(
        ledger, read_store, Interrupted(read_store, ledger.rules, ledger.calendar), rebuild_batch_size=7
    )
    with pytest.raises(PowerCut):
        interrupted.rebuild()
    assert snapshot(read_store)[2] == REBUILDING
    assert runner.run_once() == 0, "followers wait for the rebuild"
    assert 0 < runner.rebuild() < desk.position, "the rebuild resumed after the batches it had written"
    assert snapshot(read_store) == before


def test_wait_for_is_true_once_caught_up_and_false_on_timeout(ledger: CaseLedger, runner: ProjectionRunner) -> None:
    desk = Desk(ledger)
    desk.complaint("waited-for")
    assert runner.wait_for(desk.position, timeout=0.2) is False
    with following(runner, poll_interval=0.05):
        assert runner.wait_for(desk.position, timeout=WAIT) is True
        desk.complaint("another")
        assert runner.wait_for(desk.position, timeout=WAIT) is True
    assert runner.wait_for(desk.position + 1, timeout=0.1) is False
    assert runner.wait_for(0, timeout=0) is True


def test_a_follower_never_skips_what_eight_concurrent_writers_commit(
    store_url: str, runner: ProjectionRunner, case_index: CaseIndex
) -> None:
    writer = build_ledger(Settings(database_url=store_url))
    try:

        def work(thread: int) -> list[UUID]:
            desk = Desk(writer)
            filed = []
            for i in range(12):
                key = f"writer-{thread}-{i}"
                kind = (thread + i) % 3
                case_id = desk.complaint(key) if kind == 0 else desk.dispute(key) if kind == 1 else desk.clue(key)
                if i % 4 == 0 and kind == 0:
                    desk.do("accept_complaint", case_id, SUPERVISOR)
                filed.append(case_id)
            return filed

        with following(runner, poll_interval=0.05), ThreadPoolExecutor(max_workers=8) as pool:
            filed = {case_id for batch in pool.map(work, range(8)) for case_id in batch}
            assert runner.wait_for(writer.log_position(), timeout=WAIT)
        page = case_index.list_cases(per_page=200)
        assert len(filed) == 96
        assert page.total == len(page.items) == 96
        assert {UUID(item["id"]) for item in page.items} == filed
        assert all(item["version"] == writer.repository.get(UUID(item["id"])).version for item in page.items)
    finally:
        writer.close()


def test_the_run_forever_loop_logs_one_line_when_the_store_goes_and_one_when_it_is_back(
    ledger: CaseLedger, runner: ProjectionRunner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    Desk(ledger).complaint("during-the-outage")
    stop = threading.Event()
    outage = [StoreUnavailable("connection refused")] * 3
    applied: list[int] = []
    run_once = runner.run_once

    def flaky() -> int:
        if outage:
            raise outage.pop()
        applied.append(run_once())
        if len(applied) == 2:
            stop.set()
        return applied[-1]

    monkeypatch.setattr(runner, "run_once", flaky)
    monkeypatch.setattr(runner_module, "MIN_BACKOFF_SECONDS", 0.01)
    watchdog = threading.Timer(WAIT, stop.set)
    watchdog.start()
    with caplog.at_level(logging.INFO, logger=runner_module.__name__):
        runner.run_forever(stop, poll_interval=0.01)
    watchdog.cancel()
    messages = [record.getMessage() for record in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum("the store is back" in m for m in messages) == 1
    assert applied[0] > 0 and runner.lag() == 0


@ONLY_POSTGRES
def test_postgres_wakes_the_follower_on_notify_and_skips_gaps_in_ids(
    store_url: str, ledger: CaseLedger, runner: ProjectionRunner, case_index: CaseIndex
) -> None:
    desk = Desk(ledger)
    desk.complaint("before-the-gap")
    with psycopg.connect(store_url, autocommit=True) as connection:
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('caseledger_events', 'notification_id'),"
            " (SELECT max(notification_id) FROM caseledger_events) + 5000)"
        )
    with following(runner, poll_interval=600):
        assert runner.wait_for(desk.position, timeout=WAIT)
        desk.complaint("after-the-gap")
        assert desk.position > 5000
        assert runner.wait_for(desk.position, timeout=WAIT)
    assert case_index.list_cases().total == 2


@ONLY_POSTGRES
def test_postgres_follower_survives_its_connections_being_cut(
    store_url: str, ledger: CaseLedger, runner: ProjectionRunner, caplog: pytest.LogCaptureFixture
) -> None:
    desk = Desk(ledger)
    with caplog.at_level(logging.INFO, logger=runner_module.__name__), following(runner, poll_interval=0.1):
        desk.complaint("before-the-cut")
        assert runner.wait_for(desk.position, timeout=WAIT)
        with psycopg.connect(store_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        desk.complaint("after-the-cut")
        assert runner.wait_for(desk.position, timeout=WAIT)
    messages = [record.getMessage() for record in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum("the store is back" in m for m in messages) == 1


def test_tables_made_by_another_definition_are_refused_until_rebuilt(
    ledger: CaseLedger, read_store: ReadStore, runner: ProjectionRunner, caplog: pytest.LogCaptureFixture
) -> None:
    desk = Desk(ledger)
    busy_office(desk, 2)
    runner.run_once()

    class Upgraded(CaseIndex):
        version = CaseIndex.version + 1  # the same events now give other rows

    upgraded = ProjectionRunner(ledger, read_store, Upgraded(read_store, ledger.rules, ledger.calendar))
    assert upgraded.outdated() and not runner.outdated()
    with pytest.raises(ProjectionOutdated, match="caseledger projections rebuild case_index"):
        upgraded.run_once()

    stop = threading.Event()
    follower = threading.Thread(target=upgraded.run_forever, args=(stop, 0.05))
    with caplog.at_level(logging.ERROR, logger="projections.runner"):
        follower.start()
        deadline = time.monotonic() + WAIT
        while "run `caseledger projections rebuild case_index`" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        follower.join(WAIT)
    assert "run `caseledger projections rebuild case_index`" in caplog.text
    assert "Traceback" not in caplog.text

    assert upgraded.rebuild() == desk.position
    assert not upgraded.outdated() and runner.outdated(), "now the old definition is the outdated one"
