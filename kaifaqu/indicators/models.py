"""Indicators, targets, monthly reports with revisions, city totals, warning rules, supervision orders,
notifications and their channels, assessment schemes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifaqu.core.changelog import ChangeLoggedModel
from kaifaqu.core.scope import ScopedQuerySet

from .choices import ChannelKind, DeliveryStatus, Measure, OrderStatus, ReportStatus, TargetKind

AMOUNT = {"max_digits": 18, "decimal_places": 4}
PERCENT = {"max_digits": 9, "decimal_places": 2}


class IndicatorDefinition(ChangeLoggedModel):
    """指标: one version of an indicator, valid from a month on. A change of unit or formula is a new version,
    so earlier months keep the figures as they were computed."""

    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    unit = models.CharField(_("单位"), max_length=20)
    has_reported_growth = models.BooleanField(_("统计部门报送增速"), default=True)
    required = models.BooleanField(_("必填"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    valid_from = models.DateField(_("启用月份"), help_text=_("当月1日"))
    note = models.CharField(_("口径说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["sort", "code", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="indicator_version_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Target(ChangeLoggedModel):
    """目标: a zone's annual target for an indicator — a growth rate (%) or an absolute annual value."""

    zone = models.ForeignKey("zones.Zone", verbose_name=_("开发区"), related_name="targets", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.CharField(_("指标代码"), max_length=40)
    kind = models.CharField(_("目标类型"), max_length=10, choices=TargetKind.choices)
    value = models.DecimalField(_("目标值"), **AMOUNT)

    scope_path = "zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [models.UniqueConstraint(fields=["zone", "year", "indicator"], name="target_unique")]

    def __str__(self) -> str:
        return f"{self.zone} {self.year} {self.indicator}"


class MonthlyReport(ChangeLoggedModel):
    """月报: one zone's year-to-date figures for one month, with its review workflow."""

    zone = models.ForeignKey("zones.Zone", verbose_name=_("开发区"), related_name="reports", on_delete=models.CASCADE)
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    revision = models.PositiveIntegerField(_("修订版次"), default=0, help_text=_("审核通过后每次更正加一"))
    deadline = models.DateField(_("报送截止日"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
                                     related_name="+", on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    related_name="+", on_delete=models.SET_NULL)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    generated = models.BooleanField(_("演示生成数据"), default=False)

    scope_path = "zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["-month", "zone_id"]
        constraints = [models.UniqueConstraint(fields=["zone", "month"], name="report_one_per_zone_month")]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self) -> str:
        return f"{self.zone} {self.month:%Y年%m月}"


class ReportValue(models.Model):
    """One indicator's figures in a report: 1–N月累计, the same period last year, the reported growth (%)."""

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), related_name="values", on_delete=models.CASCADE)
    indicator = models.ForeignKey(IndicatorDefinition, verbose_name=_("指标"), on_delete=models.PROTECT)
    ytd = models.DecimalField(_("1-N月累计"), **AMOUNT)
    last_ytd = models.DecimalField(_("上年同期累计"), null=True, blank=True, **AMOUNT)
    growth = models.DecimalField(_("报送增速(%)"), null=True, blank=True, **PERCENT)

    class Meta:
        verbose_name = _("月报数值")
        verbose_name_plural = _("月报数值")
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="report_value_unique")]

    def __str__(self) -> str:
        return f"{self.report} {self.indicator.code}"


class ReportRevision(models.Model):
    """A report's history: every submission, approval, return and correction, with the figures at that moment."""

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), related_name="revisions",
                               on_delete=models.CASCADE)
    revision = models.PositiveIntegerField(_("修订版次"))
    action = models.CharField(_("操作"), max_length=20)
    reason = models.CharField(_("原因/意见"), max_length=500, blank=True)
    values = models.JSONField(_("当时的数值"), default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.SET_NULL)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月报修订记录")
        verbose_name_plural = _("月报修订记录")
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.report} 第{self.revision}版 {self.action}"


