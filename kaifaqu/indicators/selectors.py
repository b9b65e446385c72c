"""Reads of monthly dispatch (SPEC §5): a month's figures per zone, the dispatch table with its total row,
the report board (who submitted, who is late). One set-based pass each, through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kaifaqu.zones.models import Zone

from . import figures
from .catalogue import definitions_for
from .choices import ReportStatus, TargetKind
from .models import CityTotal, IndicatorDefinition, MonthlyReport, ReportValue, Target

REPORTED = [ReportStatus.SUBMITTED, ReportStatus.APPROVED]


def month_start(d: date) -> date:
    return d.replace(day=1)


def scoped_zones(*, user, city: str | None = None, zone: str | None = None):
    """The zones in the user's scope, narrowed to a city (code or name) or one zone (code)."""
    qs = Zone.objects.visible_to(user)
    if city:
        qs = qs.filter(city__code=city) if city.isdigit() else qs.filter(city__name__startswith=city)
    if zone:
        qs = qs.filter(code=zone)
    return qs


@dataclass
class Cell:
    """One zone's figures for one indicator in one month."""

    ytd: Decimal | None = None
    last_ytd: Decimal | None = None
    reported_growth: Decimal | None = None
    growth: Decimal | None = None
    target_kind: str | None = None
    target: Decimal | None = None
    completion: Decimal | None = None
    gap: Decimal | None = None  # growth − growth target, in points
    share: Decimal | None = None


@dataclass
class DispatchRow:
    zone_id: int
    code: str
    name: str
    city: str
    city_code: str
    status: str | None
    revision: int | None
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class DispatchTable:
    month: date
    indicators: list[IndicatorDefinition]
    rows: list[DispatchRow]
    total: dict[str, Cell]
    time_progress: Decimal


def month_values(*, zone_ids, month: date, statuses=REPORTED) -> dict[int, dict[str, tuple]]:
    """{zone id: {indicator code: (ytd, last_ytd, reported growth)}} for the month's reported figures."""
    rows = (ReportValue.objects.filter(report__month=month, report__zone_id__in=zone_ids,
                                       report__status__in=statuses)
            .values_list("report__zone_id", "indicator__code", "ytd", "last_ytd", "growth"))
    out: dict[int, dict[str, tuple]] = {}
    for zone_id, code, ytd, last, reported in rows:
        out.setdefault(zone_id, {})[code] = (ytd, last, reported)
    return out


def zone_targets(*, zone_ids, year: int) -> dict[int, dict[str, tuple[str, Decimal]]]:
    out: dict[int, dict[str, tuple[str, Decimal]]] = {}
    for zone_id, code, kind, value in Target.objects.filter(zone_id__in=zone_ids, year=year).values_list(
            "zone_id", "indicator", "kind", "value"):
        out.setdefault(zone_id, {})[code] = (kind, value)
    return out


def make_cell(values: tuple | None, target: tuple | None, city_total: Decimal | None) -> Cell:
    """A cell from (ytd, last, reported growth), a (kind, value) target and the city's total."""
    ytd, last, reported = values or (None, None, None)
    cell = Cell(ytd=ytd, last_ytd=last, reported_growth=reported, growth=figures.growth(ytd, last, reported))
    if target:
        cell.target_kind, cell.target = target
        if cell.target_kind == TargetKind.ABSOLUTE:
            cell.completion = figures.completion(ytd, cell.target)
        elif cell.growth is not None:
            cell.gap = figures.pct(cell.growth - cell.target)
    cell.share = figures.share(ytd, city_total)
    return cell


