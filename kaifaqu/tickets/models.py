"""Enterprise services (SPEC §8): the working-day calendar, the agency-service catalogue and its cases (全代办),
hotline tickets (一话通办) with their timeline, commitments of 承诺制 projects, and the bigram index that finds an
enterprise by any part of its name."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.roles import sees_unit_queue
from kaifaqu.core.changelog import ChangeLoggedModel
from kaifaqu.core.privacy import works_record
from kaifaqu.core.scope import ScopedQuerySet
from kaifaqu.core.tally import Tally

from .choices import (
    CASE_OPEN,
    TICKET_OPEN,
    CaseAction,
    CaseStatus,
    Category,
    Channel,
    DayKind,
    Satisfaction,
    TicketAction,
    TicketStatus,
)


class HolidayCalendar(ChangeLoggedModel):
    """工作日历: a day that is off although it falls on Monday–Friday (法定节假日), or a Saturday or Sunday that is
    a working day (调休上班), as the State Council's yearly notice sets them."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("节日"), max_length=30)
    notice = models.CharField(_("依据"), max_length=60, blank=True, help_text=_("国务院办公厅通知的文号"))

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"


class ServiceItem(ChangeLoggedModel):
    """帮办代办事项: one approval a zone's agents carry for enterprises, with its statutory time limit in working
    days and whether it may be done by commitment (承诺制)."""

    zone = models.ForeignKey("zones.Zone", verbose_name=_("开发区"), related_name="service_items",
                             on_delete=models.CASCADE)
    name = models.CharField(_("事项名称"), max_length=100)
    department = models.CharField(_("实施部门"), max_length=60)
    phase = models.CharField(_("项目阶段"), max_length=20, blank=True,
                             help_text=_("如：立项、用地、规划、施工、验收、运营"))
    limit_days = models.PositiveSmallIntegerField(_("法定时限(工作日)"))
    commitment_allowed = models.BooleanField(_("可承诺制办理"), default=False)
    active = models.BooleanField(_("在用"), default=True)

    scope_path = "zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮办代办事项")
        verbose_name_plural = _("帮办代办事项")
        ordering = ["zone", "phase", "name"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="service_item_unique_in_zone",
                                    violation_error_message="同一开发区的事项名称不能重复"),
            models.CheckConstraint(condition=Q(limit_days__gte=1), name="service_item_limit_positive",
                                   violation_error_message="办理时限至少为1个工作日"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceCaseQuerySet(ScopedQuerySet):
    def visible_to(self, user, **hints):
        """The cases of the user's subtree; for an agent (代办员), only the cases assigned to them, unless they were
        granted their unit's queue (`tickets.view_unit_queue`). `hints`: as `ScopedQuerySet.visible_to`."""
        qs = super().visible_to(user, **hints)
        return qs if sees_unit_queue(user) else qs.filter(agent=user)


class ServiceCase(ChangeLoggedModel):
    """代办件: an agent carries one approval (a service item) for a project, from acceptance to completion or
    return. The deadline is the item's limit counted in working days from acceptance."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), related_name="service_cases",
                                on_delete=models.PROTECT)
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), related_name="cases", on_delete=models.PROTECT)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代办员"), related_name="service_cases",
                              on_delete=models.PROTECT)
    lead_official = models.CharField(_("领办领导"), max_length=50, blank=True)
    by_commitment = models.BooleanField(_("承诺制办理"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.ACCEPTED)
    accepted_on = models.DateField(_("受理日期"))
    deadline = models.DateField(_("办理期限"))
    started_on = models.DateField(_("开始办理日期"), null=True, blank=True)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    generated = models.BooleanField(_("演示生成数据"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_path = "project__zone__org_unit__path"
    objects = ServiceCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("代办件")
        verbose_name_plural = _("代办件")
        ordering = ["-accepted_on", "-id"]
        permissions = [("view_unit_queue", _("可查看本单位的代办件和诉求（代办员）"))]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["agent", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("accepted_on")), name="case_deadline_after",
                                   violation_error_message="办理期限不能早于受理日期"),
            models.CheckConstraint(condition=Q(done_on__isnull=True) | Q(done_on__gte=models.F("accepted_on")),
                                   name="case_done_after_accepted", violation_error_message="办结日期不能早于受理日期"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item}"

    def is_overdue(self, today: date) -> bool:
        """Still open past its deadline, or done after it."""
        if self.status in CASE_OPEN:
            return today > self.deadline
        return self.status == CaseStatus.DONE and self.on_time is False


class CaseEvent(models.Model):
    """A step of a case's timeline: who did what, when."""

    case = models.ForeignKey(ServiceCase, verbose_name=_("代办件"), related_name="events", on_delete=models.CASCADE)
    action = models.CharField(_("环节"), max_length=10, choices=CaseAction.choices)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                             related_name="+", on_delete=models.SET_NULL)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("代办环节")
        verbose_name_plural = _("代办环节")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_action_display()}"


