"""/api/v1/reports and /api/v1/dispatch (SPEC §12): monthly reports and their workflow, the dispatch table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from kaifaqu.core.params import MONTH_MESSAGE, Month, month_parse
from kaifaqu.zones.models import Zone

from . import services
from .models import MonthlyReport
from .selectors import DispatchTable, dispatch_table

reports_router = Router(tags=["月度调度"])
dispatch_router = Router(tags=["月度调度"])

def parse_month(text: str) -> date:
    """"2024-03" → 2024-03-01; anything else is a 422 with a Chinese message."""
    month = month_parse(text)
    if month is None:
        raise HttpError(422, f"{MONTH_MESSAGE}：{text}")
    return month


def _zone(user, code: str) -> Zone:
    return get_object_or_404(Zone.objects.visible_to(user).select_related("org_unit"), code=code)


def _refuse(exc: services.ReportError):
    raise HttpError(exc.status, exc.message) from None


class CellIn(Schema):
    ytd: str | float | int | None = None
    last_ytd: str | float | int | None = None
    growth: str | float | int | None = None


class ReportIn(Schema):
    values: dict[str, CellIn]
    version: int = Field(..., ge=0, le=2**31 - 1,
                         description="编辑时读到的版本号（尚无月报时填0）；缺少时返回422，过期的保存返回409")


class CommentIn(Schema):
    comment: str = Field("", max_length=500)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=500)


def report_out(report: MonthlyReport) -> dict:
    values = {v.indicator.code: {"ytd": str(v.ytd), "last_ytd": None if v.last_ytd is None else str(v.last_ytd),
                                 "growth": None if v.growth is None else str(v.growth)}
              for v in report.values.select_related("indicator")}
    return {"zone": report.zone.code, "month": report.month.strftime("%Y-%m"), "status": report.status,
            "revision": report.revision, "version": report.version, "deadline": report.deadline.isoformat(),
            "review_comment": report.review_comment, "values": values,
            "checks": services.report_checks(report)}


@reports_router.get("/{zone_code}/{month}", summary="读取某开发区某月月报")
def report_get(request, zone_code: str, month: Month):
    zone = _zone(request.user, zone_code)
    report = get_object_or_404(MonthlyReport, zone=zone, month=parse_month(month))
    return report_out(report)


@reports_router.put("/{zone_code}/{month}", summary="保存月报草稿")
def report_put(request, zone_code: str, month: Month, payload: ReportIn):
    zone = _zone(request.user, zone_code)
    values = {code: cell.dict() for code, cell in payload.values.items()}
    try:
        report = services.report_save(user=request.user, zone=zone, month=parse_month(month), values=values,
                                      version=payload.version)
    except services.ReportError as exc:
        _refuse(exc)
    return report_out(report)


def _existing(request, zone_code: str, month: Month) -> MonthlyReport:
    zone = _zone(request.user, zone_code)
    return get_object_or_404(MonthlyReport.objects.select_related("zone__org_unit"), zone=zone,
                             month=parse_month(month))


@reports_router.post("/{zone_code}/{month}/submit", summary="报送月报")
def report_submit(request, zone_code: str, month: Month):
    try:
        return report_out(services.report_submit(user=request.user, report=_existing(request, zone_code, month)))
    except services.ReportError as exc:
        _refuse(exc)


@reports_router.post("/{zone_code}/{month}/approve", summary="审核通过（锁定）")
def report_approve(request, zone_code: str, month: Month, payload: CommentIn | None = None):
    comment = payload.comment if payload else ""
    try:
        return report_out(services.report_approve(user=request.user, report=_existing(request, zone_code, month),
                                                  comment=comment))
    except services.ReportError as exc:
        _refuse(exc)


@reports_router.post("/{zone_code}/{month}/return", summary="退回（须填写意见）")
def report_return(request, zone_code: str, month: Month, payload: CommentIn):
    try:
        return report_out(services.report_return(user=request.user, report=_existing(request, zone_code, month),
                                                 comment=payload.comment))
    except services.ReportError as exc:
        _refuse(exc)


@reports_router.post("/{zone_code}/{month}/reopen", summary="申请更正（已审核月报重新打开，生成新版次）")
def report_reopen(request, zone_code: str, month: Month, payload: ReasonIn):
    try:
        return report_out(services.report_reopen(user=request.user, report=_existing(request, zone_code, month),
                                                 reason=payload.reason))
    except services.ReportError as exc:
        _refuse(exc)


class DispatchQuery(Schema):
    month: Month
    city: str | None = Field(None, max_length=20)


def _num(value: Decimal | None) -> str | None:
    """Figures travel as strings with two decimals (stored with four)."""
    return None if value is None else f"{value:.2f}"


def cell_out(cell) -> dict:
    return {"ytd": _num(cell.ytd), "last_ytd": _num(cell.last_ytd), "growth": _num(cell.growth),
            "target": _num(cell.target), "target_kind": cell.target_kind, "completion": _num(cell.completion),
            "share": _num(cell.share)}


def table_out(table: DispatchTable) -> dict:
    return {
        "month": table.month.strftime("%Y-%m"), "time_progress": _num(table.time_progress),
        "indicators": [{"code": d.code, "name": d.name, "unit": d.unit} for d in table.indicators],
        "rows": [{"zone": r.code, "zone_name": r.name, "city": r.city, "status": r.status, "revision": r.revision,
                  "values": {code: cell_out(c) for code, c in r.cells.items()}} for r in table.rows],
        "total": {code: cell_out(c) for code, c in table.total.items()},
    }


@dispatch_router.get("", summary="调度表：开发区×指标（累计、增速、目标、完成率），合计行按Σ本期÷Σ上期−1")
def dispatch(request, query: Query[DispatchQuery]):
    table = dispatch_table(user=request.user, month=parse_month(query.month), city=query.city)
    return table_out(table)
