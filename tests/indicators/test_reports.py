"""Monthly reports: arithmetic, workflow with locks and revisions, dispatch table and its total row, scope,
bad input refused with nothing written, Excel round trips."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter

from kaifaqu.indicators import figures, services
from kaifaqu.indicators.excel import TargetImportError, dispatch_export, report_values_from_excel, targets_import
from kaifaqu.indicators.models import MonthlyReport, ReportValue, Target
from kaifaqu.indicators.selectors import dispatch_table, report_board
from tests.factories import report_version

pytestmark = pytest.mark.django_db
MARCH = date(2024, 3, 1)
FULL = {"industrial_value_added": {"ytd": "13.25", "last_ytd": "11.52", "growth": "15.1"},
        "industrial_investment": {"ytd": "9.85", "last_ytd": "9.64", "growth": "2.2"},
        "fixed_asset_investment": {"ytd": "20", "last_ytd": "18"},
        "above_scale_revenue": {"ytd": "80", "last_ytd": "70"},
        "tax_revenue": {"ytd": "3.5", "last_ytd": "4"}}


def test_growth_arithmetic():
    assert figures.growth(Decimal("11"), Decimal("10")) == Decimal("10.00")
    assert figures.growth(Decimal("11"), Decimal("10"), Decimal("8.3")) == Decimal("8.30")  # reported wins
    assert figures.growth(Decimal("5"), Decimal("0")) is None  # last year 0 → "—"
    assert figures.growth(None, Decimal("3")) is None
    # Group growth is Σ this ÷ Σ last − 1, not an average: (110 + 5) / (100 + 10) − 1 = 4.55%, not (10% − 50%) / 2.
    assert figures.group_growth([(Decimal(110), Decimal(100)), (Decimal(5), Decimal(10))]) == Decimal("4.55")
    assert figures.group_growth([(Decimal(3), Decimal(0))]) is None
    assert figures.time_progress(MARCH) == Decimal("25.00")
    assert figures.completion(Decimal("30"), Decimal("120")) == Decimal("25.00")


def save(user, zone, values=FULL, month=MARCH, version=None):
    """Save as an editor who read the report just now (`version`: as one who read it earlier)."""
    version = report_version(zone, month) if version is None else version
    return services.report_save(user=user, zone=zone, month=month, values=values, version=version)


def test_workflow_save_submit_approve_lock_and_correct(user_of, zone_by_code):
    op, reviewer, zone = user_of("yq-etdz"), user_of("yangquan"), zone_by_code("S147007")
    report = save(op, zone)
    assert report.status == "draft" and report.deadline == date(2024, 4, 10)
    services.report_submit(user=op, report=report)
    with pytest.raises(services.ReportConflict, match="正在审核"):
        save(op, zone, {"industrial_value_added": {"ytd": "99"}})
    services.report_approve(user=reviewer, report=report)
    with pytest.raises(services.ReportConflict, match="锁定"):
        save(op, zone, {"industrial_value_added": {"ytd": "99"}})
    assert ReportValue.objects.get(report=report, indicator__code="industrial_value_added").ytd == Decimal("13.25")
    with pytest.raises(services.ReportError, match="原因"):
        services.report_reopen(user=op, report=report, reason=" ")
    services.report_reopen(user=op, report=report, reason="统计局反馈增加值口径调整")
    save(op, zone, {**FULL, "industrial_value_added": {"ytd": "13.40", "last_ytd": "11.52"}})
    services.report_submit(user=op, report=report)
    services.report_approve(user=reviewer, report=report)
    report.refresh_from_db()
    assert (report.status, report.revision) == ("approved", 1)
    history = list(report.revisions.values_list("revision", "action", "reason"))
    late = "逾期报送"  # March 2024's report, submitted today, is past its 10 April deadline
    assert history == [(0, "submit", late), (0, "approve", ""), (1, "reopen", "统计局反馈增加值口径调整"),
                       (1, "submit", late), (1, "approve", "")]
    first = report.revisions.get(revision=0, action="approve").values
    assert first["industrial_value_added"]["ytd"] == "13.2500"


def test_return_needs_a_comment_and_only_reviewers_above_review(user_of, zone_by_code):
    op, zone = user_of("yq-etdz"), zone_by_code("S147007")
    report = services.report_submit(user=op, report=save(op, zone))
    with pytest.raises(services.ReportError, match="意见"):
        services.report_return(user=user_of("yangquan"), report=report, comment="")
    with pytest.raises(services.ReportForbidden):
        services.report_approve(user=user_of("jinzhong"), report=report)  # another city
    with pytest.raises(services.ReportForbidden):
        services.report_approve(user=op, report=report)  # the zone itself
    services.report_return(user=user_of("yangquan"), report=report, comment="增加值增速与统计局口径不符")
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("returned", "增加值增速与统计局口径不符")
    save(op, zone)  # a returned report can be corrected and submitted again
    assert services.report_submit(user=op, report=report).status == "submitted"


def test_submit_requires_the_required_indicators(user_of, zone_by_code):
    op = user_of("yq-etdz")
    report = save(op, zone_by_code("S147007"), {"industrial_value_added": {"ytd": "1"}})
    with pytest.raises(services.ReportError, match="必填指标未填写：工业投资"):
        services.report_submit(user=op, report=report)
    assert MonthlyReport.objects.get(pk=report.pk).status == "draft"


@pytest.mark.parametrize(("values", "month", "message"), [
    ({"industrial_value_added": {"ytd": "abc"}}, MARCH, "不是数字"),
    ({"industrial_value_added": {"ytd": "-3"}}, MARCH, "不能为负数"),
    ({"no_such_indicator": {"ytd": "3"}}, MARCH, "未知的指标代码"),
    ({"new_four_above": {"ytd": "3", "growth": "5"}}, MARCH, "没有统计部门报送的增速"),
    ({"industrial_value_added": {"ytd": "3"}}, date(2099, 1, 1), "未来月份"),
    ({"industrial_value_added": {"ytd": "NaN"}}, MARCH, "不是数字"),
])
def test_bad_figures_are_refused_and_nothing_written(user_of, zone_by_code, values, month, message):
    before = (MonthlyReport.objects.count(), ReportValue.objects.count())
    with pytest.raises(services.ReportError, match=message):
        save(user_of("yq-etdz"), zone_by_code("S147007"), values, month=month)
    assert (MonthlyReport.objects.count(), ReportValue.objects.count()) == before


def test_stale_save_is_refused(user_of, zone_by_code):
    op, zone = user_of("yq-etdz"), zone_by_code("S147007")
    report = save(op, zone)
    seen = report.version
    save(op, zone, {**FULL, "tax_revenue": {"ytd": "3.6", "last_ytd": "4"}}, version=seen)
    with pytest.raises(services.ReportConflict, match="已被他人修改"):
        save(op, zone, {**FULL, "tax_revenue": {"ytd": "9.9", "last_ytd": "4"}}, version=seen)
    assert ReportValue.objects.get(report=report, indicator__code="tax_revenue").ytd == Decimal("3.6")


def test_another_zones_operator_cannot_write(user_of, zone_by_code):
    with pytest.raises(services.ReportForbidden):
        save(user_of("yq-gxq"), zone_by_code("S147007"))
    assert not MonthlyReport.objects.exists()


def test_checks_flag_a_falling_cumulative_and_a_contradicting_growth(user_of, zone_by_code):
    op, zone = user_of("yq-etdz"), zone_by_code("S147007")
    save(op, zone, FULL, month=date(2024, 2, 1))
    report = save(op, zone, {**FULL, "industrial_value_added": {"ytd": "10", "last_ytd": "11.52", "growth": "15"}})
    messages = [c["message"] for c in services.report_checks(report)]
    assert any("小于上月累计" in m for m in messages)
    assert any("报送增速15.00%与按累计值计算的-13.19%不符" in m for m in messages)


def test_dispatch_table_total_row_and_targets(user_of, zone_by_code):
    op, reviewer = user_of("yq-etdz"), user_of("yangquan")
    gxq = user_of("yq-gxq")
    for user, zone, iva in ((op, "S147007", ("110", "100")), (gxq, "X140300-01", ("5", "10"))):
        values = {**FULL, "industrial_value_added": {"ytd": iva[0], "last_ytd": iva[1]}}
        services.report_submit(user=user, report=save(user, zone_by_code(zone), values))
    services.target_set(user=reviewer, zone=zone_by_code("S147007"), year=2024, indicator="industrial_value_added",
                        kind="growth", value=Decimal("15"))
    services.target_set(user=reviewer, zone=zone_by_code("S147007"), year=2024, indicator="tax_revenue",
                        kind="absolute", value=Decimal("14"))
    table = dispatch_table(user=reviewer, month=MARCH)
    assert len(table.rows) == 4  # 阳泉's zones, two of them unreported
    row = next(r for r in table.rows if r.code == "S147007")
    iva = row.cells["industrial_value_added"]
    assert (iva.growth, iva.target, iva.gap) == (Decimal("10.00"), Decimal("15"), Decimal("-5.00"))
    assert row.cells["tax_revenue"].completion == Decimal("25.00")
    assert table.total["industrial_value_added"].ytd == Decimal("115")
    assert table.total["industrial_value_added"].growth == Decimal("4.55")
    assert table.time_progress == Decimal("25.00")
    assert dispatch_table(user=user_of("jinzhong"), month=MARCH).total["industrial_value_added"].ytd is None


def test_dispatch_table_query_count_is_fixed(user_of, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        dispatch_table(user=user_of("province"), month=MARCH)


def test_report_board(user_of, zone_by_code):
    op = user_of("yq-etdz")
    services.report_submit(user=op, report=save(op, zone_by_code("S147007")))
    board = {b.code: b for b in report_board(user=user_of("yangquan"), month=MARCH, today=date(2024, 4, 11))}
    assert board["S147007"].status == "submitted" and not board["S147007"].missing
    assert board["X140300-01"].missing and board["X140300-01"].late


def test_targets_import_is_all_or_nothing(user_of):
    def book(rows):
        out = io.BytesIO()
        wb = xlsxwriter.Workbook(out, {"in_memory": True})
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["2024年目标"])
        ws.write_row(2, 0, ["开发区", "年度", "指标", "目标类型", "目标值"])
        for i, row in enumerate(rows, start=3):
            ws.write_row(i, 0, row)
        wb.close()
        return out.getvalue()

    good = ["阳泉经开区", 2024, "规模以上工业增加值", "增长目标", 15]
    with pytest.raises(TargetImportError) as err:
        targets_import(user=user_of("yangquan"), data=book([good, ["不存在的开发区", 2024, "工业投资", "增长目标", 16],
                                                            ["太原经开区", 2024, "工业投资", "增长目标", 16]]))
    assert err.value.errors == ["第5行 [开发区]: 开发区“不存在的开发区”不存在或无权访问",
                                "第6行 [开发区]: 开发区“太原经开区”不存在或无权访问"]
    assert not Target.objects.exists()
    assert targets_import(user=user_of("yangquan"), data=book([good])) == 1
    assert Target.objects.get().value == Decimal("15")


def test_report_excel_round_trip_and_dispatch_export(user_of, zone_by_code):
    from kaifaqu.indicators.excel import report_template

    op, zone = user_of("yq-etdz"), zone_by_code("S147007")
    save(op, zone)
    values = report_values_from_excel(data=report_template(zone=zone, month=MARCH), month=MARCH)
    assert values["industrial_value_added"] == {"ytd": "13.25", "last_ytd": "11.52", "growth": "15.1"}
    services.report_submit(user=op, report=MonthlyReport.objects.get(zone=zone, month=MARCH))
    data = dispatch_export(table=dispatch_table(user=user_of("yangquan"), month=MARCH), scope_label="阳泉市")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "阳泉市开发区主要指标完成情况（2024年1-3月）" in sheet or "阳泉市开发区主要指标完成情况" in _strings(data)
    assert "合计" in sheet + _strings(data) and "<f>" not in sheet


def _strings(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
