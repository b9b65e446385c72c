"""督办单 (SPEC §5): a warning escalated to the responsible unit, with a deadline for its rectification reply.

open ──reply──▶ replied ──close──▶ closed
  ▲                │
  └──── returned ◀─┘ (sent back by the issuer with a reason; the unit replies again)

Issuers are reviewers and admins of a city or the province above the unit; the unit's operators and admins
reply; the issuing unit's reviewers and admins close or send back. Each write is atomic, refuses a wrong actor or
a wrong state with a Chinese message and changes nothing, records a timeline row, and notifies the other side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from kaifaqu.accounts.choices import OrgKind, Role
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.models import Sequence
from kaifaqu.core.params import month_parse

from .choices import OrderStatus
from .models import OrderReply, SupervisionOrder
from .notify import link_to, notify, responder_roles, users_of
from .services import ReportConflict, ReportError, ReportForbidden, can_review
from .warnings import WarningItem, warnings

AWAITING_REPLY = (OrderStatus.OPEN, OrderStatus.RETURNED)
DECIDERS = (Role.REVIEWER, Role.ADMIN)
MAX_TEXT = 5000


# ---- who may do what -------------------------------------------------------------------------------------------

def can_issue(user, unit: OrgUnit) -> bool:
    """Reviewers and admins of a city or the province may issue orders to units below them (the rule of
    `services.can_review`, applied to an org unit), never to their own unit."""
    own = getattr(user, "org_unit", None)
    if own is not None and own.pk == unit.pk:
        return False
    return can_review(user, SimpleNamespace(org_unit=unit))


def can_reply(user, order: SupervisionOrder) -> bool:
    """The responsible unit's operators and admins reply (its reviewers too when it is a city or the province
    office), as do those of a department inside it; nobody answers for a unit above or beside their own."""
    if user.is_superuser:
        return True
    unit = user.org_unit
    return (unit is not None and user.role in responder_roles(order.unit) and unit.path.startswith(order.unit.path)
            and (unit.pk == order.unit_id or unit.kind == OrgKind.DEPARTMENT))


def can_decide(user, order: SupervisionOrder) -> bool:
    """The issuing unit's reviewers and admins close an order or send it back."""
    if user.is_superuser:
        return True
    return user.org_unit_id == order.issuer_unit_id and user.role in DECIDERS


def is_overdue(order: SupervisionOrder, today: date | None = None) -> bool:
    """Not closed and past its deadline."""
    return order.status != OrderStatus.CLOSED and order.deadline < (today or timezone.localdate())


def overdue_condition(today: date) -> Q:
    return ~Q(status=OrderStatus.CLOSED) & Q(deadline__lt=today)


# ---- issuing ---------------------------------------------------------------------------------------------------

