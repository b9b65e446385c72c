"""Reads of the projects app: the project list and its totals, campaign statistics (SPEC §4's rates),
campaign composition and the 三未 lists. Every figure starts from `Project.objects.visible_to(user)`, and each
selector runs a fixed number of queries whatever the number of projects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from kaifaqu.core.money import cents, rate

from .choices import Batch, ProjectType, Stage
from .models import Campaign, CampaignEntry, Project

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


def project_totals(qs: QuerySet[Project]) -> dict:
    """Count and sums (万元) of a project list, in one query."""
    totals = qs.aggregate(
        count=Count("id"),
        total_investment=Coalesce(Sum("total_investment"), ZERO),
        completed_investment=Coalesce(Sum("completed_investment"), ZERO),
        annual_planned_investment=Coalesce(Sum("annual_planned_investment"), ZERO),
    )
    return {k: v if k == "count" else cents(v) for k, v in totals.items()}


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
    investment-weighted rate (开工率 / 投产率 / 达产率) and the count-based rate. Three queries."""
    base = scoped_projects(user=user, city=city, zone=zone)
    out = {}
    for batch in Batch:
        projects = base.in_campaigns(campaign_ids, batch)
        cond = followed_condition(batch, as_of)
        # 投产率 weighs the completed investment of those producing; the others their total investment.
        weight = "completed_investment" if batch == Batch.START else "total_investment"
        agg = projects.aggregate(
            count=Count("id"),
            investment=Coalesce(Sum("total_investment"), ZERO),
            followed_count=Count("id", filter=cond),
            followed_investment=Coalesce(Sum(weight, filter=cond), ZERO),
            industrial_count=Count("id", filter=Q(type=ProjectType.INDUSTRIAL)),
            industrial_investment=Coalesce(Sum("total_investment", filter=Q(type=ProjectType.INDUSTRIAL)), ZERO),
        )
        if batch == Batch.PRODUCE:
            base_inv, base_count = agg["industrial_investment"], agg["industrial_count"]
            extra = {"industrial_count": base_count, "industrial_investment": cents(base_inv)}
        else:
            base_inv, base_count, extra = agg["investment"], agg["count"], {}
        out[batch.value] = BatchStats(
            count=agg["count"], investment=cents(agg["investment"]), followed_count=agg["followed_count"],
            followed_investment=cents(agg["followed_investment"]), rate=rate(agg["followed_investment"], base_inv),
            count_rate=rate(agg["followed_count"], base_count), **extra)
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
    projects = scoped_projects(user=user, city=city, zone=zone).in_campaigns(campaign_ids)
    industrial = Q(type=ProjectType.INDUSTRIAL)
    agg = projects.aggregate(
        count=Count("id"), investment=Coalesce(Sum("total_investment"), ZERO),
        expected_output=Coalesce(Sum("expected_annual_output"), ZERO),
        over_10=Count("id", filter=Q(total_investment__gte=10 * YI)),
        over_10_inv=Coalesce(Sum("total_investment", filter=Q(total_investment__gte=10 * YI)), ZERO),
        over_1=Count("id", filter=Q(total_investment__gte=YI)),
        key=Count("id", filter=Q(chain__key_chain=True)),
        key_inv=Coalesce(Sum("total_investment", filter=Q(chain__key_chain=True)), ZERO),
        industrial=Count("id", filter=industrial),
        strategic=Count("id", filter=industrial & Q(strategic_emerging=True)),
    )
    return Composition(
        count=agg["count"], investment=cents(agg["investment"]), expected_output=cents(agg["expected_output"]),
        over_10yi_count=agg["over_10"], over_10yi_investment=cents(agg["over_10_inv"]),
        over_10yi_investment_share=rate(agg["over_10_inv"], agg["investment"]),
        over_1yi_count=agg["over_1"], over_1yi_count_share=rate(agg["over_1"], agg["count"]),
        key_chain_count=agg["key"], key_chain_investment=cents(agg["key_inv"]),
        key_chain_investment_share=rate(agg["key_inv"], agg["investment"]),
        industrial_count=agg["industrial"], strategic_industrial_count=agg["strategic"],
        strategic_industrial_share=rate(agg["strategic"], agg["industrial"]),
    )


# ---- 三未 --------------------------------------------------------------------------------------------------------

THREE_UN = {
    "signed_not_started": ("签而未落", "signed_on", "planned_start_on"),
    "started_not_producing": ("落而未投", "started_on", "planned_production_on"),
    "producing_not_at_capacity": ("投而未效", "producing_on", "planned_capacity_on"),
}


def campaigns_between(since: date, as_of: date) -> QuerySet[Campaign]:
    return Campaign.objects.filter(date__gte=since, date__lte=as_of)


def three_un(*, user, since: date, as_of: date, city: str | None = None, zone: str | None = None,
             limit: int | None = None, offset: int = 0) -> dict[str, dict]:
    """SPEC §4's 三未 lists, as of D, over projects listed in campaigns held from `since` to D: for each list its
    `count` and its `items` (all, or `limit` from `offset`). Each row: the project, its zone and city, the batch
    it was last listed in, days in its stage, the planned next date, overdue. One query counts the three lists,
    one per list reads its window, one labels the window's batches."""
    campaign_ids = list(campaigns_between(since, as_of).values_list("id", flat=True))
    listed = (scoped_projects(user=user, city=city, zone=zone).in_campaigns(campaign_ids)
              .filter(alive_on(as_of)))
    conditions = three_un_conditions(campaign_ids, as_of)
    counts = listed.aggregate(**{key: Count("id", filter=cond) for key, cond in conditions.items()})
    out = {}
    for key, cond in conditions.items():
        _, since_field, next_field = THREE_UN[key]
        rows = listed.filter(cond).values(
            "id", "code", "name", "total_investment", "completed_investment", "stage",
            "zone__code", "zone__name", "zone__city__name", since_field, next_field,
        ).order_by("zone_id", "code")
        window = list(rows[offset : offset + limit] if limit is not None else rows)
        batches = _latest_batches([r["id"] for r in window], campaign_ids)
        out[key] = {"count": counts[key], "items": [
            _three_un_row(r, since_field, next_field, as_of, batches.get(r["id"])) for r in window]}
    return out


def three_un_conditions(campaign_ids: list[int], as_of: date) -> dict[str, Q]:
    """The three lists among projects listed (and alive) in the campaigns. A project listed in a start batch
    has started and one in a produce batch is producing, so "listed in a start batch or started after signing"
    is "started by D", and likewise for production."""
    signed = Q(pk__in=CampaignEntry.objects.filter(campaign_id__in=campaign_ids, batch=Batch.SIGN)
               .values("project_id"))
    return {
        "signed_not_started": signed & ~started_by(as_of),
        "started_not_producing": started_by(as_of) & ~producing_by(as_of),
        "producing_not_at_capacity": Q(type=ProjectType.INDUSTRIAL) & producing_by(as_of) & ~at_capacity_by(as_of),
    }


def _latest_batches(project_ids: list[int], campaign_ids: list[int]) -> dict[int, str]:
    """{project id: the batch of its most recent listing among the campaigns}, in one query."""
    rows = (CampaignEntry.objects.filter(project_id__in=project_ids, campaign_id__in=campaign_ids)
            .order_by("project_id", "campaign__date").values_list("project_id", "batch"))
    return dict(rows)  # later rows (more recent campaigns) win


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
