"""The projects listed in a set of campaigns — each project once, with the batches it was listed in — and the
counts and sums over them. Campaign statistics, composition and the 三未 lists all read this one relation
(`listed_from`), in one of two forms:

- the set is every campaign since a date D (all campaigns, the latest few, the 三未 page's "since"): the projects
  whose own listing dates (listing.py) say so, `sign_listed_on >= D` and so on — one scan of the projects table;
- any other set: the projects joined to their entries in the set, grouped by project —

      projects ⋈ (SELECT project_id, listed-in-sign?, listed-in-start?, listed-in-produce?
                  FROM campaign entries WHERE campaign IN (…) GROUP BY project_id)

Either way the listed projects are grouped by the batch flags and by each condition a figure needs (started by
D? alive on D? industrial? …) into a few dozen "cells"; each figure is then a sum over cells (`tally`). So one pass
evaluates each condition once per project, where the ORM's alternative — a `pk IN (entries of batch X)` semi-join
per batch, and an aggregate with its own FILTER per figure — reads the projects three times and the conditions
fourteen times. The relation is SQL because the ORM cannot join a grouped subquery; every condition stays a `Q`
compiled by the ORM, so "started by D" has one definition (`selectors.started_by`). Over the national data set
(200,000 projects, 40 campaigns) the first form takes 三未 from 190–320 ms to about 120 (`python -m bench`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet

from .choices import Batch
from .listing import LISTED_ON as LISTING_DATES
from .models import Campaign, CampaignEntry, Project

ZERO = Decimal(0)
FLAGS = {Batch.SIGN: "in_sign", Batch.START: "in_start", Batch.PRODUCE: "in_produce"}
BATCHES = [b.value for b in FLAGS]


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


TABLE = Project._meta.db_table


def column(attname: str) -> str:
    return f"{_qn(TABLE)}.{_qn(Project._meta.get_field(attname).column)}"


def where_sql(q: Q) -> tuple[str, list]:
    """`q` (on Project's own columns) as SQL over the projects table, compiled by the ORM."""
    query = Project.objects.filter(q).query
    if {alias for alias, uses in query.alias_refcount.items() if uses} - {TABLE}:
        raise ValueError(f"a listed-project condition may only use the project's own columns: {q}")
    return _compiled_where(query)


def _compiled_where(query) -> tuple[str, list]:
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


def _sees_nothing(base: QuerySet[Project]) -> bool:
    """The queryset can match no project — a user who may see nothing, a scope of no zones — so its SQL cannot be
    written (Django raises EmptyResultSet) and every figure is empty."""
    try:
        base.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return True
    return False


@dataclass
class Listed:
    """`FROM …` of the projects of a scope listed in a campaign set, with an SQL expression (0 or 1) per batch
    flag: listed in that batch of the set? `params` are the FROM's; each flag carries its own."""

    from_sql: str
    params: list
    flags: dict[str, tuple[str, list]]


def listed_from(base: QuerySet[Project], campaign_ids: list[int], since: date | None, batches: bool = True) -> Listed:
    """The projects of `base` (a scoped, filtered queryset) listed in the campaigns. When the set is every
    campaign since a date (`since`, from `since_date`), a condition on the projects' own listing dates
    (listing.py); otherwise the projects joined to their entries in the set grouped by project (the scope narrows
    the entries before they are grouped) — or, without `batches`, a plain semi-join."""
    if since is not None:
        return _listed_since(base, since)
    entries = _qn(CampaignEntry._meta.db_table)
    marks = ", ".join(["%s"] * len(campaign_ids))
    params: list = list(campaign_ids)
    scope = ""
    if base.query.where:
        scope_sql, scope_params = base.order_by().values("pk").query.sql_with_params()
        scope = f" AND project_id IN ({scope_sql})"
        params += scope_params
    listed = f"FROM {entries} WHERE campaign_id IN ({marks}){scope}"
    flags = {b: (f"listed.{flag}", []) for b, flag in FLAGS.items()}
    if not batches:
        return Listed(f"FROM {_qn(TABLE)} WHERE {column('id')} IN (SELECT project_id {listed})", params, flags)
    grouped = ", ".join(f"MAX(CASE WHEN batch = %s THEN 1 ELSE 0 END) AS {flag}" for flag in FLAGS.values())
    sql = (f"FROM {_qn(TABLE)} INNER JOIN (SELECT project_id, {grouped} {listed} GROUP BY project_id) listed "
           f"ON listed.project_id = {column('id')}")
    return Listed(sql, [*BATCHES, *params], flags)


def since_date(campaign_ids: list[int]) -> date | None:
    """The date D if the campaigns are exactly every campaign held on or after D, else None. One query."""
    if not campaign_ids:
        return None
    rows = list(Campaign.objects.order_by().filter(
        date__gte=Campaign.objects.order_by().filter(pk__in=campaign_ids).values("date").order_by("date")[:1],
    ).values_list("pk", "date"))
    if {pk for pk, _ in rows} != set(campaign_ids):
        return None
    return min(on for _, on in rows)


def _listed_since(base: QuerySet[Project], since: date) -> Listed:
    """Projects listed in a campaign held on or after `since` (there is none after the last one), from their own
    listing dates: one scan of the projects table, no join."""
    dates = [column(field) for field in LISTING_DATES.values()]
    where = "(" + " OR ".join(f"{d} >= %s" for d in dates) + ")"
    params: list = [since] * len(dates)
    if base.query.where:
        scope_sql, scope_params = _scope_where(base)
        where += f" AND {scope_sql}"
        params += scope_params
    flags = {b: (f"CASE WHEN {column(LISTING_DATES[b])} >= %s THEN 1 ELSE 0 END", [since]) for b in FLAGS}
    return Listed(f"FROM {_qn(TABLE)} WHERE {where}", params, flags)


def _scope_where(base: QuerySet[Project]) -> tuple[str, list]:
    """`base`'s conditions over the projects table: compiled as they are if they read the projects table alone
    (a zone list, a stage), else as `id IN (subquery)`."""
    query = base.order_by().values("pk").query
    if not {alias for alias, uses in query.alias_refcount.items() if uses} - {TABLE}:
        return _compiled_where(query)
    sql, params = query.sql_with_params()
    return f"{column('id')} IN ({sql})", list(params)


@dataclass
class Cell:
    """The listed projects sharing one combination of batch flags and condition keys (and group, if any): how
    many, and the sums of the requested columns (Decimal 万元)."""

    batches: frozenset[str]
    keys: frozenset[str]
    count: int
    sums: dict[str, Decimal]
    group: object = None

    def has(self, *names: str) -> bool:
        """Listed in every named batch and meeting every named key."""
        return all(n in self.batches or n in self.keys for n in names)


def listed_cells(base: QuerySet[Project], campaign_ids: Iterable[int], keys: dict[str, Q], sums: Iterable[str] = (),
                 group_by: str | None = None, batches: bool = True) -> list[Cell]:
    """The projects of `base` listed in the campaigns, counted and summed (`sums`: Project attnames) per
    combination of the batches they were listed in and the conditions `keys` they meet — and per `group_by`
    value (a Project attname such as "zone_id") if given. One query; each condition is evaluated once per project,
    and figures such as "listed in the sign batch, started and alive" are then sums over cells (`tally`).
    `batches=False` when no figure needs the batches: the listing is then a cheaper semi-join."""
    ids, sums = list(campaign_ids), list(sums)
    if not ids or _sees_nothing(base):
        return []
    # Each project's cell as one integer, a bit per batch flag and per key: grouping by one integer is several
    # times cheaper than by eight columns (SQLite sorts the groups; PostgreSQL hashes them).
    listed = listed_from(base, ids, since_date(ids), batches)
    bits, params = ["0"], []
    if batches:
        bits = [f"{1 << i} * {listed.flags[b][0]}" for i, b in enumerate(FLAGS)]
        params = [p for b in FLAGS for p in listed.flags[b][1]]
    for i, q in enumerate(keys.values(), start=len(FLAGS)):
        sql, p = where_sql(q)
        bits.append(f"CASE WHEN {sql} THEN {1 << i} ELSE 0 END")
        params += p
    selects = ["cell", *(["grp"] if group_by else [])]
    inner = [f"{' + '.join(bits)} AS cell", *([f"{column(group_by)} AS grp"] if group_by else []),
             *[f"{column(c)} AS s{i}" for i, c in enumerate(sums)]]
    aggregates = ["COUNT(*)", *[f"SUM(s{i})" for i in range(len(sums))]]
    sql = (f"SELECT {', '.join(selects + aggregates)} FROM (SELECT {', '.join(inner)} {listed.from_sql}{_fence()}) "
           f"AS cells GROUP BY {', '.join(selects)}")
    names = [*BATCHES, *keys]
    cells = []
    for row in _fetch(sql, params + listed.params):
        code, width = row[0], len(selects)
        marked = {name for i, name in enumerate(names) if code & (1 << i)}
        cells.append(Cell(
            batches=frozenset(marked & set(BATCHES)), keys=frozenset(marked - set(BATCHES)),
            count=row[width], sums={c: _decimal(v) for c, v in zip(sums, row[width + 1 :], strict=True)},
            group=row[1] if group_by else None))
    return cells


def _fence() -> str:
    """Ends a subquery whose computed columns the outer query uses more than once. SQLite would flatten it and
    compute each column once per use (the cell or list CASE: a fifth of the statistics' time over 200,000
    projects); a LIMIT keeps it a subquery. PostgreSQL computes them once either way, and is slower fenced."""
    return " LIMIT -1" if connection.vendor == "sqlite" else ""


def _decimal(value) -> Decimal:
    """A sum as Decimal (SQLite returns REAL or INTEGER sums of decimal columns; an empty sum is NULL)."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def tally(cells: Iterable[Cell], *names: str, of: str | None = None) -> int | Decimal:
    """The count (or the sum of column `of`) over the cells listed in every named batch and meeting every named
    key."""
    chosen = [c for c in cells if c.has(*names)]
    if of is None:
        return sum(c.count for c in chosen)
    return sum((c.sums[of] for c in chosen), ZERO)


def listed_window(base: QuerySet[Project], campaign_ids: Iterable[int], lists: dict[str, tuple[Q, str | None]],
                  limit: int | None, offset: int = 0) -> dict[str, tuple[int, list[int]]]:
    """For each named list — (condition, the batch a project must have been listed in, or None); the lists must
    be disjoint — its size and the ids of its projects in ledger order (zone, code), `limit` of them from `offset`
    (all when None). Two queries, and no sort of the whole lists: on PostgreSQL each list counted per zone, then
    the projects of the zones the windows fall in (a few zones, read by the zone index); on SQLite
    (`_walked_windows`) the lists counted, then each window read by walking the (zone, code) index."""
    ids = list(campaign_ids)
    out: dict[str, tuple[int, list[int]]] = {name: (0, []) for name in lists}
    if not ids or _sees_nothing(base):
        return out
    since = since_date(ids)
    if connection.vendor == "sqlite":
        return _walked_windows(base, ids, since, lists, limit, offset)
    tagged, params = _tagged_sql(base, ids, since, lists)
    per_zone: dict[str, list[tuple[int, int]]] = {name: [] for name in lists}
    for name, zone_id, count in _fetch(f"SELECT list, zone_id, COUNT(*) FROM ({tagged}) AS tagged "
                                       "WHERE list IS NOT NULL GROUP BY list, zone_id", params):
        per_zone[name].append((zone_id, count))
    wanted: dict[str, tuple[set[int], int]] = {}  # list → (the zones its window falls in, its rows before them)
    for name, zones in per_zone.items():
        zones.sort()
        size = sum(count for _zone, count in zones)
        out[name] = (size, [])
        end = size if limit is None else min(size, offset + limit)
        if offset >= end:
            continue
        before, skipped, chosen = 0, 0, set()
        for zone_id, count in zones:
            if before + count <= offset:  # the whole zone comes before the window
                skipped = before + count
            elif before < end:
                chosen.add(zone_id)
            before += count
        wanted[name] = (chosen, skipped)
    if not wanted:
        return out
    zones = sorted(set().union(*(z for z, _ in wanted.values())))
    narrowed = base if limit is None else base.filter(zone_id__in=zones)
    rows: dict[str, list[tuple[int, str, int]]] = {name: [] for name in lists}
    tagged, params = _tagged_sql(narrowed, ids, since, lists)
    for name, pk, zone_id, code in _fetch(f"SELECT list, id, zone_id, code FROM ({tagged}) AS tagged "
                                          "WHERE list IS NOT NULL", params):
        if name in wanted and zone_id in wanted[name][0]:
            rows[name].append((zone_id, code, pk))
    for name, (_zones, skipped) in wanted.items():
        ordered = [pk for _zone, _code, pk in sorted(rows[name])]
        start = offset - skipped
        out[name] = (out[name][0], ordered[start:] if limit is None else ordered[start:start + limit])
    return out


def _walked_windows(base: QuerySet[Project], ids: list[int], since: date | None,
                    lists: dict[str, tuple[Q, str | None]], limit: int | None,
                    offset: int) -> dict[str, tuple[int, list[int]]]:
    """`listed_window` on SQLite, which groups by sorting (a third of the time of counting per zone over the
    national data set) but walks an index in order well: the lists' sizes in one pass without grouping, then
    each window from the (zone, code) index, which stops after `offset + limit` of the list's projects (a few
    milliseconds for a first page; the deeper the page, the longer the walk)."""
    tagged, params = _tagged_sql(base, ids, since, lists)
    counts = ", ".join("COALESCE(SUM(CASE WHEN list = %s THEN 1 ELSE 0 END), 0)" for _ in lists)
    (sizes,) = _fetch(f"SELECT {counts} FROM ({tagged}{_fence()}) AS tagged", [*lists, *params])
    out = {name: (size, []) for name, size in zip(lists, sizes, strict=True)}
    wanted = [name for name, size in zip(lists, sizes, strict=True) if size > offset and limit != 0]
    if not wanted:
        return out
    window = " LIMIT %s OFFSET %s" if limit is not None else ""
    parts, all_params = [], []
    for name in wanted:
        parts.append(f"SELECT * FROM (SELECT list, id, zone_id, code FROM ({tagged}) AS tagged WHERE list = %s "
                     f"ORDER BY zone_id, code{window})")
        all_params += [*params, name, *([limit, offset] if limit is not None else [])]
    rows: dict[str, list[tuple[int, str, int]]] = {name: [] for name in wanted}
    for name, pk, zone_id, code in _fetch(" UNION ALL ".join(parts), all_params):
        rows[name].append((zone_id, code, pk))
    for name in wanted:
        ordered = [pk for _zone, _code, pk in sorted(rows[name])]
        out[name] = (out[name][0], ordered if limit is not None else ordered[offset:])
    return out


def _tagged_sql(base: QuerySet[Project], campaign_ids: list[int], since: date | None,
                lists: dict[str, tuple[Q, str | None]]) -> tuple[str, list]:
    """The listed projects of `base`, each tagged with the name of its list (`list`, NULL for none) beside its
    id, zone_id and code: SQL and parameters."""
    listed = listed_from(base, campaign_ids, since)
    whens, params = [], []
    for name, (q, batch) in lists.items():
        sql, p = where_sql(q)
        flag_sql, flag_params = listed.flags[Batch(batch)] if batch else ("", [])
        whens.append(f"WHEN {flag_sql + ' = 1 AND ' if batch else ''}({sql}) THEN %s")
        params += [*flag_params, *p, name]
    return (f"SELECT CASE {' '.join(whens)} END AS list, {column('id')} AS id, {column('zone_id')} AS zone_id, "
            f"{column('code')} AS code {listed.from_sql}", params + listed.params)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
