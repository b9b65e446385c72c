"""No 500 for bad input (issue 15 item 2): each instance found by the attack, on the API and on the pages. The
classes behind them are tested in tests/core/test_params.py and swept by tests/test_api_fuzz.py."""

import json
import re
from datetime import date

import pytest

from kaifaqu.api import api
from kaifaqu.indicators.schemes import schemes_load
from kaifaqu.investment.models import Lead
from kaifaqu.projects.models import Project
from kaifaqu.tickets.models import ServiceCase, Ticket
from tests.factories import CampaignEntryFactory, ProjectFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"
HUGE = "99999999999999999999"  # 20 digits: beyond a bigint
ID_MESSAGE = "应为1至9223372036854775807之间的整数"


def detail(resp) -> str:
    return resp.json()["detail"]


# ---- the instances of the issue: API ---------------------------------------------------------------------------

def test_lead_with_empty_string_references_is_saved_without_them(client, token_of):
    body = {"company": "山西空引用新材料有限公司", "zone": "", "chain": "", "owner": ""}
    resp = client.post("/api/v1/leads", body, content_type=JSON, **token_of("yq-etdz"))
    assert resp.status_code == 201, resp.content
    lead = Lead.objects.get(pk=resp.json()["id"])
    assert (lead.zone, lead.chain, lead.owner.username) == (None, None, "yq-etdz")


def test_lead_with_an_empty_or_huge_source_event_is_422(client, token_of):
    auth = token_of("yq-etdz")
    for event in ("", int(HUGE)):
        resp = client.post("/api/v1/leads", {"company": "山西来源活动测试有限公司", "source_event": event},
                           content_type=JSON, **auth)
        assert resp.status_code == 422
        assert detail(resp).startswith("参数有误：source_event：")
    assert not Lead.objects.filter(company="山西来源活动测试有限公司").exists()


@pytest.mark.parametrize("field", ["strategic_emerging", "commitment_system", "in_statistics", "name",
                                   "total_investment", "type"])
def test_patch_with_null_for_a_required_field_is_422_and_changes_nothing(client, token_of, field):
    project = ProjectFactory()
    before = Project.objects.values().get(pk=project.pk)
    resp = client.patch(f"/api/v1/projects/{project.pk}", {"version": project.version, field: None},
                        content_type=JSON, **token_of("yq-etdz"))
    assert resp.status_code == 422
    assert detail(resp).startswith(f"参数有误：{field}：")
    assert Project.objects.values().get(pk=project.pk) == before


@pytest.mark.parametrize("field", ["zone", "code", "stage", "id", "colour"])
def test_patch_naming_a_field_it_cannot_change_is_422_and_bumps_nothing(client, token_of, zone_by_code, field):
    project = ProjectFactory()
    before = Project.objects.values().get(pk=project.pk)
    body = {"version": project.version, "name": "改过的名称", field: "X140700-01"}
    resp = client.patch(f"/api/v1/projects/{project.pk}", body, content_type=JSON, **token_of("province"))
    assert resp.status_code == 422
    assert detail(resp) == f"参数有误：{field}：未知或只读的字段，不能修改"
    assert Project.objects.values().get(pk=project.pk) == before


def test_patch_with_only_changeable_fields_still_works(client, token_of):
    project = ProjectFactory()
    resp = client.patch(f"/api/v1/projects/{project.pk}", {"version": project.version, "park": "", "chain": ""},
                        content_type=JSON, **token_of("yq-etdz"))
    assert resp.status_code == 200, resp.content
    project.refresh_from_db()
    assert (project.park, project.chain, project.version) == (None, None, 2)


@pytest.mark.parametrize("url", [
    f"/api/v1/projects?campaign={HUGE}", f"/api/v1/projects?offset={HUGE}", f"/api/v1/projects/export?campaign={HUGE}",
    f"/api/v1/campaigns/stats?campaign={HUGE}", f"/api/v1/campaigns?offset={HUGE}", f"/api/v1/leads?event={HUGE}",
    f"/api/v1/leads?offset={HUGE}", f"/api/v1/tickets?offset={HUGE}", f"/api/v1/projects/{HUGE}",
    f"/api/v1/leads/{HUGE}", f"/api/v1/tickets/{HUGE}", f"/api/v1/orders/{HUGE}", f"/api/v1/zones/{HUGE}",
    f"/api/v1/enterprises/{HUGE}", f"/api/v1/rankings?scheme={HUGE}&month=2024-03",
])
def test_integers_beyond_64_bits_are_422_on_the_api(client, token_of, url):
    resp = client.get(url, **token_of("province"))
    assert resp.status_code == 422
    assert detail(resp).startswith("参数有误：")
    assert "不能大于9223372036854775807" in detail(resp)


