"""Reads of the hotline (SPEC §8): the scoped ticket list and queues, the ticket figures, and the overdue tickets
the warnings list shows. Every figure starts from `Ticket.objects.visible_to(user)`.

The figures take the tickets received in a period (the period's cohort) and count them in one grouped query by
category and department — from the running totals of `tally` for a city, the province or everything, from the
tickets themselves for a zone — over booleans stored when each step happened, so no working day is computed per
row:
- received: tickets received in the period;
- resolved: of those, resolved or closed now; on-time rate = resolved by their resolution day ÷ resolved;
- first-response on-time rate = answered by the "事不过夜" moment ÷ (answered + answered late or marked
  unanswered past due by `escalate_tickets`);
- satisfaction index (满意指数) = (满意 + 0.5 × 基本满意) ÷ rated;
- key-difficult (重点难点) and escalated tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kaifaqu.accounts.choices import OrgKind
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.accounts.roles import sees_unit_queue
from kaifaqu.core.counting import ListCount, bounded_count, scope_share, tally_count
from kaifaqu.core.money import rate
from kaifaqu.zones.models import Zone
from kaifaqu.zones.selectors import tallied_zones

from .choices import TICKET_DONE, TICKET_OPEN, Category
from .models import Ticket, TicketListTally, TicketTally
from .tally import FIELDS, ROOT, counts, sums, tallies_ready

HALF = Decimal("0.5")
ZONE_LEVEL = (OrgKind.ZONE, OrgKind.DEPARTMENT)


def scoped_tickets(*, user, city: str | None = None, zone: str | None = None,
                   share: float | None = None) -> QuerySet[Ticket]:
    """The tickets `user` may see, narrowed to a city (code or name) or a zone (code); `share` (of the table),
    SQLite's planner hint (core/scope.py)."""
    qs = Ticket.objects.visible_to(user, share=share)
    if city:
        qs = qs.filter(Q(zone__city__code=city) | Q(zone__city__name=city) | Q(zone__city__name=f"{city}市"))
    if zone:
        qs = qs.filter(zone__code=zone)
    return qs


def day_start(d: date) -> datetime:
    """00:00 of `d`, Beijing time."""
    return timezone.make_aware(datetime.combine(d, time.min))


def received_between(qs: QuerySet[Ticket], date_from: date | None, date_to: date | None) -> QuerySet[Ticket]:
    """Tickets received on `date_from` … `date_to` (both included, Beijing dates)."""
    if date_from:
        qs = qs.filter(received_at__gte=day_start(date_from))
    if date_to:
        qs = qs.filter(received_at__lt=day_start(date_to + timedelta(days=1)))
    return qs


# ---- the list ---------------------------------------------------------------------------------------------------

@dataclass
class TicketFilters:
    """The ticket list's filters (all optional). `state`: "open", "overdue", "done" or a status code."""

    q: str = ""
    city: str = ""
    zone: str = ""
    category: str = ""
    department: str = ""
    state: str = ""
    key_difficult: bool = False
    escalated: bool = False
    date_from: date | None = None
    date_to: date | None = None


def ticket_list(*, user, filters: TicketFilters, today: date, paged: bool = False) -> QuerySet[Ticket]:
    """The scoped, filtered ticket list, newest first (a department queue when filtered to one department and
    to open tickets: then the nearest deadline first). `paged`: read a page at a time — on SQLite the scope's
    share of the table (one query over the tally) tells the planner whether to walk the list's order."""
    scope = TicketFilters(city=filters.city, zone=filters.zone)
    share = scope_share(TicketListTally, ticket_tally_rows(user=user, filters=scope)) if paged else None
    qs = received_between(scoped_tickets(user=user, city=filters.city or None, zone=filters.zone or None,
                                         share=share), filters.date_from, filters.date_to)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(number__iexact=q) | Q(text__icontains=q) | Q(enterprise__name__icontains=q))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.department:
        qs = qs.filter(department=filters.department)
    if filters.key_difficult:
        qs = qs.filter(key_difficult=True)
    if filters.escalated:
        qs = qs.filter(escalated_at__isnull=False)
    qs = _state(qs, filters.state, today)
    order = ["resolution_due", "id"] if filters.state in ("open", "overdue") else ["-received_at", "-id"]
    return qs.select_related("zone__org_unit", "enterprise").order_by(*order)


