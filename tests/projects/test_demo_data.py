"""Demo data: seed 003's scenario prints the briefings' figures through the selectors (阳泉 as of 2024-03-31,
晋中's 2024 second campaign and five campaigns since 2023); both loads are idempotent, scoped and keep SPEC §4."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import CheckConstraint, Count, Max
from django.utils import timezone

from kaifaqu.accounts.models import User
from kaifaqu.core.models import ObjectChange
from kaifaqu.core.money import rate, yi
from kaifaqu.projects.choices import Batch, ProjectType, Stage
from kaifaqu.projects.demo import DEMO_NOTE, SEED_NOTE, demo_projects_load, seed_scenario_load
from kaifaqu.projects.models import (
    Campaign,
    CampaignEntry,
    Problem,
    ProgressReport,
    Project,
    ProjectMilestone,
    StageEvent,
)
from kaifaqu.projects.selectors import campaign_composition, campaign_stats, overdue_condition, three_un
from kaifaqu.projects.services import stage_date_errors
from kaifaqu.zones.models import Zone

pytestmark = pytest.mark.django_db
D = date(2024, 3, 31)
FIVE = ["2023年第一次“三个一批”活动", "2023年第二次“三个一批”活动", "2023年第三次“三个一批”活动",
        "2023年第四次“三个一批”活动", "2024年第一次“三个一批”活动"]
SECOND_2024 = "2024年第二次“三个一批”活动"
YANGQUAN, JINZHONG = "140300", "140700"
MODELS = [Project, StageEvent, CampaignEntry, Campaign, ProjectMilestone, ProgressReport, Problem, ObjectChange]


@pytest.fixture
def seeded(db):
    seed_scenario_load()


def user(username: str) -> User:
    return User.objects.get(username=username)


def ids(*names: str) -> list[int]:
    return list(Campaign.objects.filter(name__in=names).values_list("id", flat=True))


def yangquan(username: str = "province", as_of: date = D, city: str = YANGQUAN) -> dict:
    return campaign_stats(user=user(username), campaign_ids=ids(*FIVE), as_of=as_of, city=city)


def figures(stats) -> tuple:
    """count, Σ investment (亿元), followed count, Σ followed investment (亿元), rate (%)."""
    return stats.count, yi(stats.investment), stats.followed_count, yi(stats.followed_investment), stats.rate


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def assert_spec_rules(projects) -> None:
    """SPEC §4 on every project: stage_date_errors finds nothing, nothing after today, no investment before the
    start and never more than the total; and no row breaks a database check constraint."""
    today = timezone.localdate()
    for p in projects:
        values = {f.attname: getattr(p, f.attname) for f in Project._meta.concrete_fields}
        assert stage_date_errors(values) == [], (p.code, stage_date_errors(values))
        dated = [p.signed_on, p.started_on, p.producing_on, p.at_capacity_on, p.terminated_on]
        assert all(d <= today for d in dated if d), p.code
        assert p.completed_investment == 0 or p.started_on, p.code
        assert 0 <= p.completed_investment <= p.total_investment, p.code
        assert p.total_investment > 0 and p.total_investment == p.total_investment.quantize(Decimal("0.01"))
    for constraint in Project._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            assert not Project.objects.exclude(constraint.condition).exists(), constraint.name


# ---- campaigns -------------------------------------------------------------------------------------------------

def test_province_campaigns_of_2023_and_2024(seeded):
    campaigns = {c.name: c for c in Campaign.objects.filter(name__in=[*FIVE, SECOND_2024]).select_related("org_unit")}
    assert len(campaigns) == 6
    assert {(c.level, c.org_unit.code) for c in campaigns.values()} == {("province", "140000")}
    assert all(campaigns[name].date.year == 2023 for name in FIVE[:4])
    assert date(2024, 1, 1) <= campaigns[FIVE[4]].date < D
    assert date(2024, 5, 1) <= campaigns[SECOND_2024].date <= date(2024, 8, 31)
    assert sorted(campaigns, key=lambda n: campaigns[n].date) == [*FIVE, SECOND_2024]


# ---- 阳泉: five campaigns since 2023, as of 2024-03-31 (seed 003) ---------------------------------------------

def test_yangquan_sign_batch_start_rate(seeded):
    sign = yangquan()[Batch.SIGN]
    assert figures(sign) == (48, Decimal("222.39"), 34, Decimal("170.01"), Decimal("76.45"))
    assert sign.count_rate == Decimal("70.83")


def test_yangquan_start_batch_production_rate(seeded):
    start = yangquan()[Batch.START]
    assert figures(start) == (49, Decimal("89.69"), 24, Decimal("16.82"), Decimal("18.76"))
    assert (start.investment, start.followed_investment) == (Decimal("896900.00"), Decimal("168240.00"))
    assert start.rate == rate(168240, 896900)


def test_yangquan_produce_batch_capacity_rate(seeded):
    produce = yangquan()[Batch.PRODUCE]
    assert (produce.count, yi(produce.investment)) == (29, Decimal("54.03"))
    assert (produce.industrial_count, yi(produce.industrial_investment)) == (28, Decimal("53.83"))
    assert produce.followed_investment == Decimal("518650.00")
    assert produce.rate == Decimal("96.35")


def test_yangquan_signed_not_started_as_of_the_date(seeded):
    province = user("province")
    lists = three_un(user=province, since=date(2023, 1, 1), as_of=D, city=YANGQUAN)
    signed = CampaignEntry.objects.filter(campaign_id__in=ids(*FIVE), batch=Batch.SIGN).values("project_id")
    terminated_by_d = Project.objects.filter(pk__in=signed, zone__city__code=YANGQUAN, terminated_on__lte=D).count()
    assert lists["signed_not_started"]["count"] == 48 - 34 - terminated_by_d == 14
    items = lists["signed_not_started"]["items"]
    assert {i["batch"] for i in items} == {Batch.SIGN}
    assert any(i["overdue"] for i in items) and not all(i["overdue"] for i in items)
    names = {i["name"] for i in items}
    assert "兴鑫公司年产4万套锂离子负极材料专用设备生产线项目" in names
    assert "蓝邦环保科技有限公司大气污染、工业扬尘综合治理环保材料及其应用技术的研发项目" in names
    assert lists["started_not_producing"]["count"] > 0 and lists["producing_not_at_capacity"]["count"] > 0


def test_yangquan_projects_moved_on_after_the_date(seeded):
    later = yangquan(as_of=timezone.localdate())
    assert later[Batch.SIGN].followed_count > 34
    assert later[Batch.START].followed_count > 24
    assert Project.objects.filter(code__startswith="SEED-YQ-", terminated_on__gt=D).exists()


def test_yangquan_named_projects(seeded):
    named = dict(Project.objects.filter(code__startswith="SEED-YQ-").values_list("name", "zone__code"))
    assert named["太行世纪(阳泉)年产10GWh动力储能用高端固态锂(钠)离子电池生产线项目"] == "X140300-01"
    assert named["湖大特塑年产10000吨聚酰胺系列产品项目"] == "X140300-02"
    assert named["油田作业机器人项目（一期）"] == "X140300-03"
    assert "弘盛通500MW/1000MWh独立储能电站项目" in named


# ---- 晋中 (seed 003) ----------------------------------------------------------------------------------------------

def test_jinzhong_2024_second_campaign_batches(seeded):
    stats = campaign_stats(user=user("province"), campaign_ids=ids(SECOND_2024), as_of=D, city=JINZHONG)
    assert [(stats[b].count, yi(stats[b].investment)) for b in Batch] == [
        (17, Decimal("94.70")), (23, Decimal("98.70")), (20, Decimal("87.40"))]


def test_jinzhong_2024_second_campaign_composition(seeded):
    c = campaign_composition(user=user("province"), campaign_ids=ids(SECOND_2024), city=JINZHONG)
    assert (c.count, yi(c.investment), yi(c.expected_output)) == (60, Decimal("280.80"), Decimal("270.70"))
    assert c.over_10yi_count == 8 and Decimal("59.50") <= c.over_10yi_investment_share <= Decimal("60.49")
    assert (c.over_1yi_count, c.over_1yi_count_share, round(c.over_1yi_count_share)) == (43, Decimal("71.67"), 72)
    assert (c.key_chain_count, yi(c.key_chain_investment)) == (25, Decimal("121.80"))
    assert c.key_chain_investment_share.quantize(Decimal("0.1")) == Decimal("43.4")
    assert c.strategic_industrial_share == Decimal("92.00")


def test_jinzhong_five_campaigns_since_2023(seeded):
    stats = campaign_stats(user=user("province"), campaign_ids=ids(*FIVE), as_of=D, city=JINZHONG)
    assert [(stats[b].count, yi(stats[b].investment)) for b in Batch] == [
        (101, Decimal("506.20")), (109, Decimal("250.00")), (109, Decimal("285.80"))]
    assert sum(stats[b].count for b in Batch) == 319
    assert sum(stats[b].investment for b in Batch) == Decimal("10420000.00")


# ---- scope, idempotence, SPEC §4 ---------------------------------------------------------------------------------

def test_city_users_see_their_own_figures_only(seeded):
    assert yangquan("yangquan") == yangquan("province")
    other = yangquan("jinzhong")[Batch.SIGN]
    assert (other.count, other.investment, other.rate) == (0, 0, None)
    jinzhong_own = campaign_composition(user=user("jinzhong"), campaign_ids=ids(SECOND_2024), city=JINZHONG)
    assert jinzhong_own.count == 60


def test_seed_scenario_load_twice_changes_nothing(seeded):
    before = counts()
    seed_scenario_load()
    assert counts() == before
    assert before["Project"] == 126 + 18 + 60 + 319


def test_seed_projects_keep_spec_rules(seeded):
    projects = Project.objects.filter(code__startswith="SEED-")
    assert set(projects.values_list("note", flat=True)) == {SEED_NOTE}
    assert_spec_rules(projects)
    assert not projects.filter(stage=Stage.AT_CAPACITY).exclude(type=ProjectType.INDUSTRIAL).exists()
    entries = CampaignEntry.objects.filter(project__code__startswith="SEED-").select_related("campaign", "project")
    for e in entries:  # listed in the batch of the stage it had reached at the campaign
        reached = {Batch.SIGN: e.project.signed_on, Batch.START: e.project.started_on,
                   Batch.PRODUCE: e.project.producing_on}[e.batch]
        assert reached and reached <= e.campaign.date, e.project.code
        assert e.investment_at_listing == e.project.total_investment


# ---- generated demo projects ------------------------------------------------------------------------------------

def test_demo_projects_are_idempotent_and_keep_spec_rules():
    today = timezone.localdate()
    created = demo_projects_load(today=today)
    demo = Project.objects.filter(code__startswith="DEMO-")
    assert created == demo.count()
    per_zone = dict(demo.values_list("zone__code").annotate(n=Count("id")))
    shanxi = Zone.objects.filter(org_unit__path__startswith="/140000/")
    assert set(per_zone) == set(shanxi.values_list("code", flat=True)) and len(per_zone) == 36
    assert all(8 <= n <= 25 for n in per_zone.values())
    before = counts()
    assert demo_projects_load(today=today) == 0
    assert counts() == before
    assert set(demo.values_list("note", flat=True)) == {DEMO_NOTE}
    assert_spec_rules(demo)
    assert set(demo.values_list("stage", flat=True)) == set(Stage.values)
    assert not demo.filter(stage=Stage.TERMINATED, termination_reason="").exists()
    assert demo.filter(overdue_condition(today)).exists()
    invested = demo.filter(total_investment__gte=10 * 10000).count(), demo.filter(total_investment__lt=10000).count()
    assert all(n > 0 for n in invested)


def test_demo_node_plans_progress_and_problems():
    today = timezone.localdate()
    demo_projects_load(today=today)
    milestones = ProjectMilestone.objects.filter(project__code__startswith="DEMO-")
    assert milestones.exists() and not milestones.filter(project__started_on__isnull=True).exists()
    assert not milestones.filter(actual_on__gt=today).exists()
    overdue = milestones.filter(planned_on__lt=today, actual_on__isnull=True).count()
    assert 0 < overdue < milestones.count() // 5
    reports = ProgressReport.objects.filter(project__code__startswith="DEMO-")
    assert reports.exists() and not reports.filter(month__gt=today).exists()
    reported = Project.objects.filter(pk__in=reports.values("project")).annotate(last=Max("progress_reports__month"))
    for project in reported:
        latest = project.progress_reports.get(month=project.last)
        assert latest.completed_investment == project.completed_investment, project.code
    problems = Problem.objects.filter(project__code__startswith="DEMO-")
    assert problems.filter(resolved_on__isnull=True).exists() and problems.filter(resolved_on__isnull=False).exists()
    for problem in problems.exclude(resolved_on=None):
        assert problem.raised_on <= problem.resolved_on <= today and problem.resolution


def test_demo_projects_listed_in_campaigns_by_their_dates():
    demo_projects_load(today=timezone.localdate())
    entries = CampaignEntry.objects.filter(project__code__startswith="DEMO-").select_related("campaign", "project")
    assert {e.campaign.name for e in entries} >= {*FIVE, SECOND_2024, "2025年第一次“三个一批”活动"}
    for e in entries:
        reached = {Batch.SIGN: e.project.signed_on, Batch.START: e.project.started_on,
                   Batch.PRODUCE: e.project.producing_on}[e.batch]
        assert reached and reached <= e.campaign.date, e.project.code


def test_demo_load_is_deterministic():
    today = date(2025, 12, 31)
    fields = ["code", "name", "total_investment", "stage", "signed_on", "started_on", "producing_on", "at_capacity_on"]
    with transaction.atomic():
        demo_projects_load(today=today)
        first = list(Project.objects.order_by("code").values_list(*fields))
        transaction.set_rollback(True)
    assert not Project.objects.exists()
    demo_projects_load(today=today)
    assert list(Project.objects.order_by("code").values_list(*fields)) == first
    assert max(d for row in first for d in row[4:] if d) <= today


def test_demo_after_seed_keeps_the_seed_figures(seeded):
    before_yq, before_jz = yangquan(), campaign_composition(user=user("province"), campaign_ids=ids(SECOND_2024),
                                                            city=JINZHONG)
    demo_projects_load(today=timezone.localdate())
    assert yangquan() == before_yq
    assert campaign_composition(user=user("province"), campaign_ids=ids(SECOND_2024), city=JINZHONG) == before_jz
    extras = Project.objects.filter(code__startswith="DEMO-", zone__city__code__in=[YANGQUAN, JINZHONG])
    assert extras.exists()
    assert not CampaignEntry.objects.filter(project__in=extras, campaign__name__in=[*FIVE, SECOND_2024]).exists()
