"""Writes of the accounts app: authentication under the lockout, password changes, API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from axes.utils import reset as reset_attempts
from django.conf import settings
from django.contrib.auth import authenticate, update_session_auth_hash
from django.utils import timezone

from .audit import AuditAction, audit, client_ip
from .lockout import login_serialised
from .models import ApiToken, User, hash_token
from .passwords import password_expired


class LoginThrottled(Exception):
    """Too many failures for this account from this address, or from this address for any accounts."""

    @property
    def message(self) -> str:
        return settings.AXES_COOLOFF_MESSAGE


class LoginInvalid(Exception):
    """Wrong username or password."""

    message = "用户名或密码错误"


class PasswordExpired(Exception):
    """The password is past its age: it must be changed in the platform first."""

    message = "密码已过期，请先登录平台修改密码"


def login_authenticate(*, request, username: str, password: str) -> User:
    """Check credentials under the lockout (django-axes, `lockout.py`): refused once the account has had
    LOGIN_FAILURE_LIMIT failures from this address, or the address LOGIN_IP_LIMIT, within the window. The check,
    the password and the count are one step per address, so concurrent guesses cannot pass the limit."""
    ip = client_ip(request)
    with login_serialised(ip):
        user = authenticate(request, username=username, password=password)
        if user is not None:  # a success clears the account's count from this address (page and API alike)
            reset_attempts(ip=ip, username=username)
    if user is None:
        raise LoginThrottled if getattr(request, "axes_locked_out", False) else LoginInvalid
    return user


def token_login(*, request, username: str, password: str) -> User:
    """`login_authenticate` for an API token: also refused while the password is expired."""
    user = login_authenticate(request=request, username=username, password=password)
    if password_expired(user):
        raise PasswordExpired
    return user


def password_change(*, request, user: User, new_password: str) -> None:
    """修改密码: set the user's new (already validated) password, keep the session logged in, record it."""
    user.set_password(new_password)
    user.save()
    if getattr(request, "user", None) == user:
        update_session_auth_hash(request, user)
    audit(action=AuditAction.PASSWORD_CHANGED, request=request, user=user, target=user.get_username())


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
