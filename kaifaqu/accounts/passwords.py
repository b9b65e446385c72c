"""Password policy (等保2.0 三级 身份鉴别): length and character classes, no reuse of the last passwords, expiry.

The validators are Django's password validators (`AUTH_PASSWORD_VALIDATORS`), so the platform's change page, the
admin site and `changepassword` apply the same rules; every message is Chinese. The history is written by the
validator's `password_changed` hook, which Django calls whenever a set password is saved.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CHARACTER_CLASSES = (
    ("大写字母", re.compile(r"[A-Z]")),
    ("小写字母", re.compile(r"[a-z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length, with its message in Chinese (zh-hans has no translation of it)."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少%(min_length)d个字符。") % {"min_length": self.min_length}


class CharacterClassValidator:
    """字符类别: at least `min_classes` of upper-case letters, lower-case letters, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        found = sum(1 for _name, pattern in CHARACTER_CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号四类中的至少%(n)d类。") % {"n": self.min_classes}


class PasswordHistoryValidator:
    """历史密码: a new password may not be any of the user's last `keep` passwords (the current one included)."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user) -> None:
        """Keep the new password's hash (Django calls this after saving a set password) and the last `keep`."""
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return _("新密码不能与最近%(n)d次使用过的密码相同。") % {"n": self.keep}

    def _recent_hashes(self, user) -> list[str]:
        from .models import PasswordHistory, User

        stored = PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[: self.keep]
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        return [encoded for encoded in {*stored, current} if encoded]


def password_max_age() -> timedelta | None:
    """How long a password lasts (KAIFAQU_PASSWORD_MAX_AGE_DAYS, 0 for ever)."""
    days = settings.KAIFAQU_PASSWORD_MAX_AGE_DAYS
    return timedelta(days=days) if days > 0 else None


def password_expired(user) -> bool:
    """Whether `user` must change the password before doing anything else."""
    max_age = password_max_age()
    if max_age is None or not user.is_authenticated or not user.has_usable_password():
        return False
    return user.password_changed_at is None or user.password_changed_at <= timezone.now() - max_age
