"""Writes of monthly dispatch: report save / submit / approve / return / reopen for correction, targets.
Each is atomic, refuses with a Chinese message and leaves everything as it was, and records what happened."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from kaifaqu.accounts.choices import OrgKind, Role
from kaifaqu.accounts.roles import can_write
from kaifaqu.core.versioning import version_refusal

from . import figures
from .catalogue import definitions_for
from .choices import ReportStatus, TargetKind
from .models import MonthlyReport, ReportRevision, ReportValue, Target
from .selectors import month_start, report_deadline


class ReportError(Exception):
    """A refused write; `message` is for the user, `status` for the API."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class ReportConflict(ReportError):
    status = 409


class ReportForbidden(ReportError):
    status = 403


class ReportMissingVersion(ReportError):
    status = 422


def today() -> date:
    return timezone.localdate()


def can_review(user, zone) -> bool:
    """Reviewers and admins of a city or the province above the zone review its reports (not the zone itself)."""
    if user.is_superuser:
        return True
    unit = user.org_unit
    return (unit is not None and user.role in (Role.REVIEWER, Role.ADMIN)
            and unit.kind in (OrgKind.PROVINCE, OrgKind.CITY) and zone.org_unit.path.startswith(unit.path))


def can_set_targets(user) -> bool:
    """May `user` set some zone's targets (下达目标)? Reviewers and admins of a city or the province; asked before
    a targets file is read."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    unit = user.org_unit
    return (unit is not None and user.role in (Role.REVIEWER, Role.ADMIN)
            and unit.kind in (OrgKind.PROVINCE, OrgKind.CITY))


def _values_snapshot(report: MonthlyReport) -> dict:
    return {v.indicator.code: {"ytd": str(v.ytd), "last_ytd": None if v.last_ytd is None else str(v.last_ytd),
                               "growth": None if v.growth is None else str(v.growth)}
            for v in report.values.select_related("indicator")}


def _record(report: MonthlyReport, action: str, user, reason: str = "") -> None:
    ReportRevision.objects.create(report=report, revision=report.revision, action=action, reason=reason,
                                  values=_values_snapshot(report), user=user)


def report_open(*, user, zone, month: date) -> MonthlyReport:
    """The zone's report for the month, created as a draft (due the 10th of the next month) if missing."""
    month = month_start(month)
    if month > month_start(today()):
        raise ReportError("不能填报未来月份的月报", "month")
    report = MonthlyReport.objects.filter(zone=zone, month=month).first()
    if report is None:
        if not can_write(user, zone.org_unit):
            raise ReportForbidden("您无权填报该开发区的月报")
        # (two first saves at once: the second gets the report the first created, not an IntegrityError)
        report, _ = MonthlyReport.objects.get_or_create(zone=zone, month=month,
                                                        defaults={"deadline": report_deadline(month)})
    return report


def _number(raw, label: str, code: str, *, allow_negative: bool) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ReportError(f"{label}：“{raw}”不是数字", code) from None
    if not value.is_finite():
        raise ReportError(f"{label}：“{raw}”不是数字", code)
    if value < 0 and not allow_negative:
        raise ReportError(f"{label}不能为负数", code)
    return value


def parse_values(month: date, values: dict) -> dict[str, tuple]:
    """{code: {"ytd", "last_ytd", "growth"}} → {code: (definition, ytd, last, growth)}, refusing unknown codes,
    text in number cells and impossible negatives."""
    defs = {d.code: d for d in definitions_for(month)}
    out = {}
    for code, cell in values.items():
        d = defs.get(code)
        if d is None:
            raise ReportError(f"未知的指标代码：{code}", code)
        cell = cell or {}
        ytd = _number(cell.get("ytd"), f"{d.name} 1-N月累计", code, allow_negative=False)
        last = _number(cell.get("last_ytd"), f"{d.name} 上年同期", code, allow_negative=False)
        growth = _number(cell.get("growth"), f"{d.name} 增速", code, allow_negative=True)
        if growth is not None and not d.has_reported_growth:
            raise ReportError(f"{d.name}没有统计部门报送的增速，请留空（系统按累计值计算）", code)
        if ytd is None and (last is not None or growth is not None):
            raise ReportError(f"{d.name}：请填写1-N月累计", code)
        if growth is not None and abs(growth) >= Decimal("10000"):
            raise ReportError(f"{d.name}增速超出合理范围", code)
        if ytd is not None:
            out[code] = (d, ytd, last, growth)
    return out


