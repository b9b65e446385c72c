"""Home page: the user's zones on a map of Shanxi, with their count and area; the unmasking of a phone number."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kaifaqu.core.privacy import unmask_phone, unmaskable
from kaifaqu.zones.selectors import zone_map_points, zone_summary


@login_required
def home(request):
    context = {
        "summary": zone_summary(user=request.user),
        "points": zone_map_points(user=request.user),
    }
    return render(request, "core/home.html", context)


@login_required
@require_POST
def phone_unmask_view(request, kind: str, pk: int):
    """查看完整号码: the full phone of one record the user sees masked, for a reviewer or admin above the unit
    handling it; written to the audit log first. 404 for a record they may not open, 403 for anyone else."""
    record = unmaskable(kind, pk, request.user)
    if record is None:
        raise Http404("未找到该记录，或无权查看")
    full = unmask_phone(request=request, record=record)
    if request.htmx:
        return HttpResponse(format_html('<span class="phone">{}</span>', full))
    back = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    context = {"record": record, "label": record._meta.verbose_name, "full": full, "back": back if safe else ""}
    return render(request, "core/phone_full.html", context)
