"""Every projection the ledger feeds, by name, with a runner each."""

from __future__ import annotations

from application.core import LedgerCore
from projections.base import Projection
from projections.case_index import CaseIndex
from projections.queues import RulingIndex
from projections.runner import ProjectionRunner
from projections.statistics import Statistics
from projections.store import ReadStore


def build_projections(ledger: LedgerCore, store: ReadStore) -> dict[str, Projection]:
    """The projections, keyed by name, over ``store``."""
    projections: list[Projection] = [
        CaseIndex(store, ledger.rules, ledger.calendar),
        RulingIndex(store),
        Statistics(store, ledger.rules, ledger.calendar),
    ]
    return {p.name: p for p in projections}


def build_runners(ledger: LedgerCore, store: ReadStore, names: list[str] | None = None) -> list[ProjectionRunner]:
    """A runner for each named projection (all of them when ``names`` is empty)."""
    projections = build_projections(ledger, store)
    unknown = sorted(set(names or ()) - set(projections))
    if unknown:
        raise KeyError(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(sorted(projections))}")
    return [ProjectionRunner(ledger, store, p) for name, p in projections.items() if not names or name in names]
