"""Investment-promotion pages: the lead board and list (Excel), a lead's page with its timeline and the forms that
move it, the lead form with its duplicate check, the events (Excel) and the funnel."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kaifaqu.accounts.roles import can_convert_lead, can_organise

from . import services
from .choices import LEAD_STAGE_ORDER, LeadStage
from .exports import event_export, lead_export
from .forms import (
    AdvanceForm,
    CityTotalForm,
    EventFilterForm,
    EventForm,
    FunnelForm,
    LeadFilterForm,
    LeadForm,
    NoteForm,
)
from .models import Lead, PromotionEvent
from .selectors import event_lead_figures, event_list, funnel, lead_board, lead_count, lead_duplicates, lead_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _may_enter(user) -> bool:
    return user.is_superuser or user.role in services.WORKING_ROLES


def next_stages(lead: Lead) -> list[tuple[str, str]]:
    """The stages a lead may move to from its board card: the later ones, and 流失."""
    if not lead.is_open:
        return []
    later = LEAD_STAGE_ORDER[LEAD_STAGE_ORDER.index(LeadStage(lead.stage)) + 1:]
    return [(s.value, s.label) for s in [*later, LeadStage.LOST]]


def _decorate(user, leads, today: date) -> None:
    """What a card shows beyond the lead: whether it is overdue, and the moves this user may make."""
    for lead in leads:
        lead.overdue = bool(lead.is_open and lead.next_action_on and lead.next_action_on < today)
        lead.moves = next_stages(lead) if services.can_work(user, services.lead_unit(lead)) else []


# ---- leads ---------------------------------------------------------------------------------------------------

@login_required
def board_view(request):
    form = LeadFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    columns = lead_board(user=request.user, filters=form.filters(), today=today)
    for column in columns:
        _decorate(request.user, column.leads, today)
    context = {"form": form, "columns": columns, "today": today, "can_enter": _may_enter(request.user),
               "query": request.GET.urlencode()}
    return render(request, "investment/board.html", context)


@login_required
def lead_list_view(request):
    form = LeadFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    qs = lead_list(user=request.user, filters=form.filters(), today=today, paged="export" not in request.GET).order_by(
        "-received_on", "-id")
    if request.GET.get("export") == "xlsx":
        content = lead_export(leads=qs.iterator(chunk_size=2000), user=request.user,
                              scope_label=str(request.user.scope_label), today=today)
        return _xlsx(content, f"招商线索台账-{today}.xlsx")
    counted = lead_count(user=request.user, filters=form.filters(), leads=qs)
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = counted.count  # from the tally, or counted with the total: never a second scan
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": paginator.get_page(request.GET.get("page")), "counted": counted, "today": today,
               "query": query.urlencode(), "can_enter": _may_enter(request.user)}
    template = "investment/_leads_table.html" if request.htmx and not request.htmx.boosted else "investment/leads.html"
    return render(request, template, context)


def _lead_for(request, pk: int) -> Lead:
    qs = Lead.objects.visible_to(request.user).select_related(
        "zone__org_unit", "zone__city", "city", "chain", "source_event", "owner_unit", "owner", "converted_project",
        "enterprise")
    return get_object_or_404(qs, pk=pk)


@login_required
def lead_detail_view(request, pk: int):
    lead = _lead_for(request, pk)
    editable = services.can_work(request.user, services.lead_unit(lead))
    moves = next_stages(lead)
    context = {
        "lead": lead, "editable": editable, "today": timezone.localdate(),
        "notes": lead.notes.select_related("user"), "changes": lead.changes()[:50],
        "advance_form": AdvanceForm(initial={"stage": moves[0][0] if moves else "", "version": lead.version}),
        "moves": moves, "note_form": NoteForm(),
        "signed_unconverted": lead.stage == LeadStage.SIGNED and not lead.converted_project_id,
        "may_convert": editable and lead.zone_id is not None and can_convert_lead(request.user, lead.zone.org_unit),
        "duplicates": lead_duplicates(user=request.user, company=lead.company, zone=lead.zone,
                                      project_name=lead.project_name, exclude=lead.pk),
    }
    return render(request, "investment/lead_detail.html", context)


def _form_error(form, exc: services.LeadError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def lead_create_view(request):
    if not _may_enter(request.user):
        raise PermissionDenied("您无权登记招商线索")
    form = LeadForm(request.POST or None, user=request.user)
    duplicates: list[Lead] = []
    confirm = request.POST.get("confirm") == "1"
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if not confirm:
            duplicates = lead_duplicates(user=request.user, company=values["company"], zone=values.get("zone"),
                                         project_name=values.get("project_name", ""))
        if not duplicates:
            try:
                lead = services.lead_create(user=request.user, confirm=confirm, **values)
            except services.DuplicateLead as exc:
                duplicates = exc.duplicates
            except services.LeadError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已登记线索“{lead}”")
                return redirect("investment:lead", pk=lead.pk)
    return render(request, "investment/lead_form.html", {"form": form, "title": "登记招商线索",
                                                          "duplicates": duplicates})


@login_required
def lead_edit_view(request, pk: int):
    lead = _lead_for(request, pk)
    if not services.can_work(request.user, services.lead_unit(lead)):
        raise PermissionDenied("您无权修改该线索")
    form = LeadForm(request.POST or None, user=request.user, lead=lead)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            services.lead_update(user=request.user, lead=lead, version=form.cleaned_data["version"], **values)
        except services.LeadError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("investment:lead", pk=lead.pk)
    return render(request, "investment/lead_form.html", {"form": form, "title": f"编辑线索：{lead}", "lead": lead})


def _back(request, lead: Lead):
    """Back to where the form was posted from (the board or the list), else the lead's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("investment:lead", pk=lead.pk)


