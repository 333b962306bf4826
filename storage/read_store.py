"""The read stores: the read-model tables in the event store's own database, on SQLite and on PostgreSQL.

A request waits at most :data:`POOL_TIMEOUT_SECONDS` for a connection, and every PostgreSQL
connection gives up on a server that stops answering (:mod:`storage.postgres`).
"""

from __future__ import annotations

import sqlite3
import threading
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from time import monotonic
from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql

from application.core import ROLE_HINT
from application.errors import StoreNotInitialised, StoreUnavailable
from projections.store import Cursor, ReadStore, Row, Waiter
from storage.postgres import Patience, PromptPool, connect, one_line

POOL_TIMEOUT_SECONDS = 1.0
"""How long a request waits for a pooled connection before it answers "unavailable"."""
BUSY_TIMEOUT_MS = 10_000
POOL_MAX_SIZE = 4
_NOTIFY_SLICE_SECONDS = 0.2


class _DriverStore(ReadStore):
    """What both stores share: each call's driver errors told as the application's own."""

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Cursor]:
        with translated_errors(), self._transaction(readonly) as cursor:
            yield cursor

    @abstractmethod
    def _transaction(self, readonly: bool) -> AbstractContextManager[Cursor]: ...

    def fetch(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        with translated_errors(), self._single() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    @abstractmethod
    def _single(self) -> AbstractContextManager[Cursor]: ...


class SQLiteReadStore(_DriverStore):
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


class PostgresReadStore(_DriverStore):
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


def _sleep(stop: threading.Event, timeout: float) -> None:
    stop.wait(timeout)