def ticket_count(*, user, filters: TicketFilters, tickets: QuerySet[Ticket]) -> ListCount:
    """How many tickets the list `tickets` (`ticket_list` of these filters) holds: read from the kept tally when
    only the scope, a city, a zone or a state other than "overdue" narrow it (exact, without reading the tickets);
    otherwise counted, exact up to the limit and estimated above it (core/counting.py)."""
    if not sees_unit_queue(user):  # an agent's own tickets: counted, never read from their zone's tally
        return bounded_count(tickets, scope_count=lambda: 0, scope_rows=lambda: tickets)
    scope = TicketFilters(city=filters.city, zone=filters.zone)
    if replace(filters, state="") == scope and filters.state != "overdue":
        return tally_count(ticket_tally_rows(user=user, filters=filters), TicketListTally)

    return bounded_count(
        tickets, scope_count=lambda: tally_count(ticket_tally_rows(user=user, filters=scope), TicketListTally).count,
        scope_rows=lambda: scoped_tickets(user=user, city=scope.city or None, zone=scope.zone or None))


def ticket_tally_rows(*, user, filters: TicketFilters) -> QuerySet[TicketListTally]:
    """The tally rows of the tickets `user` may see, narrowed by the filters' city, zone and state."""
    zones = tallied_zones(user=user, city=filters.city, zone=filters.zone)
    rows = TicketListTally.objects.all() if zones is None else TicketListTally.objects.filter(
        zone_id__in=zones.values("pk"))
    statuses = {"open": TICKET_OPEN, "done": TICKET_DONE}.get(filters.state, [filters.state] if filters.state else [])
    return rows.filter(status__in=statuses) if statuses else rows


def _state(qs: QuerySet[Ticket], state: str, today: date) -> QuerySet[Ticket]:
    if state == "open":
        return qs.filter(status__in=TICKET_OPEN)
    if state == "overdue":
        return qs.filter(status__in=TICKET_OPEN, resolution_due__lt=today)
    if state == "done":
        return qs.filter(status__in=TICKET_DONE)
    return qs.filter(status=state) if state else qs


def department_queues(*, user, city: str | None = None, today: date, limit: int = 200) -> list[dict]:
    """承办部门工作台: per zone and department, the open tickets, those overdue and the key-difficult ones, the most
    overdue first — the first `limit` queues (two queries: the queues, then their zones' names)."""
    rows = list(scoped_tickets(user=user, city=city).filter(status__in=TICKET_OPEN)
                .values("zone_id", "department")
                .annotate(open=Count("zone_id"), overdue=Count("zone_id", filter=Q(resolution_due__lt=today)),
                          key_difficult=Count("zone_id", filter=Q(key_difficult=True)))
                .order_by("-overdue", "-open", "zone_id", "department")[:limit])
    zones = {z["pk"]: z for z in Zone.objects.filter(pk__in={r["zone_id"] for r in rows})
             .values("pk", "code", "name", "short_name")}
    return [{**r, "zone__code": zones[r["zone_id"]]["code"], "zone__name": zones[r["zone_id"]]["name"],
             "zone__short_name": zones[r["zone_id"]]["short_name"]} for r in rows]


# ---- the figures ------------------------------------------------------------------------------------------------

