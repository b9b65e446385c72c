"""Dispatch pages: the monthly report grid (fill, save, submit; review; reopen for correction), the
dispatch table with its Excel export, and targets."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kaifaqu.accounts.roles import can_write
from kaifaqu.core.params import month_parse, year_parse
from kaifaqu.zones.models import Zone

from . import services
from .catalogue import definitions_for
from .forms import MonthForm, TargetForm, TargetImportForm, default_month
from .models import MonthlyReport, ReportValue, Target
from .selectors import dispatch_table, month_start, report_board

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(text: str | None) -> date:
    """A month of the query or the path (YYYY-MM within the platform's years), else last month."""
    return month_parse(text) or month_parse(default_month())


@login_required
def dispatch_view(request):
    form = MonthForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    month = _month(data.get("month"))
    city = data.get("city") or None
    table = dispatch_table(user=request.user, month=month, city=city)
    if request.GET.get("export") == "xlsx":
        from .excel import dispatch_export

        response = HttpResponse(dispatch_export(table=table, scope_label=str(request.user.scope_label)),
                                content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''调度表-{month:%Y-%m}.xlsx"
        return response
    sort = request.GET.get("sort", "")
    rows = _sorted(table.rows, sort)
    board = report_board(user=request.user, month=month, city=city)
    context = {"form": form, "table": table, "rows": rows, "month": month, "sort": sort, "board": board,
               "query": request.GET.urlencode(), "late": sum(b.late for b in board),
               "submitted": sum(b.status in ("submitted", "approved") for b in board)}
    return render(request, "indicators/dispatch.html", context)


def _sorted(rows, sort: str):
    """Sort by an indicator's growth or YTD ("growth:industrial_value_added", "-ytd:tax_revenue")."""
    field, _, code = sort.lstrip("-").partition(":")
    if field not in ("growth", "ytd") or not code:
        return rows
    present = [r for r in rows if code in r.cells and getattr(r.cells[code], field) is not None]
    absent = [r for r in rows if r not in present]
    present.sort(key=lambda r: getattr(r.cells[code], field), reverse=sort.startswith("-"))
    return present + absent


def _shown(v, name: str) -> str:
    value = getattr(v, name) if v is not None else None
    return "" if value is None else f"{value.normalize():f}"


def _report_context(request, zone: Zone, month: date, posted=None) -> dict:
    """The grid; after a refused save, the cells show what was typed, not what is stored."""
    report = MonthlyReport.objects.filter(zone=zone, month=month).first()
    defs = definitions_for(month)
    current = {v.indicator.code: v for v in report.values.select_related("indicator")} if report else {}
    prev_month = month.replace(year=month.year - 1, month=12) if month.month == 1 else month.replace(
        month=month.month - 1)
    previous = dict(ReportValue.objects.filter(report__zone=zone, report__month=prev_month)
                    .values_list("indicator__code", "ytd")) if month.month > 1 else {}
    targets = {t.indicator: t for t in Target.objects.filter(zone=zone, year=month.year)}
    rows = []
    for d in defs:
        v = current.get(d.code)
        cells = {k: _shown(v, attr) for k, attr in (("ytd", "ytd"), ("last", "last_ytd"), ("growth", "growth"))}
        if posted is not None:
            cells = {k: posted.get(f"{d.code}-{k}", "") for k in cells}
        rows.append({"d": d, "v": v, "cells": cells, "previous": previous.get(d.code),
                     "target": targets.get(d.code)})
    editable = (can_write(request.user, zone.org_unit)
                and (report is None or report.status in ("draft", "returned")))
    return {"zone": zone, "month": month, "report": report, "rows": rows, "editable": editable,
            "reviewable": report is not None and report.status == "submitted"
            and services.can_review(request.user, zone),
            "reopenable": report is not None and report.status == "approved",
            "checks": services.report_checks(report) if report else [],
            "revisions": report.revisions.select_related("user") if report else []}


@login_required
def report_view(request, zone_code: str, month: str):
    zone = get_object_or_404(Zone.objects.visible_to(request.user).select_related("org_unit"), code=zone_code)
    month_date = _month(month)
    if request.method == "POST":
        return _report_post(request, zone, month_date)
    return render(request, "indicators/report.html", _report_context(request, zone, month_date))


def posted_version(request) -> int | None:
    """The version a report form was rendered with (its hidden field); None when missing or not a number."""
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _report_post(request, zone: Zone, month: date):
    action = request.POST.get("action", "save")
    values = {d.code: {"ytd": request.POST.get(f"{d.code}-ytd"), "last_ytd": request.POST.get(f"{d.code}-last"),
                       "growth": request.POST.get(f"{d.code}-growth")} for d in definitions_for(month)}
    try:
        report = services.report_save(user=request.user, zone=zone, month=month, values=values,
                                      version=posted_version(request))
        if action == "submit":
            services.report_submit(user=request.user, report=report)
            messages.success(request, "月报已报送，等待审核")
        else:
            messages.success(request, "草稿已保存")
    except services.ReportError as exc:
        messages.error(request, exc.message)
        context = _report_context(request, zone, month, posted=request.POST)
        return render(request, "indicators/report.html", context, status=200)
    return redirect("dispatch:report", zone_code=zone.code, month=f"{month:%Y-%m}")


@login_required
@require_POST
def report_review_view(request, zone_code: str, month: str):
    zone = get_object_or_404(Zone.objects.visible_to(request.user).select_related("org_unit"), code=zone_code)
    report = get_object_or_404(MonthlyReport, zone=zone, month=_month(month))
    action, text = request.POST.get("action"), request.POST.get("comment", "")
    try:
        if action == "approve":
            services.report_approve(user=request.user, report=report, comment=text)
            messages.success(request, "已审核通过，本月数据已锁定")
        elif action == "return":
            services.report_return(user=request.user, report=report, comment=text)
            messages.success(request, "已退回")
        elif action == "reopen":
            services.report_reopen(user=request.user, report=report, reason=text)
            messages.success(request, "已打开更正，生成新的修订版次")
        else:
            messages.error(request, "未知的操作")
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect("dispatch:report", zone_code=zone.code, month=f"{report.month:%Y-%m}")


@login_required
def targets_view(request):
    year = year_parse(request.GET.get("year")) or date.today().year
    form = TargetForm(request.POST or None, user=request.user, initial={"year": year})
    import_form = TargetImportForm()
    if request.method == "POST" and request.POST.get("action") == "import":
        return _targets_import(request, year)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.target_set(user=request.user, zone=d["zone"], year=d["year"], indicator=d["indicator"],
                                kind=d["kind"], value=d["value"])
        except services.ReportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "目标已保存")
            return redirect(f"{request.path}?year={d['year']}")
    targets = (Target.objects.visible_to(request.user).filter(year=year).select_related("zone")
               .order_by("zone__code", "indicator"))
    names = {d.code: d for d in definitions_for(date(year, 12, 1))}
    return render(request, "indicators/targets.html", {"form": form, "import_form": import_form, "year": year,
                                                       "targets": targets, "names": names,
                                                       "can_import": services.can_set_targets(request.user)})


def _targets_import(request, year: int):
    from kaifaqu.core.excel import ExcelReadError

    from .excel import NO_TARGET_RIGHT, TargetImportError, targets_import

    if not services.can_set_targets(request.user):  # before the file is read
        raise PermissionDenied(NO_TARGET_RIGHT)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择文件")
        return redirect(f"{request.path}?year={year}")
    try:
        n = targets_import(user=request.user, data=upload.read())
    except (TargetImportError, ExcelReadError) as exc:
        errors = getattr(exc, "errors", None) or [str(exc)]
        for e in errors[:50]:
            messages.error(request, str(e))
    else:
        messages.success(request, f"已导入 {n} 条目标")
    return redirect(f"{request.path}?year={year}")


@login_required
def report_template_view(request, zone_code: str, month: str):
    from .excel import report_template

    zone = get_object_or_404(Zone.objects.visible_to(request.user), code=zone_code)
    response = HttpResponse(report_template(zone=zone, month=month_start(_month(month))), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''月报-{zone.code}-{month}.xlsx"
    return response


@login_required
@require_POST
def report_import_view(request, zone_code: str, month: str):
    from kaifaqu.core.excel import ExcelReadError

    from .excel import report_values_from_excel

    zone = get_object_or_404(Zone.objects.visible_to(request.user).select_related("org_unit"), code=zone_code)
    if not can_write(request.user, zone.org_unit):  # before the file is read
        raise PermissionDenied("您无权填报该开发区的月报")
    month_date = _month(month)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise services.ReportError("请选择文件")
        values = report_values_from_excel(data=upload.read(), month=month_date)
        services.report_save(user=request.user, zone=zone, month=month_date, values=values,
                             version=posted_version(request))
    except (services.ReportError, ExcelReadError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, "已从Excel导入，请核对后报送")
    return redirect("dispatch:report", zone_code=zone.code, month=f"{month_date:%Y-%m}")
