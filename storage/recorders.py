"""PostgreSQL persistence that gives up quickly when the server is gone.

The library retries every store call ten times, each waiting up to the pool's timeout for a
connection: with the server down a request would hang for most of a minute and hold a worker.
Here a call is tried three times with a 1 s pool timeout, so the caller hears "unavailable"
in under 4 s, answers 503, and the pool reconnects by itself when the server returns. The
factory is selected with ``PERSISTENCE_MODULE=storage.recorders:FailFastPostgresFactory``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import retry

ATTEMPTS = 3
PAUSE_SECONDS = 0.2


def _fail_fast(method: Any) -> Callable[..., Any]:
    """The library's method without its own retries, retried :data:`ATTEMPTS` times instead."""
    undecorated = getattr(method, "__wrapped__", method)
    decorated: Callable[..., Any] = retry(
        (InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=PAUSE_SECONDS
    )(undecorated)
    return decorated


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
    """The library's PostgreSQL factory with the fail-fast recorders."""

    aggregate_recorder_class = FailFastPostgresAggregateRecorder
    application_recorder_class = FailFastPostgresApplicationRecorder
