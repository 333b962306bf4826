"""An interrupted rebuild resumes where it stopped instead of starting over."""

from __future__ import annotations

import pytest

from application.ledger import CaseLedger
from projections.case_index import CaseIndex
from projections.runner import ProjectionRunner
from projections.store import ReadStore
from tests.projections.desk import Desk


class Interrupted(Exception):
    pass


def test_an_interrupted_rebuild_resumes(ledger: CaseLedger, read_store: ReadStore, case_index: CaseIndex) -> None:
    desk = Desk(ledger)
    for n in range(30):
        desk.complaint(f"rebuild-{n}")
    runner = ProjectionRunner(ledger, read_store, case_index, batch_size=10)
    runner.run_once()
    before = case_index.list_cases(per_page=100).items

    seen: list[int] = []

    def stop_after_first_batch(applied: int, position: int) -> None:
        seen.append(position)
        raise Interrupted

    with pytest.raises(Interrupted):
        runner.rebuild(stop_after_first_batch)
    assert runner.rebuilding()
    interrupted_at = runner.position()
    assert 0 < interrupted_at < runner.head()

    positions: list[int] = []
    runner.rebuild(lambda applied, position: positions.append(position))
    assert positions[0] > interrupted_at, "the resumed rebuild went on from the committed batch"
    assert not runner.rebuilding()
    assert runner.position() == runner.head()
    assert case_index.list_cases(per_page=100).items == before
