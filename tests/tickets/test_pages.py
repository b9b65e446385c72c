"""Pages: scope on every page (阳泉 vs 晋中, 404 for another city's ticket), the call-taker's form and lookup,
workflow forms that refuse out of order, exports, the figures page, the registry and the service pages."""

import io

import pytest
from python_calamine import CalamineWorkbook

from kaifaqu.tickets.models import Ticket
from tests.factories import ProjectFactory
from tests.tickets.factories import EnterpriseFactory, ServiceItemFactory, ticket

pytestmark = pytest.mark.django_db

PAGES = ["/services/", "/services/tickets/", "/services/tickets/queues/", "/services/tickets/stats/",
         "/services/enterprises/", "/services/items/", "/services/cases/", "/services/commitments/"]
IMPORT_PAGES = ["/services/enterprises/import/", "/services/items/import/"]


@pytest.fixture
def two_cities(user_of, zone_by_code):
    mine = ticket(user_of("yq-etdz"), text="阳泉的诉求：用电增容", department="企业服务中心")
    theirs = ticket(user_of("province"), zone="G141062", text="晋中的诉求：污水管网接入")
    return mine, theirs


@pytest.mark.parametrize("url", PAGES)
def test_every_page_needs_a_login_and_renders(client, client_of, url):
    assert client.get(url).status_code == 302
    assert client_of("yangquan").get(url).status_code == 200


@pytest.mark.parametrize("url", IMPORT_PAGES)
def test_import_pages_are_for_those_who_may_write(client, client_of, url):
    assert client.get(url).status_code == 302
    assert client_of("yq-etdz").get(url).status_code == 200
    assert client_of("yangquan").get(url).status_code == 403  # a reviewer writes nothing: no form, no upload


def test_lists_show_only_the_users_scope(client_of, two_cities):
    mine, theirs = two_cities
    yq, jz = client_of("yangquan"), client_of("jinzhong")
    page = yq.get("/services/tickets/").content.decode()
    assert "阳泉的诉求" in page and "晋中的诉求" not in page
    page = jz.get("/services/tickets/").content.decode()
    assert "晋中的诉求" in page and "阳泉的诉求" not in page
    assert yq.get(f"/services/tickets/{theirs.pk}/").status_code == 404
    assert jz.get(f"/services/tickets/{theirs.pk}/").status_code == 200
    assert yq.post(f"/services/tickets/{theirs.pk}/assign/", {"department": "财政局"}).status_code == 404
    assert yq.get("/services/tickets/stats/").context["stats"].total.received == 1
    assert jz.get("/services/").context["stats"].total.received == 1
    assert [r["zone__code"] for r in yq.get("/services/tickets/queues/").context["rows"]] == ["S147007"]


def test_the_call_takers_form(client_of):
    e = EnterpriseFactory(name="日昌晶新材料（山西）有限责任公司")
    client = client_of("yq-etdz")
    lookup = client.get("/services/enterprises/lookup/?q=日昌晶", HTTP_HX_REQUEST="true").content.decode()
    assert f'data-id="{e.pk}"' in lookup and "日昌晶新材料" in lookup
    page = client.get("/services/tickets/new/").content.decode()
    assert 'hx-trigger="keyup changed delay:150ms' in page
    data = {"enterprise": e.pk, "zone": e.zone_id, "channel": "phone", "category": "factors",
            "text": "厂区用电负荷不足，申请增容", "department": "供电公司（要素保障）"}
    resp = client.post("/services/tickets/new/", data, follow=True)
    t = Ticket.objects.get()
    assert (t.enterprise, t.status, t.created_by.username) == (e, "assigned", "yq-etdz")
    assert f"已受理诉求 {t.number}" in resp.content.decode()


def test_the_form_refuses_a_ticket_without_text(client_of, zone_by_code):
    zone = zone_by_code("S147007")
    resp = client_of("yq-etdz").post("/services/tickets/new/", {"zone": zone.pk, "channel": "phone",
                                                                "category": "other", "text": "  "})
    assert "请填写诉求内容" in resp.content.decode()
    assert Ticket.objects.count() == 0


