"""Projects, their stage history, progress, problems and node plan; 三个一批 campaigns and their entries."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kaifaqu.core.changelog import ChangeLoggedModel
from kaifaqu.core.scope import ScopedQuerySet
from kaifaqu.core.tally import Tally

from . import listing
from .choices import Batch, CampaignLevel, Milestone, ProjectType, PromotionMethod, Stage

MONEY = {"max_digits": 16, "decimal_places": 2}


class Project(ChangeLoggedModel):
    """项目: an investment project, tracked from negotiation to full capacity. Amounts in 万元."""

    # Unique by the constraint below rather than unique=True, which on PostgreSQL adds a second, pattern-matching
    # index that nothing here uses and every write pays for (a fifth of updating 100,000 projects).
    code = models.CharField(_("项目编号"), max_length=40)
    name = models.CharField(_("项目名称"), max_length=200)
    # Indexed by (zone, code) below; a single-column index would only slow every write.
    zone = models.ForeignKey("zones.Zone", verbose_name=_("所属开发区"), related_name="projects", db_index=False,
                             on_delete=models.PROTECT)
    park = models.ForeignKey("zones.Park", verbose_name=_("所属园区"), null=True, blank=True,
                             related_name="projects", on_delete=models.SET_NULL)
    builder = models.CharField(_("建设单位"), max_length=200, blank=True)
    builder_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    type = models.CharField(_("项目类型"), max_length=20, choices=ProjectType.choices)
    chain = models.ForeignKey("zones.IndustryChain", verbose_name=_("所属产业链"), null=True, blank=True,
                              related_name="projects", on_delete=models.SET_NULL)
    strategic_emerging = models.BooleanField(_("战略性新兴产业"), default=False)
    total_investment = models.DecimalField(_("总投资(万元)"), **MONEY)
    completed_investment = models.DecimalField(_("累计完成投资(万元)"), default=0, **MONEY)
    annual_planned_investment = models.DecimalField(_("年度计划投资(万元)"), null=True, blank=True, **MONEY)
    expected_annual_output = models.DecimalField(_("预计年产值(万元)"), null=True, blank=True, **MONEY)
    jobs = models.PositiveIntegerField(_("新增就业(人)"), null=True, blank=True)
    land_mu = models.DecimalField(_("用地面积(亩)"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Not indexed: a (zone, stage) index led SQLite, over the national data set, to read every zone's started
    # projects and sort them for one page (276 ms), where walking (zone, code) stops after 50 rows (66 ms); on
    # PostgreSQL the list's queries take the same time without it.
    stage = models.CharField(_("当前阶段"), max_length=12, choices=Stage.choices)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    producing_on = models.DateField(_("投产日期"), null=True, blank=True)
    at_capacity_on = models.DateField(_("达产日期"), null=True, blank=True)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    planned_start_on = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_production_on = models.DateField(_("计划投产日期"), null=True, blank=True)
    planned_capacity_on = models.DateField(_("计划达产日期"), null=True, blank=True)
    commitment_system = models.BooleanField(_("承诺制"), default=False)
    standard_land = models.BooleanField(_("标准地"), default=False)
    lead_official = models.CharField(_("领办领导"), max_length=50, blank=True)
    agent_name = models.CharField(_("代办员"), max_length=50, blank=True)
    promotion_method = models.CharField(_("招商方式"), max_length=10, choices=PromotionMethod.choices, blank=True)
    in_statistics = models.BooleanField(_("已入统"), default=False)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, help_text=_("每次保存加一，用于拒绝过期的修改"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Kept from the campaign entries by `listing.refresh` (and only by it): the date of the latest campaign that
    # listed the project in each batch. Statistics over "every campaign since a date" read them instead of
    # grouping the entries (listing.py says why).
    sign_listed_on = models.DateField(_("最近列入签约批次的活动日期"), null=True, editable=False)
    start_listed_on = models.DateField(_("最近列入开工批次的活动日期"), null=True, editable=False)
    produce_listed_on = models.DateField(_("最近列入投产批次的活动日期"), null=True, editable=False)

    scope_path = "zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["zone_id", "code"]
        indexes = [models.Index(fields=["zone", "code"]), models.Index(fields=["name", "zone"])]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="project_code_unique"),
            models.CheckConstraint(condition=Q(total_investment__gte=0), name="project_total_investment_gte_0",
                                  violation_error_message="总投资不能为负数"),
            models.CheckConstraint(condition=Q(completed_investment__gte=0), name="project_completed_gte_0",
                                  violation_error_message="累计完成投资不能为负数"),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | Q(started_on__isnull=True) | Q(signed_on__lte=F("started_on")),
                name="project_signed_before_started", violation_error_message="开工日期不能早于签约日期"),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(producing_on__isnull=True)
                | Q(started_on__lte=F("producing_on")),
                name="project_started_before_producing", violation_error_message="投产日期不能早于开工日期"),
            models.CheckConstraint(
                condition=Q(producing_on__isnull=True) | Q(at_capacity_on__isnull=True)
                | Q(producing_on__lte=F("at_capacity_on")),
                name="project_producing_before_capacity", violation_error_message="达产日期不能早于投产日期"),
            models.CheckConstraint(
                condition=~Q(stage=Stage.AT_CAPACITY) | Q(type=ProjectType.INDUSTRIAL),
                name="project_capacity_only_industrial", violation_error_message="只有产业项目才有“达产”阶段"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Saving a loaded project writes every field but the listing dates, which only `listing.refresh`
        writes: an edit that loaded them before a campaign listed the project must not put the old ones back."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [f.attname for f in self._meta.concrete_fields
                                       if not f.primary_key and f.attname not in LISTED_ON_FIELDS]
        super().save(*args, **kwargs)

    @property
    def is_industrial(self) -> bool:
        return self.type == ProjectType.INDUSTRIAL


LISTED_ON_FIELDS = tuple(listing.LISTED_ON.values())


class StageEvent(models.Model):
    """阶段记录: one row per stage a project reached, with its date and who recorded it."""

    # The history belongs to its project: rows are only ever made with it or from it (services, the ledger
    # import) and go with it through the ORM's CASCADE. No database-level key is checked for each of the 210,000
    # rows a 100,000-project import writes (0.6 s of it on PostgreSQL); the project_id index stays.
    project = models.ForeignKey(Project, verbose_name=_("项目"), related_name="stage_events",
                                on_delete=models.CASCADE, db_constraint=False)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices)
    date = models.DateField(_("日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # Who recorded it, like the change log's user: SET_NULL through the ORM, no database-level key, and no index
    # (nothing looks stage rows up by who recorded them).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                             on_delete=models.SET_NULL, db_constraint=False, db_index=False)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope_path = "project__zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段记录")
        verbose_name_plural = _("阶段记录")
        ordering = ["project", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_stage_display()} {self.date or ''}"


class ProgressReport(ChangeLoggedModel):
    """月度进展: a month's progress note and cumulative completed investment."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), related_name="progress_reports",
                                on_delete=models.CASCADE)
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    completed_investment = models.DecimalField(_("累计完成投资(万元)"), **MONEY)
    note = models.TextField(_("进展情况"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                             on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    scope_path = "project__zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")
        ordering = ["project", "-month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="progress_one_per_month")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"


class Problem(ChangeLoggedModel):
    """存在问题: a problem holding a project up, and how it was resolved."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), related_name="problems", on_delete=models.CASCADE)
    description = models.TextField(_("问题描述"))
    raised_on = models.DateField(_("提出日期"))
    responsible = models.CharField(_("责任单位"), max_length=100, blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)

    scope_path = "project__zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("存在问题")
        verbose_name_plural = _("存在问题")
        ordering = ["project", "-raised_on"]

    def __str__(self) -> str:
        return self.description[:40]


class ProjectMilestone(ChangeLoggedModel):
    """节点计划: a milestone with its planned and actual date; past planned and not done is overdue."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), related_name="milestones", on_delete=models.CASCADE)
    name = models.CharField(_("节点"), max_length=30, choices=Milestone.choices)
    planned_on = models.DateField(_("计划日期"))
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)

    scope_path = "project__zone__org_unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("节点计划")
        verbose_name_plural = _("节点计划")
        ordering = ["project", "planned_on"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="milestone_once_per_project")]

    def __str__(self) -> str:
        return f"{self.project} {self.name}"


