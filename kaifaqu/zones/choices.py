"""Choices of the zones app (SPEC §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")


class ZoneLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")


class ZoneKind(models.TextChoices):
    """The 2018 catalogue's kinds, then Shanxi's later ones."""

    ETDZ = "经济技术开发区", _("经济技术开发区")
    HIGH_TECH = "高新技术产业开发区", _("高新技术产业开发区")
    ECONOMIC = "经济开发区", _("经济开发区")
    INDUSTRIAL_PARK = "工业园区", _("工业园区")
    CUSTOMS = "海关特殊监管区域", _("海关特殊监管区域")
    BORDER = "边境/跨境经济合作区", _("边境/跨境经济合作区")
    REFORM = "综改示范区", _("综改示范区")
    AGRI_HIGH_TECH = "农业高新技术产业示范区", _("农业高新技术产业示范区")
    MODERN_AGRI = "现代农业产业示范区", _("现代农业产业示范区")
    ECO_TOURISM = "生态文化旅游示范区", _("生态文化旅游示范区")
    OTHER = "其他", _("其他")


class ZoneSource(models.TextChoices):
    CATALOGUE_2018 = "2018 catalogue", _("2018年国家开发区审核公告目录")
    SEED_ARTICLES = "seed articles", _("来源文章（非2018年目录）")
