"""Reports and dispatch over the API and the pages: the workflow, scope, 4xx for bad input, the grid."""

import pytest

from kaifaqu.indicators.models import MonthlyReport
from tests.indicators.test_reports import FULL

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/S147007/2024-03"


def test_report_workflow_over_the_api(client, token_of):
    op, rev = token_of("yq-etdz"), token_of("yangquan")
    put = client.put(URL, {"values": FULL, "version": 0}, content_type="application/json", **op)
    assert put.status_code == 200, put.content
    body = put.json()
    assert body["status"] == "draft" and body["values"]["industrial_value_added"]["ytd"] == "13.2500"
    stale = client.put(URL, {"values": FULL, "version": body["version"] - 1}, content_type="application/json", **op)
    assert stale.status_code == 409
    assert client.post(f"{URL}/submit", **op).json()["status"] == "submitted"
    assert client.post(f"{URL}/approve", {}, content_type="application/json", **token_of("jinzhong")).status_code \
        == 404  # 晋中 cannot see 阳泉's zone
    assert client.post(f"{URL}/return", {"comment": ""}, content_type="application/json", **rev).status_code == 400
    assert client.post(f"{URL}/approve", {"comment": "同意"}, content_type="application/json",
                       **rev).json()["status"] == "approved"
    locked = client.put(URL, {"values": FULL, "version": MonthlyReport.objects.get().version},
                        content_type="application/json", **op)
    assert locked.status_code == 409 and "锁定" in locked.json()["detail"]
    table = client.get("/api/v1/dispatch?month=2024-03", **rev).json()
    row = next(r for r in table["rows"] if r["zone"] == "S147007")
    assert row["values"]["industrial_value_added"]["growth"] == "15.10"
    assert table["total"]["industrial_value_added"]["ytd"] == "13.25"


@pytest.mark.parametrize(("url", "payload", "status"), [
    (URL, {"values": {"industrial_value_added": {"ytd": "十三"}}, "version": 0}, 400),
    (URL, {"values": {"bogus": {"ytd": "1"}}, "version": 0}, 400),
    ("/api/v1/reports/S147007/2024-13", {"values": {}, "version": 0}, 422),
    ("/api/v1/reports/S147007/2099-01", {"values": {}, "version": 0}, 400),
    ("/api/v1/reports/G141004/2024-03", {"values": FULL, "version": 0}, 404),  # another city's zone
    ("/api/v1/reports/X140300-01/2024-03", {"values": FULL, "version": 0}, 404),  # a sister zone: not visible
])
def test_bad_report_input(client, token_of, url, payload, status):
    resp = client.put(url, payload, content_type="application/json", **token_of("yq-etdz"))
    assert resp.status_code in (status, 404), resp.content
    assert "detail" in resp.json()
    assert not MonthlyReport.objects.exists()


def test_dispatch_api_validates_month(client, token_of):
    assert client.get("/api/v1/dispatch?month=March", **token_of("province")).status_code == 422
    assert client.get("/api/v1/dispatch?month=2024-03").status_code == 401


def test_grid_page_saves_and_submits(client_of):
    client = client_of("yq-etdz")
    page = client.get("/dispatch/report/S147007/2024-03/")
    assert page.status_code == 200 and "规模以上工业增加值" in page.content.decode()
    data = {f"{code}-{k}": v for code, cell in FULL.items() for k, v in
            (("ytd", cell["ytd"]), ("last", cell["last_ytd"]), ("growth", cell.get("growth", "")))}
    resp = client.post("/dispatch/report/S147007/2024-03/", {**data, "action": "submit", "version": "0"},
                       follow=True)
    assert "月报已报送" in resp.content.decode()
    assert MonthlyReport.objects.get().status == "submitted"
    bad = client_of("yq-gxq").get("/dispatch/report/S147007/2024-03/")
    assert bad.status_code == 404


def test_grid_refusal_keeps_what_was_typed(client_of):
    client = client_of("yq-etdz")
    resp = client.post("/dispatch/report/S147007/2024-03/", {"industrial_value_added-ytd": "abc",
                                                             "action": "save", "version": "0"})
    assert "不是数字" in resp.content.decode()
    assert 'value="abc"' in resp.content.decode()  # what was typed is still there to correct
    assert not MonthlyReport.objects.filter(values__isnull=False).exists()


def test_dispatch_page_and_export(client_of):
    client = client_of("yangquan")
    page = client.get("/dispatch/?month=2024-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "阳泉经开区" in html and "太原" not in html and "合计" in html
    export = client.get("/dispatch/?month=2024-03&export=xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
