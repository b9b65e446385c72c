"""Warnings, supervision orders and reminders (SPEC §5): every rule at and around its threshold, worst-first order,
scope, the order workflow with refusals that change nothing, reminders created once, deliveries through e-mail
and WeCom / DingTalk webhooks (a local HTTP server), the pages and the API."""

from __future__ import annotations

import io
import json
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from ninja import NinjaAPI

from kaifaqu import urls as project_urls
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.api import api as main_api
from kaifaqu.indicators import orders, services
from kaifaqu.indicators.alerts_api import router as alerts_router
from kaifaqu.indicators.models import (
    Channel,
    Delivery,
    MonthlyReport,
    Notification,
    OrderReply,
    SupervisionOrder,
    WarningRule,
)
from kaifaqu.indicators.notify import deliver_pending, mark_read, notify, unread_count
from kaifaqu.indicators.warnings import warnings
from kaifaqu.projects.services import milestone_set
from kaifaqu.zones.models import Zone
from tests.factories import CampaignEntryFactory, ProjectFactory, report_version

# The pages and the router are wired by the project's URLconf; until they are, this module serves them itself.
if any(r is alerts_router for _, r in main_api._routers):
    urlpatterns = list(project_urls.urlpatterns)
else:
    test_api = NinjaAPI(urls_namespace="alerts-test", auth=main_api.auth)
    for exc_class, handler in main_api._exception_handlers.items():
        test_api.add_exception_handler(exc_class, handler)
    test_api.add_router("", alerts_router)
    urlpatterns = [path("api/v1/", test_api.urls), *project_urls.urlpatterns]
