"""/api/v1/tickets, /api/v1/enterprises, /api/v1/cases (SPEC §8, §12). Handlers parse, call a service or a
selector, answer; every read goes through the caller's scope, and a refused step is 400/403/409, never 500."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticError

from kaifaqu.accounts.models import User
from kaifaqu.core.counting import count_note
from kaifaqu.core.params import Day, Id, Moment, Offset, inline_schema
from kaifaqu.core.privacy import PhoneOut, api_phone, api_unmask
from kaifaqu.projects.models import Project
from kaifaqu.zones.models import Enterprise, Zone

from . import casework, services
from .case_selectors import CaseFilters, case_list, case_stats
from .choices import CaseStatus, Category, Channel, Satisfaction, TicketStatus
from .enterprises import enterprise_lookup
from .errors import ServiceError
from .models import ServiceCase, ServiceItem, Ticket
from .selectors import TicketFigures, TicketFilters, percent, ticket_count, ticket_list, ticket_stats

router = Router(tags=["企业诉求"])
enterprises_router = Router(tags=["企业"])
cases_router = Router(tags=["全代办"])


def _refuse(exc: ServiceError):
    raise HttpError(exc.status, exc.message) from None


# ---- schemas ------------------------------------------------------------------------------------------------------

class TicketOut(Schema):
    id: int
    number: str
    zone: str = Field(..., description="开发区代码")
    zone_name: str
    enterprise: int | None = Field(None, alias="enterprise_id")
    enterprise_name: str | None = None
    caller: str
    phone: str = Field(..., description="联系电话：办理该诉求的人员可见完整号码，其他人员为脱敏号码（如138****4321）")
    channel: Channel
    category: Category
    text: str
    department: str
    status: TicketStatus
    key_difficult: bool
    received_at: datetime
    first_response_due: datetime
    first_response_at: datetime | None
    first_response_on_time: bool | None
    resolution_due: date
    resolved_at: datetime | None
    resolved_on_time: bool | None
    resolution: str
    satisfaction: str
    escalated: bool
    escalated_at: datetime | None

    @staticmethod
    def resolve_escalated(obj: Ticket) -> bool:
        return obj.escalated_at is not None

    @staticmethod
    def resolve_phone(obj: Ticket, context) -> str:
        return api_phone(obj, context)

    # Resolvers rather than dotted aliases, which ninja resolves through a template Variable parsed for every row.
    @staticmethod
    def resolve_zone(obj: Ticket) -> str:
        return obj.zone.code

    @staticmethod
    def resolve_zone_name(obj: Ticket) -> str:
        return obj.zone.name

    @staticmethod
    def resolve_enterprise_name(obj: Ticket) -> str | None:
        return obj.enterprise.name if obj.enterprise_id else None


class TicketPage(Schema):
    items: list[TicketOut]
    count: int = Field(..., description="符合条件的诉求数（`count_exact` 为 false 时为估算值）")
    count_exact: bool = Field(True, description="count 是否精确：筛选结果超过一万条时为估算值")


class TicketIn(Schema):
    """A request received: `zone` is the zone's code, `enterprise` an enterprise id."""

    zone: str = Field(..., max_length=20)
    category: Category
    text: str = Field(..., max_length=5000)
    channel: Channel = Channel.PHONE
    enterprise: Id | None = None
    caller: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    department: str = Field("", max_length=60)
    key_difficult: bool = False
    received_at: Moment | None = None


class ActionIn(Schema):
    """What a step needs: assign {department, note}; start {note}; resolve {resolution}; close {satisfaction,
    note}; reopen {reason}; escalate {}."""

    department: str = Field("", max_length=60)
    note: str = Field("", max_length=300)
    resolution: str = Field("", max_length=2000)
    satisfaction: Satisfaction | Literal[""] = ""
    reason: str = Field("", max_length=300)


class TicketQuery(Schema):
    q: str | None = Field(None, max_length=50)
    city: str | None = Field(None, max_length=20)
    zone: str | None = Field(None, max_length=20)
    category: Category | None = None
    department: str | None = Field(None, max_length=60)
    state: Literal["open", "overdue", "done", "new", "assigned", "in_progress", "resolved", "closed",
                   "reopened"] | None = None
    key_difficult: bool = False
    escalated: bool = False
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


class StatsQuery(Schema):
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")
    city: str | None = Field(None, max_length=20)
    zone: str | None = Field(None, max_length=20)


# ---- tickets -------------------------------------------------------------------------------------------------------

def _visible_ticket(user, ticket_id: int) -> Ticket:
    qs = Ticket.objects.visible_to(user).select_related("zone__org_unit", "enterprise")
    return get_object_or_404(qs, pk=ticket_id)


@router.get("", response=TicketPage, summary="诉求列表（按权限范围，可筛选）",
            description=count_note(what="诉求", kept_by="市、开发区、状态（逾期除外）"))
