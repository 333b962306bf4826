"""The roll-up of the statistics: per period received and per group, the sum of every count that does not
depend on the day asked about, and a histogram of the days to close."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from domain.outcomes import DecisionType, Performance
from projections.case_row import RUNNING
from projections.statistics.facts import CaseColumns
from projections.statistics.periods import period_codes
from projections.store import Cursor


def when(condition: str) -> str:
    return f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _followed_up(r: CaseColumns) -> bool:
    return bool(r.closed) and r.kind in ("complaint", "dispute") and not r.anonymous


STATIC_TERMS: tuple[tuple[str, Callable[[CaseColumns], int]], ...] = (
    ("received", lambda r: 1),
    ("accepted", lambda r: r.accepted),
    ("not_accepted", lambda r: r.not_accepted),
    ("closed", lambda r: r.closed),
    ("open", lambda r: r.is_open),
    ("on_time_acceptance_rate.n", lambda r: int(r.acceptance_met == 1)),
    ("on_time_acceptance_rate.d", lambda r: int(r.acceptance_met is not None)),
    ("closure_rate.n", lambda r: r.closed),
    ("closure_rate.d", lambda r: int(bool(r.accepted and not r.merged and not r.transferred))),
    ("on_time_closure_rate.n", lambda r: int(bool(r.closed and not r.main_missed))),
    ("on_time_closure_rate.d", lambda r: r.closed),
    ("resolution_rate.n", lambda r: int(bool(r.closed and r.resolved == 1))),
    ("resolution_rate.d", lambda r: int(bool(r.closed and r.resolved is not None))),
    ("follow_up_rate.n", lambda r: int(_followed_up(r) and bool(r.visited))),
    ("follow_up_rate.d", lambda r: int(_followed_up(r))),
    ("satisfaction_rate.n", lambda r: int(r.satisfied == 1)),
    ("satisfaction_rate.d", lambda r: r.visited),
    ("days_to_close.count", lambda r: int(r.days_to_close is not None)),
    ("days_to_close.sum", lambda r: r.days_to_close or 0),
    ("answered_directly", lambda r: r.answered),
    ("transferred_out", lambda r: r.transferred),
    ("repeat_complaints", lambda r: r.merged),
    ("reopen_rate.n", lambda r: int(r.kind == "complaint" and bool(r.visited) and r.reopenings > 0)),
    ("reopen_rate.d", lambda r: int(r.kind == "complaint" and bool(r.visited))),
    ("reopenings", lambda r: r.reopenings),
    ("problem_cases", lambda r: r.problem_case),
    ("mediation_success_rate.n", lambda r: r.agreed),
    ("mediation_success_rate.d", lambda r: int(bool(r.agreed or r.mediation_ended))),
    ("agreements", lambda r: r.agreed),
    ("mediation_ended", lambda r: r.mediation_ended),
    ("fulfilment_rate.n", lambda r: int(r.performance == Performance.FULFILLED.code)),
    ("fulfilment_rate.d", lambda r: int(r.performance is not None)),
    ("confirmations_applied", lambda r: r.confirmation_applied),
    ("judicial_confirmations", lambda r: r.confirmed),
    ("at_risk", lambda r: r.at_risk),
    ("enforcement_filed", lambda r: int(r.kind == "enforcement" and bool(r.accepted))),
    ("enforcement_not_filed", lambda r: int(r.kind == "enforcement" and bool(r.not_accepted))),
    ("decisions", lambda r: r.decided),
    *((f"decisions_{d.code}", lambda r, code=d.code: int(r.decision == code)) for d in DecisionType),
    ("fines_total", lambda r: r.fine_fen),
    ("hearings_requested", lambda r: r.hearing_requested),
    ("hearings_held", lambda r: r.hearing_held),
    ("legality_review_coverage_rate.n", lambda r: int(bool(r.major_decided and r.reviewed_before_decision))),
    ("legality_review_coverage_rate.d", lambda r: r.major_decided),
    (
        "publication_on_time_rate.n",
        lambda r: int(
            r.published_on is not None and r.publish_deadline is not None and r.published_on <= r.publish_deadline
        ),
    ),
    (
        "publication_on_time_rate.d",
        lambda r: int(r.publish_deadline is not None and r.published_on is not None),
    ),
)
"""What each case adds to a count, whatever the day: summed per period and group in ``stat_rollup``."""

DYNAMIC_TERMS: tuple[tuple[str, str], ...] = (
    ("overdue", f"s.is_open = 1 AND s.clock_state = '{RUNNING}' AND s.deadline < %s"),
    ("on_time_acceptance_rate.d", "s.acceptance_met IS NULL AND s.acceptance_deadline < %s"),
    (
        "on_time_closure_rate.d",
        f"s.is_open = 1 AND (s.main_missed = 1 OR (s.main_state = '{RUNNING}' AND s.main_deadline < %s))",
    ),
    ("publication_on_time_rate.d", "s.published_on IS NULL AND s.publish_deadline < %s"),
)
"""What a case adds depending on the day asked about (each with that day as its one parameter): counted
from the cases still pending, those open or awaiting an acceptance decision or a publication."""

GROUPING_KEYS: tuple[tuple[str, Callable[[CaseColumns], str]], ...] = (
    ("category", lambda r: f"{r.kind}/{r.category}"),
    ("channel", lambda r: r.channel),
    ("village", lambda r: r.village),
    ("unit", lambda r: r.unit),
)
"""Each stored grouping's key of a case. The total and the kinds are summed from the categories."""
FROM_CATEGORIES: dict[str | None, Callable[[str], str]] = {
    None: lambda key: "",
    "kind": lambda key: key.partition("/")[0],
    "category": lambda key: key,
}

