"""/api/v1/leads and /api/v1/events: scope on every endpoint, 409 for duplicates and conversions, 4xx in Chinese
for bad input with nothing written, a fixed number of queries on the list."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaifaqu.accounts.choices import Role
from kaifaqu.investment.choices import LeadStage
from kaifaqu.investment.demo import promotion_demo_load
from kaifaqu.investment.models import Lead, PromotionEvent
from kaifaqu.projects.models import Project
from tests.investment.conftest import _user
from tests.investment.factories import LeadFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def new_lead(**extra):
    return {"company": "山西大恒新能源有限公司", "project_name": "大恒光伏组件项目", "zone": "X140700-01",
            "investment": "120000.50", "chain": "光伏", "method": "推介会招商", **extra}


def test_list_is_scoped_and_filtered(client, token_of, demo):
    jz = client.get("/api/v1/leads?limit=500", **token_of("jinzhong")).json()
    assert jz["count"] == Lead.objects.filter(city__code="140700").count() == len(jz["items"])
    yq = client.get("/api/v1/leads?limit=500", **token_of("yangquan")).json()
    assert yq["count"] == 8 and {i["city_code"] for i in yq["items"]} == {"140300"}
    negotiating = client.get("/api/v1/leads?stage=negotiating&city=晋中&limit=1", **token_of("province")).json()
    assert negotiating["count"] == Lead.objects.filter(city__code="140700", stage="negotiating").count()
    assert client.get("/api/v1/leads?zone=X140700-01", **token_of("yangquan")).json()["count"] == 0
    assert client.get("/api/v1/leads?city=不存在", **token_of("province")).json()["count"] == 0
    assert client.get("/api/v1/leads").status_code == 401


def test_another_citys_lead_is_404_on_every_endpoint(client, token_of, promoters):
    theirs = LeadFactory(signed=True)
    yq = token_of("yangquan")
    assert client.get(f"/api/v1/leads/{theirs.pk}", **yq).status_code == 404
    for path, body in [("convert", {}), ("advance", {"stage": "lost", "date": "2024-06-01", "reason": "x"}),
                       ("notes", {"text": "越权"})]:
        resp = client.post(f"/api/v1/leads/{theirs.pk}/{path}", body, content_type=JSON, **yq)
        assert resp.status_code == 404 and resp.json()["detail"] == "未找到该对象，或无权查看"
    assert client.get(f"/api/v1/leads/{theirs.pk}", **token_of("jinzhong")).json()["company"] == theirs.company
    theirs.refresh_from_db()
    assert theirs.stage == LeadStage.SIGNED and theirs.notes.count() == 0


def test_create_then_duplicate_then_confirm(client, token_of, promoters):
    auth = token_of("jz-promoter")
    resp = client.post("/api/v1/leads", new_lead(), content_type=JSON, **auth)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["zone"], body["city"], body["investment"], body["chain"], body["stage"], body["owner"]) == (
        "X140700-01", "晋中市", "120000.50", "光伏", "lead", "jz-promoter")
    again = client.post("/api/v1/leads", new_lead(company="山西 大恒新能源有限责任公司"), content_type=JSON, **auth)
    assert again.status_code == 409
    assert again.json()["duplicates"] == [body["id"]] and again.json()["detail"].startswith("可能重复")
    assert Lead.objects.count() == 1
    confirmed = client.post("/api/v1/leads", new_lead(confirm=True), content_type=JSON, **auth)
    assert confirmed.status_code == 201
    assert set(confirmed.json()["possible_duplicates"]) == {body["id"]}
    assert Lead.objects.count() == 2


@pytest.mark.parametrize(("payload", "status", "detail"), [
    (new_lead(zone="NOPE"), 422, "开发区不存在或无权访问：NOPE"),
    (new_lead(zone="S147007"), 422, "开发区不存在或无权访问：S147007"),  # 阳泉: not revealed
    (new_lead(investment="-5"), 400, "意向投资额不能为负数"),
    (new_lead(investment="一亿元"), 422, "意向投资额：“一亿元”不是数字"),
    (new_lead(investment="12,000.5"), 201, None),  # thousands separators as typed in Excel
    (new_lead(chain="不存在的链"), 422, "产业链不存在或无权访问：不存在的链"),
    (new_lead(source_event=999999), 422, "来源活动不存在或无权访问：999999"),
    (new_lead(company=""), 422, None),
])
def test_bad_input_is_4xx_and_writes_nothing(client, token_of, promoters, payload, status, detail):
    resp = client.post("/api/v1/leads", payload, content_type=JSON, **token_of("jz-promoter"))
    assert resp.status_code == status, resp.content
    if status == 201:
        assert resp.json()["investment"] == "12000.50"
        return
    assert Lead.objects.count() == 0
    if detail:
        assert resp.json()["detail"] == detail


def test_reviewers_read_but_cannot_write(client, token_of):
    resp = client.post("/api/v1/leads", new_lead(), content_type=JSON, **token_of("jinzhong"))
    assert resp.status_code == 403 and "无权" in resp.json()["detail"]
    assert Lead.objects.count() == 0


def test_advance_refusals_are_409_or_400(client, token_of, promoters):
    lead = LeadFactory(stage=LeadStage.NEGOTIATING, negotiating_on=date(2024, 4, 1))
    auth, url = token_of("jz-promoter"), f"/api/v1/leads/{lead.pk}/advance"
    back = client.post(url, {"stage": "contacted", "date": "2024-05-01"}, content_type=JSON, **auth)
    assert back.status_code == 409 and back.json()["detail"] == "阶段不能倒退：从“洽谈”到“接洽”"
    lost = client.post(url, {"stage": "lost", "date": "2024-05-01"}, content_type=JSON, **auth)
    assert lost.status_code == 400 and lost.json()["detail"] == "标记流失须填写原因"
    ok = client.post(url, {"stage": "signed", "date": "2024-05-01", "version": 1}, content_type=JSON, **auth)
    assert ok.status_code == 200 and ok.json()["stage"] == "signed" and ok.json()["version"] == 2


def test_convert_returns_the_project_then_409(client, token_of, promoters):
    _user("jz-operator", "X140700-01", Role.OPERATOR)
    lead = LeadFactory(signed=True, method="以商招商")
    auth = token_of("jz-operator")
    resp = client.post(f"/api/v1/leads/{lead.pk}/convert", content_type=JSON, **auth)
    assert resp.status_code == 201, resp.content
    project = resp.json()
    assert (project["name"], project["zone"], project["stage"], project["signed_on"], project["total_investment"],
            project["builder"], project["promotion_method"]) == (
        lead.project_name, "X140700-01", "signed", "2024-05-20", "50000.00", lead.company, "以商招商")
    assert client.get(f"/api/v1/leads/{lead.pk}", **auth).json()["converted_project"] == project["id"]
    again = client.post(f"/api/v1/leads/{lead.pk}/convert", content_type=JSON, **auth)
    assert again.status_code == 409 and "不能重复转入" in again.json()["detail"]
    unsigned = LeadFactory()
    assert client.post(f"/api/v1/leads/{unsigned.pk}/convert", **auth).status_code == 409
    assert client.post(f"/api/v1/leads/{unsigned.pk}/convert", **token_of("jz-promoter")).status_code == 409
    assert Project.objects.count() == 1


def test_viewers_may_not_convert(client, token_of, promoters):
    lead = LeadFactory(signed=True)
    resp = client.post(f"/api/v1/leads/{lead.pk}/convert", **token_of("jz-viewer"))
    assert resp.status_code == 403 and Project.objects.count() == 0


def _list_queries(client, auth) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/leads?limit=500", **auth).status_code == 200
    return len(ctx.captured_queries)


def test_list_runs_a_fixed_number_of_queries(client, token_of, django_assert_max_num_queries):
    auth = token_of("jinzhong")
    LeadFactory(signed=True)
    _list_queries(client, auth)  # the token's first use is recorded once
    few = _list_queries(client, auth)
    promotion_demo_load(today=timezone.localdate())
    assert Lead.objects.filter(city__code="140700").count() > 100
    assert _list_queries(client, auth) == few
    with django_assert_max_num_queries(5):
        client.get("/api/v1/leads?limit=500", **auth)


def test_funnel_api_reproduces_the_briefing(client, token_of, demo):
    resp = client.get("/api/v1/leads/funnel?date_from=2024-01-01&date_to=2024-12-31", **token_of("jinzhong"))
    body = resp.json()
    assert {k: body[k] for k in ["events", "negotiating", "negotiating_investment", "negotiating_big", "signed",
                                 "signed_investment", "signed_share", "signed_investment_share", "city"]} == {
        "events": 24, "negotiating": 55, "negotiating_investment": "3750000.00", "negotiating_big": 11, "signed": 23,
        "signed_investment": "1266000.00", "signed_share": "47.92", "signed_investment_share": "39.30",
        "city": "140700"}
    assert body["links"]["signed"].endswith("stage=signed&date_from=2024-01-01&date_to=2024-12-31&city=140700")
    bad = client.get("/api/v1/leads/funnel?date_from=2024-12-31&date_to=2024-01-01", **token_of("jinzhong"))
    assert bad.status_code == 422 and bad.json()["detail"] == "起始日期不能晚于截至日期"
    unknown = client.get("/api/v1/leads/funnel?date_from=2024-01-01&date_to=2024-12-31&city=火星",
                         **token_of("jinzhong"))
    assert unknown.status_code == 422 and unknown.json()["detail"] == "未知的市：火星"


def test_events_are_scoped_and_created(client, token_of, promoters, demo):
    yq = client.get("/api/v1/events?date_from=2024-01-01&date_to=2024-12-31", **token_of("yangquan")).json()
    assert yq["count"] == 3
    jz = client.get("/api/v1/events?date_from=2024-01-01&date_to=2024-12-31&limit=100", **token_of("jz-promoter"))
    assert jz.json()["count"] == 24  # a zone's staff see every event of their city
    body = {"name": "晋中开发区储能产业推介会", "date": "2024-05-01", "city": "晋中", "kind": "推介会", "venue": "北京"}
    created = client.post("/api/v1/events", body, content_type=JSON, **token_of("jz-promoter"))
    assert created.status_code == 201 and created.json()["organiser"] == "晋中开发区"
    count = PromotionEvent.objects.count()
    assert client.post("/api/v1/events", body, content_type=JSON, **token_of("jz-promoter")).status_code == 400
    assert client.post("/api/v1/events", {**body, "city": "火星"}, content_type=JSON,
                       **token_of("jz-promoter")).json()["detail"] == "市不存在或无权访问：火星"
    assert client.post("/api/v1/events", {**body, "name": "越权"}, content_type=JSON,
                       **token_of("yq-promoter")).status_code == 400
    assert PromotionEvent.objects.count() == count
