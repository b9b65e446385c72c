"""Writes of the projects app: create/update with optimistic locking, stage transitions, progress, problems,
milestones, campaigns and their entries. Each is atomic, refuses bad input with a Chinese message and leaves the
record as it was, and records what happened."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kaifaqu.accounts.roles import can_convert_lead, can_organise, can_write
from kaifaqu.core.models import Sequence
from kaifaqu.core.versioning import version_refusal

from .choices import DATED_STAGES, STAGE_DATE_FIELD, STAGE_ORDER, Batch, ProjectType, Stage
from .models import Campaign, CampaignEntry, Problem, ProgressReport, Project, ProjectMilestone, StageEvent


class ProjectError(Exception):
    """A refused write; `message` is shown to the user, `status` is the API's answer."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class TransitionRefused(ProjectError):
    status = 409


class StaleEdit(ProjectError):
    status = 409


class MissingVersion(ProjectError):
    status = 422


class NotPermitted(ProjectError):
    status = 403


def check_version(project: Project, version: int | None) -> None:
    """Refuse an edit made without the version the editor read (422) or on one saved over since (409)."""
    refusal = version_refusal(current=project.version, given=version, what="项目")
    if refusal is not None:
        raise (MissingVersion if refusal[0] == MissingVersion.status else StaleEdit)(refusal[1])


def today() -> date:
    return timezone.localdate()


PROJECT_SEQUENCE = "project"


def new_project_codes(count: int) -> list[str]:
    """Stable codes XM00000001…, reserved in one statement."""
    return [f"XM{n:08d}" for n in Sequence.take(PROJECT_SEQUENCE, count)]


def project_code_number(code: str) -> int:
    """The sequence's number in a code `new_project_codes` gave: XM00000031 → 31."""
    return int(code.removeprefix("XM"))


# ---- invariants shared by forms, API and import -------------------------------------------------------------

def stage_date_errors(values: dict, on: date | None = None) -> list[tuple[str, str]]:
    """(field, message) for every break of SPEC §4's rules in a project's stage and dates (no date after `on`,
    today by default; an import passes the day once rather than asking the clock for every row)."""
    errors = []
    on = on or today()
    stage, ptype = values.get("stage"), values.get("type")
    dated = [(s, values.get(STAGE_DATE_FIELD[s])) for s in DATED_STAGES]
    known = [(s, d) for s, d in dated if d]
    for (s1, d1), (s2, d2) in zip(known, known[1:], strict=False):
        if d1 > d2:
            errors.append((STAGE_DATE_FIELD[s2], f"{s2.label}日期（{d2}）不能早于{s1.label}日期（{d1}）"))
    if stage == Stage.AT_CAPACITY and ptype != ProjectType.INDUSTRIAL:
        errors.append(("stage", "只有产业项目才有“达产”阶段"))
    if values.get("at_capacity_on") and ptype != ProjectType.INDUSTRIAL:
        errors.append(("at_capacity_on", "只有产业项目才有达产日期"))
    if stage in STAGE_ORDER:
        rank = STAGE_ORDER.index(stage)
        for s, _d in known:
            if STAGE_ORDER.index(s) > rank:
                errors.append((STAGE_DATE_FIELD[s], f"当前阶段为{Stage(stage).label}，不应已有{s.label}日期"))
        if stage in DATED_STAGES and not values.get(STAGE_DATE_FIELD[stage]):
            errors.append((STAGE_DATE_FIELD[stage], f"当前阶段为{Stage(stage).label}，请填写{Stage(stage).label}日期"))
    if stage == Stage.TERMINATED and not values.get("termination_reason"):
        errors.append(("termination_reason", "终止的项目应填写终止原因"))
    for s, d in known:
        if d > on:
            errors.append((STAGE_DATE_FIELD[s], f"{s.label}日期（{d}）不能晚于今天"))
    if (values.get("completed_investment") or 0) < 0 or (values.get("total_investment") or 0) < 0:
        errors.append(("total_investment", "投资额不能为负数"))
    return errors


def _check(values: dict) -> None:
    errors = stage_date_errors(values)
    if errors:
        field, message = errors[0]
        raise ProjectError(message, field)


def _require_write(user, zone) -> None:
    if not can_write(user, zone.org_unit):
        raise NotPermitted("您无权修改该开发区的项目")


def _stage_events_for(project: Project, user) -> list[StageEvent]:
    """The stage rows a project entering the platform brings (`entry_stages`)."""
    return [StageEvent(project=project, stage=stage, date=on, note=note, user=user)
            for stage, on, note in entry_stages(vars(project))]


