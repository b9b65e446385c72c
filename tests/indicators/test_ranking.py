"""考核排名 (SPEC §6): the efficacy-coefficient formula on hand-built cases, ties, missing figures, weights, the
previous month's rank, 前十强, the 三个一批 rate items against campaign_stats, scope, a fixed query count, the
built-in schemes, the page, the Excel export and the API."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, include, path, resolve

from kaifaqu import urls as main_urls
from kaifaqu.indicators import services
from kaifaqu.indicators.catalogue import definitions_for
from kaifaqu.indicators.choices import Measure
from kaifaqu.indicators.models import AssessmentItem, AssessmentScheme, MonthlyReport, ReportValue
from kaifaqu.indicators.ranking import competition_ranks, efficacy_score, ranking
from kaifaqu.indicators.ranking_api import router as ranking_router
from kaifaqu.indicators.schemes import schemes_load
from kaifaqu.indicators.selectors import report_deadline
from kaifaqu.projects.choices import Batch, ProjectType, Stage
from kaifaqu.projects.selectors import campaign_stats
from kaifaqu.zones.models import Zone
from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory, report_version
from tests.indicators.test_reports import FULL

# ---- URLs: the pages and the router, wherever the project has (or has not yet) mounted them ------------------------

def _mounted(url: str) -> bool:
    try:
        resolve(url)
    except Resolver404:
        return False
    return True


def _test_api():
    from ninja import NinjaAPI

    from kaifaqu.api import api

    test_api = NinjaAPI(urls_namespace="ranking-test-api", auth=api.auth, docs_url=None, openapi_url=None)
    for exc, handler in api._exception_handlers.items():
        test_api.add_exception_handler(exc, handler)
    test_api.add_router("/rankings", ranking_router)
    return test_api


urlpatterns = [
    *([] if _mounted("/api/v1/rankings") else [path("api/v1/", _test_api().urls)]),
    *([] if _mounted("/rankings/") else [path("rankings/", include("kaifaqu.indicators.ranking_urls"))]),
    *main_urls.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

JAN, FEB, MARCH = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
# Provincial zones (the default group): three in 阳泉, then others across the province.
YQ = ["S147007", "X140300-02", "X140300-03"]
OTHERS = ["S147003", "S149001", "S149002", "S147014", "X140500-01", "S147005", "S147012", "S149011", "S147018",
          "S147020", "S147021"]
IVA = "industrial_value_added"
PROVINCIAL_ZONES = 28


# ---- builders -------------------------------------------------------------------------------------------------------

def scheme_of(*items, level="provincial", kinds=(), name="测试方案") -> AssessmentScheme:
    """A scheme with items (name, indicator, measure, weight) over the provincial zones (or the given group)."""
    scheme = AssessmentScheme.objects.create(name=name, year=2024, group_level=level, group_kinds=list(kinds))
    for item_name, code, measure, weight in items:
        AssessmentItem.objects.create(scheme=scheme, name=item_name, indicator=code, measure=measure,
                                      weight=Decimal(weight))
    return scheme


def growth_scheme(**kwargs) -> AssessmentScheme:
    return scheme_of(("规上工业增加值增速", IVA, Measure.YTD_GROWTH, "100"), **kwargs)


def report(code: str, month: date, values: dict, status: str = "approved") -> MonthlyReport:
    """A zone's report with {indicator: (ytd, last_ytd, reported growth)} written directly (zones without a demo
    operator)."""
    zone = Zone.objects.get(code=code)
    r = MonthlyReport.objects.create(zone=zone, month=month, status=status, deadline=report_deadline(month))
    defs = {d.code: d for d in definitions_for(month)}
    ReportValue.objects.bulk_create(
        ReportValue(report=r, indicator=defs[c], ytd=Decimal(ytd), last_ytd=None if last is None else Decimal(last),
                    growth=None if growth is None else Decimal(growth)) for c, (ytd, last, growth) in values.items())
    return r


def growth_report(code: str, growth: str, month: date = MARCH, status: str = "approved") -> MonthlyReport:
    return report(code, month, {IVA: ("10", "9", growth)}, status)


def rows_by_code(result) -> dict:
    return {r.code: r for r in result.rows}


def province(user_of):
    return user_of("province")


# ---- the formula ----------------------------------------------------------------------------------------------------

def test_efficacy_formula_on_three_zones(user_of):
    scheme = growth_scheme()
    growth_report("S147003", "5")
    growth_report("S149001", "10")
    report("S149002", MARCH, {IVA: ("23", "20", None)})  # no reported growth: (23 − 20) ÷ 20 = 15.00%
    result = ranking(scheme=scheme, month=MARCH, user=province(user_of))
    rows = rows_by_code(result)
    assert [(rows[c].items[0].value, rows[c].score) for c in ("S147003", "S149001", "S149002")] == [
        (Decimal("5.00"), Decimal("60.00")), (Decimal("10.00"), Decimal("80.00")),
        (Decimal("15.00"), Decimal("100.00"))]
    assert [rows[c].rank for c in ("S149002", "S149001", "S147003")] == [1, 2, 3]
    column = result.columns[0]
    assert (column.minimum, column.maximum, column.unit, column.reported) == (Decimal("5.00"), Decimal("15.00"),
                                                                              "%", 3)
    assert result.group_size == len(result.rows) == PROVINCIAL_ZONES
    assert all(r.zone_id for r in result.rows) and result.rows[0].code == "S149002"


def test_efficacy_score_arithmetic():
    assert efficacy_score(Decimal("7"), Decimal("5"), Decimal("8")) == Decimal("86.67")
    assert efficacy_score(Decimal("3"), Decimal("3"), Decimal("3")) == Decimal("100.00")
    assert efficacy_score(None, Decimal("1"), Decimal("2")) == Decimal("60.00")
    assert competition_ranks({1: Decimal("90"), 2: Decimal("80"), 3: Decimal("80.00"), 4: Decimal("70")}) == {
        1: 1, 2: 2, 3: 2, 4: 4}


def test_all_equal_scores_100(user_of):
    scheme = growth_scheme()
    for code in OTHERS[:3]:
        growth_report(code, "8.5")
    rows = rows_by_code(ranking(scheme=scheme, month=MARCH, user=province(user_of)))
    assert [rows[c].score for c in OTHERS[:3]] == [Decimal("100.00")] * 3
    assert [rows[c].rank for c in OTHERS[:3]] == [1, 1, 1]
    assert rows["S147014"].score == Decimal("60.00") and rows["S147014"].rank == 4


def test_ties_share_a_rank_and_the_next_rank_skips(user_of):
    scheme = growth_scheme()
    for code, growth in zip(OTHERS[:4], ["15", "10", "10", "5"], strict=True):
        growth_report(code, growth)
    rows = rows_by_code(ranking(scheme=scheme, month=MARCH, user=province(user_of)))
    assert [(rows[c].score, rows[c].rank) for c in OTHERS[:4]] == [
        (Decimal("100.00"), 1), (Decimal("80.00"), 2), (Decimal("80.00"), 2), (Decimal("60.00"), 4)]


def test_missing_values_score_60_and_are_flagged(user_of):
    scheme = growth_scheme()
    growth_report("S147003", "5")
    growth_report("S149001", "15", status="submitted")  # submitted but not yet approved: counts
    growth_report("S149002", "99", status="draft")  # a draft does not count
    report("S147014", MARCH, {IVA: ("10", "0", None)})  # no growth when last year was 0
    rows = rows_by_code(ranking(scheme=scheme, month=MARCH, user=province(user_of)))
    assert rows["S149001"].score == Decimal("100.00") and rows["S147003"].score == Decimal("60.00")
    draft = rows["S149002"].items[0]
    assert (draft.value, draft.score, draft.missing, draft.note) == (None, Decimal("60.00"), True, "未报送")
    assert rows["S149002"].missing == ["规上工业增加值增速"]
    zero = rows["S147014"].items[0]
    assert (zero.missing, zero.note, zero.score) == (True, "无上年同期数", Decimal("60.00"))
    assert not rows["S147003"].items[0].missing


def test_reports_through_the_workflow_count(user_of, zone_by_code):
    op, reviewer = user_of("yq-etdz"), user_of("yangquan")
    values = {**FULL, IVA: {"ytd": "13.25", "last_ytd": "11.52", "growth": "25"}}
    zone = zone_by_code("S147007")
    r = services.report_save(user=op, zone=zone, month=MARCH, values=values, version=report_version(zone, MARCH))
    services.report_submit(user=op, report=r)
    services.report_approve(user=reviewer, report=r)
    growth_report("S147003", "5")
    rows = rows_by_code(ranking(scheme=growth_scheme(), month=MARCH, user=reviewer))
    assert rows["S147007"].items[0].value == Decimal("25.00") and rows["S147007"].score == Decimal("100.00")
    assert rows["S147007"].rank == 1


def test_weights_are_applied(user_of):
    scheme = scheme_of(("增加值增速", IVA, Measure.YTD_GROWTH, "30"), ("税收", "tax_revenue", Measure.YTD_VALUE, "70"))
    figures = {"S147003": ("10", "1"), "S149001": ("0", "3"), "S149002": ("5", "2")}
    for code, (growth, tax) in figures.items():
        report(code, MARCH, {IVA: ("10", "9", growth), "tax_revenue": (tax, None, None)})
    rows = rows_by_code(ranking(scheme=scheme, month=MARCH, user=province(user_of)))
    # S147003: 30 × 100 + 70 × 60 = 72; S149001: 30 × 60 + 70 × 100 = 88; S149002: 80 throughout.
    assert [(rows[c].score, rows[c].rank) for c in ("S149001", "S149002", "S147003")] == [
        (Decimal("88.00"), 1), (Decimal("80.00"), 2), (Decimal("72.00"), 3)]
    assert [(s.score, s.weight) for s in rows["S147003"].items] == [(Decimal("100.00"), Decimal("30.00")),
                                                                   (Decimal("60.00"), Decimal("70.00"))]
    assert rows["S147014"].score == Decimal("60.00")  # nothing reported: 60 on every item


def test_output_intensity_per_km2_of_planned_area_or_approved_area(user_of):
    Zone.objects.filter(code="S147003").update(planned_area_km2=Decimal("10"))
    Zone.objects.filter(code="S149001").update(planned_area_km2=Decimal("4"))
    scheme = scheme_of(("产出强度", "above_scale_revenue", Measure.PER_KM2, "100"))
    report("S147003", MARCH, {"above_scale_revenue": ("50", None, None)})  # 5 亿元/km²
    report("S149001", MARCH, {"above_scale_revenue": ("30", None, None)})  # 7.5
    report("S147007", MARCH, {"above_scale_revenue": ("38.32", None, None)})  # 383.20 公顷 = 3.832 km² → 10
    report("X140300-02", MARCH, {"above_scale_revenue": ("9", None, None)})  # no area at all
    rows = rows_by_code(ranking(scheme=scheme, month=MARCH, user=province(user_of)))
    assert [(rows[c].items[0].value, rows[c].score) for c in ("S147003", "S149001", "S147007")] == [
        (Decimal("5.0000"), Decimal("60.00")), (Decimal("7.5000"), Decimal("80.00")),
        (Decimal("10.0000"), Decimal("100.00"))]
    assert rows["S147007"].items[0].note == "规划面积未知，按核准面积折算（公顷÷100）"
    assert rows["S147007"].items[0].unit == "亿元/平方公里"
    none = rows["X140300-02"].items[0]
    assert (none.value, none.missing, none.note) == (None, True, "无面积数据")


def test_previous_month_rank_and_change(user_of):
    scheme = growth_scheme()
    growth_report("S147003", "15", FEB)
    growth_report("S149001", "5", FEB)
    growth_report("S147003", "5", MARCH)
    growth_report("S149001", "15", MARCH)
    result = ranking(scheme=scheme, month=MARCH, user=province(user_of))
    rows = rows_by_code(result)
    assert result.previous_month == FEB
    assert (rows["S149001"].rank, rows["S149001"].previous_rank, rows["S149001"].change,
            rows["S149001"].arrow) == (1, 2, 1, "↑1")
    assert (rows["S147003"].rank, rows["S147003"].previous_rank, rows["S147003"].change,
            rows["S147003"].arrow) == (2, 1, -1, "↓1")
    assert (rows["S147014"].previous_rank, rows["S147014"].change, rows["S147014"].arrow) == (2, 0, "—")
    january = ranking(scheme=scheme, month=JAN, user=province(user_of))
    assert january.previous_month is None and {r.previous_rank for r in january.rows} == {None}


def test_top_ten_with_twelve_zones(user_of):
    scheme = growth_scheme()
    zones = (YQ + OTHERS)[:12]
    for growth, code in enumerate(zones, start=1):
        growth_report(code, str(growth))
    result = ranking(scheme=scheme, month=MARCH, user=province(user_of))
    rows = rows_by_code(result)
    assert {r.code for r in result.top_ten} == set(zones[2:])
    assert [rows[c].rank for c in zones] == [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert not rows[zones[0]].top_ten and not rows[zones[1]].top_ten and rows[zones[2]].top_ten
    assert rows[zones[1]].score == Decimal("63.64")  # 60 + 40 × 1 ÷ 11


# ---- 三个一批 rates -------------------------------------------------------------------------------------------------

def _campaign_projects(zone: Zone) -> list[int]:
    """A 2024 campaign in `zone`: 开工率 25%, 投产率 12.5%, 达产率 25% at the end of March; and noise outside it."""
    campaign = CampaignFactory(name=f"2024年第一次“三个一批”活动{zone.code}", date=date(2024, 2, 10))
    old = CampaignFactory(name=f"2023年活动{zone.code}", date=date(2023, 6, 1))
    listed = [
        (Batch.SIGN, {"total_investment": 10000, "stage": Stage.STARTED, "started_on": date(2024, 3, 1)}),
        (Batch.SIGN, {"total_investment": 30000}),
        (Batch.SIGN, {"total_investment": 5000, "stage": Stage.STARTED, "started_on": date(2024, 4, 2)}),  # after
        (Batch.START, {"total_investment": 20000, "completed_investment": 5000, "stage": Stage.PRODUCING,
                       "started_on": date(2024, 1, 5), "producing_on": date(2024, 3, 5)}),
        (Batch.START, {"total_investment": 15000, "completed_investment": 3000, "stage": Stage.STARTED,
                       "started_on": date(2024, 1, 5)}),
        (Batch.PRODUCE, {"total_investment": 10000, "stage": Stage.AT_CAPACITY, "started_on": date(2023, 5, 1),
                         "producing_on": date(2024, 1, 1), "at_capacity_on": date(2024, 3, 20)}),
        (Batch.PRODUCE, {"total_investment": 5000, "type": ProjectType.INFRASTRUCTURE, "stage": Stage.PRODUCING,
                         "started_on": date(2023, 5, 1), "producing_on": date(2024, 1, 1)}),
        (Batch.PRODUCE, {"total_investment": 30000, "stage": Stage.PRODUCING, "started_on": date(2023, 5, 1),
                         "producing_on": date(2024, 1, 1)}),
    ]
    for batch, fields in listed:
        CampaignEntryFactory(campaign=campaign, batch=batch, project=ProjectFactory(zone=zone, **fields))
    CampaignEntryFactory(campaign=old, batch=Batch.SIGN, project=ProjectFactory(zone=zone, total_investment=90000))
    return [campaign.pk]


def test_campaign_rate_items_equal_campaign_stats(user_of, zone_by_code):
    zone = zone_by_code("S147007")
    campaign_ids = _campaign_projects(zone)
    other = zone_by_code("S147003")
    CampaignEntryFactory(campaign=CampaignFactory(date=date(2024, 3, 1)), batch=Batch.SIGN,
                         project=ProjectFactory(zone=other, stage=Stage.STARTED, started_on=date(2024, 3, 2)))
    scheme = scheme_of(("开工率", "", Measure.START_RATE, "10"), ("投产率", "", Measure.PRODUCTION_RATE, "10"),
                       ("达产率", "", Measure.CAPACITY_RATE, "10"))
    user = province(user_of)
    rows = rows_by_code(ranking(scheme=scheme, month=MARCH, user=user))
    stats = campaign_stats(user=user, campaign_ids=campaign_ids, as_of=date(2024, 3, 31), zone="S147007")
    values = [s.value for s in rows["S147007"].items]
    assert values == [stats["sign"].rate, stats["start"].rate, stats["produce"].rate]
    # 10000 ÷ 45000; 5000 ÷ 35000; 10000 ÷ 40000 (industrial only)
    assert values == [Decimal("22.22"), Decimal("14.29"), Decimal("25.00")]
    assert rows["S147003"].items[0].value == Decimal("100.00") and rows["S147003"].items[0].score == Decimal("100")
    assert rows["S147007"].items[0].score == Decimal("60.00")
    none = rows["S149001"].items[0]
    assert (none.value, none.missing, none.note) == (None, True, "无铺排项目")


# ---- scope and queries ----------------------------------------------------------------------------------------------

def test_a_city_sees_its_zones_with_the_provinces_scores(user_of):
    scheme = growth_scheme()
    for growth, code in enumerate([*YQ, *OTHERS[:4]], start=1):
        growth_report(code, str(growth * 3))
    everyone = rows_by_code(ranking(scheme=scheme, month=MARCH, user=province(user_of)))
    yangquan = ranking(scheme=scheme, month=MARCH, user=user_of("yangquan"))
    assert {r.city for r in yangquan.rows} == {"阳泉市"}
    assert {r.code for r in yangquan.rows} == {"S147007", "X140300-01", "X140300-02", "X140300-03"}
    assert all((r.score, r.rank, r.previous_rank) == (everyone[r.code].score, everyone[r.code].rank,
                                                      everyone[r.code].previous_rank) for r in yangquan.rows)
    assert yangquan.group_size == PROVINCIAL_ZONES
    assert [r.code for r in ranking(scheme=scheme, month=MARCH, user=user_of("yq-etdz")).rows] == ["S147007"]
    assert ranking(scheme=scheme, month=MARCH, user=user_of("jinzhong"), city="140300").rows == []
    assert {r.code for r in ranking(scheme=scheme, month=MARCH, user=province(user_of), city="阳泉").rows} == {
        "S147007", "X140300-01", "X140300-02", "X140300-03"}


def _full_scheme() -> AssessmentScheme:
    return scheme_of(("增速", IVA, Measure.YTD_GROWTH, "20"),
                     ("投资", "industrial_investment", Measure.YTD_VALUE, "20"),
                     ("产出强度", "above_scale_revenue", Measure.PER_KM2, "20"),
                     ("开工率", "", Measure.START_RATE, "20"), ("达产率", "", Measure.CAPACITY_RATE, "20"),
                     level="")


def _count_queries(scheme, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        ranking(scheme=scheme, month=MARCH, user=user)
    return len(ctx.captured_queries)


def test_fixed_number_of_queries_with_5_or_30_zones(user_of, django_assert_max_num_queries):
    scheme, user = _full_scheme(), province(user_of)
    codes = list(Zone.objects.order_by("code").values_list("code", flat=True))
    campaign = CampaignFactory(date=date(2024, 2, 1))

    def fill(batch_codes):
        for code in batch_codes:
            for month in (FEB, MARCH):
                report(code, month, {IVA: ("10", "9", "3"), "industrial_investment": ("5", "4", None),
                                     "above_scale_revenue": ("40", None, None)})
            CampaignEntryFactory(campaign=campaign, project=ProjectFactory(zone=Zone.objects.get(code=code)))

    fill(codes[:5])
    # per month (this and the last): the values, the campaigns held, whether they are every campaign since a date
    # (listed.since_date), and one grouped query for the rates
    with django_assert_max_num_queries(12):
        ranking(scheme=scheme, month=MARCH, user=user)
    five = _count_queries(scheme, user)
    fill(codes[5:30])
    with django_assert_max_num_queries(12):
        result = ranking(scheme=scheme, month=MARCH, user=user)
    assert _count_queries(scheme, user) == five
    assert sum(1 for r in result.rows if not r.items[0].missing) == 30


# ---- built-in schemes -----------------------------------------------------------------------------------------------

def test_schemes_load_is_idempotent_and_weights_sum_to_100(user_of):
    first = schemes_load(2024)
    item = first[0].items.first()
    item.weight = Decimal("25")  # a user's edit survives a second load
    item.save()
    second = schemes_load(2024)
    assert [s.pk for s in first] == [s.pk for s in second]
    assert AssessmentScheme.objects.filter(year=2024).count() == 2
    provincial, national = second
    assert provincial.name == "开发区发展水平考核（省级）" and provincial.group_level == "provincial"
    assert sum(i.weight for i in national.items.all()) == Decimal("100")
    assert provincial.items.count() == 7 and AssessmentItem.objects.get(pk=item.pk).weight == Decimal("25")
    measures = set(provincial.items.values_list("measure", flat=True))
    assert measures == {"ytd_growth", "per_km2", "start_rate", "production_rate", "capacity_rate"}
    categories = {}
    for i in national.items.all():
        categories[i.category] = categories.get(i.category, Decimal(0)) + i.weight
    assert categories == {"对外开放": 30, "发展质量": 30, "科技创新": 15, "绿色发展": 15, "统筹协调": 10}
    assert "对外开放30%" in national.note and "替代" in national.note
    schemes_load(2025)
    assert AssessmentScheme.objects.count() == 4
    fresh = schemes_load(2026)[0]
    assert sum(i.weight for i in fresh.items.all()) == Decimal("100")
    assert len(ranking(scheme=national, month=MARCH, user=province(user_of)).rows) == Zone.objects.filter(
        kind__in=["经济技术开发区", "经济开发区"]).count()


# ---- pages ----------------------------------------------------------------------------------------------------------

def _march_data() -> AssessmentScheme:
    scheme = schemes_load(2024)[0]
    for growth, code in enumerate([*YQ, *OTHERS], start=1):
        report(code, MARCH, {IVA: ("10", "9", str(growth)), "industrial_investment": ("5", "4", None),
                             "fixed_asset_investment": ("8", "7", None), "above_scale_revenue": ("40", None, None)})
    return scheme


def test_ranking_page_table_and_chart(client_of):
    scheme = _march_data()
    page = client_of("province").get(f"/rankings/?scheme={scheme.pk}&month=2024-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2024年3月开发区发展水平考核排名" in html
    assert 'id="ranking-table"' in html and 'id="ranking-chart"' in html and 'id="ranking-chart-data"' in html
    assert html.count('class="top-ten"') == 10 and "前十强" in html
    assert "规上工业增加值增速（20分）" in html and "未报送" in html
    assert f"/rankings/{scheme.pk}/S147021/?month=2024-03" in html
    assert "/rankings/export/?scheme=" in html


def test_ranking_page_is_scoped_and_needs_login(client, client_of):
    scheme = _march_data()
    html = client_of("yangquan").get(f"/rankings/?scheme={scheme.pk}&month=2024-03").content.decode()
    assert "阳泉经开区" in html and "清徐开发区" not in html
    assert client.get("/rankings/").status_code == 302
    bad = client_of("province").get("/rankings/?scheme=999999&month=2024-13")
    assert bad.status_code == 200 and "月份格式应为YYYY-MM" in bad.content.decode()


def test_zone_breakdown_page(client_of):
    scheme = _march_data()
    page = client_of("yangquan").get(f"/rankings/{scheme.pk}/S147007/?month=2024-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="breakdown"' in html and "阳泉经济技术开发区" in html
    assert "产出强度（15分）" in html and "亿元/平方公里" in html and "按核准面积折算" in html
    assert "参评最低值" in html and "无铺排项目，按60分计" in html
    assert client_of("yangquan").get(f"/rankings/{scheme.pk}/S147003/?month=2024-03").status_code == 404
    assert client_of("province").get(f"/rankings/{scheme.pk}/G141004/?month=2024-03").status_code == 404  # national


def test_schemes_load_page_for_province_admins_only(client_of):
    assert client_of("yangquan").post("/rankings/schemes/load/", {"year": "2024"}).status_code == 302
    assert not AssessmentScheme.objects.exists()
    resp = client_of("province").post("/rankings/schemes/load/", {"year": "2024"})
    assert resp.status_code == 302 and AssessmentScheme.objects.filter(year=2024).count() == 2


def test_export_is_an_office_layout_workbook(client_of):
    scheme = _march_data()
    Zone.objects.filter(code="S147021").update(short_name="=cmd|' /C calc'!A0")
    resp = client_of("province").get(f"/rankings/export/?scheme={scheme.pk}&month=2024-03")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''2024%E5%B9%B43%E6%9C%88" in resp["Content-Disposition"]
    book = zipfile.ZipFile(io.BytesIO(resp.content))
    shared = book.read("xl/sharedStrings.xml").decode()
    for text in ("2024年3月开发区发展水平考核排名", "单位：分", "序号", "排名", "较上月", "开发区", "所在市",
                 "综合得分", "单项得分", "规上工业增加值增速（20分）"):
        assert text in shared
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<pane xSplit="4" ySplit="4"' in sheet
    assert "<f>" not in sheet and "=cmd|" in shared  # stored as a string, never a formula
    assert sheet.count('<row r="') == 4 + PROVINCIAL_ZONES
    assert re.search(r'<c r="F5" s="\d+"><v>\d+\.\d\d</v></c>', sheet)  # the first composite score, a number


# ---- API ------------------------------------------------------------------------------------------------------------

def test_api_shape(client, token_of):
    scheme = _march_data()
    body = client.get(f"/api/v1/rankings?scheme={scheme.pk}&month=2024-03", **token_of("province")).json()
    assert body["count"] == PROVINCIAL_ZONES == len(body["items"])
    assert body["scheme"] == {"id": scheme.pk, "name": "开发区发展水平考核（省级）", "year": 2024}
    assert body["month"] == "2024-03" and body["previous_month"] == "2024-02"
    first = body["items"][0]
    assert set(first) == {"zone", "zone_name", "city", "score", "rank", "previous_rank", "change", "top_ten",
                          "items"}
    # 祁县 (61.21 公顷) leads on 产出强度: (20 × 87.69 + 20 × 100 + 15 × 100 + 15 × 100 + 30 × 60) ÷ 100
    assert (first["zone"], first["rank"], first["top_ten"], first["score"]) == ("S147012", 1, True, "85.54")
    assert set(first["items"][0]) >= {"item", "value", "score", "weight"}
    assert first["items"][0] == {"item": "规上工业增加值增速（20分）", "item_id": first["items"][0]["item_id"],
                                 "value": "10.00", "unit": "%", "score": "87.69", "weight": "20.00",
                                 "missing": False, "note": ""}
    assert isinstance(first["score"], str) and first["previous_rank"] == 1 and first["change"] == 0
    page = client.get(f"/api/v1/rankings?scheme={scheme.pk}&month=2024-03&limit=5&offset=10",
                      **token_of("province")).json()
    assert page["count"] == PROVINCIAL_ZONES and len(page["items"]) == 5


def test_api_is_scoped(client, token_of):
    scheme = _march_data()
    province_rows = {r["zone"]: r for r in client.get(f"/api/v1/rankings?scheme={scheme.pk}&month=2024-03",
                                                       **token_of("province")).json()["items"]}
    body = client.get(f"/api/v1/rankings?scheme={scheme.pk}&month=2024-03", **token_of("yangquan")).json()
    assert {r["city"] for r in body["items"]} == {"阳泉市"} and body["count"] == 4
    assert all(r["score"] == province_rows[r["zone"]]["score"] and r["rank"] == province_rows[r["zone"]]["rank"]
               for r in body["items"])
    assert client.get(f"/api/v1/rankings?scheme={scheme.pk}&month=2024-03").status_code == 401


@pytest.mark.parametrize(("query", "status"), [
    ("scheme=999999&month=2024-03", 404),
    ("scheme={pk}&month=2024-13", 422),
    ("scheme={pk}&month=March", 422),
    ("scheme=abc&month=2024-03", 422),
    ("scheme={pk}", 422),
])
def test_api_bad_input(client, token_of, query, status):
    scheme = growth_scheme()
    resp = client.get(f"/api/v1/rankings?{query.format(pk=scheme.pk)}", **token_of("province"))
    assert resp.status_code == status and "detail" in resp.json()


# ---- what a zone sees of its peers ----------------------------------------------------------------------------------

def test_a_zone_gets_its_own_row_and_no_peer_figure(client, token_of, user_of):
    scheme = growth_scheme()
    for code, growth in (("S147007", "9"), ("X140300-02", "4"), ("S147003", "31.5"), ("S149001", "-7.25")):
        growth_report(code, growth)
    mine = ranking(scheme=scheme, month=MARCH, user=user_of("yq-etdz"))
    assert [r.code for r in mine.rows] == ["S147007"] and mine.group_size == PROVINCIAL_ZONES
    assert (mine.extremes_shown, mine.columns[0].minimum, mine.columns[0].maximum, mine.columns[0].reported) == (
        False, None, None, 4)
    city = ranking(scheme=scheme, month=MARCH, user=user_of("yangquan"))
    assert (city.extremes_shown, city.columns[0].minimum, city.columns[0].maximum) == (
        True, Decimal("-7.25"), Decimal("31.50"))
    body = client.get(f"/api/v1/rankings?scheme={scheme.pk}&month=2024-03", **token_of("yq-etdz")).json()
    assert [r["zone"] for r in body["items"]] == ["S147007"] and body["group_size"] == PROVINCIAL_ZONES
    assert (body["columns"][0]["min"], body["columns"][0]["max"]) == (None, None)
    text = str(body)
    assert "31.5" not in text and "-7.25" not in text and "S147003" not in text  # no peer's value nor code
    assert body["items"][0]["items"][0]["value"] == "9.00"  # its own value


def test_a_zones_breakdown_page_has_no_group_extremes(client_of):
    scheme = growth_scheme()
    for code, growth in (("S147007", "9"), ("S147003", "31.5"), ("S149001", "-7.25")):
        growth_report(code, growth)
    html = client_of("yq-etdz").get(f"/rankings/{scheme.pk}/S147007/?month=2024-03").content.decode()
    assert 'id="breakdown"' in html and "参评最低值</th>" not in html and 'id="peers-rule"' in html
    assert "31.50" not in html and "-7.25" not in html
    city = client_of("yangquan").get(f"/rankings/{scheme.pk}/S147007/?month=2024-03").content.decode()
    assert "参评最低值</th>" in city and "31.50" in city and "-7.25" in city
