"""PostgreSQL persistence that gives up quickly when the server is gone or silent.

The library retries every store call ten times, each waiting up to the pool's timeout for a
connection: with the server down a request would hang for most of a minute and hold a worker.
Here the pool waits 1 s for a connection and says why it had none, every connection gives up on a
server that stops answering (:mod:`storage.postgres`), and a call is retried only when its
connection broke under it (twice more, 0.2 s apart), never when the server is unreachable or
silent. So the caller hears "unavailable" within a few seconds, answers 503, and the pool reconnects
by itself when the server returns. The bootstrap selects the factory (:func:`bootstrap.ledger.library_env`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import Environment

from storage.postgres import Patience, PromptPool, unreachable

ATTEMPTS = 3
PAUSE_SECONDS = 0.2
STATEMENT_TIMEOUT = "POSTGRES_STATEMENT_TIMEOUT"
"""The environment key of the statement timeout in seconds (empty: none), see :class:`Patience`."""

F = TypeVar("F", bound=Callable[..., Any])


def retried(method: F) -> F:
    """``method`` retried :data:`ATTEMPTS` times when its connection broke; an unreachable or silent
    server fails at once."""

    @wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        attempt = 1
        while True:
            try:
                return method(*args, **kwargs)
            except (InterfaceError, OperationalError) as error:
                if attempt == ATTEMPTS or unreachable(error):
                    raise
            attempt += 1
            time.sleep(PAUSE_SECONDS)

    return cast(F, call)


def _fail_fast(method: Any) -> Any:
    """The library's method without its own retries, :func:`retried` instead."""
    return retried(getattr(method, "__wrapped__", method))


class FailFastPostgresAggregateRecorder(PostgresAggregateRecorder):
    """Snapshots: the library's aggregate recorder, failing fast."""

    insert_events = _fail_fast(PostgresAggregateRecorder.insert_events)
    select_events = _fail_fast(PostgresAggregateRecorder.select_events)


class FailFastPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Events: the library's application recorder, failing fast."""

    insert_events = _fail_fast(PostgresApplicationRecorder.insert_events)
    select_events = _fail_fast(PostgresApplicationRecorder.select_events)
    select_notifications = _fail_fast(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _fail_fast(PostgresApplicationRecorder.max_notification_id)


class FailFastPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory with the fail-fast recorders, on a :class:`PromptPool`."""

    aggregate_recorder_class = FailFastPostgresAggregateRecorder
    application_recorder_class = FailFastPostgresApplicationRecorder

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        seconds = self.env.get(STATEMENT_TIMEOUT) or ""
        library = self.datastore.pool  # built, not yet opened: the same settings, on prompt connections
        assert isinstance(library.kwargs, dict)
        self.datastore.pool = PromptPool(
            Patience(float(seconds) if seconds else None),
            kwargs=library.kwargs,
            min_size=library.min_size,
            max_size=library.max_size,
            open=False,
            configure=self.datastore.after_connect_func(),
            timeout=library.timeout,
            max_waiting=library.max_waiting,
            max_lifetime=library.max_lifetime,
            get_password_func=library.get_password_func,
        )
