"""Project pages: the ledger list (filters, totals, Excel), a project's page with its timeline and the forms that
move it, campaigns with their statistics, the 三未 lists, and the ledger import (dry run, then confirm)."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kaifaqu.accounts.roles import can_organise, can_write, can_write_somewhere

from . import services
from .choices import STAGE_ORDER, Batch
from .forms import (
    CampaignForm,
    EntryForm,
    ImportForm,
    MilestoneForm,
    ProblemForm,
    ProgressForm,
    ProjectFilterForm,
    ProjectForm,
    ResolveForm,
    StatsForm,
    ThreeUnForm,
    TransitionForm,
    writable_zones,
)
from .models import Campaign, Problem, Project
from .selectors import (
    ProjectFilters,
    campaign_composition,
    campaign_entry_counts,
    campaign_stats,
    campaigns_between,
    project_count,
    project_list,
    scope_word,
    three_un,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
THREE_UN_SHOWN = 200  # rows shown per 三未 list on the page; the Excel export has them all


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _filters(form: ProjectFilterForm) -> ProjectFilters:
    d = form.cleaned_data if form.is_valid() else {}
    return ProjectFilters(
        q=d.get("q", ""), city=d.get("city", ""), zone=d.get("zone", ""), stage=d.get("stage", ""),
        type=d.get("type", ""), chain=d["chain"].pk if d.get("chain") else None,
        strategic_emerging=d.get("strategic_emerging"), band=d.get("band", ""),
        campaign=[c.pk for c in d.get("campaign", [])], batch=d.get("batch", ""), followed=d.get("followed", ""),
        overdue=d.get("overdue", False), as_of=d.get("as_of"),
    )


@login_required
def project_list_view(request):
    form = ProjectFilterForm(request.GET or None, user=request.user)
    qs = project_list(user=request.user, filters=_filters(form), today=timezone.localdate())
    if request.GET.get("export") == "xlsx":
        from .ledger import ledger_export

        return _xlsx(ledger_export(projects=qs), f"项目台账-{timezone.localdate()}.xlsx")
    counted = project_count(user=request.user, filters=_filters(form), projects=qs)
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = counted.count  # from the tally, or counted with the totals: never a second scan
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "counted": counted, "query": query.urlencode(),
               "can_enter": writable_zones(request.user).exists()}
    template = "projects/_table.html" if request.htmx and not request.htmx.boosted else "projects/list.html"
    return render(request, template, context)


def _project_for(request, pk: int) -> Project:
    qs = Project.objects.visible_to(request.user).select_related("zone", "zone__org_unit", "zone__city", "park",
                                                                 "chain")
    return get_object_or_404(qs, pk=pk)


@login_required
def project_detail_view(request, pk: int):
    project = _project_for(request, pk)
    context = {
        "project": project,
        "editable": can_write(request.user, project.zone.org_unit),
        "events": project.stage_events.select_related("user"),
        "progress": project.progress_reports.all()[:24],
        "problems": project.problems.all(),
        "milestones": project.milestones.all(),
        "entries": project.campaign_entries.select_related("campaign").order_by("-campaign__date"),
        "changes": project.changes()[:50],
        "today": timezone.localdate(),
        "transition_form": TransitionForm(initial={"stage": next_stage(project), "version": project.version}),
        "progress_form": ProgressForm(),
        "problem_form": ProblemForm(),
        "milestone_form": MilestoneForm(), "resolve_form": ResolveForm(),
    }
    return render(request, "projects/detail.html", context)


def next_stage(project: Project) -> str:
    """The stage a project would usually move to next (the transition form's default)."""
    order = [s.value for s in STAGE_ORDER]
    if project.stage not in order or order.index(project.stage) + 1 >= len(order):
        return project.stage
    nxt = order[order.index(project.stage) + 1]
    return nxt if nxt != "at_capacity" or project.is_industrial else project.stage


def _project_form_values(form: ProjectForm) -> dict:
    values = dict(form.cleaned_data)
    values.pop("version", None)
    values["promotion_method"] = values.get("promotion_method") or ""
    return values


@login_required
def project_create_view(request):
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(user=request.user, **_project_form_values(form))
        except services.ProjectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已录入项目“{project.name}”（{project.code}）")
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": "录入项目"})


@login_required
def project_edit_view(request, pk: int):
    project = _project_for(request, pk)
    if not can_write(request.user, project.zone.org_unit):
        raise PermissionDenied("您没有权限修改该项目")
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = _project_form_values(form)
        for locked in ("zone", "stage"):
            values.pop(locked, None)
        try:
            services.project_update(user=request.user, project=project, version=form.cleaned_data["version"],
                                    **values)
        except services.ProjectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已保存")
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": f"编辑项目：{project.name}",
                                                  "project": project})


