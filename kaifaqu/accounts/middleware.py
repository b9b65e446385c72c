"""Session rules (等保2.0 三级): an idle timeout besides the absolute one, and an expired password first changed.

Both apply to sessions only: an API call with a bearer token has no session and is not touched here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from .passwords import password_expired

SEEN_KEY = "kaifaqu_seen"  # when the session last made a request (epoch seconds, kept to the minute)
STARTED_KEY = "kaifaqu_started"  # when the user logged in
TOUCH_EVERY = 60  # seconds: the session is saved at most once a minute for its activity


def session_started(session) -> None:
    """Stamp a fresh login's session (called on `user_logged_in`)."""
    now = int(timezone.now().timestamp())
    session[STARTED_KEY] = session[SEEN_KEY] = now


def session_end_reason(session, now: int) -> str | None:
    """"idle" past SESSION_IDLE_SECONDS without a request, "age" past SESSION_COOKIE_AGE since login, else None."""
    seen, started = session.get(SEEN_KEY), session.get(STARTED_KEY)
    if seen is not None and now - seen > settings.SESSION_IDLE_SECONDS:
        return "idle"
    if started is not None and now - started > settings.SESSION_COOKIE_AGE:
        return "age"
    return None


def is_api(request) -> bool:
    return request.path.startswith("/api/")


class SessionTimeoutMiddleware:
    """Log out a session idle for KAIFAQU_SESSION_IDLE_MINUTES or older than SESSION_COOKIE_AGE; a page is sent to
    the login page with the reason in Chinese, an API call goes on unauthenticated (and is answered 401)."""

    MESSAGES = {
        "idle": "您已超过{minutes}分钟未操作，为保障安全已自动退出，请重新登录。",
        "age": "登录已超过{hours}小时，为保障安全已自动退出，请重新登录。",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "_auth_user_id" not in request.session:
            return self.get_response(request)
        now = int(timezone.now().timestamp())
        reason = session_end_reason(request.session, now)
        if reason is not None:
            return self._end(request, reason)
        if now - request.session.get(SEEN_KEY, 0) >= TOUCH_EVERY:
            request.session[SEEN_KEY] = now
            request.session.setdefault(STARTED_KEY, now)
        return self.get_response(request)

    def _end(self, request, reason: str) -> HttpResponse:
        request.logout_reason = reason
        logout(request)
        if is_api(request):
            return self.get_response(request)
        text = self.MESSAGES[reason].format(minutes=settings.SESSION_IDLE_SECONDS // 60,
                                            hours=settings.SESSION_COOKIE_AGE // 3600)
        messages.warning(request, text)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path())


class PasswordExpiryMiddleware:
    """A user whose password has expired can do nothing but change it (or log out)."""

    ALLOWED = ("accounts:password_change", "accounts:logout", "admin:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "_auth_user_id" in request.session and password_expired(request.user) and not self._allowed(request):
            if is_api(request):
                return JsonResponse({"detail": "密码已过期，请先在平台修改密码"}, status=403)
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(reverse("accounts:password_change"))
            return redirect("accounts:password_change")
        return self.get_response(request)

    def _allowed(self, request) -> bool:
        return request.path in {reverse(name) for name in self.ALLOWED}
