"""Reads of the investment app: the lead list and board, possible duplicates, the event list with its leads, and
the promotion funnel as the briefings write it (SPEC §7). Every read starts from `visible_to(user)` and runs a
fixed number of queries whatever the number of leads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from kaifaqu.accounts.choices import OrgKind
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.counting import ListCount, bounded_count, scope_share, tally_count
from kaifaqu.core.money import cents, rate
from kaifaqu.zones.models import Region, Zone

from .choices import LEAD_STAGE_DATE, LEAD_STAGE_ORDER, LeadStage
from .models import ALL, CityPromotionTotal, Lead, LeadTally, PromotionEvent, city_of_unit, subtree_of
from .names import company_key, intent_key

ZERO = Decimal(0)
YI = Decimal(10000)  # 1 亿元 in 万元
BIG = 10 * YI  # "10亿元以上项目"
BANDS = {"1": YI, "5": 5 * YI, "10": BIG}
OPEN_STAGES = [LeadStage.LEAD, LeadStage.CONTACTED, LeadStage.VISITED, LeadStage.NEGOTIATING]


# ---- scope ---------------------------------------------------------------------------------------------------

def resolve_city(text: str) -> Region | None:
    """A city by its code (140700) or name (晋中 / 晋中市)."""
    text = (text or "").strip()
    if not text:
        return None
    return (Region.objects.filter(level="city").filter(Q(code=text) | Q(name=text) | Q(name=f"{text}市"))
            .order_by("code").first())


def home_city(user) -> Region | None:
    """The city a user below the province works in (the base of their shares); None for province staff."""
    unit = subtree_of(user)
    if unit is None or unit is ALL or unit.kind in (OrgKind.NATION, OrgKind.PROVINCE):
        return None
    return city_of_unit(unit)


def scoped_leads(*, user, city: Region | None = None, zone: str = "", share: float | None = None) -> QuerySet[Lead]:
    """The leads `user` may see, narrowed to a city and a zone (code); `share` (of the table), SQLite's planner
    hint (core/scope.py)."""
    qs = Lead.objects.visible_to(user, share=share)
    if city is not None:
        qs = qs.filter(city=city)
    if zone:
        qs = qs.filter(zone__code=zone)
    return qs


# ---- lead list and board -------------------------------------------------------------------------------------

@dataclass
class LeadFilters:
    """The lead list's filters (all optional). `date_from`/`date_to` apply to the date the filtered stage was
    reached (without a stage: the date the lead was received)."""

    q: str = ""
    city: str = ""
    zone: str = ""
    chain: int | None = None
    owner: int | None = None
    stage: str = ""
    date_from: date | None = None
    date_to: date | None = None
    band: str = ""  # "1" / "5" / "10": intended investment ≥ that many 亿元
    event: int | None = None
    method: str = ""
    overdue: bool = False


def lead_list(*, user, filters: LeadFilters, today: date, paged: bool = False) -> QuerySet[Lead]:
    """The scoped, filtered lead list (招商线索台账). `paged`: read a page at a time — on SQLite the scope's share
    of the table (one query over the tally) tells the planner whether to walk the list's order."""
    city = resolve_city(filters.city) if filters.city else None
    if filters.city and city is None:
        return Lead.objects.none()
    share = scope_share(LeadTally, lead_tally_rows(user=user, zone=filters.zone)) if paged else None
    qs = scoped_leads(user=user, city=city, zone=filters.zone, share=share)
    if filters.q:
        match = Q(company__icontains=filters.q) | Q(project_name__icontains=filters.q)
        key = company_key(filters.q)
        qs = qs.filter(match | Q(company_key__contains=key) if key else match)
    exact = {"chain_id": filters.chain, "owner_id": filters.owner, "stage": filters.stage,
             "source_event_id": filters.event, "method": filters.method}
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    date_field = LEAD_STAGE_DATE[LeadStage(filters.stage)] if filters.stage in LeadStage.values else "received_on"
    if filters.date_from:
        qs = qs.filter(**{f"{date_field}__gte": filters.date_from})
    if filters.date_to:
        qs = qs.filter(**{f"{date_field}__lte": filters.date_to})
    if filters.band in BANDS:
        qs = qs.filter(investment__gte=BANDS[filters.band])
    if filters.overdue:
        qs = qs.filter(overdue_condition(today))
    return qs.select_related("zone__org_unit", "city", "chain", "source_event", "owner_unit", "owner",
                             "converted_project", "enterprise")


def overdue_condition(today: date) -> Q:
    """Still open, and its next action date has passed."""
    return Q(stage__in=OPEN_STAGES, next_action_on__lt=today)


