"""The audit log's login events (安全审计), from Django's auth signals and axes' lockout signal."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import AuditAction, audit
from .middleware import session_started
from .models import User


def _unit_of(username: str):
    """The org unit of the account a failed attempt named, so the admin of that subtree sees it (None if unknown)."""
    user = User.objects.select_related("org_unit").filter(username=username).first()
    return user.org_unit if user is not None else None


@receiver(user_logged_in, dispatch_uid="kaifaqu_audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_started(request.session)
    audit(action=AuditAction.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="kaifaqu_audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    reason = getattr(request, "logout_reason", "user")
    audit(action=AuditAction.LOGOUT, request=request, user=user, detail={"reason": reason})


@receiver(user_login_failed, dispatch_uid="kaifaqu_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:150]
    audit(action=AuditAction.LOGIN_FAILED, request=request, username=username, org_unit=_unit_of(username),
          detail={"locked": bool(getattr(request, "axes_locked_out", False))})


@receiver(user_locked_out, dispatch_uid="kaifaqu_audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    username = str(username or "")[:150]
    audit(action=AuditAction.LOCKED_OUT, request=request, username=username, org_unit=_unit_of(username))
