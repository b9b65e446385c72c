"""Hotline pages (一话通办): the services overview, the call-taker's form with its enterprise lookup, the ticket
list and department queues, a ticket's page with its timeline and workflow, the figures with charts, and the
Excel exports. Each view parses input, calls a service or a selector, and renders; every read is scoped."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .case_selectors import case_stats, commitment_stats
from .choices import Category, TicketAction
from .enterprises import enterprise_lookup
from .errors import NotPermitted, ServiceError
from .excel import export_date, ticket_stats_export, tickets_export
from .forms import ACTION_FORMS, DEPARTMENTS, PeriodForm, TicketFilterForm, TicketForm, handling_zones
from .models import Ticket
from .selectors import TicketFilters, department_queues, ticket_count, ticket_list, ticket_stats, ticket_trend

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def xlsx(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def is_partial(request) -> bool:
    """An htmx request for a fragment (a table), not a boosted page."""
    return bool(request.htmx) and not request.htmx.boosted


@login_required
def home_view(request):
    """企业服务: this year's hotline, agency and commitment figures, and the busiest department queues."""
    today = timezone.localdate()
    since = date(today.year, 1, 1)
    context = {"stats": ticket_stats(user=request.user, date_from=since, date_to=today),
               "cases": case_stats(user=request.user, today=today, date_from=since, date_to=today),
               "commitments": commitment_stats(user=request.user, today=today),
               "queues": department_queues(user=request.user, today=today)[:10], "since": since, "today": today}
    return render(request, "tickets/home.html", context)


# ---- receiving ------------------------------------------------------------------------------------------------------

@login_required
def ticket_new_view(request):
    """受理登记: find the enterprise as you type, pick the category, write the request, send it to a
    department — then the form is ready for the next call."""
    form = TicketForm(request.POST or None, user=request.user)
    if not form.fields["zone"].queryset.exists():
        messages.error(request, "您没有受理诉求的权限")
        return redirect("services:tickets")
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_create(user=request.user, **form.cleaned_data)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            where = f"，已分派至{ticket.department}" if ticket.department else ""
            messages.success(request, f"已受理诉求 {ticket.number}{where}")
            return redirect("services:ticket_new")
    recent = (Ticket.objects.visible_to(request.user).filter(created_by=request.user)
              .select_related("enterprise").order_by("-received_at")[:8])
    return render(request, "tickets/new.html", {"form": form, "departments": DEPARTMENTS, "recent": recent,
                                                "assigns": services.assigns_tickets(request.user)})


@login_required
def enterprise_lookup_view(request):
    """The lookup's results as the call-taker types (htmx partial)."""
    q = request.GET.get("q", "")
    found = enterprise_lookup(user=request.user, q=q) if q.strip() else []
    return render(request, "tickets/_lookup.html", {"found": found, "q": q})


# ---- lists ---------------------------------------------------------------------------------------------------------

def _filters(form: TicketFilterForm) -> TicketFilters:
    d = form.cleaned_data if form.is_valid() else {}
    return TicketFilters(**{k: v for k, v in d.items() if v not in (None, "")})


@login_required
def ticket_list_view(request):
    """诉求台账 (a department queue when filtered to one department's open tickets), exported to Excel."""
    form = TicketFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    qs = ticket_list(user=request.user, filters=_filters(form), today=today, paged="export" not in request.GET)
    if request.GET.get("export") == "xlsx":
        return xlsx(tickets_export(tickets=qs, user=request.user), f"企业诉求台账-{export_date(today)}.xlsx")
    counted = ticket_count(user=request.user, filters=_filters(form), tickets=qs)
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = counted.count  # from the tally, or counted up to the limit: never a scan of the scope
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "counted": counted, "today": today, "query": query.urlencode(),
               "can_receive": handling_zones(request.user).exists()}
    return render(request, "tickets/_ticket_table.html" if is_partial(request) else "tickets/list.html", context)


