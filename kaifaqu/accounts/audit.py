"""The security audit log (安全审计, 等保2.0 三级): logins, failed logins, logouts, exports and downloads, role and
permission changes (old → new), the unmasking of personal data. Domain edits are in the change log
(`core.changelog`); this log is about who did what with access itself.

One function writes it, `audit(...)`, from pages, the API and signals alike. Each event carries the org unit it
concerns (the actor's, or the changed user's), so the admin of a subtree reads the events of that subtree.
Events are kept at least six months (`AUDIT_RETENTION_DAYS`); `kaifaqu prune_audit` removes older ones.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaifaqu.core.scope import ScopedQuerySet


class AuditAction(models.TextChoices):
    """What happened."""

    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    LOCKED_OUT = "locked_out", _("登录锁定")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    TOKEN_ISSUED = "token_issued", _("签发令牌")
    TOKEN_REVOKED = "token_revoked", _("吊销令牌")
    EXPORT = "export", _("导出")
    DOWNLOAD = "download", _("下载")
    ROLE_CHANGED = "role_changed", _("角色变更")
    PERMISSION_CHANGED = "permission_changed", _("权限变更")
    USER_CREATED = "user_created", _("新建用户")
    USER_DEACTIVATED = "user_deactivated", _("停用用户")
    UNMASK = "unmask", _("查看完整个人信息")


class AuditEvent(models.Model):
    """审计日志: one security-relevant event, who, from where, about what, with before → after where it applies."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    action = models.CharField(_("事件"), max_length=24, choices=AuditAction.choices)
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("操作人"), null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    username = models.CharField(_("账号"), max_length=150, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("所属机构"), null=True, blank=True, related_name="+",
        on_delete=models.SET_NULL,
    )
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    scope_path = "org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.target}"


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind KAIFAQU_TRUSTED_PROXIES proxies the X-Forwarded-For entry the
    outermost of them added (what a client sends itself in that header is not trusted). The lockout (axes) reads
    the address here too, so both count the same client."""
    if request is None:
        return None
    proxies = settings.KAIFAQU_TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies:
        try:
            return str(ipaddress.ip_address(forwarded[-proxies]))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


def audit(*, action: str, request=None, user=None, username: str = "", org_unit=None, target: object = "",
          detail: dict | None = None) -> AuditEvent:
    """Record one audit event. `user` defaults to the request's user; `org_unit` to the user's unit (pass the
    changed user's unit for role changes, so the admin of that subtree sees them)."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if org_unit is None and user is not None:
        org_unit = getattr(user, "org_unit", None)
    return AuditEvent.objects.create(
        action=action, user=user, username=username or (user.get_username() if user is not None else ""),
        org_unit=org_unit, ip=client_ip(request), target=str(target)[:200], detail=detail or {},
    )


# ---- how an event's detail reads (the audit page, its Excel export) ------------------------------------------

CHANGE_LABELS = {"role": "角色", "org_unit": "所属机构", "is_active": "启用", "is_staff": "可进入管理后台",
                 "is_superuser": "超级管理员", "groups": "用户组", "user_permissions": "单独授予的权限"}
DETAIL_LABELS = {"filename": "文件", "rows": "行数", "reason": "原因", "tokens": "令牌", "owner": "令牌持有人",
                 "expires_at": "到期时间", "token": "令牌编号"}


def _shown(field: str, value: object) -> str:
    from .choices import Role

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（无）"
    if field == "role" and value in Role.values:
        return str(Role(value).label)
    return str(value)


def detail_text(detail: dict) -> str:
    """An event's detail in Chinese: "角色：填报 → 管理员；…" for changes, "文件：…；行数：…；地址：…" for files."""
    parts = []  # in the labels' order: PostgreSQL's jsonb does not keep the keys' order
    for key, label in CHANGE_LABELS.items():
        if isinstance(change := detail.get(key), dict):
            parts.append(f"{label}：{_shown(key, change.get('old'))} → {_shown(key, change.get('new'))}")
    parts.extend(f"{label}：{_shown(key, detail[key])}" for key, label in DETAIL_LABELS.items() if key in detail)
    if detail.get("path"):
        query = detail.get("query")
        parts.append(f"地址：{detail['path']}{'?' + query if query else ''}")
    return "；".join(parts)
