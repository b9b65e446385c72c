"""Enterprise registry pages (企业名录): the scoped list searched by any part of a name or a code prefix, an
enterprise's page with its requests, and the Excel import (all or nothing)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from kaifaqu.accounts.roles import can_write_somewhere
from kaifaqu.zones.models import Enterprise

from .choices import TICKET_OPEN
from .enterprises import enterprise_list
from .excel import MAX_UPLOAD_BYTES, NO_IMPORT_RIGHT, ImportRefused, enterprises_import
from .forms import EnterpriseFilterForm, ImportForm
from .views import PAGE_SIZE, is_partial

DEMO_CONTACT = "演示数据"


@login_required
def enterprise_list_view(request):
    """企业名录, searched as one types (htmx)."""
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    d = form.cleaned_data if form.is_valid() else {}
    qs = enterprise_list(user=request.user, q=d.get("q", ""), zone=d.get("zone", ""), city=d.get("city", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "can_import": can_write_somewhere(request.user)}
    return render(request, "tickets/_enterprise_table.html" if is_partial(request) else "tickets/enterprises.html",
                  context)


@login_required
def enterprise_detail_view(request, pk: int):
    """An enterprise with its latest requests and change log."""
    qs = Enterprise.objects.visible_to(request.user).select_related("zone", "zone__city", "chain")
    enterprise = get_object_or_404(qs, pk=pk)
    tickets = enterprise.tickets.visible_to(request.user)
    counts = tickets.aggregate(total=Count("id"), open=Count("id", filter=Q(status__in=TICKET_OPEN)))
    context = {"enterprise": enterprise, "counts": counts, "demo": enterprise.contact == DEMO_CONTACT,
               "tickets": tickets.select_related("zone").order_by("-received_at")[:20],
               "changes": enterprise.changes()[:30]}
    return render(request, "tickets/enterprise.html", context)


def import_page(request, *, title: str, run, header: str, columns: str, template_url: str = ""):
    """An all-or-nothing import page: upload, optionally only check, see every error as 第N行 [列名]: 原因. Only
    for users who may write to some zone: others are refused before any file is read."""
    if not can_write_somewhere(request.user):
        raise PermissionDenied(NO_IMPORT_RIGHT)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "title": title, "header": header, "columns": columns, "template_url": template_url}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            context["errors"] = [f"文件过大：不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB"]
        else:
            try:
                context["report"] = run(user=request.user, data=upload.read(),
                                        dry_run=request.POST.get("dry_run") == "on")
            except ImportRefused as exc:
                context["errors"] = [str(e) for e in exc.errors]
    return render(request, "tickets/import.html", context)


@login_required
def enterprise_import_view(request):
    """导入企业名录."""
    return import_page(request, title="导入企业名录", run=enterprises_import, header="企业名称",
                       columns="企业名称*、统一社会信用代码、所在开发区*（代码、全称或简称）、行业门类、规模以上工业企业（是/否）、"
                               "四上类别、所属产业链、链主企业（是/否）、高新技术企业（是/否）、联系人、联系电话")
