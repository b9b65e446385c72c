"""招商 pages: scope three ways (no login, permission, another city's data), the board, the list with its
filters and Excel, the form's duplicate check, refused input, conversion, events and the funnel."""

import io
import re
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from kaifaqu.accounts.choices import Role
from kaifaqu.investment.choices import LeadStage
from kaifaqu.investment.models import CityPromotionTotal, Lead, PromotionEvent
from kaifaqu.projects.models import Project
from tests.investment.conftest import _user
from tests.investment.factories import EventFactory, LeadFactory

pytestmark = pytest.mark.django_db
PAGES = ["/investment/", "/investment/leads/", "/investment/events/", "/investment/funnel/"]


def text(resp) -> str:
    return resp.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_a_login(client, url):
    resp = client.get(url)
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_pages_show_only_the_users_scope(client_of):
    LeadFactory(company="晋中甲光伏科技有限公司")
    EventFactory(name="晋中乙推介会")
    for url in PAGES[:3]:
        jz, yq = text(client_of("jinzhong").get(url)), text(client_of("yangquan").get(url))
        assert ("晋中甲光伏科技有限公司" in jz or "晋中乙推介会" in jz) and "晋中甲" not in yq and "晋中乙" not in yq


def test_lead_page_is_404_for_another_city(client_of):
    lead = LeadFactory()
    assert client_of("yangquan").get(f"/investment/leads/{lead.pk}/").status_code == 404
    assert client_of("yangquan").post(f"/investment/leads/{lead.pk}/advance/",
                                      {"stage": "contacted", "date": "2024-02-01"}).status_code == 404
    page = client_of("jinzhong").get(f"/investment/leads/{lead.pk}/")
    assert page.status_code == 200 and lead.company in text(page) and "变更记录" in text(page)


def test_board_columns_and_overdue_cards(client_of, promoters):
    LeadFactory(company="逾期企业有限公司", next_action_on=date(2020, 1, 1))
    LeadFactory(stage=LeadStage.NEGOTIATING, negotiating_on=date(2024, 4, 1), investment=150000)
    LeadFactory(signed=True)
    resp = client_of("jz-promoter").get("/investment/")
    columns = {c.stage.value: (c.count, c.investment) for c in resp.context["columns"]}
    assert columns["lead"][0] == 1 and columns["negotiating"] == (1, 150000) and columns["signed"][0] == 1
    page = text(resp)
    assert re.search(r'lead-card overdue">\s*<a class="company" href="[^"]+">逾期企业有限公司', page)
    assert "（已逾期）" in page and "15.00 亿元" in page and 'name="stage"' in page
    assert 'name="stage"' not in text(client_of("jinzhong").get("/investment/"))  # a reviewer reads only


def test_board_stage_select_moves_the_card_and_comes_back(client_of, promoters):
    lead = LeadFactory()
    resp = client_of("jz-promoter").post(f"/investment/leads/{lead.pk}/advance/", {
        "stage": "visited", "date": "2024-02-01", "version": "1", "next": "/investment/?zone=X140700-01"})
    assert resp.status_code == 302 and resp["Location"] == "/investment/?zone=X140700-01"
    lead.refresh_from_db()
    assert (lead.stage, lead.visited_on) == (LeadStage.VISITED, date(2024, 2, 1))
    back = client_of("jz-promoter").post(f"/investment/leads/{lead.pk}/advance/", {
        "stage": "contacted", "date": "2024-03-01", "version": "2", "next": "https://evil.example/"}, follow=True)
    assert "阶段不能倒退" in text(back) and back.redirect_chain[-1][0] == f"/investment/leads/{lead.pk}/"
    lead.refresh_from_db()
    assert lead.stage == LeadStage.VISITED


