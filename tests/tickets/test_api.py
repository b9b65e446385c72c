"""The API: /api/v1/tickets (list, create, detail, workflow, stats), /enterprises, /cases — scoped, 4xx for bad
input, 409 out of order, fixed query counts."""

import pytest

from kaifaqu.tickets.models import ServiceCase, Ticket
from tests.factories import ProjectFactory
from tests.tickets.factories import EnterpriseFactory, ServiceItemFactory, ticket

pytestmark = pytest.mark.django_db

NEW = {"zone": "S147007", "category": "factors", "text": "厂区用电负荷不足，申请增容", "department": "企业服务中心"}


def post(client, url, data, auth):
    return client.post(url, data, content_type="application/json", **auth)


def test_receive_work_and_read_back(client, token_of):
    auth = token_of("yq-etdz")
    e = EnterpriseFactory(name="日昌晶新材料（山西）有限责任公司")
    resp = post(client, "/api/v1/tickets", {**NEW, "enterprise": e.pk, "key_difficult": True}, auth)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["status"], body["zone"], body["enterprise_name"], body["key_difficult"]) == (
        "assigned", "S147007", e.name, True)
    url = f"/api/v1/tickets/{body['id']}"
    assert post(client, f"{url}/start", {"note": "已联系"}, auth).json()["status"] == "in_progress"
    assert post(client, f"{url}/resolve", {"resolution": "已增容"}, auth).json()["resolved_on_time"] is True
    closed = post(client, f"{url}/close", {"satisfaction": "basic"}, auth).json()
    assert (closed["status"], closed["satisfaction"]) == ("closed", "basic")
    detail = client.get(url, **auth).json()
    assert [e["action"] for e in detail["events"]] == ["create", "assign", "start", "resolve", "close"]


@pytest.mark.parametrize(("payload", "status"), [
    ({**NEW, "text": ""}, 400),
    ({**NEW, "text": "   "}, 400),
    ({**NEW, "zone": "G141062"}, 422),  # another city's zone
    ({**NEW, "zone": "NOPE"}, 422),
    ({**NEW, "category": "nope"}, 422),
    ({**NEW, "enterprise": 999999}, 422),
    ({"zone": "S147007"}, 422),
])
def test_bad_tickets_write_nothing(client, token_of, payload, status):
    resp = post(client, "/api/v1/tickets", payload, token_of("yq-etdz"))
    assert resp.status_code == status, resp.content
    assert "detail" in resp.json() and Ticket.objects.count() == 0
    if status == 400:
        assert resp.json()["detail"] == "请填写诉求内容"


def test_transitions_out_of_order_are_409(client, token_of, user_of):
    auth = token_of("yq-etdz")
    t = ticket(user_of("yq-etdz"))
    resp = post(client, f"/api/v1/tickets/{t.pk}/resolve", {"resolution": "x"}, auth)
    assert resp.status_code == 409 and "不能办结" in resp.json()["detail"]
    assert post(client, f"/api/v1/tickets/{t.pk}/escalate", {}, auth).status_code == 409
    assert post(client, f"/api/v1/tickets/{t.pk}/fly", {}, auth).status_code == 422
    assert post(client, f"/api/v1/tickets/{t.pk}/close", {"satisfaction": "great"}, auth).status_code == 422
    assert client.post(f"/api/v1/tickets/{t.pk}/start", **auth).status_code == 409  # no body: still refused
    assert Ticket.objects.get(pk=t.pk).status == "new"


def test_scope_on_every_ticket_endpoint(client, token_of, user_of):
    mine = ticket(user_of("yq-etdz"))
    theirs = ticket(user_of("province"), zone="G141062")
    yq, jz = token_of("yangquan"), token_of("jinzhong")
    assert [t["id"] for t in client.get("/api/v1/tickets", **yq).json()["items"]] == [mine.pk]
    assert [t["id"] for t in client.get("/api/v1/tickets", **jz).json()["items"]] == [theirs.pk]
    assert client.get(f"/api/v1/tickets/{theirs.pk}", **yq).status_code == 404
    assert post(client, f"/api/v1/tickets/{theirs.pk}/assign", {"department": "财政局"}, yq).status_code == 404
    assert client.get(f"/api/v1/tickets/{mine.pk}", **token_of("province")).status_code == 200
    assert post(client, f"/api/v1/tickets/{mine.pk}/assign", {"department": "财政局"},
                token_of("province-viewer")).status_code == 403
    assert client.get("/api/v1/tickets").status_code == 401
    assert client.get("/api/v1/tickets/stats", **yq).json()["received"] == 1
    assert client.get("/api/v1/tickets?from=2099-01-01", **yq).json()["count"] == 0
    assert client.get("/api/v1/tickets?state=open", **yq).json()["count"] == 1
    assert client.get("/api/v1/tickets?department=企业服务中心", **yq).json()["count"] == 0
    assert client.get("/api/v1/tickets?state=flying", **yq).status_code == 422