if not any(getattr(p, "namespace", None) == "alerts" for p in urlpatterns):
    urlpatterns.insert(0, path("alerts/", include("kaifaqu.indicators.alerts_urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

MARCH = date(2024, 3, 1)
AFTER = date(2024, 4, 20)  # after the March report's deadline (10 April)
AS_OF = date(2024, 3, 31)  # 三未 and milestones are judged at the end of March
BASE = {"industrial_value_added": {"ytd": "13.25", "last_ytd": "11.52", "growth": "15.1"},
        "industrial_investment": {"ytd": "9.85", "last_ytd": "9.64"},
        "fixed_asset_investment": {"ytd": "20", "last_ytd": "18"},
        "above_scale_revenue": {"ytd": "80", "last_ytd": "70"},
        "tax_revenue": {"ytd": "3.5", "last_ytd": "4"}}


def local(y, m, d, hh=9, mm=0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, hh, mm))


def file_report(user, zone, *, submitted_at=None, **cells) -> MonthlyReport:
    """Save and submit a zone's March report through the services; `submitted_at` moves the submission time."""
    values = {**BASE, **cells}
    report = services.report_save(user=user, zone=zone, month=MARCH, values=values,
                                  version=report_version(zone, MARCH))
    services.report_submit(user=user, report=report)
    MonthlyReport.objects.filter(pk=report.pk).update(submitted_at=submitted_at or local(2024, 4, 8))
    return report


def target(user, zone, indicator, kind, value) -> None:
    services.target_set(user=user, zone=zone, year=2024, indicator=indicator, kind=kind, value=Decimal(value))


def of_rule(items, rule):
    return [w for w in items if w.rule == rule]


# ---- the rules at their thresholds -----------------------------------------------------------------------------

@pytest.mark.parametrize(("growth", "goal", "level"), [
    ("10", "15", "yellow"),  # exactly 5 points below
    ("10.01", "15", None),  # 4.99 points below
    ("5.01", "15", "yellow"),  # 9.99 points below
    ("5", "15", "red"),  # exactly 10 points below
    ("-0.01", "0", "red"),  # negative growth, whatever the gap
    ("0", "0", None),
])
def test_growth_below_target(user_of, zone_by_code, growth, goal, level):
    province, zone = user_of("province"), zone_by_code("S147007")
    target(province, zone, "industrial_value_added", "growth", goal)
    file_report(province, zone, industrial_value_added={"ytd": "13", "last_ytd": "12", "growth": growth})
    found = of_rule(warnings(user=user_of("yangquan"), month=MARCH, today=AFTER), "growth_below_target")
    assert [w.level for w in found] == ([level] if level else [])


def test_growth_warning_names_zone_indicator_figures_and_rule(user_of, zone_by_code):
    province, zone = user_of("province"), zone_by_code("S147007")
    target(province, zone, "industrial_value_added", "growth", "15")
    file_report(province, zone, industrial_value_added={"ytd": "13", "last_ytd": "12.6", "growth": "3.2"})
    [w] = of_rule(warnings(user=user_of("yangquan"), month=MARCH, today=AFTER), "growth_below_target")
    assert w.message == "阳泉经开区 规模以上工业增加值 1-3月累计增长3.20%，低于目标15.00%达11.80个百分点（红色）"
    assert (w.key, w.level, w.zone, w.zone_name, w.unit, w.indicator, w.rule, w.rule_name) == (
        "growth:S147007:industrial_value_added:2024-03", "red", "S147007", "阳泉经开区", "S147007",
        "industrial_value_added", "growth_below_target", "增速低于目标")
    assert w.figures == {"ytd": "13.00", "last_ytd": "12.60", "growth": "3.20", "target": "15.00", "gap": "-11.80",
                         "unit": "亿元"}


@pytest.mark.parametrize(("ytd", "level"), [("90", None), ("89.99", "yellow"), ("75", "yellow"), ("74.99", "red")])
def test_absolute_target_behind_time_progress(user_of, zone_by_code, ytd, level):
    # Target 400 a year: by March (time progress 25%) 100 is on schedule, so YTD is completion ÷ time progress.
    province, zone = user_of("province"), zone_by_code("S147007")
    target(province, zone, "industrial_investment", "absolute", "400")
    file_report(province, zone, industrial_investment={"ytd": ytd, "last_ytd": "80"})
    found = of_rule(warnings(user=user_of("yangquan"), month=MARCH, today=AFTER), "completion_behind_progress")
    assert [w.level for w in found] == ([level] if level else [])
    if level:
        assert found[0].figures["ratio"] == f"{Decimal(ytd):.2f}"
        assert found[0].figures["time_progress"] == "25.00"


def test_absolute_target_message(user_of, zone_by_code):
    province, zone = user_of("province"), zone_by_code("S147007")
    target(province, zone, "industrial_investment", "absolute", "400")
    file_report(province, zone, industrial_investment={"ytd": "60", "last_ytd": "80"})
    [w] = of_rule(warnings(user=user_of("yangquan"), month=MARCH, today=AFTER), "completion_behind_progress")
    assert w.message == ("阳泉经开区 工业投资 1-3月累计完成60.00亿元，为全年目标400.00亿元的15.00%，时序进度25.00%，"
                         "完成进度为时序进度的60.00%，低于75%（红色）")


@pytest.mark.parametrize(("submitted_at", "today", "expected"), [
    (local(2024, 4, 10, 23, 0), AFTER, None),  # on the deadline day (Beijing time) is on time
    (local(2024, 4, 11, 0, 30), AFTER, "阳泉经开区 2024年3月月报于2024-04-11报送，晚于截止日2024-04-10（迟报）"),
    (None, date(2024, 4, 11), "阳泉经开区 2024年3月月报截至2024-04-10未报送（漏报）"),
    (None, date(2024, 4, 10), None),  # missing, but the deadline has not passed
])
def test_late_and_missing_reports(user_of, zone_by_code, submitted_at, today, expected):
    if submitted_at:
        file_report(user_of("province"), zone_by_code("S147007"), submitted_at=submitted_at)
    late = [w for w in warnings(user=user_of("yq-etdz"), month=MARCH, today=today) if w.rule == "late"]
    assert [w.message for w in late] == ([expected] if expected else [])
    assert all(w.level == "late" and w.key == "late:S147007:2024-03" for w in late)


def listed_project(**kwargs):
    entry = CampaignEntryFactory(project=ProjectFactory(**kwargs))
    return entry.project


@pytest.mark.parametrize(("days", "level"), [(0, None), (1, "yellow"), (90, "yellow"), (91, "red")])
def test_three_un_overdue(user_of, days, level):
    project = listed_project(planned_start_on=AS_OF - timedelta(days=days))  # signed, not started
    found = of_rule(warnings(user=user_of("yangquan"), month=MARCH, today=AFTER), "three_un_overdue")
    assert [w.level for w in found] == ([level] if level else [])
    if level:
        assert found[0].project == project.code
        word = {"yellow": "黄色", "red": "红色"}[level]
        assert found[0].message == (f"阳泉经开区 项目“{project.name}”（{project.code}）签而未落，计划开工日期"
                                    f"{AS_OF - timedelta(days=days):%Y-%m-%d}，已逾期{days}天（{word}）")


def test_three_un_judged_today_when_the_month_is_not_over(user_of):
    listed_project(planned_start_on=date(2024, 3, 1))
    [w] = of_rule(warnings(user=user_of("yangquan"), month=MARCH, today=date(2024, 3, 11)), "three_un_overdue")
    assert w.figures["overdue_days"] == "10" and w.figures["as_of"] == "2024-03-11"


def test_milestone_overdue(user_of):
    province = user_of("province")
    project = ProjectFactory()
    milestone_set(user=province, project=project, name="施工许可", planned_on=AS_OF - timedelta(days=91))
    milestone_set(user=province, project=project, name="主体完工", planned_on=AS_OF - timedelta(days=1))
    milestone_set(user=province, project=project, name="立项备案", planned_on=date(2023, 1, 1),
                  actual_on=date(2023, 1, 5))  # done
    milestone_set(user=province, project=project, name="试生产", planned_on=AS_OF)  # not yet due
    found = of_rule(warnings(user=user_of("yangquan"), month=MARCH, today=AFTER), "milestone_overdue")
    assert [(w.level, w.figures["milestone"], w.figures["overdue_days"]) for w in found] == [
        ("red", "施工许可", "91"), ("yellow", "主体完工", "1")]


def test_rules_are_editable_and_can_be_disabled(user_of, zone_by_code):
    province, zone = user_of("province"), zone_by_code("S147007")
    target(province, zone, "industrial_value_added", "growth", "15")
    file_report(province, zone, industrial_value_added={"ytd": "13", "last_ytd": "12", "growth": "12"})
    reviewer = user_of("yangquan")
    assert of_rule(warnings(user=reviewer, month=MARCH, today=AFTER), "growth_below_target") == []
    WarningRule.objects.filter(code="growth_below_target").update(yellow=Decimal("3"))
    assert [w.level for w in of_rule(warnings(user=reviewer, month=MARCH, today=AFTER), "growth_below_target")] \
        == ["yellow"]
    WarningRule.objects.filter(code="growth_below_target").update(enabled=False)
    assert of_rule(warnings(user=reviewer, month=MARCH, today=AFTER), "growth_below_target") == []


# ---- order and scope -------------------------------------------------------------------------------------------

def yangquan_data(user_of, zone_by_code):
    """阳泉: a red and a yellow warning in 阳泉经开区, a yellow one in 阳泉高新区, the two other zones missing."""
    province = user_of("province")
    etdz, gxq = zone_by_code("S147007"), zone_by_code("X140300-01")
    target(province, etdz, "industrial_value_added", "growth", "15")
    target(province, etdz, "industrial_investment", "absolute", "400")
    target(province, gxq, "industrial_value_added", "growth", "15")
    file_report(province, etdz, industrial_value_added={"ytd": "13", "last_ytd": "12", "growth": "3.2"},
                industrial_investment={"ytd": "85", "last_ytd": "80"})
    file_report(province, gxq, industrial_value_added={"ytd": "13", "last_ytd": "12", "growth": "9"})


def test_worst_first(user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    items = warnings(user=user_of("yangquan"), month=MARCH, today=AFTER)
    others = sorted(Zone.objects.filter(city__code="140300").exclude(code__in=["S147007", "X140300-01"])
                    .values_list("code", flat=True))
    assert [(w.level, w.zone, w.rule) for w in items] == [
        ("red", "S147007", "growth_below_target"),
        ("yellow", "S147007", "completion_behind_progress"),
        ("yellow", "X140300-01", "growth_below_target"),
        *[("late", code, "late") for code in others],
    ]


def test_scope(user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    jinzhong_zone = zone_by_code("G141062")
    target(user_of("province"), jinzhong_zone, "industrial_value_added", "growth", "15")
    file_report(user_of("province"), jinzhong_zone, industrial_value_added={"ytd": "9", "last_ytd": "10"})
    jinzhong_codes = set(Zone.objects.filter(city__code="140700").values_list("code", flat=True))
    seen_by_yangquan = {w.zone for w in warnings(user=user_of("yangquan"), month=MARCH, today=AFTER)}
    assert seen_by_yangquan and not seen_by_yangquan & jinzhong_codes
    jinzhong = warnings(user=user_of("jinzhong"), month=MARCH, today=AFTER)
    assert ("red", "G141062") == (jinzhong[0].level, jinzhong[0].zone)
    assert {w.zone for w in jinzhong} <= jinzhong_codes
    own = warnings(user=user_of("yq-etdz"), month=MARCH, today=AFTER)
    assert [(w.level, w.zone) for w in own] == [("red", "S147007"), ("yellow", "S147007")]
    by_city = warnings(user=user_of("province"), month=MARCH, city="140700", today=AFTER)
    assert {w.zone for w in by_city} <= jinzhong_codes and "G141062" in {w.zone for w in by_city}


def test_query_count_does_not_grow_with_zones(user_of, zone_by_code):
    province = user_of("province")
    yangquan_data(user_of, zone_by_code)
    with CaptureQueriesContext(connection) as few:
        warnings(user=province, month=MARCH, today=AFTER)
    for code in ["G141062", "S147012", "S149011"]:
        target(province, zone_by_code(code), "industrial_value_added", "growth", "15")
        file_report(province, zone_by_code(code), industrial_value_added={"ytd": "9", "last_ytd": "10"})
    with CaptureQueriesContext(connection) as more:
        items = warnings(user=province, month=MARCH, today=AFTER)
    assert len([w for w in items if w.level == "red"]) == 4
    assert len(more.captured_queries) == len(few.captured_queries) <= 17


# ---- supervision orders ----------------------------------------------------------------------------------------

KEY = "growth:S147007:industrial_value_added:2024-03"


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def issue(user_of, **kwargs) -> SupervisionOrder:
    args = {"unit": unit("S147007"), "deadline": timezone.localdate() + timedelta(days=7), "month": MARCH,
            "warning_key": KEY}
    return orders.order_issue(user=user_of("yangquan"), **{**args, **kwargs})


def state(order: SupervisionOrder) -> tuple:
    order.refresh_from_db()
    return order.status, order.deadline, order.closed_at, order.replies.count()


def test_issue_from_a_warning(user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    order = issue(user_of)
    assert order.number == f"DB{timezone.localdate().year}-0001"
    assert (order.status, order.unit.code, order.issuer_unit.code) == ("open", "S147007", "140300")
    assert order.subject == "阳泉经开区 规模以上工业增加值 1-3月累计增长3.20%，低于目标15.00%达11.80个百分点（红色）"
    assert order.warning["key"] == KEY and order.warning["figures"]["growth"] == "3.20"
    [note] = Notification.objects.filter(user=user_of("yq-etdz"))
    assert note.key == f"order:{order.number}:issued" and note.link == f"/alerts/orders/{order.pk}/"
    second = orders.order_issue(user=user_of("province"), unit=unit("140300"), subject="阳泉市开发区月报迟报问题",
                                deadline=timezone.localdate())
    assert second.number == f"DB{timezone.localdate().year}-0002" and second.warning == {}


@pytest.mark.parametrize(("who", "kwargs", "error", "message"), [
    ("yq-etdz", {}, services.ReportForbidden, "签发"),  # a zone cannot issue
    ("jinzhong", {}, services.ReportForbidden, "签发"),  # another city
    ("yangquan", {"unit": "X140300-01"}, services.ReportError, "责任单位应为阳泉经开区"),
    ("yangquan", {"deadline": -1}, services.ReportError, "期限"),
    ("yangquan", {"warning_key": "growth:S147007:tax_revenue:2024-03"}, services.ReportError, "预警不存在"),
])
def test_issue_refusals_write_nothing(user_of, zone_by_code, who, kwargs, error, message):
    yangquan_data(user_of, zone_by_code)
    if "unit" in kwargs:
        kwargs["unit"] = unit(kwargs["unit"])
    if "deadline" in kwargs:
        kwargs["deadline"] = timezone.localdate() + timedelta(days=kwargs["deadline"])
    args = {"unit": unit("S147007"), "deadline": timezone.localdate() + timedelta(days=7), "month": MARCH,
            "warning_key": KEY, **kwargs}
    with pytest.raises(error, match=message):
        orders.order_issue(user=user_of(who), **args)
    assert not SupervisionOrder.objects.exists() and not Notification.objects.exists()


def test_one_open_order_per_warning(user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    first = issue(user_of)
    with pytest.raises(services.ReportConflict, match=first.number):
        issue(user_of)
    assert SupervisionOrder.objects.count() == 1


def test_order_lifecycle_and_refusals(user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    order = issue(user_of)
    op, sister, issuer = user_of("yq-etdz"), user_of("yq-gxq"), user_of("yangquan")
    before = state(order)
    for who, action, error in [(sister, "reply", services.ReportForbidden),  # another zone
                               (issuer, "reply", services.ReportForbidden),  # the issuer does not reply
                               (op, "close", services.ReportForbidden),  # the replying unit cannot close
                               (issuer, "close", services.ReportConflict)]:  # nothing to close yet
        with pytest.raises(error):
            _act(action, who, order, "已整改")
        assert state(order) == before
    orders.order_reply(user=op, order=order, text="已召开专题会，制定增加值提升方案")
    replied = state(order)
    assert replied[0] == "replied" and replied[3] == 1
    with pytest.raises(services.ReportConflict, match="等待"):
        orders.order_reply(user=op, order=order, text="再补充一点")
    with pytest.raises(services.ReportForbidden):
        orders.order_close(user=op, order=order)
    with pytest.raises(services.ReportError, match="退回理由"):
        orders.order_return(user=issuer, order=order, text=" ")
    assert state(order) == replied
    orders.order_return(user=issuer, order=order, text="请补充具体措施和时间表")
    assert state(order)[0] == "returned"
    orders.order_reply(user=op, order=order, text="补充：4月底前两个项目投产")
    orders.order_close(user=issuer, order=order)
    closed = state(order)
    assert closed[0] == "closed" and closed[2] is not None and closed[3] == 4
    for who, action in [(op, "reply"), (issuer, "close"), (issuer, "return")]:
        with pytest.raises(services.ReportConflict, match="已办结"):
            _act(action, who, order, "再次回复")
        assert state(order) == closed
    assert list(OrderReply.objects.filter(order=order).values_list("kind", flat=True)) == [
        "reply", "return", "reply", "close"]
    keys = set(Notification.objects.values_list("user__username", "key"))
    n = order.number
    assert keys == {("yq-etdz", f"order:{n}:issued"), ("yq-etdz", f"order:{n}:closed"),
                    ("yangquan", f"order:{n}:reply:{order.replies.filter(kind='reply').first().pk}"),
                    ("yangquan", f"order:{n}:reply:{order.replies.filter(kind='reply').last().pk}"),
                    ("yq-etdz", f"order:{n}:returned:{order.replies.get(kind='return').pk}")}


def test_order_to_a_city_is_answered_by_the_city(user_of):
    province, city, zone_op = user_of("province"), user_of("yangquan"), user_of("yq-etdz")
    order = orders.order_issue(user=province, unit=unit("140300"), subject="督促阳泉各开发区按时报送月报",
                               deadline=timezone.localdate())
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["yangquan"]
    with pytest.raises(services.ReportForbidden):
        orders.order_reply(user=zone_op, order=order, text="代市里回复")  # a zone does not answer for its city
    assert state(order)[0] == "open"
    orders.order_reply(user=city, order=order, text="已通报并约谈迟报开发区")
    with pytest.raises(services.ReportForbidden):
        orders.order_close(user=city, order=order)
    orders.order_close(user=province, order=order)
    assert state(order)[0] == "closed"


def _act(action, user, order, text):
    if action == "reply":
        return orders.order_reply(user=user, order=order, text=text)
    if action == "close":
        return orders.order_close(user=user, order=order, text=text)
    return orders.order_return(user=user, order=order, text=text)


def test_overdue_flag_and_counts(user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    today = timezone.localdate()
    a = issue(user_of, deadline=today + timedelta(days=3))
    issue(user_of, warning_key=None, subject="阳泉高新区增加值增速偏低", unit=unit("X140300-01"), deadline=today)
    orders.order_issue(user=user_of("province"), unit=unit("140300"), subject="督促各开发区按时报送", deadline=today)
    later = today + timedelta(days=1)
    flags = {o.number: o.overdue for o in orders.order_list(user=user_of("yangquan"), today=later)}
    assert flags == {a.number: False, f"DB{today.year}-0002": True, f"DB{today.year}-0003": True}
    assert [vars(c) for c in orders.order_counts(user=user_of("yangquan"), today=later)] == [
        {"unit": "140300", "unit_name": unit("140300").name, "open": 1, "overdue": 1},
        {"unit": "S147007", "unit_name": unit("S147007").name, "open": 1, "overdue": 0},
        {"unit": "X140300-01", "unit_name": unit("X140300-01").name, "open": 1, "overdue": 1},
    ]
    assert [(c.unit, c.open) for c in orders.order_counts(user=user_of("yq-etdz"), today=later)] == [("S147007", 1)]
    assert orders.order_counts(user=user_of("jinzhong"), today=later) == []
    assert not orders.is_overdue(a, today + timedelta(days=3)) and orders.is_overdue(a, today + timedelta(days=4))


# ---- reminders and deliveries ----------------------------------------------------------------------------------

def remind(*args) -> str:
    out = io.StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def test_report_reminders_are_created_once(user_of, zone_by_code):
    file_report(user_of("province"), zone_by_code("S147007"))  # 阳泉经开区 has submitted; 阳泉高新区 has not
    assert "提醒即将截止 0 家" in remind("--month", "2024-03", "--now", "2024-04-06T09:00")
    assert not Notification.objects.exists()
    first = remind("--month", "2024-03", "--now", "2024-04-07T09:00")
    assert "提醒即将截止 1 家" in first and "新消息 1 条" in first
    assert "新消息 0 条" in remind("--month", "2024-03", "--now", "2024-04-09T18:00")
    assert list(Notification.objects.values_list("user__username", "key")) == [
        ("yq-gxq", "report-due:X140300-01:2024-03")]
    assert "提醒逾期未报 1 家" in remind("--month", "2024-03", "--now", "2024-04-11T09:00")
    remind("--month", "2024-03", "--now", "2024-04-12T09:00")
    assert sorted(Notification.objects.values_list("key", flat=True)) == [
        "report-due:X140300-01:2024-03", "report-late:X140300-01:2024-03"]
    late = Notification.objects.get(key="report-late:X140300-01:2024-03")
    assert late.title == "2024年3月月报已逾期未报送（截止2024-04-10）"


def test_order_reminders_are_created_once(user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    today = timezone.localdate()
    order = issue(user_of, deadline=today + timedelta(days=2))
    Notification.objects.all().delete()
    for _ in range(2):
        remind("--now", f"{today}T09:00")
    assert set(Notification.objects.filter(key__startswith="order-").values_list("user__username", "key")) == {
        ("yq-etdz", f"order-due:{order.number}")}
    out = remind("--now", f"{today + timedelta(days=3)}T09:00")
    remind("--now", f"{today + timedelta(days=4)}T09:00")
    assert "提醒已逾期 1 件" in out
    assert set(Notification.objects.filter(key__startswith="order-").values_list("user__username", "key")) == {
        ("yq-etdz", f"order-due:{order.number}"), ("yq-etdz", f"order-overdue:{order.number}"),
        ("yangquan", f"order-overdue:{order.number}")}


def test_remind_rejects_bad_arguments():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        remind("--month", "2024/03")
    with pytest.raises(CommandError, match="ISO"):
        remind("--now", "yesterday")


@pytest.fixture
def hook(monkeypatch):
    """A local webhook: answers with `state["status"]` and records each JSON body it receives."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    received, state_ = [], {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((self.path, json.loads(body)))
            self.send_response(state_["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode":0,"errmsg":"ok"}' if state_["status"] == 200 else b"boom")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", received=received, state=state_)
    server.shutdown()
    server.server_close()


def channel(kind: str, target_: str, code: str = "S147007") -> Channel:
    return Channel.objects.create(unit=unit(code), kind=kind, target=target_)


def test_notify_writes_rows_and_sends_nothing_itself(user_of, hook):
    channel("wecom", f"{hook.url}/wecom")
    op = user_of("yq-etdz")
    created = notify(users=[op, op], key="k1", title="标题", body="正文", link="/alerts/orders/1/")
    assert len(created) == 1 and notify(users=[op], key="k1", title="标题") == []
    assert list(Delivery.objects.values_list("status", "attempts")) == [("pending", 0)]
    assert hook.received == []


def test_webhooks_and_email_deliver(user_of, hook, settings):
    settings.KAIFAQU_SITE_URL = "https://kfq.example.cn"
    channel("wecom", f"{hook.url}/wecom")
    channel("dingtalk", f"{hook.url}/dingtalk")
    channel("email", "etdz@example.cn")
    channel("wecom", f"{hook.url}/other-zone", code="X140300-01")  # not this user's unit
    notify(users=[user_of("yq-etdz")], key="k2", title="督办单DB2024-0001", body="请回复", link="/alerts/orders/1/")
    report = deliver_pending()
    assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
    text = "督办单DB2024-0001\n请回复\n详情：https://kfq.example.cn/alerts/orders/1/"
    payload = {"msgtype": "text", "text": {"content": text}}
    assert sorted(hook.received) == [("/dingtalk", payload), ("/wecom", payload)]
    [message] = mail.outbox
    assert (message.subject, message.to, message.body) == (
        "【开发区管理平台】督办单DB2024-0001", ["etdz@example.cn"], text)
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert deliver_pending().sent == 0  # nothing sent twice


def test_failing_webhook_is_retried_with_backoff_then_left_failed(user_of, hook):
    hook.state["status"] = 500
    channel("dingtalk", f"{hook.url}/dingtalk")
    notify(users=[user_of("yq-etdz")], key="k3", title="提醒")
    now = timezone.now()
    report = deliver_pending(now=now)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    d = Delivery.objects.get()
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 1, now + timedelta(minutes=1))
    assert "500" in d.last_error
    assert deliver_pending(now=now + timedelta(seconds=30)).retrying == 0  # not due yet
    for minutes in (1, 6, 36, 156):
        deliver_pending(now=now + timedelta(minutes=minutes))
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 5, None)
    assert len(hook.received) == 5
    deliver_pending(now=now + timedelta(days=1))
    assert len(hook.received) == 5 and Notification.objects.filter(key="k3").count() == 1


def test_unreachable_channel_never_raises(user_of):
    channel("wecom", "http://127.0.0.1:9/unreachable")
    channel("wecom", "file:///etc/passwd")
    notify(users=[user_of("yq-etdz")], key="k4", title="提醒")
    report = deliver_pending()
    assert report.retrying == 2
    errors = sorted(Delivery.objects.values_list("last_error", flat=True))
    assert errors[0].startswith("DeliveryError: Webhook地址应以http") and "URLError" in errors[1]


def test_unread_count_and_mark_read(user_of):
    op = user_of("yq-etdz")
    notify(users=[op], key="a", title="一")
    notify(users=[op], key="b", title="二")
    request = RequestFactory().get("/")
    request.user = op
    assert unread_count(request)["unread_notifications"] == 2
    assert mark_read(user=op, ids=[Notification.objects.get(key="a").pk]) == 1
    assert unread_count(request)["unread_notifications"] == 1
    html = render_to_string("indicators/alerts/_bell.html", {"user": op, **unread_count(request)})
    assert 'href="/alerts/notifications/"' in html and ">1</span>" in html


# ---- pages -----------------------------------------------------------------------------------------------------

def test_warning_page(client_of, user_of, zone_by_code, client, django_assert_max_num_queries):
    yangquan_data(user_of, zone_by_code)
    reviewer = client_of("yangquan")
    with django_assert_max_num_queries(25):  # + the bell in the header, + overdue tickets
        page = reviewer.get("/alerts/warnings/?month=2024-03")
    html = page.content.decode()
    assert page.status_code == 200 and "增长3.20%，低于目标15.00%" in html and "晋中" not in html
    assert html.count("转督办") == 5 and 'class="badge lv-red"' in html
    own = client_of("yq-etdz").get("/alerts/warnings/?month=2024-03").content.decode()
    assert "阳泉经开区 规模以上工业增加值" in own and "阳泉高新区" not in own and "转督办" not in own
    assert client.get("/alerts/warnings/").status_code == 302


def test_issue_reply_close_through_pages(client_of, user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    deadline = f"{timezone.localdate() + timedelta(days=5)}"
    form = {"key": KEY, "month": "2024-03", "unit": "S147007", "subject": "请说明增加值增速偏低原因",
            "deadline": deadline}
    resp = client_of("yangquan").post("/alerts/orders/new/", form)
    order = SupervisionOrder.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/alerts/orders/{order.pk}/"
    assert order.subject == "请说明增加值增速偏低原因"
    listed = client_of("yangquan").get("/alerts/warnings/?month=2024-03").content.decode()
    assert f"已督办 {order.number}" in listed and listed.count("转督办") == 4
    url = f"/alerts/orders/{order.pk}/"
    assert client_of("yq-gxq").get(url).status_code == 404
    assert client_of("jinzhong").get(url).status_code == 404
    assert client_of("yq-gxq").post(f"{url}reply/", {"text": "越权回复"}).status_code == 404
    op = client_of("yq-etdz")
    detail = op.get(url).content.decode()
    assert "回复整改情况" in detail and "办结" not in detail.split("办理过程")[1].split("变更记录")[0].replace(
        "回复整改情况", "")
    op.post(f"{url}close/", {"text": ""})
    assert state(order)[0] == "open"
    op.post(f"{url}reply/", {"text": "已整改"})
    assert state(order)[0] == "replied"
    page = client_of("yangquan").get(url).content.decode()
    assert "审核整改回复" in page and "已整改" in page and "预警内容（签发时）" in page and "累计增速(%)" in page
    client_of("yangquan").post(f"{url}close/", {"text": "同意"})
    assert state(order)[0] == "closed"
    listing = client_of("yangquan").get("/alerts/orders/").content.decode()
    assert order.number in listing and "已办结" in listing
    assert order.number not in client_of("yq-gxq").get("/alerts/orders/").content.decode()


def test_orders_page_query_count(client_of, user_of, zone_by_code, django_assert_max_num_queries):
    yangquan_data(user_of, zone_by_code)
    for i in range(5):
        orders.order_issue(user=user_of("yangquan"), unit=unit("S147007"), subject=f"事项{i}",
                           deadline=timezone.localdate())
    reviewer = client_of("yangquan")
    with django_assert_max_num_queries(7):
        page = reviewer.get("/alerts/orders/")
    assert page.status_code == 200 and all(f"事项{i}" in page.content.decode() for i in range(5))


def test_notifications_page(client_of, user_of):
    op = user_of("yq-etdz")
    notify(users=[op], key="n1", title="督办单提醒", link="/alerts/orders/")
    notify(users=[user_of("yq-gxq")], key="n1", title="别人的消息")
    client = client_of("yq-etdz")
    html = client.get("/alerts/notifications/").content.decode()
    assert "督办单提醒" in html and "别人的消息" not in html
    note = Notification.objects.get(user=op)
    resp = client.get(f"/alerts/notifications/{note.pk}/open/")
    assert resp["Location"] == "/alerts/orders/"
    note.refresh_from_db()
    assert note.read_at is not None
    other = Notification.objects.get(user__username="yq-gxq")
    assert client.get(f"/alerts/notifications/{other.pk}/open/").status_code == 404
    client.post("/alerts/notifications/", {"all": "1"})
    other.refresh_from_db()
    assert other.read_at is None


# ---- API -------------------------------------------------------------------------------------------------------

def test_warnings_api(client, token_of, user_of, zone_by_code, django_assert_max_num_queries):
    yangquan_data(user_of, zone_by_code)
    auth = token_of("yangquan")
    with django_assert_max_num_queries(19):
        body = client.get("/api/v1/warnings?month=2024-03", **auth).json()
    first = body["items"][0]
    assert body["count"] == len(body["items"]) >= 5
    assert {k: first[k] for k in ("level", "zone", "zone_name", "indicator", "project", "rule", "rule_name", "key")} \
        == {"level": "red", "zone": "S147007", "zone_name": "阳泉经开区", "indicator": "industrial_value_added",
            "project": None, "rule": "growth_below_target", "rule_name": "增速低于目标", "key": KEY}
    assert first["figures"]["growth"] == "3.20" and first["message"].endswith("（红色）")
    jinzhong = client.get("/api/v1/warnings?month=2024-03", **token_of("jinzhong")).json()
    assert "S147007" not in {w["zone"] for w in jinzhong["items"]}
    assert client.get("/api/v1/warnings?month=March", **auth).status_code == 422
    assert client.get("/api/v1/warnings?month=2024-13", **auth).status_code == 422
    assert client.get("/api/v1/warnings?month=2024-03").status_code == 401
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/warnings", "/api/v1/orders", "/api/v1/orders/{order_id}/reply"} <= set(schema["paths"])


def test_orders_api(client, token_of, user_of, zone_by_code):
    yangquan_data(user_of, zone_by_code)
    issuer, op, sister = token_of("yangquan"), token_of("yq-etdz"), token_of("yq-gxq")
    deadline = f"{timezone.localdate() + timedelta(days=7)}"
    payload = {"key": KEY, "unit": "S147007", "deadline": deadline, "month": "2024-03"}

    def post(url, data, auth):
        return client.post(url, data, content_type="application/json", **auth)

    assert post("/api/v1/orders", payload, op).status_code == 403
    assert post("/api/v1/orders", {**payload, "unit": "G141062"}, issuer).status_code == 422  # out of scope
    assert post("/api/v1/orders", {**payload, "deadline": "2024-02-30"}, issuer).status_code == 422
    assert post("/api/v1/orders", {**payload, "month": "2024-3"}, issuer).status_code == 422
    assert post("/api/v1/orders", {"unit": "S147007", "deadline": deadline}, issuer).status_code == 422
    assert post("/api/v1/orders", payload, token_of("jinzhong")).status_code == 422
    assert not SupervisionOrder.objects.exists()
    created = post("/api/v1/orders", payload, issuer)
    assert created.status_code == 201, created.content
    order = created.json()
    assert (order["status"], order["unit"], order["overdue"], order["warning"]["key"]) == ("open", "S147007", False,
                                                                                         KEY)
    assert post("/api/v1/orders", payload, issuer).status_code == 409
    url = f"/api/v1/orders/{order['id']}"
    assert client.get(url, **sister).status_code == 404
    assert post(f"{url}/reply", {"text": "越权"}, sister).status_code == 404
    assert post(f"{url}/reply", {"text": "越权"}, issuer).status_code == 403
    assert post(f"{url}/reply", {"text": ""}, op).status_code == 400
    assert post(f"{url}/reply", {"text": "已整改"}, op).json()["status"] == "replied"
    assert post(f"{url}/close", {}, op).status_code == 403
    assert post(f"{url}/return", {"text": "请补充"}, issuer).json()["status"] == "returned"
    assert post(f"{url}/reply", {"text": "已补充"}, op).json()["status"] == "replied"
    closed = post(f"{url}/close", {"text": "同意办结"}, issuer).json()
    assert closed["status"] == "closed" and [r["kind"] for r in closed["replies"]] == [
        "reply", "return", "reply", "close"]
    refused = post(f"{url}/reply", {"text": "再回复"}, op)
    assert refused.status_code == 409 and "已办结" in refused.json()["detail"]
    listing = client.get("/api/v1/orders", **op).json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == order["number"]
    assert client.get("/api/v1/orders", **sister).json() == {"items": [], "count": 0}
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get("/api/v1/orders/999999", **issuer).status_code == 404
    assert client.get("/api/v1/orders/counts", **issuer).json() == []
