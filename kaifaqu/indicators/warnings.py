"""预警 (SPEC §5): the month's warnings over a user's scope, worst first.

Rules are `WarningRule` rows (editable thresholds, `enabled`): late or missing reports, growth below its target,
absolute targets behind the time progress, overdue 三未 projects and overdue milestones. Each rule reads one
set-based selector (the dispatch table, the report board, the 三未 lists, one milestone query), so a call runs a
fixed number of queries whatever the number of zones.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from kaifaqu.projects.models import ProjectMilestone
from kaifaqu.projects.selectors import THREE_UN, alive_on, scoped_projects, three_un
from kaifaqu.zones.models import Zone

from . import figures
from .choices import TargetKind, WarningLevel
from .models import WarningRule
from .selectors import Cell, DispatchTable, dispatch_table, month_start, report_board

LEVEL_ORDER = {WarningLevel.RED: 0, WarningLevel.YELLOW: 1, WarningLevel.LATE: 2}
LEVEL_WORD = {WarningLevel.RED: "红色", WarningLevel.YELLOW: "黄色"}
RULES = ["late", "growth_below_target", "completion_behind_progress", "three_un_overdue", "milestone_overdue",
         "tickets_overdue"]
NEXT_DATE = {"planned_start_on": "计划开工日期", "planned_production_on": "计划投产日期",
             "planned_capacity_on": "计划达产日期"}

FIGURE_LABELS = {
    "ytd": "1-N月累计", "last_ytd": "上年同期累计", "growth": "累计增速(%)", "target": "目标",
    "gap": "与目标差(百分点)",
    "completion": "完成率(%)", "time_progress": "时序进度(%)", "ratio": "完成率÷时序进度(%)", "unit": "单位",
    "deadline": "报送截止日", "status": "月报状态", "submitted_on": "报送日期", "list_name": "类别",
    "milestone": "节点", "planned_on": "计划日期", "overdue_days": "逾期天数", "as_of": "截至日期",
    "count": "超期件数", "key_difficult": "其中重点难点", "escalated": "已升级", "due_on": "最早办结时限",
}


@dataclass
class WarningItem:
    """One warning: who (zone, and the org unit answerable for it), what (indicator or project), the figures,
    the rule that fired and a sentence saying all of it."""

    key: str
    level: str
    rule: str
    rule_name: str
    zone: str
    zone_name: str
    city: str
    unit: str
    message: str
    figures: dict[str, str | None]
    month: str
    indicator: str | None = None
    indicator_name: str | None = None
    project: str | None = None
    project_name: str | None = None
    project_id: int | None = None
    order: tuple = field(default=(), repr=False, compare=False)

    @property
    def level_label(self) -> str:
        return WarningLevel(self.level).label

    def snapshot(self) -> dict:
        """The warning as JSON, kept on a supervision order as it was when the order was issued."""
        data = asdict(self)
        data.pop("order")
        return data


@dataclass
class _ZoneInfo:
    code: str
    name: str
    city: str
    city_code: str
    unit: str


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def ytd_label(month: date) -> str:
    """1-3月 (1月 in January): the span a year-to-date figure covers."""
    return "1月" if month.month == 1 else f"1-{month.month}月"


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def enabled_rules() -> dict[str, WarningRule]:
    return {r.code: r for r in WarningRule.objects.filter(enabled=True)}


def warnings(*, user, month: date, city: str | None = None, today: date | None = None) -> list[WarningItem]:
    """SPEC §5's warnings for `month` over the zones `user` may see (narrowed to a city), worst first: red, then
    yellow, then late; within a level by city and zone. 三未 and milestones are judged as of the end of the month,
    or today if that is earlier."""
    month, today = month_start(month), today or timezone.localdate()
    rules = enabled_rules()
    table = dispatch_table(user=user, month=month, city=city)
    zones = _zone_infos(table)
    as_of = min(month_end(month), today)
    items: list[WarningItem] = []
    if "late" in rules:
        items += late_warnings(user=user, month=month, city=city, today=today, rule=rules["late"], zones=zones)
    if "growth_below_target" in rules:
        items += growth_warnings(table=table, rule=rules["growth_below_target"], zones=zones)
    if "completion_behind_progress" in rules:
        items += completion_warnings(table=table, rule=rules["completion_behind_progress"], zones=zones)
    if "three_un_overdue" in rules:
        items += three_un_warnings(user=user, month=month, city=city, as_of=as_of, rule=rules["three_un_overdue"],
                                   zones=zones)
    if "milestone_overdue" in rules:
        items += milestone_warnings(user=user, month=month, city=city, as_of=as_of,
                                    rule=rules["milestone_overdue"], zones=zones)
    if "tickets_overdue" in rules:
        items += ticket_warnings(user=user, month=month, city=city, as_of=as_of, rule=rules["tickets_overdue"],
                                 zones=zones)
    return sorted(items, key=lambda w: w.order)


def ticket_warnings(*, user, month: date, city, as_of: date, rule: WarningRule, zones: dict) -> list[WarningItem]:
    """企业诉求超期未办结: per zone, its hotline tickets unresolved past their resolution day (SPEC §8)."""
    from kaifaqu.tickets.selectors import overdue_ticket_warnings

    out = []
    for w in overdue_ticket_warnings(user=user, as_of=as_of, city=city):
        level = overdue_level(w.overdue_days, rule)
        if level and w.zone in zones:
            out.append(_item(zone=zones[w.zone], rule=rule, level=level, month=month, key=f"{w.key}:{month:%Y-%m}",
                             message=f"{w.message}（{LEVEL_WORD[level]}）", figures=w.figures))
    return out


def _zone_infos(table: DispatchTable) -> dict[str, _ZoneInfo]:
    """The table's zones by code, with the code of each zone's org unit (one query)."""
    units = dict(Zone.objects.filter(pk__in=[r.zone_id for r in table.rows]).values_list("pk", "org_unit__code"))
    return {r.code: _ZoneInfo(r.code, r.name, r.city, r.city_code, units.get(r.zone_id) or r.code)
            for r in table.rows}


def _item(*, zone: _ZoneInfo, rule: WarningRule, level: str, key: str, message: str, figures: dict, month: date,
          sort: object = "", **subject) -> WarningItem:
    order = (LEVEL_ORDER[level], zone.city_code, zone.code, RULES.index(rule.code), sort)
    return WarningItem(key=key, level=level, rule=rule.code, rule_name=rule.name, zone=zone.code,
                       zone_name=zone.name, city=zone.city, unit=zone.unit, message=message, figures=figures,
                       month=f"{month:%Y-%m}", order=order, **subject)


# ---- reports: late or missing ----------------------------------------------------------------------------------

def late_warnings(*, user, month: date, city: str | None, today: date, rule: WarningRule,
                  zones: dict[str, _ZoneInfo]) -> list[WarningItem]:
    """迟报/漏报: the report is still missing after its deadline, or was submitted after it."""
    out = []
    for row in report_board(user=user, month=month, city=city, today=today):
        if not row.late or row.code not in zones:
            continue
        submitted = timezone.localdate(row.submitted_at) if row.submitted_at and not row.missing else None
        what = (f"于{submitted:%Y-%m-%d}报送，晚于截止日{row.deadline:%Y-%m-%d}（迟报）" if submitted
                else f"截至{row.deadline:%Y-%m-%d}未报送（漏报）")
        out.append(_item(
            zone=zones[row.code], rule=rule, level=WarningLevel.LATE, month=month,
            key=f"late:{row.code}:{month:%Y-%m}", message=f"{zones[row.code].name} {month_label(month)}月报{what}",
            figures={"deadline": f"{row.deadline:%Y-%m-%d}", "status": row.status,
                     "submitted_on": f"{submitted:%Y-%m-%d}" if submitted else None}))
    return out


# ---- growth below its target -----------------------------------------------------------------------------------

def growth_level(cell: Cell, rule: WarningRule) -> str | None:
    """Red for negative growth or a shortfall ≥ the red threshold (points); yellow for ≥ the yellow threshold."""
    if cell.target_kind != TargetKind.GROWTH or cell.growth is None or cell.gap is None:
        return None
    shortfall = -cell.gap
    if cell.growth < 0 or (rule.red is not None and shortfall >= rule.red):
        return WarningLevel.RED
    if rule.yellow is not None and shortfall >= rule.yellow:
        return WarningLevel.YELLOW
    return None


def growth_warnings(*, table: DispatchTable, rule: WarningRule, zones: dict[str, _ZoneInfo]) -> list[WarningItem]:
    """增速低于目标, per zone and indicator with a growth target."""
    out = []
    for row in table.rows:
        for sort, d in enumerate(table.indicators):
            cell = row.cells[d.code]
            level = growth_level(cell, rule)
            if level is None:
                continue
            out.append(_item(
                zone=zones[row.code], rule=rule, level=level, month=table.month, sort=sort,
                key=f"growth:{row.code}:{d.code}:{table.month:%Y-%m}", indicator=d.code, indicator_name=d.name,
                message=f"{row.name} {d.name} {_growth_sentence(cell, table.month)}（{LEVEL_WORD[level]}）",
                figures={"ytd": _text(cell.ytd), "last_ytd": _text(cell.last_ytd), "growth": _text(cell.growth),
                         "target": _text(cell.target), "gap": _text(cell.gap), "unit": d.unit}))
    return out


def _growth_sentence(cell: Cell, month: date) -> str:
    shortfall = -cell.gap
    if cell.growth >= 0:
        said = f"{ytd_label(month)}累计增长{cell.growth:.2f}%"
    else:
        said = f"{ytd_label(month)}累计下降{-cell.growth:.2f}%（负增长）"
    if shortfall > 0:
        return f"{said}，低于目标{cell.target:.2f}%达{shortfall:.2f}个百分点"
    return f"{said}，目标{cell.target:.2f}%"


# ---- absolute targets behind the time progress -----------------------------------------------------------------

def progress_ratio(ytd: Decimal | None, target: Decimal | None, month: date) -> Decimal | None:
    """Completion ÷ time progress, in %: (YTD ÷ annual target) ÷ (N ÷ 12), computed before rounding."""
    if ytd is None or not target:
        return None
    return figures.pct(Decimal(ytd) * 1200 / (Decimal(target) * month.month))


def completion_level(ratio: Decimal | None, rule: WarningRule) -> str | None:
    """Red below the red threshold (%), yellow below the yellow one."""
    if ratio is None:
        return None
    if rule.red is not None and ratio < rule.red:
        return WarningLevel.RED
    if rule.yellow is not None and ratio < rule.yellow:
        return WarningLevel.YELLOW
    return None


def completion_warnings(*, table: DispatchTable, rule: WarningRule,
                        zones: dict[str, _ZoneInfo]) -> list[WarningItem]:
    """完成进度落后, per zone and indicator with an absolute annual target."""
    out = []
    for row in table.rows:
        for sort, d in enumerate(table.indicators):
            cell = row.cells[d.code]
            if cell.target_kind != TargetKind.ABSOLUTE:
                continue
            ratio = progress_ratio(cell.ytd, cell.target, table.month)
            level = completion_level(ratio, rule)
            if level is None:
                continue
            threshold = rule.red if level == WarningLevel.RED else rule.yellow
            out.append(_item(
                zone=zones[row.code], rule=rule, level=level, month=table.month, sort=sort,
                key=f"completion:{row.code}:{d.code}:{table.month:%Y-%m}", indicator=d.code, indicator_name=d.name,
                message=(f"{row.name} {d.name} {ytd_label(table.month)}累计完成{cell.ytd:.2f}{d.unit}，"
                         f"为全年目标{cell.target:.2f}{d.unit}的{cell.completion:.2f}%，时序进度"
                         f"{table.time_progress:.2f}%，完成进度为时序进度的{ratio:.2f}%，低于{threshold:.0f}%"
                         f"（{LEVEL_WORD[level]}）"),
                figures={"ytd": _text(cell.ytd), "target": _text(cell.target), "completion": _text(cell.completion),
                         "time_progress": _text(table.time_progress), "ratio": _text(ratio), "unit": d.unit}))
    return out


# ---- overdue projects and milestones ---------------------------------------------------------------------------

def overdue_level(days: int, rule: WarningRule) -> str | None:
    """Overdue (by more than the yellow threshold's days, if one is set) is yellow; by more than the red
    threshold's days is red."""
    if days <= 0:
        return None
    if rule.red is not None and days > rule.red:
        return WarningLevel.RED
    if rule.yellow is None or days > rule.yellow:
        return WarningLevel.YELLOW
    return None


def three_un_warnings(*, user, month: date, city: str | None, as_of: date, rule: WarningRule,
                      zones: dict[str, _ZoneInfo]) -> list[WarningItem]:
    """三未项目逾期: projects listed in campaigns since 1 January of the previous year, past their planned next
    date as of `as_of`."""
    lists = three_un(user=user, since=date(month.year - 1, 1, 1), as_of=as_of, city=city)
    out = []
    for list_key, part in lists.items():
        label, _, next_field = THREE_UN[list_key]
        for r in part["items"]:
            level = overdue_level(r["overdue_days"], rule) if r["overdue"] else None
            if level is None or r["zone"] not in zones:
                continue
            out.append(_item(
                zone=zones[r["zone"]], rule=rule, level=level, month=month, sort=r["code"],
                key=f"three_un:{r['zone']}:{r['code']}:{month:%Y-%m}",
                project=r["code"], project_name=r["name"], project_id=r["id"],
                message=(f"{zones[r['zone']].name} 项目“{r['name']}”（{r['code']}）{label}，"
                         f"{NEXT_DATE[next_field]}{r['planned_next_on']:%Y-%m-%d}，已逾期{r['overdue_days']}天"
                         f"（{LEVEL_WORD[level]}）"),
                figures={"list": list_key, "list_name": label, "planned_on": f"{r['planned_next_on']:%Y-%m-%d}",
                         "overdue_days": str(r["overdue_days"]), "as_of": f"{as_of:%Y-%m-%d}"}))
    return out


def milestone_warnings(*, user, month: date, city: str | None, as_of: date, rule: WarningRule,
                       zones: dict[str, _ZoneInfo]) -> list[WarningItem]:
    """节点计划逾期: milestones of live projects past their planned date and not done by `as_of` (one query)."""
    projects = scoped_projects(user=user, city=city).filter(alive_on(as_of)).values("pk")
    rows = (ProjectMilestone.objects.visible_to(user)
            .filter(project__in=projects, planned_on__lt=as_of)
            .filter(Q(actual_on__isnull=True) | Q(actual_on__gt=as_of))
            .values_list("project_id", "project__code", "project__name", "project__zone__code", "name", "planned_on")
            .order_by("project__zone__code", "project__code", "planned_on"))
    out = []
    for project_id, code, name, zone, milestone, planned in rows:
        days = (as_of - planned).days
        level = overdue_level(days, rule)
        if level is None or zone not in zones:
            continue
        out.append(_item(
            zone=zones[zone], rule=rule, level=level, month=month, sort=f"{code}:{planned:%Y%m%d}",
            key=f"milestone:{zone}:{code}:{milestone}:{month:%Y-%m}",
            project=code, project_name=name, project_id=project_id,
            message=(f"{zones[zone].name} 项目“{name}”（{code}）节点“{milestone}”计划{planned:%Y-%m-%d}完成，"
                     f"已逾期{days}天（{LEVEL_WORD[level]}）"),
            figures={"milestone": milestone, "planned_on": f"{planned:%Y-%m-%d}", "overdue_days": str(days),
                     "as_of": f"{as_of:%Y-%m-%d}"}))
    return out


def figure_rows(figures: dict) -> list[tuple[str, str | None]]:
    """A warning's figures as (中文 label, value), in the order of FIGURE_LABELS."""
    return [(label, figures[name]) for name, label in FIGURE_LABELS.items() if name in figures]


def warning_counts(items: list[WarningItem]) -> dict[str, int]:
    """{red, yellow, late}: how many of each level."""
    return {level.value: sum(w.level == level for w in items) for level in WarningLevel}
