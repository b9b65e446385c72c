"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

from kaifaqu.accounts.forms import AdminLoginForm
from kaifaqu.api import api

admin.site.site_header = "开发区管理平台 · 管理后台"
admin.site.site_title = "开发区管理平台"
admin.site.index_title = "系统管理"
admin.site.login_form = AdminLoginForm  # the admin site's login is under the same lockout as the platform's

urlpatterns = [
    path("", include("kaifaqu.reports.urls")),
    path("", include("kaifaqu.core.urls")),
    path("", include("kaifaqu.accounts.urls")),
    path("zones/", include("kaifaqu.zones.urls")),
    path("projects/", include("kaifaqu.projects.urls")),
    path("dispatch/", include("kaifaqu.indicators.urls")),
    path("rankings/", include("kaifaqu.indicators.ranking_urls")),
    path("alerts/", include("kaifaqu.indicators.alerts_urls")),
    path("investment/", include("kaifaqu.investment.urls")),
    path("services/", include("kaifaqu.tickets.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