def test_a_huge_id_in_a_body_is_422(client, token_of):
    auth = token_of("yq-etdz")
    campaign = CampaignEntryFactory().campaign
    resp = client.post(f"/api/v1/campaigns/{campaign.pk}/entries", {"project": int(HUGE), "batch": "sign"},
                       content_type=JSON, **auth)
    assert resp.status_code == 422
    resp = client.post("/api/v1/tickets", {"zone": "S147007", "category": "service", "text": "用电报装",
                                           "enterprise": int(HUGE)}, content_type=JSON, **auth)
    assert resp.status_code == 422
    assert not Ticket.objects.exists()
    resp = client.post("/api/v1/cases", {"project": 1, "item": int(HUGE), "agent": "yq-etdz"},
                       content_type=JSON, **auth)
    assert resp.status_code == 422
    assert not ServiceCase.objects.exists()


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31"])
@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/tickets/stats"])
def test_ticket_filters_with_dates_out_of_range_are_422(client, token_of, path, query):
    resp = client.get(f"{path}?{query}", **token_of("province"))
    assert resp.status_code == 422
    assert "日期应在1900-01-01至2100-12-31之间" in detail(resp)


def test_a_ticket_received_in_year_one_is_422(client, token_of):
    resp = client.post("/api/v1/tickets", {"zone": "S147007", "category": "service", "text": "用电报装",
                                           "received_at": "0001-01-01T00:00:00"},
                       content_type=JSON, **token_of("yq-etdz"))
    assert resp.status_code == 422
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("url", [
    "/api/v1/rankings?scheme=1&month=0000-01", "/api/v1/warnings?month=0000-01", "/api/v1/dispatch?month=2024-13",
    "/api/v1/reports/S147007/0000-01", "/api/v1/three-un?since=0001-01-01",
    "/api/v1/campaigns/stats?campaign=1&as_of=9999-12-31",
    "/api/v1/leads/funnel?date_from=0001-01-01&date_to=2024-01-01", "/api/v1/events?date_to=9999-12-31",
])
def test_months_and_dates_out_of_range_are_422(client, token_of, url):
    resp = client.get(url, **token_of("province"))
    assert resp.status_code == 422
    assert re.search("月份格式应为YYYY-MM，年份在1900至2100之间|日期应在1900-01-01至2100-12-31之间", detail(resp))


# ---- bearer tokens ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [("get", "/api/v1/projects"), ("post", "/api/v1/projects"),
                                            ("patch", "/api/v1/projects/1"), ("delete", "/api/v1/auth/token")])
def test_an_invalid_bearer_token_is_401_not_a_csrf_403(client, method, path):
    resp = getattr(client, method)(path, {}, content_type=JSON, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert resp.status_code == 401
    assert detail(resp) == "访问令牌无效、已过期或已被吊销，请重新获取令牌"
    assert resp["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_revoked_token_is_401_even_beside_a_session(client, token_of, client_of):
    auth = token_of("yq-etdz")
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    browser = client_of("yq-etdz")  # logged in: the session must not stand in for the refused token
    resp = browser.post("/api/v1/campaigns", {"name": "吊销后", "date": "2024-03-01"}, content_type=JSON, **auth)
    assert resp.status_code == 401
    assert "令牌" in detail(resp)


# ---- OpenAPI ---------------------------------------------------------------------------------------------------

def test_every_reference_of_the_openapi_document_resolves(client):
    document = client.get("/api/v1/openapi.json").json()
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(document)))
    assert refs and all(ref.startswith("#/components/schemas/") for ref in refs)
    assert {ref.rsplit("/", 1)[1] for ref in refs} <= set(document["components"]["schemas"])
    assert "$defs" not in json.dumps(document)
    assert api.get_openapi_schema()["paths"]["/api/v1/tickets/{ticket_id}/{action}"]


