"""Reads of the projects app: the project list and its totals, campaign statistics (SPEC §4's rates),
campaign composition and the 三未 lists. Every figure starts from `Project.objects.visible_to(user)`, and each
selector runs a fixed number of queries whatever the number of projects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from kaifaqu.core.counting import ListCount, bounded_count, tally_count
from kaifaqu.core.iterables import chunks
from kaifaqu.core.money import cents, rate
from kaifaqu.zones.models import IndustryChain
from kaifaqu.zones.selectors import tallied_zones

from . import listed
from .choices import Batch, ProjectType, Stage
from .models import Campaign, CampaignEntry, Project, ProjectTally

ZERO = Decimal(0)
YI = Decimal(10000)  # 1 亿元 in 万元


# ---- as-of conditions (SPEC §4) -------------------------------------------------------------------------------

def alive_on(d: date) -> Q:
    """Not terminated by D (a project terminated after D was still alive on D)."""
    return Q(terminated_on__isnull=True) | Q(terminated_on__gt=d)


def started_by(d: date) -> Q:
    """Construction started by D (a later stage reached by D implies it, even without a known start date)."""
    return Q(started_on__lte=d) | Q(producing_on__lte=d) | Q(at_capacity_on__lte=d)


def producing_by(d: date) -> Q:
    return Q(producing_on__lte=d) | Q(at_capacity_on__lte=d)


def at_capacity_by(d: date) -> Q:
    return Q(type=ProjectType.INDUSTRIAL, at_capacity_on__lte=d)


# ---- scope and filters ----------------------------------------------------------------------------------------

def scoped_projects(*, user, city: str | None = None, zone: str | None = None) -> QuerySet[Project]:
    """The projects `user` may see, narrowed to a city (code or name) or a zone (code)."""
    qs = Project.objects.visible_to(user)
    if city:
        qs = qs.filter(Q(zone__city__code=city) | Q(zone__city__name=city) | Q(zone__city__name=f"{city}市"))
    if zone:
        qs = qs.filter(zone__code=zone)
    return qs


INVESTMENT_BANDS = {"1": 1 * YI, "5": 5 * YI, "10": 10 * YI}


@dataclass
class ProjectFilters:
    """The project list's filters (all optional)."""

    q: str = ""
    city: str = ""
    zone: str = ""
    stage: str = ""
    type: str = ""
    chain: int | None = None
    strategic_emerging: bool | None = None
    band: str = ""  # "1" / "5" / "10": total investment ≥ that many 亿元
    campaign: list[int] = field(default_factory=list)
    batch: str = ""
    followed: str = ""  # "yes"/"no": reached the batch's follow-up stage by `as_of`
    overdue: bool = False
    as_of: date | None = None


def project_list(*, user, filters: ProjectFilters, today: date) -> QuerySet[Project]:
    """The scoped, filtered project list (项目台账)."""
    qs = scoped_projects(user=user, city=filters.city or None, zone=filters.zone or None)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__iexact=filters.q) | Q(builder__icontains=filters.q))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.chain:
        qs = qs.filter(chain_id=filters.chain)
    if filters.strategic_emerging is not None:
        qs = qs.filter(strategic_emerging=filters.strategic_emerging)
    if filters.band in INVESTMENT_BANDS:
        qs = qs.filter(total_investment__gte=INVESTMENT_BANDS[filters.band])
    if filters.campaign or filters.batch:
        entries = CampaignEntry.objects.all()
        if filters.campaign:
            entries = entries.filter(campaign_id__in=filters.campaign)
        if filters.batch:
            entries = entries.filter(batch=filters.batch)
        qs = qs.filter(pk__in=entries.values("project_id"))
        if filters.batch and filters.followed in ("yes", "no"):
            cond = followed_condition(filters.batch, filters.as_of or today)
            qs = qs.filter(cond) if filters.followed == "yes" else qs.exclude(cond)
    if filters.overdue:
        qs = qs.filter(overdue_condition(today))
    # Ordered along the (zone, code) index, so a page is an index walk, not a sort of the whole list.
    return qs.select_related("zone", "zone__city", "chain", "park").order_by("zone_id", "code")


