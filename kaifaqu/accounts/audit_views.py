"""The audit log page (审计日志): an admin reads the security events of their subtree, filters and exports them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .audit import detail_text
from .audit_forms import AuditFilterForm
from .exports import audit_export
from .roles import can_read_audit
from .selectors import audit_event_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
NOT_ADMIN = "您没有权限查看审计日志：仅机构管理员可查看本机构及下级机构的审计日志。"


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page in the platform's look, saying why."""
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def audit_log_view(request: HttpRequest) -> HttpResponse:
    """审计日志: newest first, filtered, 50 a page; `?export=xlsx` gives the filtered rows (itself audited)."""
    if not can_read_audit(request.user):
        return forbidden(request, NOT_ADMIN)
    form = AuditFilterForm(request.GET or None)
    qs = audit_event_list(user=request.user, filters=form.filters())
    today = timezone.localdate()
    if request.GET.get("export") == "xlsx":
        content = audit_export(events=qs.iterator(chunk_size=2000), scope_label=request.user.scope_label, today=today)
        return _xlsx(content, f"审计日志-{today:%Y-%m-%d}.xlsx")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.shown = detail_text(event.detail)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit.html", {"form": form, "page": page, "query": query.urlencode()})
