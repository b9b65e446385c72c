"""How many rows a list holds, and their totals, without reading every visible row (SPEC §12's `count`).

A list answers `{"items": [...], "count": N}`. Counting N by reading the rows costs a scan that grows with the
table, on every page. So:
- a scope-only list (the user's scope, narrowed to a city, a zone or a stage/status) reads its kept tally
  (core/tally.py): exact, whatever the size, and the totals with it;
- a list filtered otherwise is counted exactly (with its totals) when it holds at most `KAIFAQU_EXACT_COUNT_LIMIT`
  rows (10,000 by default) — one query that stops after reading one row more than that; above it, the count is an
  estimate, flagged `exact=False` (`count_exact` in the API, "约" on the pages), and the totals are not computed:
  PostgreSQL's planner estimate of the filtered rows, or on SQLite the share of a sample of the scope's rows
  that match, times the scope's kept count. The estimate is asked first when the scope holds over twice the
  limit: when it says over twice the limit too, the rows are not read at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet, Sum

from .money import cents
from .tally import Tally, amounts

SAMPLE = 10_000  # SQLite: rows of the scope whose share of matches estimates a large filtered list


@dataclass(frozen=True)
class ListCount:
    """A list's count (exact, or an estimate) and, when exact, the sums of its amounts (万元)."""

    count: int
    exact: bool = True
    sums: dict[str, Decimal] | None = None

    def total(self, name: str) -> Decimal | None:
        """One of the sums, or None when the count is an estimate (the totals were not computed)."""
        return None if self.sums is None else self.sums.get(name)


def count_note(*, what: str, kept_by: str, sums: str = "") -> str:
    """The API documentation of a list's `count` (and `count_exact`)."""
    totals = f"，此时不计算{sums}（为 null）" if sums else ""
    return (f"`count` 为符合条件的{what}数：仅按权限范围和{kept_by}筛选时取自汇总表，精确；按其他条件筛选时，"
            f"结果不超过一万条为精确值，超过时为估算值（`count_exact` 为 false）{totals}。")


def exact_count_limit() -> int:
    return int(getattr(settings, "KAIFAQU_EXACT_COUNT_LIMIT", 10_000))


def tally_count(rows: QuerySet, tally: type[Tally]) -> ListCount:
    """The count and sums of a scope from its tally rows (one query over a few hundred rows)."""
    totals = rows.order_by().aggregate(count=Sum("count"), **{name: Sum(name) for name in tally.sums})
    return ListCount(count=int(totals["count"] or 0), sums=amounts(totals, tally))


def bounded_count(qs: QuerySet, *, sums: Sequence[str] = (), scope_count: Callable[[], int],
                  scope_rows: Callable[[], QuerySet]) -> ListCount:
    """The exact count and sums of a filtered list when it holds at most the limit; else an estimate.
    `scope_count()`: the unfiltered scope's kept count; `scope_rows()`: its rows (SQLite's estimate samples them)."""
    limit = exact_count_limit()
    # Clearly above the limit by a first estimate (and by the scope's size): no need to read that many rows.
    whole, guess = scope_count(), None
    if whole > 2 * limit:
        guess = _first_estimate(qs, scope_rows, whole)
        if guess is not None and guess > 2 * limit:
            return ListCount(count=min(guess, whole), exact=False)
    inner = qs.order_by().values(*(sums or ["pk"]))[: limit + 1]
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a filter that nothing can match (an unknown city)
        return ListCount(count=0, sums={name: cents(0) for name in sums})
    selected = ["count(*)", *(f"sum({connection.ops.quote_name(name)})" for name in sums)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selected)} FROM ({sql}) bounded", params)
        count, *totals = cursor.fetchone()
    if count <= limit:
        return ListCount(count=count, sums={name: cents(Decimal(str(v or 0))) for name, v in zip(sums, totals,
                                                                                                strict=True)})
    if guess is None:  # (not asked yet: the scope holds at most twice the limit)
        guess = _first_estimate(qs, scope_rows, whole) or 0
    return ListCount(count=max(limit + 1, min(guess, whole)), exact=False)


def _first_estimate(qs: QuerySet, scope_rows: Callable[[], QuerySet], scope_count: int) -> int | None:
    """How many rows the filtered list `qs` may hold, without counting them: PostgreSQL's planner estimate, or on
    SQLite the share of the scope's first `SAMPLE` rows that match, times the scope's kept count."""
    if connection.vendor == "postgresql":
        return _planned_rows(qs)
    sample = scope_rows().order_by().values("pk")[:SAMPLE]
    try:
        matched = qs.order_by().filter(pk__in=sample).count()
    except EmptyResultSet:
        return None
    return round(matched * scope_count / (min(SAMPLE, scope_count) or 1))


def _planned_rows(qs: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows `qs` matches (EXPLAIN: no row is read); None if it matches nothing."""
    try:
        text = qs.order_by().values("pk").explain(format="json")
    except EmptyResultSet:
        return None
    if not text:  # Django explains a queryset that can match nothing (`.none()`) as ""
        return None
    return int(json.loads(text)[0]["Plan"]["Plan Rows"])


def scope_share(tally: type[Tally], rows: QuerySet) -> float | None:
    """SQLite: the share of the table that the tally rows `rows` (a scope's) hold, for the planner's hint
    (core/scope.py `likely`); None on PostgreSQL, whose statistics see it. One query over the tally."""
    if connection.vendor != "sqlite":
        return None
    totals = tally.objects.aggregate(whole=Sum("count"), mine=Sum("count", filter=Q(pk__in=rows.values("pk"))))
    return (totals["mine"] or 0) / totals["whole"] if totals["whole"] else None
