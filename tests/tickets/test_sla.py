"""The "事不过夜" first-response rule and the resolution limits, at their boundaries."""

from datetime import date

import pytest

from kaifaqu.tickets.sla import first_response_due, resolution_due
from tests.tickets.factories import beijing, ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("received", "due"), [
    # The Friday before the 2024 Spring Festival: before 18:00 due that midnight; after, 09:00 of the next working
    # day, which is the adjusted working Sunday 2024-02-18.
    (beijing(2024, 2, 9, 17, 59), beijing(2024, 2, 10, 0, 0)),
    (beijing(2024, 2, 9, 17, 59, 59), beijing(2024, 2, 10, 0, 0)),
    (beijing(2024, 2, 9, 18, 0), beijing(2024, 2, 18, 9, 0)),
    (beijing(2024, 2, 9, 18, 1), beijing(2024, 2, 18, 9, 0)),
    # The Friday before National Day 2026 (Thursday 10-1): after 18:00 → Thursday 10-8 09:00.
    (beijing(2026, 9, 30, 18, 1), beijing(2026, 10, 8, 9, 0)),
    (beijing(2024, 3, 4, 7, 30), beijing(2024, 3, 5, 0, 0)),     # before office hours: still that day
    (beijing(2024, 3, 2, 11, 0), beijing(2024, 3, 4, 9, 0)),     # a Saturday: Monday 09:00
    (beijing(2024, 2, 18, 10, 0), beijing(2024, 2, 19, 0, 0)),   # the adjusted working Sunday counts as a workday
    (beijing(2024, 2, 12, 10, 0), beijing(2024, 2, 18, 9, 0)),   # inside the holiday
])
def test_first_response_due(received, due):
    assert first_response_due(received) == due


@pytest.mark.parametrize(("received", "category", "due"), [
    (beijing(2024, 2, 9, 17, 59), "service", date(2024, 2, 22)),   # 5 working days: 2-18, 19, 20, 21, 22
    (beijing(2024, 2, 9, 18, 1), "service", date(2024, 2, 22)),    # the day received is the same
    (beijing(2025, 9, 26, 9, 0), "investment", date(2025, 10, 16)),  # 9-28, 29, 30, 10-9, 10, 11, 13…16
    (beijing(2024, 3, 2, 11, 0), "policy", date(2024, 3, 22)),      # 15 from a Saturday
])
def test_resolution_due(received, category, due):
    assert resolution_due(received, category) == due


def test_a_ticket_stores_its_deadlines(user_of):
    t = ticket(user_of("yq-etdz"), received_at=beijing(2024, 2, 9, 18, 1))
    assert t.first_response_due == beijing(2024, 2, 18, 9, 0)
    assert t.resolution_due == date(2024, 2, 22)


def test_midnight_is_written_as_24_00():
    from kaifaqu.tickets.sla import due_text

    assert due_text(beijing(2024, 2, 10, 0, 0)) == "2024-02-09 24:00"
    assert due_text(beijing(2024, 2, 18, 9, 0)) == "2024-02-18 09:00"