STATIC_CODES = tuple(code for code, _ in STATIC_TERMS)
TERM_COLUMNS = tuple(f"t{n}" for n in range(len(STATIC_TERMS)))
ROLLUP_DDL = (
    "CREATE TABLE IF NOT EXISTS stat_rollup (period text NOT NULL, grouping text NOT NULL, key text NOT NULL, "
    + ", ".join(f"{column} bigint NOT NULL" for column in TERM_COLUMNS)
    + ", PRIMARY KEY (period, grouping, key))"
)
_ADD_TO_ROLLUP = (
    f"INSERT INTO stat_rollup (period, grouping, key, {', '.join(TERM_COLUMNS)}) "
    f"VALUES (%s, %s, %s, {', '.join('%s' for _ in TERM_COLUMNS)}) ON CONFLICT (period, grouping, key) "
    f"DO UPDATE SET {', '.join(f'{c} = stat_rollup.{c} + excluded.{c}' for c in TERM_COLUMNS)}"
)
_DROP_EMPTY_CELL = "DELETE FROM stat_rollup WHERE period = %s AND grouping = %s AND key = %s AND t0 = 0"
_DROP_EMPTY_DAYS = (
    "DELETE FROM stat_close_days WHERE period = %s AND grouping = %s AND key = %s AND days = %s AND n = 0"
)
_ADD_TO_CLOSE_DAYS = (
    "INSERT INTO stat_close_days (period, grouping, key, days, n) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (period, grouping, key, days) DO UPDATE SET n = stat_close_days.n + excluded.n"
)


@dataclass(frozen=True)
class Contribution:
    """What one case adds to the roll-up: its periods, its group in each grouping, its terms, its days to close."""

    periods: tuple[str, ...]
    cells: tuple[tuple[str, str], ...]
    terms: tuple[int, ...]
    days_to_close: int | None

    @classmethod
    def of(cls, row: CaseColumns) -> Contribution:
        """The contribution of a ``stat_cases`` row."""
        return cls(
            periods=period_codes(row.received_on),
            cells=tuple((grouping, key(row)) for grouping, key in GROUPING_KEYS),
            terms=tuple(int(term(row)) for _, term in STATIC_TERMS),
            days_to_close=row.days_to_close,
        )


class RollUp:
    """The changes a batch makes to ``stat_rollup`` and ``stat_close_days``, summed per cell."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, str], list[int]] = {}
        self.days: dict[tuple[str, str, str, int], int] = {}

    def add(self, contribution: Contribution, sign: int) -> None:
        counted = [(n, sign * value) for n, value in enumerate(contribution.terms) if value]
        for period, (grouping, key) in itertools.product(contribution.periods, contribution.cells):
            cell = (period, grouping, key)
            sums = self.cells.get(cell)
            if sums is None:
                sums = self.cells[cell] = [0] * len(STATIC_TERMS)
            for n, value in counted:
                sums[n] += value
            if contribution.days_to_close is not None:
                day = (*cell, contribution.days_to_close)
                self.days[day] = self.days.get(day, 0) + sign

    def write(self, cursor: Cursor) -> None:
        """Add the changes to the tables; a group left with no case, or a count of days with none, goes."""
        if self.cells:
            cursor.executemany(_ADD_TO_ROLLUP, [(*cell, *sums) for cell, sums in self.cells.items()])
            emptied = [cell for cell, sums in self.cells.items() if sums[0] < 0]
            if emptied:
                cursor.executemany(_DROP_EMPTY_CELL, emptied)
        if self.days:
            cursor.executemany(_ADD_TO_CLOSE_DAYS, [(*day, n) for day, n in self.days.items() if n])
            emptied_days = [day for day, n in self.days.items() if n < 0]
            if emptied_days:
                cursor.executemany(_DROP_EMPTY_DAYS, emptied_days)
