"""The measurements: each budget timed as p50/p95 over repeated runs, beside its raw floor."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

from .build import build, log

ROWS: list[tuple[str, float, float, float | None, str]] = []
GROUPS = {"selectors", "pages", "dispatch", "ledger", "throughput"}
THROUGHPUT: list[tuple[str, float, float]] = []


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds over `repeat` runs after one warm-up."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return statistics.median(runs), runs[max(0, int(round(0.95 * len(runs))) - 1)]


def record(name: str, fn: Callable[[], object], repeat: int, floor_ms: float | None, budget: str) -> None:
    p50, p95 = timed(fn, repeat)
    ROWS.append((name, p50, p95, floor_ms, budget))
    ratio = f"{p95 / floor_ms:6.1f}×" if floor_ms else "   —  "
    log(f"{name:<48} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  floor {floor_ms or 0:7.1f} ms  {ratio}  ({budget})")


def run(args) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection

    only = {g.strip() for g in args.only.split(",") if g.strip()} or GROUPS
    if "lists" in only:
        if only != {"lists"}:
            log("--only lists runs alone: it grows its own database from demo size")
            return 2
        from .lists import run_lists

        log(f"database: {connection.vendor}")
        run_lists(args, record)
        _summary()
        return 0
    if only & {"selectors", "pages", "dispatch", "ledger"}:
        build(projects=args.projects, campaigns=args.campaigns)
    else:  # throughput alone: whatever data the database holds (a national data set, or the lists group's)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    User = get_user_model()
    root, _ = User.objects.get_or_create(username="bench-root", defaults={"is_superuser": True, "is_staff": True})
    province = User.objects.get(username="province")
    log(f"database: {connection.vendor}; projects: {_count():,}")
    if "selectors" in only:
        _selectors(root, province, args.repeat)
    if "pages" in only:
        _pages(root, province, args.repeat)
    if "dispatch" in only:
        _dispatch(root, province, args.repeat)
    if "ledger" in only:
        _ledger(root, args.ledger_rows)
    if "throughput" in only:
        from .throughput import run_throughput

        run_throughput(args, THROUGHPUT)
    _summary()
    return 0


def _count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM projects_project")
        return cursor.fetchone()[0]


def sql_floor(sql: str, repeat: int) -> float:
    """p95 (ms) of one hand-written statement, its rows fetched: a measurement's floor (floors.py)."""
    from django.db import connection

    def run_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return timed(run_sql, repeat)[1]


def _selectors(root, province, repeat: int) -> None:
    from kaifaqu.projects.listed import since_date
    from kaifaqu.projects.models import Campaign
    from kaifaqu.projects.selectors import (
        campaign_composition,
        campaign_stats,
        campaigns_between,
        key_chain_ids,
        three_un,
    )

    from . import floors

    ids = list(Campaign.objects.values_list("id", flat=True))  # the latest first
    as_of = date(2026, 11, 1)

    def stats(name: str, user, chosen: list[int]) -> None:
        floor = sql_floor(floors.campaign_stats_sql(user, chosen, since_date(chosen), as_of), repeat)
        record(name, lambda: campaign_stats(user=user, campaign_ids=chosen, as_of=as_of), repeat, floor, "< 150 ms")

    # Every campaign since a date (all, the latest few, 三未 up to today) is answered from the projects' listing
    # dates; any other set (the earliest few; 三未 as of a past date) joins the campaign entries (listed.py).
    stats("campaign_stats, 40 campaigns, national", root, ids)
    stats("campaign_stats, 40 campaigns, Shanxi province", province, ids)
    stats("campaign_stats, one campaign, national", root, ids[:1])
    stats("campaign_stats, five latest campaigns, national", root, ids[:5])
    stats("campaign_stats, five earliest campaigns (joined), national", root, ids[-5:])
    floor = sql_floor(floors.composition_sql(root, ids, since_date(ids), list(key_chain_ids())), repeat)
    record("campaign_composition, 40 campaigns, national", lambda: campaign_composition(
        user=root, campaign_ids=ids), repeat, floor, "< 150 ms")
    sizes = {k: v["count"] for k, v in three_un(user=root, since=date(2019, 1, 1), as_of=as_of, limit=0).items()}
    log(f"三未 sizes (national, since 2019): {sizes}")

    def un(name: str, user, since: date, on: date) -> None:
        chosen = list(campaigns_between(since, on).values_list("id", flat=True))
        floor = sql_floor(floors.three_un_sql(user, chosen, since_date(chosen), on, 200), repeat)
        record(name, lambda: three_un(user=user, since=since, as_of=on, limit=200), repeat, floor, "< 150 ms")

    un("three_un since 2019 (counts + first 200), national", root, date(2019, 1, 1), as_of)
    un("three_un since 2019 (counts + first 200), province", province, date(2019, 1, 1), as_of)
    un("three_un since 2019 as of 2023-12-31 (joined), national", root, date(2019, 1, 1), date(2023, 12, 31))
    un("three_un, five latest campaigns, national", root, Campaign.objects.order_by("-date")[4].date, as_of)


