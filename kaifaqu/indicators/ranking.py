"""考核排名 (SPEC §6): a scheme's items scored by the efficacy-coefficient method (功效系数法) across its zone
group, the composite score, the rank with the change against the previous month, the top ten (前十强) and each
zone's breakdown.

Scores are relative to the whole group, so they are computed over every zone of the scheme's group whatever the
user may see — a city sees the same scores and ranks as the province — and only then narrowed to the rows in the
user's scope. The reads are set-based: a fixed number of queries whatever the number of zones.

What a user sees of the zones outside their scope (their peers), by rule (`peers_visible`):
- never a peer's row: its values, item scores, score or rank;
- always the number of zones ranked (`group_size`) and, per item, how many of them have a value (`reported`);
- the group's lowest and highest value of each item (参评最低值/最高值) only when the user's scope holds two or
  more zones of the group (a city, the province). Each extreme is some zone's own figure; a zone's staff, who
  see one zone, would learn a peer's value from it, so they get their own value, score and rank without them.
  A scope of two zones or more could work the extremes out anyway from its own zones' values and scores
  (score = 60 + 40 × (x − min) ÷ (max − min), two zones, two equations), so withholding them there hides nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from kaifaqu.projects.choices import Batch
from kaifaqu.projects.selectors import campaign_stats_by_zone, campaigns_between
from kaifaqu.zones.models import Zone

from . import figures
from .catalogue import definitions_for
from .choices import Measure
from .models import AssessmentItem, AssessmentScheme
from .selectors import month_start, month_values, scoped_zones

CENT = Decimal("0.01")
FINE = Decimal("0.0001")  # 产出强度 keeps four decimals: small zones differ in the third
FLOOR, SPAN, FULL = Decimal(60), Decimal(40), Decimal(100)
TOP = 10
HA_PER_KM2 = Decimal(100)
# The 三个一批 rate each measure reads, and the batch it is a rate of (SPEC §4).
RATE_BATCH = {Measure.START_RATE: Batch.SIGN, Measure.PRODUCTION_RATE: Batch.START,
              Measure.CAPACITY_RATE: Batch.PRODUCE}
MISSING_NOTE = {"indicator": "未报送", "rate": "无铺排项目", "area": "无面积数据"}
APPROX_AREA_NOTE = "规划面积未知，按核准面积折算（公顷÷100）"


@dataclass(frozen=True)
class ItemColumn:
    """An item of the scheme as the ranking shows it, with the group's lowest and highest value."""

    id: int
    name: str
    category: str
    indicator: str
    measure: str
    weight: Decimal
    unit: str
    minimum: Decimal | None
    maximum: Decimal | None
    reported: int  # zones of the group that have a value


@dataclass(frozen=True)
class ItemScore:
    """One zone's value and score on one item; `missing` zones score 60 (`note` says why)."""

    item_id: int
    name: str
    value: Decimal | None
    unit: str
    score: Decimal
    weight: Decimal
    missing: bool = False
    note: str = ""


@dataclass
class RankingRow:
    """A zone's line of the ranking: composite score, rank, previous month's rank, the change, 前十强."""

    zone_id: int
    code: str
    name: str
    city: str
    city_code: str
    score: Decimal
    rank: int
    previous_rank: int | None
    change: int | None  # places gained (+) or lost (−) since the previous month
    top_ten: bool
    items: list[ItemScore] = field(default_factory=list)

    @property
    def arrow(self) -> str:
        """"↑2", "↓1", "—" (unchanged), "" (no previous rank)."""
        if self.change is None:
            return ""
        return f"↑{self.change}" if self.change > 0 else f"↓{-self.change}" if self.change < 0 else "—"

    @property
    def trend(self) -> str:
        """"up", "down", "same" or "" (no previous rank), for the page's arrow colour."""
        if self.change is None:
            return ""
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"

    @property
    def missing(self) -> list[str]:
        return [i.name for i in self.items if i.missing]


@dataclass
class RankingResult:
    """The ranking of a scheme in a month: the item columns and the rows the user may see, by rank."""

    scheme: AssessmentScheme
    month: date
    previous_month: date | None
    columns: list[ItemColumn]
    rows: list[RankingRow]
    group_size: int
    extremes_shown: bool = True  # the columns carry the group's lowest and highest values (`peers_visible`)

    def row_of(self, code: str) -> RankingRow | None:
        return next((r for r in self.rows if r.code == code), None)

    @property
    def top_ten(self) -> list[RankingRow]:
        return [r for r in self.rows if r.top_ten]


