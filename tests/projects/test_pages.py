"""Project pages: scope, totals, filters, forms that refuse bad input and stale edits, campaign figures."""

from datetime import date
from decimal import Decimal

import pytest

from kaifaqu.projects.choices import Batch, Stage
from kaifaqu.projects.models import Campaign, Project
from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_list_shows_only_scoped_projects_with_totals_in_yi(client_of, zone_by_code):
    ProjectFactory(name="阳泉项目甲", total_investment=Decimal("123456.78"))
    ProjectFactory(name="晋中项目乙", zone=zone_by_code("G141062"))
    resp = client_of("yangquan").get("/projects/")
    page = resp.content.decode()
    assert "阳泉项目甲" in page and "晋中项目乙" not in page
    assert resp.context["counted"].count == 1 and resp.context["counted"].exact
    assert 'id="project-total">12.35</strong> 亿元' in page


@pytest.mark.parametrize(("query", "names"), [
    ("stage=started", {"在建"}),
    ("band=10", {"大项目"}),
    ("q=大项目", {"大项目"}),
    ("overdue=on", {"逾期"}),
])
def test_list_filters(client_of, query, names):
    ProjectFactory(name="在建", stage=Stage.STARTED, started_on=date(2023, 5, 1))
    ProjectFactory(name="大项目", total_investment=Decimal("150000"))
    ProjectFactory(name="逾期", planned_start_on=date(2023, 6, 1))
    resp = client_of("province").get(f"/projects/?{query}")
    assert {p.name for p in resp.context["page"].object_list} == names


def test_list_filters_by_campaign_batch_and_follow_up(client_of):
    c = CampaignFactory()
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(name="已开工", stage=Stage.STARTED,
                                                                              started_on=date(2023, 5, 1)))
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(name="未开工"))
    client = client_of("province")
    q = f"/projects/?campaign={c.pk}&batch=sign&as_of=2024-03-31"
    assert {p.name for p in client.get(q + "&followed=yes").context["page"].object_list} == {"已开工"}
    assert {p.name for p in client.get(q + "&followed=no").context["page"].object_list} == {"未开工"}


def test_detail_is_404_outside_scope(client_of, zone_by_code):
    theirs = ProjectFactory(zone=zone_by_code("G141062"))
    assert client_of("yangquan").get(f"/projects/{theirs.pk}/").status_code == 404
    assert client_of("jinzhong").get(f"/projects/{theirs.pk}/").status_code == 200


def test_create_form_and_refused_dates(client_of, zone_by_code):
    client = client_of("yq-etdz")
    data = {"name": "新能源装备项目", "zone": zone_by_code("S147007").pk, "type": "industrial",
            "total_investment": "8000", "completed_investment": "0", "stage": "started",
            "signed_on": "2024-03-01", "started_on": "2024-01-01"}
    resp = client.post("/projects/new/", data)
    assert resp.status_code == 200 and "不能早于签约日期" in resp.content.decode()
    assert not Project.objects.filter(name="新能源装备项目").exists()
    data["started_on"] = "2024-04-01"
    resp = client.post("/projects/new/", data)
    assert resp.status_code == 302
    assert Project.objects.get(name="新能源装备项目").stage == Stage.STARTED


def test_create_form_offers_only_writable_zones(client_of):
    form = client_of("yq-etdz").get("/projects/new/").context["form"]
    assert [z.code for z in form.fields["zone"].queryset] == ["S147007"]
    assert form.initial["zone"] == form.fields["zone"].queryset.get().pk  # the only choice is chosen


def test_edit_form_shows_dates_as_iso_so_the_date_box_keeps_them(client_of):
    project = ProjectFactory(signed_on=date(2023, 3, 1))
    html = client_of("yq-etdz").get(f"/projects/{project.pk}/edit/").content.decode()
    assert 'value="2023-03-01"' in html


def test_stale_edit_form_is_refused(client_of):
    project = ProjectFactory(name="原名")
    client = client_of("yq-etdz")
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("zone", "stage")}
    data.update({"name": "甲的修改", "version": 1, "promotion_method": "", "park": "", "chain": ""})
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    data["name"] = "乙基于旧版本的修改"
    resp = client.post(f"/projects/{project.pk}/edit/", data)
    assert "已被他人修改" in resp.content.decode()
    project.refresh_from_db()
    assert project.name == "甲的修改"


def test_transition_form_refusal_shows_reason_and_changes_nothing(client_of):
    project = ProjectFactory()
    client = client_of("yq-etdz")
    resp = client.post(f"/projects/{project.pk}/transition/", {"stage": "started", "date": "2023-01-01",
                                                               "version": "1"}, follow=True)
    assert "不能早于签约日期" in resp.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
    resp = client.post(f"/projects/{project.pk}/transition/", {"stage": "started", "date": "2023-05-01",
                                                               "version": "1"}, follow=True)
    assert "阶段已变更为“开工”" in resp.content.decode()
    assert "2023-05-01" in resp.content.decode()  # on the timeline


def test_reviewer_sees_no_edit_controls(client_of):
    project = ProjectFactory()
    page = client_of("yangquan").get(f"/projects/{project.pk}/").content.decode()
    assert "阶段变更" not in page and "编辑" not in page
    assert client_of("yangquan").post(f"/projects/{project.pk}/transition/",
                                      {"stage": "started", "date": "2023-05-01"}).status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED


def test_stats_page_shows_rates_and_click_through(client_of):
    c = CampaignFactory()
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(
        total_investment=Decimal("30000"), stage=Stage.STARTED, started_on=date(2023, 5, 1)))
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(total_investment=Decimal("10000")))
    page = client_of("province").get(f"/projects/campaigns/stats/?campaign={c.pk}&as_of=2024-03-31")
    html = page.content.decode()
    assert "75.00%" in html and "50.00%" in html
    assert f"campaign={c.pk}" in html and "batch=sign&followed=yes" in html
    assert page.context["stats"]["start"].rate is None and "—" in html


def test_three_un_page(client_of):
    c = CampaignFactory(date=date(2023, 6, 1))
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(name="签了没动",
                                                                              planned_start_on=date(2023, 12, 1)))
    html = client_of("yangquan").get("/projects/three-un/?since=2023-01-01&as_of=2024-03-31").content.decode()
    assert "签了没动" in html and "逾期121天" in html
    assert "签了没动" not in client_of("jinzhong").get("/projects/three-un/?since=2023-01-01").content.decode()
    bad = client_of("yangquan").get("/projects/three-un/?since=notadate")
    # said, under the label the page shows (not the stats page's "或：…"), not silently replaced
    assert bad.status_code == 200 and "<li>自此日期以来的活动：输入一个有效的日期" in bad.content.decode()


def test_campaign_page_creates_campaigns_for_organisers_only(client_of):
    resp = client_of("province").post("/projects/campaigns/", {"name": "2026年第一次“三个一批”活动",
                                                               "date": "2026-01-10", "level": "province"})
    assert resp.status_code == 302 and Campaign.objects.filter(name__startswith="2026年第一次").exists()
    resp = client_of("yq-etdz").post("/projects/campaigns/", {"name": "越权", "date": "2026-01-10",
                                                              "level": "city"})
    assert "只有省、市" in resp.content.decode()
    assert not Campaign.objects.filter(name="越权").exists()


def test_list_page_query_count_is_fixed(client_of, django_assert_max_num_queries):
    for _ in range(30):
        ProjectFactory()
    client = client_of("province")
    with django_assert_max_num_queries(14):
        client.get("/projects/")