def overdue_condition(d: date) -> Q:
    """Behind its plan on D: not started past its planned start, or not producing past its planned production."""
    late_start = Q(planned_start_on__lt=d) & ~started_by(d)
    late_production = Q(planned_production_on__lt=d) & ~producing_by(d)
    return alive_on(d) & (late_start | late_production) & ~Q(stage__in=[Stage.RESERVE, Stage.NEGOTIATING])


PROJECT_SUMS = ("total_investment", "completed_investment", "annual_planned_investment")


def project_count(*, user, filters: ProjectFilters, projects: QuerySet[Project]) -> ListCount:
    """How many projects the list `projects` (`project_list` of these filters) holds, and their investment (项目台账
    合计): read from the kept tally when only the scope, a city, a zone or a stage narrow it (exact, without reading
    the projects); otherwise counted, exact up to the limit and estimated above it (core/counting.py)."""
    scope = ProjectFilters(city=filters.city, zone=filters.zone)
    if replace(filters, stage="", followed="", as_of=None) == scope:
        return tally_count(project_tally_rows(user=user, filters=filters), ProjectTally)

    return bounded_count(
        projects, sums=PROJECT_SUMS,
        scope_count=lambda: tally_count(project_tally_rows(user=user, filters=scope), ProjectTally).count,
        scope_rows=lambda: scoped_projects(user=user, city=scope.city, zone=scope.zone))


def project_tally_rows(*, user, filters: ProjectFilters) -> QuerySet[ProjectTally]:
    """The tally rows of the projects `user` may see, narrowed by the filters' city, zone and stage."""
    zones = tallied_zones(user=user, city=filters.city, zone=filters.zone)
    rows = ProjectTally.objects.all() if zones is None else ProjectTally.objects.filter(zone_id__in=zones.values("pk"))
    return rows.filter(stage=filters.stage) if filters.stage else rows


# ---- campaign statistics -------------------------------------------------------------------------------------

def followed_condition(batch: str, d: date) -> Q:
    """What "followed up" means for a batch as of D: sign → started, start → producing, produce → at capacity."""
    reached = {Batch.SIGN: started_by(d), Batch.START: producing_by(d), Batch.PRODUCE: at_capacity_by(d)}[batch]
    return reached & alive_on(d)


@dataclass
class BatchStats:
    """One batch's figures (amounts in 万元; rates in % with two decimals, None when the base is empty)."""

    count: int
    investment: Decimal
    followed_count: int
    followed_investment: Decimal
    rate: Decimal | None
    count_rate: Decimal | None
    industrial_count: int | None = None
    industrial_investment: Decimal | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None or k in ("rate", "count_rate")}


def campaign_stats(*, user, campaign_ids: list[int], as_of: date, city: str | None = None,
                   zone: str | None = None) -> dict[str, BatchStats]:
    """SPEC §4: per batch the listed count and Σ total investment, the followed-up count and investment, the
    investment-weighted rate (开工率 / 投产率 / 达产率) and the count-based rate. One query (`listed.listed_cells`)."""
    cells = listed.listed_cells(scoped_projects(user=user, city=city, zone=zone), campaign_ids, _stats_keys(as_of),
                                sums=STATS_SUMS)
    return _batch_stats(cells)


def campaign_stats_by_zone(*, zone_ids: list[int], campaign_ids: list[int], as_of: date,
                           ) -> dict[int, dict[str, BatchStats]]:
    """`campaign_stats` for each of the zones (the rankings' 开工率 / 投产率 / 达产率), in one grouped query;
    a zone with nothing listed is absent."""
    cells = listed.listed_cells(Project.objects.filter(zone_id__in=zone_ids), campaign_ids, _stats_keys(as_of),
                                sums=STATS_SUMS, group_by="zone_id")
    by_zone: dict[int, list[listed.Cell]] = {}
    for cell in cells:
        by_zone.setdefault(cell.group, []).append(cell)
    return {zone_id: _batch_stats(zone_cells) for zone_id, zone_cells in by_zone.items()}


STATS_SUMS = ["total_investment", "completed_investment"]


def _stats_keys(as_of: date) -> dict[str, Q]:
    keys = {f"followed_{b.value}": followed_condition(b, as_of) for b in Batch}
    keys["industrial"] = Q(type=ProjectType.INDUSTRIAL)
    return keys


