"""Choices of the projects app (SPEC §4, §11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Project stages in order; `terminated` may follow any of them."""

    RESERVE = "reserve", _("谋划")
    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约")
    STARTED = "started", _("开工")
    PRODUCING = "producing", _("投产")
    AT_CAPACITY = "at_capacity", _("达产")
    TERMINATED = "terminated", _("终止")


STAGE_ORDER = [Stage.RESERVE, Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.AT_CAPACITY]
# The date field each dated stage sets.
STAGE_DATE_FIELD = {
    Stage.SIGNED: "signed_on",
    Stage.STARTED: "started_on",
    Stage.PRODUCING: "producing_on",
    Stage.AT_CAPACITY: "at_capacity_on",
    Stage.TERMINATED: "terminated_on",
}
DATED_STAGES = [Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.AT_CAPACITY]


class ProjectType(models.TextChoices):
    INDUSTRIAL = "industrial", _("产业项目")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    PUBLIC_SERVICE = "public_service", _("公共配套")
    OTHER = "other", _("其他")


class PromotionMethod(models.TextChoices):
    BY_BUSINESS = "以商招商", _("以商招商")
    BY_FRIENDSHIP = "情谊招商", _("情谊招商")
    BY_CHAIN = "产业链招商", _("产业链招商")
    BY_FAIR = "推介会招商", _("推介会招商")
    OTHER = "其他", _("其他")


class Batch(models.TextChoices):
    """三个一批 batches."""

    SIGN = "sign", _("签约一批")
    START = "start", _("开工一批")
    PRODUCE = "produce", _("投产一批")


class CampaignLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")


class Milestone(models.TextChoices):
    """节点计划 milestones, in their usual order."""

    FILING = "立项备案", _("立项备案")
    LAND = "用地手续", _("用地手续")
    PLANNING = "规划许可", _("规划许可")
    CONSTRUCTION = "施工许可", _("施工许可")
    STRUCTURE = "主体完工", _("主体完工")
    EQUIPMENT = "设备安装", _("设备安装")
    TRIAL = "试生产", _("试生产")
