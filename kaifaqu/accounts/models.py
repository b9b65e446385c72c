"""Org units (province → city → zone → department), users with a role, API tokens, password history."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaifaqu.core.changelog import ChangeLoggedModel
from kaifaqu.core.scope import ScopedQuerySet

from .choices import OrgKind, Role


class OrgUnit(ChangeLoggedModel):
    """机构: a node of the org tree. `path` (e.g. "/14/1403/G141004/") makes a subtree one prefix match."""

    code = models.CharField(_("机构代码"), max_length=40, unique=True)
    name = models.CharField(_("机构名称"), max_length=100)
    kind = models.CharField(_("层级"), max_length=12, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    region = models.ForeignKey(
        "zones.Region", verbose_name=_("行政区划"), null=True, blank=True, on_delete=models.PROTECT
    )

    scope_path = "path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("上级机构不能是本机构或其下级")})

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)

    def contains(self, other: OrgUnit) -> bool:
        """Whether `other` lies in this unit's subtree (itself included)."""
        return other.path.startswith(self.path)


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    """Django's user manager with `visible_to`."""


class User(AbstractUser):
    """A platform user: belongs to one org unit and has one role (SPEC §2)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属机构"), null=True, blank=True, related_name="users", on_delete=models.PROTECT
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices, default=Role.VIEWER)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)

    scope_path = "org_unit__path"
    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def scope_label(self) -> str:
        return "全部" if self.is_superuser and not self.org_unit else str(self.org_unit or "—")

    def set_password(self, raw_password: str | None) -> None:
        """Django's, also stamping when: the password expires KAIFAQU_PASSWORD_MAX_AGE_DAYS after it was set."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_expiry():
    """When a token issued now expires: `API_TOKEN_DAYS` (default 30) days on."""
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that still open the API: not revoked, not expired, of an active user."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw token is shown once. It expires after
    `API_TOKEN_DAYS` and dies when its owner's password changes or the owner is deactivated (等保2.0 三级)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), related_name="api_tokens", on_delete=models.CASCADE)
    prefix = models.CharField(_("前缀"), max_length=8)
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=40, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), default=token_expiry)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        """有效 / 已过期 / 已吊销, as the owner's token list shows it."""
        if self.revoked_at is not None:
            return "已吊销"
        return "有效" if self.expires_at > timezone.now() else "已过期"

    def revoke(self, reason: str = "") -> None:
        self.revoked_at, self.revoked_reason = timezone.now(), reason[:40]
        self.save(update_fields=["revoked_at", "revoked_reason"])


class PasswordHistory(models.Model):
    """历史密码: the hashes of a user's last passwords (the current one included), so that none is used again."""

    user = models.ForeignKey(User, verbose_name=_("用户"), related_name="password_history", on_delete=models.CASCADE)
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


from .audit import AuditAction, AuditEvent  # noqa: E402, F401  (the audit log's model lives beside its writer)
