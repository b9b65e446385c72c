"""The projects listed in a set of campaigns — each project once, with the batches it was listed in — and the
counts and sums over them. Campaign statistics, composition and the 三未 lists all read this one relation:

    projects ⋈ (SELECT project_id, listed-in-sign?, listed-in-start?, listed-in-produce?
                FROM campaign entries WHERE campaign IN (…) GROUP BY project_id)

grouped by the batch flags and by each condition a figure needs (started by D? alive on D? industrial? …) into a
few dozen "cells"; each figure is then a sum over cells (`tally`). So one pass evaluates each condition once per
project, where the ORM's alternative — a `pk IN (entries of batch X)` semi-join per batch, and an aggregate with
its own FILTER per figure — reads the projects three times and the conditions fourteen times (over 200,000
projects, three times as slow). The relation is SQL because the ORM cannot join a grouped subquery; every
condition stays a `Q` compiled by the ORM, so "started by D" has one definition (`selectors.started_by`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet

from .choices import Batch
from .models import CampaignEntry, Project

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


def listed_from(base: QuerySet[Project], campaign_ids: list[int], batches: bool = True) -> tuple[str, list]:
    """`FROM …`: the projects of `base` (a scoped, filtered queryset) listed in the campaigns, joined to their batch
    flags (`listed.in_sign` …). The scope narrows the entries before they are grouped, so a city's figures group
    the city's entries. Without `batches`, a plain semi-join: no grouping, no flags."""
    entries = _qn(CampaignEntry._meta.db_table)
    marks = ", ".join(["%s"] * len(campaign_ids))
    params: list = list(campaign_ids)
    scope = ""
    if base.query.where:
        scope_sql, scope_params = base.order_by().values("pk").query.sql_with_params()
        scope = f" AND project_id IN ({scope_sql})"
        params += scope_params
    listed = f"FROM {entries} WHERE campaign_id IN ({marks}){scope}"
    if not batches:
        return f"FROM {_qn(TABLE)} WHERE {column('id')} IN (SELECT project_id {listed})", params
    flags = ", ".join(f"MAX(CASE WHEN batch = %s THEN 1 ELSE 0 END) AS {flag}" for flag in FLAGS.values())
    sql = (f"FROM {_qn(TABLE)} INNER JOIN (SELECT project_id, {flags} {listed} GROUP BY project_id) listed "
           f"ON listed.project_id = {column('id')}")
    return sql, [*BATCHES, *params]


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
    bits, params = [f"{1 << i} * listed.{flag}" for i, flag in enumerate(FLAGS.values()) if batches] or ["0"], []
    for i, q in enumerate(keys.values(), start=len(FLAGS)):
        sql, p = where_sql(q)
        bits.append(f"CASE WHEN {sql} THEN {1 << i} ELSE 0 END")
        params += p
    selects = [f"{' + '.join(bits)} AS cell", *([column(group_by)] if group_by else [])]
    aggregates = ["COUNT(*)", *[f"SUM({column(c)})" for c in sums]]
    from_sql, from_params = listed_from(base, ids, batches)
    group = ", ".join(str(i) for i in range(1, len(selects) + 1))
    sql = f"SELECT {', '.join(selects + aggregates)} {from_sql} GROUP BY {group}"
    names = [*BATCHES, *keys]
    cells = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params + from_params)
        for row in cursor.fetchall():
            code, width = row[0], len(selects)
            marked = {name for i, name in enumerate(names) if code & (1 << i)}
            cells.append(Cell(
                batches=frozenset(marked & set(BATCHES)), keys=frozenset(marked - set(BATCHES)),
                count=row[width], sums={c: _decimal(v) for c, v in zip(sums, row[width + 1 :], strict=True)},
                group=row[1] if group_by else None))
    return cells


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
    (all when None). One query: each project is tagged with its list, and each list counted and numbered with
    window functions."""
    ids = list(campaign_ids)
    out: dict[str, tuple[int, list[int]]] = {name: (0, []) for name in lists}
    if not ids or _sees_nothing(base):
        return out
    whens, params = [], []
    for name, (q, batch) in lists.items():
        sql, p = where_sql(q)
        flag = f"listed.{FLAGS[Batch(batch)]} = 1 AND " if batch else ""
        whens.append(f"WHEN {flag}({sql}) THEN %s")
        params += [*p, name]
    from_sql, from_params = listed_from(base, ids)
    tagged = (f"SELECT CASE {' '.join(whens)} END AS list, {column('id')} AS id, {column('zone_id')} AS zone_id, "
              f"{column('code')} AS code {from_sql}")
    numbered = ("SELECT list, id, ROW_NUMBER() OVER (PARTITION BY list ORDER BY zone_id, code) AS n, "
                f"COUNT(*) OVER (PARTITION BY list) AS size FROM ({tagged}) AS tagged WHERE list IS NOT NULL")
    # Each list's first row comes back even outside the window, to carry the list's size.
    sql = f"SELECT list, id, n, size FROM ({numbered}) AS numbered WHERE n = 1 OR (n > %s"
    tail = [offset]
    if limit is not None:
        sql += " AND n <= %s"
        tail.append(offset + limit)
    sizes, windows = {}, {name: [] for name in lists}
    with connection.cursor() as cursor:
        cursor.execute(f"{sql}) ORDER BY list, n", params + from_params + tail)
        for name, pk, n, size in cursor.fetchall():
            sizes[name] = size
            if n > offset and (limit is None or n <= offset + limit):
                windows[name].append(pk)
    return {name: (sizes.get(name, 0), windows[name]) for name in lists}
