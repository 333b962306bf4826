"""The demo year being recorded: its office, what has been filed so far, and one record's progress."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from application.core import CommandResult
from application.ledger import CaseLedger
from demo.office import Office
from demo.plans import ComplaintPlan
from domain.kinds import CaseKind, ComplaintCategory
from domain.labels import Labelled
from domain.time import SHANGHAI, now


class StopReached(Exception):
    """The record reached the stage its plan leaves it at."""


def demo_key(year: int, kind: str, index: int) -> str:
    """The filing or request key of the ``index``-th demo record of ``kind`` in ``year``."""
    return f"demo-{year}-{kind}-{index:04d}"


class Run:
    """The year being recorded: its office, the ledger it is recorded in, and what has been filed so far."""

    def __init__(self, ledger: CaseLedger, year: int, seed: int) -> None:
        self.ledger, self.year, self.rng = ledger, year, random.Random(seed)
        self.first = datetime(year, 1, 1, tzinfo=SHANGHAI)
        horizon = min(datetime(year + 1, 1, 1, tzinfo=SHANGHAI), now() - timedelta(minutes=1))
        if horizon <= self.first:
            raise ValueError(f"the demo year {year} has not begun")
        self.office = Office(self.rng, ledger.calendar.is_working_day, date(year, 12, 31), horizon)
        self.events = 0
        self.ids: dict[str, list[UUID]] = {
            kind: [] for kind in ("complaint", "dispute", "enforcement", "ruling", "clearing")
        }
        self.filed: list[tuple[datetime, str, UUID]] = []
        self.latest: dict[ComplaintCategory, Track] = {}
        # Duplicate complaints by index, not yet filed: the open complaint they duplicate files and merges them.
        self.waiting: dict[int, ComplaintPlan] = {}

    def key(self, kind: str, index: int) -> str:
        return demo_key(self.year, kind, index)

    def start_day(self, fraction: float) -> date:
        """The calendar day ``fraction`` of the way through the year (up to the horizon)."""
        return (self.first + (self.office.horizon - self.first) * fraction).astimezone(SHANGHAI).date()

    def start_at(self, fraction: float) -> datetime:
        """A moment in office hours of the first working day from :meth:`start_day` on."""
        office = self.office
        return office.office_moment(office.next_working_day(self.start_day(fraction) - timedelta(days=1)))

    def case_before(self, at: datetime, kind: CaseKind) -> list[UUID]:
        earlier = [case_id for filed, code, case_id in self.filed if filed < at and code == kind.code]
        return [self.rng.choice(earlier)] if earlier else []


class Track:
    """One record's progress: its id, version and last moment; stops on reaching the plan's ``stop``."""

    def __init__(self, run: Run, stop: Labelled | None) -> None:
        self.run, self.stop = run, stop
        self.id, self.version, self.at = UUID(int=0), 0, run.first
        self.since = self.at

    def start(self, kind: str, command: Callable[..., CommandResult], *args: Any, **kw: Any) -> None:
        result = command(*args, **kw)
        self.id, self.version, self.at = result.id, result.version, kw["at"]
        self.since = self.at
        self.run.events += result.version
        self.run.ids[kind].append(result.id)
        self.run.filed.append((self.at, kind, self.id))

    def next(self, lo: int, hi: int) -> datetime:
        return self.run.office.later(self.at, lo, hi)

    def do(
        self,
        command: Callable[..., CommandResult],
        *args: Any,
        days: tuple[int, int] = (1, 3),
        status: Labelled | None = None,
        when: datetime | None = None,
        **kw: Any,
    ) -> None:
        at = when or self.next(*days)
        result = command(self.id, self.version, *args, at=at, **kw)
        self.run.events += result.version - self.version
        self.version, self.at = result.version, at
        self.reached(status)

    def reached(self, status: Labelled | None) -> None:
        if status is not None and status is self.stop:
            raise StopReached
