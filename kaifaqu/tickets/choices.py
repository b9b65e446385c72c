"""Choices of the enterprise-services app (SPEC §8): the holiday calendar, agency cases, hotline tickets."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """A day of the official calendar that differs from the plain Monday–Friday week."""

    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CaseStatus(models.TextChoices):
    """代办件 status: accepted → in_progress → done, or returned (退回) from accepted or in_progress."""

    ACCEPTED = "accepted", _("受理")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("办结")
    RETURNED = "returned", _("退回")


CASE_FLOW = {
    CaseStatus.ACCEPTED: {CaseStatus.IN_PROGRESS, CaseStatus.RETURNED},
    CaseStatus.IN_PROGRESS: {CaseStatus.DONE, CaseStatus.RETURNED},
    CaseStatus.DONE: set(),
    CaseStatus.RETURNED: set(),
}
CASE_OPEN = [CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS]


class Channel(models.TextChoices):
    """How an enterprise's request reached the hotline (一话通办)."""

    PHONE = "phone", _("电话")
    ONLINE = "online", _("网上")
    WECHAT = "wechat", _("微信")
    IN_PERSON = "in_person", _("现场")


class Category(models.TextChoices):
    """诉求类别, each with its resolution limit in working days (`RESOLUTION_DAYS`)."""

    INVESTMENT = "investment", _("招商引资")
    CONSTRUCTION = "construction", _("项目建设")
    POLICY = "policy", _("政策兑现")
    SERVICE = "service", _("企业服务")
    FACTORS = "factors", _("要素保障")
    OTHER = "other", _("其他")


# Working days from the day a request is received to the end of the day it must be resolved by. Policy payments
# go through a finance review and factor supply (power, water, land) through outside utilities, so they get more.
RESOLUTION_DAYS = {
    Category.INVESTMENT: 10,
    Category.CONSTRUCTION: 10,
    Category.POLICY: 15,
    Category.SERVICE: 5,
    Category.FACTORS: 15,
    Category.OTHER: 5,
}


class TicketStatus(models.TextChoices):
    """诉求 status: new → assigned → in_progress → resolved → closed; resolved or closed → reopened → assigned
    or in_progress again."""

    NEW = "new", _("待分派")
    ASSIGNED = "assigned", _("已分派")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    REOPENED = "reopened", _("已重启")


TICKET_OPEN = [TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.REOPENED]
TICKET_DONE = [TicketStatus.RESOLVED, TicketStatus.CLOSED]


class Satisfaction(models.TextChoices):
    """The enterprise's rating when the ticket is closed (回访)."""

    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class TicketAction(models.TextChoices):
    """What happened to a ticket: the timeline's entries and the API's actions."""

    CREATE = "create", _("受理登记")
    ASSIGN = "assign", _("分派")
    START = "start", _("开始办理（首次响应）")
    RESOLVE = "resolve", _("办结")
    CLOSE = "close", _("回访关闭")
    REOPEN = "reopen", _("重启")
    ESCALATE = "escalate", _("超期升级")


class CaseAction(models.TextChoices):
    """What happened to an agency case: its timeline."""

    ACCEPT = "accept", _("受理")
    START = "start", _("开始办理")
    DONE = "done", _("办结")
    RETURN = "return", _("退回")
