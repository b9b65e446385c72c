"""Zone pages: the scoped list (filters, search, htmx partial updates) and the detail page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .forms import ZoneFilterForm
from .models import Region, Zone
from .selectors import zone_list

PAGE_SIZE = 50


def _visible_cities(user) -> list[Region]:
    ids = Zone.objects.visible_to(user).values("city_id")
    return list(Region.objects.filter(pk__in=ids).order_by("code"))


@login_required
def zone_list_view(request):
    form = ZoneFilterForm(request.GET or None, cities=_visible_cities(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = zone_list(user=request.user, **{k: v or None for k, v in filters.items()})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "count": page.paginator.count, "query": request.GET.urlencode()}
    template = "zones/_table.html" if request.htmx and not request.htmx.boosted else "zones/list.html"
    return render(request, template, context)


@login_required
def zone_detail_view(request, pk: int):
    zone = get_object_or_404(Zone.objects.visible_to(request.user).select_related("city", "county", "province"),
                             pk=pk)
    context = {"zone": zone, "parks": zone.parks.all(), "changes": zone.changes()[:50]}
    return render(request, "zones/detail.html", context)
