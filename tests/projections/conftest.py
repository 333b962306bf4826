"""Read-store fixtures: the case index and its runner, over each store the ``ledger`` fixture uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.config import Settings
from application.ledger import CaseLedger
from bootstrap.read_side import open_read_store
from projections.case_index import CaseIndex
from projections.runner import ProjectionRunner
from projections.store import ReadStore


@pytest.fixture
def read_store(store_url: str) -> Iterator[ReadStore]:
    store = open_read_store(Settings(database_url=store_url))
    yield store
    store.close()


@pytest.fixture
def case_index(ledger: CaseLedger, read_store: ReadStore) -> CaseIndex:
    return CaseIndex(read_store, ledger.rules, ledger.calendar)


@pytest.fixture
def runner(ledger: CaseLedger, read_store: ReadStore, case_index: CaseIndex) -> ProjectionRunner:
    follower = ProjectionRunner(ledger, read_store, case_index)
    follower.setup()
    return follower
