"""/api/v1/leads and /api/v1/events (SPEC §12). Handlers parse, call a service or selector, answer; every read
goes through `visible_to`, a lead outside the caller's scope is a 404, and bad input is a 4xx in Chinese."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from kaifaqu.accounts.models import OrgUnit, User
from kaifaqu.core.counting import count_note
from kaifaqu.core.excel import CellError, parse_decimal
from kaifaqu.core.params import Day, Id, Offset
from kaifaqu.core.privacy import PhoneOut, api_unmask
from kaifaqu.projects.schemas import ProjectOut
from kaifaqu.zones.models import IndustryChain, Zone

from . import services
from .choices import EventKind, LeadStage
from .models import Lead, PromotionEvent
from .schemas import (
    AdvanceIn,
    DuplicateOut,
    EventIn,
    EventOut,
    EventPage,
    FunnelOut,
    LeadCreated,
    LeadIn,
    LeadOut,
    LeadPage,
    NoteIn,
    NoteOut,
)
from .selectors import (
    EventFilters,
    LeadFilters,
    event_list,
    funnel,
    lead_count,
    lead_duplicates,
    lead_list,
    resolve_city,
)

router = Router(tags=["招商线索"])
events_router = Router(tags=["招商活动"])


def _refuse(exc: services.LeadError):
    raise HttpError(exc.status, exc.message) from None


def _visible_lead(user, lead_id: int) -> Lead:
    return get_object_or_404(Lead.objects.visible_to(user).select_related(
        "zone__org_unit", "city", "chain", "source_event", "owner_unit", "owner", "converted_project", "enterprise"),
        pk=lead_id)


def _amount(value, label: str) -> Decimal | None:
    """A number given as a number or as text, with a Chinese message when it is not one."""
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return parse_decimal(value, negative=True)
    except CellError as exc:
        raise HttpError(422, f"{label}：{exc.message}") from None


def _lead_references(user, payload: LeadIn) -> dict:
    """The request's codes and names as rows (422 when unknown or outside the caller's scope)."""
    data = payload.dict(exclude={"confirm"})
    data["investment"] = _amount(data["investment"], "意向投资额")
    data["method"] = data["method"] or ""
    if data.get("zone"):
        data["zone"] = Zone.objects.visible_to(user).select_related("org_unit", "city").filter(
            code=data["zone"]).first() or _unknown("开发区", data["zone"])
    if data.get("chain"):
        data["chain"] = IndustryChain.objects.filter(name=data["chain"]).first() or _unknown("产业链", data["chain"])
    if data.get("source_event") is not None:
        data["source_event"] = PromotionEvent.objects.visible_to(user).filter(
            pk=data["source_event"]).first() or _unknown("来源活动", data["source_event"])
    if data.get("owner"):
        data["owner"] = User.objects.visible_to(user).filter(username=data["owner"]).first() or _unknown(
            "负责人", data["owner"])
    return {k: v for k, v in data.items() if v is not None}


def _unknown(what: str, value):
    raise HttpError(422, f"{what}不存在或无权访问：{value}")


# ---- leads ---------------------------------------------------------------------------------------------------

class LeadQuery(Schema):
    stage: LeadStage | None = None
    zone: str | None = Field(None, max_length=20, description="开发区代码")
    city: str | None = Field(None, max_length=20, description="市：区划代码或名称")
    q: str | None = Field(None, max_length=50)
    event: Id | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


@router.get("", response=LeadPage, summary="招商线索列表（按权限范围，可按阶段、开发区、市筛选）",
            description=count_note(what="线索", kept_by="开发区、阶段", sums="意向投资额合计"))
def leads_list(request, query: Query[LeadQuery]):
    filters = LeadFilters(stage=query.stage or "", zone=query.zone or "", city=query.city or "", q=query.q or "",
                          event=query.event)
    qs = lead_list(user=request.user, filters=filters, today=timezone.localdate(), paged=True).order_by(
        "-received_on", "-id")
    counted = lead_count(user=request.user, filters=filters, leads=qs)
    return {"items": list(qs[query.offset : query.offset + query.limit]), "count": counted.count,
            "count_exact": counted.exact, "investment": counted.total("investment")}


@router.post("", response={201: LeadCreated, 409: DuplicateOut},
             summary="登记招商线索（同企业同意向同开发区时返回409）")
def leads_create(request, payload: LeadIn):
    values = _lead_references(request.user, payload)
    try:
        lead = services.lead_create(user=request.user, confirm=payload.confirm, **values)
    except services.DuplicateLead as exc:
        return Status(409, {"detail": exc.message, "duplicates": [d.pk for d in exc.duplicates]})
    except services.LeadError as exc:
        _refuse(exc)
    others = lead_duplicates(user=request.user, company=lead.company, zone=lead.zone,
                             project_name=lead.project_name, exclude=lead.pk)
    created = _visible_lead(request.user, lead.pk)
    created.possible_duplicates = [d.pk for d in others]
    return Status(201, created)


class FunnelQuery(Schema):
    date_from: Day
    date_to: Day
    city: str | None = Field(None, max_length=20, description="市：区划代码或名称；不填为本单位所在市")


@router.get("/funnel", response=FunnelOut, summary="招商成效：活动场次、洽谈项目、签约项目及占全市比重")
def leads_funnel(request, query: Query[FunnelQuery]):
    if query.date_from > query.date_to:
        raise HttpError(422, "起始日期不能晚于截至日期")
    try:
        f = funnel(user=request.user, date_from=query.date_from, date_to=query.date_to, city=query.city)
    except LookupError as exc:
        raise HttpError(422, str(exc)) from None
    total = f.city_total
    return {"date_from": f.date_from, "date_to": f.date_to, "city": f.city.code if f.city else None,
            "events": f.events, "negotiating": f.negotiating, "negotiating_investment": f.negotiating_investment,
            "negotiating_big": f.negotiating_big, "signed": f.signed, "signed_investment": f.signed_investment,
            "city_signed_projects": total.signed_projects if total else None,
            "city_signed_investment": total.signed_investment if total else None,
            "signed_share": f.signed_share, "signed_investment_share": f.signed_investment_share, "links": f.links}


@router.get("/{int:lead_id}", response=LeadOut, summary="招商线索详情")
def leads_detail(request, lead_id: Id):
    return _visible_lead(request.user, lead_id)


@router.post("/{int:lead_id}/phone", response=PhoneOut,
             summary="查看线索联系人完整号码（上级审核员、管理员；记入审计日志）")
def leads_phone(request, lead_id: Id):
    return api_unmask(request, _visible_lead(request.user, lead_id))


@router.post("/{int:lead_id}/advance", response=LeadOut, summary="推进阶段或标记流失（倒退、缺原因时拒绝）")
def leads_advance(request, lead_id: Id, payload: AdvanceIn):
    lead = _visible_lead(request.user, lead_id)
    try:
        services.lead_advance(user=request.user, lead=lead, stage=payload.stage, on=payload.date,
                              reason=payload.reason, version=payload.version)
    except services.LeadError as exc:
        _refuse(exc)
    return _visible_lead(request.user, lead_id)


@router.post("/{int:lead_id}/notes", response={201: NoteOut}, summary="记录跟进情况")
def leads_note(request, lead_id: Id, payload: NoteIn):
    lead = _visible_lead(request.user, lead_id)
    try:
        note = services.lead_note_add(user=request.user, lead=lead, text=payload.text, on=payload.on,
                                      next_action=payload.next_action, next_action_on=payload.next_action_on)
    except services.LeadError as exc:
        _refuse(exc)
    return Status(201, note)


@router.post("/{int:lead_id}/convert", response={201: ProjectOut},
             summary="已签约线索转为项目（返回新项目；已转或未签约时409）")
def leads_convert(request, lead_id: Id):
    lead = _visible_lead(request.user, lead_id)
    try:
        project = services.lead_convert(user=request.user, lead=lead)
    except services.LeadError as exc:
        _refuse(exc)
    return Status(201, project)


# ---- events --------------------------------------------------------------------------------------------------

class EventQuery(Schema):
    city: str | None = Field(None, max_length=20)
    kind: EventKind | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    q: str | None = Field(None, max_length=50)
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


@events_router.get("", response=EventPage, summary="招商活动列表")
def events_list(request, query: Query[EventQuery]):
    qs = event_list(user=request.user, filters=EventFilters(
        q=query.q or "", city=query.city or "", kind=query.kind or "", date_from=query.date_from,
        date_to=query.date_to))
    return {"items": list(qs[query.offset : query.offset + query.limit]), "count": qs.count()}


@events_router.post("", response={201: EventOut}, summary="登记招商活动")
def events_create(request, payload: EventIn):
    city = resolve_city(payload.city) or _unknown("市", payload.city)
    organiser = None
    if payload.organiser:
        organiser = OrgUnit.objects.visible_to(request.user).filter(code=payload.organiser).first() or _unknown(
            "主办单位", payload.organiser)
    try:
        event = services.event_create(user=request.user, name=payload.name, date=payload.date, city=city,
                                      kind=payload.kind, organiser=organiser, venue=payload.venue, note=payload.note)
    except services.LeadError as exc:
        _refuse(exc)
    return Status(201, event)
