"""The hotline's service levels (SPEC §8), fixed when a ticket is received.

First response — "事不过夜" (nothing waits overnight):
- a ticket received on a working day before 18:00 (office close; 17:59:59 is before, 18:00:00 is not) must get its
  first response before that day ends, i.e. by 24:00 the same day;
- a ticket received at or after 18:00, or on a day off (weekend, public holiday), must get it by 09:00 (office
  open) of the next working day — an adjusted working Saturday or Sunday (调休上班) counts.
So a ticket taken at 17:59 on the Friday before the Spring Festival is due by midnight that Friday; one taken at
18:01 is due at 09:00 on the first working day after the festival.

The first response is the handling department's first answer to the enterprise, recorded when the ticket moves
to 办理中 (`ticket_start`); it is on time when recorded no later than the due moment.

Resolution — the category's limit in working days (`RESOLUTION_DAYS`), counted from the day received (that day not
counted): due by the end (24:00) of `add_workdays(received date, limit)`. On time when resolved on or before it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .choices import RESOLUTION_DAYS
from .workdays import add_workdays, is_workday, next_workday

OFFICE_OPEN = time(9, 0)
OFFICE_CLOSE = time(18, 0)


def _at(d: date, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(d, t))


def first_response_due(received_at: datetime) -> datetime:
    """When the first response to a ticket received at `received_at` is due ("事不过夜", see the module)."""
    local = timezone.localtime(received_at)
    day = local.date()
    if is_workday(day) and local.time() < OFFICE_CLOSE:
        return _at(day + timedelta(days=1), time.min)  # 24:00 of the day received
    return _at(next_workday(day), OFFICE_OPEN)


def resolution_due(received_at: datetime, category: str) -> date:
    """The last day (until 24:00) a ticket of `category` received at `received_at` may be resolved on time."""
    return add_workdays(timezone.localdate(received_at), RESOLUTION_DAYS[category])


def responded_on_time(responded_at: datetime, due: datetime) -> bool:
    """Answered no later than the "事不过夜" moment."""
    return responded_at <= due


def resolved_on_time(resolved_at: datetime, due: date) -> bool:
    """Resolved on or before the resolution day (Beijing date)."""
    return timezone.localdate(resolved_at) <= due


def due_text(due: datetime, fmt: str = "%Y-%m-%d") -> str:
    """A first-response deadline as offices write it: midnight is 24:00 of the day before ("2024-02-09 24:00")."""
    local = timezone.localtime(due)
    if local.time() == time.min:
        return f"{local.date() - timedelta(days=1):{fmt}} 24:00"
    return f"{local:{fmt} %H:%M}"
