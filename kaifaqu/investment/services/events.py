"""Promotion events (招商活动) and the city's totals of signed promotion projects (全市数)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from kaifaqu.accounts.models import OrgUnit
from kaifaqu.accounts.roles import can_organise
from kaifaqu.zones.models import Region, Zone

from ..choices import EventKind
from ..models import CityPromotionTotal, PromotionEvent
from .base import LeadError, NotPermitted, check_version, money, require_work

EVENT_FIELDS = {"name", "date", "city", "kind", "venue", "organiser", "note"}


def _checked_event(user, values: dict) -> dict:
    unknown = set(values) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"not event fields: {sorted(unknown)}")
    out = dict(values)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise LeadError("请填写活动名称", "name")
    if "kind" in out and out["kind"] not in EventKind.values:
        raise LeadError(f"未知的活动类型：{out['kind']}", "kind")
    if "organiser" in out:
        require_work(user, out["organiser"], "该单位的招商活动")
    city = out.get("city")
    if city is not None and not _city_visible(user, city):
        raise LeadError("所属市不存在或不在您的范围内", "city")
    return out


def _city_visible(user, city: Region) -> bool:
    return user.is_superuser or Zone.objects.visible_to(user).filter(city=city).exists()


def _save_event(event: PromotionEvent) -> None:
    clash = PromotionEvent.objects.filter(city=event.city, name=event.name, date=event.date).exclude(pk=event.pk)
    if clash.exists():
        raise LeadError("同一市同一天已有同名活动", "name")
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        raise LeadError("同一市同一天已有同名活动", "name") from None


@transaction.atomic
def event_create(*, user, name: str, date: date, city: Region, kind: str, organiser: OrgUnit | None = None,
                 venue: str = "", note: str = "") -> PromotionEvent:
    """Record a promotion event (登记招商活动), organised by the user's unit unless another in their subtree."""
    values = _checked_event(user, {"name": name, "date": date, "city": city, "kind": kind,
                                   "organiser": organiser or user.org_unit, "venue": venue, "note": note})
    event = PromotionEvent(**values)
    _save_event(event)
    return event


@transaction.atomic
def event_update(*, user, event: PromotionEvent, version: int | None, **changes) -> PromotionEvent:
    """Change an event; refused without the version the editor loaded (`version`) or if it was saved since."""
    current = PromotionEvent.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=event.pk)
    require_work(user, current.organiser, "该招商活动")
    check_version(current, version)
    for key, value in _checked_event(user, changes).items():
        setattr(current, key, value)
    current.version += 1
    _save_event(current)
    return current


# ---- city totals ---------------------------------------------------------------------------------------------

@transaction.atomic
def city_total_set(*, user, city: Region, year: int, signed_projects: int, signed_investment: Decimal,
                   note: str = "") -> CityPromotionTotal:
    """Enter the city's signed promotion projects and investment of a year (全市招商引资签约数), the base of
    the shares. Province or city admins and reviewers, for a city in their scope."""
    if not can_organise(user) or not _city_visible(user, city):
        raise NotPermitted("只有省、市的管理员或审核员可以填报全市数")
    if not 2000 <= int(year) <= 2100:
        raise LeadError("年度不正确", "year")
    if int(signed_projects) < 0:
        raise LeadError("全市签约项目数不能为负数", "signed_projects")
    investment = money(signed_investment, "全市签约投资额", "signed_investment")
    total, _ = CityPromotionTotal.objects.update_or_create(
        city=city, year=year,
        defaults={"signed_projects": signed_projects, "signed_investment": investment, "note": note.strip()[:300]})
    return total


