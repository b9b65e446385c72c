from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/phone/<str:kind>/<int:pk>/", views.phone_unmask_view, name="phone_unmask"),
]
