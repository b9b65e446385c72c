"""Login forms under the lockout: the platform's and the admin site's."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from .services import LoginInvalid, LoginThrottled, login_authenticate


class LockoutMixin:
    """Authenticate through `login_authenticate`: refused after too many failures per account and address, or per
    address across accounts (SPEC §13, 等保2.0 三级), with the check and the count serialised."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        try:
            self.user_cache = login_authenticate(request=self.request, username=username, password=password)
        except (LoginThrottled, LoginInvalid) as exc:
            raise forms.ValidationError(exc.message, code=type(exc).__name__) from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ThrottledAuthenticationForm(LockoutMixin, AuthenticationForm):
    """The platform's login form."""


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    """The admin site's login form: the same lockout, and staff only."""
