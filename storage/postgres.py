"""PostgreSQL connections that give up on a server that does not answer, and say why they could not connect.

A server that refuses is noticed at once. A silent one (a frozen host, a network that drops packets,
a stopped process whose kernel still acknowledges every packet) is not: libpq would wait for its
answer as long as the socket lives, and TCP keepalives cannot tell a frozen server from a busy one.
So every connection the ledger opens carries three limits:

- ``statement_timeout`` on the server, so a live server cancels a statement that runs too long and
  answers with an error;
- an answer deadline on the client, one second longer, after which the connection is closed and
  :class:`ServerSilent` raised: only a silent server gets that far;
- ``connect_timeout``, TCP keepalives and ``tcp_user_timeout``, so a connection that cannot be made,
  or whose packets stop being acknowledged, fails at the socket as well.

A pool that cannot hand out a connection in time says what the last attempt to connect met (the
server's own message, e.g. ``database "x" does not exist``), not only that it waited.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
import psycopg.errors
from eventsourcing.postgres import ConnectionPool
from psycopg.abc import PQGen
from psycopg.rows import Row
from psycopg_pool import PoolTimeout

CONNECT_SECONDS = 2
"""libpq's ``connect_timeout``: TCP connect, TLS, startup and authentication together."""
PING_SECONDS = 1.0
"""How long the check of a pooled connection waits for the server's answer to an empty query."""
ANSWER_MARGIN_SECONDS = 1.0
"""How much longer than ``statement_timeout`` the client waits before it takes the server for silent."""
UNLIMITED_ANSWER_SECONDS = 300.0
"""The answer deadline of a connection with no statement timeout (operators' long commands)."""
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}

RV = TypeVar("RV")


class Unreachable(psycopg.OperationalError):
    """The database server cannot be used now: no connection could be made, or it stopped answering.

    Retrying at once does not help (the caller should answer "unavailable"), unlike a connection
    that broke during a statement.
    """


class ServerSilent(Unreachable):
    """The server did not answer within the connection's deadline; the connection was closed."""


@dataclass(frozen=True)
class Patience:
    """How long a connection lets the server take over one statement (``None``: as long as it needs)."""

    statement_seconds: float | None

    @property
    def answer_seconds(self) -> float:
        """How long the client waits for an answer before it takes the server for silent."""
        if self.statement_seconds is None:
            return UNLIMITED_ANSWER_SECONDS
        return self.statement_seconds + ANSWER_MARGIN_SECONDS

    def libpq(self) -> dict[str, Any]:
        """The connection parameters that carry these limits."""
        parameters: dict[str, Any] = {
            "connect_timeout": CONNECT_SECONDS,
            "tcp_user_timeout": int(self.answer_seconds * 1000),
            **_KEEPALIVES,
        }
        if self.statement_seconds is not None:
            parameters["options"] = f"-c statement_timeout={int(self.statement_seconds * 1000)}"
        return parameters


class PromptConnection(psycopg.Connection[Row]):
    """A connection that closes itself when the server does not answer within :attr:`answer_seconds`."""

    answer_seconds: float = Patience(None).answer_seconds
    """Set from the pool's :class:`Patience` once connected."""

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        if timeout is not None:  # the caller waits for something that may never come (notifications)
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.answer_seconds)
        except psycopg.errors._WaitTimeout:  # psycopg's own "wait timeout expired"
            self.close()
            raise ServerSilent(f"the database server did not answer within {self.answer_seconds:g} s") from None

    @contextmanager
    def answering_within(self, seconds: float) -> Iterator[None]:
        """Wait at most ``seconds`` for each answer inside the block."""
        kept, self.answer_seconds = self.answer_seconds, seconds
        try:
            yield
        finally:
            self.answer_seconds = kept


def connect(conninfo: str, patience: Patience, **kwargs: Any) -> PromptConnection[Any]:
    """One connection outside a pool (e.g. for ``LISTEN``), with ``patience``'s limits."""
    connection: PromptConnection[Any] = PromptConnection.connect(conninfo, **patience.libpq(), **kwargs)
    connection.answer_seconds = patience.answer_seconds
    return connection


class PromptPool(ConnectionPool[Any]):
    """A pool of :class:`PromptConnection`, checked with a short ping when handed out, that names the last
    failure to connect when it has no connection to give."""

    def __init__(self, patience: Patience, *, kwargs: dict[str, Any], **options: Any) -> None:
        self.patience = patience
        self.last_failure: Exception | None = None
        super().__init__(
            kwargs=kwargs | patience.libpq(),
            connection_class=PromptConnection,
            check=self._ping,
            **options,
        )

    def _connect(self, timeout: float | None = None) -> Any:
        try:
            connection = super()._connect(timeout)
        except Exception as error:
            self.last_failure = error
            raise
        self.last_failure = None
        connection.answer_seconds = self.patience.answer_seconds
        return connection

    def _ping(self, connection: Any) -> None:
        """Check a pooled connection. A broken one is only replaced (the server may be fine: a pool
        handing out new connections soon is worth waiting for); a silent server is the failure to tell."""
        try:
            with connection.answering_within(PING_SECONDS):
                ConnectionPool.check_connection(connection)
        except ServerSilent as error:
            self.last_failure = error
            raise
        self.last_failure = None

    def getconn(self, timeout: float | None = None) -> Any:
        try:
            return super().getconn(timeout)
        except PoolTimeout as waited:
            failure = self.last_failure
            if failure is None:
                raise
            seconds = self.timeout if timeout is None else timeout
            raise Unreachable(f"no connection within {seconds:g} s ({one_line(failure)})") from waited


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the server cannot be used now (no connection could be
    made, or it is silent), rather than that a connection broke."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, Unreachable):
            return True
        seen = seen.__cause__
    return False


def one_line(error: BaseException) -> str:
    """The driver's message on one line (libpq's spread over several, with tabs)."""
    return " ".join(str(error).split())
