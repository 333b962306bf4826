"""The read side, assembled: the read store in the event store's database, the projections over it,
and a runner each that feeds it from the ledger's log."""

from __future__ import annotations

from collections.abc import Sequence

from application.config import Settings
from application.errors import ConfigurationError
from application.ledger import CaseLedger
from projections.base import Projection
from projections.case_index import CaseIndex
from projections.queues import RulingIndex, WorkQueues
from projections.read_models import ReadModels
from projections.runner import ProjectionRunner
from projections.statistics import Statistics
from projections.store import ReadStore
from storage.postgres import Patience
from storage.read_store import PostgresReadStore, SQLiteReadStore


def open_read_store(settings: Settings) -> ReadStore:
    """The read store in the settings' event store's own database."""
    if settings.is_postgres:
        return PostgresReadStore(settings.database_url, Patience(settings.statement_timeout))
    if settings.in_memory:
        raise ConfigurationError("CASELEDGER_DATABASE_URL: read models need the event store in a file, not in memory")
    return SQLiteReadStore(settings.sqlite_path)


def _projections(ledger: CaseLedger, store: ReadStore) -> tuple[CaseIndex, RulingIndex, Statistics]:
    return (
        CaseIndex(store, ledger.rules, ledger.calendar),
        RulingIndex(store),
        Statistics(store, ledger.rules, ledger.calendar, names=ledger),
    )


def build_projections(ledger: CaseLedger, store: ReadStore) -> dict[str, Projection]:
    """Every projection the ledger feeds, keyed by name, over ``store``."""
    return {p.name: p for p in _projections(ledger, store)}


def build_runners(ledger: CaseLedger, store: ReadStore, names: Sequence[str] = ()) -> list[ProjectionRunner]:
    """A runner for each named projection (all of them when ``names`` is empty)."""
    projections = build_projections(ledger, store)
    unknown = sorted(set(names) - set(projections))
    if unknown:
        raise KeyError(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(sorted(projections))}")
    return [ProjectionRunner(ledger, store, p) for name, p in projections.items() if not names or name in names]


def build_read_models(ledger: CaseLedger, store: ReadStore | None = None) -> ReadModels:
    """The queues and statistics over ``store`` (by default, a read store opened for the ledger's database)
    and the runners that feed their projections."""
    store = open_read_store(ledger.settings) if store is None else store
    case_index, rulings, statistics = _projections(ledger, store)
    runners = {p.name: ProjectionRunner(ledger, store, p) for p in (case_index, rulings, statistics)}
    return ReadModels(store, WorkQueues(case_index, rulings), statistics, runners)
