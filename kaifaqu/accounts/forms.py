"""Login form with throttling."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .services import LoginInvalid, LoginThrottled, login_authenticate


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing after too many failures per account and IP (SPEC §13)."""

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