def entry_stages(values: dict) -> list[tuple[str, date | None, str]]:
    """(stage, date, note) of each stage row a project with these field `values` brings when it enters the
    platform: each dated stage it has reached, in order, then its stage if that has no date of its own (terminated,
    with its reason; negotiating; reserve). The form, the API and the ledger import all record these."""
    rows = [(s.value, values[STAGE_DATE_FIELD[s]], "") for s in DATED_STAGES if values[STAGE_DATE_FIELD[s]]]
    if values["stage"] not in DATED_STAGES:
        rows.append((values["stage"], values["terminated_on"], values["termination_reason"]))
    return rows


# ---- projects -------------------------------------------------------------------------------------------------

@transaction.atomic
def project_create(*, user, **values) -> Project:
    """Enter a project (录入项目). `values` are model fields; `zone` a Zone the user may write to."""
    _require_write(user, values["zone"])
    return _project_insert(user, values)


@transaction.atomic
def project_create_converted(*, user, **values) -> Project:
    """Enter the project a signed lead becomes (转为项目, `investment.services.lead_convert`), as `project_create`
    does, for whoever may write the zone's projects and for its promoters (招商): turning a signed lead into a
    project is the one project write their role has (SPEC §2)."""
    if not can_convert_lead(user, values["zone"].org_unit):
        raise NotPermitted("您没有权限将线索转为该开发区的项目")
    return _project_insert(user, values)


def _project_insert(user, values: dict) -> Project:
    _check(values)
    if not values.get("code"):
        values["code"] = new_project_codes(1)[0]
    elif Project.objects.filter(code=values["code"]).exists():
        raise ProjectError(f"项目编号 {values['code']} 已存在", "code")
    project = Project.objects.create(**values)
    StageEvent.objects.bulk_create(_stage_events_for(project, user))
    return project


@transaction.atomic
def project_update(*, user, project: Project, version: int | None, **changes) -> Project:
    """Change a project's fields. `version` is the one the editor saw, required: if it is missing or the
    project has been saved since, the edit is refused (StaleEdit, 422 / 409) and nothing changes. Stage changes go
    through `project_transition`."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    _require_write(user, current.zone)
    check_version(current, version)
    if "zone" in changes:
        _require_write(user, changes["zone"])
    values = {f.name: getattr(current, f.name) for f in Project._meta.concrete_fields} | changes
    _check(values)
    for key, value in changes.items():
        setattr(current, key, value)
    current.version += 1
    current.save()
    return current


@transaction.atomic
def project_transition(*, user, project: Project, stage: str, on: date | None, reason: str = "",
                       version: int | None = None) -> Project:
    """Move a project to `stage` on date `on` (阶段变更). Refused, with the reason, when it would go backwards,
    break the date order 签约 ≤ 开工 ≤ 投产 ≤ 达产, give 达产 to a non-industrial project, or touch a terminated one.
    A move is checked against the project's stage and dates as they are now, under its lock, so it overwrites
    nothing it did not see; `version`, when given (the pages give it), also refuses a move made on a project
    saved since. (The API's transition keeps SPEC §12's body, where the version is optional.)"""
    current = Project.objects.select_for_update().get(pk=project.pk)
    _require_write(user, current.zone)
    if version is not None:
        check_version(current, version)
    if stage not in Stage.values:
        raise TransitionRefused(f"未知的阶段：{stage}")
    stage = Stage(stage)
    old = Stage(current.stage)
    if old == Stage.TERMINATED:
        raise TransitionRefused("项目已终止，不能再变更阶段")
    if stage == old:
        raise TransitionRefused(f"项目已处于“{stage.label}”阶段")
    if stage != Stage.TERMINATED and STAGE_ORDER.index(stage) < STAGE_ORDER.index(old):
        raise TransitionRefused(f"阶段不能倒退：从“{old.label}”到“{stage.label}”")
    if stage == Stage.AT_CAPACITY and current.type != ProjectType.INDUSTRIAL:
        raise TransitionRefused("只有产业项目才有“达产”阶段")
    if stage in STAGE_DATE_FIELD and on is None:
        raise TransitionRefused(f"请填写{stage.label}日期")
    if stage == Stage.TERMINATED and not reason.strip():
        raise TransitionRefused("终止项目须填写终止原因")
    _check_transition_date(current, stage, on)
    if stage in STAGE_DATE_FIELD:
        setattr(current, STAGE_DATE_FIELD[stage], on)
    if stage == Stage.TERMINATED:
        current.termination_reason = reason.strip()
    current.stage = stage
    current.version += 1
    current.save()
    StageEvent.objects.create(project=current, stage=stage, date=on, user=user, note=reason.strip())
    return current


def _check_transition_date(project: Project, stage: Stage, on: date | None) -> None:
    if on is None:
        return
    if on > today():
        raise TransitionRefused(f"{stage.label}日期（{on}）不能晚于今天")
    for earlier in DATED_STAGES:
        d = getattr(project, STAGE_DATE_FIELD[earlier])
        if d and on < d and (stage == Stage.TERMINATED or STAGE_ORDER.index(earlier) < STAGE_ORDER.index(stage)):
            raise TransitionRefused(f"{stage.label}日期（{on}）不能早于{earlier.label}日期（{d}）")


@transaction.atomic
def project_progress(*, user, project: Project, month: date, completed_investment: Decimal,
                     note: str = "") -> ProgressReport:
    """Record a month's progress (月度进展); the latest month's cumulative investment becomes the project's."""
    _require_write(user, project.zone)
    month = month.replace(day=1)
    if month > today():
        raise ProjectError("不能填报未来月份的进展", "month")
    if completed_investment < 0:
        raise ProjectError("累计完成投资不能为负数", "completed_investment")
    earlier = project.progress_reports.filter(month__lt=month).order_by("-month").first()
    if earlier and completed_investment < earlier.completed_investment:
        raise ProjectError(f"累计完成投资不能少于{earlier.month:%Y年%m月}的{earlier.completed_investment}万元",
                           "completed_investment")
    report, _ = ProgressReport.objects.update_or_create(
        project=project, month=month,
        defaults={"completed_investment": completed_investment, "note": note, "user": user})
    if not project.progress_reports.filter(month__gt=month).exists():
        current = Project.objects.select_for_update().get(pk=project.pk)
        current.completed_investment = completed_investment
        current.version += 1
        current.save()
    return report


