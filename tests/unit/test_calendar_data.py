"""The shipped working-day data agrees, day by day, with the chinesecalendar package it was taken from."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from domain.calendar import WorkingCalendar


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_day_of_an_official_year_matches_the_reference(year: int) -> None:
    calendar = WorkingCalendar.default()
    assert not calendar.is_provisional(year)
    day = date(year, 1, 1)
    mismatches = []
    while day.year == year:
        if calendar.is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []
