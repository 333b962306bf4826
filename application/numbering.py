"""Where case numbers come from: a counter per kind and year kept beside the log.

The counter is advanced in its own tiny transaction, so concurrent filings never contend on
one aggregate; a number taken by a filing that then fails is skipped, never reused.
The implementation is infrastructure, chosen by topic (:data:`COUNTER_TABLE`).
"""

from __future__ import annotations

from typing import Any, Protocol

from eventsourcing.utils import resolve_topic

COUNTER_TABLE = "storage.numbering:CounterTableNumbers"


class NumberSource(Protocol):
    """Hands out increasing numbers per (kind prefix, year)."""

    def create_table(self) -> None:
        """Create the counter's table (``caseledger db init``)."""

    def next(self, prefix: str, year: int) -> int:
        """The next number for ``prefix`` in ``year``; unique, increasing, possibly with gaps."""


def number_source(recorder: Any, topic: str = COUNTER_TABLE) -> NumberSource:
    """The number source the ledger's store uses, built over its recorder's datastore."""
    source: NumberSource = resolve_topic(topic)(recorder)
    return source