def _batch_stats(cells: list[listed.Cell]) -> dict[str, BatchStats]:
    """Each batch's figures from the cells of `_stats_keys`."""
    out = {}
    for batch in Batch:
        b, followed = batch.value, f"followed_{batch.value}"
        count, investment = listed.tally(cells, b), listed.tally(cells, b, of="total_investment")
        # 投产率 weighs the completed investment of those producing; the others their total investment.
        weight = "completed_investment" if batch == Batch.START else "total_investment"
        followed_count, followed_inv = listed.tally(cells, b, followed), listed.tally(cells, b, followed, of=weight)
        if batch == Batch.PRODUCE:  # 达产率's base: the batch's industrial projects
            base_count = listed.tally(cells, b, "industrial")
            base_inv = listed.tally(cells, b, "industrial", of="total_investment")
            extra = {"industrial_count": base_count, "industrial_investment": cents(base_inv)}
        else:
            base_count, base_inv, extra = count, investment, {}
        out[b] = BatchStats(
            count=count, investment=cents(investment), followed_count=followed_count,
            followed_investment=cents(followed_inv), rate=rate(followed_inv, base_inv),
            count_rate=rate(followed_count, base_count), **extra)
    return out


@dataclass
class Composition:
    """How a campaign's listing is made up, as the briefings write it (seed 003)."""

    count: int
    investment: Decimal
    expected_output: Decimal
    over_10yi_count: int
    over_10yi_investment: Decimal
    over_10yi_investment_share: Decimal | None
    over_1yi_count: int
    over_1yi_count_share: Decimal | None
    key_chain_count: int
    key_chain_investment: Decimal
    key_chain_investment_share: Decimal | None
    industrial_count: int
    strategic_industrial_count: int
    strategic_industrial_share: Decimal | None


def campaign_composition(*, user, campaign_ids: list[int], city: str | None = None,
                         zone: str | None = None) -> Composition:
    """Counts and shares of the projects listed in the campaigns: ≥10亿元 (investment share), ≥1亿元 (count
    share), on key chains (investment share), strategic-emerging share of industrial projects. One query; the
    per-batch counts and sums are `campaign_stats`'s."""
    industrial = Q(type=ProjectType.INDUSTRIAL)
    cells = listed.listed_cells(scoped_projects(user=user, city=city, zone=zone), campaign_ids, {
        "over_10": Q(total_investment__gte=10 * YI), "over_1": Q(total_investment__gte=YI),
        "key": Q(chain_id__in=list(key_chain_ids())), "industrial": industrial,
        "strategic": industrial & Q(strategic_emerging=True),
    }, sums=["total_investment", "expected_annual_output"], batches=False)

    def n(*keys):
        return listed.tally(cells, *keys)

    def inv(*keys):
        return listed.tally(cells, *keys, of="total_investment")

    return Composition(
        count=n(), investment=cents(inv()), expected_output=cents(listed.tally(cells, of="expected_annual_output")),
        over_10yi_count=n("over_10"), over_10yi_investment=cents(inv("over_10")),
        over_10yi_investment_share=rate(inv("over_10"), inv()),
        over_1yi_count=n("over_1"), over_1yi_count_share=rate(n("over_1"), n()),
        key_chain_count=n("key"), key_chain_investment=cents(inv("key")),
        key_chain_investment_share=rate(inv("key"), inv()),
        industrial_count=n("industrial"), strategic_industrial_count=n("strategic"),
        strategic_industrial_share=rate(n("strategic"), n("industrial")),
    )


def key_chain_ids() -> QuerySet:
    """The eight provincial key chains (a short list, read first so the sums need no join)."""
    return IndustryChain.objects.filter(key_chain=True).values_list("id", flat=True)


# ---- 三未 --------------------------------------------------------------------------------------------------------

THREE_UN = {
    "signed_not_started": ("签而未落", "signed_on", "planned_start_on"),
    "started_not_producing": ("落而未投", "started_on", "planned_production_on"),
    "producing_not_at_capacity": ("投而未效", "producing_on", "planned_capacity_on"),
}


def campaign_entry_counts(*, user) -> dict[int, int]:
    """铺排项目数: each campaign's entries within the user's scope, {campaign id: count}, in one grouped query over
    `visible_to` (a campaign is the province's or a city's, but a zone counts only its own projects in it)."""
    rows = CampaignEntry.objects.visible_to(user).values("campaign_id").annotate(n=Count("id")).order_by()
    return {r["campaign_id"]: r["n"] for r in rows}


