"""Template filters: numbers with thousands separators and fixed decimals, booleans in Chinese."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def num(value, places: int = 2) -> str:
    """1234.5 → "1,234.50"; None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{d:,.{int(places)}f}"


@register.filter
def num_unit(value, unit: str) -> str:
    """383.2 with "公顷" → "383.20 公顷"; None → "—" (no unit after a missing figure)."""
    text = num(value)
    return text if text == "—" else f"{text} {unit}"


@register.filter
def yi(value) -> str:
    """万元 → 亿元 with two decimals: 2223900 → "222.39"; None → "—"."""
    from kaifaqu.core.money import yi as to_yi

    return num(to_yi(value)) if value is not None else "—"


@register.filter
def pct(value) -> str:
    """76.45 → "76.45%"; None (an empty base) → "—"."""
    return "—" if value is None else f"{num(value)}%"


@register.filter
def yesno_cn(value) -> str:
    return {True: "是", False: "否"}.get(value, "未知")


@register.filter
def get_item(mapping, key):
    """{{ dict|get_item:key }}"""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.inclusion_tag("core/_phone.html", takes_context=True)
def phone(context, record, unmask: bool = False) -> dict:
    """A record's phone as the user may see it (`core.privacy`): in full, or masked — with, when `unmask` and the
    user may ask for it, the "查看完整号码" button (audited)."""
    from django.urls import reverse

    from kaifaqu.core.privacy import UNMASKABLE, may_unmask, shown_phone

    user = context["request"].user
    url = ""
    if unmask and may_unmask(user, record):
        kind = next(k for k, label in UNMASKABLE.items() if label == record._meta.label)
        url = reverse("core:phone_unmask", args=[kind, record.pk])
    return {"shown": shown_phone(user, record), "unmask_url": url}