class CampaignQuerySet(models.QuerySet):
    """Deleting campaigns, or moving their dates, refreshes their projects' listing dates."""

    def delete(self):
        return _refreshing(_listed_projects(campaign__in=self), super().delete)

    def update(self, **kwargs):
        if "date" not in kwargs:
            return super().update(**kwargs)
        return _refreshing(_listed_projects(campaign__in=self), partial(super().update, **kwargs))


def _listed_projects(**lookup) -> list[int]:
    return list(CampaignEntry.objects.filter(**lookup).values_list("project_id", flat=True).distinct())


def _refreshing(projects, write):
    """`write()`, then the listing dates of `projects` (ids, taken before the write) recomputed, in one
    transaction: what every write of campaigns and entries does (listing.py). Returns what `write` returns."""
    with transaction.atomic():
        result = write()
        listing.refresh(projects)
    return result


class Campaign(ChangeLoggedModel):
    """三个一批活动: a campaign listing projects into the sign, start and produce batches."""

    name = models.CharField(_("活动名称"), max_length=100, unique=True)
    date = models.DateField(_("活动日期"))
    level = models.CharField(_("级别"), max_length=10, choices=CampaignLevel.choices, default=CampaignLevel.PROVINCE)
    org_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("主办机构"), related_name="campaigns",
                                 on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("三个一批活动")
        verbose_name_plural = _("三个一批活动")
        ordering = ["-date", "name"]

    objects = CampaignQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self._state.adding or getattr(self, "_loaded", {}).get("date", None) == self.date:
            return super().save(*args, **kwargs)
        return _refreshing(_listed_projects(campaign=self), partial(super().save, *args, **kwargs))  # date moved

    def delete(self, *args, **kwargs):
        return _refreshing(_listed_projects(campaign=self), partial(super().delete, *args, **kwargs))