@transaction.atomic
def problem_add(*, user, project: Project, description: str, raised_on: date, responsible: str = "") -> Problem:
    """Record a problem (存在问题) holding the project up."""
    _require_write(user, project.zone)
    if not description.strip():
        raise ProjectError("请填写问题描述", "description")
    return Problem.objects.create(project=project, description=description.strip(), raised_on=raised_on,
                                  responsible=responsible)


@transaction.atomic
def problem_resolve(*, user, problem: Problem, resolved_on: date, resolution: str) -> Problem:
    """Mark a problem resolved, with how."""
    _require_write(user, problem.project.zone)
    if resolved_on < problem.raised_on:
        raise ProjectError("解决日期不能早于提出日期", "resolved_on")
    if not resolution.strip():
        raise ProjectError("请填写解决情况", "resolution")
    problem.resolved_on, problem.resolution = resolved_on, resolution.strip()
    problem.save()
    return problem


@transaction.atomic
def milestone_set(*, user, project: Project, name: str, planned_on: date,
                  actual_on: date | None = None) -> ProjectMilestone:
    """Set a node-plan milestone's planned and actual dates (节点计划)."""
    _require_write(user, project.zone)
    if actual_on and actual_on > today():
        raise ProjectError("实际完成日期不能晚于今天", "actual_on")
    milestone, _ = ProjectMilestone.objects.update_or_create(
        project=project, name=name, defaults={"planned_on": planned_on, "actual_on": actual_on})
    return milestone


# ---- campaigns -------------------------------------------------------------------------------------------------

@transaction.atomic
def campaign_create(*, user, name: str, on: date, level: str) -> Campaign:
    """Create a 三个一批 campaign, run by the user's org unit."""
    if not can_organise(user):
        raise NotPermitted("只有省、市的管理员或审核员可以创建三个一批活动")
    name = name.strip()
    if not name:
        raise ProjectError("请填写活动名称", "name")
    if Campaign.objects.filter(name=name).exists():
        raise ProjectError(f"活动“{name}”已存在", "name")
    return Campaign.objects.create(name=name, date=on, level=level, org_unit=user.org_unit)


@transaction.atomic
def campaign_list_project(*, user, campaign: Campaign, project: Project, batch: str) -> CampaignEntry:
    """List a project in one batch of a campaign (铺排项目); a project is listed at most once per campaign."""
    if not can_organise(user) and not can_write(user, project.zone.org_unit):
        raise NotPermitted("您无权为该项目铺排活动")
    if batch not in Batch.values:
        raise ProjectError(f"未知的批次：{batch}", "batch")
    if CampaignEntry.objects.filter(campaign=campaign, project=project).exists():
        raise TransitionRefused(f"项目“{project.name}”已列入“{campaign.name}”")
    return CampaignEntry.objects.create(campaign=campaign, project=project, batch=batch,
                                        investment_at_listing=project.total_investment)
