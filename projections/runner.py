"""Follows the ledger's log and feeds one projection, exactly once across crashes and restarts.

Each batch of notifications is applied and the projection's tracked position moved to the
batch's last notification id in ONE read-store transaction; the position is claimed first
(``UPDATE … WHERE position = <the position the batch was read from>``), so a crash, an error or
a second runner rolls the whole batch back and the next attempt reads it again. Notification ids
have gaps (a rolled-back insert consumes one): the runner only ever asks for ids after its
position, never computes the next id.

A rebuild of a projection whose rows each follow one aggregate (:attr:`Projection.per_aggregate`)
replays the log aggregate by aggregate instead of in log order: up to the log's head when it
started, each aggregate's whole history in one batch, so each row is built once and written once.
While it runs, the tracked position reads :data:`REBUILDING` and followers wait; the rebuild's
cursor (the last aggregate written) moves in each batch's transaction, so an interrupted rebuild
resumes after it. At the end the position becomes that head, and the events written meanwhile
are applied in log order as usual.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from time import monotonic
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, Notification, OperationalError

from application.core import LedgerCore, store_errors
from application.errors import ConfigurationError, StoreNotInitialised, StoreUnavailable
from application.ports import AggregateOrderReader
from projections.base import Projection
from projections.followers import FOLLOWER_ROW, FOLLOWERS_DDL, HEARTBEAT_SECONDS, REBUILDING, beat
from projections.store import Cursor, ReadStore

__all__ = ["REBUILDING", "ProjectionOutdated", "ProjectionRunner", "TrackingMoved"]

log = logging.getLogger(__name__)

BATCH_SIZE = 500
REBUILD_BATCH_SIZE = 5000
"""Events read per batch by an aggregate-order rebuild (a batch writes only whole histories)."""
SQLITE_POLL_SECONDS = 0.2
POSTGRES_POLL_SECONDS = 2.0
MIN_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
_WAIT_SLICE_SECONDS = 0.05

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_tracking"
    " (name text PRIMARY KEY, position bigint NOT NULL, tables text NOT NULL)"
)
_TRACKING_ROW = (
    "INSERT INTO projection_tracking (name, position, tables) VALUES (%s, 0, %s) ON CONFLICT (name) DO NOTHING"
)
_RESET = (
    "INSERT INTO projection_tracking (name, position, tables) VALUES (%s, 0, %s) "
    "ON CONFLICT (name) DO UPDATE SET position = excluded.position, tables = excluded.tables"
)
_TABLES = "SELECT tables FROM projection_tracking WHERE name = %s"
_CLAIM = "UPDATE projection_tracking SET position = %s WHERE name = %s AND position = %s"
_POSITION = "SELECT position FROM projection_tracking WHERE name = %s"
_REBUILDS_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_rebuilds (name text PRIMARY KEY,"
    " up_to bigint, after_id text, after_version bigint, done bigint NOT NULL DEFAULT 0)"
)
_REBUILDING = "SELECT up_to, after_id, after_version, done FROM projection_rebuilds WHERE name = %s"
_START_REBUILD = "INSERT INTO projection_rebuilds (name) VALUES (%s)"
_REBUILD_UP_TO = "UPDATE projection_rebuilds SET up_to = %s WHERE name = %s AND up_to IS NULL"
_REBUILD_CURSOR = (
    "UPDATE projection_rebuilds SET after_id = %s, after_version = %s, done = %s WHERE name = %s AND done = %s"
)
_END_REBUILD = "DELETE FROM projection_rebuilds WHERE name = %s"
_RUNNER_DDL = (TRACKING_DDL, _REBUILDS_DDL, FOLLOWERS_DDL)
"""The tables every runner shares: positions, rebuilds in progress, followers' heartbeats."""
_FOLLOWED = (  # fails unless all three tables exist; no row unless the projection's rows do
    "SELECT t.tables FROM projection_tracking t JOIN projection_followers f ON f.name = t.name"
    " LEFT JOIN projection_rebuilds r ON r.name = t.name WHERE t.name = %s"
)

Progress = Callable[[int, int], None]
"""Called with how far a rebuild has got and how far it will go, in events (in log positions when
it follows the log order)."""


_STORE_ERRORS = (StoreUnavailable, OperationalError, InterfaceError)


