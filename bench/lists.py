"""`--only lists`: the list endpoints (projects, tickets, leads; `limit=50`) timed on demo-size tables, then
again as the same database grows to 200,000 and 1,000,000 rows of each, as a ratio to the demo-size time
(issue 15: within 2×). Rows go in by COPY (PostgreSQL) or executemany (SQLite); half of them in Shanxi's zones
(the province's scope), half spread over the national catalogue."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from .build import STAGES, WEIGHTS, _dates, analyze, log

ENDPOINTS = [("projects", "/api/v1/projects?limit=50"), ("tickets", "/api/v1/tickets?limit=50"),
             ("leads", "/api/v1/leads?limit=50")]
FILTERED = [("projects", "/api/v1/projects?limit=50&stage=started&type=industrial"),
            ("tickets", "/api/v1/tickets?limit=50&category=service"),
            ("leads", "/api/v1/leads?limit=50&q=基准")]
WHO = ("province", "yq-etdz")


def run_lists(args, record: Callable) -> None:
    """Build the registry and accounts, then for each size grow the three tables to it and time the lists."""
    from django.core.management import call_command
    from django.test import Client

    from kaifaqu.accounts.demo import demo_accounts_ensure
    from kaifaqu.accounts.models import User
    from kaifaqu.zones.models import Zone
    from kaifaqu.zones.registry import national_catalogue_load, registry_load

    call_command("migrate", verbosity=0)
    if not Zone.objects.filter(code__startswith="G").count() > 1000:
        t = time.perf_counter()
        registry_load()
        national_catalogue_load()
        demo_accounts_ensure("bench-password-2024")
        log(f"registry and national catalogue in {time.perf_counter() - t:.1f} s")
    clients = {}
    for who in WHO:
        clients[who] = Client()
        clients[who].force_login(User.objects.get(username=who))
    sizes = [int(s) for s in args.list_sizes.split(",")]
    base: dict[str, float] = {}
    for size in sizes:
        grow(size)
        analyze()
        for _name, url in ENDPOINTS + FILTERED:
            for who in WHO:
                _measure(record, clients[who], url, who, size, base, args.repeat)


def _measure(record: Callable, client, url: str, who: str, size: int, base: dict, repeat: int) -> None:
    """Time `url` for `who`; the first size's p95 is the floor of the later ones (the ratio: how much slower the
    same list is on the grown tables)."""
    from .measure import timed

    def fetch():
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        return resp

    key = (url, who)
    if key not in base:
        base[key] = timed(fetch, repeat)[1]
    page = fetch().json()
    count = f"{page['count']:,}" + ("" if page.get("count_exact", True) else " estimated")
    record(f"{url} ({who}), {size:,} rows each, count {count}", fetch, repeat, base[key], "≤ 2× demo size")


# ---- growing the tables --------------------------------------------------------------------------------------

def grow(size: int) -> None:
    """Projects, tickets and leads each up to `size` rows."""
    from kaifaqu.investment.models import Lead
    from kaifaqu.projects.models import Project
    from kaifaqu.tickets.models import Ticket

    zones = _zones()
    for model, rows in ((Project, _project_rows), (Ticket, _ticket_rows), (Lead, _lead_rows)):
        have = model.objects.count()
        if have >= size:
            continue
        t = time.perf_counter()
        insert(model, rows(have, size, zones))
        log(f"{model._meta.verbose_name}: {have:,} → {size:,} rows in {time.perf_counter() - t:.1f} s")


def _zones() -> list[tuple[int, int | None, int]]:
    """(id, city id, org unit id) of the zones rows go to: every Shanxi zone once for each zone elsewhere, so that
    about half the rows are the province's."""
    from kaifaqu.zones.models import Zone

    rows = list(Zone.objects.values_list("id", "city_id", "org_unit_id", "org_unit__path"))
    shanxi = [r[:3] for r in rows if r[3].startswith("/140000/")]
    others = [r[:3] for r in rows if not r[3].startswith("/140000/")]
    return others + shanxi * max(1, len(others) // max(1, len(shanxi)))


def _project_rows(start: int, end: int, zones: list) -> Iterator[dict]:
    from kaifaqu.zones.models import IndustryChain

    rng = random.Random(start)
    chains = list(IndustryChain.objects.values_list("id", flat=True))
    for i in range(start, end):
        stage = rng.choices(STAGES, WEIGHTS)[0]
        total = Decimal(str(round(min(rng.lognormvariate(10.3, 1.1), 3_000_000), 2)))
        started = stage in ("started", "producing", "at_capacity")
        yield {"code": f"L{i:08d}", "name": f"列表基准项目{i}", "zone_id": rng.choice(zones)[0],
               "type": "industrial" if stage == "at_capacity" or rng.random() < 0.7 else "infrastructure",
               "chain_id": rng.choice(chains), "total_investment": total, "stage": stage,
               "completed_investment": (total * Decimal("0.5")).quantize(Decimal("0.01")) if started else Decimal(0),
               "termination_reason": "基准数据" if stage == "terminated" else "",
               "planned_start_on": date(2020, 1, 1) + timedelta(days=rng.randrange(0, 2200)), **_dates(rng, stage)}


TICKET_STATUS = (["closed"] * 14 + ["resolved"] * 3 + ["new", "assigned", "in_progress"])
CATEGORIES = ["investment", "construction", "policy", "service", "factors", "other"]


def _ticket_rows(start: int, end: int, zones: list) -> Iterator[dict]:
    rng = random.Random(start + 1)
    first = datetime(2021, 1, 1, tzinfo=UTC)
    for i in range(start, end):
        received = first + timedelta(minutes=rng.randrange(0, 6 * 365 * 24 * 60))
        status = rng.choice(TICKET_STATUS)
        done = status in ("resolved", "closed")
        yield {"number": f"LB{i:010d}", "zone_id": rng.choice(zones)[0], "category": rng.choice(CATEGORIES),
               "text": f"企业反映基准诉求{i}", "department": rng.choice(["发改局", "自然资源局", "住建局", ""]),
               "status": status, "received_at": received, "first_response_due": received + timedelta(hours=24),
               "first_response_at": received + timedelta(hours=2), "first_response_on_time": True,
               "resolution_due": (received + timedelta(days=14)).date(),
               "resolved_at": received + timedelta(days=5) if done else None,
               "resolved_on_time": True if done else None,
               "closed_at": received + timedelta(days=6) if status == "closed" else None, "generated": True}


LEAD_STAGES = ["lead"] * 4 + ["contacted"] * 3 + ["visited"] * 2 + ["negotiating"] * 2 + ["signed", "lost"]


def _lead_rows(start: int, end: int, zones: list) -> Iterator[dict]:
    from kaifaqu.investment.names import company_key

    rng = random.Random(start + 2)
    for i in range(start, end):
        zone_id, city_id, unit_id = rng.choice(zones)
        stage = rng.choice(LEAD_STAGES)
        received = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 2100))
        company = f"基准{i}新材料有限公司"
        yield {"company": company, "company_key": company_key(company), "project_name": f"基准{i}项目",
               "project_type": "industrial", "investment": Decimal(rng.randrange(1000, 500000)), "zone_id": zone_id,
               "city_id": city_id, "owner_unit_id": unit_id, "stage": stage, "received_on": received,
               "signed_on": received + timedelta(days=90) if stage == "signed" else None,
               "lost_on": received + timedelta(days=60) if stage == "lost" else None,
               "lost_from": "contacted" if stage == "lost" else "",
               "lost_reason": "基准数据" if stage == "lost" else ""}


def insert(model, records: Iterator[dict]) -> None:
    """Insert `records` (attname → value; every other field its default) by COPY or executemany, 10,000 rows a
    block, in one transaction per block."""
    from django.db import connection, transaction

    from kaifaqu.core.iterables import chunks

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    template = {f.attname: _default(f) for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pg = connection.vendor == "postgresql"
    for block in chunks(records, 10_000):
        rows = [[_value(pg, {**template, **r}[f.attname]) for f in fields] for r in block]
        with transaction.atomic(), connection.cursor() as cursor:
            if pg:
                with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {model._meta.db_table} ({columns}) "
                                   f"VALUES ({', '.join(['%s'] * len(fields))})", rows)


def _default(field) -> object:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return datetime.now(UTC)
    if field.has_default():
        return field.get_default()
    return None if field.null else ""


def _value(pg: bool, value: object) -> object:
    """Aware UTC timestamps for PostgreSQL; naive UTC text, as Django stores them, for SQLite."""
    if isinstance(value, datetime) and not pg:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value
