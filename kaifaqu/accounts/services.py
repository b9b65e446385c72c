"""Writes of the accounts app: authentication under the lockout, password changes, API tokens (issued,
expiring, revoked — each audited), the audit log's retention."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from axes.utils import reset as reset_attempts
from django.conf import settings
from django.contrib.auth import authenticate, update_session_auth_hash
from django.db import transaction
from django.utils import timezone

from kaifaqu.core.changelog import acting_user

from .audit import AuditAction, AuditEvent, audit, client_ip
from .audit_middleware import current_request
from .checks import MIN_AUDIT_RETENTION_DAYS
from .lockout import login_serialised
from .models import ApiToken, User, hash_token
from .passwords import password_expired

REVOKED_BY_OWNER = "本人吊销"
REVOKED_BY_ADMIN = "管理员吊销"
REVOKED_PASSWORD = "密码已修改"
REVOKED_DEACTIVATED = "账号已停用"


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


@transaction.atomic
def token_issue(*, user: User, request=None) -> str:
    """Issue a new API token for `user`, valid `API_TOKEN_DAYS`; return the raw token (only its hash is kept).
    Audited (签发令牌)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, prefix=raw[:8], key_hash=hash_token(raw))
    audit(action=AuditAction.TOKEN_ISSUED, request=request, user=user, target=f"{token.prefix}…",
          detail={"token": token.pk, "expires_at": f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}"})
    return raw


def token_user(*, raw: str) -> User | None:
    """The active user behind a raw token (not revoked, not expired, user active), or None; marks it used."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.active().select_related("user", "user__org_unit").filter(key_hash=hash_token(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, raw: str, request=None) -> bool:
    """Revoke the token `raw` (the one a client presents); True if it was active. Audited (吊销令牌)."""
    token = ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw or "")).first()
    if token is None:
        return False
    token_revoke_by(token=token, actor=token.user, reason=REVOKED_BY_OWNER, request=request)
    return True


def token_revoke_own(*, user: User, token_id: int, request=None) -> ApiToken:
    """Revoke one of `user`'s own tokens by id (a revoked or expired one is left as it is). Another user's token,
    or none, raises `ApiToken.DoesNotExist`, so pages and the API answer 404. Audited (吊销令牌)."""
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token_revoke_by(token=token, actor=user, reason=REVOKED_BY_OWNER, request=request)
    return token


@transaction.atomic
def tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of `user` (a password change, a deactivation); one audit event if any died."""
    now = timezone.now()
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    prefixes = [f"{p}…" for p in live.values_list("prefix", flat=True)]
    count = live.update(revoked_at=now, revoked_reason=reason)
    if count:
        audit(action=AuditAction.TOKEN_REVOKED, request=current_request(), user=acting_user(), org_unit=user.org_unit,
              target=user.username, detail={"reason": reason, "tokens": prefixes})
    return count


@transaction.atomic
def token_revoke_by(*, token: ApiToken, actor: User, reason: str, request=None) -> None:
    """Revoke `token` as `actor` (its owner, or an admin in the admin site), giving `reason`. Audited (吊销令牌)."""
    token.revoke(reason)
    audit(action=AuditAction.TOKEN_REVOKED, request=request, user=actor, org_unit=token.user.org_unit,
          target=f"{token.prefix}…", detail={"reason": reason, "token": token.pk, "owner": token.user.username})


# ---- the audit log's retention -------------------------------------------------------------------------------

class AuditRetentionTooShort(Exception):
    """The retention asked for is under six months (等保2.0 三级 asks at least six)."""


def audit_prune(*, days: int, dry_run: bool = False) -> tuple[int, datetime]:
    """Delete the audit events older than `days` days (at least 183); return how many (or, dry, would be) and the
    cutoff. One DELETE: audit events have no dependants and no change log, so no row is fetched first."""
    if days < MIN_AUDIT_RETENTION_DAYS:
        raise AuditRetentionTooShort
    cutoff = timezone.localtime() - timedelta(days=days)
    old = AuditEvent.objects.filter(at__lt=cutoff)
    if dry_run:
        return old.count(), cutoff
    with transaction.atomic():
        return old._raw_delete(old.db), cutoff