def test_a_viewer_cannot_receive(client_of):
    resp = client_of("province-viewer").get("/services/tickets/new/")
    assert resp.status_code == 302


def test_workflow_forms_and_a_refusal(client_of, two_cities):
    mine, _ = two_cities
    client = client_of("yq-etdz")
    resp = client.post(f"/services/tickets/{mine.pk}/resolve/", {"resolution": "x"}, follow=True)
    assert "诉求当前为“已分派”，不能办结" in resp.content.decode()
    client.post(f"/services/tickets/{mine.pk}/start/", {"note": "已联系企业"})
    client.post(f"/services/tickets/{mine.pk}/resolve/", {"resolution": "已增容"})
    client.post(f"/services/tickets/{mine.pk}/close/", {"satisfaction": "satisfied"})
    page = client.get(f"/services/tickets/{mine.pk}/").content.decode()
    assert "回访评价：满意" in page and 'id="ticket-status">已关闭' in page
    assert client.post(f"/services/tickets/{mine.pk}/fly/").status_code == 404


def test_exports_are_office_workbooks(client_of, two_cities):
    client = client_of("yangquan")
    resp = client.get("/services/tickets/?export=xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "企业诉求台账" and sheet[2][:3] == ["序号", "诉求编号", "受理时间"]
    assert [r[8] for r in sheet[3:-1]] == ["阳泉的诉求：用电增容"] and sheet[-1][0] == "合计"
    resp = client.get("/services/tickets/stats/?export=xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(resp.content))
    assert book.sheet_names == ["按类别", "按承办部门"]
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0].startswith("企业诉求办理情况统计表") and rows[-1][0] == "合计" and rows[-1][1] == 1


def test_stats_page_has_its_charts(client_of, two_cities):
    page = client_of("province").get("/services/tickets/stats/").content.decode()
    assert 'id="category-chart"' in page and "vendor/echarts.min.js" in page and 'id="chart-data"' in page


def test_registry_pages(client_of, zone_by_code):
    e = EnterpriseFactory(name="蓝邦环保科技有限公司")
    other = EnterpriseFactory(name="晋中光存信息存储科技有限公司", zone=zone_by_code("G141062"))
    client = client_of("yangquan")
    assert "蓝邦环保" in client.get("/services/enterprises/?q=蓝邦").content.decode()
    assert client.get("/services/enterprises/?q=光存").context["page"].paginator.count == 0
    assert client.get(f"/services/enterprises/{e.pk}/").status_code == 200
    assert client.get(f"/services/enterprises/{other.pk}/").status_code == 404


def test_project_service_page(client_of, zone_by_code, user_of):
    project = ProjectFactory(commitment_system=True)
    item = ServiceItemFactory()
    client = client_of("yq-etdz")
    resp = client.post(f"/services/projects/{project.pk}/cases/", {"item": item.pk, "agent": user_of("yq-etdz").pk},
                       follow=True)
    assert "已受理代办件" in resp.content.decode()
    resp = client.post(f"/services/projects/{project.pk}/commitments/",
                       {"content": "承诺开工前补齐环评批复", "promised_on": "2024-01-01", "verify_by": "2024-03-31"},
                       follow=True)
    assert "逾期未核查" in resp.content.decode()
    theirs = ProjectFactory(zone=zone_by_code("G141062"))
    assert client.get(f"/services/projects/{theirs.pk}/").status_code == 404
    assert client.post(f"/services/projects/{theirs.pk}/cases/", {"item": item.pk}).status_code == 404
    assert client_of("yangquan").get("/services/cases/").context["stats"].cases == 1
    assert client_of("jinzhong").get("/services/cases/").context["stats"].cases == 0


def test_list_pages_run_fixed_query_counts(client_of, user_of, django_assert_max_num_queries):
    op = user_of("yq-etdz")
    client = client_of("yangquan")
    ticket(op, enterprise=EnterpriseFactory())
    with django_assert_max_num_queries(20) as few:
        client.get("/services/tickets/")
    for _ in range(8):
        ticket(op, enterprise=EnterpriseFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/services/tickets/")
