"""What authentication reads and writes beside the log, on SQLite and PostgreSQL alike: the current
versions of a token and its user (one query), and when each token was last used."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import sql

_DDL = "CREATE TABLE IF NOT EXISTS token_last_used ( token_id text NOT NULL PRIMARY KEY, last_used_at text NOT NULL)"
# Times are kept as UTC ISO 8601 text, which sorts as the times do, so the upsert never moves one back.
_RECORD = (
    "INSERT INTO token_last_used (token_id, last_used_at) VALUES ({p}, {p}) "
    "ON CONFLICT (token_id) DO UPDATE SET last_used_at = excluded.last_used_at "
    "WHERE token_last_used.last_used_at < excluded.last_used_at"
)
_LAST_USED = "SELECT token_id, last_used_at FROM token_last_used"
_LAST_USE = "SELECT last_used_at FROM token_last_used WHERE token_id = {p}"


class TokenActivityTable:
    """Current versions read from the events table; last uses in a table of one row per token."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.sqlite = type(self.datastore).__module__.endswith("sqlite")
        mark = "?" if self.sqlite else "%s"
        self._record = _RECORD.format(p=mark)
        self._last_use = _LAST_USE.format(p=mark)
        table = recorder.events_table_name
        if self.sqlite:
            events: str = table
        else:
            events = sql.Identifier(self.datastore.schema, table).as_string(None)
        self._versions = (
            f"SELECT originator_id AS id, max(originator_version) AS version FROM {events} "
            f"WHERE originator_id IN ({mark}, {mark}) GROUP BY originator_id"
        )

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(_DDL)

    def versions(self, first: UUID, second: UUID) -> dict[UUID, int]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._versions, self._ids((first, second)))
            rows = cursor.fetchall()
        return {UUID(str(row["id"])): int(row["version"]) for row in rows}

    def record_use(self, token_id: UUID, at: datetime) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._record, (token_id.hex, _text(at)))

    def last_used(self) -> dict[UUID, datetime]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(_LAST_USED)
            rows = cursor.fetchall()
        return {UUID(row["token_id"]): datetime.fromisoformat(row["last_used_at"]) for row in rows}

    def last_use(self, token_id: UUID) -> datetime | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._last_use, (token_id.hex,))
            row = cursor.fetchone()
        return None if row is None else datetime.fromisoformat(row["last_used_at"])

    def _ids(self, ids: Sequence[UUID]) -> tuple[Any, ...]:
        return tuple(i.hex for i in ids) if self.sqlite else tuple(ids)


def _text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")
