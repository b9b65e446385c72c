"""Reads of agency service and commitments (SPEC §8): the scoped case and commitment lists and their figures —
projects served, cases, cases per agent, on-time rate (办结 on or before the deadline ÷ 办结), and commitments
overdue (not verified by their date). Each selector runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from kaifaqu.core.money import rate

from .choices import CASE_OPEN, CaseStatus
from .models import Commitment, ServiceCase, ServiceItem


def _city(qs: QuerySet, prefix: str, city: str | None) -> QuerySet:
    if not city:
        return qs
    return qs.filter(Q(**{f"{prefix}city__code": city}) | Q(**{f"{prefix}city__name": city})
                     | Q(**{f"{prefix}city__name": f"{city}市"}))


def scoped_cases(*, user, city: str | None = None, zone: str | None = None) -> QuerySet[ServiceCase]:
    """The cases `user` may see, narrowed to a city or a zone (code)."""
    qs = _city(ServiceCase.objects.visible_to(user), "project__zone__", city)
    return qs.filter(project__zone__code=zone) if zone else qs


def overdue_case(today: date) -> Q:
    """Open past the deadline."""
    return Q(status__in=CASE_OPEN, deadline__lt=today)


@dataclass
class CaseFilters:
    """The case list's filters. `state`: "open", "overdue", or a status code."""

    q: str = ""
    city: str = ""
    zone: str = ""
    state: str = ""
    agent: int | None = None
    project: int | None = None


def case_list(*, user, filters: CaseFilters, today: date) -> QuerySet[ServiceCase]:
    """The scoped, filtered cases, the nearest deadline first for open ones, else the latest accepted."""
    qs = scoped_cases(user=user, city=filters.city or None, zone=filters.zone or None)
    if filters.q:
        qs = qs.filter(Q(number__iexact=filters.q) | Q(project__name__icontains=filters.q)
                       | Q(item__name__icontains=filters.q))
    if filters.agent:
        qs = qs.filter(agent_id=filters.agent)
    if filters.project:
        qs = qs.filter(project_id=filters.project)
    if filters.state == "open":
        qs = qs.filter(status__in=CASE_OPEN)
    elif filters.state == "overdue":
        qs = qs.filter(overdue_case(today))
    elif filters.state:
        qs = qs.filter(status=filters.state)
    order = ["deadline", "id"] if filters.state in ("open", "overdue") else ["-accepted_on", "-id"]
    return qs.select_related("project", "project__zone", "item", "agent").order_by(*order)


@dataclass
class CaseStats:
    """代办 figures: projects served, cases by status, on-time rate, overdue, and per agent."""

    projects_served: int = 0
    cases: int = 0
    open: int = 0
    done: int = 0
    done_on_time: int = 0
    returned: int = 0
    overdue: int = 0
    by_commitment: int = 0
    agents: list[dict] = field(default_factory=list)

    @property
    def on_time_rate(self) -> Decimal | None:
        """按期办结率 = done by the deadline ÷ done."""
        return rate(self.done_on_time, self.done)

    @property
    def cases_per_agent(self) -> Decimal | None:
        if not self.agents:
            return None
        return (Decimal(self.cases) / len(self.agents)).quantize(Decimal("0.1"))


def _case_counts(today: date) -> dict:
    return {"cases": Count("id"), "open": Count("id", filter=Q(status__in=CASE_OPEN)),
            "done": Count("id", filter=Q(status=CaseStatus.DONE)),
            "done_on_time": Count("id", filter=Q(status=CaseStatus.DONE, on_time=True)),
            "returned": Count("id", filter=Q(status=CaseStatus.RETURNED)),
            "overdue": Count("id", filter=overdue_case(today))}


def case_stats(*, user, today: date, date_from: date | None = None, date_to: date | None = None,
               city: str | None = None) -> CaseStats:
    """The figures of the cases accepted in the period (all when no period), over the user's scope: two
    queries (the totals, then per agent)."""
    qs = scoped_cases(user=user, city=city)
    if date_from:
        qs = qs.filter(accepted_on__gte=date_from)
    if date_to:
        qs = qs.filter(accepted_on__lte=date_to)
    totals = qs.aggregate(projects_served=Count("project", distinct=True),
                          by_commitment=Count("id", filter=Q(by_commitment=True)), **_case_counts(today))
    stats = CaseStats(**totals)
    rows = (qs.order_by().values("agent_id", "agent__full_name", "agent__username", "agent__org_unit__name")
            .annotate(projects=Count("project", distinct=True), **_case_counts(today)))
    stats.agents = sorted(({**r, "name": r["agent__full_name"] or r["agent__username"],
                            "on_time_rate": rate(r["done_on_time"], r["done"])} for r in rows),
                          key=lambda r: (-r["cases"], r["name"]))
    return stats


def scoped_items(*, user, zone: str | None = None) -> QuerySet[ServiceItem]:
    """The service items of the zones `user` may see, with how many cases each has."""
    qs = ServiceItem.objects.visible_to(user).select_related("zone")
    if zone:
        qs = qs.filter(zone__code=zone)
    return qs.annotate(case_count=Count("cases")).order_by("zone__code", "phase", "name")


# ---- commitments --------------------------------------------------------------------------------------------------

def overdue_commitment(today: date) -> Q:
    """Not verified although its date has passed."""
    return Q(verified_on__isnull=True, verify_by__lt=today)


def commitment_list(*, user, today: date, state: str = "", project: int | None = None,
                    city: str | None = None) -> QuerySet[Commitment]:
    """The commitments `user` may see (of one project if given); `state` "overdue", "open" or "verified"; the
    earliest verification date first."""
    qs = _city(Commitment.objects.visible_to(user), "project__zone__", city)
    if project:
        qs = qs.filter(project_id=project)
    if state == "overdue":
        qs = qs.filter(overdue_commitment(today))
    elif state == "open":
        qs = qs.filter(verified_on__isnull=True)
    elif state == "verified":
        qs = qs.filter(verified_on__isnull=False)
    return qs.select_related("project", "project__zone", "verified_by").order_by("verify_by", "id")


def commitment_stats(*, user, today: date, city: str | None = None) -> dict:
    """承诺制 figures: projects with commitments, commitments, verified, verified late, overdue (one query)."""
    qs = _city(Commitment.objects.visible_to(user), "project__zone__", city)
    return qs.aggregate(
        projects=Count("project", distinct=True), total=Count("id"),
        verified=Count("id", filter=Q(verified_on__isnull=False)),
        verified_late=Count("id", filter=Q(verified_on__gt=F("verify_by"))),
        overdue=Count("id", filter=overdue_commitment(today)))

