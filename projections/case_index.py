"""The case index: one row per complaint, dispute and enforcement case, for queues and lists.

Clocks: each row keeps its case's clock marks (:class:`domain.clocks.ClockMark`) in its
bookkeeping column, so an event never needs the case's earlier events from the log. When a
batch adds marks to a case or corrects its category, its clocks are derived again, once, as of
the case's last event, which makes a rebuild give identical rows (reading the case's events
back from the log instead would cost a query per event and make a rebuild slow). The row
stores the earliest deadline among the running duty clocks and whether that clock runs or is
paused; whether it is on time, due soon or overdue depends on the day one asks, so
:meth:`CaseIndex.list_cases` works that out. A paused clock's deadline moves with every day of
the pause; the row has it as of the case's last event. The return window of a dispatched
complaint is a right of the unit that lapses, not a duty, so it is never a deadline here. Time
limits and calendar are the ledger's when the event is applied: after changing either, rebuild.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.clocks import DUE_SOON_WORKING_DAYS, ClockStatus, derive_clocks, marks_from_events
from domain.errors import CalendarYearMissing, InvalidValue
from domain.rules import RuleTable, Stage
from domain.time import local_date, now, require_aware
from projections.base import Projection
from projections.case_listing import MAX_PER_PAGE, SELECT, CaseFilter, Page, fetch_page, item, where_clause
from projections.case_row import COLUMNS, PAUSED, RUNNING, UNKNOWN, CaseRow, filed_kind, is_case_event
from projections.store import Cursor, ReadStore

__all__ = ["CaseFilter", "CaseIndex", "Page"]

log = logging.getLogger(__name__)

WINDOW_STAGES = frozenset({Stage.RETURN_WINDOW})
_LOAD_CHUNK = 500
_UPSERT = (
    f"INSERT INTO case_index ({', '.join(COLUMNS)}) VALUES ({', '.join('%s' for _ in COLUMNS)}) "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS if c != 'id')}"
)


class CaseIndex(Projection):
    """Every case with what queues filter and sort on; never a party's identity."""

    name = "case_index"
    per_aggregate = True
    create_statements = (
        "CREATE TABLE IF NOT EXISTS case_index ("
        " id text PRIMARY KEY, number text NOT NULL, kind text NOT NULL, status text NOT NULL,"
        " is_open integer NOT NULL, category text NOT NULL, channel text NOT NULL, village text NOT NULL,"
        " grid_cell text NOT NULL, lead_unit text NOT NULL, filed_at text NOT NULL, filed_on text NOT NULL,"
        " last_at text NOT NULL, description text NOT NULL, search_text text NOT NULL,"
        " supervised integer NOT NULL, anonymous integer NOT NULL, problem_case integer NOT NULL,"
        " at_risk integer NOT NULL,"
        " major integer NOT NULL, deadline text, deadline_stage text, clock_state text,"
        " version integer NOT NULL, state text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS case_index_by_deadline ON case_index (deadline, number, id)",
        "CREATE INDEX IF NOT EXISTS case_index_by_kind_status ON case_index (kind, status)",
        "CREATE INDEX IF NOT EXISTS case_index_by_village ON case_index (village)",
        "CREATE INDEX IF NOT EXISTS case_index_by_filed_on ON case_index (filed_on)",
        "CREATE INDEX IF NOT EXISTS case_index_open_by_deadline ON case_index (is_open, deadline)",
        "CREATE INDEX IF NOT EXISTS case_index_open_supervised ON case_index (supervised, is_open)",
        "CREATE TABLE IF NOT EXISTS case_index_units ("
        " case_id text NOT NULL, unit text NOT NULL, role text NOT NULL, is_open integer NOT NULL,"
        " PRIMARY KEY (case_id, unit))",
        "CREATE INDEX IF NOT EXISTS case_index_units_by_unit ON case_index_units (unit, is_open, case_id)",
    )
    drop_statements = ("DROP TABLE IF EXISTS case_index_units", "DROP TABLE IF EXISTS case_index")

    def __init__(self, store: ReadStore, rules: RuleTable, calendar: WorkingCalendar) -> None:
        self.store = store
        self.rules = rules
        self.calendar = calendar
        self._rows: dict[str, CaseRow] = {}
        self._dirty: set[str] = set()

    # -- applying ---------------------------------------------------------------------------

    def begin_batch(self, cursor: Cursor, events: Sequence[tuple[int, Any]], *, new_rows: bool = False) -> None:
        self._rows, self._dirty = {}, set()
        if new_rows:
            return
        wanted = sorted({str(e.originator_id) for _, e in events if is_case_event(e) and filed_kind(e) is None})
        for offset in range(0, len(wanted), _LOAD_CHUNK):
            self._load(cursor, wanted[offset : offset + _LOAD_CHUNK])

    def apply(self, cursor: Cursor, domain_event: Any, position: int) -> None:
        if not is_case_event(domain_event):
            return
        case_id = str(domain_event.originator_id)
        kind = filed_kind(domain_event)
        if kind is not None:
            row = CaseRow.filed(kind, domain_event)
        else:
            if case_id not in self._rows:
                self._load(cursor, [case_id])
            found = self._rows.get(case_id)
            if found is None:
                log.warning("case index: event %d is of case %s, whose filing was never seen", position, case_id)
                return
            row = found
            row.change(domain_event)
        marks = marks_from_events(row.kind, [domain_event])
        row.marks.extend(marks)
        recategorised = isinstance(domain_event, Case.Corrected) and domain_event.category is not None
        row.clocks_changed = row.clocks_changed or bool(marks) or recategorised or row.clock_state == PAUSED
        self._rows[case_id] = row
        self._dirty.add(case_id)

    def end_batch(self, cursor: Cursor) -> None:
        rows = [self._rows[case_id] for case_id in sorted(self._dirty)]
        self._rows, self._dirty = {}, set()
        for row in rows:
            if row.clocks_changed:
                self._derive_deadline(row)
        if rows:
            cursor.executemany(_UPSERT, [row.values() for row in rows])
        moved = [row for row in rows if row.units_changed]
        if moved:
            cursor.executemany("DELETE FROM case_index_units WHERE case_id = %s", [(row.id,) for row in moved])
            units = [(row.id, unit, role, int(row.is_open)) for row in moved for unit, role in row.units()]
            if units:
                cursor.executemany(
                    "INSERT INTO case_index_units (case_id, unit, role, is_open) VALUES (%s, %s, %s, %s)", units
                )

    def _load(self, cursor: Cursor, case_ids: Sequence[str]) -> None:
        placeholders = ", ".join("%s" for _ in case_ids)
        cursor.execute(f"SELECT {SELECT} FROM case_index c WHERE c.id IN ({placeholders})", case_ids)
        for values in cursor.fetchall():
            row = CaseRow.from_values(values)
            self._rows[row.id] = row

    def _derive_deadline(self, row: CaseRow) -> None:
        try:
            clocks = derive_clocks(row.kind, row.category, row.marks, self.rules, self.calendar, row.last_at)
        except CalendarYearMissing as error:
            log.warning("case index: %s has no deadline: %s", row.number, error)
            row.deadline, row.deadline_stage, row.clock_state = None, None, UNKNOWN
            return
        duties = [c for c in clocks if c.running and c.stage not in WINDOW_STAGES]
        if not duties:
            row.deadline, row.deadline_stage, row.clock_state = None, None, None
            return
        first = min(duties, key=lambda clock: (clock.deadline, clock.stage.code))
        row.deadline, row.deadline_stage = first.deadline, first.stage.code
        row.clock_state = PAUSED if first.status is ClockStatus.PAUSED else RUNNING

    # -- querying ---------------------------------------------------------------------------

    def list_cases(
        self, filters: CaseFilter | None = None, page: int = 1, per_page: int = 20, *, as_of: datetime | None = None
    ) -> Page:
        """One page of the cases ``filters`` selects, by earliest deadline (none last), then number.

        Clock statuses are as of ``as_of`` (now).
        """
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            raise InvalidValue("page", "must be a whole number from 1", zh="应为不小于 1 的整数")
        if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
            raise InvalidValue(
                "per_page", f"must be a whole number from 1 to {MAX_PER_PAGE}", zh=f"应为 1 至 {MAX_PER_PAGE} 的整数"
            )
        today, due_soon_until = self._today(as_of)
        where, params = where_clause(filters or CaseFilter(), today, due_soon_until)
        with self.store.transaction(readonly=True) as cursor:
            rows, total = fetch_page(cursor, where, params, page, per_page)
        return Page([item(row, today, due_soon_until) for row in rows], total, page, per_page)

    def get(self, case_id: UUID | str, *, as_of: datetime | None = None) -> dict[str, Any] | None:
        """The case as :meth:`list_cases` lists it, or None if the index has not seen it (yet)."""
        today, due_soon_until = self._today(as_of)
        with self.store.transaction(readonly=True) as cursor:
            cursor.execute(f"SELECT {SELECT} FROM case_index c WHERE c.id = %s", (str(case_id),))
            values = cursor.fetchone()
        return None if values is None else item(CaseRow.from_values(values), today, due_soon_until)

    def today(self, as_of: datetime | None = None) -> tuple[date, date | None]:
        """The Asia/Shanghai day of ``as_of`` (now), and the last day a deadline is still due soon from it."""
        return self._today(as_of)

    def _today(self, as_of: datetime | None) -> tuple[date, date | None]:
        today = local_date(now() if as_of is None else require_aware(as_of, "as_of"))
        return today, self._due_soon_until(today)

    def _due_soon_until(self, today: date) -> date | None:
        """The last day a deadline can fall on and still be due soon (None if the calendar cannot say)."""
        try:
            return self.calendar.add_working_days(today, DUE_SOON_WORKING_DAYS + 1) - timedelta(days=1)
        except CalendarYearMissing as error:
            log.warning("case index: cannot tell which deadlines are due soon: %s", error)
            return None
