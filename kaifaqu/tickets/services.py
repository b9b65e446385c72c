"""Writes of the hotline (一话通办, SPEC §8): receive a ticket, assign it to a department, start it (the first
response), resolve it, close it with the enterprise's rating, reopen it, escalate it when overdue.

Each is atomic, locks the ticket, refuses a step out of order (`Refused`, 409) or bad input (`ServiceError`) with
a Chinese message and leaves the ticket as it was, and writes a timeline entry in business language. The pages,
the API and the `escalate_tickets` command call these same functions.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kaifaqu.accounts.choices import Role
from kaifaqu.core.models import Sequence
from kaifaqu.indicators.notify import SYSTEM, link_to, notify, users_of
from kaifaqu.zones.models import Enterprise, Zone

from . import sla
from .choices import TICKET_OPEN, Category, Channel, Satisfaction, TicketAction, TicketStatus
from .errors import NotPermitted, Refused, ServiceError
from .models import Ticket, TicketEvent

HANDLERS = (Role.ADMIN, Role.OPERATOR, Role.AGENT, Role.REVIEWER)
ASSIGNERS = (Role.ADMIN, Role.OPERATOR, Role.REVIEWER)  # an agent works tickets but assigns none (SPEC §2)
CLOCK_SKEW = timedelta(minutes=5)
NEXT = {  # action → the statuses it may start from
    TicketAction.ASSIGN: {TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.REOPENED},
    TicketAction.START: {TicketStatus.ASSIGNED, TicketStatus.REOPENED},
    TicketAction.RESOLVE: {TicketStatus.IN_PROGRESS},
    TicketAction.CLOSE: {TicketStatus.RESOLVED},
    TicketAction.REOPEN: {TicketStatus.RESOLVED, TicketStatus.CLOSED},
}


def can_handle(user, zone: Zone) -> bool:
    """May `user` work tickets of `zone`? Admins, operators, agents and reviewers within their subtree."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    unit = getattr(user, "org_unit", None)
    return unit is not None and user.role in HANDLERS and zone.org_unit.path.startswith(unit.path)


def assigns_tickets(user) -> bool:
    """Does `user`'s role assign tickets at all? Every handler's but the agent's (代办员)."""
    return user.is_superuser or getattr(user, "role", None) in ASSIGNERS


def can_assign(user, zone: Zone) -> bool:
    """May `user` assign (分派) or reassign tickets of `zone`? The handlers but agents (代办员)."""
    return can_handle(user, zone) and assigns_tickets(user)


def _require_handler(user, zone: Zone) -> None:
    if not can_handle(user, zone):
        raise NotPermitted("您无权办理该开发区的诉求")


def _require_assigner(user, zone: Zone) -> None:
    _require_handler(user, zone)
    if not can_assign(user, zone):
        raise NotPermitted("您没有权限分派诉求：代办员不能分派或改派诉求", "department")


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _event(ticket: Ticket, action: str, user, at: datetime, note: str = "") -> None:
    TicketEvent.objects.create(ticket=ticket, action=action, status=ticket.status, at=at, user=_actor(user),
                               note=note[:500])


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("zone__org_unit").get(pk=ticket.pk)


def _check_step(ticket: Ticket, action: str) -> None:
    if ticket.status not in NEXT[action]:
        raise Refused(f"诉求当前为“{ticket.get_status_display()}”，不能{TicketAction(action).label}")


def new_ticket_numbers(count: int) -> list[str]:
    """Stable numbers SQ00000001…, reserved in one statement."""
    return [f"SQ{n:08d}" for n in Sequence.take("ticket", count)]


# ---- receiving --------------------------------------------------------------------------------------------------

def _clean_new(*, user, zone: Zone, category: str, text: str, channel: str, enterprise: Enterprise | None,
               received_at: datetime) -> str:
    _require_handler(user, zone)
    text = (text or "").strip()
    if not text:
        raise ServiceError("请填写诉求内容", "text")
    if category not in Category.values:
        raise ServiceError(f"未知的诉求类别：{category}", "category")
    if channel not in Channel.values:
        raise ServiceError(f"未知的受理渠道：{channel}", "channel")
    if received_at > timezone.now() + CLOCK_SKEW:
        raise ServiceError("受理时间不能晚于当前时间", "received_at")
    if enterprise is not None and not Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists():
        raise NotPermitted("企业不存在或不在您的管辖范围内")
    return text


