"""The project list's count contract (core/counting.py): a scope-only list counts and totals from the kept tally,
exact; a list filtered otherwise is exact up to the limit and a flagged estimate above it, without totals; a zone
user's count never includes another zone's projects; the queries a page costs do not grow with the projects."""

from decimal import Decimal

import pytest

from kaifaqu.projects.choices import ProjectType, Stage
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
OTHER_ZONE = "G141062"  # 晋中, outside 阳泉


@pytest.fixture
def projects(zone_by_code):
    ProjectFactory.create_batch(4, total_investment=Decimal("100.50"))
    ProjectFactory.create_batch(2, type=ProjectType.INFRASTRUCTURE, stage=Stage.NEGOTIATING, signed_on=None)
    ProjectFactory.create_batch(5, zone=zone_by_code(OTHER_ZONE), completed_investment=Decimal(1))


def test_scope_only_lists_count_and_total_from_the_tally(client, token_of, projects):
    province, zone = token_of("province"), token_of("yq-etdz")
    whole = client.get("/api/v1/projects?limit=1", **province).json()
    assert (whole["count"], whole["count_exact"], whole["total_investment"], whole["completed_investment"]) == (
        11, True, "70402.00", "5.00")
    mine = client.get("/api/v1/projects?limit=1", **zone).json()
    assert (mine["count"], mine["count_exact"], mine["total_investment"]) == (6, True, "20402.00")
    staged = client.get("/api/v1/projects?stage=negotiating&city=阳泉", **province).json()
    assert (staged["count"], staged["total_investment"], len(staged["items"])) == (2, "20000.00", 2)
    assert client.get(f"/api/v1/projects?zone={OTHER_ZONE}", **zone).json()["count"] == 0


def test_a_filtered_list_is_exact_up_to_the_limit(client, token_of, projects, settings):
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 9  # the 9 industrial projects: exactly the limit
    page = client.get("/api/v1/projects?type=industrial&limit=2", **token_of("province")).json()
    assert (page["count"], page["count_exact"], page["total_investment"], page["completed_investment"]) == (
        9, True, "50402.00", "5.00")
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 8
    assert client.get("/api/v1/projects?type=industrial", **token_of("province")).json()["count_exact"] is False


def test_above_the_limit_the_count_is_a_flagged_estimate_within_the_scope(client, token_of, projects, settings):
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 3
    province = client.get("/api/v1/projects?type=industrial&limit=2", **token_of("province")).json()
    assert province["count_exact"] is False and province["total_investment"] is None
    assert province["completed_investment"] is None and 3 < province["count"] <= 11 and len(province["items"]) == 2
    zone = client.get("/api/v1/projects?type=industrial", **token_of("yq-etdz")).json()
    assert zone["count_exact"] is False and 3 < zone["count"] <= 6  # its own scope's size bounds it, not the province's
    assert {p["zone"] for p in zone["items"]} == {"S147007"}
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 10_000
    assert client.get("/api/v1/projects?type=industrial", **token_of("yq-etdz")).json()["count"] == 4


def test_the_page_says_when_its_count_is_an_estimate(client_of, projects, settings):
    settings.KAIFAQU_EXACT_COUNT_LIMIT = 3
    page = client_of("province").get("/projects/?type=industrial").content.decode()
    assert "（估算）" in page and 'id="project-estimate"' in page and 'id="project-total"' not in page
    page = client_of("province").get("/projects/?stage=negotiating").content.decode()
    assert 'id="project-count">2</strong> 个项目' in page and 'id="project-total">2.00</strong> 亿元' in page


@pytest.mark.parametrize("query", ["", "?stage=started&city=阳泉", "?type=industrial", "?q=测试"])
def test_the_list_runs_a_fixed_number_of_queries(client_of, token_of, client, django_assert_max_num_queries, query,
                                                 zone_by_code):
    header, browser = token_of("province"), client_of("yq-etdz")
    filtered = int(query not in ("", "?stage=started&city=阳泉"))  # + the scope's tally, beside the bounded count
    for n in (1, 30):
        ProjectFactory.create_batch(n)
        ProjectFactory.create_batch(n, zone=zone_by_code(OTHER_ZONE))
        # the token with its user (and its last use, once a minute), the visible zones, the count (the tally, or
        # the scope's tally and a count bounded by the limit), the page
        with django_assert_max_num_queries(5 + filtered):
            assert client.get(f"/api/v1/projects{query}", **header).status_code == 200
        with django_assert_max_num_queries(13 + filtered):
            assert browser.get(f"/projects/{query}").status_code == 200