@pytest.mark.parametrize(("query", "companies"), [
    ("stage=negotiating", {"洽谈甲"}),
    ("band=10", {"洽谈甲"}),
    ("stage=signed&date_from=2024-05-01&date_to=2024-05-31", {"签约乙"}),
    ("stage=signed&date_from=2024-06-01", set()),
    ("q=签约", {"签约乙"}),
    ("overdue=on", {"线索丙"}),
])
def test_list_filters(client_of, query, companies):
    LeadFactory(company="洽谈甲", stage=LeadStage.NEGOTIATING, negotiating_on=date(2024, 4, 1), investment=100000)
    LeadFactory(company="签约乙", signed=True)
    LeadFactory(company="线索丙", next_action_on=date(2020, 1, 1))
    resp = client_of("province").get(f"/investment/leads/?{query}")
    assert {lead.company for lead in resp.context["page"].object_list} == companies


def test_list_exports_the_office_layout(client_of, demo):
    resp = client_of("jinzhong").get("/investment/leads/?stage=signed&export=xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "招商引资线索台账" and rows[2][:3] == ["序号", "企业名称", "投资意向（项目名称）"]
    signed = Lead.objects.filter(city__code="140700", stage="signed").count()
    assert len(rows) == 3 + signed + 1 and rows[-1][0] == "合计" and rows[-1][1] == f"共{signed}条线索"
    assert "山西大恒新能源科技有限公司" in [r[1] for r in rows]


def test_events_page_and_export(client_of, demo):
    resp = client_of("jinzhong").get("/investment/events/?date_from=2024-01-01&date_to=2024-12-31")
    assert resp.context["page"].paginator.count == 24 and "平遥商会招商引资暨政银企座谈会" in text(resp)
    xlsx = client_of("jinzhong").get("/investment/events/?date_from=2024-01-01&date_to=2024-12-31&export=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "招商引资活动台账" and rows[-1][1] == "共24场次"


def post_lead(client, **extra):
    from kaifaqu.zones.models import Zone

    data = {"company": "山西大恒新能源有限公司", "project_name": "大恒光伏组件项目", "project_type": "industrial",
            "investment": "120000", "zone": Zone.objects.get(code="X140700-01").pk,
            "owner_unit": client.session_user.org_unit_id, "received_on": "2024-03-01", **extra}
    return client.post("/investment/leads/new/", data)


@pytest.fixture
def promoter_client(client_of, promoters):
    client = client_of("jz-promoter")
    client.session_user = promoters["jz"]
    return client


def test_form_shows_possible_duplicates_before_saving(promoter_client):
    first = post_lead(promoter_client)
    assert first.status_code == 302 and Lead.objects.count() == 1
    again = post_lead(promoter_client, company="山西 大恒新能源有限责任公司", zone="")  # another zone: still shown
    assert again.status_code == 200 and "可能重复" in text(again) and "仍然保存" in text(again)
    assert Lead.objects.count() == 1
    confirmed = post_lead(promoter_client, company="山西 大恒新能源有限责任公司", zone="", confirm="1")
    assert confirmed.status_code == 302 and Lead.objects.count() == 2


@pytest.mark.parametrize(("extra", "message"), [
    ({"investment": "-5"}, "不能为负数"),
    ({"investment": "一亿"}, "应为数字（万元）"),
    ({"zone": "999999"}, "开发区不存在或无权访问"),
    ({"company": ""}, "这个字段是必填项。"),
    ({"credit_code": "91140700MA0K12345"}, "统一社会信用代码应为18位"),
])
def test_form_refuses_bad_input_and_saves_nothing(promoter_client, extra, message):
    resp = post_lead(promoter_client, **extra)
    assert resp.status_code == 200 and message in text(resp)
    assert Lead.objects.count() == 0


def test_reviewers_cannot_open_the_form(client_of):
    assert client_of("jinzhong").get("/investment/leads/new/").status_code == 403


def test_edit_refuses_a_stale_version(promoter_client):
    lead = LeadFactory()
    lead.version = 5
    lead.save()
    resp = promoter_client.post(f"/investment/leads/{lead.pk}/edit/", {
        "company": "改名有限公司", "project_type": "industrial", "owner_unit": lead.owner_unit_id, "version": "4"})
    assert "已被他人修改" in text(resp)
    lead.refresh_from_db()
    assert lead.company != "改名有限公司"


def test_convert_button_makes_the_project_once(client_of, promoters):
    _user("jz-operator", "X140700-01", Role.OPERATOR)
    lead = LeadFactory(signed=True)
    assert 'id="convert"' not in text(client_of("jz-viewer").get(f"/investment/leads/{lead.pk}/"))
    operator = client_of("jz-operator")
    assert 'id="convert"' in text(operator.get(f"/investment/leads/{lead.pk}/"))
    resp = operator.post(f"/investment/leads/{lead.pk}/convert/")
    project = Project.objects.get()
    assert resp["Location"] == f"/projects/{project.pk}/"
    again = operator.post(f"/investment/leads/{lead.pk}/convert/", follow=True)
    assert "不能重复转入" in text(again) and Project.objects.count() == 1


def test_note_form_adds_to_the_timeline(promoter_client):
    lead = LeadFactory()
    promoter_client.post(f"/investment/leads/{lead.pk}/notes/", {"text": "赴企业总部洽谈", "on": "2024-02-01",
                                                                 "next_action": "报送用地需求"})
    page = text(promoter_client.get(f"/investment/leads/{lead.pk}/"))
    assert "赴企业总部洽谈" in page and "报送用地需求" in page


def test_event_form(client_of, promoters):
    from kaifaqu.zones.models import Region

    client = client_of("jz-promoter")
    data = {"name": "晋中开发区储能产业推介会", "date": "2024-05-01", "city": Region.objects.get(code="140700").pk,
            "kind": "推介会", "organiser": promoters["jz"].org_unit_id}
    assert client.post("/investment/events/new/", data).status_code == 302
    again = client.post("/investment/events/new/", data)
    assert "同一市同一天已有同名活动" in text(again) and PromotionEvent.objects.count() == 1
    assert client_of("jinzhong").get("/investment/events/new/").status_code == 403


def test_funnel_page_writes_the_briefing_and_links_its_rows(client_of, demo):
    client = client_of("jinzhong")
    resp = client.get("/investment/funnel/")  # the latest year with events: 2024
    page = text(resp)
    assert ("共举办24场次招商对接活动，对接洽谈项目共55个，投资金额375亿元，其中10亿元以上项目11个。签约项目23个，"
            "占全市招商引资项目47.9%；共涉及投资额126.6亿元，占全市招商引资投资额39.3%。") in page
    assert 'id="fig-share">47.92%' in page and "funnel-chart-data" in page
    links = resp.context["f"].links
    assert client.get(links["negotiating"]).context["counted"].count == 55
    assert client.get(links["negotiating_big"]).context["counted"].count == 11
    signed = client.get(links["signed"]).context["counted"]
    assert (signed.count, signed.exact, signed.total("investment")) == (23, True, 1266000)
    assert client.get(links["events"]).context["page"].paginator.count == 24


def test_city_enters_its_total_from_the_funnel_page(client_of):
    from kaifaqu.zones.models import Region

    jinzhong = Region.objects.get(code="140700")
    resp = client_of("jinzhong").post("/investment/funnel/city-total/", {
        "city": jinzhong.pk, "year": "2024", "signed_projects": "48", "signed_investment": "3221400"})
    assert resp.status_code == 302
    assert CityPromotionTotal.objects.get(city=jinzhong, year=2024).signed_projects == 48
    refused = client_of("yangquan").post("/investment/funnel/city-total/", {
        "city": jinzhong.pk, "year": "2024", "signed_projects": "1", "signed_investment": "1"}, follow=True)
    assert CityPromotionTotal.objects.get(city=jinzhong, year=2024).signed_projects == 48
    assert refused.status_code == 200


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/investment/", "/investment/leads/", "/investment/events/", "/investment/funnel/"])
def test_pages_run_a_fixed_number_of_queries(client_of, promoters, url, django_assert_max_num_queries):
    from django.utils import timezone

    from kaifaqu.investment.demo import promotion_demo_load

    client = client_of("jz-promoter")
    LeadFactory(signed=True, source_event=EventFactory())
    few = _page_queries(client, url)
    promotion_demo_load(today=timezone.localdate())
    assert _page_queries(client, url) == few
    with django_assert_max_num_queries(15):
        client.get(url)