@transaction.atomic
def ticket_create(*, user, zone: Zone, category: str, text: str, channel: str = Channel.PHONE,
                  enterprise: Enterprise | None = None, caller: str = "", phone: str = "", department: str = "",
                  key_difficult: bool = False, received_at: datetime | None = None) -> Ticket:
    """Receive a request (受理登记). Its first-response and resolution deadlines are fixed now (see `sla`). With a
    department it is assigned at once (马上就办)."""
    received_at = received_at or timezone.now()
    if department.strip():
        _require_assigner(user, zone)
    text = _clean_new(user=user, zone=zone, category=category, text=text, channel=channel, enterprise=enterprise,
                      received_at=received_at)
    ticket = Ticket.objects.create(
        number=new_ticket_numbers(1)[0], zone=zone, enterprise=enterprise, caller=caller.strip()[:50],
        phone=phone.strip()[:30], channel=channel, category=category, text=text, key_difficult=key_difficult,
        received_at=received_at, first_response_due=sla.first_response_due(received_at),
        resolution_due=sla.resolution_due(received_at, category), created_by=_actor(user))
    due = sla.due_text(ticket.first_response_due, "%m-%d")
    _event(ticket, TicketAction.CREATE, user, received_at,
           f"{Channel(channel).label}受理，{Category(category).label}类，{due}前首次响应，"
           f"{ticket.resolution_due:%m-%d}前办结")
    if department.strip():
        return ticket_assign(user=user, ticket=ticket, department=department)
    return ticket


# ---- the workflow ----------------------------------------------------------------------------------------------

@transaction.atomic
def ticket_assign(*, user, ticket: Ticket, department: str, note: str = "") -> Ticket:
    """Assign (or reassign) the ticket to the department that will handle it (分派)."""
    current = _locked(ticket)
    _require_assigner(user, current.zone)
    _check_step(current, TicketAction.ASSIGN)
    department = (department or "").strip()
    if not department:
        raise ServiceError("请选择承办部门", "department")
    before = current.department
    now = timezone.now()
    current.department, current.status, current.assigned_at = department[:60], TicketStatus.ASSIGNED, now
    current.save()
    said = f"由{before}改派至{department}" if before and before != department else f"分派至{department}"
    _event(current, TicketAction.ASSIGN, user, now, f"{said}{'：' + note.strip() if note.strip() else ''}")
    return current


@transaction.atomic
def ticket_start(*, user, ticket: Ticket, note: str = "") -> Ticket:
    """The department starts on the ticket and answers the enterprise (首次响应, the "事不过夜" clock)."""
    current = _locked(ticket)
    _require_handler(user, current.zone)
    _check_step(current, TicketAction.START)
    now = timezone.now()
    current.status = TicketStatus.IN_PROGRESS
    said = note.strip()
    if current.first_response_at is None:
        current.first_response_at = now
        current.first_response_on_time = sla.responded_on_time(now, current.first_response_due)
        said = f"首次响应{'（按时）' if current.first_response_on_time else '（超时）'}{'：' + said if said else ''}"
    current.save()
    _event(current, TicketAction.START, user, now, said)
    return current


@transaction.atomic
def ticket_resolve(*, user, ticket: Ticket, resolution: str) -> Ticket:
    """Record how the request was resolved (办结); whether by its deadline is stored for the figures."""
    current = _locked(ticket)
    _require_handler(user, current.zone)
    _check_step(current, TicketAction.RESOLVE)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError("请填写办理结果", "resolution")
    now = timezone.now()
    current.status, current.resolved_at, current.resolution = TicketStatus.RESOLVED, now, resolution
    current.resolved_on_time = sla.resolved_on_time(now, current.resolution_due)
    current.save()
    said = "按期" if current.resolved_on_time else "超期"
    _event(current, TicketAction.RESOLVE, user, now, f"{said}办结：{resolution}")
    return current


@transaction.atomic
def ticket_close(*, user, ticket: Ticket, satisfaction: str, note: str = "") -> Ticket:
    """Close a resolved ticket after the follow-up call, with the enterprise's rating (回访评价)."""
    current = _locked(ticket)
    _require_handler(user, current.zone)
    _check_step(current, TicketAction.CLOSE)
    if satisfaction not in Satisfaction.values:
        raise ServiceError("请选择企业满意度：满意、基本满意或不满意", "satisfaction")
    now = timezone.now()
    current.status, current.satisfaction, current.closed_at = TicketStatus.CLOSED, satisfaction, now
    current.save()
    _event(current, TicketAction.CLOSE, user, now,
           f"回访评价：{Satisfaction(satisfaction).label}{'，' + note.strip() if note.strip() else ''}")
    return current


@transaction.atomic
def ticket_reopen(*, user, ticket: Ticket, reason: str) -> Ticket:
    """Reopen a resolved or closed ticket (the problem is not solved); its deadline stays as it was."""
    current = _locked(ticket)
    _require_handler(user, current.zone)
    _check_step(current, TicketAction.REOPEN)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写重启原因", "reason")
    now = timezone.now()
    current.status, current.reopen_count = TicketStatus.REOPENED, current.reopen_count + 1
    current.resolved_at = current.resolved_on_time = current.closed_at = None
    current.satisfaction = ""
    current.save()
    _event(current, TicketAction.REOPEN, user, now, f"重启：{reason}")
    return current


