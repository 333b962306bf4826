"""Tests of the working-day calendar used for statutory deadlines."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import CalendarDataError, CalendarYear, WorkingCalendar
from domain.errors import CalendarYearMissing

FIRST = date(2024, 1, 1)
LAST_START = date(2027, 11, 30)
LAST_LOADED = date(2027, 12, 31)

starts = st.dates(min_value=FIRST, max_value=LAST_START)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.default()


def shipped() -> WorkingCalendar:
    return WorkingCalendar.default()


def year_json(year: int, /, **overrides: object) -> str:
    body: dict[str, object] = {
        "year": year,
        "source": "test",
        "provisional": False,
        "holidays": {},
        "makeup_workdays": {},
    }
    body.update(overrides)
    return json.dumps(body, ensure_ascii=False)


def test_shipped_years_and_provisional_flag(cal: WorkingCalendar) -> None:
    assert cal.years == frozenset({2024, 2025, 2026, 2027})
    assert not cal.is_provisional(2024)
    assert not cal.is_provisional(2025)
    assert not cal.is_provisional(2026)
    assert cal.is_provisional(2027)


def test_default_is_cached() -> None:
    assert WorkingCalendar.default() is WorkingCalendar.default()


def test_national_day_2025(cal: WorkingCalendar) -> None:
    assert date(2025, 9, 28).weekday() == 6
    assert cal.is_working_day(date(2025, 9, 28))
    for offset in range(8):
        assert not cal.is_working_day(date(2025, 10, 1) + timedelta(days=offset))
    assert cal.is_working_day(date(2025, 10, 9))
    assert cal.is_working_day(date(2025, 10, 11))
    assert not cal.is_working_day(date(2025, 10, 12))
    assert cal.calendar_year(2025).holidays[date(2025, 10, 6)].startswith("中秋节")


def test_spring_festival_2026(cal: WorkingCalendar) -> None:
    assert date(2026, 2, 14).weekday() == 5
    assert cal.is_working_day(date(2026, 2, 14))
    assert cal.is_working_day(date(2026, 2, 28))
    for offset in range(9):
        assert not cal.is_working_day(date(2026, 2, 15) + timedelta(days=offset))
    assert cal.is_working_day(date(2026, 2, 24))


def test_ordinary_days(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2025, 3, 12))
    assert not cal.is_working_day(date(2025, 3, 15))
    assert not cal.is_working_day(date(2025, 3, 16))
    assert cal.is_working_day(date(2024, 2, 9))
    assert not cal.is_working_day(date(2024, 2, 10))


def test_add_working_days_across_national_day_2025(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert cal.add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
    assert cal.add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)
    assert cal.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert cal.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert cal.add_working_days(date(2025, 10, 1), 1) == date(2025, 10, 9)
    assert cal.add_working_days(date(2025, 9, 30), 0) == date(2025, 9, 30)


def test_add_working_days_across_spring_festival_2026(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 12), 1) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert cal.add_working_days(date(2026, 2, 10), 9) == date(2026, 2, 28)
    assert cal.add_working_days(date(2026, 2, 10), 10) == date(2026, 3, 2)
    assert cal.add_working_days(date(2026, 2, 17), 1) == date(2026, 2, 24)


def test_add_working_days_across_new_year(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 2)
    assert cal.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert cal.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 5)


def test_working_days_between(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert cal.working_days_between(date(2025, 3, 10), date(2025, 3, 10)) == 0
    assert cal.working_days_between(date(2025, 3, 14), date(2025, 3, 10)) == 0


def test_next_working_day_on_or_after(cal: WorkingCalendar) -> None:
    assert cal.next_working_day_on_or_after(date(2025, 10, 1)) == date(2025, 10, 9)
    assert cal.next_working_day_on_or_after(date(2025, 9, 28)) == date(2025, 9, 28)
    assert cal.next_working_day_on_or_after(date(2026, 2, 15)) == date(2026, 2, 24)
    assert cal.next_working_day_on_or_after(date(2025, 3, 15)) == date(2025, 3, 17)


def test_provisional_2027_holds_statutory_holidays_only(cal: WorkingCalendar) -> None:
    data = cal.calendar_year(2027)
    assert data.provisional
    assert not data.makeup_workdays
    assert len(data.holidays) == 13
    assert not cal.is_working_day(date(2027, 2, 5))
    assert not cal.is_working_day(date(2027, 2, 8))
    assert cal.is_working_day(date(2027, 2, 9))
    assert not cal.is_working_day(date(2027, 6, 9))
    assert not cal.is_working_day(date(2027, 9, 15))


def test_missing_year_raises_naming_it(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarYearMissing) as caught:
        cal.is_working_day(date(2023, 6, 1))
    assert caught.value.year == 2023
    assert "2023" in str(caught.value)
    assert "2027" in str(caught.value)
    with pytest.raises(CalendarYearMissing) as later:
        cal.add_working_days(date(2027, 12, 30), 5)
    assert later.value.year == 2028
    with pytest.raises(CalendarYearMissing):
        cal.is_provisional(2028)
    with pytest.raises(CalendarYearMissing):
        cal.working_days_between(date(2027, 12, 1), date(2028, 1, 5))


def test_start_outside_loaded_years_is_allowed(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2023, 12, 31), 1) == date(2024, 1, 2)
    assert cal.add_working_days(date(2023, 6, 1), 0) == date(2023, 6, 1)


def test_negative_n_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(date(2025, 3, 10), -1)


def test_from_directory_replaces_a_year(tmp_path: Path) -> None:
    (tmp_path / "2025.json").write_text(
        year_json(
            2025,
            source="admin replacement",
            holidays={"2025-03-12": "测试假日 Test holiday"},
            makeup_workdays={"2025-03-15": "测试调休 Test make-up working day"},
        ),
        encoding="utf-8",
    )
    (tmp_path / "README.md").write_text("not a year", encoding="utf-8")
    local = WorkingCalendar.from_directory(tmp_path)
    assert local.years == frozenset({2025})
    assert not local.is_working_day(date(2025, 3, 12))
    assert local.is_working_day(date(2025, 3, 15))

    merged = shipped().overlaid(local)
    assert merged.years == frozenset({2024, 2025, 2026, 2027})
    assert merged.calendar_year(2025).source == "admin replacement"
    assert merged.is_working_day(date(2025, 10, 1))
    assert not merged.is_working_day(date(2025, 3, 12))
    assert not merged.is_working_day(date(2026, 2, 16))
    assert shipped().is_working_day(date(2025, 3, 12))


def test_from_directory_adds_a_year(tmp_path: Path) -> None:
    (tmp_path / "2028.json").write_text(
        year_json(2028, holidays={"2028-01-03": "元旦 New Year's Day"}),
        encoding="utf-8",
    )
    merged = shipped().overlaid(WorkingCalendar.from_directory(tmp_path))
    assert 2028 in merged.years
    assert merged.add_working_days(date(2027, 12, 31), 1) == date(2028, 1, 4)


def test_file_named_for_another_year_is_refused(tmp_path: Path) -> None:
    (tmp_path / "2026.json").write_text(year_json(2025), encoding="utf-8")
    with pytest.raises(CalendarDataError, match="2026"):
        WorkingCalendar.from_directory(tmp_path)


@pytest.mark.parametrize(
    "overrides",
    [
        {"holidays": {"2024-10-01": "国庆节 National Day"}},
        {"makeup_workdays": {"2025-03-12": "not a weekend day"}},
        {
            "holidays": {"2025-03-15": "x"},
            "makeup_workdays": {"2025-03-15": "x"},
        },
        {"holidays": {"2025-02-30": "x"}},
        {"holidays": {"20250101": "x"}},
        {"provisional": "no"},
        {"source": ""},
        {"year": "2025"},
        {"holidays": ["2025-01-01"]},
    ],
)
def test_malformed_year_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(CalendarDataError):
        CalendarYear.from_json(year_json(2025, **overrides))


def test_invalid_json_is_refused() -> None:
    with pytest.raises(CalendarDataError, match="JSON"):
        CalendarYear.from_json("{not json", origin="2025.json")


def test_a_year_given_twice_is_refused() -> None:
    one = CalendarYear.from_json(year_json(2025))
    with pytest.raises(CalendarDataError, match="twice"):
        WorkingCalendar([one, one])


def test_calendar_year_mappings_are_read_only(cal: WorkingCalendar) -> None:
    holidays = cal.calendar_year(2025).holidays
    with pytest.raises(TypeError):
        holidays[date(2025, 3, 12)] = "x"  # type: ignore[index]


def test_shipped_files_are_well_formed() -> None:
    directory = Path(__file__).resolve().parents[2] / "domain" / "calendar_data"
    for year in (2024, 2025, 2026, 2027):
        raw = json.loads((directory / f"{year}.json").read_text(encoding="utf-8"))
        assert set(raw) == {
            "year",
            "source",
            "provisional",
            "holidays",
            "makeup_workdays",
        }
        assert raw["year"] == year
        assert raw["source"].strip()
        assert all(label.strip() for label in raw["holidays"].values())
        assert all(label.strip() for label in raw["makeup_workdays"].values())


@st.composite
def start_and_n(draw: st.DrawFn) -> tuple[date, int]:
    start = draw(starts)
    room = shipped().working_days_between(start, LAST_LOADED)
    return start, draw(st.integers(min_value=0, max_value=room))


@settings(deadline=None)
@given(start_and_n())
def test_round_trip(case: tuple[date, int]) -> None:
    start, n = case
    cal = shipped()
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@settings(deadline=None)
@given(start_and_n(), st.integers(min_value=0, max_value=400))
def test_add_working_days_is_monotone(case: tuple[date, int], other: int) -> None:
    start, n = case
    m = min(other, n)
    cal = shipped()
    if m < n:
        assert cal.add_working_days(start, m) < cal.add_working_days(start, n)
    else:
        assert cal.add_working_days(start, m) == cal.add_working_days(start, n)


@settings(deadline=None)
@given(start_and_n())
def test_result_is_the_first_day_reaching_n(case: tuple[date, int]) -> None:
    start, n = case
    cal = shipped()
    result = cal.add_working_days(start, n)
    if n == 0:
        assert result == start
        return
    assert result > start
    assert cal.is_working_day(result)
    assert cal.working_days_between(start, result - timedelta(days=1)) == n - 1


@settings(deadline=None)
@given(starts, starts, starts)
def test_working_days_between_adds_up(a: date, b: date, c: date) -> None:
    first, middle, last = sorted((a, b, c))
    cal = shipped()
    assert cal.working_days_between(first, last) == cal.working_days_between(first, middle) + cal.working_days_between(
        middle, last
    )


@settings(deadline=None)
@given(starts)
def test_next_working_day_is_add_one_from_the_day_before(day: date) -> None:
    cal = shipped()
    found = cal.next_working_day_on_or_after(day)
    assert cal.is_working_day(found)
    assert found == cal.add_working_days(day - timedelta(days=1), 1)
