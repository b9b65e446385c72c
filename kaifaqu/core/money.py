"""Money and rates (SPEC §3): amounts are Decimal 万元; totals shown in 亿元 with two decimals; rates in %."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WAN_PER_YI = Decimal(10000)
CENT = Decimal("0.01")


def cents(value: Decimal | int | None) -> Decimal:
    """An amount with its two decimals (SQLite returns sums unscaled; an empty sum is 0)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def yi(wan: Decimal | int | None) -> Decimal | None:
    """万元 → 亿元, two decimals (222390 → 22.24)."""
    if wan is None:
        return None
    return (Decimal(wan) / WAN_PER_YI).quantize(CENT, rounding=ROUND_HALF_UP)


def rate(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """part ÷ whole in percent with two decimals; None when the whole is empty (shown as "—")."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)