@dataclass
class TicketFigures:
    """Counts of one group of tickets (all of a period, one category, one department) and their rates (%)."""

    received: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    responded_on_time: int = 0
    responded_late: int = 0
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0
    key_difficult: int = 0
    escalated: int = 0

    def add(self, row: dict) -> None:
        for name in FIELDS:
            setattr(self, name, getattr(self, name) + (row[name] or 0))

    @property
    def rated(self) -> int:
        return self.satisfied + self.basic + self.dissatisfied

    @property
    def on_time_rate(self) -> Decimal | None:
        """按期办结率: resolved by the resolution day ÷ resolved."""
        return rate(self.resolved_on_time, self.resolved)

    @property
    def resolution_rate(self) -> Decimal | None:
        """办结率: resolved ÷ received."""
        return rate(self.resolved, self.received)

    @property
    def first_response_rate(self) -> Decimal | None:
        """按时响应率 ("事不过夜"): answered on time ÷ (answered on time + late or unanswered past due)."""
        return rate(self.responded_on_time, self.responded_on_time + self.responded_late)

    @property
    def satisfaction_index(self) -> Decimal | None:
        """满意指数 = (满意 + 0.5 × 基本满意) ÷ rated, in %."""
        return rate(Decimal(self.satisfied) + HALF * self.basic, self.rated)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS} | {
            "rated": self.rated, "on_time_rate": self.on_time_rate, "resolution_rate": self.resolution_rate,
            "first_response_rate": self.first_response_rate, "satisfaction_index": self.satisfaction_index}


@dataclass
class TicketStats:
    """The figures of a period: the totals, and the same by category and by department."""

    date_from: date
    date_to: date
    total: TicketFigures
    by_category: dict[str, TicketFigures] = field(default_factory=dict)
    by_department: dict[str, TicketFigures] = field(default_factory=dict)


def tally_scope(*, user, city: str | None = None, zone: str | None = None) -> str | None:
    """The totals' scope that holds exactly the tickets the user asks for ("/" for everything, a city's or the
    province's path), or None when they must be counted from the tickets (a zone, a user of a zone, or an agent
    who sees only their own tickets)."""
    if zone or not sees_unit_queue(user):
        return None
    unit = getattr(user, "org_unit", None)
    base = ROOT if user.is_superuser else unit.path if unit and unit.kind not in ZONE_LEVEL else None
    if base is None or not city:
        return base
    match = (OrgUnit.objects.filter(kind=OrgKind.CITY, path__startswith=base)
             .filter(Q(region__code=city) | Q(region__name=city) | Q(region__name=f"{city}市")).first())
    return match.path if match else None


def _stat_rows(*, user, date_from: date, date_to: date, city: str | None, zone: str | None) -> list[dict]:
    scope = tally_scope(user=user, city=city, zone=zone)
    if scope is not None and tallies_ready():
        rows = TicketTally.objects.filter(scope=scope, day__gte=date_from, day__lte=date_to)
        return list(rows.order_by().values("category", "department").annotate(**sums()))
    qs = received_between(scoped_tickets(user=user, city=city, zone=zone), date_from, date_to)
    return list(qs.order_by().values("category", "department").annotate(**counts()))


def ticket_stats(*, user, date_from: date, date_to: date, city: str | None = None,
                 zone: str | None = None) -> TicketStats:
    """The hotline's figures for the tickets received from `date_from` to `date_to` (see the module), over the
    user's scope: one grouped query, over the running totals (`tally`) for a city or above."""
    stats = TicketStats(date_from=date_from, date_to=date_to, total=TicketFigures(),
                        by_category={c: TicketFigures() for c in Category.values})
    for row in _stat_rows(user=user, date_from=date_from, date_to=date_to, city=city, zone=zone):
        stats.total.add(row)
        stats.by_category.setdefault(row["category"], TicketFigures()).add(row)
        stats.by_department.setdefault(row["department"], TicketFigures()).add(row)
    stats.by_department = dict(sorted(stats.by_department.items(), key=lambda kv: (-kv[1].received, kv[0])))
    return stats


