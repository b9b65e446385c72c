"""Working days under the official calendar: holidays, adjusted working weekends, the arithmetic's conventions."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaifaqu.tickets.choices import DayKind
from kaifaqu.tickets.models import HolidayCalendar
from kaifaqu.tickets.workdays import add_workdays, holidays_load, is_workday, official_days, workdays_between

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("day", "working"), [
    (date(2024, 2, 4), True),    # Sunday made a working day before the Spring Festival
    (date(2024, 2, 9), True),    # 除夕 2024 is a working Friday (the notice only encourages a day off)
    (date(2024, 2, 12), False),  # Monday inside the Spring Festival
    (date(2024, 2, 18), True),   # Sunday made a working day after it
    (date(2024, 3, 2), False),   # an ordinary Saturday
    (date(2024, 10, 12), True),  # Saturday made a working day after National Day
    (date(2025, 10, 8), False),  # Wednesday, last day of the 2025 National Day and Mid-Autumn holiday
    (date(2025, 10, 11), True),  # Saturday made a working day
    (date(2026, 1, 4), True),    # Sunday made a working day after New Year 2026
    (date(2026, 2, 23), False),  # Monday, last day of the 2026 Spring Festival
    (date(2026, 11, 23), True),  # an ordinary Monday
])
def test_is_workday(day, working):
    assert is_workday(day) is working


def test_add_workdays_across_the_spring_festival():
    friday = date(2024, 2, 9)
    assert add_workdays(friday, 1) == date(2024, 2, 18)  # the adjusted working Sunday
    assert add_workdays(friday, 2) == date(2024, 2, 19)
    assert add_workdays(friday, 5) == date(2024, 2, 22)
    assert workdays_between(friday, date(2024, 2, 17)) == 0


def test_add_workdays_across_a_national_day_week_and_an_adjusted_saturday():
    tuesday = date(2025, 9, 30)
    assert [add_workdays(tuesday, n) for n in range(1, 5)] == [
        date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 11), date(2025, 10, 13)]
    assert workdays_between(date(2025, 9, 26), date(2025, 10, 12)) == 6  # 9-28 (Sun), 9-29, 9-30, 10-9, 10-10, 10-11
    assert add_workdays(date(2024, 9, 27), 1) == date(2024, 9, 29)  # the Sunday before National Day 2024


def test_conventions():
    d = date(2024, 5, 6)
    assert add_workdays(d, 0) == d
    assert add_workdays(date(2024, 5, 4), 0) == date(2024, 5, 4)  # a holiday stays itself with n = 0
    assert workdays_between(d, d) == 0
    assert workdays_between(date(2024, 5, 10), date(2024, 5, 6)) == -workdays_between(date(2024, 5, 6),
                                                                                        date(2024, 5, 10))
    with pytest.raises(ValueError):
        add_workdays(d, -1)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2022, 12, 1), max_value=date(2026, 12, 31)), n=st.integers(0, 60))
def test_between_inverts_add(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    assert n == 0 or is_workday(end)
    assert sum(is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)) == n


def test_the_shipped_calendar():
    rows = official_days()
    by_year = {y: [r for r in rows if r["date"].year == y] for y in (2023, 2024, 2025, 2026)}
    assert [sum(r["kind"] == DayKind.WORKDAY for r in by_year[y]) for y in by_year] == [7, 8, 5, 6]
    assert sum(r["kind"] == DayKind.HOLIDAY for r in by_year[2026]) == 33
    assert all(r["date"].weekday() >= 5 for r in rows if r["kind"] == DayKind.WORKDAY)
    assert HolidayCalendar.objects.count() == len(rows)  # loaded by the migration
    assert holidays_load() == (0, 0)  # and loading again changes nothing


def test_an_edit_in_the_admin_applies_at_once():
    day = date(2027, 1, 1)
    assert is_workday(day)
    HolidayCalendar.objects.create(date=day, kind=DayKind.HOLIDAY, name="元旦")
    assert not is_workday(day)
    assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
