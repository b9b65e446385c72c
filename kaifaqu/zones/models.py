"""Regions (GB/T 2260), development zones, their parks, and industry chains."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin, load_phrases_dict

from kaifaqu.accounts.choices import Role
from kaifaqu.core.changelog import ChangeLoggedModel
from kaifaqu.core.privacy import works_record
from kaifaqu.core.scope import ScopedQuerySet

from .choices import RegionLevel, ZoneKind, ZoneLevel, ZoneSource

# Place names whose reading pypinyin's phrase dictionary gets wrong (长治 is Cháng-zhì, not Zhǎng-zhì).
load_phrases_dict({"长治": [["cháng"], ["zhì"]], "长子": [["zhǎng"], ["zǐ"]]})


def pinyin_initials(text: str) -> str:
    """"阳泉经济技术开发区" → "yqjjjskfq" (non-Chinese characters kept, lower-cased)."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


class Region(models.Model):
    """行政区划: a division with its GB/T 2260 code (province, city or county)."""

    code = models.CharField(_("区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    center_lon = models.DecimalField(_("中心经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    center_lat = models.DecimalField(_("中心纬度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IndustryChain(ChangeLoggedModel):
    """产业链: one of Shanxi's key chains or strategic emerging clusters named in the sources."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    strategic_emerging = models.BooleanField(_("战略性新兴产业"), default=True)
    key_chain = models.BooleanField(_("省级重点产业链"), default=False,
                                    help_text=_("计入“围绕省级重点产业链铺排项目”的占比"))
    source = models.CharField(_("出处"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Zone(ChangeLoggedModel):
    """开发区: a development zone with its catalogue facts, location and reform status."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    level = models.CharField(_("级别"), max_length=12, choices=ZoneLevel.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=ZoneKind.choices)
    org_unit = models.OneToOneField(
        "accounts.OrgUnit", verbose_name=_("管委会"), related_name="zone", on_delete=models.PROTECT
    )
    province = models.ForeignKey(
        Region, verbose_name=_("省份"), related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    city = models.ForeignKey(
        Region, verbose_name=_("所在市"), related_name="city_zones", on_delete=models.PROTECT, null=True, blank=True
    )
    county = models.ForeignKey(
        Region, verbose_name=_("所在县区"), related_name="county_zones", on_delete=models.PROTECT, null=True, blank=True
    )
    approved_on = models.DateField(_("批准时间"), null=True, blank=True, help_text=_("目录只到月份，记为当月1日"))
    approved_area_ha = models.DecimalField(_("核准面积(公顷)"), max_digits=12, decimal_places=2, null=True, blank=True)
    planned_area_km2 = models.DecimalField(
        _("规划面积(平方公里)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    industries = models.CharField(_("主导产业"), max_length=300, blank=True, help_text=_("以顿号“、”分隔"))
    reform_sanhua_sanzhi = models.BooleanField(_("“三化三制”改革到位"), null=True, blank=True)
    reform_guanyun_fenli = models.BooleanField(_("“管运分离”改革到位"), null=True, blank=True)
    reform_note = models.CharField(_("改革情况说明"), max_length=300, blank=True)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_approximate = models.BooleanField(_("位置为近似"), default=True)
    source = models.CharField(_("数据来源"), max_length=20, choices=ZoneSource.choices)
    source_note = models.TextField(_("来源说明"), blank=True)
    catalogue = models.JSONField(_("2018年目录原始字段"), null=True, blank=True)
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=120, blank=True, db_index=True, editable=False)

    scope_path = "org_unit__path"
    scope_ids_eager = True  # a few thousand rows at most: children filter on the list of visible zone ids
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("开发区")
        verbose_name_plural = _("开发区")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "kind"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin_initials = self.compute_pinyin()
        super().save(*args, **kwargs)

    def compute_pinyin(self) -> str:
        """Initials of the name and short name, so "yqjk" finds 阳泉经开区 and "yqjjjs" 阳泉经济技术开发区."""
        parts = [pinyin_initials(self.name)]
        if self.short_name and self.short_name != self.name:
            parts.append(pinyin_initials(self.short_name))
        return " ".join(parts)[:120]

    @property
    def industry_list(self) -> list[str]:
        return [s for s in self.industries.split("、") if s]


class Park(ChangeLoggedModel):
    """园区: a park inside a zone."""

    zone = models.ForeignKey(Zone, verbose_name=_("所属开发区"), related_name="parks", on_delete=models.CASCADE)
    name = models.CharField(_("名称"), max_length=100)
    industries = models.CharField(_("主导产业"), max_length=200, blank=True)
    source_note = models.CharField(_("来源说明"), max_length=300, blank=True)

    scope_path = "zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("园区")
        verbose_name_plural = _("园区")
        ordering = ["zone", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="park_unique_name_in_zone")]

    def __str__(self) -> str:
        return self.name


INDUSTRY_SECTIONS = [
    ("A", "农、林、牧、渔业"), ("B", "采矿业"), ("C", "制造业"), ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"), ("F", "批发和零售业"), ("G", "交通运输、仓储和邮政业"), ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"), ("J", "金融业"), ("K", "房地产业"), ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"), ("N", "水利、环境和公共设施管理业"), ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"), ("Q", "卫生和社会工作"), ("R", "文化、体育和娱乐业"), ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
]
FOUR_ABOVE = [("", "否"), ("industry", "规上工业"), ("construction", "资质以上建筑业"),
              ("trade", "限额以上批零住餐"), ("services", "规上服务业")]


class Enterprise(ChangeLoggedModel):
    """企业: registered with its unified social credit code (GB 32100-2015), shared by projects, leads and
    tickets."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    zone = models.ForeignKey(Zone, verbose_name=_("所在开发区"), related_name="enterprises", null=True, blank=True,
                             on_delete=models.SET_NULL)
    industry = models.CharField(_("行业门类(GB/T 4754)"), max_length=1, choices=INDUSTRY_SECTIONS, blank=True)
    above_scale = models.BooleanField(_("规模以上工业企业"), default=False)
    four_above = models.CharField(_("“四上”类别"), max_length=12, choices=FOUR_ABOVE, blank=True)
    chain = models.ForeignKey(IndustryChain, verbose_name=_("所属产业链"), null=True, blank=True,
                              related_name="enterprises", on_delete=models.SET_NULL)
    chain_leader = models.BooleanField(_("链主企业"), default=False)
    high_tech = models.BooleanField(_("高新技术企业"), default=False)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    scope_path = "zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        indexes = [models.Index(fields=["zone", "name"])]

    def __str__(self) -> str:
        return self.name

    PHONE_WORKERS = (Role.ADMIN, Role.OPERATOR, Role.AGENT)

    def phone_visible_to(self, user) -> bool:
        """Who sees the contact's number (联系电话) in full: the admins, operators and agents of the enterprise's
        zone (its unit or a department inside it), who keep its record and serve it. Everyone else who may open
        it sees it masked; reviewers and admins above may unmask it, audited (`core.privacy`)."""
        return works_record(user, units=[self.zone.org_unit if self.zone_id else None], roles=self.PHONE_WORKERS)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from kaifaqu.core.credit_code import credit_code_error

        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
            if error := credit_code_error(self.credit_code):
                raise ValidationError({"credit_code": error})