def _act(request, pk: int, form_class, action) -> HttpResponse:
    """Run a project action from a form on the project page; errors come back as messages, nothing changed."""
    project = _project_for(request, pk)
    form = form_class(request.POST)
    if not can_write(request.user, project.zone.org_unit):  # refused before the form is looked at
        messages.error(request, "您无权修改该开发区的项目")
    elif not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            note = action(project, form.cleaned_data)
        except services.ProjectError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, note)
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def project_transition_view(request, pk: int):
    def act(project, d):
        p = services.project_transition(user=request.user, project=project, stage=d["stage"], on=d["date"],
                                        reason=d["reason"], version=d["version"])
        return f"阶段已变更为“{p.get_stage_display()}”"

    return _act(request, pk, TransitionForm, act)


@login_required
@require_POST
def project_progress_view(request, pk: int):
    def act(project, d):
        services.project_progress(user=request.user, project=project, month=d["month"],
                                  completed_investment=d["completed_investment"], note=d["note"])
        return f"已记录{d['month']:%Y年%m月}进展"

    return _act(request, pk, ProgressForm, act)


@login_required
@require_POST
def project_problem_view(request, pk: int):
    def act(project, d):
        services.problem_add(user=request.user, project=project, **d)
        return "已记录存在问题"

    return _act(request, pk, ProblemForm, act)


@login_required
@require_POST
def problem_resolve_view(request, pk: int, problem_id: int):
    def act(project, d):
        problem = get_object_or_404(Problem, pk=problem_id, project=project)
        services.problem_resolve(user=request.user, problem=problem, **d)
        return "问题已标记解决"

    return _act(request, pk, ResolveForm, act)


@login_required
@require_POST
def project_milestone_view(request, pk: int):
    def act(project, d):
        services.milestone_set(user=request.user, project=project, **d)
        return f"已更新节点“{d['name']}”"

    return _act(request, pk, MilestoneForm, act)


# ---- campaigns ---------------------------------------------------------------------------------------------------

