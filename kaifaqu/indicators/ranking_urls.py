"""URLs of the ranking pages (mounted at /rankings/)."""

from django.urls import path

from . import ranking_views as views

app_name = "ranking"
urlpatterns = [
    path("", views.ranking_view, name="list"),
    path("export/", views.ranking_export_view, name="export"),
    path("schemes/load/", views.schemes_load_view, name="load"),
    path("<id:scheme_id>/<str:zone_code>/", views.ranking_zone_view, name="zone"),
]
