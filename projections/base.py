"""What a projection is: tables built from the ledger's log, one batch of events per transaction."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from projections.store import Cursor


class Projection(ABC):
    """A read model: its tables, and how each event of the log changes their rows.

    The runner calls, inside one transaction per batch, :meth:`begin_batch`, then :meth:`apply`
    for every event in log order (events of every aggregate: ignore those of no interest), then
    :meth:`end_batch`, and moves the projection's tracked position in that same transaction.
    A projection may keep rows in memory between :meth:`begin_batch` and :meth:`end_batch`;
    when the batch fails, its transaction is rolled back and the next :meth:`begin_batch`
    starts afresh. Applying the log from the start must always give the same rows.
    """

    name: ClassVar[str]
    """Stable name, the key of the tracking row; renaming it rebuilds the projection."""
    create_statements: ClassVar[Sequence[str]]
    """DDL creating the tables and indexes, each statement safe to repeat."""
    drop_statements: ClassVar[Sequence[str]]
    """DDL dropping them, each statement safe to repeat."""

    version: ClassVar[int] = 1
    """Bump it when the same events would now give different rows, so that old tables are rebuilt."""

    @classmethod
    def fingerprint(cls) -> str:
        """Names the definition of the projection's tables and rows: their DDL and :attr:`version`."""
        text = "\n".join((str(cls.version), *cls.create_statements))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def tables(cls) -> list[str]:
        """The tables the projection owns: those its drop statements drop."""
        return [s.split()[-1] for s in cls.drop_statements if s.startswith("DROP TABLE")]

    per_aggregate: ClassVar[bool] = False
    """Whether each row follows the events of one aggregate only, so that a rebuild may replay the
    log aggregate by aggregate (each history whole, in version order) instead of in log order."""

    def begin_batch(  # noqa: B027
        self, cursor: Cursor, events: Sequence[tuple[int, Any]], *, new_rows: bool = False
    ) -> None:
        """Prepare for a batch of ``(position, domain_event)`` (e.g. load the rows it touches).

        ``new_rows``: the batch holds whole histories of aggregates the tables do not hold yet
        (an aggregate-order rebuild), so there is nothing to load.
        """

    @abstractmethod
    def apply(self, cursor: Cursor, domain_event: Any, position: int) -> None:
        """Record the effect of the event at ``position`` of the log."""

    def end_batch(self, cursor: Cursor) -> None:  # noqa: B027
        """Write what the batch changed and is still held in memory."""

    def end_replay(self, cursor: Cursor) -> None:  # noqa: B027
        """After an aggregate-order replay, in the transaction that ends it: build what is better built
        from all the rows at once than kept up batch by batch while replaying."""