class TicketQuerySet(ScopedQuerySet):
    def visible_to(self, user, **hints):
        """The tickets of the user's subtree; for an agent (代办员), only those they received themselves, unless they
        were granted their unit's queue (`tickets.view_unit_queue`). `hints`: as `ScopedQuerySet.visible_to`."""
        qs = super().visible_to(user, **hints)
        return qs if sees_unit_queue(user) else qs.filter(created_by=user)


class Ticket(ChangeLoggedModel):
    """诉求: a request an enterprise made through the hotline (一话通办). Its deadlines are fixed when it is
    received — the first response by the "事不过夜" rule, the resolution by the category's working-day limit — and
    whether each was met is stored when it happens, so the figures never recompute working days per row."""

    number = models.CharField(_("诉求编号"), max_length=20, unique=True)
    zone = models.ForeignKey("zones.Zone", verbose_name=_("开发区"), related_name="tickets", on_delete=models.PROTECT)
    enterprise = models.ForeignKey("zones.Enterprise", verbose_name=_("企业"), null=True, blank=True,
                                   related_name="tickets", on_delete=models.SET_NULL)
    caller = models.CharField(_("来电人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    text = models.TextField(_("诉求内容"))
    department = models.CharField(_("承办部门"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.NEW)
    key_difficult = models.BooleanField(_("重点难点"), default=False)
    received_at = models.DateTimeField(_("受理时间"))
    first_response_due = models.DateTimeField(_("首次响应时限"))
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    first_response_on_time = models.BooleanField(_("按时响应"), null=True, blank=True)
    resolution_due = models.DateField(_("办结时限"), help_text=_("当日24时前办结为按期"))
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重启次数"), default=0)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   related_name="+", on_delete=models.SET_NULL)
    generated = models.BooleanField(_("演示生成数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "zone__org_unit__path"
    objects = TicketQuerySet.as_manager()
    PHONE_WORKERS = (Role.ADMIN, Role.OPERATOR, Role.AGENT)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The figures of a zone read this index alone (an index-only scan): every column they count is in it.
            models.Index(fields=["zone", "received_at", "category", "department", "status", "resolved_on_time",
                                 "first_response_on_time", "satisfaction", "key_difficult", "escalated_at"],
                         name="ticket_zone_received"),
            models.Index(fields=["received_at"], name="ticket_received"),
            # Open tickets only (a small part of all): the department queues, the overdue warnings, escalation.
            models.Index(fields=["zone", "department", "resolution_due", "key_difficult", "escalated_at"],
                         name="ticket_open_queue", condition=Q(status__in=TICKET_OPEN)),
            models.Index(fields=["first_response_due"], name="ticket_unanswered_due",
                         condition=Q(first_response_at__isnull=True, first_response_on_time__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="ticket_text_required",
                                   violation_error_message="请填写诉求内容"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:30]}"

    @property
    def is_open(self) -> bool:
        return self.status in TICKET_OPEN

    def is_overdue(self, today: date) -> bool:
        """Not resolved and past the end of its resolution day."""
        return self.is_open and today > self.resolution_due

    def phone_visible_to(self, user) -> bool:
        """Who sees the caller's number (联系电话) in full: who received the ticket, and the admins, operators and
        agents of the zone handling it (its unit or a department inside it). Reviewers, viewers, the city and the
        province above see it masked; reviewers and admins above may unmask it, audited (`core.privacy`)."""
        return works_record(user, units=[self.zone.org_unit], roles=self.PHONE_WORKERS, owner_id=self.created_by_id)


class TicketEvent(models.Model):
    """A step of a ticket's timeline, in business language (受理登记, 分派至…, 办结, 回访: 满意…)."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("诉求"), related_name="events", on_delete=models.CASCADE)
    action = models.CharField(_("环节"), max_length=10, choices=TicketAction.choices)
    status = models.CharField(_("此后状态"), max_length=12, choices=TicketStatus.choices)
    at = models.DateTimeField(_("时间"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             related_name="+", on_delete=models.SET_NULL)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["ticket", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_action_display()}"


class Commitment(ChangeLoggedModel):
    """承诺事项: what an enterprise of a 承诺制 project promised in place of a prior approval, the date by which
    the zone must verify it was kept, and the verification. Not verified by that date is overdue."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), related_name="commitments",
                                on_delete=models.CASCADE)
    content = models.TextField(_("承诺内容"))
    promised_on = models.DateField(_("承诺日期"))
    verify_by = models.DateField(_("核查期限"))
    verified_on = models.DateField(_("核查日期"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True, blank=True,
                                    related_name="+", on_delete=models.SET_NULL)
    verification_note = models.CharField(_("核查情况"), max_length=300, blank=True)
    generated = models.BooleanField(_("演示生成数据"), default=False)

    scope_path = "project__zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["verify_by", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(verify_by__gte=models.F("promised_on")),
                                   name="commitment_verify_after_promise",
                                   violation_error_message="核查期限不能早于承诺日期"),
        ]

    def __str__(self) -> str:
        return self.content[:40]

    def is_overdue(self, today: date) -> bool:
        """Not verified by its date (as of `today`), or verified after it."""
        if self.verified_on is None:
            return today > self.verify_by
        return self.verified_on > self.verify_by


class TicketTally(models.Model):
    """诉求统计汇总: the hotline's counts for one scope (an org unit's path above the zones, "/" for all), one day
    received, one category and one department — kept by `tally` as tickets change."""

    scope = models.CharField(_("范围"), max_length=255)
    day = models.DateField(_("受理日期"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    department = models.CharField(_("承办部门"), max_length=60, blank=True)
    received = models.IntegerField(_("受理"), default=0)
    resolved = models.IntegerField(_("办结"), default=0)
    resolved_on_time = models.IntegerField(_("按期办结"), default=0)
    responded_on_time = models.IntegerField(_("按时响应"), default=0)
    responded_late = models.IntegerField(_("超时响应"), default=0)
    satisfied = models.IntegerField(_("满意"), default=0)
    basic = models.IntegerField(_("基本满意"), default=0)
    dissatisfied = models.IntegerField(_("不满意"), default=0)
    key_difficult = models.IntegerField(_("重点难点"), default=0)
    escalated = models.IntegerField(_("升级"), default=0)

    class Meta:
        verbose_name = _("诉求统计汇总")
        verbose_name_plural = _("诉求统计汇总")
        constraints = [models.UniqueConstraint(fields=["scope", "day", "category", "department"],
                                               name="ticket_tally_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.day} {self.category} {self.department}"


class EnterpriseToken(models.Model):
    """One two-character piece (bigram) of an enterprise's normalised name: the index that finds "日昌晶" inside
    "日昌晶新材料（山西）有限责任公司" without scanning every name. Rebuilt whenever the enterprise is saved."""

    token = models.CharField(_("字符对"), max_length=2)
    enterprise = models.ForeignKey("zones.Enterprise", verbose_name=_("企业"), related_name="+",
                                   on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("企业名称索引")
        verbose_name_plural = _("企业名称索引")
        indexes = [models.Index(fields=["token", "enterprise"], name="enterprise_token_lookup")]

    def __str__(self) -> str:
        return f"{self.token} → {self.enterprise_id}"


class TicketListTally(Tally):
    """诉求列表汇总: per zone and status, how many tickets there are, kept by triggers (core/tally.py) so that the
    ticket list's count over a scope, a city, a zone or a status reads these rows (the figures of `ticket_stats`
    have their own totals, `TicketTally`, per day, category and department)."""

    zone_id = models.BigIntegerField(_("开发区"))
    status = models.CharField(_("状态"), max_length=12)

    source = "tickets.Ticket"
    keys = {"zone_id": "{r}.zone_id", "status": "{r}.status"}
    watched = ("zone_id", "status")

    class Meta:
        verbose_name = _("诉求列表汇总")
        verbose_name_plural = _("诉求列表汇总")
        constraints = [models.UniqueConstraint(fields=["zone_id", "status"], name="ticket_list_tally_key")]
