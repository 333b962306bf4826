"""The read store: read-model tables in the same database as the event store.

SQL is written once, with ``%s`` placeholders, in the dialect both stores accept; on SQLite the
placeholders become ``?``. Store failures come out as the application's own errors:
:class:`~application.errors.StoreUnavailable` when the database cannot be reached and
:class:`~application.errors.StoreNotInitialised` when a read-model table is missing.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from time import monotonic
from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql

from application.config import Settings
from application.core import ROLE_HINT
from application.errors import ConfigurationError, StoreNotInitialised, StoreUnavailable
from storage.postgres import Patience, PromptPool, connect, one_line

POOL_TIMEOUT_SECONDS = 1.0
"""How long a request waits for a pooled connection before it answers "unavailable"."""
BUSY_TIMEOUT_MS = 10_000
POOL_MAX_SIZE = 4
_NOTIFY_SLICE_SECONDS = 0.2

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

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Cursor]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with translated_errors(), self._transaction(readonly) as cursor:
            yield cursor

    @abstractmethod
    def _transaction(self, readonly: bool) -> AbstractContextManager[Cursor]: ...

    def fetch(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        """The rows of one query run on its own, in no transaction of ours: no BEGIN or COMMIT to wait
        for, so one round trip on PostgreSQL (for small, frequent reads such as ``/health``)."""
        with translated_errors(), self._single() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    @abstractmethod
    def _single(self) -> AbstractContextManager[Cursor]: ...

    @abstractmethod
    def waiter(self, channel: str | None) -> AbstractContextManager[Waiter]:
        """A context manager giving a :data:`Waiter` that wakes on new events in ``channel``."""

    @abstractmethod
    def close(self) -> None:
        """Close every connection the store opened."""


class SQLiteReadStore(ReadStore):
    """The SQLite file of the event store; one connection per thread, WAL, a generous busy timeout."""

    is_postgres = False
    now_epoch = "((julianday('now') - 2440587.5) * 86400.0)"

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    @contextmanager
    def _transaction(self, readonly: bool) -> Iterator[Cursor]:
        connection = self._connection()
        raw = connection.cursor()
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once (no busy wait) when another writer committed in between.
        raw.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")
        try:
            yield Cursor(raw, qmark=True)
        except BaseException:
            connection.rollback()
            raise
        else:
            connection.commit()
        finally:
            raw.close()

    @contextmanager
    def _single(self) -> Iterator[Cursor]:
        raw = self._connection().cursor()  # the connection commits each statement by itself
        try:
            yield Cursor(raw, qmark=True)
        finally:
            raw.close()

    @contextmanager
    def waiter(self, channel: str | None) -> Iterator[Waiter]:
        """SQLite has no notifications: poll."""
        yield _sleep

    def close(self) -> None:
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()
        self._local = threading.local()


class PostgresReadStore(ReadStore):
    """The event store's PostgreSQL database, through a small pool of connections that give up on a
    silent server (:mod:`storage.postgres`)."""

    is_postgres = True
    now_epoch = "CAST(EXTRACT(EPOCH FROM now()) AS double precision)"

    def __init__(self, url: str, patience: Patience) -> None:
        self.url = url
        self.patience = patience
        self._pool = PromptPool(
            patience,
            conninfo=url,
            kwargs={},
            min_size=1,
            max_size=POOL_MAX_SIZE,
            timeout=POOL_TIMEOUT_SECONDS,
            name="caseledger-read-store",
            open=True,
        )

    @contextmanager
    def _transaction(self, readonly: bool) -> Iterator[Cursor]:
        with self._pool.connection() as connection, connection.cursor() as raw:
            if readonly:
                raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield Cursor(raw, qmark=False)

    @contextmanager
    def _single(self) -> Iterator[Cursor]:
        with self._pool.connection() as connection:
            connection.autocommit = True
            try:
                with connection.cursor() as raw:
                    yield Cursor(raw, qmark=False)
            finally:
                if not connection.closed:
                    connection.autocommit = False

    @contextmanager
    def waiter(self, channel: str | None) -> Iterator[Waiter]:
        """Wake on ``NOTIFY channel`` (sent by every event insert), or after the timeout at the latest."""
        if channel is None:
            yield _sleep
            return
        with translated_errors():
            connection = connect(self.url, self.patience, autocommit=True)
        try:
            with translated_errors():
                connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))

            def wait(stop: threading.Event, timeout: float) -> None:
                deadline = monotonic() + timeout
                while not stop.is_set():
                    remaining = deadline - monotonic()
                    if remaining <= 0:
                        return
                    with translated_errors():
                        for _ in connection.notifies(timeout=min(remaining, _NOTIFY_SLICE_SECONDS), stop_after=1):
                            return

            yield wait
        finally:
            connection.close()

    def close(self) -> None:
        self._pool.close()


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn the drivers' errors about the database itself into the application's own."""
    try:
        yield
    except (sqlite3.OperationalError, psycopg.errors.UndefinedTable) as error:
        if isinstance(error, psycopg.errors.UndefinedTable) or "no such table" in str(error):
            raise StoreNotInitialised(
                f"the read-model tables do not exist (run `caseledger db init`): {str(error).splitlines()[0]}"
            ) from None
        raise StoreUnavailable(f"the read store cannot be used: {error}") from error
    except psycopg.errors.InsufficientPrivilege as error:
        raise StoreUnavailable(f"{ROLE_HINT}: {str(error).splitlines()[0]}") from error
    except (psycopg.OperationalError, psycopg.InterfaceError) as error:
        raise StoreUnavailable(f"the read store cannot be reached: {one_line(error)}") from error


def open_read_store(settings: Settings) -> ReadStore:
    """The read store in the event store's own database."""
    if settings.is_postgres:
        return PostgresReadStore(settings.database_url, Patience(settings.statement_timeout))
    path = settings.persistence_env()["SQLITE_DBNAME"]
    if ":memory:" in path or "mode=memory" in path:
        raise ConfigurationError("CASELEDGER_DATABASE_URL: read models need the event store in a file, not in memory")
    return SQLiteReadStore(path)


def _sleep(stop: threading.Event, timeout: float) -> None:
    stop.wait(timeout)