def dispatch_table(*, user, month: date, city: str | None = None, zone: str | None = None) -> DispatchTable:
    """调度表: zones × indicators (YTD, growth, target, completion, share of the city) and a total row whose
    growth is Σ this ÷ Σ last − 1. Four queries whatever the number of zones."""
    month = month_start(month)
    scoped = scoped_zones(user=user, city=city, zone=zone)
    zones = list(scoped.order_by("city__code", "-level", "code")
                 .values("pk", "code", "name", "short_name", "city__code", "city__name"))
    ids = scoped.values("pk")  # a subquery: a national scope would make a list of thousands of parameters
    defs = definitions_for(month)
    values = month_values(zone_ids=ids, month=month)
    targets = zone_targets(zone_ids=ids, year=month.year)
    totals = {(c, i): v for c, i, v in CityTotal.objects.filter(month=month).values_list(
        "city__code", "indicator", "ytd")}
    reports = {z: (s, r) for z, s, r in MonthlyReport.objects.filter(month=month, zone_id__in=ids).values_list(
        "zone_id", "status", "revision")}
    rows = []
    for z in zones:
        pk, city_code = z["pk"], z["city__code"] or ""
        status, revision = reports.get(pk, (None, None))
        mine, goals = values.get(pk, {}), targets.get(pk, {})
        cells = {d.code: make_cell(mine.get(d.code), goals.get(d.code), totals.get((city_code, d.code)))
                 for d in defs}
        rows.append(DispatchRow(pk, z["code"], z["short_name"] or z["name"], z["city__name"] or "", city_code,
                                status, revision, cells))
    return DispatchTable(month, defs, rows, _total_row(rows, defs), figures.time_progress(month))


def _total_row(rows: list[DispatchRow], defs: list[IndicatorDefinition]) -> dict[str, Cell]:
    total = {}
    for d in defs:
        cells = [r.cells[d.code] for r in rows if r.cells[d.code].ytd is not None]
        ytd = sum((c.ytd for c in cells), Decimal(0)) if cells else None
        lasts = [c.last_ytd for c in cells if c.last_ytd is not None]
        absolute = [c.target for c in cells if c.target_kind == TargetKind.ABSOLUTE]
        cell = Cell(ytd=ytd, last_ytd=sum(lasts, Decimal(0)) if lasts else None,
                    growth=figures.group_growth([(c.ytd, c.last_ytd) for c in cells]))
        if absolute and len(absolute) == len(cells):
            cell.target_kind, cell.target = TargetKind.ABSOLUTE, sum(absolute, Decimal(0))
            cell.completion = figures.completion(ytd, cell.target)
        total[d.code] = cell
    return total


@dataclass
class BoardRow:
    zone_id: int
    code: str
    name: str
    city: str
    report_id: int | None
    status: str | None
    submitted_at: object
    deadline: date
    late: bool
    missing: bool


def report_deadline(month: date) -> date:
    """Reports are due on the 10th of the following month (SPEC §5)."""
    from django.conf import settings

    day = getattr(settings, "REPORT_DEADLINE_DAY", 10)
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt.replace(day=day)


def report_board(*, user, month: date, city: str | None = None, today: date | None = None) -> list[BoardRow]:
    """Who has submitted the month's report, who is late, who is missing (for reviewers). Two queries."""
    month = month_start(month)
    today = today or timezone.localdate()
    zones = list(scoped_zones(user=user, city=city).select_related("city").order_by("city__code", "code"))
    reports = {r.zone_id: r for r in MonthlyReport.objects.filter(month=month, zone_id__in=[z.pk for z in zones])}
    rows = []
    for z in zones:
        r = reports.get(z.pk)
        deadline = r.deadline if r else report_deadline(month)
        submitted = r is not None and r.status in REPORTED
        submitted_day = timezone.localdate(r.submitted_at) if r and r.submitted_at else None
        late = (not submitted and today > deadline) or bool(submitted_day and submitted_day > deadline)
        rows.append(BoardRow(z.pk, z.code, z.short_name or z.name, z.city.name if z.city else "",
                             r.pk if r else None, r.status if r else None, r.submitted_at if r else None,
                             deadline, late, missing=not submitted and today > deadline))
    return rows
