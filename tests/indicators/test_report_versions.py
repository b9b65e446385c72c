"""No lost update on monthly reports: a save without the version it was made on, or with a stale one, is refused
on the API (422 / 409), the grid page and the Excel import, and the figures stay as they were."""

import io
from datetime import date
from decimal import Decimal

import pytest

from kaifaqu.core.versioning import MISSING_VERSION
from kaifaqu.indicators import services
from kaifaqu.indicators.models import MonthlyReport, ReportValue
from tests.indicators.test_reports import FULL

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/S147007/2024-03"
MARCH = date(2024, 3, 1)
STALE = "该月报已被他人修改，请刷新后重新编辑（您的修改未保存）"
CHANGED = {**FULL, "tax_revenue": {"ytd": "9.9", "last_ytd": "4"}}


@pytest.fixture
def saved(user_of, zone_by_code) -> MonthlyReport:
    """阳泉经开区's March draft, saved once (version 2), tax revenue 3.5."""
    return services.report_save(user=user_of("yq-etdz"), zone=zone_by_code("S147007"), month=MARCH, values=FULL,
                                version=0)


def unchanged(report: MonthlyReport) -> bool:
    tax = ReportValue.objects.get(report=report, indicator__code="tax_revenue").ytd
    return (MonthlyReport.objects.get(pk=report.pk).version, tax) == (2, Decimal("3.5"))


def test_service_refuses_a_save_without_a_version_or_with_a_stale_one(user_of, zone_by_code, saved):
    op, zone = user_of("yq-etdz"), zone_by_code("S147007")
    with pytest.raises(services.ReportMissingVersion, match="缺少版本号"):
        services.report_save(user=op, zone=zone, month=MARCH, values=CHANGED, version=None)
    for stale in (0, 1, 3):
        with pytest.raises(services.ReportConflict, match="已被他人修改"):
            services.report_save(user=op, zone=zone, month=MARCH, values=CHANGED, version=stale)
    assert unchanged(saved)


def test_a_first_save_says_version_0_and_a_second_first_save_is_stale(user_of, zone_by_code):
    op, zone = user_of("yq-etdz"), zone_by_code("S147007")
    report = services.report_save(user=op, zone=zone, month=MARCH, values=FULL, version=0)
    assert report.version == 2
    with pytest.raises(services.ReportConflict):
        services.report_save(user=op, zone=zone, month=MARCH, values=CHANGED, version=0)
    assert unchanged(report)


@pytest.mark.parametrize(("payload", "status", "detail"), [
    ({"values": CHANGED}, 422, MISSING_VERSION),
    ({"values": CHANGED, "version": None}, 422, MISSING_VERSION),
    ({"values": CHANGED, "version": 1}, 409, STALE),
    ({"values": CHANGED, "version": 0}, 409, STALE),
])
def test_put_without_or_with_a_stale_version_is_refused(client, token_of, saved, payload, status, detail):
    resp = client.put(URL, payload, content_type="application/json", **token_of("yq-etdz"))
    assert (resp.status_code, resp.json()["detail"]) == (status, detail)
    assert unchanged(saved)


def test_put_with_the_version_read_saves(client, token_of, saved):
    auth = token_of("yq-etdz")
    version = client.get(URL, **auth).json()["version"]
    resp = client.put(URL, {"values": CHANGED, "version": version}, content_type="application/json", **auth)
    assert resp.status_code == 200 and resp.json()["version"] == version + 1


def grid(values: dict) -> dict:
    return {f"{code}-{k}": v for code, cell in values.items() for k, v in
            (("ytd", cell["ytd"]), ("last", cell["last_ytd"]), ("growth", cell.get("growth", "")))}


@pytest.mark.parametrize(("version", "message"), [(None, MISSING_VERSION), ("", MISSING_VERSION),
                                                  ("1", STALE), ("99999999999999999999", MISSING_VERSION)])
def test_grid_page_without_or_with_a_stale_version_changes_nothing(client_of, saved, version, message):
    client = client_of("yq-etdz")
    assert 'name="version" value="2"' in client.get("/dispatch/report/S147007/2024-03/").content.decode()
    data = grid(CHANGED) | {"action": "submit"} | ({} if version is None else {"version": version})
    resp = client.post("/dispatch/report/S147007/2024-03/", data)
    assert resp.status_code == 200 and message in resp.content.decode()
    assert unchanged(saved) and MonthlyReport.objects.get().status == "draft"


def test_grid_page_of_a_month_without_a_report_carries_version_0(client_of):
    page = client_of("yq-etdz").get("/dispatch/report/S147007/2024-03/").content.decode()
    assert page.count('name="version" value="0"') == 2  # the grid and the Excel import


def workbook() -> bytes:
    """The report's own template, its figures filled in: importing it would change nothing but the version."""
    from kaifaqu.indicators.excel import report_template
    from kaifaqu.zones.models import Zone

    return report_template(zone=Zone.objects.get(code="S147007"), month=MARCH)


@pytest.mark.parametrize(("version", "message"), [(None, MISSING_VERSION), ("1", STALE)])
def test_excel_import_without_or_with_a_stale_version_changes_nothing(client_of, saved, version, message):
    upload = io.BytesIO(workbook())
    upload.name = "月报.xlsx"
    data = {"file": upload} | ({} if version is None else {"version": version})
    resp = client_of("yq-etdz").post("/dispatch/report/S147007/2024-03/import/", data, follow=True)
    assert message in resp.content.decode()
    assert unchanged(saved)



def test_excel_import_with_the_version_shown_saves(client_of, saved):
    upload = io.BytesIO(workbook())
    upload.name = "月报.xlsx"
    resp = client_of("yq-etdz").post("/dispatch/report/S147007/2024-03/import/", {"file": upload, "version": "2"},
                                     follow=True)
    assert "已从Excel导入" in resp.content.decode()
    assert MonthlyReport.objects.get(pk=saved.pk).version == 3


def test_a_user_who_may_not_write_is_refused_before_the_version_is_looked_at(user_of, zone_by_code, saved):
    with pytest.raises(services.ReportForbidden):
        services.report_save(user=user_of("yangquan"), zone=zone_by_code("S147007"), month=MARCH, values=CHANGED,
                             version=1)
    assert unchanged(saved)
