"""Writes of the accounts app: throttled authentication, API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from .models import ApiToken, LoginFailure, User, hash_token


class LoginThrottled(Exception):
    """Too many failures for this account from this address."""

    message = "登录失败次数过多，请15分钟后再试"


class LoginInvalid(Exception):
    """Wrong username or password."""

    message = "用户名或密码错误"


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _recent_failures(*, username: str, ip: str | None) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return LoginFailure.objects.filter(username=username, ip=ip, at__gte=since).count()


def login_authenticate(*, request, username: str, password: str) -> User:
    """Check credentials, refusing after LOGIN_FAILURE_LIMIT failures per account and IP in the window."""
    ip = client_ip(request)
    if _recent_failures(username=username, ip=ip) >= settings.LOGIN_FAILURE_LIMIT:
        raise LoginThrottled
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username, ip=ip)
        raise LoginInvalid
    LoginFailure.objects.filter(username=username, ip=ip).delete()
    return user


def token_issue(*, user: User) -> str:
    """Issue a new API token for `user`; return the raw token (only its hash is kept)."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, prefix=raw[:8], key_hash=hash_token(raw))
    return raw


def token_user(*, raw: str) -> User | None:
    """The active user behind a raw token, or None; marks the token used."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.active().select_related("user", "user__org_unit").filter(key_hash=hash_token(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, raw: str) -> bool:
    """Revoke the token `raw`; True if it was active."""
    return bool(ApiToken.objects.active().filter(key_hash=hash_token(raw)).update(revoked_at=timezone.now()))
