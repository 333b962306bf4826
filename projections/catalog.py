"""Every projection the ledger feeds, by name, with a runner each."""

from __future__ import annotations

from collections.abc import Mapping

from application.core import LedgerCore
from projections.base import Projection
from projections.case_index import CaseIndex
from projections.queues import RulingIndex, WorkQueues
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


def queues_and_statistics(projections: Mapping[str, Projection]) -> tuple[WorkQueues, Statistics]:
    """The work queues and the statistics, answered from the projections :func:`build_projections` made."""
    case_index, rulings, statistics = (projections[name] for name in ("case_index", "ruling_index", "statistics"))
    assert isinstance(case_index, CaseIndex) and isinstance(rulings, RulingIndex) and isinstance(statistics, Statistics)
    return WorkQueues(case_index, rulings), statistics


def build_runners(ledger: LedgerCore, store: ReadStore, names: list[str] | None = None) -> list[ProjectionRunner]:
    """A runner for each named projection (all of them when ``names`` is empty)."""
    projections = build_projections(ledger, store)
    unknown = sorted(set(names or ()) - set(projections))
    if unknown:
        raise KeyError(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(sorted(projections))}")
    return [ProjectionRunner(ledger, store, p) for name, p in projections.items() if not names or name in names]
