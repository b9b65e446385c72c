from django.urls import path

from . import views

app_name = "dispatch"
urlpatterns = [
    path("", views.dispatch_view, name="table"),
    path("targets/", views.targets_view, name="targets"),
    path("report/<str:zone_code>/<str:month>/", views.report_view, name="report"),
    path("report/<str:zone_code>/<str:month>/review/", views.report_review_view, name="review"),
    path("report/<str:zone_code>/<str:month>/template/", views.report_template_view, name="report_template"),
    path("report/<str:zone_code>/<str:month>/import/", views.report_import_view, name="report_import"),
]
