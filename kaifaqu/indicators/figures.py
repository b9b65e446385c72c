"""Pure arithmetic of SPEC §5: growth, group growth, completion, time progress (Decimal, None for "—")."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def growth(this: Decimal | None, last: Decimal | None, reported: Decimal | None = None) -> Decimal | None:
    """The reported growth (统计部门口径) when there is one, else (this − last) ÷ last in %; None if last is 0."""
    if reported is not None:
        return pct(Decimal(reported))
    if this is None or not last:
        return None
    return pct((Decimal(this) - Decimal(last)) * 100 / Decimal(last))


def group_growth(pairs: list[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """A group's growth: Σ this ÷ Σ last − 1 over the members that have both (never an average of rates)."""
    both = [(t, last) for t, last in pairs if t is not None and last is not None]
    total_last = sum((last for _, last in both), Decimal(0))
    if not both or not total_last:
        return None
    return pct((sum((t for t, _ in both), Decimal(0)) - total_last) * 100 / total_last)


def time_progress(month: date) -> Decimal:
    """时序进度 of month N: N ÷ 12, in %."""
    return pct(Decimal(month.month) * 100 / 12)


def completion(ytd: Decimal | None, annual_target: Decimal | None) -> Decimal | None:
    """完成率: year-to-date ÷ the annual target, in %."""
    if ytd is None or not annual_target:
        return None
    return pct(Decimal(ytd) * 100 / Decimal(annual_target))


def share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """占全市比重 in %."""
    if part is None or not whole:
        return None
    return pct(Decimal(part) * 100 / Decimal(whole))
