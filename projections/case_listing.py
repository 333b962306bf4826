"""Listing the case index: the filters, the page, and a row as plain data.

Filters become SQL with ``%s`` placeholders only; nothing a caller gives is ever spliced into
the statement. Clock statuses depend on the day one asks: ``today`` and the last day that is
still "due soon" are worked out by the caller from the working-day calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.clocks import ClockStatus
from domain.errors import InvalidValue
from domain.kinds import CaseKind, Channel
from domain.labels import Labelled
from domain.rules import Stage
from domain.time import SHANGHAI
from projections.case_row import CASE_CLASSES, COLUMNS, PAUSED, RUNNING, STATUS_CLASSES, CaseRow
from projections.store import Cursor

MAX_PER_PAGE = 200
ORDER = " ORDER BY c.deadline NULLS LAST, c.number, c.id"
SELECT = ", ".join(f"c.{column}" for column in COLUMNS)


@dataclass(frozen=True)
class CaseFilter:
    """What to list; every field narrows the list, ``None`` leaves it open.

    Codes are those of the domain's enums; ``unit`` matches a handling unit (lead or assisting)
    exactly; ``filed_from``/``filed_to`` are Asia/Shanghai days, both included; ``text`` is a
    case-insensitive substring of the number or the description, the description only of the cases
    handled by one of ``text_units`` (``None``: of every case; empty: of none), the units in whose
    cases the reader may read free text; ``clock`` is a :class:`~domain.clocks.ClockStatus` code of
    the earliest running deadline.
    """

    kind: str | None = None
    status: str | None = None
    category: str | None = None
    village: str | None = None
    unit: str | None = None
    channel: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    text: str | None = None
    supervised: bool | None = None
    open: bool | None = None
    clock: str | None = None
    text_units: frozenset[str] | None = None


@dataclass(frozen=True)
class Page:
    """One page of a list, its items as plain data."""

    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))


def fetch_page(
    cursor: Cursor, where: str, params: Sequence[Any], page: int, per_page: int
) -> tuple[list[CaseRow], int]:
    """One page of the case index rows ``where`` selects, in queue order, and how many it selects in all.

    A page that is not full is the last one, so it tells the total; only a full page (or one past the
    end) counts apart.
    """
    offset = (page - 1) * per_page
    cursor.execute(f"SELECT {SELECT} FROM case_index c{where}{ORDER} LIMIT %s OFFSET %s", [*params, per_page, offset])
    rows = [CaseRow.from_values(values) for values in cursor.fetchall()]
    if len(rows) < per_page and (rows or page == 1):
        return rows, offset + len(rows)
    cursor.execute(f"SELECT count(*) FROM case_index c{where}", params)
    counted = cursor.fetchone()
    return rows, 0 if counted is None else int(counted[0])


def where_clause(filters: CaseFilter, today: date, due_soon_until: date | None) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause (empty when nothing filters) over ``case_index c``, and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        params.extend(values)

    kind = None if filters.kind is None else CaseKind.parse(filters.kind, "kind")
    kinds = list(CASE_CLASSES) if kind is None else [kind]
    if kind is not None:
        add("c.kind = %s", kind.code)
    if filters.status is not None:
        add("c.status = %s", _known(filters.status, [STATUS_CLASSES[k] for k in kinds], "status"))
    if filters.category is not None:
        add("c.category = %s", _known(filters.category, [CASE_CLASSES[k].CATEGORY for k in kinds], "category"))
    if filters.channel is not None:
        add("c.channel = %s", Channel.parse(filters.channel, "channel").code)
    if filters.village is not None:
        add("c.village = %s", filters.village)
    if filters.unit is not None:
        if filters.open is None:
            add("c.id IN (SELECT u.case_id FROM case_index_units u WHERE u.unit = %s)", filters.unit)
        else:
            add(
                "c.id IN (SELECT u.case_id FROM case_index_units u WHERE u.unit = %s AND u.is_open = %s)",
                filters.unit,
                int(filters.open),
            )
    if filters.filed_from is not None:
        add("c.filed_on >= %s", _day(filters.filed_from, "filed_from").isoformat())
    if filters.filed_to is not None:
        add("c.filed_on <= %s", _day(filters.filed_to, "filed_to").isoformat())
    text = (filters.text or "").strip().casefold()
    if text:
        add(*_text_clause(f"%{_escape_like(text)}%", filters.text_units))
    if filters.supervised is not None:
        add("c.supervised = %s", int(filters.supervised))
    if filters.open is not None:
        add("c.is_open = %s", int(filters.open))
    if filters.clock is not None:
        add(*_clock_clause(ClockStatus.parse(filters.clock, "clock"), today, due_soon_until))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _text_clause(pattern: str, units: frozenset[str] | None) -> tuple[Any, ...]:
    """Number or description contains the text; descriptions only of the cases ``units`` handle."""
    in_text = "c.search_text LIKE %s ESCAPE '\\'"
    if units is None:
        return (in_text, pattern)
    in_number = "lower(c.number) LIKE %s ESCAPE '\\'"
    if not units:
        return (in_number, pattern)
    marks = ", ".join(["%s"] * len(units))
    handled = f"c.id IN (SELECT u.case_id FROM case_index_units u WHERE u.unit IN ({marks}))"
    return (f"({in_number} OR ({in_text} AND {handled}))", pattern, pattern, *sorted(units))


def _clock_clause(status: ClockStatus, today: date, due_soon_until: date | None) -> tuple[Any, ...]:
    running = f"c.clock_state = '{RUNNING}'"
    if status is ClockStatus.PAUSED:
        return (f"c.clock_state = '{PAUSED}'",)
    if status is ClockStatus.OVERDUE:
        return (f"{running} AND c.deadline < %s", today.isoformat())
    if status is ClockStatus.DUE_SOON and due_soon_until is not None:
        return (f"{running} AND c.deadline >= %s AND c.deadline <= %s", today.isoformat(), due_soon_until.isoformat())
    if status is ClockStatus.ON_TIME:
        last = today if due_soon_until is None else due_soon_until
        return (f"{running} AND c.deadline > %s", last.isoformat())
    return ("1 = 0",)


def _clock_status(row: CaseRow, today: date, due_soon_until: date | None) -> ClockStatus | None:
    if row.clock_state == PAUSED:
        return ClockStatus.PAUSED
    if row.clock_state != RUNNING or row.deadline is None:
        return None
    if today > row.deadline:
        return ClockStatus.OVERDUE
    if due_soon_until is not None and row.deadline <= due_soon_until:
        return ClockStatus.DUE_SOON
    return ClockStatus.ON_TIME


def item(row: CaseRow, today: date, due_soon_until: date | None) -> dict[str, Any]:
    """A row as plain data: codes with their Chinese and English labels, times in Asia/Shanghai."""
    case_class = CASE_CLASSES[row.kind]
    return {
        "id": row.id,
        "number": row.number,
        "kind": _label(row.kind),
        "status": _label(STATUS_CLASSES[row.kind].parse(row.status, "status")),
        "open": row.is_open,
        "category": _label(case_class.CATEGORY.parse(row.category, "category")),
        "channel": _label(Channel.parse(row.channel, "channel")),
        "village": row.village,
        "grid_cell": row.grid_cell,
        "lead_unit": row.lead_unit or None,
        "assisting_units": list(row.assisting_units),
        "filed_at": row.filed_at.astimezone(SHANGHAI).isoformat(),
        "last_at": row.last_at.astimezone(SHANGHAI).isoformat(),
        "description": row.description,
        "supervised": row.supervised,
        "problem_case": row.problem_case,
        "at_risk": row.at_risk,
        "major": row.major,
        "deadline": None if row.deadline is None else row.deadline.isoformat(),
        "deadline_stage": None if row.deadline_stage is None else _label(Stage.parse(row.deadline_stage, "stage")),
        "clock_status": _label(_clock_status(row, today, due_soon_until)),
        "version": row.version,
    }


def _label(member: Labelled | None) -> dict[str, str] | None:
    return None if member is None else {"code": member.code, "zh": member.zh, "en": member.en}


def _known(value: str, enums: Sequence[type[Labelled]], field: str) -> str:
    codes = sorted({member.code for enum in enums for member in enum})
    if value not in codes:
        raise InvalidValue(
            field,
            f"unknown value {value!r}; expected one of: {', '.join(codes)}",
            zh=f"无效的值 {value!r}，可选：{'、'.join(codes)}",
        )
    return value


def _day(value: object, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValue(field, "must be a date", zh="应为日期")
    return value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
