"""The read store: read-model tables in the same database as the event store, as the projections see it.

SQL is written once, with ``%s`` placeholders, in the dialect both stores accept; on SQLite the
placeholders become ``?``. Store failures come out as the application's own errors:
:class:`~application.errors.StoreUnavailable` when the database cannot be reached and
:class:`~application.errors.StoreNotInitialised` when a read-model table is missing. The stores
themselves are in :mod:`storage.read_store`; the bootstrap opens one.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg

Row = tuple[Any, ...]
Waiter = Callable[[threading.Event, float], None]
"""Blocks until there may be new events, ``stop`` is set, or the timeout passes."""


NUL = "\x00"
REPLACEMENT = "\ufffd"


def storable(params: Sequence[Any]) -> list[Any]:
    """``params`` with every NUL in their text replaced by U+FFFD (the replacement character).

    PostgreSQL text cannot hold NUL, and SQLite's text functions stop at it. The API refuses it, but a log
    written before it did may hold some: a projection then stores U+FFFD in its place, on both stores,
    instead of failing on that event for ever.
    """
    return [p.replace(NUL, REPLACEMENT) if isinstance(p, str) else p for p in params]


class Cursor:
    """A cursor taking ``%s`` placeholders on both stores; text parameters go through :func:`storable`."""

    def __init__(self, raw: sqlite3.Cursor | psycopg.Cursor[Any], *, qmark: bool) -> None:
        self._raw = raw
        self._qmark = qmark

    def _sql(self, statement: str) -> str:
        return statement.replace("%s", "?").replace("%%", "%") if self._qmark else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        """Run one statement."""
        self._raw.execute(self._sql(statement), storable(params))

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once for each row of parameters."""
        self._raw.executemany(self._sql(statement), (storable(row) for row in rows))

    def fetchone(self) -> Row | None:
        """The next row of the last query, or None when there is none."""
        row = self._raw.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[Row]:
        """The remaining rows of the last query."""
        return [tuple(row) for row in self._raw.fetchall()]

    @property
    def rowcount(self) -> int:
        """How many rows the last statement changed."""
        return self._raw.rowcount


class ReadStore(ABC):
    """Transactions on the read-model tables, and a way to wait for new events."""

    is_postgres: bool
    now_epoch: str
    """SQL for the database clock's now, in seconds since 1970 (a float)."""

    @abstractmethod
    def transaction(self, *, readonly: bool = False) -> AbstractContextManager[Cursor]:
        """One transaction: committed when the block ends, rolled back if it raises."""

    @abstractmethod
    def fetch(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows of one query run on its own, in no transaction of ours: no BEGIN or COMMIT to wait
        for, so one round trip on PostgreSQL (for small, frequent reads such as ``/health``)."""

    @abstractmethod
    def waiter(self, channel: str | None) -> AbstractContextManager[Waiter]:
        """A context manager giving a :data:`Waiter` that wakes on new events in ``channel``."""

    @abstractmethod
    def close(self) -> None:
        """Close every connection the store opened."""