def _clean_text(text: str | None, what: str, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if not text:
        raise ReportError(f"请填写{what}", "text")
    if len(text) > limit:
        raise ReportError(f"{what}不能超过{limit}字", "text")
    return text


def key_month(key: str) -> date | None:
    """The month a warning key ends with ("growth:S147007:tax_revenue:2024-03" → 2024-03-01)."""
    return month_parse(key.rsplit(":", 1)[-1])


def find_warning(*, user, key: str, month: date | None = None) -> WarningItem:
    """The warning `key` among the user's warnings of its month, or a refusal if it is not (or no longer) there."""
    month = month or key_month(key)
    if month is None:
        raise ReportError(f"预警编号无效：{key}", "key")
    item = next((w for w in warnings(user=user, month=month) if w.key == key), None)
    if item is None:
        raise ReportError(f"预警不存在、已消除或无权查看：{key}", "key")
    return item


def _unit_covers(unit: OrgUnit, item: WarningItem) -> bool:
    return OrgUnit.objects.filter(code=item.unit, path__startswith=unit.path).exists()


def _next_number(year: int) -> str:
    return f"DB{year}-{Sequence.take(f'supervision-order-{year}')[0]:04d}"


@transaction.atomic
def order_issue(*, user, unit: OrgUnit, deadline: date, month: date | None = None, warning_key: str | None = None,
                subject: str | None = None) -> SupervisionOrder:
    """Issue a supervision order (签发督办单) to `unit`, from a warning (its key) or on a subject of its own."""
    today = timezone.localdate()
    if not can_issue(user, unit):
        raise ReportForbidden("只有上级市、省的管理或审核人员可以向该单位签发督办单")
    if deadline < today:
        raise ReportError("整改回复期限不能早于今天", "deadline")
    snapshot: dict = {"month": f"{month:%Y-%m}"} if month else {}
    if warning_key:
        item = find_warning(user=user, key=warning_key, month=month)
        if not _unit_covers(unit, item):
            raise ReportError(f"责任单位应为{item.zone_name}或其上级单位", "unit")
        pending = SupervisionOrder.objects.filter(warning__key=warning_key).exclude(status=OrderStatus.CLOSED)
        if existing := pending.first():
            raise ReportConflict(f"该预警已有未办结的督办单：{existing.number}")
        snapshot = item.snapshot()
        subject = subject or item.message[:300]
    subject = _clean_text(subject, "督办事项", 300)
    order = SupervisionOrder.objects.create(
        number=_next_number(today.year), unit=unit, issued_by=user, issuer_unit=user.org_unit or unit,
        deadline=deadline, subject=subject, warning=snapshot)
    _tell_unit(order, "issued", f"督办单{order.number}：请于{deadline:%Y-%m-%d}前回复整改情况", subject)
    return order


# ---- the workflow ----------------------------------------------------------------------------------------------

def _locked(order: SupervisionOrder) -> SupervisionOrder:
    return SupervisionOrder.objects.select_for_update().select_related("unit", "issuer_unit").get(pk=order.pk)


def _refuse_closed(order: SupervisionOrder) -> None:
    if order.status == OrderStatus.CLOSED:
        raise ReportConflict(f"督办单{order.number}已办结，不能再操作")


@transaction.atomic
def order_reply(*, user, order: SupervisionOrder, text: str) -> OrderReply:
    """The responsible unit replies (整改回复); the order waits for the issuer's decision."""
    order = _locked(order)
    if not can_reply(user, order):
        raise ReportForbidden("只有责任单位的填报人员或管理员可以回复督办单")
    _refuse_closed(order)
    if order.status not in AWAITING_REPLY:
        raise ReportConflict("已回复，正在等待签发单位审核，不能重复回复")
    text = _clean_text(text, "整改回复内容")
    order.status = OrderStatus.REPLIED
    order.save()
    reply = OrderReply.objects.create(order=order, user=user, text=text, kind="reply")
    issuers = [order.issued_by, *users_of([order.issuer_unit_id], DECIDERS).get(order.issuer_unit_id, [])]
    notify(users=issuers, key=f"order:{order.number}:reply:{reply.pk}", title=f"督办单{order.number}已收到整改回复",
           body=f"{order.unit.name}：{text[:200]}", link=_link(order))
    return reply


@transaction.atomic
def order_close(*, user, order: SupervisionOrder, text: str = "") -> SupervisionOrder:
    """The issuer accepts the reply and closes the order (办结)."""
    order = _locked(order)
    if not can_decide(user, order):
        raise ReportForbidden("只有签发单位的审核人员或管理员可以办结督办单")
    _refuse_closed(order)
    if order.status != OrderStatus.REPLIED:
        raise ReportConflict("尚未收到整改回复，不能办结")
    order.status, order.closed_at = OrderStatus.CLOSED, timezone.now()
    order.save()
    OrderReply.objects.create(order=order, user=user, text=(text or "").strip()[:MAX_TEXT] or "同意办结",
                              kind="close")
    _tell_unit(order, "closed", f"督办单{order.number}已办结", order.subject)
    return order


@transaction.atomic
def order_return(*, user, order: SupervisionOrder, text: str, deadline: date | None = None) -> SupervisionOrder:
    """The issuer sends the reply back (退回重办) with a reason, and may set a new deadline."""
    order = _locked(order)
    if not can_decide(user, order):
        raise ReportForbidden("只有签发单位的审核人员或管理员可以退回督办单")
    _refuse_closed(order)
    if order.status != OrderStatus.REPLIED:
        raise ReportConflict("尚未收到整改回复，无需退回")
    text = _clean_text(text, "退回理由")
    if deadline is not None and deadline < timezone.localdate():
        raise ReportError("整改回复期限不能早于今天", "deadline")
    order.status = OrderStatus.RETURNED
    order.deadline = deadline or order.deadline
    order.save()
    reply = OrderReply.objects.create(order=order, user=user, text=text, kind="return")
    _tell_unit(order, f"returned:{reply.pk}", f"督办单{order.number}被退回重办", text)
    return order


def _link(order: SupervisionOrder) -> str:
    return link_to("alerts:order", order.pk, fallback=f"/alerts/orders/{order.pk}/")


def _tell_unit(order: SupervisionOrder, event: str, title: str, body: str) -> None:
    people = users_of([order.unit_id], responder_roles(order.unit)).get(order.unit_id, [])
    notify(users=people, key=f"order:{order.number}:{event}",
           title=title, body=f"{order.subject}\n{body}" if body != order.subject else body, link=_link(order))


# ---- reads -----------------------------------------------------------------------------------------------------

def order_list(*, user, status: str | None = None, overdue: bool = False,
               today: date | None = None) -> QuerySet[SupervisionOrder]:
    """The orders addressed to units in the user's scope, newest first, each with `overdue`."""
    today = today or timezone.localdate()
    qs = (SupervisionOrder.objects.visible_to(user).select_related("unit", "issuer_unit", "issued_by")
          .annotate(overdue=ExpressionWrapper(overdue_condition(today), output_field=BooleanField()))
          .order_by("-issued_at", "-id"))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_condition(today))
    return qs


@dataclass
class UnitOrderCount:
    unit: str
    unit_name: str
    open: int
    overdue: int


def order_counts(*, user, today: date | None = None) -> list[UnitOrderCount]:
    """Per responsible unit in the user's scope: orders not closed, and of them those past their deadline."""
    today = today or timezone.localdate()
    rows = (SupervisionOrder.objects.visible_to(user).exclude(status=OrderStatus.CLOSED)
            .values("unit__code", "unit__name", "unit__path")
            .annotate(open=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)))
            .order_by("unit__path"))
    return [UnitOrderCount(r["unit__code"], r["unit__name"], r["open"], r["overdue"]) for r in rows]
