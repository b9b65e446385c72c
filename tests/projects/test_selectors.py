"""SPEC §4's campaign figures on hand-built cases and random ledgers; 三未 lists; fixed query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaifaqu.core.money import rate
from kaifaqu.projects.choices import Batch, ProjectType, Stage
from kaifaqu.projects.models import CampaignEntry, Project
from kaifaqu.projects.selectors import campaign_composition, campaign_stats, three_un
from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = date(2024, 3, 31)


def listed(campaign, batch, **project):
    return CampaignEntryFactory(campaign=campaign, batch=batch, project=ProjectFactory(**project)).project


def stats(user, campaign, as_of=D, **kw):
    return campaign_stats(user=user, campaign_ids=[campaign.pk], as_of=as_of, **kw)


def test_empty_batches_have_no_rate(user_of):
    s = stats(user_of("province"), CampaignFactory())
    for batch in Batch:
        assert (s[batch].count, s[batch].investment, s[batch].rate, s[batch].count_rate) == (0, 0, None, None)


def test_sign_batch_start_rate_is_investment_weighted(user_of):
    c = CampaignFactory()
    listed(c, Batch.SIGN, total_investment=Decimal("30000"), stage=Stage.STARTED, started_on=date(2024, 1, 1))
    listed(c, Batch.SIGN, total_investment=Decimal("10000"))
    listed(c, Batch.SIGN, total_investment=Decimal("10000"), stage=Stage.PRODUCING, started_on=None,
           producing_on=date(2024, 2, 1))  # producing with no known start date: it did start
    s = stats(user_of("province"), c)[Batch.SIGN]
    assert (s.count, s.investment, s.followed_count, s.followed_investment) == (3, 50000, 2, 40000)
    assert (s.rate, s.count_rate) == (Decimal("80.00"), Decimal("66.67"))


def test_as_of_date_before_and_after_a_start(user_of):
    c = CampaignFactory()
    listed(c, Batch.SIGN, total_investment=Decimal("20000"), stage=Stage.STARTED, started_on=date(2024, 5, 1))
    user = user_of("province")
    assert stats(user, c, as_of=date(2024, 4, 30))[Batch.SIGN].followed_count == 0
    assert stats(user, c, as_of=date(2024, 5, 1))[Batch.SIGN].followed_count == 1


def test_start_batch_production_rate_weighs_completed_investment(user_of):
    c = CampaignFactory()
    listed(c, Batch.START, total_investment=Decimal("80000"), completed_investment=Decimal("20000"),
           stage=Stage.PRODUCING, started_on=date(2023, 5, 1), producing_on=date(2024, 1, 1))
    listed(c, Batch.START, total_investment=Decimal("20000"), completed_investment=Decimal("5000"),
           stage=Stage.STARTED, started_on=date(2023, 5, 1))
    s = stats(user_of("province"), c)[Batch.START]
    assert (s.followed_count, s.followed_investment, s.rate, s.count_rate) == (
        1, Decimal("20000"), Decimal("20.00"), Decimal("50.00"))


def test_terminated_projects_count_in_listing_not_in_follow_up(user_of):
    c = CampaignFactory()
    listed(c, Batch.SIGN, total_investment=Decimal("10000"), stage=Stage.TERMINATED, started_on=date(2023, 6, 1),
           terminated_on=date(2024, 1, 1), termination_reason="撤资")
    listed(c, Batch.SIGN, total_investment=Decimal("10000"), stage=Stage.STARTED, started_on=date(2023, 6, 1))
    user = user_of("province")
    s = stats(user, c)[Batch.SIGN]
    assert (s.count, s.investment, s.followed_count, s.rate) == (2, 20000, 1, Decimal("50.00"))
    # Before it was terminated it counted as started.
    assert stats(user, c, as_of=date(2023, 12, 31))[Batch.SIGN].followed_count == 2


def test_produce_batch_capacity_rate_is_over_industrial_projects_only(user_of):
    c = CampaignFactory()
    listed(c, Batch.PRODUCE, total_investment=Decimal("60000"), stage=Stage.AT_CAPACITY,
           producing_on=date(2023, 5, 1), at_capacity_on=date(2024, 1, 1))
    listed(c, Batch.PRODUCE, total_investment=Decimal("40000"), stage=Stage.PRODUCING, producing_on=date(2023, 5, 1))
    listed(c, Batch.PRODUCE, type=ProjectType.INFRASTRUCTURE, total_investment=Decimal("100000"),
           stage=Stage.PRODUCING, producing_on=date(2023, 5, 1))
    s = stats(user_of("province"), c)[Batch.PRODUCE]
    assert (s.count, s.investment, s.industrial_count, s.industrial_investment) == (3, 200000, 2, 100000)
    assert (s.followed_count, s.followed_investment, s.rate, s.count_rate) == (
        1, Decimal("60000"), Decimal("60.00"), Decimal("50.00"))


def test_stats_follow_scope_and_city_filter(user_of, zone_by_code):
    c = CampaignFactory()
    listed(c, Batch.SIGN, total_investment=Decimal("10000"))
    listed(c, Batch.SIGN, total_investment=Decimal("20000"), zone=zone_by_code("G141062"))  # 晋中
    assert stats(user_of("province"), c)[Batch.SIGN].count == 2
    assert stats(user_of("province"), c, city="140700")[Batch.SIGN].investment == 20000
    assert stats(user_of("yangquan"), c)[Batch.SIGN].investment == 10000
    assert stats(user_of("jinzhong"), c, city="140300")[Batch.SIGN].count == 0
    assert stats(user_of("yq-gxq"), c)[Batch.SIGN].count == 0


def test_stats_run_a_fixed_number_of_queries(user_of, django_assert_num_queries):
    c = CampaignFactory()
    user = user_of("province")
    for _ in range(3):
        listed(c, Batch.SIGN)
    # is the set every campaign since a date (listed.since_date)? the visible zones' ids; one pass over the listed
    with django_assert_num_queries(3):
        stats(user, c)
    for _ in range(30):
        listed(c, Batch.START, stage=Stage.STARTED, started_on=date(2023, 5, 1))
    with django_assert_num_queries(3):  # whatever the number of projects
        stats(user, c)


def test_composition(user_of):
    c = CampaignFactory()
    from kaifaqu.zones.models import IndustryChain

    pv = IndustryChain.objects.get(name="光伏")
    listed(c, Batch.SIGN, total_investment=Decimal("150000"), chain=pv, strategic_emerging=True)
    listed(c, Batch.START, total_investment=Decimal("30000"), strategic_emerging=True,
           stage=Stage.STARTED, started_on=date(2023, 5, 1))
    listed(c, Batch.PRODUCE, total_investment=Decimal("20000"), type=ProjectType.PUBLIC_SERVICE,
           stage=Stage.PRODUCING, producing_on=date(2023, 5, 1))
    listed(c, Batch.SIGN, total_investment=Decimal("5000"))
    comp = campaign_composition(user=user_of("province"), campaign_ids=[c.pk])
    assert (comp.count, comp.investment) == (4, Decimal("205000"))
    assert (comp.over_10yi_count, comp.over_10yi_investment_share) == (1, Decimal("73.17"))
    assert (comp.over_1yi_count, comp.over_1yi_count_share) == (3, Decimal("75.00"))
    assert (comp.key_chain_count, comp.key_chain_investment_share) == (1, Decimal("73.17"))
    assert (comp.industrial_count, comp.strategic_industrial_count, comp.strategic_industrial_share) == (
        3, 2, Decimal("66.67"))


def test_three_un_lists(user_of):
    c = CampaignFactory(date=date(2023, 6, 1))
    old = CampaignFactory(date=date(2021, 6, 1))
    waiting = listed(c, Batch.SIGN, planned_start_on=date(2024, 1, 1))
    listed(c, Batch.SIGN, stage=Stage.STARTED, started_on=date(2023, 9, 1), planned_production_on=date(2025, 1, 1))
    building = listed(c, Batch.START, stage=Stage.STARTED, signed_on=None, started_on=date(2023, 8, 1))
    idle = listed(c, Batch.PRODUCE, stage=Stage.PRODUCING, signed_on=None, producing_on=date(2023, 7, 1))
    listed(c, Batch.PRODUCE, type=ProjectType.INFRASTRUCTURE, stage=Stage.PRODUCING, signed_on=None,
           producing_on=date(2023, 7, 1))  # not industrial: never 投而未效
    listed(old, Batch.SIGN)  # before `since`
    lists = {k: v["items"] for k, v in three_un(user=user_of("province"), since=date(2023, 1, 1), as_of=D).items()}
    sns = lists["signed_not_started"]
    assert [r["id"] for r in sns] == [waiting.pk]
    assert (sns[0]["days_in_stage"], sns[0]["overdue"], sns[0]["overdue_days"]) == ((D - date(2023, 3, 1)).days,
                                                                                    True, 90)
    assert {r["id"] for r in lists["started_not_producing"]} == {building.pk, waiting.pk + 1}
    assert [r["id"] for r in lists["producing_not_at_capacity"]] == [idle.pk]
    assert three_un(user=user_of("yq-gxq"), since=date(2023, 1, 1), as_of=D)["signed_not_started"] == {
        "count": 0, "items": []}
    window = three_un(user=user_of("province"), since=date(2023, 1, 1), as_of=D, limit=1, offset=1)
    assert window["started_not_producing"]["count"] == 2
    assert [r["id"] for r in window["started_not_producing"]["items"]] == [
        r["id"] for r in lists["started_not_producing"]][1:]
    assert three_un(user=user_of("province"), since=date(2023, 1, 1), as_of=D, limit=0) == {
        key: {"count": len(items), "items": []} for key, items in lists.items()}


def test_three_un_runs_a_fixed_number_of_queries(user_of, django_assert_num_queries):
    c = CampaignFactory(date=date(2023, 6, 1))
    user = user_of("province")
    for size in (2, 20):
        for _ in range(size):
            listed(c, Batch.SIGN)
            listed(c, Batch.START, stage=Stage.STARTED, started_on=date(2023, 8, 1))
        # the campaigns, whether they are every campaign since a date, the visible zones, the lists' sizes per
        # zone, the listed projects of the windows' zones, the windows' rows, their batches
        with django_assert_num_queries(7):
            lists = three_un(user=user, since=date(2023, 1, 1), as_of=D, limit=10)
        assert lists["signed_not_started"]["count"] == lists["started_not_producing"]["count"] > 0
        assert len(lists["signed_not_started"]["items"]) == min(10, lists["signed_not_started"]["count"])


def test_three_un_windows_page_through_the_lists_in_ledger_order_across_zones(user_of, zone_by_code):
    c = CampaignFactory(date=date(2023, 6, 1))
    made = {"signed_not_started": [], "started_not_producing": []}
    for zone, n in (("S147007", 4), ("X140300-01", 3), ("S147008", 5)):
        for _ in range(n):
            made["signed_not_started"].append(listed(c, Batch.SIGN, zone=zone_by_code(zone)))
            if n != 3:
                made["started_not_producing"].append(listed(c, Batch.START, zone=zone_by_code(zone),
                                                            stage=Stage.STARTED, started_on=date(2023, 8, 1)))
    user = user_of("province")
    for key, projects in made.items():
        ledger_order = [p.code for p in sorted(projects, key=lambda p: (p.zone_id, p.code))]
        every = three_un(user=user, since=date(2023, 1, 1), as_of=D)[key]
        assert [r["code"] for r in every["items"]] == ledger_order and every["count"] == len(projects)
        for limit in (1, 2, 3, 5, 20):
            for offset in range(0, len(projects) + 2):
                page = three_un(user=user, since=date(2023, 1, 1), as_of=D, limit=limit, offset=offset)[key]
                assert page["count"] == len(projects)
                assert [r["code"] for r in page["items"]] == ledger_order[offset:offset + limit], (limit, offset)
        tail = three_un(user=user, since=date(2023, 1, 1), as_of=D, offset=5)[key]
        assert [r["code"] for r in tail["items"]] == ledger_order[5:]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(
    st.sampled_from(list(Batch)), st.sampled_from([ProjectType.INDUSTRIAL, ProjectType.INFRASTRUCTURE]),
    st.integers(min_value=0, max_value=4), st.decimals(min_value=0, max_value=500000, places=2),
    st.decimals(min_value=0, max_value=1, places=2), st.booleans()), max_size=12),
    st.integers(min_value=0, max_value=900))
def test_rates_on_random_ledgers_match_their_definition(user_of, rows, as_of_offset):
    c = CampaignFactory()
    start, as_of = date(2022, 1, 1), date(2022, 1, 1) + timedelta(days=as_of_offset)
    projects = []
    for batch, ptype, reached, total, share, terminated in rows:
        fields = ["started_on", "producing_on", "at_capacity_on"][:reached]
        dates = {f: start + timedelta(days=200 * (k + 1)) for k, f in enumerate(fields)
                 if k < 2 or ptype == "industrial"}
        stage = {0: Stage.SIGNED, 1: Stage.STARTED, 2: Stage.PRODUCING}.get(len(dates), Stage.AT_CAPACITY)
        extra = {"stage": Stage.TERMINATED, "terminated_on": start + timedelta(days=450),
                 "termination_reason": "x"} if terminated else {"stage": stage}
        projects.append(listed(c, batch, type=ptype, total_investment=total, signed_on=start,
                               completed_investment=(total * share).quantize(Decimal("0.01")), **dates, **extra))
    s = stats(user_of("province"), c, as_of=as_of)
    for batch in Batch:
        mine = [p for p, r in zip(projects, rows, strict=True) if r[0] == batch]
        alive = [p for p in mine if not p.terminated_on or p.terminated_on > as_of]
        reached = {Batch.SIGN: lambda p: any(d and d <= as_of for d in (p.started_on, p.producing_on,
                                                                         p.at_capacity_on)),
                   Batch.START: lambda p: any(d and d <= as_of for d in (p.producing_on, p.at_capacity_on)),
                   Batch.PRODUCE: lambda p: p.type == "industrial" and p.at_capacity_on
                   and p.at_capacity_on <= as_of}[batch]
        followed = [p for p in alive if reached(p)]
        base = [p for p in mine if batch != Batch.PRODUCE or p.type == "industrial"]
        weight = (lambda p: p.completed_investment) if batch == Batch.START else (lambda p: p.total_investment)
        expected = rate(sum((weight(p) for p in followed), Decimal(0)), sum((p.total_investment for p in base),
                                                                            Decimal(0)))
        assert s[batch].rate == expected
        assert s[batch].count == len(mine) and s[batch].followed_count == len(followed)
        assert s[batch].count_rate == rate(len(followed), len(base))
        if batch != Batch.START and s[batch].rate is not None:
            assert Decimal(0) <= s[batch].rate <= Decimal(100)
    CampaignEntry.objects.filter(campaign=c).delete()
    Project.objects.filter(pk__in=[p.pk for p in projects]).delete()
    c.delete()


def test_listed_conditions_use_the_projects_own_columns():
    from django.db.models import Q

    from kaifaqu.projects import listed as listed_relation

    sql, params = listed_relation.where_sql(Q(type=ProjectType.INDUSTRIAL) & Q(chain_id__in=[1, 2]))
    assert "projects_project" in sql and params[0] == ProjectType.INDUSTRIAL
    with pytest.raises(ValueError):
        listed_relation.where_sql(Q(zone__city__code="140300"))  # a join the relation has not got


def test_a_user_who_may_see_nothing_gets_empty_figures(user_of):
    from django.contrib.auth import get_user_model

    c = CampaignFactory()
    listed(c, Batch.SIGN)
    nobody = get_user_model().objects.create_user("no-unit", password="no-unit-password-2024")  # no org unit
    assert campaign_stats(user=nobody, campaign_ids=[c.pk], as_of=D)["sign"].count == 0
    assert campaign_composition(user=nobody, campaign_ids=[c.pk]).count == 0
    assert three_un(user=nobody, since=date(2000, 1, 1), as_of=D)["signed_not_started"] == {"count": 0, "items": []}
    from kaifaqu.projects.listed import listed_cells

    assert listed_cells(Project.objects.filter(zone_id__in=[]), [c.pk], {}) == []  # a scope of no zones
