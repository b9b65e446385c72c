from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .audit_views import audit_log_view
from .forms import ThrottledAuthenticationForm
from .token_views import token_list_view, token_revoke_view

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=ThrottledAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/audit/", audit_log_view, name="audit"),
    path("accounts/tokens/", token_list_view, name="tokens"),
    path("accounts/tokens/<id:pk>/revoke/", token_revoke_view, name="token_revoke"),
    path("accounts/password/", views.password_change_page, name="password_change"),
]
