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
# The counter's commit need not wait for its own WAL flush: the case that takes the number commits
# (synchronously) after it, and flushing the case's commit flushes every earlier record, the counter's
# included. A crash before that loses the number together with the case that would have carried it.
_NO_FLUSH_WAIT = "SET LOCAL synchronous_commit TO OFF"


class CounterTableNumbers:
    """One row per (prefix, year), advanced by an upsert in its own short transaction."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.sqlite = type(self.datastore).__module__.endswith("sqlite")
        self._next = _NEXT.format(p="?" if self.sqlite else "%s")

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(_DDL)

    def next(self, prefix: str, year: int) -> int:
        with self.datastore.transaction(commit=True) as cursor:
            if not self.sqlite:
                cursor.execute(_NO_FLUSH_WAIT)
            cursor.execute(self._next, (prefix, year))
            row = cursor.fetchone()
        return int(row[0] if not isinstance(row, dict) else row["last"])
