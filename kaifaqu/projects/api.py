"""/api/v1/projects, /campaigns, /three-un (SPEC §12). Handlers parse, call a service or selector, answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from kaifaqu.accounts.roles import can_write_somewhere
from kaifaqu.core.counting import count_note
from kaifaqu.core.params import Day, Id, Offset
from kaifaqu.zones.models import IndustryChain, Park, Zone

from . import services
from .choices import Batch, ProjectType, Stage
from .models import Campaign, Project
from .schemas import (
    CampaignIn,
    CampaignOut,
    EntryIn,
    EntryOut,
    ImportReportOut,
    ProjectIn,
    ProjectOut,
    ProjectPage,
    ProjectPatch,
    TransitionIn,
)
from .selectors import ProjectFilters, campaign_stats, project_count, project_list, three_un

router = Router(tags=["项目"])
campaigns_router = Router(tags=["三个一批"])
three_un_router = Router(tags=["三个一批"])

MAX_UPLOAD = 40 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refuse(exc: services.ProjectError):
    raise HttpError(exc.status, exc.message) from None


def _visible_project(user, project_id: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(user).select_related("zone", "zone__org_unit"),
                             pk=project_id)


def _references(user, data: dict) -> dict:
    """Turn the codes and names of a request (zone, park, chain) into rows, 422 when unknown or out of scope."""
    out = dict(data)
    if "zone" in data:
        zone = Zone.objects.visible_to(user).select_related("org_unit").filter(code=data["zone"]).first()
        if zone is None:
            raise HttpError(422, f"开发区不存在或无权访问：{data['zone']}")
        out["zone"] = zone
    if data.get("park"):
        zone = out.get("zone")
        park = Park.objects.filter(zone=zone, name=data["park"]).first() if zone else None
        if park is None:
            raise HttpError(422, f"所属园区不存在：{data['park']}")
        out["park"] = park
    if data.get("chain"):
        chain = IndustryChain.objects.filter(name=data["chain"]).first()
        if chain is None:
            raise HttpError(422, f"产业链不存在：{data['chain']}")
        out["chain"] = chain
    if "promotion_method" in out and out["promotion_method"] is None:
        out["promotion_method"] = ""
    return out


class ProjectQuery(Schema):
    code: str | None = Field(None, max_length=40)
    zone: str | None = Field(None, max_length=20, description="开发区代码")
    city: str | None = Field(None, max_length=20, description="市：区划代码或名称")
    stage: Stage | None = None
    type: ProjectType | None = None
    q: str | None = Field(None, max_length=50)
    band: str | None = Field(None, pattern=r"^(1|5|10)$", description="总投资不少于 1/5/10 亿元")
    campaign: list[Id] = Field(default_factory=list)
    batch: Batch | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: Offset = 0


def _filters(query: ProjectQuery) -> ProjectFilters:
    return ProjectFilters(q=query.q or query.code or "", city=query.city or "", zone=query.zone or "",
                          stage=query.stage or "", type=query.type or "", band=query.band or "",
                          campaign=query.campaign, batch=query.batch or "")


@router.get("", response=ProjectPage, summary="项目列表（按权限范围，可筛选）",
            description=count_note(what="项目", kept_by="市、开发区、阶段", sums="投资合计"))
def projects_list(request, query: Query[ProjectQuery]):
    filters = _filters(query)
    qs = project_list(user=request.user, filters=filters, today=timezone.localdate())
    if query.code:
        qs = qs.filter(code=query.code)
    counted = project_count(user=request.user, filters=filters, projects=qs)
    return {"items": list(qs[query.offset : query.offset + query.limit]), "count": counted.count,
            "count_exact": counted.exact, "total_investment": counted.total("total_investment"),
            "completed_investment": counted.total("completed_investment")}


@router.post("", response={201: ProjectOut}, summary="录入项目")
def projects_create(request, payload: ProjectIn):
    try:
        project = services.project_create(user=request.user, **_references(request.user, payload.dict()))
    except services.ProjectError as exc:
        _refuse(exc)
    return Status(201, project)


@router.get("/export", summary="导出项目台账（Excel，可原样导入）")
def projects_export(request, query: Query[ProjectQuery]):
    from .ledger import ledger_export

    qs = project_list(user=request.user, filters=_filters(query), today=timezone.localdate())
    response = HttpResponse(ledger_export(projects=qs), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''project-ledger-{timezone.localdate()}.xlsx"
    return response


@router.get("/template", summary="下载项目台账导入模板")
def projects_template(request):
    from .ledger import ledger_template

    response = HttpResponse(ledger_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=project-ledger-template.xlsx"
    return response


@router.post("/import", response={200: ImportReportOut}, summary="导入项目台账（全部成功或全部不写入）")
def projects_import(request, file: File[UploadedFile], dry_run: bool = False):
    from .ledger import NO_IMPORT_RIGHT, LedgerImportError, ledger_import

    if not can_write_somewhere(request.user):  # before the file is read
        raise HttpError(403, NO_IMPORT_RIGHT)
    if file.size > MAX_UPLOAD:
        raise HttpError(422, "文件过大：项目台账不能超过40MB")
    try:
        report = ledger_import(user=request.user, data=file.read(), dry_run=dry_run)
    except LedgerImportError as exc:
        errors = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
        return request_422(request, errors)
    return report


def request_422(request, errors):
    from kaifaqu.api import api

    return api.create_response(request, {"detail": "导入失败，未写入任何数据", "errors": errors}, status=422)


@router.get("/{int:project_id}", response=ProjectOut, summary="项目详情")
def projects_detail(request, project_id: Id):
    return _visible_project(request.user, project_id)


@router.patch("/{int:project_id}", response=ProjectOut, summary="修改项目（带版本号，过期的修改被拒绝）")
def projects_patch(request, project_id: Id, payload: ProjectPatch):
    project = _visible_project(request.user, project_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "park" in changes and changes["park"]:
        changes["zone"] = project.zone.code
    changes = _references(request.user, changes)
    changes.pop("zone", None)
    try:
        return services.project_update(user=request.user, project=project, version=version, **changes)
    except services.ProjectError as exc:
        _refuse(exc)


@router.post("/{int:project_id}/transition", response=ProjectOut, summary="阶段变更（违反阶段规则时返回409）")
def projects_transition(request, project_id: Id, payload: TransitionIn):
    project = _visible_project(request.user, project_id)
    try:
        return services.project_transition(user=request.user, project=project, stage=payload.stage,
                                           on=payload.date, reason=payload.reason, version=payload.version)
    except services.ProjectError as exc:
        _refuse(exc)


# ---- campaigns ---------------------------------------------------------------------------------------------------

class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int


@campaigns_router.get("", response=CampaignPage, summary="三个一批活动列表")
def campaigns_list(request, limit: int = Query(100, ge=1, le=500), offset: Offset = 0):
    qs = Campaign.objects.all()
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@campaigns_router.post("", response={201: CampaignOut}, summary="创建三个一批活动")
def campaigns_create(request, payload: CampaignIn):
    try:
        return Status(201, services.campaign_create(user=request.user, name=payload.name, on=payload.date,
                                             level=payload.level))
    except services.ProjectError as exc:
        _refuse(exc)


@campaigns_router.post("/{int:campaign_id}/entries", response={201: EntryOut}, summary="将项目列入活动的某一批次")
def campaigns_entry(request, campaign_id: Id, payload: EntryIn):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    projects = Project.objects.visible_to(request.user).select_related("zone__org_unit")
    key = {"pk": payload.project} if isinstance(payload.project, int) else {"code": payload.project}
    project = get_object_or_404(projects, **key)
    try:
        entry = services.campaign_list_project(user=request.user, campaign=campaign, project=project,
                                               batch=payload.batch)
    except services.ProjectError as exc:
        _refuse(exc)
    return Status(201, entry)


class StatsQuery(Schema):
    campaign: list[Id] = Field(..., min_length=1, max_length=100)
    as_of: Day | None = None
    city: str | None = Field(None, max_length=20)
    zone: str | None = Field(None, max_length=20)


@campaigns_router.get("/stats", summary="三个一批统计：开工率、投产率、达产率")
def campaigns_stats(request, query: Query[StatsQuery]):
    known = set(Campaign.objects.filter(pk__in=query.campaign).values_list("pk", flat=True))
    missing = [c for c in query.campaign if c not in known]
    if missing:
        raise HttpError(404, f"活动不存在：{missing}")
    as_of = query.as_of or timezone.localdate()
    stats = campaign_stats(user=request.user, campaign_ids=query.campaign, as_of=as_of, city=query.city,
                           zone=query.zone)
    return {batch: _jsonable(s.as_dict()) for batch, s in stats.items()} | {"as_of": as_of.isoformat()}


def _jsonable(d: dict) -> dict:
    """Decimals as strings with two decimals (SQLite's sums come back unscaled); counts stay numbers."""
    return {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in d.items()}


class ThreeUnQuery(Schema):
    since: Day
    as_of: Day | None = None
    city: str | None = Field(None, max_length=20)
    zone: str | None = Field(None, max_length=20)
    limit: int = Field(100, ge=1, le=1000, description="每个清单返回的条数")
    offset: Offset = 0


@three_un_router.get("", summary="三未项目：签而未落、落而未投、投而未效")
def three_un_list(request, query: Query[ThreeUnQuery]):
    as_of = query.as_of or timezone.localdate()
    if query.since > as_of:
        raise HttpError(422, "起始日期不能晚于截至日期")
    lists = three_un(user=request.user, since=query.since, as_of=as_of, city=query.city, zone=query.zone,
                     limit=query.limit, offset=query.offset)
    return {key: {"count": part["count"], "items": [_jsonable_row(r) for r in part["items"]]}
            for key, part in lists.items()}


def _jsonable_row(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else f"{v:.2f}" if isinstance(v, Decimal) else v)
            for k, v in row.items()}
