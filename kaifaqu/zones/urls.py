from django.urls import path

from . import views

app_name = "zones"
urlpatterns = [
    path("", views.zone_list_view, name="list"),
    path("<id:pk>/", views.zone_detail_view, name="detail"),
]