@dataclass
class GroupScores:
    """Scores of every zone of the group in one month (before scoping)."""

    columns: list[ItemColumn]
    items: dict[int, list[ItemScore]]
    composite: dict[int, Decimal]
    ranks: dict[int, int]


# ---- the group ------------------------------------------------------------------------------------------------------

def scheme_group(scheme: AssessmentScheme) -> QuerySet[Zone]:
    """参评范围: the zones of the scheme's level and kinds (empty = all). Deliberately not scoped: a score is
    relative to the whole group."""
    qs = Zone.objects.all()
    if scheme.org_unit_id:
        qs = qs.filter(org_unit__path__startswith=scheme.org_unit.path)
    if scheme.group_level:
        qs = qs.filter(level=scheme.group_level)
    if scheme.group_kinds:
        qs = qs.filter(kind__in=scheme.group_kinds)
    return qs


def previous_month(month: date) -> date | None:
    """The month before, within the same assessment year (January has no previous rank)."""
    return None if month.month == 1 else month.replace(month=month.month - 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def zone_area_km2(zone: Zone) -> tuple[Decimal | None, str]:
    """The area behind 产出强度: the planned area (km²), else the approved area (公顷 ÷ 100), saying so."""
    if zone.planned_area_km2:
        return zone.planned_area_km2, ""
    if zone.approved_area_ha:
        return zone.approved_area_ha / HA_PER_KM2, APPROX_AREA_NOTE
    return None, MISSING_NOTE["area"]


# ---- raw values -----------------------------------------------------------------------------------------------------

def zone_campaign_rates(*, zone_ids: list[int], month: date) -> dict[int, dict[str, Decimal | None]]:
    """{zone id: {batch: rate}}: each zone's 开工率 / 投产率 / 达产率 (SPEC §4, `campaign_stats_by_zone`) over the
    campaigns held from 1 January to the end of `month`, as of that day. One grouped query."""
    as_of = month_end(month)
    campaign_ids = list(campaigns_between(date(month.year, 1, 1), as_of).values_list("id", flat=True))
    stats = campaign_stats_by_zone(zone_ids=zone_ids, campaign_ids=campaign_ids, as_of=as_of)
    return {zone_id: {b: s.rate for b, s in batches.items()} for zone_id, batches in stats.items()}


def _indicator_value(item: AssessmentItem, zone: Zone, cells: dict) -> tuple[Decimal | None, str]:
    ytd, last, reported = cells.get(item.indicator, (None, None, None))
    if ytd is None:
        return None, MISSING_NOTE["indicator"]
    if item.measure == Measure.YTD_GROWTH:
        value = figures.growth(ytd, last, reported)
        return value, "" if value is not None else "无上年同期数"
    if item.measure == Measure.PER_KM2:
        area, note = zone_area_km2(zone)
        return (None, note) if area is None else ((Decimal(ytd) / area).quantize(FINE, ROUND_HALF_UP), note)
    return Decimal(ytd).quantize(CENT, ROUND_HALF_UP), ""


def raw_values(items: list[AssessmentItem], zones: list[Zone],
               month: date) -> dict[int, dict[int, tuple[Decimal | None, str]]]:
    """{item id: {zone id: (value, note)}} for the month: reported (submitted or approved) figures, growth per
    figures.growth, per-km² values, campaign rates. One query for the figures, one for the rates if needed."""
    ids = [z.pk for z in zones]
    cells = month_values(zone_ids=ids, month=month) if any(i.measure not in RATE_BATCH for i in items) else {}
    rates = zone_campaign_rates(zone_ids=ids, month=month) if any(i.measure in RATE_BATCH for i in items) else {}
    out: dict[int, dict[int, tuple[Decimal | None, str]]] = {}
    for item in items:
        if item.measure in RATE_BATCH:
            batch = RATE_BATCH[item.measure].value
            values = {z.pk: rates.get(z.pk, {}).get(batch) for z in zones}
            out[item.pk] = {z: (v, "" if v is not None else MISSING_NOTE["rate"]) for z, v in values.items()}
        else:
            out[item.pk] = {z.pk: _indicator_value(item, z, cells.get(z.pk, {})) for z in zones}
    return out


# ---- scoring --------------------------------------------------------------------------------------------------------

def efficacy_score(value: Decimal | None, lowest: Decimal | None, highest: Decimal | None) -> Decimal:
    """功效系数法: 60 + 40 × (x − min) ÷ (max − min); all equal → 100; no value → 60. Two decimals."""
    if value is None or lowest is None or highest is None:
        return FLOOR.quantize(CENT)
    if highest == lowest:
        return FULL.quantize(CENT)
    return (FLOOR + SPAN * (value - lowest) / (highest - lowest)).quantize(CENT, ROUND_HALF_UP)


def composite_score(scores: list[ItemScore]) -> Decimal:
    """Σ weight × score ÷ Σ weight over the (rounded) item scores, two decimals; 0 for a scheme without items."""
    total = sum((s.weight for s in scores), Decimal(0))
    if not total:
        return Decimal("0.00")
    return (sum((s.weight * s.score for s in scores), Decimal(0)) / total).quantize(CENT, ROUND_HALF_UP)


def competition_ranks(scores: dict[int, Decimal]) -> dict[int, int]:
    """Rank descending; equal scores share a rank and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(scores.items(), key=lambda kv: -kv[1])
    ranks: dict[int, int] = {}
    for position, (key, score) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        ranks[key] = ranks[previous[0]] if previous and previous[1] == score else position
    return ranks


def _unit(item: AssessmentItem, units: dict[str, str]) -> str:
    if item.measure in RATE_BATCH or item.measure == Measure.YTD_GROWTH:
        return "%"
    unit = units.get(item.indicator, "")
    return f"{unit}/平方公里" if item.measure == Measure.PER_KM2 else unit


def group_scores(items: list[AssessmentItem], zones: list[Zone], month: date, units: dict[str, str]) -> GroupScores:
    """Every group zone's item scores, composite and rank for the month."""
    values = raw_values(items, zones, month)
    columns, per_zone = [], {z.pk: [] for z in zones}
    for item in items:
        present = [v for v, _ in values[item.pk].values() if v is not None]
        lowest, highest = (min(present), max(present)) if present else (None, None)
        unit = _unit(item, units)
        columns.append(ItemColumn(item.pk, item.name, item.category, item.indicator, item.measure, item.weight,
                                  unit, lowest, highest, len(present)))
        for zone_id, (value, note) in values[item.pk].items():
            per_zone[zone_id].append(ItemScore(item.pk, item.name, value, unit,
                                               efficacy_score(value, lowest, highest), item.weight,
                                               missing=value is None, note=note))
    composite = {z: composite_score(s) for z, s in per_zone.items()}
    return GroupScores(columns, per_zone, composite, competition_ranks(composite))


# ---- the ranking ----------------------------------------------------------------------------------------------------

def ranking(*, scheme: AssessmentScheme, month: date, user, city: str | None = None) -> RankingResult:
    """考核排名 of `scheme` in `month`: scored over the scheme's whole group, returned for the zones in the user's
    scope (narrowed to `city`, a code or name), by rank. At most eight queries whatever the number of zones."""
    month = month_start(month)
    items = list(scheme.items.order_by("id"))
    zones = list(scheme_group(scheme).select_related("city").order_by("code"))
    units = {d.code: d.unit for d in definitions_for(month)}
    current = group_scores(items, zones, month, units)
    before = previous_month(month)
    previous = group_scores(items, zones, before, units).ranks if before else {}
    scope = set(scoped_zones(user=user).values_list("pk", flat=True))
    visible = set(scoped_zones(user=user, city=city).values_list("pk", flat=True)) if city else scope
    rows = [_row(z, current, previous) for z in zones if z.pk in visible]
    rows.sort(key=lambda r: (r.rank, r.code))
    extremes = peers_visible(sum(1 for z in zones if z.pk in scope))
    columns = current.columns if extremes else [replace(c, minimum=None, maximum=None) for c in current.columns]
    return RankingResult(scheme, month, before, columns, rows, len(zones), extremes_shown=extremes)


def peers_visible(zones_in_scope: int) -> bool:
    """May a user whose scope holds `zones_in_scope` zones of the group see the group's lowest and highest value
    of each item? Only from two zones up: to a single zone's staff an extreme is a peer's figure (module doc)."""
    return zones_in_scope >= 2


def _row(zone: Zone, current: GroupScores, previous: dict[int, int]) -> RankingRow:
    rank, before = current.ranks[zone.pk], previous.get(zone.pk)
    return RankingRow(
        zone_id=zone.pk, code=zone.code, name=zone.short_name or zone.name,
        city=zone.city.name if zone.city else "", city_code=zone.city.code if zone.city else "",
        score=current.composite[zone.pk], rank=rank, previous_rank=before,
        change=None if before is None else before - rank, top_ten=rank <= TOP, items=current.items[zone.pk])
