"""Choices of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    NATION = "nation", _("全国")
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    ZONE = "zone", _("开发区")
    DEPARTMENT = "department", _("部门")


class Role(models.TextChoices):
    """SPEC §2 roles."""

    ADMIN = "admin", _("管理员")
    REVIEWER = "reviewer", _("审核")
    OPERATOR = "operator", _("填报")
    VIEWER = "viewer", _("查看")
    AGENT = "agent", _("代办员")
    PROMOTER = "promoter", _("招商")
