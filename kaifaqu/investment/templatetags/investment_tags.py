"""Template filters of the 招商 pages: figures written as the briefings write them."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from kaifaqu.core.money import yi

register = template.Library()


@register.filter
def brief_yi(wan) -> str:
    """万元 → 亿元 as a briefing writes it, without trailing zeros: 3750000 → "375", 1266000 → "126.6"."""
    value = yi(wan)
    return "—" if value is None else f"{value.normalize():f}"


@register.filter
def brief_pct(value) -> str:
    """A two-decimal rate with one decimal, as the briefings write shares: 47.92 → "47.9"."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