def ticket_trend(*, user, date_from: date, date_to: date, city: str | None = None,
                 zone: str | None = None) -> list[dict]:
    """Month by month: received, resolved, resolved on time (the stats page's chart; one query)."""
    scope = tally_scope(user=user, city=city, zone=zone)
    if scope is not None and tallies_ready():
        qs = TicketTally.objects.filter(scope=scope, day__gte=date_from, day__lte=date_to)
        rows = (qs.annotate(month=TruncMonth("day")).order_by().values("month")
                .annotate(received=Sum("received"), resolved=Sum("resolved"), on_time=Sum("resolved_on_time")))
    else:
        qs = received_between(scoped_tickets(user=user, city=city, zone=zone), date_from, date_to)
        rows = (qs.annotate(month=TruncMonth("received_at")).order_by().values("month")
                .annotate(received=Count("id"), resolved=Count("id", filter=Q(status__in=TICKET_DONE)),
                          on_time=Count("id", filter=Q(status__in=TICKET_DONE, resolved_on_time=True))))
    return sorted(({"month": f"{r['month']:%Y-%m}", **{k: r[k] for k in ("received", "resolved", "on_time")}}
                   for r in rows), key=lambda r: r["month"])


def percent(value: Decimal | None) -> str | None:
    """A rate as the API writes it: "96.35" (two decimals), None when there is no base."""
    return None if value is None else str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ---- warnings ---------------------------------------------------------------------------------------------------

@dataclass
class OverdueTickets:
    """One zone's tickets open past their resolution day on a date, for the warnings list (预警)."""

    zone: str
    zone_name: str
    count: int
    key_difficult: int
    escalated: int
    oldest_due: date
    overdue_days: int  # of the oldest one

    @property
    def key(self) -> str:
        return f"tickets_overdue:{self.zone}"

    @property
    def message(self) -> str:
        extra = f"，其中重点难点{self.key_difficult}件" if self.key_difficult else ""
        return (f"{self.zone_name} 有{self.count}件企业诉求超过办结时限未办结{extra}，"
                f"最早一件应于{self.oldest_due:%Y-%m-%d}办结，已超期{self.overdue_days}天")

    @property
    def figures(self) -> dict[str, str]:
        return {"count": str(self.count), "key_difficult": str(self.key_difficult), "escalated": str(self.escalated),
                "due_on": f"{self.oldest_due:%Y-%m-%d}", "overdue_days": str(self.overdue_days)}


def open_on(qs: QuerySet[Ticket], as_of: date, today: date) -> QuerySet[Ticket]:
    """Tickets still unresolved on `as_of` and past their resolution day then. Today: the open ones (a partial
    index); an earlier day: received before it and not resolved before it."""
    if as_of >= today:
        return qs.filter(status__in=TICKET_OPEN, resolution_due__lt=as_of)
    start = day_start(as_of)
    return qs.filter(received_at__lt=start, resolution_due__lt=as_of).filter(
        Q(resolved_at__isnull=True, status__in=TICKET_OPEN) | Q(resolved_at__gte=start))


def overdue_ticket_warnings(*, user, as_of: date, city: str | None = None,
                            today: date | None = None) -> list[OverdueTickets]:
    """Per zone the user may see, the tickets unresolved on `as_of` past their resolution day (one grouped query),
    the zone with the longest-overdue ticket first. The warnings module turns each into a warning."""
    qs = open_on(scoped_tickets(user=user, city=city), as_of, today or timezone.localdate())
    rows = (qs.values("zone__code", "zone__name")
            .annotate(n=Count("received_at"), key=Count("received_at", filter=Q(key_difficult=True)),
                      esc=Count("received_at", filter=Q(escalated_at__isnull=False, escalated_at__lt=day_start(
                          as_of + timedelta(days=1)))), oldest=Min("resolution_due"))
            .order_by())
    items = [OverdueTickets(zone=r["zone__code"], zone_name=r["zone__name"], count=r["n"], key_difficult=r["key"],
                            escalated=r["esc"], oldest_due=r["oldest"], overdue_days=(as_of - r["oldest"]).days)
             for r in rows]
    return sorted(items, key=lambda w: (-w.overdue_days, w.zone))
