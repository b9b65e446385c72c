from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list_view, name="list"),
    path("new/", views.project_create_view, name="create"),
    path("import/", views.project_import_view, name="import"),
    path("import/template/", views.project_template_view, name="template"),
    path("<id:pk>/", views.project_detail_view, name="detail"),
    path("<id:pk>/edit/", views.project_edit_view, name="edit"),
    path("<id:pk>/transition/", views.project_transition_view, name="transition"),
    path("<id:pk>/progress/", views.project_progress_view, name="progress"),
    path("<id:pk>/problems/", views.project_problem_view, name="problem"),
    path("<id:pk>/problems/<id:problem_id>/resolve/", views.problem_resolve_view, name="resolve"),
    path("<id:pk>/milestones/", views.project_milestone_view, name="milestone"),
    path("campaigns/", views.campaign_list_view, name="campaigns"),
    path("campaigns/<id:pk>/", views.campaign_detail_view, name="campaign"),
    path("campaigns/stats/", views.campaign_stats_view, name="stats"),
    path("three-un/", views.three_un_view, name="three_un"),
]
