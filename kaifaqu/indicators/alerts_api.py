"""/api/v1/warnings and /api/v1/orders (SPEC §12): the month's warnings, supervision orders and their workflow.
Mounted at the API's root, so the paths here are the full paths under /api/v1/."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.params import Day, Id, Month, Offset

from . import orders
from .api import parse_month
from .choices import OrderStatus
from .models import SupervisionOrder
from .services import ReportError
from .warnings import WarningItem, warnings

router = Router(tags=["预警与督办"])


def _refuse(exc: ReportError):
    raise HttpError(exc.status, exc.message) from None


# ---- warnings --------------------------------------------------------------------------------------------------

class WarningQuery(Schema):
    month: Month
    city: str | None = Field(None, max_length=20, description="市：区划代码或名称")
    limit: int = Field(500, ge=1, le=5000)
    offset: Offset = 0


class WarningOut(Schema):
    key: str
    level: str
    zone: str
    zone_name: str
    city: str
    unit: str
    indicator: str | None
    indicator_name: str | None
    project: str | None
    project_name: str | None
    rule: str
    rule_name: str
    message: str
    figures: dict[str, str | None]
    month: str


class WarningPage(Schema):
    items: list[WarningOut]
    count: int


def warning_out(item: WarningItem) -> dict:
    return item.snapshot()


@router.get("/warnings", response=WarningPage, summary="预警：红色、黄色、迟报，按严重程度排列")
def warnings_list(request, query: Query[WarningQuery]):
    items = warnings(user=request.user, month=parse_month(query.month), city=query.city)
    window = items[query.offset: query.offset + query.limit]
    return {"items": [warning_out(w) for w in window], "count": len(items)}


# ---- orders ----------------------------------------------------------------------------------------------------

class ReplyOut(Schema):
    kind: str
    text: str
    user: str
    at: datetime


class OrderOut(Schema):
    id: int
    number: str
    subject: str
    unit: str
    unit_name: str
    issuer_unit: str
    issuer_unit_name: str
    issued_by: str
    issued_at: datetime
    deadline: date
    status: str
    status_name: str
    overdue: bool
    closed_at: datetime | None
    warning: dict


class OrderDetailOut(OrderOut):
    replies: list[ReplyOut]


class OrderPage(Schema):
    items: list[OrderOut]
    count: int


class OrderQuery(Schema):
    status: OrderStatus | None = None
    overdue: bool = False
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


class OrderIn(Schema):
    key: str | None = Field(None, max_length=200, description="预警编号（来自 /warnings 的 key）")
    subject: str | None = Field(None, max_length=300, description="督办事项；按预警签发时默认为预警内容")
    unit: str = Field(..., max_length=40, description="责任单位的机构代码")
    deadline: Day
    month: Month | None = Field(None, description="预警所属月份 YYYY-MM")


class TextIn(Schema):
    text: str = Field(..., max_length=5000)


class CloseIn(Schema):
    text: str = Field("", max_length=5000, description="办结意见（可不填）")


class ReturnIn(TextIn):
    deadline: Day | None = None


class CountOut(Schema):
    unit: str
    unit_name: str
    open: int
    overdue: int


def order_out(order: SupervisionOrder, today: date | None = None) -> dict:
    return {"id": order.pk, "number": order.number, "subject": order.subject, "unit": order.unit.code,
            "unit_name": order.unit.name, "issuer_unit": order.issuer_unit.code,
            "issuer_unit_name": order.issuer_unit.name, "issued_by": str(order.issued_by),
            "issued_at": order.issued_at, "deadline": order.deadline, "status": order.status,
            "status_name": order.get_status_display(), "overdue": orders.is_overdue(order, today),
            "closed_at": order.closed_at, "warning": order.warning}


def _detail(order: SupervisionOrder) -> dict:
    replies = order.replies.select_related("user")
    return {**order_out(order), "replies": [{"kind": r.kind, "text": r.text, "user": str(r.user), "at": r.at}
                                            for r in replies]}


def _visible_order(user, order_id: int) -> SupervisionOrder:
    return get_object_or_404(orders.order_list(user=user), pk=order_id)


@router.get("/orders", response=OrderPage, summary="督办单列表（按权限范围）")
def orders_list(request, query: Query[OrderQuery]):
    qs = orders.order_list(user=request.user, status=query.status, overdue=query.overdue)
    today = timezone.localdate()
    return {"items": [order_out(o, today) for o in qs[query.offset: query.offset + query.limit]],
            "count": qs.count()}


@router.get("/orders/counts", response=list[CountOut], summary="各责任单位未办结、逾期督办单数")
def orders_counts(request):
    return [vars(c) for c in orders.order_counts(user=request.user)]


@router.post("/orders", response={201: OrderDetailOut}, summary="签发督办单（由预警转办或自拟事项）")
def orders_create(request, payload: OrderIn):
    if not payload.key and not (payload.subject or "").strip():
        raise HttpError(422, "请提供预警编号 key 或督办事项 subject")
    month = parse_month(payload.month) if payload.month else None
    unit = OrgUnit.objects.visible_to(request.user).filter(code=payload.unit).first()
    if unit is None:
        raise HttpError(422, f"责任单位不存在或无权访问：{payload.unit}")
    try:
        order = orders.order_issue(user=request.user, unit=unit, deadline=payload.deadline, month=month,
                                   warning_key=payload.key, subject=payload.subject)
    except ReportError as exc:
        _refuse(exc)
    return Status(201, _detail(order))


@router.get("/orders/{int:order_id}", response=OrderDetailOut, summary="督办单详情与回复记录")
def orders_detail(request, order_id: Id):
    return _detail(_visible_order(request.user, order_id))


@router.post("/orders/{int:order_id}/reply", response=OrderDetailOut, summary="责任单位回复整改情况")
def orders_reply(request, order_id: Id, payload: TextIn):
    order = _visible_order(request.user, order_id)
    try:
        orders.order_reply(user=request.user, order=order, text=payload.text)
    except ReportError as exc:
        _refuse(exc)
    return _detail(_visible_order(request.user, order_id))


@router.post("/orders/{int:order_id}/close", response=OrderDetailOut, summary="签发单位办结")
def orders_close(request, order_id: Id, payload: CloseIn | None = None):
    order = _visible_order(request.user, order_id)
    try:
        orders.order_close(user=request.user, order=order, text=payload.text if payload else "")
    except ReportError as exc:
        _refuse(exc)
    return _detail(_visible_order(request.user, order_id))


@router.post("/orders/{int:order_id}/return", response=OrderDetailOut, summary="签发单位退回重办（须说明理由）")
def orders_return(request, order_id: Id, payload: ReturnIn):
    order = _visible_order(request.user, order_id)
    try:
        orders.order_return(user=request.user, order=order, text=payload.text, deadline=payload.deadline)
    except ReportError as exc:
        _refuse(exc)
    return _detail(_visible_order(request.user, order_id))
