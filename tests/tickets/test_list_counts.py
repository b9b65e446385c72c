"""The ticket list's count contract (core/counting.py): from the kept tally for the scope, a city, a zone or a
state; otherwise exact up to the limit and a flagged estimate above it, bounded by the user's own scope; the
queries do not grow with the tickets."""

import pytest
from django.db import connection

from kaifaqu.tickets.models import Ticket
from tests.tickets.factories import ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(user_of):
    for _ in range(3):
        ticket(user_of("yq-etdz"))
    for _ in range(2):
        ticket(user_of("province"), zone="G141062")
    Ticket.objects.filter(pk=Ticket.objects.order_by("pk").first().pk).update(status="closed")


def test_counts_of_the_scope_and_its_states_come_from_the_tally(client, token_of, tickets):
    province, zone = token_of("province"), token_of("yq-etdz")
    assert [client.get(f"/api/v1/tickets{q}", **province).json()["count"] for q in ("", "?state=open", "?state=done",
                                                                                  "?state=closed", "?zone=G141062")] \
        == [5, 4, 1, 1, 2]
    mine = client.get("/api/v1/tickets", **zone).json()
    assert (mine["count"], mine["count_exact"], len(mine["items"])) == (3, True, 3)
    assert client.get("/api/v1/tickets?zone=G141062", **zone).json()["count"] == 0


def test_above_the_limit_a_filtered_count_is_an_estimate_within_the_users_scope(client, token_of, tickets, settings,
                                                                               client_of):
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 2
    province = client.get("/api/v1/tickets?category=service", **token_of("province")).json()
    assert province["count_exact"] is False and 2 < province["count"] <= 5
    zone = client.get("/api/v1/tickets?category=service", **token_of("yq-etdz")).json()
    assert zone["count_exact"] is False and zone["count"] == 3  # bounded by its own 3 tickets
    page = client_of("province").get("/services/tickets/?category=service").content.decode()
    assert '约 <strong id="ticket-count">' in page and 'id="ticket-estimate"' in page
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 5
    exact = client.get("/api/v1/tickets?category=service&state=open", **token_of("province")).json()
    assert (exact["count"], exact["count_exact"]) == (4, True)


def test_the_list_runs_a_fixed_number_of_queries(client, client_of, token_of, user_of, django_assert_max_num_queries):
    header, browser = token_of("province"), client_of("yq-etdz")
    for n in (1, 20):
        for _ in range(n):
            ticket(user_of("yq-etdz"))
        for query in ("", "?state=open", "?q=用电"):
            # SQLite: the scope's share of the table (the planner's hint); filtered: the scope's tally
            extra = int(connection.vendor == "sqlite") + int(query.startswith("?q="))
            with django_assert_max_num_queries(5 + extra):
                assert client.get(f"/api/v1/tickets{query}", **header).status_code == 200
            with django_assert_max_num_queries(12 + extra):
                assert browser.get(f"/services/tickets/{query}").status_code == 200
