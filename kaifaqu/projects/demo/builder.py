"""From plans to rows: build the unsaved project a plan describes (name, builder, park, dates, figures), list it
in campaigns, and write the missing ones set-based with their extras and change-log entries."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from kaifaqu.core.changelog import bulk_record
from kaifaqu.zones.models import Park, Zone

from ..choices import Batch
from ..models import Campaign, CampaignEntry, Problem, ProgressReport, Project, ProjectMilestone, StageEvent
from ..services import _stage_events_for
from .common import CAMPAIGNS, IND, INFRA, PUBLIC, P, S, T, days
from .dates import set_plan_dates, set_stage, timeline
from .extras import milestones, problems, progress_reports
from .figures import set_figures
from .plans import Ctx, Plan
from .vocabulary import BRANDS, CHAIN_OF, CROSS_SECTORS, OTHER_SECTORS, SECTOR_OF, SUFFIX, template, type_of


def build(ctx: Ctx, plan: Plan, code: str, note: str) -> Project:
    """The unsaved project a plan describes, its dates consistent with SPEC §4 and with the plan's as-of facts."""
    rng = random.Random(code)
    zone = ctx.zones[plan.zone]
    sector = plan.sector or pick_sector(rng, zone, plan.type)
    ptype = plan.type or type_of(sector)
    chain = ctx.chains.get(CHAIN_OF.get(sector, ""))
    name, builder = naming(ctx, rng, zone, sector, ptype, plan)
    project = Project(
        code=code, name=name, zone=zone, park=pick_park(ctx, rng, zone, sector, plan.park), builder=builder,
        type=ptype, chain=chain, total_investment=Decimal(plan.total), note=note,
        strategic_emerging=plan.strategic if plan.strategic is not None else bool(chain and chain.strategic_emerging))
    dates, ended = timeline(ctx, rng, plan, ptype == IND)
    set_stage(rng, project, dates, ended, plan.stage)
    set_plan_dates(rng, project, ctx.today)
    set_figures(rng, project, plan, ended or ctx.today)
    return project


def pick_sector(rng: random.Random, zone: Zone, forced_type: str) -> str:
    """A sector from the zone's leading industries; now and then infrastructure, public services or a
    province-wide sector (新材料, 节能环保, 新能源)."""
    sectors = [SECTOR_OF[i] for i in zone.industry_list if i in SECTOR_OF]
    industrial = [s for s in sectors if s not in OTHER_SECTORS]
    r = rng.random()
    if forced_type == IND:
        return rng.choice(industrial or ["装备"])
    if r < 0.07:
        return "基础设施"
    if r < 0.10:
        return "公共配套"
    if r < 0.18 and industrial:
        return rng.choice(CROSS_SECTORS)
    return rng.choice(sectors or ["装备"])


def naming(ctx: Ctx, rng: random.Random, zone: Zone, sector: str, ptype: str, plan: Plan) -> tuple[str, str]:
    """A name unique in the zone and the builder (建设单位)."""
    brand = rng.choice(BRANDS)
    place = zone.short_name or zone.name
    if plan.name:
        name, builder = plan.name, plan.builder or f"山西{brand}{SUFFIX.get(sector, '实业')}有限公司"
    elif ptype in (INFRA, PUBLIC):
        name, builder = place + template(rng, sector, plan.total), f"{place}建设投资有限公司"
    else:
        name, builder = brand + template(rng, sector, plan.total), f"山西{brand}{SUFFIX[sector]}有限公司"
    base, n = name, 1
    while (zone.pk, name) in ctx.names:
        n += 1
        name = f"{base}（{'一二三四五六七八九十'[min(n, 10) - 1]}期）" if n <= 10 else f"{base}（{n}）"
    ctx.names.add((zone.pk, name))
    return name, builder


def pick_park(ctx: Ctx, rng: random.Random, zone: Zone, sector: str, wanted: str) -> Park | None:
    parks = ctx.parks.get(zone.pk, [])
    if wanted:
        return next((p for p in parks if p.name == wanted), None)
    matching = [p for p in parks if p.industries and sector in p.industries]
    if matching:
        return rng.choice(matching)
    general = [p for p in parks if not p.industries]
    return rng.choice(general) if general and rng.random() < 0.6 else None


def write(projects: list[Project], listings: list[tuple[Project, Campaign, str]], today: date) -> None:
    """Insert the projects with their stage rows, campaign entries, node plans, progress and problems, set-based,
    and record every created row in the change log."""
    Project.objects.bulk_create(projects, batch_size=1000)
    StageEvent.objects.bulk_create([e for p in projects for e in _stage_events_for(p, None)], batch_size=1000)
    entries = [CampaignEntry(campaign=c, project=p, batch=b, investment_at_listing=p.total_investment)
               for p, c, b in listings]
    CampaignEntry.objects.bulk_create(entries, batch_size=1000)
    extras: dict[type, list] = {ProjectMilestone: [], ProgressReport: [], Problem: []}
    for p in projects:
        rng = random.Random(f"extras-{p.code}")
        extras[ProjectMilestone] += milestones(rng, p, today)
        extras[ProgressReport] += progress_reports(rng, p, today)
        extras[Problem] += problems(rng, p, today)
    for model, rows in extras.items():
        model.objects.bulk_create(rows, batch_size=1000)
    for rows in (projects, entries, *extras.values()):
        bulk_record(rows)


def build_missing(ctx: Ctx, plans: list[tuple[str, Plan]], note: str) -> int:
    """Build and write the planned projects whose codes are not in the database yet; return how many."""
    existing = set(Project.objects.filter(code__in=[code for code, _ in plans]).values_list("code", flat=True))
    projects, listings = [], []
    for code, plan in plans:
        if code in existing:
            continue
        project = build(ctx, plan, code, note)
        projects.append(project)
        if plan.campaign:
            listings.append((project, ctx.campaigns[plan.campaign], plan.batch))
        listings += extra_listings(project, plan, ctx)
    write(projects, listings, ctx.today)
    return len(projects)


def extra_listings(p: Project, plan: Plan, ctx: Ctx) -> list[tuple[Project, Campaign, str]]:
    """Demo projects are listed in the campaigns their stage dates fall just before (within 100 days), in the
    batch of the latest stage they had reached then; most of them are (four in five)."""
    if plan.campaign or not plan.listable:
        return []
    rng = random.Random(f"listing-{p.code}")
    out = []
    for name in plan.listable:
        held = CAMPAIGNS[name]
        reached = [(s, d) for s, d in ((P, p.producing_on), (T, p.started_on), (S, p.signed_on))
                   if d and held - days(100) < d <= held and (not p.terminated_on or p.terminated_on > held)]
        if reached and name in ctx.campaigns and rng.random() < 0.8:
            batch = {S: Batch.SIGN, T: Batch.START, P: Batch.PRODUCE}[reached[0][0]]
            out.append((p, ctx.campaigns[name], batch))
    return out
