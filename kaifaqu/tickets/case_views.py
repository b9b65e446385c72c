"""Agency-service and commitment pages (全代办, 承诺制): the service catalogue with its Excel import and export,
the cases with their figures, a case's page, a project's service page (its cases and commitments, and the forms
that add them), and the commitments list with the overdue ones marked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kaifaqu.accounts.roles import can_write, can_write_somewhere
from kaifaqu.core.params import id_parse
from kaifaqu.projects.models import Project

from . import casework
from .case_selectors import (
    CaseFilters,
    case_list,
    case_stats,
    commitment_list,
    commitment_stats,
    scoped_items,
)
from .choices import CaseStatus
from .enterprise_views import import_page
from .errors import NotPermitted, ServiceError
from .excel import export_date, service_items_export, service_items_import
from .forms import CaseAdvanceForm, CaseForm, CommitmentForm, PeriodForm, VerifyForm
from .models import Commitment, ServiceCase
from .views import PAGE_SIZE, xlsx


@login_required
def items_view(request):
    """帮办代办事项: the catalogue of the user's zones, each with its case count; Excel export (= the template)."""
    zone = request.GET.get("zone", "")[:20]
    items = scoped_items(user=request.user, zone=zone or None)
    if request.GET.get("export") == "xlsx":
        return xlsx(service_items_export(items=items), f"帮办代办事项-{export_date(timezone.localdate())}.xlsx")
    return render(request, "tickets/items.html", {"items": items, "zone": zone,
                                                  "can_import": can_write_somewhere(request.user)})


@login_required
def items_import_view(request):
    """导入帮办代办事项."""
    return import_page(request, title="导入帮办代办事项", run=service_items_import, header="事项名称",
                       template_url=f"{reverse('services:items')}?export=xlsx",
                       columns="事项名称*、所属开发区*（代码、全称或简称）、实施部门*、项目阶段、法定时限(工作日)*、"
                               "可承诺制办理（是/否）")


# ---- cases ---------------------------------------------------------------------------------------------------------

@login_required
def cases_view(request):
    """代办件: the list (open ones by deadline) and the figures — projects served, cases, per agent, on time."""
    form = PeriodForm(request.GET or None, user=request.user)
    date_from, date_to = form.period()
    d = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    agent = request.GET.get("agent", "")
    filters = CaseFilters(q=request.GET.get("q", "")[:50], city=d.get("city", ""), zone=d.get("zone", ""),
                          state=request.GET.get("state", "")[:12], agent=id_parse(agent))
    page = Paginator(case_list(user=request.user, filters=filters, today=today), PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    stats = case_stats(user=request.user, today=today, date_from=date_from, date_to=date_to,
                       city=d.get("city") or None)
    return render(request, "tickets/cases.html", {"form": form, "page": page, "stats": stats, "today": today,
                                                  "filters": filters, "query": query.urlencode(),
                                                  "date_from": date_from, "date_to": date_to})


def _case_for(request, pk: int) -> ServiceCase:
    qs = ServiceCase.objects.visible_to(request.user).select_related("project__zone__org_unit", "item", "agent")
    return get_object_or_404(qs, pk=pk)


@login_required
def case_detail_view(request, pk: int):
    """A case: its facts, its timeline, the step its agent may take."""
    case = _case_for(request, pk)
    context = {"case": case, "events": case.events.select_related("user"), "changes": case.changes()[:30],
               "today": timezone.localdate(), "form": CaseAdvanceForm(),
               "workable": casework.can_work_case(request.user, case) and case.status in (
                   CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)}
    return render(request, "tickets/case.html", context)


def _report(request, form, action, done: str) -> None:
    """Run `action(cleaned_data)` if the form is valid; its refusal or the form's errors become messages, but a
    refusal for want of permission is the page's answer (403)."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    try:
        action(form.cleaned_data)
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


@login_required
@require_POST
def case_advance_view(request, pk: int):
    """Move a case on from its page."""
    case = _case_for(request, pk)
    _report(request, CaseAdvanceForm(request.POST),
            lambda d: casework.case_advance(user=request.user, case=case, to=d["to"], on=d["on"], reason=d["reason"]),
            "已更新代办件状态")
    return redirect("services:case", pk=case.pk)


# ---- a project's services ----------------------------------------------------------------------------------------

def _project_for(request, pk: int) -> Project:
    qs = Project.objects.visible_to(request.user).select_related("zone__org_unit")
    return get_object_or_404(qs, pk=pk)


@login_required
def project_services_view(request, pk: int):
    """项目服务: the project's agency cases and commitments (overdue ones marked), and the forms that add them."""
    project = _project_for(request, pk)
    today = timezone.localdate()
    context = {"project": project, "today": today, "editable": can_write(request.user, project.zone.org_unit),
               "cases": ServiceCase.objects.visible_to(request.user).filter(project=project)
               .select_related("item", "agent").order_by("-accepted_on", "-id"),
               "commitments": commitment_list(user=request.user, today=today, project=project.pk),
               "case_form": CaseForm(project=project), "commitment_form": CommitmentForm(),
               "verify_form": VerifyForm(initial={"verified_on": today})}
    return render(request, "tickets/project.html", context)


@login_required
@require_POST
def project_case_new_view(request, pk: int):
    """Open a case from the project's service page."""
    project = _project_for(request, pk)
    _report(request, CaseForm(request.POST, project=project),
            lambda d: casework.case_open(user=request.user, project=project, **d), "已受理代办件")
    return redirect("services:project", pk=project.pk)


@login_required
@require_POST
def commitment_new_view(request, pk: int):
    """Record a commitment from the project's service page."""
    project = _project_for(request, pk)
    _report(request, CommitmentForm(request.POST),
            lambda d: casework.commitment_add(user=request.user, project=project, **d), "已登记承诺事项")
    return redirect("services:project", pk=project.pk)


@login_required
@require_POST
def commitment_verify_view(request, pk: int):
    """Record a commitment's verification."""
    commitment = get_object_or_404(Commitment.objects.visible_to(request.user), pk=pk)
    _report(request, VerifyForm(request.POST),
            lambda d: casework.commitment_verify(user=request.user, commitment=commitment, **d), "已记录核查结果")
    return redirect("services:project", pk=commitment.project_id)


@login_required
def commitments_view(request):
    """承诺事项: the commitments of the user's 承诺制 projects, the overdue ones first marked."""
    state = request.GET.get("state", "")[:10]
    today = timezone.localdate()
    qs = commitment_list(user=request.user, today=today, state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/commitments.html", {
        "page": page, "state": state, "today": today, "stats": commitment_stats(user=request.user, today=today)})
