from django.urls import path

from . import views

app_name = "investment"
urlpatterns = [
    path("", views.board_view, name="board"),
    path("leads/", views.lead_list_view, name="leads"),
    path("leads/new/", views.lead_create_view, name="lead_create"),
    path("leads/<id:pk>/", views.lead_detail_view, name="lead"),
    path("leads/<id:pk>/edit/", views.lead_edit_view, name="lead_edit"),
    path("leads/<id:pk>/advance/", views.lead_advance_view, name="lead_advance"),
    path("leads/<id:pk>/notes/", views.lead_note_view, name="lead_note"),
    path("leads/<id:pk>/convert/", views.lead_convert_view, name="lead_convert"),
    path("events/", views.event_list_view, name="events"),
    path("events/new/", views.event_form_view, name="event_create"),
    path("events/<id:pk>/edit/", views.event_form_view, name="event_edit"),
    path("funnel/", views.funnel_view, name="funnel"),
    path("funnel/city-total/", views.city_total_view, name="city_total"),
]