def tickets_list(request, query: Query[TicketQuery]):
    filters = TicketFilters(**query.dict(exclude={"limit", "offset"}, exclude_none=True))
    qs = ticket_list(user=request.user, filters=filters, today=timezone.localdate(), paged=True)
    counted = ticket_count(user=request.user, filters=filters, tickets=qs)
    return {"items": list(qs[query.offset:query.offset + query.limit]), "count": counted.count,
            "count_exact": counted.exact}


@router.post("", response={201: TicketOut}, summary="受理诉求")
def tickets_create(request, payload: TicketIn):
    zone = Zone.objects.visible_to(request.user).select_related("org_unit").filter(code=payload.zone).first()
    if zone is None:
        raise HttpError(422, f"开发区不存在或无权访问：{payload.zone}")
    enterprise = None
    if payload.enterprise is not None:
        enterprise = Enterprise.objects.visible_to(request.user).filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise HttpError(422, f"企业不存在或无权访问：{payload.enterprise}")
    values = payload.dict(exclude={"zone", "enterprise", "received_at"})
    try:
        ticket = services.ticket_create(user=request.user, zone=zone, enterprise=enterprise,
                                        received_at=payload.received_at, **values)
    except ServiceError as exc:
        _refuse(exc)
    return Status(201, ticket)


def _rate(f: TicketFigures) -> dict:
    return {"on_time_rate": percent(f.on_time_rate), "resolution_rate": percent(f.resolution_rate),
            "first_response_rate": percent(f.first_response_rate),
            "satisfaction_index": percent(f.satisfaction_index)}


def _figures(f: TicketFigures) -> dict:
    counts = {k: v for k, v in f.as_dict().items() if isinstance(v, int)}
    return counts | _rate(f)


@router.get("/stats", summary="诉求办理情况：受理、办结、按期办结率、满意指数（百分数，两位小数）")
def tickets_stats(request, query: Query[StatsQuery]):
    today = timezone.localdate()
    date_to = query.date_to or today
    date_from = query.date_from or date(date_to.year, 1, 1)
    if date_from > date_to:
        raise HttpError(422, "起始日期不能晚于截止日期")
    stats = ticket_stats(user=request.user, date_from=date_from, date_to=date_to, city=query.city,
                         zone=query.zone)
    labels = dict(Category.choices)
    return {"from": date_from.isoformat(), "to": date_to.isoformat(), **_figures(stats.total),
            "by_category": [{"category": code, "name": str(labels.get(code, code)), **_figures(f)}
                            for code, f in stats.by_category.items()],
            "by_department": [{"department": name, **_figures(f)} for name, f in stats.by_department.items()]}


class EventOut(Schema):
    action: str
    status: str
    at: datetime
    user: str | None = Field(None, alias="user.username")
    note: str


class TicketDetail(TicketOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Ticket) -> list:
        return list(obj.events.select_related("user"))


@router.get("/{int:ticket_id}", response=TicketDetail, summary="诉求详情及办理过程")
def tickets_detail(request, ticket_id: Id):
    return _visible_ticket(request.user, ticket_id)


@router.post("/{int:ticket_id}/phone", response=PhoneOut,
             summary="查看诉求人完整号码（上级审核员、管理员；记入审计日志）")
def tickets_phone(request, ticket_id: Id):
    return api_unmask(request, _visible_ticket(request.user, ticket_id))


def _action_input(request) -> dict:
    """The step's JSON body (a form body is read as its fields); a bare POST to start or escalate is {}."""
    if request.content_type != "application/json":
        data = request.POST.dict()
    elif not request.body.strip():
        data = {}
    else:
        try:
            data = json.loads(request.body)
        except ValueError:
            raise HttpError(400, "请求体不是有效的JSON") from None
    if not isinstance(data, dict):
        raise HttpError(422, "请求体应为JSON对象")
    try:
        return ActionIn(**data).dict()
    except PydanticError as exc:
        raise HttpError(422, "；".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None


@router.post("/{int:ticket_id}/{action}", response=TicketOut,
             summary="诉求办理：assign / start / resolve / close / reopen / escalate（顺序不符时返回409）",
             openapi_extra={"requestBody": {"required": False, "content": {
                 "application/json": {"schema": inline_schema(ActionIn)}}}})
def tickets_action(request, ticket_id: Id, action: Literal["assign", "start", "resolve", "close", "reopen",
                                                             "escalate"]):
    ticket = _visible_ticket(request.user, ticket_id)
    data = _action_input(request)
    try:
        return services.ticket_act(user=request.user, ticket=ticket, action=action, data=data)
    except ServiceError as exc:
        _refuse(exc)


# ---- enterprises ---------------------------------------------------------------------------------------------------

class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str | None
    zone: str | None = Field(None, alias="zone.code")
    zone_name: str | None = Field(None, alias="zone.name")


class EnterprisePage(Schema):
    items: list[EnterpriseOut]
    count: int


@enterprises_router.get("", response=EnterprisePage, summary="企业查询：名称任意部分或信用代码前缀")
def enterprises_lookup(request, q: str = Query(..., min_length=1, max_length=60),
                       limit: int = Query(10, ge=1, le=50)):
    items = enterprise_lookup(user=request.user, q=q, limit=limit)
    return {"items": items, "count": len(items)}


@enterprises_router.get("/{int:enterprise_id}", response=EnterpriseOut, summary="企业详情")
def enterprises_detail(request, enterprise_id: Id):
    return get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("zone"), pk=enterprise_id)


