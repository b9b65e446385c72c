"""What a load works from: `Plan`, one project to build, and `Ctx`, the zones, chains, parks and campaigns read
once per load (campaigns created if missing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.changelog import bulk_record
from kaifaqu.zones.models import IndustryChain, Park, Zone

from ..choices import CampaignLevel
from ..models import Campaign, Project
from .common import CAMPAIGNS, SHANXI


@dataclass
class Plan:
    """One project to build: where, what, how big; how it was listed and followed up (or its demo stage)."""

    zone: str
    total: int = 0
    campaign: str = ""
    batch: str = ""
    followed: bool | None = None  # reached the batch's follow-up stage by the as-of date (None: free)
    after: str = "go"  # if not followed: "later", "stay" or "terminate" after the as-of date
    name: str = ""
    sector: str = ""  # "" → one of the zone's industries
    type: str = ""
    builder: str = ""
    park: str = ""
    strategic: bool | None = None
    in_statistics: bool | None = None
    completed: int | None = None
    output: int | None = None
    stage: str = ""  # demo projects: the stage reached
    pins: dict = field(default_factory=dict)  # stage → date known from the seeds
    listable: list[str] = field(default_factory=list)  # demo projects: campaigns they may be listed in


@dataclass
class Ctx:
    """What a load needs: "today", the zones, chains, parks and campaigns, and the names in use per zone."""

    today: date
    as_of: date | None
    zones: dict[str, Zone]
    chains: dict[str, IndustryChain]
    parks: dict[int, list[Park]]
    campaigns: dict[str, Campaign]
    names: set[tuple[int, str]] = field(default_factory=set)


def context(zone_codes: list[str] | None, today: date, campaigns: list[str], as_of: date | None = None) -> Ctx:
    """Zones (all of Shanxi's when `zone_codes` is None), chains, parks, campaigns and project names in use."""
    zones = Zone.objects.select_related("city", "org_unit")
    zones = zones.filter(code__in=zone_codes) if zone_codes else zones.filter(org_unit__path__startswith=f"/{SHANXI}/")
    zones = {z.code: z for z in zones}
    if zone_codes and set(zone_codes) - set(zones):
        raise LookupError(f"开发区名录中缺少：{sorted(set(zone_codes) - set(zones))}，请先载入名录")
    parks: dict[int, list[Park]] = {}
    for park in Park.objects.filter(zone__in=zones.values()).order_by("zone_id", "name"):
        parks.setdefault(park.zone_id, []).append(park)
    names = set(Project.objects.filter(zone__in=zones.values()).values_list("zone_id", "name"))
    chains = {c.name: c for c in IndustryChain.objects.all()}
    return Ctx(today, as_of, zones, chains, parks, campaigns_ensure(campaigns, today), names)


@transaction.atomic
def campaigns_ensure(names: list[str], today: date) -> dict[str, Campaign]:
    """The province's 三个一批 campaigns of that name held by `today` (dates in CAMPAIGNS), created if missing."""
    province = OrgUnit.objects.get(code=SHANXI)
    found = {c.name: c for c in Campaign.objects.filter(name__in=names)}
    new = [Campaign(name=name, date=CAMPAIGNS[name], level=CampaignLevel.PROVINCE, org_unit=province)
           for name in names if name not in found and CAMPAIGNS[name] <= today]
    Campaign.objects.bulk_create(new)
    bulk_record(new)
    return found | {c.name: c for c in new}
