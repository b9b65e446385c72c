"""Building the benchmark data set: a fresh database, the national catalogue, projects and campaigns."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

STAGES = ["reserve", "negotiating", "signed", "started", "producing", "at_capacity", "terminated"]
WEIGHTS = [4, 6, 25, 30, 20, 10, 5]


def prepare_database(url: str, *, keep: bool) -> None:
    """Drop and create the benchmark database (SQLite file or PostgreSQL database) unless `keep`."""
    if url.startswith("sqlite"):
        if keep:
            return
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if keep and exists:
            return
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def build(*, projects: int, campaigns: int, months: int = 120) -> None:
    """Migrate, then whatever is missing: the registry and national catalogue, projects and campaigns, monthly
    reports; then refresh the planner's statistics."""
    from django.core.management import call_command

    from kaifaqu.indicators.models import MonthlyReport
    from kaifaqu.projects.models import Project

    call_command("migrate", verbosity=0)
    if Project.objects.count() < projects:
        _projects(projects, campaigns)
    else:
        log(f"reusing {Project.objects.count():,} projects")
    if not MonthlyReport.objects.exists():
        from kaifaqu.indicators.catalogue import catalogue_load
        from kaifaqu.indicators.schemes import schemes_load

        catalogue_load()
        t = time.perf_counter()
        n = generate_reports(months)
        log(f"{n:,} monthly indicator values in {time.perf_counter() - t:.1f} s")
        schemes_load(2026)
    analyze()


def _projects(projects: int, campaigns: int) -> None:
    from kaifaqu.accounts.demo import demo_accounts_ensure
    from kaifaqu.zones.registry import national_catalogue_load, registry_load

    t = time.perf_counter()
    registry_load()
    national_catalogue_load()
    demo_accounts_ensure("bench-password-2024")
    log(f"registry and national catalogue in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    generate_projects(projects)
    log(f"{projects:,} projects in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    generate_campaigns(campaigns)
    log(f"{campaigns} campaigns in {time.perf_counter() - t:.1f} s")


def analyze() -> None:
    """Refresh the planner's statistics and, on PostgreSQL, vacuum, as autovacuum (PostgreSQL) or `PRAGMA
    optimize` would after a load (listing campaigns rewrites the listed projects' rows: without the vacuum the
    first runs would pay for the dead ones)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _dates(rng: random.Random, stage: str) -> dict:
    signed = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 1800))
    out: dict = {}
    if stage in ("reserve", "negotiating"):
        return out
    out["signed_on"] = signed
    steps = {"signed": 0, "started": 1, "producing": 2, "at_capacity": 3, "terminated": rng.randrange(0, 3)}[stage]
    d = signed
    for field in ["started_on", "producing_on", "at_capacity_on"][:steps]:
        d = d + timedelta(days=rng.randrange(30, 400))
        out[field] = min(d, date(2026, 10, 31))
    if stage == "terminated":
        out["terminated_on"] = min(d + timedelta(days=rng.randrange(10, 300)), date(2026, 11, 1))
    return out


def generate_projects(n: int) -> None:
    """`n` projects spread over every zone (more on Shanxi's), amounts log-normal in 万元, consistent dates."""
    from kaifaqu.projects.models import Project
    from kaifaqu.zones.models import IndustryChain, Zone

    rng = random.Random(2024)
    zones = list(Zone.objects.values_list("id", flat=True))
    chains = list(IndustryChain.objects.values_list("id", flat=True))
    batch = []
    for i in range(n):
        stage = rng.choices(STAGES, WEIGHTS)[0]
        industrial = stage == "at_capacity" or rng.random() < 0.7
        total = Decimal(str(round(min(rng.lognormvariate(10.3, 1.1), 3_000_000), 2)))
        started = stage in ("started", "producing", "at_capacity")
        batch.append(Project(
            code=f"B{i:08d}", name=f"基准项目{i}", zone_id=rng.choice(zones), type="industrial" if industrial
            else rng.choice(["infrastructure", "public_service", "other"]), chain_id=rng.choice(chains),
            strategic_emerging=rng.random() < 0.5, total_investment=total,
            completed_investment=(total * Decimal(str(round(rng.random(), 2)))).quantize(Decimal("0.01"))
            if started else Decimal(0),
            stage=stage, termination_reason="基准数据" if stage == "terminated" else "",
            planned_start_on=date(2020, 1, 1) + timedelta(days=rng.randrange(0, 2200)), **_dates(rng, stage)))
        if len(batch) == 5000:
            Project.objects.bulk_create(batch)
            batch = []
    Project.objects.bulk_create(batch)


def generate_campaigns(n: int) -> None:
    """`n` province campaigns since 2019, each listing ~1.5% of the projects in plausible batches."""
    from kaifaqu.accounts.models import OrgUnit
    from kaifaqu.projects.models import Campaign, CampaignEntry, Project

    rng = random.Random(40)
    province = OrgUnit.objects.get(code="140000")
    rows = list(Project.objects.values_list("id", "stage", "total_investment"))
    for k in range(n):
        on = date(2019, 3, 1) + timedelta(days=k * 45)
        campaign = Campaign.objects.create(name=f"基准活动{k + 1:02d}", date=on, org_unit=province)
        entries = []
        for pid, stage, total in rng.sample(rows, k=min(len(rows), max(1, len(rows) * 15 // 1000))):
            batch = {"signed": "sign", "started": "start"}.get(stage, rng.choice(["sign", "start", "produce"]))
            entries.append(CampaignEntry(campaign=campaign, project_id=pid, batch=batch,
                                         investment_at_listing=total))
        CampaignEntry.objects.bulk_create(entries, batch_size=5000)


def generate_reports(months: int) -> int:
    """`months` approved monthly reports (to October 2026) for every zone, 8 indicators each (SPEC §13's
    "3 million monthly indicator values"), with a growth target per zone."""
    from kaifaqu.indicators.models import IndicatorDefinition, MonthlyReport, ReportValue, Target
    from kaifaqu.zones.models import Zone

    rng = random.Random(120)
    zones = list(Zone.objects.values_list("id", flat=True))
    defs = list(IndicatorDefinition.objects.all())
    month_list = []
    y, m = 2026, 10
    for _ in range(months):
        month_list.append(date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    Target.objects.bulk_create([Target(zone_id=z, year=2026, indicator="industrial_value_added", kind="growth",
                                       value=Decimal(15)) for z in zones], batch_size=5000)
    total = 0
    for month in month_list:
        MonthlyReport.objects.bulk_create([
            MonthlyReport(zone_id=z, month=month, status="approved", deadline=month.replace(day=28),
                          generated=True) for z in zones], batch_size=5000)
        ids = dict(MonthlyReport.objects.filter(month=month).values_list("zone_id", "id"))
        values = []
        for z in zones:
            for d in defs:
                ytd = Decimal(str(round(rng.uniform(0.5, 80) * month.month / 12, 4)))
                last = Decimal(str(round(float(ytd) * rng.uniform(0.75, 1.2), 4)))
                values.append(ReportValue(report_id=ids[z], indicator=d, ytd=ytd, last_ytd=last))
        ReportValue.objects.bulk_create(values, batch_size=10000)
        total += len(values)
    return total
