"""Investment promotion (招商引资, SPEC §7): promotion events, leads with their follow-up timeline, and the
city-wide totals that a city's shares ("占全市招商引资项目47.9%") are taken against. Amounts in 万元."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaifaqu.accounts.choices import OrgKind, Role
from kaifaqu.core.changelog import ChangeLoggedModel
from kaifaqu.core.privacy import works_record
from kaifaqu.core.scope import ScopedQuerySet, likely
from kaifaqu.core.tally import Tally
from kaifaqu.projects.choices import ProjectType, PromotionMethod

from .choices import LEAD_STAGE_DATE, EventKind, LeadStage, NoteKind
from .names import company_key

MONEY = {"max_digits": 16, "decimal_places": 2}
ALL = object()  # the scope of a superuser


def subtree_of(user):
    """`ALL` for a superuser, the org unit whose subtree `user` sees, or None when they see nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ALL
    return getattr(user, "org_unit", None)


def visible_cities(user):
    """The ids (a subquery) of the cities the user's zones lie in: a zone's staff see their city's events."""
    from kaifaqu.zones.models import Zone

    return Zone.objects.visible_to(user).filter(city__isnull=False).values("city_id")


def city_of_unit(unit):
    """The city (Region) an org unit lies in: its own region for a city, its city ancestor's below it."""
    from kaifaqu.accounts.models import OrgUnit

    if unit is None:
        return None
    codes = [c for c in unit.path.strip("/").split("/") if c]
    city = OrgUnit.objects.filter(code__in=codes, kind=OrgKind.CITY).select_related("region").first()
    return city.region if city else None


class PromotionEventQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Events organised in the user's subtree, and every event of the cities their zones lie in."""
        unit = subtree_of(user)
        if unit is None:
            return self.none()
        if unit is ALL:
            return self
        return self.filter(Q(city_id__in=visible_cities(user)) | Q(organiser__path__startswith=unit.path))


class PromotionEvent(ChangeLoggedModel):
    """招商活动: a promotion event (推介会, 座谈会, 招商大会, 考察对接…) held by a city or one of its units."""

    name = models.CharField(_("活动名称"), max_length=200)
    date = models.DateField(_("活动日期"))
    city = models.ForeignKey("zones.Region", verbose_name=_("所属市"), related_name="promotion_events",
                             on_delete=models.PROTECT)
    kind = models.CharField(_("活动类型"), max_length=10, choices=EventKind.choices)
    venue = models.CharField(_("举办地点"), max_length=100, blank=True)
    organiser = models.ForeignKey("accounts.OrgUnit", verbose_name=_("主办单位"), related_name="promotion_events",
                                  on_delete=models.PROTECT)
    note = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "organiser__path"
    objects = PromotionEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("招商活动")
        verbose_name_plural = _("招商活动")
        ordering = ["-date", "name"]
        indexes = [models.Index(fields=["city", "date"])]
        constraints = [models.UniqueConstraint(fields=["city", "name", "date"], name="event_unique_per_city_day",
                                               violation_error_message="同一市同一天已有同名活动")]

    def __str__(self) -> str:
        return self.name


class LeadQuerySet(ScopedQuerySet):
    def visible_to(self, user, *, share: float | None = None):
        """Leads whose target zone the user sees; a lead without a zone yet, through its owner team (`share`: as
        `ScopedQuerySet.visible_to`)."""
        from kaifaqu.zones.models import Zone

        unit = subtree_of(user)
        if unit is None:
            return self.none()
        if unit is ALL:
            return self
        from kaifaqu.accounts.models import OrgUnit

        zones = list(Zone.objects.visible_to(user).values_list("pk", flat=True))
        # The teams as a subquery rather than a join: with no join in the condition, a page walks the
        # (received_on, id) index and stops after 50 leads (a zone's first page over 1,000,000 leads: 125 → 40 ms).
        teams = OrgUnit.objects.filter(path__startswith=unit.path).values("pk")
        return self.filter(likely(Q(zone_id__in=zones) | Q(zone__isnull=True, owner_unit_id__in=teams), share))