class ProjectionOutdated(RuntimeError):
    """The projection's tables were made by another definition of it (an upgrade): it must be rebuilt."""


class TrackingMoved(RuntimeError):
    """The tracked position changed under a batch (a second runner, or a rebuild): it was rolled back."""


class ProjectionRunner:
    """Feeds ``projection`` from ``ledger``'s log into ``store``; run exactly one per projection."""

    def __init__(
        self,
        ledger: LedgerCore,
        store: ReadStore,
        projection: Projection,
        *,
        batch_size: int = BATCH_SIZE,
        rebuild_batch_size: int = REBUILD_BATCH_SIZE,
    ) -> None:
        if not ledger.commits_in_log_order:
            raise ConfigurationError(
                "POSTGRES_ENABLE_DB_FUNCTIONS drops the events-table lock that keeps commit order equal to "
                "notification order; a projection could skip events: unset it"
            )
        self.ledger = ledger
        self.store = store
        self.projection = projection
        self.batch_size = batch_size
        self.rebuild_batch_size = rebuild_batch_size
        self._applied = threading.Condition()
        self._set_up = False

    @property
    def name(self) -> str:
        """The projection's name, the key of its tracking row."""
        return self.projection.name

    # -- state ----------------------------------------------------------------------------

    def setup(self) -> None:
        """Create the runners' tables, the projection's tables and its rows there, if missing (the
        tables' owner runs it: ``caseledger db init``, ``caseledger projections rebuild``).

        Raises :class:`ProjectionOutdated` when the tables exist but were made by another definition.
        """
        with self.store.transaction() as cursor:
            for statement in _RUNNER_DDL:
                cursor.execute(statement)
            if self._outdated(cursor):
                raise ProjectionOutdated(self._outdated_message())
            for statement in self.projection.create_statements:
                cursor.execute(statement)
            cursor.execute(_TRACKING_ROW, (self.name, self.projection.fingerprint()))
            cursor.execute(FOLLOWER_ROW, (self.name,))
        self._set_up = True

    def _ensure_set_up(self) -> None:
        """Check, without DDL, that the tables are there and current; set them up only if they are missing
        (so that a follower connected as the service role, which may not create tables, never tries to)."""
        try:
            with self.store.transaction(readonly=True) as cursor:
                cursor.execute(_FOLLOWED, (self.name,))
                found = cursor.fetchone()
        except StoreNotInitialised:
            found = None
        if found is None:
            self.setup()
        elif found[0] != self.projection.fingerprint():
            raise ProjectionOutdated(self._outdated_message())
        self._set_up = True

    def _outdated_message(self) -> str:
        return (
            f"{self.name}: its tables were made by another version of caseledger; "
            f"run `caseledger projections rebuild {self.name}`"
        )

    def outdated(self) -> bool:
        """Whether the projection's tables were made by another definition of it (rebuild it)."""
        with self.store.transaction(readonly=True) as cursor:
            return self._outdated(cursor)

    def _outdated(self, cursor: Cursor) -> bool:
        cursor.execute(_TABLES, (self.name,))
        found = cursor.fetchone()
        return found is not None and found[0] != self.projection.fingerprint()

    def position(self) -> int:
        """The id of the last notification applied (0 before the first)."""
        with self.store.transaction(readonly=True) as cursor:
            return _position(cursor, self.name)

    def head(self) -> int:
        """The id of the newest notification in the log (0 when empty)."""
        return self.ledger.log_position()

    def lag(self) -> int:
        """How far the projection is behind the log, in notification ids (not events: ids have gaps)."""
        return max(0, self.head() - max(0, self.position()))

    # -- applying ---------------------------------------------------------------------------

    def run_once(self, progress: Progress | None = None) -> int:
        """Apply every notification after the tracked position, batch by batch; return how many.

        ``progress(positions_done, positions_to_do)`` is called after each batch. Nothing is applied
        while an aggregate-order rebuild holds the position at :data:`REBUILDING`.
        """
        if not self._set_up:
            self._ensure_set_up()
        position = origin = self.position()
        if position == REBUILDING:
            return 0
        head = self.head() if progress is not None else 0
        total = 0
        while True:
            applied, position = self._apply_batch(position)
            total += applied
            if progress is not None and applied:
                progress(position - origin, max(head, position) - origin)
            if applied < self.batch_size:
                return total

    def _apply_batch(self, start: int) -> tuple[int, int]:
        """Apply the batch after ``start`` (the position as last seen); return its size and its end."""
        with store_errors():
            notifications = self.ledger.recorder.select_notifications(start=start + 1, limit=self.batch_size)
        if not notifications:
            return 0, start
        events: Sequence[tuple[int, Any]] = [(n.id, self.ledger.mapper.to_domain_event(n)) for n in notifications]
        end = notifications[-1].id
        with self.store.transaction() as cursor:
            cursor.execute(_CLAIM, (end, self.name, start))
            if cursor.rowcount != 1:
                raise TrackingMoved(f"{self.name}: the tracked position moved from {start} during a batch")
            self._apply_events(cursor, events, new_rows=False)
        with self._applied:
            self._applied.notify_all()
        return len(events), end

    def _apply_events(self, cursor: Cursor, events: Sequence[tuple[int, Any]], *, new_rows: bool) -> None:
        self.projection.begin_batch(cursor, events, new_rows=new_rows)
        for position, event in events:
            self.projection.apply(cursor, event, position)
        self.projection.end_batch(cursor)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop and recreate the projection's tables, replay the log into them and catch up.

        A rebuild in progress is recorded, so running ``rebuild`` again after an interruption
        resumes from the last committed batch instead of starting over.
        """
        reader = self.ledger.aggregate_order if self.projection.per_aggregate else None
        head = self.head()  # first: a store whose log cannot be read is refused before anything is dropped
        with self.store.transaction() as cursor:
            for statement in _RUNNER_DDL:
                cursor.execute(statement)
            cursor.execute(_REBUILDING, (self.name,))
            resuming = cursor.fetchone() is not None
            if not resuming:
                for statement in self.projection.drop_statements:
                    cursor.execute(statement)
                for statement in self.projection.create_statements:
                    cursor.execute(statement)
                cursor.execute(_RESET, (self.name, self.projection.fingerprint()))
                cursor.execute(FOLLOWER_ROW, (self.name,))
                cursor.execute(_START_REBUILD, (self.name,))
                if reader is not None:
                    cursor.execute(_CLAIM, (REBUILDING, self.name, 0))
                    cursor.execute(_REBUILD_UP_TO, (head, self.name))
        self._set_up = True
        log.info("%s: %s from the start of the log", self.name, "resuming the rebuild" if resuming else "rebuilding")
        if reader is not None:
            applied = self._rebuild_by_aggregate(reader, progress) + self.run_once()
        else:
            applied = self.run_once(progress)
        with self.store.transaction() as cursor:
            cursor.execute(_END_REBUILD, (self.name,))
            for table in self.projection.tables():  # fresh planner statistics: the tables were just filled
                cursor.execute(f"ANALYZE {table}")
        return applied

    def _rebuild_by_aggregate(self, reader: AggregateOrderReader, progress: Progress | None) -> int:
        """Replay the log up to its head aggregate by aggregate, from the rebuild's cursor; return how many."""
        with self.store.transaction(readonly=True) as cursor:
            cursor.execute(_REBUILDING, (self.name,))
            up_to, after_id, after_version, done = cursor.fetchone() or (None, None, None, 0)
            if _position(cursor, self.name) != REBUILDING or up_to is None:
                return 0  # replayed already; only the catching up was interrupted
        total = reader.count_events_up_to(up_to)
        after = None if after_id is None else (UUID(after_id), int(after_version))
        applied, held = 0, []
        while True:
            fetched = reader.events_in_aggregate_order(after, up_to, self.rebuild_batch_size)
            held += fetched
            last = len(fetched) < self.rebuild_batch_size
            whole = len(held) if last else _whole_histories(held)
            if fetched:
                after = (UUID(str(fetched[-1].originator_id)), fetched[-1].originator_version)
            if whole:
                batch, held = held[:whole], held[whole:]
                self._write_histories(batch, done + applied)
                applied += len(batch)
                if progress is not None:
                    progress(done + applied, total)
            if last:
                break
        with self.store.transaction() as cursor:
            cursor.execute(_CLAIM, (up_to, self.name, REBUILDING))
            if cursor.rowcount != 1:
                raise TrackingMoved(f"{self.name}: the tracked position moved during the rebuild")
            self.projection.end_replay(cursor)
        return applied

    def _write_histories(self, notifications: Sequence[Notification], done: int) -> None:
        """Apply whole aggregate histories in one transaction, moving the rebuild's cursor past them."""
        events = [(n.id, self.ledger.mapper.to_domain_event(n)) for n in notifications]
        last = notifications[-1]
        with self.store.transaction() as cursor:
            cursor.execute(
                _REBUILD_CURSOR,
                (str(UUID(str(last.originator_id))), last.originator_version, done + len(events), self.name, done),
            )
            if cursor.rowcount != 1:
                raise TrackingMoved(f"{self.name}: another rebuild moved the cursor from {done} events")
            self._apply_events(cursor, events, new_rows=True)

    def rebuilding(self) -> bool:
        """Whether a rebuild was started and has not finished."""
        with self.store.transaction(readonly=True) as cursor:
            cursor.execute(_REBUILDING, (self.name,))
            return cursor.fetchone() is not None

    # -- following --------------------------------------------------------------------------

    def run_forever(self, stop: threading.Event, poll_interval: float | None = None) -> None:
        """Follow the log until ``stop`` is set, surviving store outages and failing batches.

        On PostgreSQL it wakes on the ledger's ``NOTIFY`` and polls every ``poll_interval`` in
        case a notification is lost; on SQLite it polls. After an error it retries with a
        growing pause, logging one line when the trouble starts and one when it ends. Every
        :data:`~projections.followers.HEARTBEAT_SECONDS` at most, after a pass that left nothing to
        apply, it records that it has caught up (see :mod:`projections.followers`).
        """
        default = POSTGRES_POLL_SECONDS if self.store.is_postgres else SQLITE_POLL_SECONDS
        interval = default if poll_interval is None else poll_interval
        channel = self.ledger.notify_channel
        backoff = MIN_BACKOFF_SECONDS
        trouble: str | None = None
        beaten = -HEARTBEAT_SECONDS
        log.info("%s: following the log", self.name)
        while not stop.is_set():
            try:
                with self.store.waiter(channel) as wait:
                    while not stop.is_set():
                        self.run_once()
                        if monotonic() - beaten >= HEARTBEAT_SECONDS:
                            self.beat()
                            beaten = monotonic()
                        if trouble is not None:
                            log.warning("%s: %s; following the log from %d", self.name, trouble, self.position())
                            trouble, backoff = None, MIN_BACKOFF_SECONDS
                        wait(stop, interval)
            except Exception as error:
                if trouble is None:
                    trouble = _log_failure(self.name, error)
                else:
                    log.debug("%s: still failing: %s", self.name, error)
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def beat(self) -> None:
        """Record that the follower has just caught up with the log."""
        with self.store.transaction() as cursor:
            beat(cursor, self.store, self.name)

    def wait_for(self, position: int, timeout: float) -> bool:
        """Whether the projection reaches ``position`` within ``timeout`` seconds (read-your-writes)."""
        deadline = monotonic() + timeout
        while True:
            if self.position() >= position:
                return True
            remaining = deadline - monotonic()
            if remaining <= 0:
                return False
            with self._applied:
                self._applied.wait(min(remaining, _WAIT_SLICE_SECONDS))


def _whole_histories(notifications: Sequence[Notification]) -> int:
    """How many of ``notifications`` (in aggregate order) come before the last aggregate's first event."""
    last = notifications[-1].originator_id
    cut = len(notifications)
    while cut > 0 and notifications[cut - 1].originator_id == last:
        cut -= 1
    return cut


def _position(cursor: Cursor, name: str) -> int:
    cursor.execute(_POSITION, (name,))
    row = cursor.fetchone()
    return 0 if row is None else int(row[0])


def _log_failure(name: str, error: Exception) -> str:
    """Log the start of a failure; return what to say when it is over."""
    if isinstance(error, _STORE_ERRORS):
        log.error("%s: the store is unavailable; retrying until it answers: %s", name, error)
        return "the store is back"
    if isinstance(error, ProjectionOutdated):
        log.error("%s; retrying until it is rebuilt", error)
        return "rebuilt"
    if isinstance(error, TrackingMoved):
        log.warning("%s: %s; retrying from the new position", name, error)
        return "resumed"
    log.error("%s: applying the log failed; retrying: %s", name, error, exc_info=error)
    return "applying the log works again"