def _pages(root, province, repeat: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from . import floors

    client = Client()
    client.force_login(root)
    shanxi = Client()
    shanxi.force_login(province)

    def get(c: Client, url: str) -> Callable[[], object]:
        def fetch():
            resp = c.get(url)
            assert resp.status_code == 200, (url, resp.status_code)
        return fetch

    def page(name: str, c: Client, url: str, sql: str, budget: str) -> None:
        record(name, get(c, url), repeat, sql_floor(sql, repeat), budget)

    overdue = floors.overdue_sql(timezone.localdate())
    page("page /projects/ (national, no filter)", client, "/projects/", floors.project_page_sql(root), "< 100 ms")
    page("page /projects/?stage=started&band=1", client, "/projects/?stage=started&band=1",
         floors.project_page_sql(root, "p.stage = 'started' AND p.total_investment >= 10000"), "< 100 ms")
    page("page /projects/?type=industrial&overdue=on (province)", shanxi, "/projects/?type=industrial&overdue=on",
         floors.project_page_sql(province, f"p.type = 'industrial' AND {overdue}"), "< 100 ms")
    page("page /zones/ (national)", client, "/zones/", floors.zone_page_sql(50), "—")
    page("api /api/v1/zones?limit=500 (national)", client, "/api/v1/zones?limit=500", floors.zone_page_sql(500), "—")


def _dispatch(root, province, repeat: int) -> None:
    """The dispatch table and the ranking for a month over every zone; a city's table."""
    from django.db import connection

    from kaifaqu.accounts.models import User
    from kaifaqu.indicators.models import AssessmentScheme
    from kaifaqu.indicators.ranking import ranking
    from kaifaqu.indicators.selectors import dispatch_table

    month = date(2026, 9, 1)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("SELECT v.ytd, v.last_ytd FROM indicators_reportvalue v JOIN indicators_monthlyreport r "
                           "ON r.id = v.report_id WHERE r.month = %s", [month])
            return cursor.fetchall()

    floor = timed(raw, repeat)[1]
    log(f"floor: read the month's {len(raw()):,} values raw: {floor:.1f} ms")
    yangquan = User.objects.get(username="yangquan")
    record("dispatch_table, national (all zones), one month", lambda: dispatch_table(user=root, month=month),
           repeat, floor, "< 150 ms")
    record("dispatch_table, Shanxi province", lambda: dispatch_table(user=province, month=month), repeat, floor,
           "< 150 ms")
    record("dispatch_table, one city (阳泉)", lambda: dispatch_table(user=yangquan, month=month), repeat, floor,
           "< 50 ms")
    for scheme in AssessmentScheme.objects.filter(year=2026):
        record(f"ranking {scheme.name}", lambda s=scheme: ranking(scheme=s, month=month, user=root), repeat, floor,
               "< 150 ms")


def _ledger(root, rows: int) -> None:
    """Export `rows` projects, import the file back (no change), and import `rows` new projects."""
    import python_calamine
    from django.db import connection

    from kaifaqu.core.models import ObjectChange
    from kaifaqu.projects.ledger import ledger_export, ledger_import
    from kaifaqu.projects.models import Project

    qs = Project.objects.filter(pk__in=Project.objects.order_by("pk").values("pk")[:rows]).select_related(
        "zone", "park", "chain").order_by("pk")
    t = time.perf_counter()
    data = ledger_export(projects=qs)
    export_s = time.perf_counter() - t
    t = time.perf_counter()
    wb = python_calamine.CalamineWorkbook.from_filelike(__import__("io").BytesIO(data))
    table = wb.get_sheet_by_index(0).to_python()
    read_s = time.perf_counter() - t
    insert_s = _raw_insert(table)
    floor_s = read_s + insert_s
    write_s = _raw_write(table)
    log(f"ledger file: {len(data) / 1e6:.1f} MB, {len(table):,} sheet rows; floors: calamine read {read_s:.2f} s, "
        f"raw insert {insert_s:.2f} s, XlsxWriter alone {write_s:.2f} s")
    _ledger_row(f"ledger export {rows:,} rows", export_s, write_s, "< 5 s")
    _settled()
    t = time.perf_counter()
    report = ledger_import(user=root, data=data, dry_run=False)
    _ledger_row(f"ledger import {rows:,} rows back (round trip: {report.updated} updated)",
                time.perf_counter() - t, floor_s, "< 10 s")
    _phases(report)
    last_change = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()  # the log after this
    changed = _changed(data)  # every project's completed investment + 1 万元: the monthly update of a ledger
    _settled()
    t = time.perf_counter()
    report = ledger_import(user=root, data=changed, dry_run=False)
    _ledger_row(f"ledger import {rows:,} changed rows ({report.updated:,} updated)", time.perf_counter() - t,
                floor_s, "< 10 s")
    _phases(report)
    ledger_import(user=root, data=data, dry_run=False)  # back as they were, for later `--keep` runs
    fresh = ledger_export(projects=qs)  # same rows, re-keyed below as new projects
    new_data = _rekeyed(fresh)
    last_id = Project.objects.order_by("-pk").values_list("pk", flat=True).first()
    _settled()
    t = time.perf_counter()
    report = ledger_import(user=root, data=new_data, dry_run=False)
    _ledger_row(f"ledger import {rows:,} new rows ({report.created:,} created)", time.perf_counter() - t, floor_s,
                "< 10 s")
    _phases(report)
    # Leave the data set as it was, so that a later `--keep` run measures the same thing.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_stageevent WHERE project_id > %s", [last_id])
        cursor.execute("DELETE FROM projects_campaignentry WHERE project_id > %s", [last_id])
        cursor.execute("DELETE FROM projects_project WHERE id > %s", [last_id])
        cursor.execute("DELETE FROM core_objectchange WHERE id > %s", [last_change])
    _settled()


def _settled() -> None:
    """PostgreSQL: the space the rows an earlier measurement deleted or updated held made reusable, and the WAL it
    wrote checkpointed, so that each import is timed from the same state: otherwise a checkpoint forced by the
    previous import's WAL (the server's max_wal_size) lands in the next one, seconds that are not its own."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) projects_project, projects_stageevent, projects_campaignentry, "
                       "core_objectchange")
        cursor.execute("CHECKPOINT")  # (a superuser's or pg_checkpoint's: the bench's database owner, here)


def _phases(report) -> None:
    log("    phases: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.seconds.items()))


def _raw_insert(table: list[list]) -> float:
    """Seconds to insert the sheet's rows, as text, into a bare table with the backend's fastest raw bulk insert:
    COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    width = max(len(r) for r in table)
    rows = [[None if v == "" else str(v) for v in (list(r) + [""] * (width - len(r)))] for r in table]
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_floor ({', '.join(f'c{i} text' for i in range(width))})")
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_floor FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO bench_floor VALUES ({', '.join(['%s'] * width)})", rows)
        cursor.execute("DROP TABLE bench_floor")
    return time.perf_counter() - t


def _raw_write(table: list[list]) -> float:
    """Seconds to write the same cells with XlsxWriter alone (its write_row, no formats)."""
    import io

    import xlsxwriter

    t = time.perf_counter()
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(table):
        ws.write_row(r, 0, row)
    wb.close()
    return time.perf_counter() - t


def _rekeyed(data: bytes) -> bytes:
    """The same ledger with codes blanked and names changed, so every row creates a project."""
    def edit(header: list[str], row: list) -> dict[int, object]:
        name = header.index(_label(header, "项目名称"))
        return {header.index(_label(header, "项目编号")): "", name: f"新{row[name]}"}
    return _rewritten(data, edit)


def _changed(data: bytes) -> bytes:
    """The same ledger with every project's completed investment one 万元 higher."""
    def edit(header: list[str], row: list) -> dict[int, object]:
        col = header.index(_label(header, "累计完成投资"))
        return {col: float(row[col] or 0) + 1}
    return _rewritten(data, edit)


def _label(header: list[str], start: str) -> str:
    return next(h for h in header if h.strip("*").startswith(start))


def _rewritten(data: bytes, edit) -> bytes:
    """The ledger's data rows under a plain header row, with the cells `edit(header, row)` gives ("" = blank)."""
    import datetime
    import io

    import python_calamine
    import xlsxwriter

    table = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header_at = next(i for i, r in enumerate(table) if "项目名称" in [str(c).strip("*") for c in r])
    header = [str(c) for c in table[header_at]]
    name_col = header.index(_label(header, "项目名称"))
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet()
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, header)
    for r, row in enumerate(table[header_at + 1:], start=1):
        if not row[name_col] or str(row[0]) == "合计":
            continue
        cells = edit(header, row)
        for c, v in enumerate(row):
            v = cells.get(c, v)
            if hasattr(v, "year"):
                ws.write_datetime(r, c, datetime.datetime(v.year, v.month, v.day), date_fmt)
            elif v != "":
                ws.write(r, c, v)
    wb.close()
    return out.getvalue()


def _ledger_row(name: str, seconds: float, floor_s: float, budget: str) -> None:
    ROWS.append((name, seconds * 1000, seconds * 1000, floor_s * 1000, budget))
    log(f"{name:<48} {seconds:8.2f} s   floor {floor_s:6.2f} s   {seconds / floor_s:5.1f}×  ({budget})")


def _summary() -> None:
    if ROWS:
        print("\n| measurement | p50 ms | p95 ms | floor ms | ratio | budget |")
        print("|---|---:|---:|---:|---:|---|")
    for name, p50, p95, floor, budget in ROWS:
        ratio = f"{p95 / floor:.1f}×" if floor else "—"
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {floor or 0:.1f} | {ratio} | {budget} |")
    if THROUGHPUT:
        print("\n| throughput | req/s | trivial ÷ this |")
        print("|---|---:|---:|")
    for name, rate, slower in THROUGHPUT:
        print(f"| {name} | {rate:.1f} | {slower:.2f}× |")