# ---- cases ---------------------------------------------------------------------------------------------------------

class CaseOut(Schema):
    id: int
    number: str
    project: str = Field(..., alias="project.code")
    project_name: str = Field(..., alias="project.name")
    item: str = Field(..., alias="item.name")
    department: str = Field(..., alias="item.department")
    agent: str = Field(..., alias="agent.username")
    lead_official: str
    by_commitment: bool
    status: CaseStatus
    accepted_on: date
    deadline: date
    started_on: date | None
    done_on: date | None
    on_time: bool | None
    returned_on: date | None
    return_reason: str
    overdue: bool

    @staticmethod
    def resolve_overdue(obj: ServiceCase) -> bool:
        return obj.is_overdue(timezone.localdate())


class CasePage(Schema):
    items: list[CaseOut]
    count: int


class CaseIn(Schema):
    """A case to open: the project's id or code, a service item of its zone, the agent's username."""

    project: Id | str
    item: Id
    agent: str = Field(..., max_length=150)
    accepted_on: Day | None = None
    lead_official: str = Field("", max_length=50)
    by_commitment: bool = False


class AdvanceIn(Schema):
    to: Literal["in_progress", "done", "returned"]
    on: Day | None = None
    reason: str = Field("", max_length=300)


class CaseQuery(Schema):
    state: Literal["open", "overdue", "accepted", "in_progress", "done", "returned"] | None = None
    zone: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=50)
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


def _case_for(user, case_id: int) -> ServiceCase:
    qs = ServiceCase.objects.visible_to(user).select_related("project__zone__org_unit", "item", "agent")
    return get_object_or_404(qs, pk=case_id)


@cases_router.get("", response=CasePage, summary="代办件列表")
def cases_list(request, query: Query[CaseQuery]):
    filters = CaseFilters(q=query.q or "", city=query.city or "", zone=query.zone or "", state=query.state or "")
    qs = case_list(user=request.user, filters=filters, today=timezone.localdate())
    return {"items": list(qs[query.offset:query.offset + query.limit]), "count": qs.count()}


@cases_router.post("", response={201: CaseOut}, summary="受理代办件")
def cases_create(request, payload: CaseIn):
    projects = Project.objects.visible_to(request.user).select_related("zone__org_unit")
    key = {"pk": payload.project} if isinstance(payload.project, int) else {"code": payload.project}
    project = get_object_or_404(projects, **key)
    item = ServiceItem.objects.filter(pk=payload.item).first()
    agent = User.objects.select_related("org_unit").filter(username=payload.agent).first()
    if item is None or agent is None:
        raise HttpError(422, "事项或代办员不存在")
    try:
        case = casework.case_open(user=request.user, project=project, item=item, agent=agent,
                                  accepted_on=payload.accepted_on, lead_official=payload.lead_official,
                                  by_commitment=payload.by_commitment)
    except ServiceError as exc:
        _refuse(exc)
    return Status(201, _case_for(request.user, case.pk))


@cases_router.get("/stats", summary="全代办情况：服务项目、代办件、人均、按期办结率")
def cases_stats(request, city: str | None = Query(None, max_length=20)):
    stats = case_stats(user=request.user, today=timezone.localdate(), city=city)
    return {"projects_served": stats.projects_served, "cases": stats.cases, "open": stats.open, "done": stats.done,
            "done_on_time": stats.done_on_time, "returned": stats.returned, "overdue": stats.overdue,
            "on_time_rate": percent(stats.on_time_rate),
            "cases_per_agent": str(stats.cases_per_agent) if stats.cases_per_agent is not None else None,
            "agents": [{"agent": a["agent__username"], "name": a["name"], "cases": a["cases"], "done": a["done"],
                        "on_time_rate": percent(a["on_time_rate"]), "overdue": a["overdue"]} for a in stats.agents]}


@cases_router.post("/{int:case_id}/advance", response=CaseOut, summary="代办件办理（顺序不符时返回409）")
def cases_advance(request, case_id: Id, payload: AdvanceIn):
    case = _case_for(request.user, case_id)
    try:
        casework.case_advance(user=request.user, case=case, to=payload.to, on=payload.on, reason=payload.reason)
    except ServiceError as exc:
        _refuse(exc)
    return _case_for(request.user, case_id)