def _editable(user, report: MonthlyReport) -> None:
    if not can_write(user, report.zone.org_unit):
        raise ReportForbidden("您无权填报该开发区的月报")
    if report.status == ReportStatus.APPROVED:
        raise ReportConflict("该月报已审核通过并锁定；如需更正，请先申请更正并说明原因")
    if report.status == ReportStatus.SUBMITTED:
        raise ReportConflict("该月报已报送，正在审核中，不能修改")


@transaction.atomic
def report_save(*, user, zone, month: date, values: dict, version: int | None) -> MonthlyReport:
    """Save a draft (保存草稿). `version` is the one the editor saw, required — 0 for a month that has no report
    yet: a missing one is refused (422), a stale one too (409), and nothing is lost or changed."""
    if not can_write(user, zone.org_unit):  # (before the version: no answer about a report one may not write)
        raise ReportForbidden("您无权填报该开发区的月报")
    report = _report_at(user, zone, month, version)
    _editable(user, report)
    parsed = parse_values(report.month, values)
    existing = {v.indicator_id: v for v in report.values.all()}
    keep = set()
    for d, ytd, last, growth in parsed.values():
        v = existing.get(d.pk) or ReportValue(report=report, indicator=d)
        v.ytd, v.last_ytd, v.growth = ytd, last, growth
        v.save()
        keep.add(d.pk)
    report.values.exclude(indicator_id__in=keep).delete()
    report.version += 1
    report.save()
    return report


def _report_at(user, zone, month: date, version: int | None) -> MonthlyReport:
    """The zone's report of the month, locked, if it is still at `version` (0: there is none yet, and it is
    opened now); refused otherwise."""
    locked = MonthlyReport.objects.select_for_update().select_related("zone__org_unit")
    report = locked.filter(zone=zone, month=month_start(month)).first()
    _check_version(report.version if report else 0, version)
    if report is None:
        opened = report_open(user=user, zone=zone, month=month)
        report = locked.get(pk=opened.pk)
        _check_version(report.version, 1)  # opened and saved by someone else meanwhile
    return report


def _check_version(current: int, given: int | None) -> None:
    refusal = version_refusal(current=current, given=given, what="月报")
    if refusal is not None:
        raise (ReportMissingVersion if refusal[0] == ReportMissingVersion.status else ReportConflict)(refusal[1])


def report_checks(report: MonthlyReport) -> list[dict]:
    """Doubts to show before submission: a cumulative value below last month's, a reported growth whose sign or
    size contradicts the values. They do not block submission."""
    flags = []
    previous = {}
    if report.month.month > 1:
        prev_month = report.month.replace(month=report.month.month - 1)
        previous = dict(ReportValue.objects.filter(report__zone=report.zone_id, report__month=prev_month)
                        .values_list("indicator__code", "ytd"))
    for v in report.values.select_related("indicator"):
        code, name = v.indicator.code, v.indicator.name
        if code in previous and v.ytd < previous[code]:
            flags.append({"indicator": code, "message": f"{name}：1-N月累计{v.ytd}小于上月累计{previous[code]}"})
        computed = figures.growth(v.ytd, v.last_ytd)
        if v.growth is not None and computed is not None and (
                (v.growth < 0) != (computed < 0) or abs(v.growth - computed) > 20):
            flags.append({"indicator": code, "message": f"{name}：报送增速{v.growth}%与按累计值计算的{computed}%不符"})
    return flags