class Lead(ChangeLoggedModel):
    """招商线索 / 在谈项目: a company's intent to invest, worked from first contact to signing (or lost)."""

    company = models.CharField(_("企业名称"), max_length=200)
    company_key = models.CharField(_("企业名称（查重用）"), max_length=200, db_index=True, editable=False)
    project_name = models.CharField(_("投资意向（项目名称）"), max_length=200, blank=True)
    project_type = models.CharField(_("项目类型"), max_length=20, choices=ProjectType.choices,
                                    default=ProjectType.INDUSTRIAL)
    enterprise = models.ForeignKey("zones.Enterprise", verbose_name=_("登记企业"), null=True, blank=True,
                                   related_name="leads", on_delete=models.SET_NULL)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    chain = models.ForeignKey("zones.IndustryChain", verbose_name=_("所属产业链"), null=True, blank=True,
                              related_name="leads", on_delete=models.SET_NULL)
    investment = models.DecimalField(_("意向投资额(万元)"), null=True, blank=True, **MONEY)
    zone = models.ForeignKey("zones.Zone", verbose_name=_("拟落地开发区"), null=True, blank=True,
                             related_name="leads", on_delete=models.PROTECT)
    city = models.ForeignKey("zones.Region", verbose_name=_("所属市"), null=True, blank=True, related_name="leads",
                             on_delete=models.PROTECT, editable=False)
    source_event = models.ForeignKey(PromotionEvent, verbose_name=_("来源活动"), null=True, blank=True,
                                     related_name="leads", on_delete=models.SET_NULL)
    method = models.CharField(_("招商方式"), max_length=10, choices=PromotionMethod.choices, blank=True)
    stage = models.CharField(_("阶段"), max_length=12, choices=LeadStage.choices, default=LeadStage.LEAD)
    received_on = models.DateField(_("获取日期"))
    contacted_on = models.DateField(_("接洽日期"), null=True, blank=True)
    visited_on = models.DateField(_("考察日期"), null=True, blank=True)
    negotiating_on = models.DateField(_("洽谈日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    lost_on = models.DateField(_("流失日期"), null=True, blank=True)
    lost_from = models.CharField(_("流失前阶段"), max_length=12, choices=LeadStage.choices, blank=True)
    lost_reason = models.CharField(_("流失原因"), max_length=300, blank=True)
    owner_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("负责团队"), related_name="leads",
                                   on_delete=models.PROTECT)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
                              related_name="leads", on_delete=models.SET_NULL)
    next_action = models.CharField(_("下一步行动"), max_length=200, blank=True)
    next_action_on = models.DateField(_("下次行动日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    converted_project = models.OneToOneField("projects.Project", verbose_name=_("转入项目"), null=True, blank=True,
                                             related_name="lead", on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(_("版本"), default=1, help_text=_("每次保存加一，用于拒绝过期的修改"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "zone__org_unit__path"
    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        ordering = ["-received_on", "-id"]
        # The list is newest first: a page walks (received_on, id) backwards, or a zone's (zone, received_on, id).
        indexes = [models.Index(fields=["zone", "stage"]), models.Index(fields=["city", "stage"]),
                   models.Index(fields=["-received_on", "-id"], name="lead_received"),
                   models.Index(fields=["zone", "-received_on", "-id"], name="lead_zone_received")]
        constraints = [
            models.CheckConstraint(condition=Q(investment__gte=0) | Q(investment__isnull=True),
                                   name="lead_investment_gte_0", violation_error_message="意向投资额不能为负数"),
            models.CheckConstraint(condition=~Q(stage=LeadStage.LOST) | ~Q(lost_reason=""),
                                   name="lead_lost_has_reason", violation_error_message="流失的线索须填写原因"),
            models.CheckConstraint(
                condition=~Q(stage=LeadStage.SIGNED)
                | Q(zone__isnull=False, investment__isnull=False, signed_on__isnull=False),
                name="lead_signed_is_complete", violation_error_message="签约的线索须有开发区、投资额和签约日期"),
            models.CheckConstraint(condition=Q(converted_project__isnull=True) | Q(stage=LeadStage.SIGNED),
                                   name="lead_converted_only_signed",
                                   violation_error_message="只有签约的线索才能转为项目"),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.project_name}" if self.project_name else self.company

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Keep the derived fields in step: the duplicate-check key of the company name, and the city (the target
        zone's, else the owner team's)."""
        self.company_key = company_key(self.company)
        self.city = self.zone.city if self.zone_id else city_of_unit(self.owner_unit)

    @property
    def stage_date(self):
        """The date the lead reached its current stage."""
        return getattr(self, LEAD_STAGE_DATE[LeadStage(self.stage)])

    @property
    def is_open(self) -> bool:
        """Still being worked: neither signed nor lost."""
        return self.stage not in (LeadStage.SIGNED, LeadStage.LOST)

    PHONE_WORKERS = (Role.ADMIN, Role.OPERATOR, Role.PROMOTER)

    def phone_visible_to(self, user) -> bool:
        """Who sees the contact's number (联系电话) in full: the lead's owner (负责人), and the promoters, operators
        and admins of the team that owns it (负责团队) or of its target zone (or a department inside them). Viewers,
        reviewers and the units above see it masked; reviewers and admins above may unmask it, audited
        (`core.privacy`)."""
        units = [self.owner_unit, self.zone.org_unit if self.zone_id else None]
        return works_record(user, units=units, roles=self.PHONE_WORKERS, owner_id=self.owner_id)


class LeadNoteQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(lead__in=Lead.objects.visible_to(user))


class LeadNote(models.Model):
    """跟进记录: one entry of a lead's timeline — a follow-up note, or a stage change or conversion recorded by
    the service that made it."""

    lead = models.ForeignKey(Lead, verbose_name=_("线索"), related_name="notes", on_delete=models.CASCADE)
    kind = models.CharField(_("类型"), max_length=12, choices=NoteKind.choices, default=NoteKind.FOLLOW_UP)
    on = models.DateField(_("日期"))
    text = models.TextField(_("内容"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                             on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope_path = "lead__zone__org_unit__path"
    objects = LeadNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.text[:30]}"


class CityPromotionTotalQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A city's totals are seen by everyone whose zones lie in that city (they are the base of their shares)."""
        unit = subtree_of(user)
        if unit is None:
            return self.none()
        return self if unit is ALL else self.filter(city_id__in=visible_cities(user))


class CityPromotionTotal(ChangeLoggedModel):
    """全市招商引资签约数: the city's signed promotion projects and investment in a year, entered by the city; the
    base of "占全市招商引资项目47.9%、投资额39.3%"."""

    city = models.ForeignKey("zones.Region", verbose_name=_("市"), related_name="promotion_totals",
                             on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    signed_projects = models.PositiveIntegerField(_("全市签约项目数"))
    signed_investment = models.DecimalField(_("全市签约投资额(万元)"), **MONEY)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_path = "city"
    objects = CityPromotionTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("全市招商引资签约数")
        verbose_name_plural = _("全市招商引资签约数")
        ordering = ["-year", "city"]
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="promotion_total_unique",
                                    violation_error_message="该市该年度已有全市数"),
            models.CheckConstraint(condition=Q(signed_investment__gte=0), name="promotion_total_investment_gte_0",
                                   violation_error_message="全市签约投资额不能为负数"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.year}年"


class LeadTally(Tally):
    """线索汇总: per target zone (0: none, then per owner team) and stage, how many leads there are and their
    intended investment in cents, kept by triggers (core/tally.py): a lead without a zone is seen by its owner
    team's subtree, so it is tallied under that team."""

    zone_id = models.BigIntegerField(_("拟落地开发区（0：未定）"))
    owner_unit_id = models.BigIntegerField(_("负责团队（仅未定开发区的线索，否则0）"))
    stage = models.CharField(_("阶段"), max_length=12)
    investment = models.BigIntegerField(_("意向投资额(分)"), default=0)

    source = "investment.Lead"
    keys = {"zone_id": "coalesce({r}.zone_id, 0)",
            "owner_unit_id": "CASE WHEN {r}.zone_id IS NULL THEN {r}.owner_unit_id ELSE 0 END", "stage": "{r}.stage"}
    sums = {"investment": "investment"}
    watched = ("zone_id", "owner_unit_id", "stage", "investment")

    class Meta:
        verbose_name = _("线索汇总")
        verbose_name_plural = _("线索汇总")
        constraints = [models.UniqueConstraint(fields=["zone_id", "owner_unit_id", "stage"], name="lead_tally_key")]