@login_required
def queues_view(request):
    """承办部门工作台: open, overdue and key-difficult tickets per zone and department."""
    form = PeriodForm(request.GET or None, user=request.user)
    city = form.cleaned_data.get("city") if form.is_valid() else None
    rows = department_queues(user=request.user, city=city or None, today=timezone.localdate())
    return render(request, "tickets/queues.html", {"form": form, "rows": rows})


# ---- one ticket ------------------------------------------------------------------------------------------------------

def ticket_for(request, pk: int) -> Ticket:
    """The ticket, if the user may see it (404 otherwise)."""
    qs = Ticket.objects.visible_to(request.user).select_related("zone__org_unit", "zone__city", "enterprise",
                                                                "created_by")
    return get_object_or_404(qs, pk=pk)


@login_required
def ticket_detail_view(request, pk: int):
    """A ticket: its facts, its timeline, the steps the user may take now, its change log."""
    ticket = ticket_for(request, pk)
    today = timezone.localdate()
    handler = services.can_handle(request.user, ticket.zone)
    assigns = services.can_assign(request.user, ticket.zone)
    steps = {a: ACTION_FORMS[a]() for a, allowed in services.NEXT.items()
             if ticket.status in allowed and (a != TicketAction.ASSIGN or assigns)} if handler else {}
    context = {"ticket": ticket, "events": ticket.events.select_related("user"), "changes": ticket.changes()[:30],
               "forms": {TicketAction(a).value: f for a, f in steps.items()}, "handler": handler, "today": today,
               "overdue": ticket.is_overdue(today), "departments": DEPARTMENTS, "now": timezone.now()}
    return render(request, "tickets/detail.html", context)


@login_required
@require_POST
def ticket_action_view(request, pk: int, action: str):
    """Run a workflow step from the ticket's page; a refusal comes back as a message, nothing changed."""
    ticket = ticket_for(request, pk)
    if action not in services.ACTIONS:
        raise Http404
    form = ACTION_FORMS[action](request.POST) if action in ACTION_FORMS else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("services:ticket", pk=ticket.pk)
    try:
        done = services.ticket_act(user=request.user, ticket=ticket, action=action,
                                   data=form.cleaned_data if form else {})
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{TicketAction(action).label}：诉求当前为“{done.get_status_display()}”")
    return redirect("services:ticket", pk=ticket.pk)


# ---- figures --------------------------------------------------------------------------------------------------------

@login_required
def stats_view(request):
    """诉求办理情况: received, resolved, on-time and first-response rates, satisfaction index, by category and by
    department, with the monthly trend; the same figures as an office-layout workbook."""
    form = PeriodForm(request.GET or None, user=request.user)
    date_from, date_to = form.period()
    d = form.cleaned_data if form.is_valid() else {}
    city, zone = d.get("city") or None, d.get("zone") or None
    stats = ticket_stats(user=request.user, date_from=date_from, date_to=date_to, city=city, zone=zone)
    if request.GET.get("export") == "xlsx":
        content = ticket_stats_export(stats=stats, scope_label=str(request.user.scope_label),
                                      labels=dict(Category.choices))
        return xlsx(content, f"企业诉求办理情况统计表-{export_date(date_to)}.xlsx")
    today = timezone.localdate()
    trend = ticket_trend(user=request.user, date_from=date_from, date_to=date_to, city=city, zone=zone)
    context = {"form": form, "stats": stats, "labels": dict(Category.choices), "query": request.GET.urlencode(),
               "cases": case_stats(user=request.user, today=today, date_from=date_from, date_to=date_to, city=city),
               "commitments": commitment_stats(user=request.user, today=today, city=city),
               "chart": _chart_data(stats) | {"trend": trend}}
    return render(request, "tickets/stats.html", context)


def _chart_data(stats) -> dict:
    labels = dict(Category.choices)
    return {"categories": [labels[c] for c in stats.by_category],
            "received": [f.received for f in stats.by_category.values()],
            "resolved": [f.resolved for f in stats.by_category.values()],
            "satisfaction": [{"name": "满意", "value": stats.total.satisfied},
                             {"name": "基本满意", "value": stats.total.basic},
                             {"name": "不满意", "value": stats.total.dissatisfied}] if stats.total.rated else []}