@transaction.atomic
def report_submit(*, user, report: MonthlyReport) -> MonthlyReport:
    """Submit for review (报送). Required indicators must be filled."""
    report = MonthlyReport.objects.select_for_update().select_related("zone__org_unit").get(pk=report.pk)
    _editable(user, report)
    filled = set(report.values.values_list("indicator__code", flat=True))
    missing = [d.name for d in definitions_for(report.month) if d.required and d.code not in filled]
    if missing:
        raise ReportError(f"以下必填指标未填写：{'、'.join(missing)}")
    report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, timezone.now(), user
    report.version += 1
    report.save()
    late = timezone.localdate(report.submitted_at) > report.deadline
    _record(report, "submit", user, "逾期报送" if late else "")
    return report


def _reviewable(user, report: MonthlyReport) -> MonthlyReport:
    report = MonthlyReport.objects.select_for_update().select_related("zone__org_unit").get(pk=report.pk)
    if not can_review(user, report.zone):
        raise ReportForbidden("只有上级市、省的审核人员可以审核月报")
    if report.status != ReportStatus.SUBMITTED:
        raise ReportConflict(f"月报当前状态为“{report.get_status_display()}”，不能审核")
    return report


@transaction.atomic
def report_approve(*, user, report: MonthlyReport, comment: str = "") -> MonthlyReport:
    """Approve (审核通过): the month is locked."""
    report = _reviewable(user, report)
    report.status, report.reviewed_at, report.reviewed_by = ReportStatus.APPROVED, timezone.now(), user
    report.review_comment = comment
    report.version += 1
    report.save()
    _record(report, "approve", user, comment)
    return report


@transaction.atomic
def report_return(*, user, report: MonthlyReport, comment: str) -> MonthlyReport:
    """Return to the zone with a comment (退回)."""
    if not (comment or "").strip():
        raise ReportError("退回须填写意见", "comment")
    report = _reviewable(user, report)
    report.status, report.reviewed_at, report.reviewed_by = ReportStatus.RETURNED, timezone.now(), user
    report.review_comment = comment.strip()
    report.version += 1
    report.save()
    _record(report, "return", user, comment.strip())
    return report


@transaction.atomic
def report_reopen(*, user, report: MonthlyReport, reason: str) -> MonthlyReport:
    """Reopen an approved month for correction (更正): a new revision, with its reason; the figures then go
    through submission and review again, and the history keeps every revision."""
    if not (reason or "").strip():
        raise ReportError("更正须说明原因", "reason")
    report = MonthlyReport.objects.select_for_update().select_related("zone__org_unit").get(pk=report.pk)
    if not (can_write(user, report.zone.org_unit) or can_review(user, report.zone)):
        raise ReportForbidden("您无权更正该月报")
    if report.status != ReportStatus.APPROVED:
        raise ReportConflict("只有已审核通过的月报需要申请更正")
    report.revision += 1
    report.status = ReportStatus.DRAFT
    report.version += 1
    report.save()
    _record(report, "reopen", user, reason.strip())
    return report


@transaction.atomic
def target_set(*, user, zone, year: int, indicator: str, kind: str, value: Decimal) -> Target:
    """Set a zone's annual target: a growth rate in % (e.g. 15) or an absolute annual value."""
    if not can_review(user, zone):
        raise ReportForbidden("只有上级市、省的管理或审核人员可以下达目标")
    if indicator not in {d.code for d in definitions_for(date(year, 12, 1))}:
        raise ReportError(f"未知的指标代码：{indicator}", "indicator")
    if kind not in TargetKind.values:
        raise ReportError(f"未知的目标类型：{kind}", "kind")
    if kind == TargetKind.ABSOLUTE and value <= 0:
        raise ReportError("全年目标值应大于0", "value")
    target, _ = Target.objects.update_or_create(zone=zone, year=year, indicator=indicator,
                                                defaults={"kind": kind, "value": value})
    return target
