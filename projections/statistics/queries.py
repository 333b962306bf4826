"""The queries of the statistics: each indicator of a period, in total or per group, from the roll-up, the
pending cases and the ruling and clearing rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from application.register_checks import RegisterNames
from domain.clearing import ClearingStatus
from domain.errors import InvalidValue
from domain.kinds import CaseKind, Channel
from domain.labels import Labelled
from domain.registers.refs import DEFAULT_OFFICE, Register
from domain.time import SHANGHAI, local_date, now, require_aware
from domain.tolerance import RulingOutcome, RulingStatus, ToleranceRuling
from projections.case_row import CASE_CLASSES
from projections.statistics.indicators import INDICATORS, RECORD_INDICATORS
from projections.statistics.periods import Period
from projections.statistics.rollup import DYNAMIC_TERMS, FROM_CATEGORIES, STATIC_CODES, TERM_COLUMNS, when
from projections.store import Cursor, ReadStore

GROUPINGS = ("kind", "category", "channel", "village", "unit")
_PENDING_RULINGS = tuple(s for s in RulingStatus if s not in ToleranceRuling.TERMINAL)


def indicators(
    store: ReadStore,
    periods: Sequence[Period],
    group_by: str | None,
    as_of: datetime | None,
    publication_working_days: int,
    names: RegisterNames | None = None,
) -> dict[str, Any]:
    """Every indicator for each period, in total and (if ``group_by``) per group; overdue as of ``as_of``.

    Units and villages are grouped by the code the records store, which a rename does not change; a group
    is shown by the name its register gives the code now (by ``names``), else by the code itself."""
    if group_by is not None and group_by not in GROUPINGS:
        raise InvalidValue("group_by", f"must be one of: {', '.join(GROUPINGS)}", zh=f"可选：{'、'.join(GROUPINGS)}")
    moment = now() if as_of is None else require_aware(as_of, "as_of")
    today = local_date(moment).isoformat()
    results = []
    with store.transaction(readonly=True) as cursor:
        for period in periods:
            total = _merge(
                _case_indicators(cursor, period, None, today),
                _record_indicators(cursor, period, None),
            )[""]
            groups: list[dict[str, Any]] = []
            if group_by is not None:
                by_group = _case_indicators(cursor, period, group_by, today)
                if group_by == "unit":
                    by_group = _merge(by_group, _record_indicators(cursor, period, "unit"))
                groups = [
                    {"key": key, "label": _group_label(group_by, key, names), "indicators": values}
                    for key, values in sorted(by_group.items())
                ]
            results.append({"period": period.describe(), "total": total, "groups": groups})
    return {
        "as_of": moment.astimezone(SHANGHAI).isoformat(),
        "group_by": group_by,
        "publication_working_days": publication_working_days,
        "periods": results,
    }


_PENDING_CODES = ", ".join(f"'{s.code}'" for s in _PENDING_RULINGS)
_CLEARED = f"('{ClearingStatus.CLEARED.code}', '{ClearingStatus.RECORDED.code}')"
RULING_EXPRESSIONS: tuple[tuple[str, str], ...] = (
    ("ruling_requests", "count(*)"),
    ("ruling_appeal_reviews", "sum(r.review)"),
    ("rulings_pending", when(f"r.status IN ({_PENDING_CODES})")),
    ("rulings_declined", when(f"r.status = '{RulingStatus.DECLINED.code}'")),
    ("rulings_exempted", when(f"r.outcome = '{RulingOutcome.EXEMPTED.code}'")),
    ("rulings_mitigated", when(f"r.outcome = '{RulingOutcome.MITIGATED.code}'")),
    ("rulings_not_tolerated", when(f"r.outcome = '{RulingOutcome.NOT_TOLERATED.code}'")),
    ("rulings_appealed", when(f"r.status = '{RulingStatus.APPEALED.code}'")),
)
CLEARING_EXPRESSIONS: tuple[tuple[str, str], ...] = (
    ("clearings_proposed", "count(*)"),
    ("clearings_cleared", when(f"c.status IN {_CLEARED}")),
)

_GROUP_EXPRESSIONS = {
    "kind": "s.kind",
    "category": "s.kind || '/' || s.category",
    "channel": "s.channel",
    "village": "s.village",
    "unit": "s.unit",
}


def _case_indicators(cursor: Cursor, period: Period, group_by: str | None, today: str) -> dict[str, dict[str, Any]]:
    """The case indicators of the cases received in ``period``, per group ("" when not grouped).

    The counts that do not depend on the day come from the period's cells of ``stat_rollup``; those that
    do are counted over the period's pending cases; the median days to close from the histogram.
    """
    merged = FROM_CATEGORIES.get(group_by)
    grouping = "category" if merged is not None else str(group_by)
    columns = ", ".join(f"r.{column}" for column in TERM_COLUMNS)
    cursor.execute(
        f"SELECT r.key, {columns} FROM stat_rollup r WHERE r.period = %s AND r.grouping = %s",
        [period.code, grouping],
    )
    found: dict[str, dict[str, int]] = {}
    for values in cursor.fetchall():
        key = str(values[0]) if merged is None else merged(str(values[0]))
        into = found.setdefault(key, dict.fromkeys(STATIC_CODES, 0))
        for code, value in zip(STATIC_CODES, values[1:], strict=True):
            into[code] += _whole(value)
    group = "''" if group_by is None else _GROUP_EXPRESSIONS[group_by]
    counted = ", ".join(f"{when(sql)} AS d{n}" for n, (_, sql) in enumerate(DYNAMIC_TERMS))
    cursor.execute(
        f"SELECT {group} AS g, {counted} FROM stat_cases s"
        f" WHERE s.pending = 1 AND s.received_on >= %s AND s.received_on <= %s"
        + ("" if group_by is None else f" GROUP BY {group}"),
        [*(today for _ in DYNAMIC_TERMS), period.start.isoformat(), period.end.isoformat()],
    )
    for values in cursor.fetchall():
        pending = found.get(str(values[0]))
        if pending is not None:
            for n, (code, _) in enumerate(DYNAMIC_TERMS):
                pending[code] = pending.get(code, 0) + _whole(values[n + 1])
    cursor.execute(
        "SELECT d.key, d.days, d.n FROM stat_close_days d WHERE d.period = %s AND d.grouping = %s",
        [period.code, grouping],
    )
    histograms: dict[str, dict[int, int]] = {}
    for key, days, n in cursor.fetchall():
        counts = histograms.setdefault(str(key) if merged is None else merged(str(key)), {})
        counts[int(days)] = counts.get(int(days), 0) + int(n)
    return {key: _case_values(terms, sorted(histograms.get(key, {}).items())) for key, terms in found.items()}


def _case_values(found: dict[str, int], histogram: list[tuple[int, int]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for indicator in INDICATORS:
        code = indicator.code
        if code in RECORD_INDICATORS:
            continue
        if indicator.type == "rate":
            result[code] = rate(found.get(f"{code}.n", 0), found.get(f"{code}.d", 0))
        elif indicator.type == "days":
            count, total = found.get(f"{code}.count", 0), found.get(f"{code}.sum", 0)
            median = _median(histogram)
            result[code] = {
                "count": count,
                "mean": round(total / count, 2) if count else None,
                "median": None if median is None else round(median, 2),
            }
        elif indicator.type == "amount":
            result[code] = yuan(found.get(code, 0))
        else:
            result[code] = found.get(code, 0)
    return result


def _median(histogram: Sequence[tuple[int, int]]) -> float | None:
    """The median of the values a sorted histogram of ``(value, how many)`` counts."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return None
    wanted = ((total - 1) // 2, total // 2)
    found: list[int] = []
    seen = 0
    for value, n in histogram:
        found += [value for position in wanted if seen <= position < seen + n]
        seen += n
    return sum(found) / 2


def _record_indicators(cursor: Cursor, period: Period, group_by: str | None) -> dict[str, dict[str, Any]]:
    bounds = [period.start.isoformat(), period.end.isoformat()]
    found: dict[str, dict[str, Any]] = {}
    for table, alias, day, expressions in (
        ("stat_rulings", "r", "requested_on", RULING_EXPRESSIONS),
        ("stat_clearings", "c", "proposed_on", CLEARING_EXPRESSIONS),
    ):
        group = "''" if group_by is None else f"{alias}.unit"
        grouped = "" if group_by is None else f" GROUP BY {group}"
        selected = ", ".join(f"{sql} AS v{n}" for n, (_, sql) in enumerate(expressions))
        cursor.execute(
            f"SELECT {group} AS g, {selected} FROM {table} {alias}"
            f" WHERE {alias}.{day} >= %s AND {alias}.{day} <= %s{grouped}",
            bounds,
        )
        for values in cursor.fetchall():
            into = found.setdefault(str(values[0]), {})
            into.update({code: _whole(values[n + 1]) for n, (code, _) in enumerate(expressions)})
    zero = {code: 0 for code, _ in (*RULING_EXPRESSIONS, *CLEARING_EXPRESSIONS)}
    return {key: zero | values for key, values in found.items()}


def _merge(cases: dict[str, dict[str, Any]], records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Case and record indicators of the same groups, each group having every indicator."""
    empty_cases = _case_values({}, [])
    empty_records = {code: 0 for code, _ in (*RULING_EXPRESSIONS, *CLEARING_EXPRESSIONS)}
    merged: dict[str, dict[str, Any]] = {}
    for key in sorted(set(cases) | set(records)):
        merged[key] = (cases.get(key) or empty_cases) | (records.get(key) or empty_records)
    return {key: _ordered(values) for key, values in merged.items()}


def _ordered(values: dict[str, Any]) -> dict[str, Any]:
    return {i.code: values[i.code] for i in INDICATORS if i.code in values}


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    """A rate with what it is made of; the rate is None when nothing is counted."""
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": None if denominator == 0 else round(numerator / denominator, 4),
    }


def yuan(fen: int) -> str:
    """An amount in fen as yuan, with two decimals."""
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def _whole(value: Any) -> int:
    return 0 if value is None else int(value)


def _group_label(group_by: str, key: str, names: RegisterNames | None) -> dict[str, str]:
    """A group's key with its Chinese and English names."""
    if group_by == "kind":
        member: Labelled = CaseKind.parse(key, "kind")
        return {"code": key, "zh": member.zh, "en": member.en}
    if group_by == "category":
        kind_code, _, category = key.partition("/")
        kind = CaseKind.parse(kind_code, "kind")
        member = CASE_CLASSES[kind].CATEGORY.parse(category, "category")
        return {"code": key, "zh": f"{kind.zh}·{member.zh}", "en": f"{kind.en}: {member.en}"}
    if group_by == "channel":
        member = Channel.parse(key, "channel")
        return {"code": key, "zh": member.zh, "en": member.en}
    if not key:
        return {"code": "", "zh": "未分派" if group_by == "unit" else "未填写", "en": "Not assigned"}
    register = Register.UNIT if group_by == "unit" else Register.PLACE
    name = (names.entry_name(DEFAULT_OFFICE, register, key) if names else None) or key
    return {"code": key, "zh": name, "en": name}
