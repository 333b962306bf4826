"""An interrupted rebuild resumes where it stopped instead of starting over, in either replay order."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.ledger import CaseLedger
from projections.case_index import CaseIndex
from projections.runner import REBUILDING, Progress, ProjectionRunner
from projections.store import ReadStore
from tests.projections.desk import Desk
from tests.support import SUPERVISOR


class Interrupted(Exception):
    pass


class LogOrderCaseIndex(CaseIndex):
    """The case index replayed in log order, as a projection whose rows span aggregates is."""

    per_aggregate = False


def _complaints(desk: Desk, count: int) -> list[UUID]:
    return [desk.complaint(f"rebuild-{n}") for n in range(count)]


def _stop_after_first_batch(seen: list[tuple[int, int]]) -> Progress:
    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        raise Interrupted

    return progress


def test_an_interrupted_log_order_rebuild_resumes(ledger: CaseLedger, read_store: ReadStore) -> None:
    _complaints(Desk(ledger), 30)
    index = LogOrderCaseIndex(read_store, ledger.rules, ledger.calendar)
    runner = ProjectionRunner(ledger, read_store, index, batch_size=10)
    runner.run_once()
    before = index.list_cases(per_page=100).items

    with pytest.raises(Interrupted):
        runner.rebuild(_stop_after_first_batch([]))
    assert runner.rebuilding()
    interrupted_at = runner.position()
    assert 0 < interrupted_at < runner.head()

    seen: list[tuple[int, int]] = []
    runner.rebuild(lambda done, total: seen.append((done, total)))
    assert seen[0][0] > 0 and seen[-1][0] == seen[-1][1], "the resumed rebuild went on from the committed batch"
    assert not runner.rebuilding()
    assert runner.position() == runner.head()
    assert index.list_cases(per_page=100).items == before


def test_an_interrupted_aggregate_order_rebuild_holds_followers_back_and_resumes(
    ledger: CaseLedger, read_store: ReadStore, case_index: CaseIndex
) -> None:
    desk = Desk(ledger)
    cases = _complaints(desk, 30)
    runner = ProjectionRunner(ledger, read_store, case_index, rebuild_batch_size=10)
    runner.run_once()
    before = case_index.list_cases(per_page=100).items

    first: list[tuple[int, int]] = []
    with pytest.raises(Interrupted):
        runner.rebuild(_stop_after_first_batch(first))
    done, total = first[0]
    assert 0 < done < total == len(cases) * len(ledger.events_of(cases[0]))
    assert runner.rebuilding() and runner.position() == REBUILDING
    assert runner.lag() == runner.head(), "while it replays, the whole log is still to apply"
    assert runner.run_once() == 0, "a follower applies nothing while the rebuild holds the position"
    assert case_index.list_cases(per_page=100).total < len(cases)

    # Commands go on meanwhile: the resumed rebuild replays up to the head it started from, then catches up.
    desk.do("accept_complaint", cases[-1], SUPERVISOR)
    late = desk.complaint("rebuild-late")

    seen: list[tuple[int, int]] = []
    runner.rebuild(lambda done, total: seen.append((done, total)))
    assert seen[0][0] > done, "the resumed rebuild went on from the committed batch"
    assert seen[-1] == (total, total)
    assert not runner.rebuilding()
    assert runner.position() == runner.head()

    after = {row["id"]: row for row in case_index.list_cases(per_page=100).items}
    assert set(after) == {*(str(c) for c in cases), str(late)}
    assert after[str(cases[-1])]["status"]["code"] == "accepted"

    # The same rows as a replay in log order gives.
    log_order = ProjectionRunner(ledger, read_store, LogOrderCaseIndex(read_store, ledger.rules, ledger.calendar))
    log_order.rebuild()
    assert case_index.list_cases(per_page=100).items == list(after.values())
    untouched = [row for row in before if row["id"] != str(cases[-1])]
    assert untouched == [row for row in after.values() if row["id"] not in {str(late), str(cases[-1])}]


def test_a_rebuild_leaves_planner_statistics_on_its_tables(
    ledger: CaseLedger, read_store: ReadStore, case_index: CaseIndex
) -> None:
    """The tables were just filled: queries straight after a rebuild must not be planned blind."""
    _complaints(Desk(ledger), 3)
    ProjectionRunner(ledger, read_store, case_index).rebuild()
    with read_store.transaction(readonly=True) as cursor:
        if read_store.is_postgres:
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname LIKE 'case_index%%'"
            )
        else:
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl LIKE 'case_index%%'")
        analyzed = {str(row[0]) for row in cursor.fetchall()}
    assert "case_index" in analyzed  # (SQLite records nothing for a table still empty, as the units are here)