def test_stats_endpoint(client, token_of, user_of):
    op = user_of("yq-etdz")
    t = ticket(op, department="财政局", category="policy")
    for step in ("start", "resolve", "close"):
        post(client, f"/api/v1/tickets/{t.pk}/{step}", {"resolution": "已兑现", "satisfaction": "satisfied"},
             token_of("yq-etdz"))
    ticket(op, key_difficult=True)
    body = client.get("/api/v1/tickets/stats?from=2020-01-01&to=2099-12-31", **token_of("yangquan")).json()
    assert {k: body[k] for k in ("received", "resolved", "on_time_rate", "satisfaction_index", "key_difficult")} == {
        "received": 2, "resolved": 1, "on_time_rate": "100.00", "satisfaction_index": "100.00", "key_difficult": 1}
    policy = next(c for c in body["by_category"] if c["category"] == "policy")
    assert (policy["name"], policy["received"]) == ("政策兑现", 1)
    assert {d["department"] for d in body["by_department"]} == {"财政局", ""}
    assert client.get("/api/v1/tickets/stats?from=2024-05-01&to=2024-01-01", **token_of("yangquan")).status_code == 422
    assert client.get("/api/v1/tickets/stats?from=bad", **token_of("yangquan")).status_code == 422


def test_list_and_stats_run_fixed_query_counts(client, token_of, user_of, django_assert_max_num_queries):
    op = user_of("yq-etdz")
    auth = token_of("yangquan")
    for _ in range(3):
        ticket(op, enterprise=EnterpriseFactory(), department="财政局")
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/tickets?limit=50", **auth)
    for _ in range(10):
        ticket(op, enterprise=EnterpriseFactory(), department="财政局")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/tickets?limit=50", **auth).json()["count"] == 13
    with django_assert_max_num_queries(6):
        client.get("/api/v1/tickets/stats", **auth)
    with django_assert_max_num_queries(6):
        client.get("/api/v1/enterprises?q=新材料", **auth)


def test_enterprise_lookup_endpoint(client, token_of, zone_by_code):
    e = EnterpriseFactory(name="日昌晶新材料（山西）有限责任公司", credit_code="91350100M000100Y43")
    EnterpriseFactory(name="晋中日昌晶材料有限公司", zone=zone_by_code("G141062"))
    got = client.get("/api/v1/enterprises?q=日昌晶", **token_of("yangquan")).json()
    assert [i["id"] for i in got["items"]] == [e.pk] and got["items"][0]["zone"] == "S147007"
    assert client.get("/api/v1/enterprises?q=913501", **token_of("yangquan")).json()["count"] == 1
    assert client.get("/api/v1/enterprises?q=", **token_of("yangquan")).status_code == 422
    assert client.get(f"/api/v1/enterprises/{e.pk}", **token_of("jinzhong")).status_code == 404


def test_cases_endpoints(client, token_of, user_of, zone_by_code):
    item = ServiceItemFactory()
    mine, theirs = ProjectFactory(), ProjectFactory(zone=zone_by_code("G141062"))
    auth = token_of("yq-etdz")
    resp = post(client, "/api/v1/cases", {"project": mine.code, "item": item.pk, "agent": "yq-etdz"}, auth)
    assert resp.status_code == 201, resp.content
    case = resp.json()
    assert (case["status"], case["project"], case["overdue"]) == ("accepted", mine.code, False)
    assert post(client, "/api/v1/cases", {"project": theirs.pk, "item": item.pk, "agent": "yq-etdz"},
                auth).status_code == 404
    bad = post(client, f"/api/v1/cases/{case['id']}/advance", {"to": "done"}, auth)
    assert bad.status_code == 409 and "不能改为“办结”" in bad.json()["detail"]
    assert post(client, f"/api/v1/cases/{case['id']}/advance", {"to": "in_progress"}, auth).json()[
        "status"] == "in_progress"
    assert client.get("/api/v1/cases", **token_of("jinzhong")).json()["count"] == 0
    assert client.get("/api/v1/cases/stats", **token_of("yangquan")).json()["cases"] == 1
    assert ServiceCase.objects.count() == 1
