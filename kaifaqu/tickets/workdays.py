"""Working days (工作日) under China's official calendar: Monday–Friday, except the public holidays (法定节假日), plus
the Saturdays and Sundays made working days (调休上班), as `HolidayCalendar` holds them.

The calendar is read from the database once per process and kept; saving or deleting a `HolidayCalendar` row
(the admin, `load_holidays`) clears it in this process, and every process re-reads it after `REFRESH` at the
latest, so another process's edit is picked up too. Arithmetic then runs in memory, never a query per day.

Conventions, so that `workdays_between(a, add_workdays(a, n)) == n`:
- `add_workdays(d, n)`: the n-th working day after d (d itself not counted); n = 0 gives d.
- `workdays_between(a, b)`: the working days d with a < d ≤ b.
Years the calendar does not cover count Monday–Friday only.
"""

from __future__ import annotations

import csv
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db.models.signals import post_delete, post_save

DATA = Path(__file__).resolve().parent / "data" / "holidays_cn.csv"
REFRESH = 600  # seconds
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """The days that break the Monday–Friday rule."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


_lock = threading.Lock()
_cached: tuple[float, Calendar] | None = None


def calendar() -> Calendar:
    """The calendar, read from the database at most once per `REFRESH` seconds in this process."""
    global _cached
    cached = _cached
    if cached is not None and time.monotonic() - cached[0] < REFRESH:
        return cached[1]
    with _lock:
        _cached = (time.monotonic(), _read())
        return _cached[1]


def _read() -> Calendar:
    from .choices import DayKind
    from .models import HolidayCalendar

    rows = list(HolidayCalendar.objects.values_list("date", "kind"))
    return Calendar(holidays=frozenset(d for d, k in rows if k == DayKind.HOLIDAY),
                    workdays=frozenset(d for d, k in rows if k == DayKind.WORKDAY))


def clear_cache(**_kwargs) -> None:
    """Forget the calendar; the next call reads it again."""
    global _cached
    _cached = None


def connect_signals() -> None:
    """Clear the cache whenever a calendar row is saved or deleted (called from the app's ready())."""
    from .models import HolidayCalendar

    post_save.connect(clear_cache, sender=HolidayCalendar, dispatch_uid="holiday_calendar_saved")
    post_delete.connect(clear_cache, sender=HolidayCalendar, dispatch_uid="holiday_calendar_deleted")


# ---- arithmetic ---------------------------------------------------------------------------------------------------

def is_workday(d: date) -> bool:
    """Is `d` a working day?"""
    return calendar().is_workday(d)


def add_workdays(d: date, n: int) -> date:
    """The n-th working day after `d` (n ≥ 0; `d` itself is not counted, n = 0 gives `d`)."""
    if n < 0:
        raise ValueError("n must not be negative")
    cal, current = calendar(), d
    while n:
        current += ONE_DAY
        n -= cal.is_workday(current)
    return current


def next_workday(d: date) -> date:
    """The first working day after `d`."""
    return add_workdays(d, 1)


def workdays_between(a: date, b: date) -> int:
    """How many working days lie after `a` up to and including `b` (negative when b is before a)."""
    if b < a:
        return -workdays_between(b, a)
    cal = calendar()
    full_weeks, rest = divmod((b - a).days, 7)
    count = full_weeks * 5 + sum(1 for i in range(1, rest + 1) if (a + timedelta(days=i)).weekday() < 5)
    count -= sum(1 for h in cal.holidays if a < h <= b and h.weekday() < 5)
    count += sum(1 for w in cal.workdays if a < w <= b and w.weekday() >= 5)
    return count


# ---- the official calendar shipped with the platform -------------------------------------------------------------

def official_days() -> list[dict]:
    """The rows of data/holidays_cn.csv (see data/PROVENANCE.md): date, kind, name, notice."""
    with open(DATA, encoding="utf-8", newline="") as fh:
        return [{**row, "date": date.fromisoformat(row["date"])} for row in csv.DictReader(fh)]


def holidays_load() -> tuple[int, int]:
    """Upsert the shipped calendar (新增, 更新); days entered by hand in the admin are left alone."""
    from .models import HolidayCalendar

    have = {h.date: h for h in HolidayCalendar.objects.all()}
    created = updated = 0
    for row in official_days():
        current = have.get(row["date"])
        if current is None:
            HolidayCalendar.objects.create(**row)
            created += 1
        elif (current.kind, current.name, current.notice) != (row["kind"], row["name"], row["notice"]):
            current.kind, current.name, current.notice = row["kind"], row["name"], row["notice"]
            current.save()
            updated += 1
    clear_cache()
    return created, updated
