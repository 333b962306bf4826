"""Periods of the statistics: months, quarters and years of the Asia/Shanghai calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.errors import InvalidValue

PERIODS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """A month, quarter or year of the Asia/Shanghai calendar."""

    kind: str
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        if self.kind not in PERIODS:
            raise InvalidValue("period", f"must be one of: {', '.join(PERIODS)}", zh=f"可选：{'、'.join(PERIODS)}")
        if not isinstance(self.year, int) or isinstance(self.year, bool) or not 2000 <= self.year <= 2100:
            raise InvalidValue("year", "must be a year from 2000 to 2100", zh="应为 2000 至 2100 年")
        top = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if not isinstance(self.number, int) or isinstance(self.number, bool) or not 1 <= self.number <= top:
            raise InvalidValue(
                self.kind if self.kind != "year" else "year", f"must be from 1 to {top}", zh=f"应为 1 至 {top}"
            )

    @property
    def start(self) -> date:
        """The first day of the period."""
        month = {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = self.start
        after = date(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1)
        return after - timedelta(days=1)

    @property
    def code(self) -> str:
        """``2025``, ``2025-Q1`` or ``2025-03``."""
        if self.kind == "year":
            return str(self.year)
        return f"{self.year}-Q{self.number}" if self.kind == "quarter" else f"{self.year}-{self.number:02d}"

    def describe(self) -> dict[str, Any]:
        """The period as plain data, with Chinese and English names."""
        zh = {
            "year": f"{self.year}年",
            "quarter": f"{self.year}年第{self.number}季度",
            "month": f"{self.year}年{self.number}月",
        }
        en = {"year": str(self.year), "quarter": f"Q{self.number} {self.year}", "month": self.start.strftime("%B %Y")}
        return {
            "code": self.code,
            "kind": self.kind,
            "zh": zh[self.kind],
            "en": en[self.kind],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def periods_of(kind: str, year: int, number: int | None = None) -> list[Period]:
    """The period ``number`` of ``year``, or every period of that kind in the year when it is None."""
    if number is not None:
        return [Period(kind, year, number)]
    count = {"month": 12, "quarter": 4, "year": 1}.get(kind, 1)
    return [Period(kind, year, n) for n in range(1, count + 1)]


def period_codes(day: str) -> tuple[str, ...]:
    """The codes of the month, quarter and year of an ISO day (as :attr:`Period.code` writes them)."""
    year, month = int(day[:4]), int(day[5:7])
    return (f"{year}-{month:02d}", f"{year}-Q{(month - 1) // 3 + 1}", str(year))
