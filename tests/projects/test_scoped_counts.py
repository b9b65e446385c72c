"""Every count is scoped: the campaign list counts the entries in the user's scope and says which scope."""

import pytest

from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(zone_by_code):
    """A campaign listing two 阳泉经开区 projects, one of 阳泉高新区 and three of 晋中开发区 (another city)."""
    campaign = CampaignFactory(name="2024年第一次“三个一批”活动")
    for code, n in (("S147007", 2), ("X140300-01", 1), ("X140700-01", 3)):
        for _ in range(n):
            CampaignEntryFactory(campaign=campaign, project=ProjectFactory(zone=zone_by_code(code)))
    CampaignFactory(name="尚无铺排的活动")
    return campaign


def counts(client) -> tuple[str, dict[str, int]]:
    resp = client.get("/projects/campaigns/")
    assert resp.status_code == 200
    return resp.content.decode(), {c.name: c.n for c in resp.context["campaigns"]}


@pytest.mark.parametrize(("username", "heading", "listed"), [
    ("yq-etdz", "铺排项目（阳泉经济技术开发区）", 2),
    ("yangquan", "铺排项目（本市）", 3),
    ("jinzhong", "铺排项目（本市）", 3),
    ("province", "铺排项目（全省）", 6),
])
def test_campaign_list_counts_the_users_scope(client_of, campaign, username, heading, listed,
                                              django_assert_max_num_queries):
    client = client_of(username)
    with django_assert_max_num_queries(12):
        html, n = counts(client)
    assert heading in html and (username == "province" or "铺排项目（全省）" not in html)
    assert n == {"2024年第一次“三个一批”活动": listed, "尚无铺排的活动": 0}