# ---- pages -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "message"), [
    (f"/projects/?campaign={HUGE}", "不是一个有效的值"),
    (f"/projects/?chain={HUGE}", "选择一个有效的选项"),
    (f"/projects/campaigns/stats/?campaign={HUGE}", "不是一个有效的值"),
    ("/projects/?as_of=0001-01-01", "日期应在1900-01-01至2100-12-31之间"),
    (f"/investment/leads/?event={HUGE}", ID_MESSAGE),
    (f"/investment/leads/?owner={HUGE}", "选择一个有效的选项"),
    ("/investment/leads/?date_from=0001-01-01", "日期应在1900-01-01至2100-12-31之间"),
    ("/services/tickets/?date_from=0001-01-01&date_to=9999-12-31", "日期应在1900-01-01至2100-12-31之间"),
    ("/dispatch/?month=0000-01", "月份格式应为YYYY-MM，年份在1900至2100之间"),
    ("/alerts/warnings/?month=0000-01", "月份格式应为YYYY-MM，年份在1900至2100之间"),
    ("/rankings/?month=0000-01", "月份格式应为YYYY-MM，年份在1900至2100之间"),
    (f"/rankings/?scheme={HUGE}", "考核方案不存在"),
])
def test_list_pages_show_a_chinese_message_for_bad_filters(client_of, url, message):
    resp = client_of("province").get(url)
    assert resp.status_code == 200
    assert message in resp.content.decode()


@pytest.mark.parametrize("url", [
    "/services/tickets/stats/?date_from=0001-01-01", "/services/cases/?date_to=9999-12-31",
    f"/services/cases/?agent={HUGE}", "/dispatch/targets/?year=99999999999999999999", "/dispatch/targets/?year=²",
    "/investment/funnel/?date_from=0001-01-01", "/investment/events/?date_to=9999-12-31",
])
def test_other_pages_answer_200_for_bad_parameters(client_of, url):
    assert client_of("province").get(url).status_code == 200


@pytest.mark.parametrize("url", [f"/projects/{HUGE}/", f"/investment/leads/{HUGE}/", f"/services/tickets/{HUGE}/",
                                 f"/alerts/orders/{HUGE}/", f"/rankings/{HUGE}/S147007/", f"/zones/{HUGE}/"])
def test_a_huge_id_in_a_page_path_is_404(client_of, url):
    assert client_of("province").get(url).status_code == 404


def test_the_ranking_zone_page_falls_back_from_a_month_out_of_range(client_of):
    scheme = schemes_load(2024)[0]
    resp = client_of("province").get(f"/rankings/{scheme.pk}/S147007/?month=0000-01")
    assert resp.status_code == 200
    assert resp.context["month"] == date(2024, 12, 1)


# ---- NUL characters (PostgreSQL refuses them in text: a 500 before) ---------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/projects?city=%00", "/api/v1/enterprises?q=a%00b",
                                 "/api/v1/cases/stats?city=%00", "/api/v1/zones?q%00=1"])
def test_a_nul_in_a_query_is_400_on_the_api(client, token_of, url):
    resp = client.get(url, **token_of("province"))
    assert resp.status_code == 400
    assert detail(resp) == "请求中含有空字符（NUL），无法处理"


def test_a_nul_in_a_json_body_is_400_and_saves_nothing(client, token_of):
    body = '{"company": "山西空字符\\u0000有限公司"}'
    resp = client.post("/api/v1/leads", body, content_type=JSON, **token_of("yq-etdz"))
    assert resp.status_code == 400
    assert not Lead.objects.filter(company__startswith="山西空字符").exists()


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(client, token_of):
    body = '{"company": "山西反斜杠\\\\u0000有限公司"}'
    resp = client.post("/api/v1/leads", body, content_type=JSON, **token_of("yq-etdz"))
    assert resp.status_code == 201, resp.content
    assert Lead.objects.get(pk=resp.json()["id"]).company == "山西反斜杠\\u0000有限公司"


@pytest.mark.parametrize("url", ["/services/tickets/?q=%00", "/services/cases/?q=%00&state=%00"])
def test_a_nul_in_a_page_query_is_400_in_chinese(client_of, url):
    resp = client_of("province").get(url)
    assert resp.status_code == 400
    assert resp.content.decode() == "请求中含有空字符（NUL），无法处理"


@pytest.mark.parametrize("url", [f"/api/v1/tickets/{HUGE}/phone", f"/api/v1/leads/{HUGE}/phone",
                                 f"/api/v1/auth/tokens/{HUGE}"])
def test_the_later_endpoints_take_the_same_id_type(client, token_of, url):
    """Unmasking and token revocation came after the id type: a huge id is 422 there too, never a 500."""
    send = client.delete if "/tokens/" in url else client.post
    assert send(url, **token_of("province")).status_code == 422