def _act(request, pk: int, form_class, action):
    """Run a lead action from a form; errors come back as messages, nothing changed."""
    lead = _lead_for(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, lead)
    try:
        note = action(lead, form.cleaned_data)
    except services.LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, note)
    return _back(request, lead)


@login_required
@require_POST
def lead_advance_view(request, pk: int):
    def act(lead, d):
        moved = services.lead_advance(user=request.user, lead=lead, stage=d["stage"], on=d["date"],
                                      reason=d["reason"], version=d["version"])
        return f"“{moved.company}”已推进到“{moved.get_stage_display()}”"

    return _act(request, pk, AdvanceForm, act)


@login_required
@require_POST
def lead_note_view(request, pk: int):
    def act(lead, d):
        services.lead_note_add(user=request.user, lead=lead, text=d["text"], on=d["on"],
                               next_action=d["next_action"] or None, next_action_on=d["next_action_on"])
        return "已记录跟进情况"

    return _act(request, pk, NoteForm, act)


@login_required
@require_POST
def lead_convert_view(request, pk: int):
    lead = _lead_for(request, pk)
    try:
        project = services.lead_convert(user=request.user, lead=lead)
    except services.LeadError as exc:
        messages.error(request, exc.message)
        return redirect("investment:lead", pk=lead.pk)
    messages.success(request, f"已转为项目“{project.name}”（{project.code}）")
    return redirect("projects:detail", pk=project.pk)


# ---- events --------------------------------------------------------------------------------------------------

@login_required
def event_list_view(request):
    form = EventFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    qs = event_list(user=request.user, filters=form.filters())
    if request.GET.get("export") == "xlsx":
        events = list(qs)
        figures = event_lead_figures(user=request.user, event_ids=[e.pk for e in events])
        content = event_export(events=events, figures=figures, scope_label=str(request.user.scope_label),
                               today=today)
        return _xlsx(content, f"招商活动台账-{today}.xlsx")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = event_lead_figures(user=request.user, event_ids=[e.pk for e in page.object_list])
    for event in page.object_list:
        event.figures = figures.get(event.pk)
        event.editable = services.can_work(request.user, event.organiser)  # a sibling's event: no edit link
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "can_enter": _may_enter(request.user)}
    return render(request, "investment/events.html", context)


def _save_event(request, form: EventForm, event: PromotionEvent | None):
    try:
        if event is None:
            return services.event_create(user=request.user, **form.values())
        return services.event_update(user=request.user, event=event, version=form.cleaned_data["version"],
                                     **form.values())
    except services.LeadError as exc:
        _form_error(form, exc)
        return None


@login_required
def event_form_view(request, pk: int | None = None):
    events = PromotionEvent.objects.visible_to(request.user).select_related("organiser", "city")
    event = get_object_or_404(events, pk=pk) if pk else None
    if not _may_enter(request.user):
        raise PermissionDenied("您无权登记招商活动")
    if event is not None and not services.can_work(request.user, event.organiser):
        raise PermissionDenied("您没有权限修改该招商活动：它由其他单位主办")
    form = EventForm(request.POST or None, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        saved = _save_event(request, form, event)
        if saved is not None:
            messages.success(request, f"已保存活动“{saved.name}”")
            return redirect(f"{reverse('investment:events')}?{urlencode({'q': saved.name})}")
    title = f"编辑活动：{event.name}" if event else "登记招商活动"
    return render(request, "investment/event_form.html", {"form": form, "title": title, "event": event})


# ---- funnel --------------------------------------------------------------------------------------------------

def default_period(user) -> tuple[date, date]:
    """The year of the latest event in the user's scope (this year if none): the briefing's "今年"."""
    latest = PromotionEvent.objects.visible_to(user).filter(date__lte=timezone.localdate()).aggregate(d=Max("date"))
    year = (latest["d"] or timezone.localdate()).year
    return date(year, 1, 1), date(year, 12, 31)


@login_required
def funnel_view(request):
    start, end = default_period(request.user)
    form = FunnelForm(request.GET or None, user=request.user, initial={"date_from": start, "date_to": end})
    d = form.cleaned_data if form.is_valid() else {}
    date_from, date_to = d.get("date_from") or start, d.get("date_to") or end
    if date_from > date_to:
        date_from, date_to = start, end
    figures = funnel(user=request.user, date_from=date_from, date_to=date_to, city=d.get("city") or None)
    total_form = None
    if can_organise(request.user):
        total_form = CityTotalForm(user=request.user, initial={
            "city": figures.city.pk if figures.city else None, "year": date_to.year,
            "signed_projects": figures.city_total.signed_projects if figures.city_total else None,
            "signed_investment": figures.city_total.signed_investment if figures.city_total else None})
    chart = {"stages": [label for label, _ in figures.stages], "counts": [n for _, n in figures.stages]}
    return render(request, "investment/funnel.html", {"form": form, "f": figures, "chart": chart,
                                                      "total_form": total_form})


@login_required
@require_POST
def city_total_view(request):
    form = CityTotalForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("investment:funnel")
    d = form.cleaned_data
    try:
        services.city_total_set(user=request.user, **d)
    except services.LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已保存{d['city'].name}{d['year']}年全市招商引资签约数")
    query = {"city": d["city"].code, "date_from": f"{d['year']}-01-01", "date_to": f"{d['year']}-12-31"}
    return redirect(f"{reverse('investment:funnel')}?{urlencode(query)}")
