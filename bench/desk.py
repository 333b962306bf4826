"""One writing process's share of the benchmark's office: its records in progress and its desk."""

from __future__ import annotations

import os
import random
from collections.abc import Generator
from datetime import datetime
from typing import Any
from uuid import UUID

from application.ledger import CaseLedger
from demo.office import Office
from domain.kinds import CaseKind, ComplaintCategory
from domain.numbering import format_number
from domain.time import local_date

Wait = tuple[int, int]
"""How many working days until the next step: from, to (0: later the same day)."""
Story = Generator[Wait, datetime, None]
"""A record's life: yields the wait before each step, receives the moment of that step."""


class Track:
    """One record in the simulation: its aggregate, its story, when it was filed and its events so far."""

    __slots__ = ("aggregate", "events", "filed", "story")

    def __init__(self, filed: datetime) -> None:
        self.aggregate: Any = None
        self.story: Story | None = None
        self.filed = filed
        self.events = 0


class Desk:
    """One writing process's share of the office: its office, its keys and numbers, what is open."""

    def __init__(self, ledger: CaseLedger, rng: random.Random, office: Office, worker: int, workers: int) -> None:
        self.rng, self.office = rng, office
        self.calendar, self.rules = ledger.calendar, ledger.rules
        self.worker, self.workers = worker, workers
        self.seal_key = os.urandom(32)  # the keys are not stored: the identities cannot be read back
        self.filed = {"complaint": 0, "dispute": 0, "enforcement": 0, "ruling": 0, "clearing": 0}
        self._numbers: dict[tuple[str, int], int] = {}
        self.open_complaint: dict[ComplaintCategory, UUID] = {}
        self.recent_enforcement: UUID | None = None

    def key(self, kind: str) -> str:
        """The next filing or request key of ``kind`` (every process has its own)."""
        self.filed[kind] += 1
        return f"bench-{kind}-{self.worker}-{self.filed[kind]}"

    def number(self, kind: CaseKind, at: datetime) -> str:
        """The next case number of ``kind`` in ``at``'s year; the processes take turns, so none repeats."""
        year = local_date(at).year
        key = (kind.prefix, year)
        self._numbers[key] = n = self._numbers.get(key, self.worker + 1 - self.workers) + self.workers
        return format_number(kind, year, n)

    def numbers_used(self) -> dict[tuple[str, int], int]:
        return dict(self._numbers)