def scope_word(user) -> str:
    """The user's scope as a column heading says it: 全省, 本市, or the unit's own name below a city."""
    from kaifaqu.accounts.choices import OrgKind

    unit = user.org_unit
    if unit is None:  # a superuser without a unit sees the province
        return "全省"
    return {OrgKind.NATION: "全国", OrgKind.PROVINCE: "全省", OrgKind.CITY: "本市"}.get(unit.kind, unit.name)


def campaigns_between(since: date, as_of: date) -> QuerySet[Campaign]:
    return Campaign.objects.filter(date__gte=since, date__lte=as_of)


def three_un(*, user, since: date, as_of: date, city: str | None = None, zone: str | None = None,
             limit: int | None = None, offset: int = 0) -> dict[str, dict]:
    """SPEC §4's 三未 lists, as of D, over projects listed in campaigns held from `since` to D: for each list its
    `count` and its `items` (all, or `limit` from `offset`). Each row: the project, its zone and city, the batch
    it was last listed in, days in its stage, the planned next date, overdue. Three queries: the lists' sizes
    and windows, the windows' rows, their batches."""
    campaign_ids = list(campaigns_between(since, as_of).values_list("id", flat=True))
    base = scoped_projects(user=user, city=city, zone=zone)
    conditions = three_un_conditions(as_of)
    lists = listed.listed_window(base, campaign_ids, conditions, limit, offset)
    wanted = [pk for _count, ids in lists.values() for pk in ids]
    rows = {}
    for chunk in chunks(wanted, 5000):
        rows.update((r["id"], r) for r in Project.objects.filter(pk__in=chunk).values(*THREE_UN_VALUES))
    batches = _latest_batches(wanted, campaign_ids) if wanted else {}
    out = {}
    for key in conditions:
        _, since_field, next_field = THREE_UN[key]
        count, ids = lists[key]
        window = sorted((rows[pk] for pk in ids), key=lambda r: (r["zone_id"], r["code"]))
        out[key] = {"count": count, "items": [
            _three_un_row(r, since_field, next_field, as_of, batches.get(r["id"])) for r in window]}
    return out


THREE_UN_VALUES = ["id", "code", "name", "total_investment", "completed_investment", "stage", "zone_id", "zone__code",
                   "zone__name", "zone__city__name", "signed_on", "started_on", "producing_on", "planned_start_on",
                   "planned_production_on", "planned_capacity_on"]


def three_un_conditions(as_of: date) -> dict[str, tuple[Q, str | None]]:
    """The three lists among projects listed in the campaigns and alive on D, each as (condition, the batch a
    project must have been listed in, or None). A project listed in a start batch has started and one in a
    produce batch is producing, so "listed in a start batch or started after signing" is "started by D", and
    likewise for production. The three are disjoint: a project is in one list at most."""
    alive = alive_on(as_of)
    return {
        "signed_not_started": (alive & ~started_by(as_of), Batch.SIGN),
        "started_not_producing": (alive & started_by(as_of) & ~producing_by(as_of), None),
        "producing_not_at_capacity": (alive & Q(type=ProjectType.INDUSTRIAL) & producing_by(as_of)
                                      & ~at_capacity_by(as_of), None),
    }


def _latest_batches(project_ids: list[int], campaign_ids: list[int]) -> dict[int, str]:
    """{project id: the batch of its most recent listing among the campaigns}, in one query."""
    out: dict[int, str] = {}
    for chunk in chunks(project_ids, 5000):
        out.update(CampaignEntry.objects.filter(project_id__in=chunk, campaign_id__in=campaign_ids)
                   .order_by("project_id", "campaign__date").values_list("project_id", "batch"))
    return out  # later rows (more recent campaigns) win


def _three_un_row(r: dict, since_field: str, next_field: str, as_of: date, batch: str | None) -> dict:
    since, planned = r[since_field], r[next_field]
    return {
        "id": r["id"], "code": r["code"], "name": r["name"], "zone": r["zone__code"], "zone_name": r["zone__name"],
        "city": r["zone__city__name"], "stage": r["stage"], "batch": batch,
        "total_investment": r["total_investment"], "completed_investment": r["completed_investment"],
        "stage_since": since, "days_in_stage": (as_of - since).days if since else None,
        "planned_next_on": planned, "overdue": bool(planned and planned < as_of),
        "overdue_days": (as_of - planned).days if planned and planned < as_of else 0,
    }
