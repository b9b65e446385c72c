"""The demo reproduces seed 003's paragraph on 晋中 through the funnel selector, and loads idempotently."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from kaifaqu.core.models import ObjectChange
from kaifaqu.investment.choices import LeadStage
from kaifaqu.investment.demo import DEMO_NOTE, promotion_demo_load
from kaifaqu.investment.models import CityPromotionTotal, Lead, LeadNote, PromotionEvent
from kaifaqu.investment.selectors import funnel
from kaifaqu.investment.services import check_stage_dates

pytestmark = pytest.mark.django_db
Y2024 = {"date_from": date(2024, 1, 1), "date_to": date(2024, 12, 31)}
ONE = Decimal("0.1")


def briefing(f) -> tuple:
    """The figures as the briefing writes them: 亿元 and shares with one decimal."""
    return (f.events, f.negotiating, (f.negotiating_investment / 10000).quantize(ONE), f.negotiating_big, f.signed,
            (f.signed_investment / 10000).quantize(ONE), f.signed_share.quantize(ONE),
            f.signed_investment_share.quantize(ONE))


def test_funnel_on_the_demo_reproduces_the_briefing(demo, user_of):
    f = funnel(user=user_of("jinzhong"), **Y2024)
    assert briefing(f) == (24, 55, Decimal("375.0"), 11, 23, Decimal("126.6"), Decimal("47.9"), Decimal("39.3"))
    assert (f.negotiating_investment, f.signed_investment) == (Decimal("3750000.00"), Decimal("1266000.00"))
    assert (f.signed_share, f.signed_investment_share) == (Decimal("47.92"), Decimal("39.30"))
    assert f.city.code == "140700" and f.city_total.signed_projects == 48


def test_province_reads_the_same_figures_for_the_city(demo, user_of):
    by_name = funnel(user=user_of("province"), city="晋中", **Y2024)
    assert briefing(by_name) == briefing(funnel(user=user_of("jinzhong"), **Y2024))
    whole = funnel(user=user_of("province"), **Y2024)
    assert whole.city is None and whole.signed_share is None  # no single city: no share
    assert whole.signed > 23 and whole.events == 24 + 3  # 阳泉's leads and events too


def test_other_years_and_stages_are_not_counted(demo, user_of):
    jz = Lead.objects.filter(city__code="140700")
    assert jz.filter(stage=LeadStage.SIGNED, signed_on__year=2023).count() == 4
    assert jz.filter(stage=LeadStage.LOST).count() == 6
    assert PromotionEvent.objects.filter(city__code="140700", date__year=2023).count() == 2
    f2023 = funnel(user=user_of("jinzhong"), date_from=date(2023, 1, 1), date_to=date(2023, 12, 31))
    assert (f2023.events, f2023.signed, f2023.negotiating) == (2, 4, 0)
    assert f2023.signed_share is None  # no city total entered for 2023


def test_yangquan_sees_none_of_it(demo, user_of):
    f = funnel(user=user_of("yangquan"), **Y2024)
    assert f.city.code == "140300" and (f.events, f.signed, f.negotiating) == (3, 2, 2)
    with pytest.raises(LookupError):
        funnel(user=user_of("yangquan"), city="不存在的市", **Y2024)
    assert funnel(user=user_of("yangquan"), city="晋中", **Y2024).signed == 0  # scope still applies


def test_demo_rows_are_consistent(demo):
    leads = list(Lead.objects.select_related("zone"))
    for lead in leads:
        check_stage_dates(lead)  # stage dates in order
        assert lead.stage_date is not None and lead.stage_date <= timezone.localdate()
        assert lead.zone.org_unit_id == lead.owner_unit_id and lead.city_id == lead.zone.city_id
        assert lead.note.startswith(("演示数据", "来源文章003")), lead.note
    assert sum(1 for lead in leads if lead.note == DEMO_NOTE) > 80
    big = Lead.objects.filter(city__code="140700", stage=LeadStage.NEGOTIATING, negotiating_on__year=2024,
                              investment__gte=100000)
    assert big.count() == 11 and big.aggregate(s=Sum("investment"))["s"] == Decimal("2600000")
    assert Lead.objects.filter(company="山西大恒新能源科技有限公司", stage=LeadStage.SIGNED).count() == 1
    assert LeadNote.objects.count() >= len(leads)


def test_demo_is_idempotent(demo):
    counts = [Lead.objects.count(), PromotionEvent.objects.count(), CityPromotionTotal.objects.count(),
              LeadNote.objects.count(), ObjectChange.objects.count()]
    assert promotion_demo_load(today=timezone.localdate()) == 0
    assert [Lead.objects.count(), PromotionEvent.objects.count(), CityPromotionTotal.objects.count(),
            LeadNote.objects.count(), ObjectChange.objects.count()] == counts


def test_signed_leads_the_seed_names_are_linked_to_their_projects(db, user_of):
    from kaifaqu.projects.demo import seed_scenario_load

    seed_scenario_load()
    promotion_demo_load(today=timezone.localdate())
    dahen = Lead.objects.select_related("converted_project").get(company="山西大恒新能源科技有限公司")
    assert dahen.converted_project.name == "大恒100GW光伏垂直一体化项目"
    assert dahen.signed_on == dahen.converted_project.signed_on
    assert briefing(funnel(user=user_of("jinzhong"), **Y2024))[4:6] == (23, Decimal("126.6"))
