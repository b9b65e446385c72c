"""Reads of the accounts app: the security audit log as an admin of a subtree reads it, a user's own API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .audit import AuditEvent
from .models import ApiToken, User

TOKENS_SHOWN = 200  # a script that logs in for a token on every run piles them up; the newest are what matter


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log is filtered by: the event, an account (the actor's or the one acted on), a date range
    (days in Asia/Shanghai, both ends included)."""

    action: str = ""
    username: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(*, user: User, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """审计日志: the events of `user`'s subtree matching `filters`, newest first. The dates become a range on the
    indexed timestamp (not a per-row date cast), so a long log is not scanned."""
    qs = AuditEvent.objects.visible_to(user).select_related("org_unit").order_by("-at", "-id")
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.username:
        qs = qs.filter(Q(username=filters.username) | Q(target=filters.username))
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return qs


def user_tokens(*, user: User) -> QuerySet[ApiToken]:
    """The API tokens `user` holds (all of them, live or dead), newest first: what the owner lists and revokes."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
