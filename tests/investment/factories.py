"""factory_boy factories of the investment app: leads and events whose related rows agree (a lead's owner team
is its zone's unit; a signed lead has its dates, zone and investment)."""

from datetime import date
from decimal import Decimal

import factory

from kaifaqu.accounts.models import OrgUnit
from kaifaqu.investment.choices import EventKind, LeadStage
from kaifaqu.investment.models import Lead, PromotionEvent
from kaifaqu.zones.models import Region, Zone

JZ_ZONE = "X140700-01"  # 晋中开发区


class EventFactory(factory.django.DjangoModelFactory):
    """A 推介会 of 晋中市 in 2024."""

    class Meta:
        model = PromotionEvent

    name = factory.Sequence(lambda n: f"测试推介会{n}")
    date = date(2024, 3, 8)
    city = factory.LazyFunction(lambda: Region.objects.get(code="140700"))
    kind = EventKind.FAIR
    organiser = factory.LazyFunction(lambda: OrgUnit.objects.get(code="140700"))


class LeadFactory(factory.django.DjangoModelFactory):
    """A lead for 晋中开发区 received in January 2024. `signed=True` makes it signed on 2024-05-20."""

    class Meta:
        model = Lead

    class Params:
        signed = factory.Trait(stage=LeadStage.SIGNED, contacted_on=date(2024, 2, 1), visited_on=date(2024, 3, 1),
                               negotiating_on=date(2024, 4, 1), signed_on=date(2024, 5, 20))

    company = factory.Sequence(lambda n: f"山西测试{n}新能源科技有限公司")
    project_name = factory.Sequence(lambda n: f"测试{n}光伏组件项目")
    zone = factory.LazyFunction(lambda: Zone.objects.get(code=JZ_ZONE))
    owner_unit = factory.LazyAttribute(lambda lead: lead.zone.org_unit if lead.zone else OrgUnit.objects.get(
        code="140700"))
    investment = Decimal("50000")
    received_on = date(2024, 1, 10)
    stage = LeadStage.LEAD
