"""The lead list's count contract (core/counting.py): from the kept tally for the scope (a lead without a zone
counted for its owner team's subtree), a zone or a stage; otherwise exact up to the limit and a flagged estimate
above it; the queries do not grow with the leads."""

from decimal import Decimal

import pytest
from django.db import connection

from kaifaqu.accounts.models import OrgUnit
from tests.investment.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(zone_by_code):
    LeadFactory.create_batch(3, investment=Decimal("100.10"))  # 晋中's zone
    LeadFactory(zone=None, owner_unit=OrgUnit.objects.get(code="140700"), investment=Decimal(5))  # 晋中's team
    LeadFactory(zone=zone_by_code("S147007"), investment=None)


def test_counts_and_totals_of_the_scope_come_from_the_tally(client, token_of, leads):
    counts = {who: client.get("/api/v1/leads", **token_of(who)).json() for who in ("province", "jinzhong", "yangquan")}
    assert {who: (page["count"], page["count_exact"], page["investment"]) for who, page in counts.items()} == {
        "province": (5, True, "305.30"), "jinzhong": (4, True, "305.30"), "yangquan": (1, True, "0.00")}
    assert client.get("/api/v1/leads?stage=signed", **token_of("province")).json()["count"] == 0
    assert client.get("/api/v1/leads?zone=S147007", **token_of("jinzhong")).json()["count"] == 0


def test_above_the_limit_a_filtered_count_is_a_flagged_estimate(client, token_of, leads, settings, client_of):
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 2
    page = client.get("/api/v1/leads?q=山西测试", **token_of("province")).json()
    assert page["count_exact"] is False and page["investment"] is None and 2 < page["count"] <= 5
    assert 'id="lead-estimate"' in client_of("province").get("/investment/leads/?q=山西测试").content.decode()
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 4
    page = client.get("/api/v1/leads?q=山西测试", **token_of("jinzhong")).json()
    assert (page["count"], page["count_exact"], page["investment"]) == (4, True, "305.30")


def test_the_list_runs_a_fixed_number_of_queries(client, client_of, token_of, django_assert_max_num_queries):
    header, browser = token_of("jinzhong"), client_of("jinzhong")
    for n in (1, 20):
        LeadFactory.create_batch(n)
        for query in ("", "?stage=lead", "?q=测试"):
            # SQLite: the scope's share of the table (the planner's hint); filtered: the scope's tally
            extra = int(connection.vendor == "sqlite") + int(query.startswith("?q="))
            with django_assert_max_num_queries(5 + extra):
                assert client.get(f"/api/v1/leads{query}", **header).status_code == 200
            with django_assert_max_num_queries(12 + extra):
                assert browser.get(f"/investment/leads/{query}").status_code == 200
