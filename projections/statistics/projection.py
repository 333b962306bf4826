"""The statistics projection: facts per case, ruling and clearing, kept with the roll-up in each batch's
transaction, and the indicators aggregated from them."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from application.register_checks import RegisterNames
from domain.calendar import WorkingCalendar
from domain.clearing import Clearing
from domain.clocks import marks_from_events
from domain.labels import Labelled
from domain.lifecycle import status_after, transitions_by_event
from domain.rules import RuleTable
from domain.time import local_date
from domain.tolerance import ToleranceRuling
from projections.base import Projection
from projections.case_row import CaseRow, filed_kind, is_case_event
from projections.statistics.facts import CASE_COLUMN_TYPES, CASE_COLUMNS, CaseColumns, CaseFacts
from projections.statistics.periods import Period
from projections.statistics.queries import indicators
from projections.statistics.rollup import ROLLUP_DDL, Contribution, RollUp
from projections.store import Cursor, ReadStore

log = logging.getLogger(__name__)

PUBLICATION_WORKING_DAYS = 20
"""Working days after a decision within which it is published (国办发〔2018〕118号: 20)."""
_LOAD_CHUNK = 500

_UPSERT = (
    f"INSERT INTO stat_cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('%s' for _ in CASE_COLUMNS)}) "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in CASE_COLUMNS if c != 'id')}"
)
_UPSERT_STATE = (
    "INSERT INTO stat_case_states (id, state) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET state = excluded.state"
)

_RULINGS = transitions_by_event(ToleranceRuling.LIFECYCLE)
_CLEARINGS = transitions_by_event(Clearing.LIFECYCLE)


class Statistics(Projection):
    """Facts per case, ruling and clearing, and the indicators aggregated from them."""

    name = "statistics"
    per_aggregate = True
    create_statements = (
        f"CREATE TABLE IF NOT EXISTS stat_cases ({', '.join(f'{name} {kind}' for name, kind in CASE_COLUMN_TYPES)})",
        "CREATE INDEX IF NOT EXISTS stat_cases_by_received_on ON stat_cases (received_on)",
        "CREATE INDEX IF NOT EXISTS stat_cases_pending ON stat_cases (pending, received_on)",
        "CREATE TABLE IF NOT EXISTS stat_case_states (id text PRIMARY KEY, state text NOT NULL)",
        ROLLUP_DDL,
        "CREATE TABLE IF NOT EXISTS stat_close_days (period text NOT NULL, grouping text NOT NULL,"
        " key text NOT NULL, days bigint NOT NULL, n bigint NOT NULL, PRIMARY KEY (period, grouping, key, days))",
        "CREATE TABLE IF NOT EXISTS stat_rulings ("
        " id text PRIMARY KEY, unit text NOT NULL, requested_on text NOT NULL, review bigint NOT NULL,"
        " status text NOT NULL, outcome text)",
        "CREATE TABLE IF NOT EXISTS stat_clearings ("
        " id text PRIMARY KEY, unit text NOT NULL, proposed_on text NOT NULL, status text NOT NULL)",
    )
    drop_statements = (
        "DROP TABLE IF EXISTS stat_cases",
        "DROP TABLE IF EXISTS stat_case_states",
        "DROP TABLE IF EXISTS stat_rollup",
        "DROP TABLE IF EXISTS stat_close_days",
        "DROP TABLE IF EXISTS stat_rulings",
        "DROP TABLE IF EXISTS stat_clearings",
    )

    def __init__(
        self,
        store: ReadStore,
        rules: RuleTable,
        calendar: WorkingCalendar,
        *,
        publication_working_days: int = PUBLICATION_WORKING_DAYS,
        names: RegisterNames | None = None,
    ) -> None:
        """``names``: where the unit and village groups take their names from (none: shown by their codes)."""
        self.store = store
        self.names = names
        self.rules = rules
        self.calendar = calendar
        self.publication_working_days = publication_working_days
        self._facts: dict[str, CaseFacts] = {}
        self._dirty: set[str] = set()
        self._before: dict[str, Contribution] = {}
        self._replaying = False

    # -- applying -----------------------------------------------------------------------------------

    def begin_batch(self, cursor: Cursor, events: Sequence[tuple[int, Any]], *, new_rows: bool = False) -> None:
        self._facts, self._dirty, self._before = {}, set(), {}
        self._replaying = new_rows
        if new_rows:
            return
        wanted = sorted({str(e.originator_id) for _, e in events if is_case_event(e) and filed_kind(e) is None})
        for offset in range(0, len(wanted), _LOAD_CHUNK):
            self._load(cursor, wanted[offset : offset + _LOAD_CHUNK])

    def apply(self, cursor: Cursor, domain_event: Any, position: int) -> None:
        if isinstance(domain_event, ToleranceRuling.Event):
            self._ruling(cursor, domain_event)
            return
        if isinstance(domain_event, Clearing.Event):
            self._clearing(cursor, domain_event)
            return
        if not is_case_event(domain_event):
            return
        case_id = str(domain_event.originator_id)
        kind = filed_kind(domain_event)
        if kind is not None:
            facts = CaseFacts(CaseRow.filed(kind, domain_event))
        else:
            if case_id not in self._facts:
                self._load(cursor, [case_id])
            found = self._facts.get(case_id)
            if found is None:
                log.warning("statistics: event %d is of case %s, whose filing was never seen", position, case_id)
                return
            facts = found
            facts.row.change(domain_event)
            facts.record(domain_event, self.calendar, self.publication_working_days)
        facts.row.description = ""
        facts.row.marks.extend(marks_from_events(facts.row.kind, [domain_event]))
        self._facts[case_id] = facts
        self._dirty.add(case_id)

    def end_batch(self, cursor: Cursor) -> None:
        changed = [self._facts[case_id] for case_id in sorted(self._dirty)]
        before, self._facts, self._dirty, self._before = self._before, {}, set(), {}
        rows, rollup = [], RollUp()
        for facts in changed:
            facts.derive_clocks(self.rules, self.calendar)
            values = facts.values()
            rows.append(values)
            if self._replaying:
                continue  # the roll-up is built once at the end (end_replay)
            now_adds, used_to_add = Contribution.of(values), before.get(facts.row.id)
            if now_adds != used_to_add:
                rollup.add(now_adds, 1)
                if used_to_add is not None:
                    rollup.add(used_to_add, -1)
        if changed:
            cursor.executemany(_UPSERT, rows)
            cursor.executemany(_UPSERT_STATE, [(facts.row.id, facts.state()) for facts in changed])
            rollup.write(cursor)

    def end_replay(self, cursor: Cursor) -> None:
        """Build the roll-up from every case's row, a year of cases at a time (read a month at a time)."""
        cursor.execute("SELECT DISTINCT substr(received_on, 1, 7) FROM stat_cases")
        months = sorted(str(month) for (month,) in cursor.fetchall())
        for _, in_year in itertools.groupby(months, key=lambda month: month[:4]):
            rollup = RollUp()
            for month in in_year:
                cursor.execute(
                    f"SELECT {', '.join(CASE_COLUMNS)} FROM stat_cases WHERE received_on >= %s AND received_on <= %s",
                    (f"{month}-01", f"{month}-31"),
                )
                for values in cursor.fetchall():
                    rollup.add(Contribution.of(CaseColumns(*values)), 1)
            rollup.write(cursor)

    def _load(self, cursor: Cursor, case_ids: Sequence[str]) -> None:
        placeholders = ", ".join("%s" for _ in case_ids)
        cursor.execute(f"SELECT state FROM stat_case_states WHERE id IN ({placeholders})", case_ids)
        for (state,) in cursor.fetchall():
            facts = CaseFacts.from_state(state)
            self._facts[facts.row.id] = facts
            self._before[facts.row.id] = Contribution.of(facts.values())

    def _ruling(self, cursor: Cursor, event: Any) -> None:
        status = status_after(_RULINGS, event)
        if status is None:
            return
        ruling_id = str(event.originator_id)
        if isinstance(event, ToleranceRuling.Requested):
            cursor.execute(
                "INSERT INTO stat_rulings (id, unit, requested_on, review, status) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                (
                    ruling_id,
                    event.unit,
                    local_date(event.at).isoformat(),
                    int(event.supersedes is not None),
                    status.code,
                ),
            )
            return
        outcome = _code(event.outcome) if isinstance(event, ToleranceRuling.Ruled) else None
        cursor.execute(
            "UPDATE stat_rulings SET status = %s, outcome = coalesce(%s, outcome) WHERE id = %s",
            (status.code, outcome, ruling_id),
        )

    def _clearing(self, cursor: Cursor, event: Any) -> None:
        status = status_after(_CLEARINGS, event)
        if status is None:
            return
        clearing_id = str(event.originator_id)
        if isinstance(event, Clearing.Proposed):
            cursor.execute(
                "INSERT INTO stat_clearings (id, unit, proposed_on, status) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                (clearing_id, event.unit, local_date(event.at).isoformat(), status.code),
            )
            return
        cursor.execute("UPDATE stat_clearings SET status = %s WHERE id = %s", (status.code, clearing_id))

    # -- querying -----------------------------------------------------------------------------------

    def indicators(
        self, periods: Sequence[Period], group_by: str | None = None, *, as_of: datetime | None = None
    ) -> dict[str, Any]:
        """Every indicator for each period, in total and (if ``group_by``) per group; overdue as of ``as_of``."""
        return indicators(self.store, periods, group_by, as_of, self.publication_working_days, self.names)


def _code(value: Any) -> str:
    return value.code if isinstance(value, Labelled) else str(value)
