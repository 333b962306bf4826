"""Working-day calendar for statutory deadlines.

It knows the public holidays and the make-up working days (调休) of each loaded
year, read from a ``YYYY.json`` file (format in ``calendar_data/README.md``).
A question about a day whose year is not loaded raises :class:`CalendarYearMissing`;
the calendar never guesses.
"""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

from domain.errors import CalendarYearMissing

_YEAR_FILE = re.compile(r"^(\d{4})\.json$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


class CalendarDataError(ValueError):
    """Calendar data is malformed: a bad file, a misplaced day or a year given twice."""


@dataclass(frozen=True)
class CalendarYear:
    """One year's holidays and make-up working days, and where they were taken from.

    ``holidays`` maps each day off (including the bridged days of the official
    arrangement) to its label; ``makeup_workdays`` maps each Saturday or Sunday that
    is worked (调休上班) to its label. ``provisional`` marks data not yet confirmed by
    the State Council's arrangement for that year.
    """

    year: int
    source: str
    provisional: bool
    holidays: Mapping[date, str] = field(hash=False)
    makeup_workdays: Mapping[date, str] = field(hash=False)

    def __post_init__(self) -> None:
        for day in (*self.holidays, *self.makeup_workdays):
            if day.year != self.year:
                raise CalendarDataError(f"calendar {self.year}: {day.isoformat()} lies in another year")
        for day in self.makeup_workdays:
            if day.weekday() < _SATURDAY:
                raise CalendarDataError(
                    f"calendar {self.year}: make-up working day {day.isoformat()} is not a Saturday or Sunday"
                )
        both = sorted(set(self.holidays) & set(self.makeup_workdays))
        if both:
            clash = ", ".join(day.isoformat() for day in both)
            raise CalendarDataError(f"calendar {self.year}: {clash} both holiday and make-up working day")
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "makeup_workdays", MappingProxyType(dict(self.makeup_workdays)))

    @classmethod
    def from_json(cls, text: str, origin: str = "<calendar>") -> CalendarYear:
        """Parse one ``YYYY.json`` document; ``origin`` names it in error messages."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CalendarDataError(f"{origin}: not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise CalendarDataError(f"{origin}: expected a JSON object")
        year = data.get("year")
        source = data.get("source")
        provisional = data.get("provisional")
        if not isinstance(year, int) or isinstance(year, bool):
            raise CalendarDataError(f"{origin}: 'year' must be an integer")
        if not isinstance(source, str) or not source.strip():
            raise CalendarDataError(f"{origin}: 'source' must be a non-empty string")
        if not isinstance(provisional, bool):
            raise CalendarDataError(f"{origin}: 'provisional' must be true or false")
        holidays = _parse_days(data.get("holidays"), "holidays", origin)
        makeup = _parse_days(data.get("makeup_workdays"), "makeup_workdays", origin)
        try:
            return cls(
                year=year,
                source=source,
                provisional=provisional,
                holidays=holidays,
                makeup_workdays=makeup,
            )
        except CalendarDataError as exc:
            raise CalendarDataError(f"{origin}: {exc}") from exc


def _parse_days(raw: object, key: str, origin: str) -> dict[date, str]:
    if not isinstance(raw, dict):
        raise CalendarDataError(f"{origin}: '{key}' must be an object of date -> label")
    days: dict[date, str] = {}
    for text, label in raw.items():
        if not isinstance(text, str) or not _ISO_DATE.match(text):
            raise CalendarDataError(f"{origin}: '{key}' key {text!r} is not a YYYY-MM-DD date")
        if not isinstance(label, str):
            raise CalendarDataError(f"{origin}: '{key}' label for {text} must be a string")
        try:
            days[date.fromisoformat(text)] = label
        except ValueError as exc:
            raise CalendarDataError(f"{origin}: '{key}' key {text!r} is not a valid date") from exc
    return days


def _read_years(directory: Traversable) -> Iterator[CalendarYear]:
    entries = sorted(
        (entry for entry in directory.iterdir() if _YEAR_FILE.match(entry.name) and entry.is_file()),
        key=lambda entry: entry.name,
    )
    for entry in entries:
        loaded = CalendarYear.from_json(entry.read_text(encoding="utf-8"), origin=str(entry))
        named = int(entry.name[:4])
        if loaded.year != named:
            raise CalendarDataError(f"{entry}: file is named for {named} but holds year {loaded.year}")
        yield loaded


class WorkingCalendar:
    """Answers which days are working days and counts working days for deadlines.

    A working day is a Monday to Friday that is not a holiday, or a make-up working
    day. Only days whose year is loaded can be answered.
    """

    def __init__(self, years: Iterable[CalendarYear]) -> None:
        by_year: dict[int, CalendarYear] = {}
        for item in years:
            if item.year in by_year:
                raise CalendarDataError(f"calendar year {item.year} given twice")
            by_year[item.year] = item
        self._years: Mapping[int, CalendarYear] = MappingProxyType(by_year)
        self._counts: dict[int, list[int]] = {}

    @classmethod
    def from_directory(cls, directory: Path) -> WorkingCalendar:
        """Load every ``YYYY.json`` file in ``directory``; other files are ignored."""
        return cls(_read_years(directory))

    @classmethod
    def default(cls) -> WorkingCalendar:
        """The calendar shipped with the product in ``domain/calendar_data/``."""
        return _shipped_calendar()

    def overlaid(self, other: WorkingCalendar) -> WorkingCalendar:
        """A calendar of ``other``'s years plus those of this one ``other`` lacks."""
        merged = dict(self._years)
        merged.update(other._years)
        return WorkingCalendar(merged.values())

    @property
    def years(self) -> frozenset[int]:
        """The years this calendar holds data for."""
        return frozenset(self._years)

    def calendar_year(self, year: int) -> CalendarYear:
        """The data loaded for ``year``."""
        try:
            return self._years[year]
        except KeyError:
            raise CalendarYearMissing(year, self._years) from None

    def is_provisional(self, year: int) -> bool:
        """Whether ``year``'s data is provisional (not yet the official arrangement)."""
        return self.calendar_year(year).provisional

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        data = self.calendar_year(day.year)
        if day in data.makeup_workdays:
            return True
        return day.weekday() < _SATURDAY and day not in data.holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day strictly after ``start`` (``start`` if ``n == 0``).

        ``start`` may be any day, working or not, and its year need not be loaded.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return start
        year, after = _year_and_day(start)
        while True:
            counts = self._year_counts(year)
            available = counts[-1] - counts[after]
            if n <= available:
                found = bisect_left(counts, counts[after] + n, lo=after + 1)
                return date(year, 1, 1) + timedelta(days=found - 1)
            n -= available
            year, after = year + 1, 0

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days ``d`` with ``start < d <= end``; 0 if ``end <= start``."""
        if end <= start:
            return 0
        year, after = _year_and_day(start)
        count = 0
        while year < end.year:
            counts = self._year_counts(year)
            count += counts[-1] - counts[after]
            year, after = year + 1, 0
        counts = self._year_counts(year)
        return count + counts[end.timetuple().tm_yday] - counts[after]

    def _year_counts(self, year: int) -> list[int]:
        """``counts[i]``: how many of the year's first ``i`` days are working days (``counts[0] == 0``)."""
        counts = self._counts.get(year)
        if counts is None:
            counts, day, total = [0], date(year, 1, 1), 0
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += _ONE_DAY
            self._counts[year] = counts
        return counts

    def next_working_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day


def _year_and_day(day: date) -> tuple[int, int]:
    """The year to count from after ``day``, and how many of its days are already behind."""
    if day.month == 12 and day.day == 31:
        return day.year + 1, 0
    return day.year, day.timetuple().tm_yday


@functools.cache
def _shipped_calendar() -> WorkingCalendar:
    return WorkingCalendar(_read_years(files("domain").joinpath("calendar_data")))