class CampaignEntryQuerySet(ScopedQuerySet):
    """Every set-wise write of entries refreshes the listing dates of the projects it touched."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        return _refreshing({o.project_id for o in objs}, partial(super().bulk_create, objs, *args, **kwargs))

    def update(self, **kwargs):
        projects = set(self.values_list("project_id", flat=True))
        moved_to = kwargs.get("project_id", kwargs.get("project"))
        if moved_to is not None:
            projects.add(getattr(moved_to, "pk", moved_to))
        return _refreshing(projects, partial(super().update, **kwargs))

    def delete(self):
        return _refreshing(set(self.values_list("project_id", flat=True)), super().delete)


class CampaignEntry(ChangeLoggedModel):
    """A project listed in one batch of a campaign, with its investment at listing (万元)."""

    # Both indexed by the composite indexes below (campaign first, project first).
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), related_name="entries", on_delete=models.CASCADE,
                                 db_index=False)
    project = models.ForeignKey(Project, verbose_name=_("项目"), related_name="campaign_entries",
                                on_delete=models.CASCADE, db_index=False)
    batch = models.CharField(_("批次"), max_length=10, choices=Batch.choices)
    investment_at_listing = models.DecimalField(_("铺排时总投资(万元)"), **MONEY)

    scope_path = "project__zone__org_unit__path"
    objects = CampaignEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动项目")
        verbose_name_plural = _("活动项目")
        ordering = ["campaign", "batch", "project"]
        constraints = [models.UniqueConstraint(fields=["campaign", "project"], name="campaign_lists_project_once",
                                               violation_error_message="同一项目在一次活动中只能列入一次")]
        # (project, campaign, batch): the statistics group a campaign set's entries by project from this index
        # alone, without reading the table (listed.py).
        indexes = [models.Index(fields=["campaign", "batch"]),
                   models.Index(fields=["project", "campaign", "batch"], name="entry_project_campaign_batch")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_batch_display()} · {self.project}"

    def save(self, *args, **kwargs):  # (moved to another project: both projects' dates)
        projects = {self.project_id, getattr(self, "_loaded", {}).get("project_id")} - {None}
        return _refreshing(projects, partial(super().save, *args, **kwargs))

    def delete(self, *args, **kwargs):
        return _refreshing([self.project_id], partial(super().delete, *args, **kwargs))


class ProjectTally(Tally):
    """项目汇总: per zone and stage, how many projects there are and their investment in cents, kept by triggers
    (core/tally.py) so that a list's count and totals over a scope, a city, a zone or a stage read these rows."""

    zone_id = models.BigIntegerField(_("开发区"))
    stage = models.CharField(_("阶段"), max_length=12)
    total_investment = models.BigIntegerField(_("总投资(分)"), default=0)
    completed_investment = models.BigIntegerField(_("累计完成投资(分)"), default=0)
    annual_planned_investment = models.BigIntegerField(_("年度计划投资(分)"), default=0)

    source = "projects.Project"
    keys = {"zone_id": "{r}.zone_id", "stage": "{r}.stage"}
    sums = {"total_investment": "total_investment", "completed_investment": "completed_investment",
            "annual_planned_investment": "annual_planned_investment"}
    watched = ("zone_id", "stage", "total_investment", "completed_investment", "annual_planned_investment")

    class Meta:
        verbose_name = _("项目汇总")
        verbose_name_plural = _("项目汇总")
        constraints = [models.UniqueConstraint(fields=["zone_id", "stage"], name="project_tally_key")]
