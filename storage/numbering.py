"""Case-number counters in a table beside the events, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

_DDL = (
    "CREATE TABLE IF NOT EXISTS case_number_counters ("
    " prefix text NOT NULL, year integer NOT NULL, last bigint NOT NULL, PRIMARY KEY (prefix, year))"
)
_NEXT = (
    "INSERT INTO case_number_counters (prefix, year, last) VALUES ({p}, {p}, 1) "
    "ON CONFLICT (prefix, year) DO UPDATE SET last = case_number_counters.last + 1 RETURNING last"
)


class CounterTableNumbers:
    """One row per (prefix, year), advanced by an upsert in its own short transaction."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        placeholder = "?" if type(self.datastore).__module__.endswith("sqlite") else "%s"
        self._next = _NEXT.format(p=placeholder)

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(_DDL)

    def next(self, prefix: str, year: int) -> int:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._next, (prefix, year))
            row = cursor.fetchone()
        return int(row[0] if not isinstance(row, dict) else row["last"])
