from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/phone/<str:kind>/<id:pk>/", views.phone_unmask_view, name="phone_unmask"),
    # Pages without an icon of their own (the admin site) make the browser ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("kaifaqu/favicon.svg"), permanent=True)),
]
