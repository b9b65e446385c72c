"""Project writes: transitions refused with a reason and nothing changed; stale edits refused; progress rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kaifaqu.core.models import ObjectChange
from kaifaqu.projects import services
from kaifaqu.projects.choices import ProjectType, Stage
from kaifaqu.projects.models import Project, StageEvent
from tests.factories import CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def snapshot(project: Project) -> dict:
    project.refresh_from_db()
    return {f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields}


def test_create_assigns_a_code_and_records_stage_events(user_of, zone_by_code):
    project = services.project_create(
        user=user_of("yq-etdz"), name="年产5万吨负极材料项目", zone=zone_by_code("S147007"),
        type=ProjectType.INDUSTRIAL, total_investment=Decimal("52000"), stage=Stage.STARTED,
        signed_on=date(2024, 1, 5), started_on=date(2024, 3, 1))
    assert project.code.startswith("XM") and len(project.code) == 10
    assert list(project.stage_events.values_list("stage", "date")) == [
        (Stage.SIGNED, date(2024, 1, 5)), (Stage.STARTED, date(2024, 3, 1))]
    assert ObjectChange.objects.for_object(project).get().action == "create"


@pytest.mark.parametrize(("values", "message"), [
    ({"stage": Stage.STARTED, "signed_on": date(2024, 3, 1), "started_on": date(2024, 1, 1)}, "不能早于签约日期"),
    ({"stage": Stage.AT_CAPACITY, "type": ProjectType.INFRASTRUCTURE, "producing_on": date(2024, 1, 1),
      "at_capacity_on": date(2024, 2, 1)}, "只有产业项目"),
    ({"stage": Stage.SIGNED, "signed_on": date(2024, 1, 1), "producing_on": date(2024, 2, 1)}, "不应已有投产日期"),
    ({"stage": Stage.STARTED, "started_on": None}, "请填写开工日期"),
])
def test_create_refuses_broken_stage_rules(user_of, zone_by_code, values, message):
    base = {"name": "坏数据", "zone": zone_by_code("S147007"), "type": ProjectType.INDUSTRIAL,
            "total_investment": Decimal(1000)}
    count = Project.objects.count()
    with pytest.raises(services.ProjectError, match=message):
        services.project_create(user=user_of("yq-etdz"), **(base | values))
    assert Project.objects.count() == count


def test_operator_cannot_write_another_zone(user_of, zone_by_code):
    with pytest.raises(services.NotPermitted):
        services.project_create(user=user_of("yq-etdz"), name="越权", zone=zone_by_code("X140300-01"),
                                type=ProjectType.OTHER, total_investment=Decimal(1), stage=Stage.RESERVE)
    with pytest.raises(services.NotPermitted):  # a reviewer reads, does not enter
        services.project_create(user=user_of("yangquan"), name="越权", zone=zone_by_code("S147007"),
                                type=ProjectType.OTHER, total_investment=Decimal(1), stage=Stage.RESERVE)


def test_transitions_move_forward_with_dates(user_of):
    project = ProjectFactory(signed_on=date(2023, 3, 1))
    user = user_of("yq-etdz")
    services.project_transition(user=user, project=project, stage=Stage.STARTED, on=date(2023, 6, 1))
    services.project_transition(user=user, project=project, stage=Stage.PRODUCING, on=date(2024, 1, 1))
    project = services.project_transition(user=user, project=project, stage=Stage.AT_CAPACITY, on=date(2024, 9, 1))
    assert (project.stage, project.started_on, project.at_capacity_on) == (Stage.AT_CAPACITY, date(2023, 6, 1),
                                                                          date(2024, 9, 1))
    assert list(StageEvent.objects.filter(project=project).values_list("stage", flat=True)) == [
        Stage.STARTED, Stage.PRODUCING, Stage.AT_CAPACITY]
    assert project.version == 4


@pytest.mark.parametrize(("setup", "stage", "on", "message"), [
    ({}, Stage.STARTED, date(2023, 2, 1), "不能早于签约日期"),
    ({"stage": Stage.STARTED, "started_on": date(2023, 5, 1)}, Stage.SIGNED, date(2023, 6, 1), "阶段不能倒退"),
    ({"type": ProjectType.PUBLIC_SERVICE, "stage": Stage.PRODUCING, "producing_on": date(2023, 5, 1)},
     Stage.AT_CAPACITY, date(2023, 8, 1), "只有产业项目"),
    ({"stage": Stage.TERMINATED, "terminated_on": date(2023, 4, 1), "termination_reason": "企业撤资"},
     Stage.STARTED, date(2023, 5, 1), "已终止"),
    ({}, Stage.SIGNED, date(2023, 3, 1), "已处于"),
    ({}, Stage.STARTED, None, "请填写开工日期"),
    ({}, Stage.TERMINATED, date(2023, 5, 1), "终止原因"),
    ({}, Stage.STARTED, timezone.localdate() + timedelta(days=1), "不能晚于今天"),
    ({}, "flying", date(2023, 5, 1), "未知的阶段"),
])
def test_refused_transition_leaves_the_project_as_it_was(user_of, setup, stage, on, message):
    project = ProjectFactory(**setup)
    before, changes = snapshot(project), ObjectChange.objects.count()
    with pytest.raises(services.TransitionRefused, match=message):
        services.project_transition(user=user_of("yq-etdz"), project=project, stage=stage, on=on)
    assert snapshot(project) == before
    assert ObjectChange.objects.count() == changes


def test_terminate_from_any_stage_with_reason(user_of):
    project = ProjectFactory(stage=Stage.STARTED, started_on=date(2023, 6, 1))
    project = services.project_transition(user=user_of("yq-etdz"), project=project, stage=Stage.TERMINATED,
                                          on=date(2024, 1, 10), reason="企业资金链断裂")
    assert (project.stage, project.terminated_on, project.termination_reason) == (
        Stage.TERMINATED, date(2024, 1, 10), "企业资金链断裂")


def test_stale_edit_is_refused_not_lost(user_of):
    project = ProjectFactory()
    user = user_of("yq-etdz")
    services.project_update(user=user, project=project, version=1, name="第一次修改")
    with pytest.raises(services.StaleEdit):
        services.project_update(user=user, project=project, version=1, name="基于旧版本的修改")
    project.refresh_from_db()
    assert (project.name, project.version) == ("第一次修改", 2)


def test_update_checks_date_rules(user_of):
    project = ProjectFactory(stage=Stage.STARTED, started_on=date(2023, 6, 1))
    with pytest.raises(services.ProjectError, match="不能早于签约日期"):
        services.project_update(user=user_of("yq-etdz"), project=project, version=1, signed_on=date(2023, 7, 1))
    assert snapshot(project)["signed_on"] == date(2023, 3, 1)


def test_progress_is_cumulative_and_updates_the_project(user_of):
    project = ProjectFactory(stage=Stage.STARTED, started_on=date(2023, 6, 1))
    user = user_of("yq-etdz")
    services.project_progress(user=user, project=project, month=date(2024, 1, 15),
                              completed_investment=Decimal("3000"), note="主体施工")
    services.project_progress(user=user, project=project, month=date(2024, 2, 1),
                              completed_investment=Decimal("4500"))
    project.refresh_from_db()
    assert project.completed_investment == Decimal("4500")
    with pytest.raises(services.ProjectError, match="不能少于"):
        services.project_progress(user=user, project=project, month=date(2024, 3, 1),
                                  completed_investment=Decimal("4000"))
    assert project.progress_reports.count() == 2


def test_problems_and_milestones(user_of):
    project = ProjectFactory()
    user = user_of("yq-etdz")
    problem = services.problem_add(user=user, project=project, description="用地指标未落实",
                                   raised_on=date(2024, 1, 3), responsible="自然资源局")
    with pytest.raises(services.ProjectError):
        services.problem_resolve(user=user, problem=problem, resolved_on=date(2023, 12, 1), resolution="已解决")
    services.problem_resolve(user=user, problem=problem, resolved_on=date(2024, 2, 1), resolution="已办理用地预审")
    services.milestone_set(user=user, project=project, name="用地手续", planned_on=date(2024, 1, 31))
    assert project.milestones.get().actual_on is None


def test_a_project_is_listed_once_per_campaign(user_of):
    campaign, project = CampaignFactory(), ProjectFactory()
    province = user_of("province")
    services.campaign_list_project(user=province, campaign=campaign, project=project, batch="sign")
    with pytest.raises(services.TransitionRefused, match="已列入"):
        services.campaign_list_project(user=province, campaign=campaign, project=project, batch="start")
    assert campaign.entries.count() == 1


def test_campaigns_are_created_by_province_or_city_only(user_of):
    assert services.campaign_create(user=user_of("yangquan"), name="阳泉市2024年第一次", on=date(2024, 2, 1),
                                    level="city").org_unit.name == "阳泉市"
    with pytest.raises(services.NotPermitted):
        services.campaign_create(user=user_of("yq-etdz"), name="越权活动", on=date(2024, 2, 1), level="city")
    with pytest.raises(services.ProjectError, match="已存在"):
        services.campaign_create(user=user_of("province"), name="阳泉市2024年第一次", on=date(2024, 2, 1),
                                 level="province")
