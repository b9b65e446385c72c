"""Agency cases and commitments: deadlines in working days, scope, steps in order, figures; the catalogue import."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kaifaqu.accounts.models import User
from kaifaqu.tickets import casework
from kaifaqu.tickets.case_selectors import case_stats, commitment_list, commitment_stats
from kaifaqu.tickets.errors import NotPermitted, Refused, ServiceError
from kaifaqu.tickets.excel import ImportRefused, service_items_import
from kaifaqu.tickets.models import CaseEvent, Commitment, ServiceCase, ServiceItem
from tests.factories import ProjectFactory
from tests.tickets.factories import ServiceItemFactory
from tests.tickets.test_enterprises import workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(user_of):
    return User.objects.create(username="yq-agent", full_name="王代办", role="agent",
                               org_unit=user_of("yq-etdz").org_unit)


def test_open_a_case_with_its_deadline_in_working_days(user_of, agent):
    item = ServiceItemFactory(limit_days=5)
    case = casework.case_open(user=user_of("yq-etdz"), project=ProjectFactory(), item=item, agent=agent,
                              accepted_on=date(2024, 2, 9))
    assert case.deadline == date(2024, 2, 22)  # across the Spring Festival, the adjusted Sunday counted
    assert case.status == "accepted" and case.number.startswith("DB")
    case = casework.case_advance(user=agent, case=case, to="in_progress", on=date(2024, 2, 18))
    case = casework.case_advance(user=agent, case=case, to="done", on=date(2024, 2, 23))
    assert (case.status, case.on_time, case.is_overdue(date(2024, 3, 1))) == ("done", False, True)
    assert list(case.events.values_list("action", flat=True)) == ["accept", "start", "done"]


def test_a_case_for_a_project_in_another_zone_is_refused(user_of, agent, zone_by_code):
    theirs = ProjectFactory(zone=zone_by_code("G141062"))
    with pytest.raises(NotPermitted) as refused:
        casework.case_open(user=user_of("yq-etdz"), project=theirs, item=ServiceItemFactory(), agent=agent)
    assert "不在您可办理的开发区" in refused.value.message
    assert ServiceCase.objects.count() == 0 and CaseEvent.objects.count() == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"item_zone": "X140300-01"}, "不属于项目所在的"),
    ({"accepted_on": date(2099, 1, 1)}, "受理日期不能晚于今天"),
    ({"by_commitment": True}, "承诺制"),
    ({"agent": "other-zone"}, "代办员须为"),
])
def test_bad_cases_write_nothing(user_of, agent, zone_by_code, change, message):
    item = ServiceItemFactory(zone=zone_by_code(change.get("item_zone", "S147007")))
    who = agent if change.get("agent") != "other-zone" else User.objects.create(
        username="gxq-agent", role="agent", org_unit=zone_by_code("X140300-01").org_unit)
    with pytest.raises(ServiceError, match=message):
        casework.case_open(user=user_of("yq-etdz"), project=ProjectFactory(), item=item, agent=who,
                           accepted_on=change.get("accepted_on"), by_commitment=change.get("by_commitment", False))
    assert ServiceCase.objects.count() == 0


def test_steps_out_of_order_are_refused(user_of, agent):
    case = casework.case_open(user=user_of("yq-etdz"), project=ProjectFactory(), item=ServiceItemFactory(),
                              agent=agent)
    with pytest.raises(Refused, match="代办件当前为“受理”，不能改为“办结”"):
        casework.case_advance(user=agent, case=case, to="done")
    with pytest.raises(ServiceError, match="退回须填写原因"):
        casework.case_advance(user=agent, case=case, to="returned")
    with pytest.raises(NotPermitted):
        casework.case_advance(user=user_of("yangquan"), case=case, to="in_progress")
    casework.case_advance(user=agent, case=case, to="returned", reason="材料不全")
    with pytest.raises(Refused):
        casework.case_advance(user=agent, case=case, to="in_progress")
    case.refresh_from_db()
    assert (case.status, case.return_reason) == ("returned", "材料不全")


def test_case_figures(user_of, agent):
    op, today = user_of("yq-etdz"), timezone.localdate()
    p1, p2 = ProjectFactory(), ProjectFactory()
    item = ServiceItemFactory(limit_days=3)
    done = casework.case_open(user=op, project=p1, item=item, agent=agent, accepted_on=today - timedelta(days=3))
    casework.case_advance(user=agent, case=done, to="in_progress", on=today - timedelta(days=3))
    casework.case_advance(user=agent, case=done, to="done", on=today - timedelta(days=2))
    casework.case_open(user=op, project=p1, item=item, agent=agent, accepted_on=today - timedelta(days=30))
    casework.case_open(user=op, project=p2, item=item, agent=op)
    stats = case_stats(user=user_of("yangquan"), today=today)
    assert (stats.projects_served, stats.cases, stats.done, stats.overdue) == (2, 3, 1, 1)
    assert str(stats.on_time_rate) == "100.00" and str(stats.cases_per_agent) == "1.5"
    assert [(a["name"], a["cases"]) for a in stats.agents] == [("王代办", 2), (str(op), 1)]
    assert case_stats(user=user_of("jinzhong"), today=today).cases == 0


def test_commitments_and_their_overdue_ones(user_of):
    op, today = user_of("yq-etdz"), timezone.localdate()
    project = ProjectFactory(commitment_system=True)
    kept = casework.commitment_add(user=op, project=project, content="按标准地指标建设", promised_on=date(2024, 1, 1),
                                   verify_by=date(2024, 6, 30))
    casework.commitment_add(user=op, project=project, content="开工前补齐环评批复", promised_on=date(2024, 1, 1),
                            verify_by=date(2024, 3, 31))
    casework.commitment_verify(user=op, commitment=kept, verified_on=date(2024, 6, 1), note="已核查")
    with pytest.raises(Refused):
        casework.commitment_verify(user=op, commitment=kept, verified_on=date(2024, 6, 2))
    with pytest.raises(ServiceError, match="只有实行承诺制的项目"):
        casework.commitment_add(user=op, project=ProjectFactory(), content="x", promised_on=today, verify_by=today)
    with pytest.raises(ServiceError, match="核查期限不能早于承诺日期"):
        casework.commitment_add(user=op, project=project, content="x", promised_on=today,
                                verify_by=today - timedelta(days=1))
    assert [c.content for c in commitment_list(user=op, today=today, state="overdue")] == ["开工前补齐环评批复"]
    assert commitment_stats(user=user_of("yangquan"), today=today) == {
        "projects": 1, "total": 2, "verified": 1, "verified_late": 0, "overdue": 1}
    assert commitment_stats(user=user_of("jinzhong"), today=today)["total"] == 0
    assert Commitment.objects.count() == 2


def test_service_items_import(user_of):
    header = ("事项名称", "所属开发区", "实施部门", "法定时限（工作日）", "可承诺制办理")
    good = workbook([["企业投资项目备案", "阳泉经开区", "行政审批局", 1, "是"],
                     ["施工许可证核发", "S147007", "规划建设局", 3, "否"]], header=header)
    assert (service_items_import(user=user_of("yq-etdz"), data=good).created, ServiceItem.objects.count()) == (2, 2)
    assert service_items_import(user=user_of("yq-etdz"), data=good).updated == 2
    bad = workbook([["排污许可", "阳泉经开区", "生态环境分局", 0, "是"],
                    ["取水许可", "晋中经开区", "水务局", 20, "否"],
                    ["排污许可", "阳泉经开区", "生态环境分局", "二十", "是"]], header=header)
    with pytest.raises(ImportRefused) as refused:
        service_items_import(user=user_of("yq-etdz"), data=bad)
    assert [str(e) for e in refused.value.errors] == [
        "第3行 [法定时限(工作日)]: 办理时限至少为1个工作日",
        "第4行 [所属开发区]: 开发区“晋中经开区”不存在或您无权为其导入",
        "第5行 [法定时限(工作日)]: “二十”不是数字",
        "第5行 [事项名称]: 与第3行重复",
    ]
    assert ServiceItem.objects.count() == 2
