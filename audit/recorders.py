"""Application recorders that extend the hash chain in the same transaction as the events.

The bootstrap opens the store with them (:mod:`bootstrap.ledger`). On SQLite the
write transaction holds the database's write lock from the first insert; on PostgreSQL the library
has taken ``LOCK TABLE … IN EXCLUSIVE MODE`` before the insert. Either way no other writer can
append between reading the chain's head and writing the new links, so the links follow log order.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from psycopg import sql
from psycopg.rows import tuple_row

from audit.bundle import build_bundle
from audit.chain import GENESIS, Link, event_digest, extend, originator_bytes
from audit.store import Evidence, LogSnapshot, RawEvent
from audit.tables import AuditTables, postgres_ddl, sqlite_ddl
from storage.recorders import FailFastPostgresApplicationRecorder, retried

LINK_BATCH = 5000


def _digests(notification_ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[tuple[int, bytes]]:
    return [
        (nid, event_digest(originator_bytes(s.originator_id), s.originator_version, s.topic, s.state))
        for nid, s in zip(notification_ids, stored_events, strict=True)
    ]


class _Queries:
    """The audit SQL of one store, with ``%s`` placeholders (``?`` on SQLite)."""

    def __init__(self, t: AuditTables, originator: str, qmark: bool) -> None:
        def q(text: str) -> str:
            return text.replace("%s", "?") if qmark else text

        self.head = q(f"SELECT seq, hash FROM {t.chain} ORDER BY notification_id DESC LIMIT 1")
        self.head_link = q(
            f"SELECT seq, notification_id, digest, prev_hash, hash FROM {t.chain} ORDER BY notification_id DESC LIMIT 1"
        )
        self.insert_link = q(
            f"INSERT INTO {t.chain} (notification_id, seq, digest, prev_hash, hash) VALUES (%s, %s, %s, %s, %s)"
        )
        self.events_after = q(
            f"SELECT notification_id, {originator}, originator_version, topic, state FROM {t.events} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        )
        self.links_after = q(
            f"SELECT seq, notification_id, digest, prev_hash, hash FROM {t.chain} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        )
        self.links_between = q(
            f"SELECT seq, notification_id, digest, prev_hash, hash FROM {t.chain} "
            "WHERE notification_id >= %s AND notification_id <= %s ORDER BY notification_id"
        )
        self.links_of = q(
            f"SELECT seq, notification_id, digest, prev_hash, hash FROM {t.chain} WHERE notification_id IN (%s)"
        )
        self.events_of = q(
            f"SELECT notification_id, {originator}, originator_version, topic, state FROM {t.events} "
            "WHERE originator_id IN (%s) ORDER BY notification_id"
        )
        in_order = "ORDER BY originator_id, originator_version LIMIT %s"
        self.events_in_aggregate_order = q(
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {t.events} "
            f"WHERE notification_id <= %s {in_order}"
        )
        self.events_in_aggregate_order_after = q(
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {t.events} "
            f"WHERE (originator_id, originator_version) > (%s, %s) AND notification_id <= %s {in_order}"
        )
        self.count_events_up_to = q(f"SELECT count(*) FROM {t.events} WHERE notification_id <= %s")
        self.position_of = q(
            f"SELECT notification_id FROM {t.events} WHERE originator_id = %s AND originator_version = %s"
        )
        self.link_by_digest = q(f"SELECT notification_id FROM {t.chain} WHERE digest = %s LIMIT 1")
        self.link_by_hash = q(f"SELECT notification_id FROM {t.chain} WHERE hash = %s LIMIT 1")
        self.unlinked_events = q(
            f"SELECT e.notification_id, {originator}, e.originator_version, e.topic, e.state FROM {t.events} e "
            f"WHERE NOT EXISTS (SELECT 1 FROM {t.chain} k WHERE k.notification_id = e.notification_id) "
            "ORDER BY e.notification_id LIMIT %s"
        )
        self.recorded_checkpoints = f"SELECT document FROM {t.checkpoints} ORDER BY id"
        self.insert_checkpoint = q(
            f"INSERT INTO {t.checkpoints} (last_notification_id, log_size, document, public_key, recorded_at) "
            "VALUES (%s, %s, %s, %s, %s)"
        )
        self.latest_checkpoint = q(
            f"SELECT document, public_key FROM {t.checkpoints} ORDER BY last_notification_id DESC, id DESC LIMIT 1"
        )
        self.get_key = q(f"SELECT key FROM {t.identity_keys} WHERE person_id = %s")
        self.add_key = q(
            f"INSERT INTO {t.identity_keys} (person_id, key, created_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (person_id) DO NOTHING"
        )
        self.erase_key = q(f"DELETE FROM {t.identity_keys} WHERE person_id = %s")


class _Snapshot(LogSnapshot):
    """One consistent read of the log and the chain."""

    def __init__(self, cursor: Any, queries: _Queries, originator: Any) -> None:
        self._c, self._q, self._originator = cursor, queries, originator

    def events_after(self, after: int, limit: int) -> list[RawEvent]:
        self._c.execute(self._q.events_after, (after, limit))
        convert = self._originator
        return [RawEvent(r[0], convert(r[1]), r[2], r[3], _blob(r[4])) for r in self._c.fetchall()]

    def links_after(self, after: int, limit: int) -> list[Link]:
        self._c.execute(self._q.links_after, (after, limit))
        return [_link(r) for r in self._c.fetchall()]

    def link_with_digest(self, digest: bytes) -> int | None:
        self._c.execute(self._q.link_by_digest, (digest,))
        row = self._c.fetchone()
        return None if row is None else int(row[0])

    def link_with_hash(self, hash_: bytes) -> int | None:
        self._c.execute(self._q.link_by_hash, (hash_,))
        row = self._c.fetchone()
        return None if row is None else int(row[0])

    def unlinked_events(self, limit: int) -> list[RawEvent]:
        self._c.execute(self._q.unlinked_events, (limit,))
        convert = self._originator
        return [RawEvent(r[0], convert(r[1]), r[2], r[3], _blob(r[4])) for r in self._c.fetchall()]

    def recorded_checkpoints(self) -> list[str]:
        self._c.execute(self._q.recorded_checkpoints)
        return [str(r[0]) for r in self._c.fetchall()]


class _AuditMixin(ABC):
    """What both recorders offer beyond the library's: the chain, checkpoints and identity keys."""

    audit_tables: AuditTables
    _q: _Queries
    _qmark: bool

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Any]:
        """Implemented by each store's recorder."""

    @abstractmethod
    def _writing(self) -> AbstractContextManager[Any]:
        """Implemented by each store's recorder."""

    def _lock_for_linking(self, cursor: Any) -> None:  # noqa: B027 (SQLite needs no lock: its one writer holds it)
        """Keep writers out while existing events are linked."""

    @abstractmethod
    def purge_erased_keys(self) -> str | None:
        """Remove deleted identity keys' bytes from the store's files; why it could not, or None."""

    @abstractmethod
    def _originator_from_store(self, value: Any) -> bytes:
        """Implemented by each store's recorder."""

    @abstractmethod
    def _originator_param(self, originator_id: UUID) -> Any:
        """Implemented by each store's recorder."""

    def _extend_chain(self, cursor: Any, notification_ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> None:
        cursor.execute(self._q.head)
        self._link(cursor, cursor.fetchone(), notification_ids, stored_events)

    def _link(
        self,
        cursor: Any,
        head: Sequence[Any] | None,
        notification_ids: Sequence[int],
        stored_events: Sequence[StoredEvent],
    ) -> None:
        seq, prev = (0, GENESIS) if head is None else (int(head[0]), bytes(head[1]))
        links = extend(seq, prev, _digests(notification_ids, stored_events))
        cursor.executemany(
            self._q.insert_link, [(k.notification_id, k.seq, k.digest, k.prev_hash, k.hash) for k in links]
        )

    # -- AuditStore -------------------------------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[LogSnapshot]:
        with self._reading() as cursor:
            yield _Snapshot(cursor, self._q, self._originator_from_store)

    @retried
    def chain_head(self) -> Link | None:
        with self._reading() as c:
            c.execute(self._q.head_link)
            r = c.fetchone()
        return None if r is None else _link(r)

    def link_existing_events(self) -> int:
        """Link the events already stored when the chain was introduced; never links later ones.

        An event without a link after the chain exists is evidence of tampering, so this runs
        only while the chain is empty.
        """
        linked = 0
        with self._writing() as c:
            self._lock_for_linking(c)
            c.execute(self._q.head)
            if c.fetchone() is not None:
                return 0
            seq, prev, after = 0, GENESIS, 0
            while True:
                c.execute(self._q.events_after, (after, LINK_BATCH))
                rows = c.fetchall()
                if not rows:
                    return linked
                digests = [
                    (r[0], event_digest(self._originator_from_store(r[1]), r[2], r[3], _blob(r[4]))) for r in rows
                ]
                links = extend(seq, prev, digests)
                c.executemany(
                    self._q.insert_link, [(k.notification_id, k.seq, k.digest, k.prev_hash, k.hash) for k in links]
                )
                seq, prev, after = links[-1].seq, links[-1].hash, links[-1].notification_id
                linked += len(links)

    @retried
    def evidence(self, originator_ids: Sequence[UUID]) -> Evidence:
        with self._reading() as c:
            c.execute(
                self._in(self._q.events_of, len(originator_ids)), [self._originator_param(o) for o in originator_ids]
            )
            events = [RawEvent(r[0], self._originator_from_store(r[1]), r[2], r[3], _blob(r[4])) for r in c.fetchall()]
            c.execute(self._in(self._q.links_of, len(events)), [e.notification_id for e in events])
            links = sorted((_link(r) for r in c.fetchall()), key=lambda k: k.seq)
            c.execute(self._q.latest_checkpoint)
            row = c.fetchone()
            checkpoint = None if row is None else (str(row[0]), str(row[1]))
            path: list[Link] = []
            if links and checkpoint is not None:
                last = int(json.loads(checkpoint[0])["last_notification_id"])
                c.execute(self._q.links_between, (links[0].notification_id, last))
                path = [_link(r) for r in c.fetchall()]
        return Evidence(events, links, path, checkpoint)

    @retried
    def events_in_aggregate_order(self, after: tuple[UUID, int] | None, up_to: int, limit: int) -> list[Notification]:
        """Up to ``limit`` events with notification ids up to ``up_to``, aggregate by aggregate (each in
        version order), from the one after ``after`` (an aggregate id and version)."""
        with self._reading() as c:
            if after is None:
                c.execute(self._q.events_in_aggregate_order, (up_to, limit))
            else:
                c.execute(
                    self._q.events_in_aggregate_order_after, (self._originator_param(after[0]), after[1], up_to, limit)
                )
            return [
                Notification(id=r[0], originator_id=r[1], originator_version=r[2], topic=r[3], state=_blob(r[4]))
                for r in c.fetchall()
            ]

    @retried
    def count_events_up_to(self, up_to: int) -> int:
        """How many events have notification ids up to ``up_to``."""
        with self._reading() as c:
            c.execute(self._q.count_events_up_to, (up_to,))
            row = c.fetchone()
        return 0 if row is None else int(row[0])

    @retried
    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The notification id (log position) of an aggregate's event at ``version``, if it is stored."""
        with self._reading() as c:
            c.execute(self._q.position_of, (self._originator_param(originator_id), version))
            row = c.fetchone()
        return None if row is None else int(row[0])

    def evidence_bundle(self, originator_ids: Sequence[UUID]) -> dict[str, Any]:
        """The evidence bundle of these aggregates' events (see :mod:`audit.bundle`)."""
        return build_bundle(self.evidence(originator_ids))

    def _in(self, query: str, count: int) -> str:
        mark = "?" if self._qmark else "%s"
        return query.replace(f"IN ({mark})", f"IN ({', '.join([mark] * count) or 'NULL'})")

    @retried
    def record_checkpoint(self, document: str, last_notification_id: int, log_size: int, public_key: str) -> None:
        with self._writing() as c:
            c.execute(
                self._q.insert_checkpoint,
                (last_notification_id, log_size, document, public_key, datetime.now(UTC).isoformat()),
            )

    @retried
    def latest_checkpoint(self) -> tuple[str, str] | None:
        with self._reading() as c:
            c.execute(self._q.latest_checkpoint)
            row = c.fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    @retried
    def identity_key(self, person_id: str) -> bytes | None:
        with self._reading() as c:
            c.execute(self._q.get_key, (person_id,))
            row = c.fetchone()
        return None if row is None else bytes(row[0])

    def _zeroing_deletes(self, cursor: Any) -> None:  # noqa: B027 (PostgreSQL's purge rewrites the table)
        """Make the connection overwrite what it deletes or moves, in every write of the identity keys."""

    @retried
    def issue_identity_key(self, person_id: str, key: bytes) -> bytes:
        with self._writing() as c:
            self._zeroing_deletes(c)
            c.execute(self._q.add_key, (person_id, key, datetime.now(UTC).isoformat()))
            c.execute(self._q.get_key, (person_id,))
            row = c.fetchone()
        return bytes(row[0])

    @retried
    def erase_identity_key(self, person_id: str) -> bool:
        """Delete the key's row; :meth:`purge_erased_keys` then removes its bytes from the store's files."""
        with self._writing() as c:
            self._zeroing_deletes(c)
            c.execute(self._q.get_key, (person_id,))
            found = c.fetchone() is not None
            c.execute(self._q.erase_key, (person_id,))
        return found


def _blob(value: Any) -> bytes:
    """Stored bytes; a value whose storage class was changed to text is taken as its UTF-8 bytes."""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _link(row: Sequence[Any]) -> Link:
    return Link(int(row[0]), int(row[1]), bytes(row[2]), bytes(row[3]), bytes(row[4]))


class ChainedSQLiteRecorder(_AuditMixin, SQLiteApplicationRecorder):
    """The SQLite application recorder, linking each event into the chain as it is inserted."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        self.audit_tables = AuditTables.sqlite(events_table_name)
        self._qmark = True
        self._q = _Queries(self.audit_tables, "originator_id", qmark=True)
        self._q.events_after = self._q.events_after.replace("notification_id", "rowid")
        self._q.events_of = self._q.events_of.replace("SELECT notification_id", "SELECT rowid").replace(
            "ORDER BY notification_id", "ORDER BY rowid"
        )
        for name in (
            "events_in_aggregate_order",
            "events_in_aggregate_order_after",
            "count_events_up_to",
            "position_of",
        ):
            setattr(self._q, name, getattr(self._q, name).replace("notification_id", "rowid"))
        self._q.unlinked_events = self._q.unlinked_events.replace("e.notification_id", "e.rowid")
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *sqlite_ddl(self.audit_tables)]

    def create_table(self) -> None:
        super().create_table()
        self.link_existing_events()

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if notification_ids:
            self._extend_chain(c, notification_ids, stored_events)
        return notification_ids

    def _reading(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=False)

    def _writing(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=True)

    def _zeroing_deletes(self, cursor: Any) -> None:
        cursor.execute("PRAGMA secure_delete = ON")  # per connection; builds differ in their default

    def purge_erased_keys(self) -> str | None:
        """Move the write-ahead log into the database file and empty it, so that no earlier version of a
        page (with a deleted key in it) is left in ``-wal``; the pages themselves were zeroed on delete.
        The checkpoint waits for readers as long as the store's lock timeout.

        Returns why it could not (readers kept the log busy), or None.
        """
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if not cursor.fetchone()[0]:
                return None
        return f"the write-ahead log of {self.datastore.pool.db_name} stayed busy (other connections were reading)"

    def _originator_from_store(self, value: Any) -> bytes:
        try:
            return bytes.fromhex(value) if self.datastore.originator_id_type == "uuid" else str(value).encode()
        except (TypeError, ValueError):
            return str(value).encode()

    def _originator_param(self, originator_id: UUID) -> Any:
        return originator_id.hex


class ChainedPostgresRecorder(_AuditMixin, FailFastPostgresApplicationRecorder):
    """The PostgreSQL application recorder, linking each event into the chain inside the insert's
    transaction (after the library's table lock, once the notification ids are known)."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.audit_tables = AuditTables.postgres(datastore.schema, events_table_name)
        self._qmark = False
        uuid = datastore.originator_id_type == "uuid"
        self._q = _Queries(self.audit_tables, "uuid_send(originator_id)" if uuid else "originator_id", qmark=False)
        self.sql_create_statements += postgres_ddl(self.audit_tables, datastore.schema)
        self._lock_events = sql.SQL(f"LOCK TABLE {self.audit_tables.events} IN EXCLUSIVE MODE")
        self._pending = threading.local()

    def create_table(self) -> None:
        super().create_table()
        self.link_existing_events()

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        # Queued in the insert's pipeline after the table lock and before the insert: the head arrives
        # with the insert's ids at no extra round trip, and a failing insert leaves its result intact.
        head = curs.connection.cursor(row_factory=tuple_row)
        head.execute(self._q.head)
        self._pending.head = head
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        head, self._pending.head = self._pending.head, None
        if notification_ids:
            self._link(curs, head.fetchone(), notification_ids, stored_events)
        return notification_ids

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        with self.datastore.get_connection() as conn, conn.transaction(force_rollback=True):
            cursor = conn.cursor(row_factory=tuple_row)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield cursor

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        with self.datastore.get_connection() as conn, conn.transaction():
            yield conn.cursor(row_factory=tuple_row)

    def _lock_for_linking(self, cursor: Any) -> None:
        cursor.execute(self._lock_events)

    def purge_erased_keys(self) -> str | None:
        """Rewrite the identity-keys table: under an exclusive lock, read its rows, ``TRUNCATE`` it and
        write them back, in one transaction.

        A deleted row's bytes stay in the table's pages after a plain ``VACUUM``, and ``VACUUM FULL``
        copies a deleted row into the new file as long as any snapshot might still see it (an
        ``audit verify``, a rebuild, an autovacuum ``ANALYZE`` running at that moment). ``TRUNCATE``
        gives the table (its TOAST table and index too) new, empty files and empties the old ones at
        commit whatever other transactions hold; only the rows read under the lock come back. A
        transaction that started before the purge and reads a key afterwards finds none (it reads as
        erased) until it ends. Returns None: a failure (a lock not granted in time) raises.
        """
        table = self.audit_tables.identity_keys
        with self._writing() as cursor:
            cursor.execute(sql.SQL(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE").format())
            cursor.execute(sql.SQL(f"SELECT person_id, key, created_at FROM {table}").format())
            rows = cursor.fetchall()
            cursor.execute(sql.SQL(f"TRUNCATE {table}").format())
            with cursor.copy(sql.SQL(f"COPY {table} (person_id, key, created_at) FROM STDIN").format()) as copy:
                for row in rows:
                    copy.write_row(row)
        return None

    def _originator_from_store(self, value: Any) -> bytes:
        return bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()

    def _originator_param(self, originator_id: UUID) -> Any:
        return originator_id