@login_required
def campaign_list_view(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(user=request.user, name=form.cleaned_data["name"],
                                                on=form.cleaned_data["date"], level=form.cleaned_data["level"])
        except services.ProjectError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已创建“{campaign.name}”")
            return redirect("projects:campaign", pk=campaign.pk)
    campaigns = list(Campaign.objects.order_by("-date"))
    counts = campaign_entry_counts(user=request.user)
    for campaign in campaigns:
        campaign.n = counts.get(campaign.pk, 0)
    return render(request, "projects/campaigns.html", {"campaigns": campaigns, "form": form,
                                                       "scope": scope_word(request.user),
                                                       "can_organise": can_organise(request.user)})


@login_required
def campaign_detail_view(request, pk: int):
    """GET shows the campaign's statistics; POST lists a project (by code) in one of its batches."""
    campaign = get_object_or_404(Campaign, pk=pk)
    stats_url = f"{reverse('projects:stats')}?campaign={campaign.pk}"
    form = EntryForm(request.POST or None)
    if request.method != "POST":
        return redirect(stats_url)
    project = None
    if form.is_valid():
        project = Project.objects.visible_to(request.user).select_related("zone__org_unit").filter(
            code=form.cleaned_data["project"].strip()).first()
    if project is None:
        messages.error(request, "项目编号不存在或无权访问")
        return redirect(stats_url)
    try:
        services.campaign_list_project(user=request.user, campaign=campaign, project=project,
                                       batch=form.cleaned_data["batch"])
    except services.ProjectError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将“{project.name}”列入{Batch(form.cleaned_data['batch']).label}")
    return redirect(stats_url)


def _stats_scope(request) -> tuple[StatsForm, list[int], date, str | None, str | None]:
    form = StatsForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    d = form.cleaned_data if form.is_valid() else {}
    as_of = d.get("as_of") or today
    ids = [c.pk for c in d.get("campaign", [])]
    if not ids and d.get("since"):
        ids = list(campaigns_between(d["since"], as_of).values_list("pk", flat=True))
    if not ids and not request.GET:
        latest = Campaign.objects.order_by("-date").first()
        ids = [latest.pk] if latest else []
    return form, ids, as_of, d.get("city") or None, d.get("zone") or None


@login_required
def campaign_stats_view(request):
    form, ids, as_of, city, zone = _stats_scope(request)
    stats = campaign_stats(user=request.user, campaign_ids=ids, as_of=as_of, city=city, zone=zone) if ids else None
    composition = campaign_composition(user=request.user, campaign_ids=ids, city=city, zone=zone) if ids else None
    base = "&".join([*(f"campaign={i}" for i in ids), f"as_of={as_of}", f"city={city or ''}", f"zone={zone or ''}"])
    context = {"form": form, "stats": stats, "composition": composition, "as_of": as_of, "base_query": base,
               "campaigns": Campaign.objects.filter(pk__in=ids), "can_organise": can_organise(request.user),
               "entry_form": EntryForm(), "batches": Batch}
    return render(request, "projects/stats.html", context)


@login_required
def three_un_view(request):
    form = ThreeUnForm(request.GET or None, user=request.user)
    d = form.cleaned_data if form.is_valid() else {}
    as_of = d.get("as_of") or timezone.localdate()
    since = d.get("since") or date(as_of.year - 1, 1, 1)
    city, zone = d.get("city") or None, d.get("zone") or None
    if request.GET.get("export") == "xlsx":
        from .ledger import three_un_export

        lists = three_un(user=request.user, since=since, as_of=as_of, city=city, zone=zone)
        label = str(request.user.scope_label)
        return _xlsx(three_un_export(lists={k: v["items"] for k, v in lists.items()}, since=since, as_of=as_of,
                                     scope_label=label), f"三未项目-{as_of}.xlsx")
    lists = three_un(user=request.user, since=since, as_of=as_of, city=city, zone=zone, limit=THREE_UN_SHOWN)
    tabs = [("signed_not_started", "签而未落"), ("started_not_producing", "落而未投"),
            ("producing_not_at_capacity", "投而未效")]
    context = {"form": form, "since": since, "as_of": as_of, "shown": THREE_UN_SHOWN,
               "tabs": [(k, label, lists[k]) for k, label in tabs], "query": request.GET.urlencode()}
    return render(request, "projects/three_un.html", context)


# ---- import ----------------------------------------------------------------------------------------------------

def _upload_dir():
    path = settings.DATA_DIR / "uploads"
    path.mkdir(exist_ok=True)
    return path


@login_required
def project_import_view(request):
    """Upload → dry run shown → confirm imports the same file (kept server-side under a random name)."""
    from .ledger import MAX_UPLOAD_BYTES, NO_IMPORT_RIGHT, LedgerImportError, ledger_import

    if not can_write_somewhere(request.user):  # before any file is read
        raise PermissionDenied(NO_IMPORT_RIGHT)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    token = request.POST.get("token", "")
    if request.method == "POST" and token:
        path = _upload_dir() / f"{uuid.UUID(token)}.xlsx" if _is_uuid(token) else None
        if path is None or not path.exists() or request.session.get("import_token") != token:
            messages.error(request, "待导入的文件已失效，请重新上传")
            return redirect("projects:import")
        try:
            report = ledger_import(user=request.user, data=path.read_bytes(), dry_run=False)
        except LedgerImportError as exc:
            context["errors"] = exc.errors
        else:
            path.unlink(missing_ok=True)
            messages.success(request, f"导入完成：新增 {report.created} 个、更新 {report.updated} 个项目，"
                                      f"新增活动铺排 {report.campaign_entries} 条")
            return redirect("projects:list")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            context["errors_text"] = f"文件过大：不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB"
        else:
            data = upload.read()
            try:
                context["report"] = ledger_import(user=request.user, data=data, dry_run=True)
            except LedgerImportError as exc:
                context["errors"] = exc.errors
            else:
                token = str(uuid.uuid4())
                (_upload_dir() / f"{token}.xlsx").write_bytes(data)
                request.session["import_token"] = token
                context["token"] = token
    return render(request, "projects/import.html", context)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
def project_template_view(request):
    from .ledger import ledger_template

    return _xlsx(ledger_template(), "项目台账导入模板.xlsx")
