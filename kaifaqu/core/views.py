"""Home page: the user's zones on a map of Shanxi, with their count and area."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kaifaqu.zones.selectors import zone_map_points, zone_summary


@login_required
def home(request):
    context = {
        "summary": zone_summary(user=request.user),
        "points": zone_map_points(user=request.user),
    }
    return render(request, "core/home.html", context)