class CityTotal(ChangeLoggedModel):
    """全市数: a city-wide year-to-date figure, the base of a zone's share (占全市比重)."""

    city = models.ForeignKey("zones.Region", verbose_name=_("市"), on_delete=models.CASCADE)
    month = models.DateField(_("月份"))
    indicator = models.CharField(_("指标代码"), max_length=40)
    ytd = models.DecimalField(_("全市1-N月累计"), **AMOUNT)

    class Meta:
        verbose_name = _("全市数")
        verbose_name_plural = _("全市数")
        constraints = [models.UniqueConstraint(fields=["city", "month", "indicator"], name="city_total_unique")]

    def __str__(self) -> str:
        return f"{self.city} {self.month:%Y-%m} {self.indicator}"


class WarningRule(ChangeLoggedModel):
    """预警规则: an editable rule with its yellow and red thresholds."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300)
    yellow = models.DecimalField(_("黄色阈值"), null=True, blank=True, **PERCENT)
    red = models.DecimalField(_("红色阈值"), null=True, blank=True, **PERCENT)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SupervisionOrder(ChangeLoggedModel):
    """督办单: a warning escalated to the responsible unit, with a deadline for its rectification reply."""

    number = models.CharField(_("编号"), max_length=30, unique=True)
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("责任单位"), related_name="orders",
                             on_delete=models.PROTECT)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), related_name="+",
                                  on_delete=models.PROTECT)
    issuer_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("签发单位"), related_name="+",
                                    on_delete=models.PROTECT)
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    deadline = models.DateField(_("整改回复期限"))
    subject = models.CharField(_("督办事项"), max_length=300)
    warning = models.JSONField(_("预警内容"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class OrderReply(models.Model):
    """A reply (整改回复) to a supervision order, or the issuer's word sending it back."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"), related_name="replies",
                              on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回复人"), on_delete=models.PROTECT)
    text = models.TextField(_("内容"))
    kind = models.CharField(_("类型"), max_length=10, default="reply")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办回复")
        verbose_name_plural = _("督办回复")
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.order.number} {self.at:%Y-%m-%d}"


class Notification(models.Model):
    """消息: a reminder to a user, shown in the platform; `key` makes each reminder be created once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), related_name="notifications",
                             on_delete=models.CASCADE)
    key = models.CharField(_("去重键"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")]

    def __str__(self) -> str:
        return self.title


class Channel(ChangeLoggedModel):
    """A unit's outside channel for reminders: an e-mail address or a WeCom / DingTalk group-robot webhook."""

    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("机构"), related_name="channels",
                             on_delete=models.CASCADE)
    kind = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    target = models.CharField(_("地址"), max_length=500, help_text=_("邮箱地址，或群机器人的Webhook地址"))
    enabled = models.BooleanField(_("启用"), default=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()}"


class Delivery(models.Model):
    """One notification sent through one channel; failures are retried and stay visible."""

    notification = models.ForeignKey(Notification, verbose_name=_("消息"), related_name="deliveries",
                                     on_delete=models.CASCADE)
    channel = models.ForeignKey(Channel, verbose_name=_("渠道"), related_name="deliveries", on_delete=models.CASCADE)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.notification} → {self.channel}"


class AssessmentScheme(ChangeLoggedModel):
    """考核方案: weighted items scored by the efficacy-coefficient method across a group of zones."""

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    org_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("组织单位"), null=True, blank=True,
                                 related_name="+", on_delete=models.PROTECT,
                                 help_text=_("参评开发区限于该单位（如山西省）之下；空为全部"))
    group_level = models.CharField(_("参评级别"), max_length=12, blank=True, help_text=_("空为全部"))
    group_kinds = models.JSONField(_("参评类型"), default=list, blank=True, help_text=_("空为全部类型"))
    method = models.CharField(_("计分方法"), max_length=20, default="efficacy")
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["year", "name"], name="scheme_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class AssessmentItem(models.Model):
    """An item of a scheme: what it measures, on which indicator, with what weight."""

    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("方案"), related_name="items",
                               on_delete=models.CASCADE)
    name = models.CharField(_("名称"), max_length=60)
    category = models.CharField(_("类别"), max_length=30, blank=True)
    indicator = models.CharField(_("指标代码"), max_length=40, blank=True)
    measure = models.CharField(_("计量"), max_length=20, choices=Measure.choices)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["scheme", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="assessment_weight_positive")]

    def __str__(self) -> str:
        return self.name