def lead_count(*, user, filters: LeadFilters, leads: QuerySet[Lead]) -> ListCount:
    """How many leads the list `leads` (`lead_list` of these filters) holds and their intended investment: read
    from the kept tally when only the scope, a zone or a stage narrow it (exact, without reading the leads);
    otherwise counted, exact up to the limit and estimated above it (core/counting.py)."""
    if replace(filters, zone="", stage="") == LeadFilters():
        return tally_count(lead_tally_rows(user=user, zone=filters.zone, stage=filters.stage), LeadTally)

    return bounded_count(leads, sums=("investment",),
                         scope_count=lambda: tally_count(lead_tally_rows(user=user), LeadTally).count,
                         scope_rows=lambda: Lead.objects.visible_to(user))


def lead_tally_rows(*, user, zone: str = "", stage: str = "") -> QuerySet[LeadTally]:
    """The tally rows of the leads `user` may see (as `Lead.objects.visible_to`: those of the user's zones, and
    those without a zone whose owner team is in the user's subtree), narrowed to a zone (code) and a stage."""
    unit = subtree_of(user)
    rows = LeadTally.objects.all()
    if unit is None:
        rows = rows.none()
    elif zone:
        rows = rows.filter(zone_id__in=Zone.objects.visible_to(user).filter(code=zone).values("pk"))
    elif unit is not ALL:
        teams = OrgUnit.objects.filter(path__startswith=unit.path).values("pk")
        rows = rows.filter(Q(zone_id__in=Zone.objects.visible_to(user).values("pk"))
                           | Q(zone_id=0, owner_unit_id__in=teams))
    return rows.filter(stage=stage) if stage else rows


@dataclass
class BoardColumn:
    """One column of the lead board: a stage, how many leads it holds and their investment, the first cards."""

    stage: LeadStage
    count: int = 0
    investment: Decimal = ZERO
    leads: list[Lead] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.leads)


def lead_board(*, user, filters: LeadFilters, today: date, per_column: int = 20) -> list[BoardColumn]:
    """The lead board (看板): a column per stage with its count and investment, and its first cards, most urgent
    first (next action date, then newest) — two queries whatever the number of leads."""
    base = lead_list(user=user, filters=LeadFilters(**{**filters.__dict__, "stage": ""}), today=today)
    columns = {s: BoardColumn(stage=s) for s in [*LEAD_STAGE_ORDER, LeadStage.LOST]}
    for row in base.order_by().values("stage").annotate(n=Count("pk"), s=Sum("investment")):
        column = columns[LeadStage(row["stage"])]
        column.count, column.investment = row["n"], cents(row["s"])
    urgent = [F("next_action_on").asc(nulls_last=True), F("received_on").desc(), F("id").desc()]
    ranked = base.annotate(rank=Window(RowNumber(), partition_by=[F("stage")], order_by=urgent))
    for lead in ranked.filter(rank__lte=per_column).order_by(*urgent):
        columns[LeadStage(lead.stage)].leads.append(lead)
    return list(columns.values())


def lead_duplicates(*, user, company: str, zone=None, project_name: str = "", exclude: int | None = None
                    ) -> list[Lead]:
    """Visible leads of the same company (查重: spaces, punctuation, full/half width and the company-form suffix
    ignored). Each carries `exact`: the same target zone and the same intent, which `lead_create` refuses unless
    confirmed."""
    key = company_key(company)
    if not key:
        return []
    qs = Lead.objects.visible_to(user).filter(company_key=key).select_related("zone").order_by("-received_on")
    if exclude:
        qs = qs.exclude(pk=exclude)
    intent = intent_key(project_name)
    leads = list(qs[:20])
    for lead in leads:
        lead.exact = lead.zone_id == (zone.pk if zone else None) and intent_key(lead.project_name) == intent
    return leads


# ---- events --------------------------------------------------------------------------------------------------