# ---- escalation --------------------------------------------------------------------------------------------------

def reviewers_above(zone: Zone) -> list:
    """The reviewers of the nearest unit above the zone that has any (the city, else the province)."""
    unit = zone.org_unit.parent
    while unit is not None:
        people = users_of([unit.pk], (Role.REVIEWER,)).get(unit.pk, [])
        if people:
            return people
        unit = unit.parent
    return []


@transaction.atomic
def ticket_escalate(*, user, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """Escalate an overdue ticket (超期升级) to the reviewers of the unit above: exactly once per ticket, with a
    reminder keyed by the ticket's number, and the ticket flagged escalated."""
    current = _locked(ticket)
    if user is not SYSTEM:
        _require_handler(user, current.zone)
    now = now or timezone.now()
    if current.escalated_at is not None:
        raise Refused(f"该诉求已于{timezone.localtime(current.escalated_at):%Y-%m-%d %H:%M}升级，不再重复升级")
    if current.status not in TICKET_OPEN:
        raise Refused(f"诉求当前为“{current.get_status_display()}”，无需升级")
    if timezone.localdate(now) <= current.resolution_due:
        raise Refused(f"诉求未超期（{current.resolution_due:%Y-%m-%d}前办结即为按期），不能升级")
    current.escalated_at = now
    current.save()
    _notify_escalation(current, timezone.localdate(now))
    _event(current, TicketAction.ESCALATE, user, now, f"超过办结时限{current.resolution_due:%Y-%m-%d}，已提请上级督办")
    return current


def _notify_escalation(ticket: Ticket, today: date) -> None:
    days = (today - ticket.resolution_due).days
    title = f"诉求{ticket.number}超期{days}天未办结，请督办"
    body = (f"{ticket.zone.name} · {ticket.get_category_display()} · 承办部门：{ticket.department or '未分派'}\n"
            f"{ticket.text[:200]}")
    notify(users=reviewers_above(ticket.zone), key=f"ticket-escalated:{ticket.number}", title=title, body=body,
           link=link_to("services:ticket", ticket.pk, fallback=f"/services/tickets/{ticket.pk}/"))


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every open ticket past its resolution day that has not been escalated yet (the command's work);
    returns how many. Running it again escalates nothing twice."""
    now = now or timezone.now()
    due = list(Ticket.objects.filter(status__in=TICKET_OPEN, escalated_at__isnull=True,
                                     resolution_due__lt=timezone.localdate(now))
               .order_by("resolution_due", "id").values_list("pk", flat=True))
    done = 0
    for pk in due:
        try:
            ticket_escalate(user=SYSTEM, ticket=Ticket(pk=pk), now=now)
        except Refused:  # escalated or resolved meanwhile
            continue
        done += 1
    return done


def mark_unanswered(*, now: datetime | None = None) -> int:
    """Record as late the first response of every ticket whose "事不过夜" moment has passed unanswered, so the
    figures count it before anyone answers (the command's work); returns how many."""
    now = now or timezone.now()
    due = list(Ticket.objects.filter(first_response_at__isnull=True, first_response_on_time__isnull=True,
                                     first_response_due__lt=now).values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=pk)
            if ticket.first_response_at is None and ticket.first_response_on_time is None:
                ticket.first_response_on_time = False
                ticket.save()
    return len(due)


ACTIONS = ("assign", "start", "resolve", "close", "reopen", "escalate")


def ticket_act(*, user, ticket: Ticket, action: str, data: dict) -> Ticket:
    """Run one workflow step by name with its input (the page's forms and the API's POST …/{action})."""
    text = {k: str(v or "") for k, v in data.items()}
    steps = {
        "assign": lambda: ticket_assign(user=user, ticket=ticket, department=text.get("department", ""),
                                        note=text.get("note", "")),
        "start": lambda: ticket_start(user=user, ticket=ticket, note=text.get("note", "")),
        "resolve": lambda: ticket_resolve(user=user, ticket=ticket, resolution=text.get("resolution", "")),
        "close": lambda: ticket_close(user=user, ticket=ticket, satisfaction=text.get("satisfaction", ""),
                                      note=text.get("note", "")),
        "reopen": lambda: ticket_reopen(user=user, ticket=ticket, reason=text.get("reason", "")),
        "escalate": lambda: ticket_escalate(user=user, ticket=ticket),
    }
    if action not in steps:
        raise ServiceError(f"未知的操作：{action}")
    return steps[action]()
