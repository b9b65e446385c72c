"""Choices of the indicators app (SPEC §5, §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class TargetKind(models.TextChoices):
    GROWTH = "growth", _("增长目标(%)")
    ABSOLUTE = "absolute", _("全年目标值")


class WarningLevel(models.TextChoices):
    RED = "red", _("红色预警")
    YELLOW = "yellow", _("黄色预警")
    LATE = "late", _("迟报/漏报")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    REPLIED = "replied", _("已回复")
    RETURNED = "returned", _("已退回重办")
    CLOSED = "closed", _("已办结")


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Measure(models.TextChoices):
    """What an assessment item measures."""

    YTD_GROWTH = "ytd_growth", _("累计增速")
    YTD_VALUE = "ytd_value", _("累计值")
    PER_KM2 = "per_km2", _("每平方公里规划面积累计值（产出强度）")
    START_RATE = "start_rate", _("三个一批开工率")
    PRODUCTION_RATE = "production_rate", _("三个一批投产率")
    CAPACITY_RATE = "capacity_rate", _("三个一批达产率")
