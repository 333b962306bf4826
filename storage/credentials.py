"""Password hashes, in a table beside the log on SQLite and PostgreSQL alike.

A hash is kept out of the immutable log: it is replaced when the password changes, and it is no part of
the evidence (the log records that a password was set, never what it is).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from application.ports import StoredCredential

_DDL = (
    "CREATE TABLE IF NOT EXISTS credentials ("
    " user_id text NOT NULL PRIMARY KEY, password_hash text NOT NULL,"
    " must_change boolean NOT NULL, set_at text NOT NULL)"
)
_SET = (
    "INSERT INTO credentials (user_id, password_hash, must_change, set_at) VALUES ({p}, {p}, {p}, {p}) "
    "ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, "
    "must_change = excluded.must_change, set_at = excluded.set_at"
)
_GET = "SELECT password_hash, must_change, set_at FROM credentials WHERE user_id = {p}"
_DELETE = "DELETE FROM credentials WHERE user_id = {p}"


class CredentialsTable:
    """One row per user who has a password: its argon2id hash, whether it must be changed, when it was set."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        mark = "?" if type(self.datastore).__module__.endswith("sqlite") else "%s"
        self._set, self._get, self._delete = (q.format(p=mark) for q in (_SET, _GET, _DELETE))

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(_DDL)

    def set(self, user_id: UUID, password_hash: str, must_change: bool, at: datetime) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._set, (user_id.hex, password_hash, must_change, at.astimezone(UTC).isoformat()))

    def get(self, user_id: UUID) -> StoredCredential | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._get, (user_id.hex,))
            row = cursor.fetchone()
        if row is None:
            return None
        return StoredCredential(
            str(row["password_hash"]), bool(row["must_change"]), datetime.fromisoformat(row["set_at"])
        )

    def delete(self, user_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._delete, (user_id.hex,))
