"""提醒 (SPEC §5 Reminders): messages in the platform, and their delivery through each unit's outside channels
(e-mail, WeCom and DingTalk group robots).

`notify` only writes rows (a Notification once per user and key, a Delivery per enabled channel), so the request
that caused it never waits for a mail server or a webhook. `deliver_pending` does the sending, with retries and
backoff; the `remind` command runs it, after creating the deadline reminders of `remind_reports` and
`remind_orders`, each exactly once however often it runs.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from kaifaqu.accounts.choices import OrgKind, Role
from kaifaqu.accounts.models import User
from kaifaqu.zones.models import Zone

from .choices import ChannelKind, DeliveryStatus, OrderStatus
from .models import Channel, Delivery, Notification, SupervisionOrder
from .selectors import REPORTED, report_board, report_deadline

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 30, 120)]  # after the 1st, 2nd, 3rd and 4th failure
LEASE = timedelta(minutes=2)  # a claimed delivery is not picked up by another run meanwhile
TIMEOUT = 5
ACTORS = (Role.OPERATOR, Role.ADMIN)
REPORT_DUE_DAYS = 3
ORDER_DUE_DAYS = 2


class DeliveryError(Exception):
    """A channel answered, but refused the message."""


class System:
    """The platform itself, acting in a command: it sees every unit (`visible_to` lets a superuser through)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    org_unit = None
    pk = None


SYSTEM = System()


def link_to(name: str, *args, fallback: str = "") -> str:
    """The path of a named page, or `fallback` while the page is not wired into the URLconf."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


# ---- writing messages ------------------------------------------------------------------------------------------

def notify(*, users, key: str, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Create the message `key` for each user who does not have it yet, and queue its delivery through each
    enabled channel of those users' org units (once per channel and key). Returns the messages created."""
    people = {u.pk: u for u in users if u is not None and u.pk is not None}
    key = key[:120]
    if not people:
        return []
    have = set(Notification.objects.filter(key=key, user_id__in=people).values_list("user_id", flat=True))
    fresh = [Notification(user_id=pk, key=key, title=title[:200], body=body, link=link[:300])
             for pk in people if pk not in have]
    if not fresh:
        return []
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(Notification.objects.filter(key=key, user_id__in=[n.user_id for n in fresh]).order_by("id"))
    _queue_deliveries(created, people, key)
    return created


def _queue_deliveries(created: list[Notification], people: dict, key: str) -> None:
    """A group robot or a mailbox serves a whole unit: one delivery per channel, on the first message of one of
    the unit's users."""
    first_of_unit: dict[int, Notification] = {}
    for n in created:
        first_of_unit.setdefault(people[n.user_id].org_unit_id, n)
    channels = list(Channel.objects.filter(enabled=True, unit_id__in=[u for u in first_of_unit if u]))
    done = set(Delivery.objects.filter(notification__key=key, channel__in=channels)
               .values_list("channel_id", flat=True))
    now = timezone.now()
    Delivery.objects.bulk_create(
        [Delivery(notification=first_of_unit[c.unit_id], channel=c, next_attempt_at=now)
         for c in channels if c.pk not in done], ignore_conflicts=True)


def responder_roles(unit) -> tuple[str, ...]:
    """Who answers for a unit: its operators and admins; a city or province office also through its reviewers."""
    return (*ACTORS, Role.REVIEWER) if unit.kind in (OrgKind.PROVINCE, OrgKind.CITY) else ACTORS


def users_of(unit_ids, roles=ACTORS) -> dict[int, list[User]]:
    """{org unit id: its active users with one of `roles`}, in one query."""
    out: dict[int, list[User]] = defaultdict(list)
    for u in User.objects.filter(org_unit_id__in=set(unit_ids), role__in=roles, is_active=True):
        out[u.org_unit_id].append(u)
    return out


# ---- reading messages ------------------------------------------------------------------------------------------

def notifications_for(*, user):
    """The user's own messages, newest first, with their deliveries."""
    return (Notification.objects.filter(user=user).order_by("-created_at", "-id")
            .prefetch_related("deliveries__channel"))


def mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's messages read (all unread ones when `ids` is None); returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def unread_count(request) -> dict:
    """Context processor: {"unread_notifications": n}, counted only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(
        lambda: Notification.objects.filter(user=user, read_at__isnull=True).count())}


# ---- sending ---------------------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_pending(*, now: datetime | None = None, limit: int = 500) -> DeliveryReport:
    """Send the deliveries that are due (pending, or failed with a retry scheduled). A failure is recorded on its
    row and retried after 1, 5, 30, 120 minutes; after 5 attempts the row stays `failed`. Never raises."""
    now = now or timezone.now()
    report = DeliveryReport()
    try:
        due = list(Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
                                           next_attempt_at__lte=now)
                   .select_related("notification", "channel").order_by("next_attempt_at", "id")[:limit])
        for delivery in due:
            if _claim(delivery, now):
                _attempt(delivery, now, report)
    except Exception:  # a broken database must not break the command or the request that called us
        log.exception("deliver_pending failed")
    return report


def _claim(delivery: Delivery, now: datetime) -> bool:
    """Take the row for this run, unless a concurrent run took it first."""
    return bool(Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts,
                                        next_attempt_at=delivery.next_attempt_at)
                .update(next_attempt_at=now + LEASE))


def _attempt(delivery: Delivery, now: datetime, report: DeliveryReport) -> None:
    delivery.attempts += 1
    try:
        send(delivery.channel, delivery.notification)
    except Exception as exc:  # every failure of a channel is recorded, none reaches the caller
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
        delivery.status = DeliveryStatus.FAILED
        retry = delivery.attempts < MAX_ATTEMPTS and delivery.channel.enabled
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1] if retry else None
        report.retrying += retry
        report.failed += not retry
    else:
        delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
        delivery.last_error = ""
        report.sent += 1
    delivery.save(update_fields=["attempts", "status", "last_error", "next_attempt_at", "sent_at"])


def message_text(notification: Notification) -> str:
    """The plain text sent outside: title, body, and the page to open."""
    site = getattr(settings, "KAIFAQU_SITE_URL", "").rstrip("/")
    parts = [notification.title, notification.body]
    if notification.link:
        parts.append(f"详情：{site}{notification.link}")
    return "\n".join(p for p in parts if p)


def send(channel: Channel, notification: Notification) -> None:
    """Send one message through one channel; raises on any failure."""
    if not channel.enabled:
        raise DeliveryError("渠道已停用")
    text = message_text(notification)
    if channel.kind == ChannelKind.EMAIL:
        send_mail(f"【开发区管理平台】{notification.title}", text, None, [channel.target], fail_silently=False)
    elif channel.kind in (ChannelKind.WECOM, ChannelKind.DINGTALK):
        post_json(channel.target, {"msgtype": "text", "text": {"content": text}})
    else:
        raise DeliveryError(f"未知的渠道类型：{channel.kind}")


def post_json(url: str, payload: dict) -> None:
    """POST JSON to a group-robot webhook (5 s timeout). Both WeCom and DingTalk answer HTTP 200 with an
    `errcode`; anything but 0 is a failure."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("Webhook地址应以http://或https://开头")
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (scheme checked above)
        raw = response.read(65536)
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        raise DeliveryError(f"errcode={answer.get('errcode')} {answer.get('errmsg', '')}".strip())


# ---- deadline reminders ----------------------------------------------------------------------------------------

@dataclass
class ReminderReport:
    report_due: int = 0
    report_late: int = 0
    order_due: int = 0
    order_overdue: int = 0
    messages: int = 0


def remind_reports(*, month: date, today: date, report: ReminderReport) -> None:
    """Remind each zone's operators of the month's report: from 3 days before its deadline while it is not
    submitted, and once more when it is late. Keys carry the kind and the month, so each is sent once."""
    deadline = report_deadline(month)
    board = [r for r in report_board(user=SYSTEM, month=month, today=today) if r.status not in REPORTED]
    if today > deadline:
        kind, rows = "late", [r for r in board if r.missing]
    elif today >= deadline - timedelta(days=REPORT_DUE_DAYS):
        kind, rows = "due", board
    else:
        return
    units = dict(Zone.objects.filter(pk__in=[r.zone_id for r in rows]).values_list("pk", "org_unit_id"))
    people = users_of(units.values())
    label = f"{month.year}年{month.month}月"
    for r in rows:
        title = (f"{label}月报已逾期未报送（截止{deadline:%Y-%m-%d}）" if kind == "late"
                 else f"{label}月报将于{deadline:%Y-%m-%d}截止，请按时报送")
        created = notify(users=people.get(units[r.zone_id], []), key=f"report-{kind}:{r.code}:{month:%Y-%m}",
                         title=title, body=f"{r.name}：{title}。",
                         link=link_to("dispatch:report", r.code, f"{month:%Y-%m}"))
        report.messages += len(created)
        if created:
            setattr(report, f"report_{kind}", getattr(report, f"report_{kind}") + 1)


def remind_orders(*, today: date, report: ReminderReport) -> None:
    """Remind the responsible units of orders awaiting their reply: due within 2 days, and overdue (the issuer
    hears of an overdue order too)."""
    orders = list(SupervisionOrder.objects.visible_to(SYSTEM)
                  .filter(status__in=[OrderStatus.OPEN, OrderStatus.RETURNED],
                          deadline__lte=today + timedelta(days=ORDER_DUE_DAYS))
                  .select_related("unit", "issued_by"))
    people = users_of([o.unit_id for o in orders], (*ACTORS, Role.REVIEWER))
    for o in orders:
        kind = "overdue" if o.deadline < today else "due"
        users = [u for u in people.get(o.unit_id, []) if u.role in responder_roles(o.unit)]
        users += [o.issued_by] if kind == "overdue" else []
        title = (f"督办单{o.number}已逾期（期限{o.deadline:%Y-%m-%d}）" if kind == "overdue"
                 else f"督办单{o.number}将于{o.deadline:%Y-%m-%d}到期，请按时回复整改情况")
        created = notify(users=users, key=f"order-{kind}:{o.number}", title=title, body=f"{o.unit.name}：{o.subject}",
                         link=link_to("alerts:order", o.pk, fallback=f"/alerts/orders/{o.pk}/"))
        report.messages += len(created)
        if created:
            setattr(report, f"order_{kind}", getattr(report, f"order_{kind}") + 1)
