"""Pages of warnings, supervision orders and messages. Each parses its input, calls a selector or a service from
`warnings`, `orders` or `notify`, and renders; every list starts from the user's scope."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.params import BoundedDateField, MonthField, id_parse, month_start

from . import orders
from .choices import OrderStatus
from .forms import MonthForm, default_month
from .models import Notification, SupervisionOrder, WarningRule
from .notify import mark_read, notifications_for
from .services import ReportError
from .warnings import figure_rows, warning_counts, warnings

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IssueForm(forms.Form):
    """转督办: the warning (key and month) or a subject of one's own, the unit, the deadline."""

    key = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    month = MonthField(required=False, widget=forms.HiddenInput)
    unit = forms.CharField(max_length=40, widget=forms.HiddenInput)
    subject = forms.CharField(label="督办事项", max_length=300, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    deadline = BoundedDateField(label="整改回复期限", widget=DATE)


class TextForm(forms.Form):
    text = forms.CharField(label="内容", max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    deadline = BoundedDateField(label="新的回复期限（可不填）", required=False, widget=DATE)


def _month(text: str | None) -> date:
    return month_start(text or default_month())


# ---- warnings --------------------------------------------------------------------------------------------------

@login_required
def warnings_view(request):
    """预警清单: the month's warnings over the user's scope, worst first, each escalable to an order."""
    form = MonthForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    month, city = _month(data.get("month")), data.get("city") or None
    items = warnings(user=request.user, month=month, city=city)
    units = {u.code: u for u in OrgUnit.objects.visible_to(request.user).filter(code__in={w.unit for w in items})}
    issuable = {code for code, unit in units.items() if orders.can_issue(request.user, unit)}
    escalated = dict(SupervisionOrder.objects.visible_to(request.user)
                     .filter(warning__key__in=[w.key for w in items]).exclude(status=OrderStatus.CLOSED)
                     .values_list("warning__key", "number")) if issuable else {}
    deadline = timezone.localdate() + timedelta(days=7)
    return render(request, "indicators/alerts/warnings.html", {
        "form": form, "month": month, "items": items, "counts": warning_counts(items), "issuable": issuable,
        "escalated": escalated, "default_deadline": deadline, "rules": WarningRule.objects.all()})


# ---- orders ----------------------------------------------------------------------------------------------------

@login_required
@require_POST
def order_issue_view(request):
    """Issue an order from the warnings page's small form."""
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写督办事项和整改回复期限")
        return redirect("alerts:warnings")
    d = form.cleaned_data
    unit = OrgUnit.objects.visible_to(request.user).filter(code=d["unit"]).first()
    try:
        if unit is None:
            raise ReportError("责任单位不存在或无权访问")
        order = orders.order_issue(user=request.user, unit=unit, deadline=d["deadline"],
                                   month=_month(d["month"]) if d["month"] else None,
                                   warning_key=d["key"] or None, subject=d["subject"])
    except ReportError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('alerts:warnings')}?month={d['month'] or ''}")
    messages.success(request, f"已签发督办单 {order.number}")
    return redirect("alerts:order", pk=order.pk)


@login_required
def orders_view(request):
    """督办单: the orders addressed to units in the user's scope, and per unit how many are open and overdue."""
    status = request.GET.get("status") if request.GET.get("status") in OrderStatus.values else None
    overdue = request.GET.get("overdue") == "1"
    qs = orders.order_list(user=request.user, status=status, overdue=overdue)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "indicators/alerts/orders.html", {
        "page": page, "counts": orders.order_counts(user=request.user), "status": status or "",
        "overdue": overdue, "statuses": OrderStatus.choices})


@login_required
def order_view(request, pk: int):
    """One order: the warning as it was issued, the timeline of replies, and the forms its actors may use."""
    order = get_object_or_404(orders.order_list(user=request.user), pk=pk)
    return render(request, "indicators/alerts/order.html", {
        "order": order, "replies": order.replies.select_related("user"), "form": TextForm(),
        "can_reply": order.status in orders.AWAITING_REPLY and orders.can_reply(request.user, order),
        "can_decide": order.status == OrderStatus.REPLIED and orders.can_decide(request.user, order),
        "figures": figure_rows(order.warning.get("figures") or {})})


ACTIONS = {
    "reply": (lambda user, order, d: orders.order_reply(user=user, order=order, text=d["text"]), "已提交整改回复"),
    "close": (lambda user, order, d: orders.order_close(user=user, order=order, text=d["text"]), "督办单已办结"),
    "return": (lambda user, order, d: orders.order_return(user=user, order=order, text=d["text"],
                                                          deadline=d["deadline"]), "已退回重办"),
}


@login_required
@require_POST
def order_action_view(request, pk: int, action: str):
    """Reply, close or send back, by the same services as the API."""
    order = get_object_or_404(orders.order_list(user=request.user), pk=pk)
    form = TextForm(request.POST)
    if action not in ACTIONS or not form.is_valid():
        messages.error(request, "未知的操作或内容格式不正确")
        return redirect("alerts:order", pk=order.pk)
    run, done = ACTIONS[action]
    try:
        run(request.user, order, form.cleaned_data)
    except ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("alerts:order", pk=order.pk)


# ---- messages --------------------------------------------------------------------------------------------------

@login_required
def notifications_view(request):
    """消息: the user's own messages (newest first), with how each went out through the unit's channels."""
    if request.method == "POST":
        ids = [pk for pk in map(id_parse, request.POST.getlist("id")) if pk is not None]
        n = mark_read(user=request.user, ids=ids if request.POST.get("all") != "1" else None)
        messages.success(request, f"已将 {n} 条消息标为已读")
        return redirect("alerts:notifications")
    page = Paginator(notifications_for(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "indicators/alerts/notifications.html", {"page": page})


@login_required
def notification_open_view(request, pk: int):
    """Open a message: mark it read and go to the page it names."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    mark_read(user=request.user, ids=[notification.pk])
    safe = url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()})
    return redirect(notification.link if notification.link and safe else "alerts:notifications")
