from django.urls import path

from . import case_views, enterprise_views, views

app_name = "services"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("tickets/", views.ticket_list_view, name="tickets"),
    path("tickets/new/", views.ticket_new_view, name="ticket_new"),
    path("tickets/queues/", views.queues_view, name="queues"),
    path("tickets/stats/", views.stats_view, name="stats"),
    path("tickets/<id:pk>/", views.ticket_detail_view, name="ticket"),
    path("tickets/<id:pk>/<str:action>/", views.ticket_action_view, name="ticket_action"),
    path("enterprises/", enterprise_views.enterprise_list_view, name="enterprises"),
    path("enterprises/lookup/", views.enterprise_lookup_view, name="enterprise_lookup"),
    path("enterprises/import/", enterprise_views.enterprise_import_view, name="enterprise_import"),
    path("enterprises/<id:pk>/", enterprise_views.enterprise_detail_view, name="enterprise"),
    path("items/", case_views.items_view, name="items"),
    path("items/import/", case_views.items_import_view, name="items_import"),
    path("cases/", case_views.cases_view, name="cases"),
    path("cases/<id:pk>/", case_views.case_detail_view, name="case"),
    path("cases/<id:pk>/advance/", case_views.case_advance_view, name="case_advance"),
    path("projects/<id:pk>/", case_views.project_services_view, name="project"),
    path("projects/<id:pk>/cases/", case_views.project_case_new_view, name="project_case_new"),
    path("projects/<id:pk>/commitments/", case_views.commitment_new_view, name="commitment_new"),
    path("commitments/", case_views.commitments_view, name="commitments"),
    path("commitments/<id:pk>/verify/", case_views.commitment_verify_view, name="commitment_verify"),
]
