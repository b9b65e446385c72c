"""Self-service pages of an account: changing one's password."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.shortcuts import redirect, render

from .passwords import password_expired
from .services import password_change


@login_required
def password_change_page(request):
    """修改密码: the current password and the new one twice; an expired password is sent here until changed."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_change(request=request, user=request.user, new_password=form.cleaned_data["new_password1"])
        messages.success(request, "密码已修改。")
        return redirect("core:home")
    context = {"form": form, "expired": password_expired(request.user), "rules": password_validators_help_texts()}
    return render(request, "accounts/password_change.html", context)
