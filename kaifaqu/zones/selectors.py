"""Reads of the zones app: the scoped zone list with its filters, and figures for the home page."""

from __future__ import annotations

import re

from django.db.models import Count, Q, QuerySet, Sum

from .models import Zone

_ASCII_WORD = re.compile(r"^[A-Za-z0-9-]+$")


def zone_list(*, user, city: str | None = None, level: str | None = None, kind: str | None = None,
              q: str | None = None) -> QuerySet[Zone]:
    """The zones `user` may see, filtered; `city` is a GB/T 2260 code or a name (阳泉市 or 阳泉), `q` matches the
    name, short name, code or pinyin initials (e.g. "yqjk")."""
    qs = Zone.objects.visible_to(user).select_related("city", "county", "province")
    if city:
        qs = qs.filter(Q(city__code=city) | Q(city__name=city) | Q(city__name=f"{city}市"))
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if q and q.strip():
        qs = qs.filter(_search(q.strip()))
    return qs.order_by("city__code", "-level", "code")


def tallied_zones(*, user, city: str = "", zone: str = "") -> QuerySet[Zone] | None:
    """The zones whose kept tally rows (core/tally.py) make up `user`'s scope narrowed to a city (code or name) and
    a zone (code) — the same narrowing the project and ticket lists apply — or None for every zone (a superuser
    not narrowing), so the tally is read whole."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False) and not city and not zone:
        return None
    zones = Zone.objects.visible_to(user)
    if city:
        zones = zones.filter(Q(city__code=city) | Q(city__name=city) | Q(city__name=f"{city}市"))
    return zones.filter(code=zone) if zone else zones


def _search(q: str) -> Q:
    cond = Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q)
    if _ASCII_WORD.match(q):
        cond |= Q(pinyin_initials__contains=q.lower())
    return cond


def zone_summary(*, user) -> dict:
    """Counts and approved area of the user's zones, overall and by level."""
    qs = Zone.objects.visible_to(user)
    totals = qs.aggregate(count=Count("id"), area=Sum("approved_area_ha"))
    by_level = dict(qs.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    return {**totals, "national": by_level.get("national", 0), "provincial": by_level.get("provincial", 0)}


def zone_map_points(*, user) -> list[dict]:
    """[{name, code, city, level, value: [lon, lat]}] for the user's zones that have a location."""
    rows = (Zone.objects.visible_to(user).filter(lon__isnull=False, lat__isnull=False)
            .values("id", "code", "name", "short_name", "level", "lon", "lat", "city__name"))
    return [
        {"id": r["id"], "code": r["code"], "name": r["short_name"] or r["name"], "full_name": r["name"],
         "level": r["level"], "city": r["city__name"], "value": [str(r["lon"]), str(r["lat"])]}
        for r in rows
    ]