@dataclass
class EventFilters:
    """The event list's filters (all optional)."""

    q: str = ""
    city: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def event_list(*, user, filters: EventFilters) -> QuerySet[PromotionEvent]:
    """The scoped, filtered promotion events (招商活动), newest first."""
    qs = PromotionEvent.objects.visible_to(user).select_related("city", "organiser")
    if filters.city:
        city = resolve_city(filters.city)
        qs = qs.filter(city=city) if city else qs.none()
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(venue__icontains=filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return qs.order_by("-date", "name")


def event_lead_figures(*, user, event_ids: list[int]) -> dict[int, dict]:
    """Per event: the visible leads it brought (count), how many signed, and their investment (万元)."""
    signed = Q(stage=LeadStage.SIGNED)
    rows = (Lead.objects.visible_to(user).filter(source_event_id__in=event_ids).order_by().values("source_event_id")
            .annotate(leads=Count("pk"), signed=Count("pk", filter=signed),
                      investment=Sum("investment", filter=signed)))
    return {r["source_event_id"]: {"leads": r["leads"], "signed": r["signed"], "investment": cents(r["investment"])}
            for r in rows}


# ---- the funnel ----------------------------------------------------------------------------------------------

@dataclass
class Funnel:
    """招商引资漏斗: the briefing's figures for a period — events held; leads in negotiation, their investment and
    how many reach 10亿元; leads signed, their investment and their shares of the city's totals. `links` holds,
    per figure, the list that shows its rows; `stages` the furthest stage reached by the period's new leads."""

    date_from: date
    date_to: date
    city: Region | None
    events: int
    negotiating: int
    negotiating_investment: Decimal
    negotiating_big: int
    signed: int
    signed_investment: Decimal
    city_total: CityPromotionTotal | None
    signed_share: Decimal | None
    signed_investment_share: Decimal | None
    stages: list[tuple[str, int]]
    lost: int
    links: dict[str, str]


def reached(stage: LeadStage) -> Q:
    """Leads that got at least as far as `stage` (a lost lead, as far as the stage it was lost from)."""
    later = [s for s in LEAD_STAGE_ORDER if LEAD_STAGE_ORDER.index(s) >= LEAD_STAGE_ORDER.index(stage)]
    return Q(stage__in=later) | Q(stage=LeadStage.LOST, lost_from__in=later)


def funnel_conditions(date_from: date, date_to: date) -> dict[str, Q]:
    """In negotiation: in stage 洽谈, reached by the period's end. Signed: signed within the period. New: received
    within the period."""
    return {
        "negotiating": Q(stage=LeadStage.NEGOTIATING, negotiating_on__lte=date_to),
        "signed": Q(stage=LeadStage.SIGNED, signed_on__gte=date_from, signed_on__lte=date_to),
        "new": Q(received_on__gte=date_from, received_on__lte=date_to),
    }


def funnel(*, user, date_from: date, date_to: date, city: str | None = None) -> Funnel:
    """The funnel of the user's scope, of one city if given (code or name), else of the user's own city.
    Shares are taken against the city's totals of the year, when the period lies within one year."""
    region = resolve_city(city) if city else home_city(user)
    if city and region is None:
        raise LookupError(f"未知的市：{city}")
    cond = funnel_conditions(date_from, date_to)
    figures = scoped_leads(user=user, city=region).order_by().aggregate(
        negotiating=Count("pk", filter=cond["negotiating"]),
        negotiating_investment=Sum("investment", filter=cond["negotiating"]),
        negotiating_big=Count("pk", filter=cond["negotiating"] & Q(investment__gte=BIG)),
        signed=Count("pk", filter=cond["signed"]), signed_investment=Sum("investment", filter=cond["signed"]),
        lost=Count("pk", filter=cond["new"] & Q(stage=LeadStage.LOST)),
        **{f"reached_{s.value}": Count("pk", filter=cond["new"] & reached(s)) for s in LEAD_STAGE_ORDER},
    )
    events = PromotionEvent.objects.visible_to(user).filter(date__gte=date_from, date__lte=date_to)
    events = events.filter(city=region) if region else events
    total = _city_total(user, region, date_from, date_to)
    signed_investment = cents(figures["signed_investment"])
    return Funnel(
        date_from=date_from, date_to=date_to, city=region, events=events.count(),
        negotiating=figures["negotiating"], negotiating_investment=cents(figures["negotiating_investment"]),
        negotiating_big=figures["negotiating_big"], signed=figures["signed"], signed_investment=signed_investment,
        city_total=total,
        signed_share=rate(figures["signed"], total.signed_projects) if total else None,
        signed_investment_share=rate(signed_investment, total.signed_investment) if total else None,
        stages=[(s.label, figures[f"reached_{s.value}"]) for s in LEAD_STAGE_ORDER], lost=figures["lost"],
        links=funnel_links(date_from, date_to, region),
    )


def _city_total(user, region: Region | None, date_from: date, date_to: date) -> CityPromotionTotal | None:
    if region is None or date_from.year != date_to.year:
        return None
    return CityPromotionTotal.objects.visible_to(user).filter(city=region, year=date_to.year).first()


def funnel_links(date_from: date, date_to: date, region: Region | None) -> dict[str, str]:
    """Where each funnel figure's rows are listed: the event list and the lead list with the same filters."""
    city = {"city": region.code} if region else {}
    period = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    leads, events = reverse("investment:leads"), reverse("investment:events")
    negotiating = {"stage": LeadStage.NEGOTIATING.value, "date_to": date_to.isoformat(), **city}
    return {
        "events": f"{events}?{urlencode({**period, **city})}",
        "negotiating": f"{leads}?{urlencode(negotiating)}",
        "negotiating_big": f"{leads}?{urlencode({**negotiating, 'band': '10'})}",
        "signed": f"{leads}?{urlencode({'stage': LeadStage.SIGNED.value, **period, **city})}",
        "new": f"{leads}?{urlencode({**period, **city})}",
    }
