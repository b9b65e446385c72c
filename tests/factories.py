"""factory_boy factories that keep related rows consistent (a project's dates follow its stage)."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from kaifaqu.projects.choices import Batch, ProjectType, Stage
from kaifaqu.projects.models import Campaign, CampaignEntry, Project
from kaifaqu.zones.models import Zone


class ProjectFactory(factory.django.DjangoModelFactory):
    """A signed industrial project in 阳泉经开区 unless told otherwise. Pass stage dates to move it on."""

    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"T{n:07d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    zone = factory.LazyFunction(lambda: Zone.objects.get(code="S147007"))
    type = ProjectType.INDUSTRIAL
    total_investment = Decimal("10000")
    completed_investment = Decimal("0")
    stage = Stage.SIGNED
    signed_on = date(2023, 3, 1)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"测试活动{n}")
    date = date(2023, 3, 15)
    org_unit = factory.LazyFunction(lambda: Zone.objects.get(code="S147007").org_unit.parent.parent)


class CampaignEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignEntry

    campaign = factory.SubFactory(CampaignFactory)
    project = factory.SubFactory(ProjectFactory)
    batch = Batch.SIGN
    investment_at_listing = factory.LazyAttribute(lambda e: e.project.total_investment)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def report_version(zone, month: date) -> int:
    """The version a monthly report's editor reads now: its stored version, 0 when the month has no report."""
    from kaifaqu.indicators.models import MonthlyReport

    return MonthlyReport.objects.filter(zone=zone, month=month).values_list("version", flat=True).first() or 0
