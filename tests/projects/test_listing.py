"""The projects' listing dates (listing.py): every write of entries and campaigns keeps them, `Project.save`
leaves them alone, and the statistics they answer equal the ones the entries give."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaifaqu.projects import listed, listing
from kaifaqu.projects.choices import Batch, ProjectType, Stage
from kaifaqu.projects.models import Campaign, CampaignEntry, Project
from kaifaqu.projects.selectors import campaign_composition, campaign_stats, three_un
from kaifaqu.projects.services import campaign_list_project
from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def dates(project) -> tuple:
    return tuple(Project.objects.filter(pk=project.pk).values_list(*listing.LISTED_ON.values()).get())


def test_listing_a_project_sets_the_date_of_its_batch(user_of):
    p = ProjectFactory()
    assert dates(p) == (None, None, None)
    campaign_list_project(user=user_of("province"), campaign=CampaignFactory(date=date(2023, 3, 15)), project=p,
                          batch=Batch.SIGN)
    campaign_list_project(user=user_of("province"), campaign=CampaignFactory(date=date(2024, 6, 1)), project=p,
                          batch=Batch.START)
    campaign_list_project(user=user_of("province"), campaign=CampaignFactory(date=date(2022, 1, 1)), project=p,
                          batch=Batch.START)  # an older campaign does not move the latest
    assert dates(p) == (date(2023, 3, 15), date(2024, 6, 1), None)
    assert listing.drift() == []


def test_changing_and_deleting_entries_refreshes_the_dates():
    p, q = ProjectFactory(), ProjectFactory()
    entry = CampaignEntryFactory(project=p, batch=Batch.SIGN, campaign=CampaignFactory(date=date(2024, 1, 1)))
    entry.batch = Batch.PRODUCE
    entry.save()
    assert dates(p) == (None, None, date(2024, 1, 1))
    entry = CampaignEntry.objects.get(pk=entry.pk)  # loaded, as the admin does
    entry.project = q
    entry.save()  # moved to another project: both are refreshed
    assert dates(p) == (None, None, None) and dates(q) == (None, None, date(2024, 1, 1))
    entry.delete()
    assert dates(q) == (None, None, None)
    CampaignEntryFactory(project=p, campaign=CampaignFactory(date=date(2024, 2, 1)))
    CampaignEntry.objects.filter(project=p).update(batch=Batch.START)
    assert dates(p) == (None, date(2024, 2, 1), None)
    CampaignEntry.objects.filter(project=p).delete()
    assert dates(p) == (None, None, None)
    assert listing.drift() == []


def test_bulk_created_entries_set_the_dates():
    c = CampaignFactory(date=date(2024, 5, 1))
    projects = ProjectFactory.create_batch(3)
    CampaignEntry.objects.bulk_create([CampaignEntry(campaign=c, project=p, batch=Batch.START,
                                                     investment_at_listing=p.total_investment) for p in projects])
    assert {dates(p) for p in projects} == {(None, date(2024, 5, 1), None)}
    assert listing.drift() == []


def test_moving_or_deleting_a_campaign_refreshes_its_projects():
    old, new = CampaignFactory(date=date(2023, 1, 1)), CampaignFactory(date=date(2024, 1, 1))
    p = ProjectFactory()
    CampaignEntryFactory(project=p, campaign=old)
    CampaignEntryFactory(project=p, campaign=new)
    new = Campaign.objects.get(pk=new.pk)
    new.date = date(2022, 6, 1)  # moved before the other
    new.save()
    assert dates(p)[0] == date(2023, 1, 1)
    Campaign.objects.filter(pk=new.pk).update(date=date(2025, 1, 1))
    assert dates(p)[0] == date(2025, 1, 1)
    Campaign.objects.get(pk=new.pk).delete()
    assert dates(p)[0] == date(2023, 1, 1)
    Campaign.objects.filter(pk=old.pk).delete()
    assert dates(p) == (None, None, None)
    assert listing.drift() == []


def test_saving_a_project_loaded_before_a_listing_keeps_the_listing(user_of):
    p = ProjectFactory()
    stale = Project.objects.get(pk=p.pk)
    CampaignEntryFactory(project=p, batch=Batch.SIGN, campaign=CampaignFactory(date=date(2024, 3, 1)))
    stale.note = "编辑"
    stale.save()
    assert dates(p) == (date(2024, 3, 1), None, None)
    assert Project.objects.get(pk=p.pk).note == "编辑"


@pytest.mark.parametrize("render", [True, False])  # the change log built by the database, or by Python
def test_the_ledger_import_sets_the_dates_of_new_and_existing_projects(user_of, monkeypatch, render):
    from kaifaqu.projects.ledger import ledger_import
    from tests.projects.test_ledger import base_row, workbook

    monkeypatch.setattr("kaifaqu.projects.ledger.writing._database_renders", lambda: render)
    c = CampaignFactory(name="2024年第二次", date=date(2024, 6, 1))
    existing = ProjectFactory(code="XM-EXISTING", name="已有项目")
    data = workbook([base_row(1, 项目编号="XM-NEW", 三个一批活动=c.name, 批次="签约"),
                     base_row(2, 项目编号="XM-EXISTING", 项目名称="已有项目", 三个一批活动=c.name, 批次="开工")])
    ledger_import(user=user_of("yq-etdz"), data=data)
    assert dates(Project.objects.get(code="XM-NEW")) == (date(2024, 6, 1), None, None)
    assert dates(existing) == (None, date(2024, 6, 1), None)
    assert listing.drift() == []


def test_since_date_recognises_every_campaign_since_a_date():
    a, b, c = (CampaignFactory(date=date(2030, 1, 1) + timedelta(days=k)) for k in range(3))
    assert listed.since_date([b.pk, c.pk]) == b.date
    assert listed.since_date([c.pk]) == c.date
    assert listed.since_date([a.pk, c.pk]) is None  # b is missing
    assert listed.since_date([a.pk, b.pk]) is None  # c is later
    assert listed.since_date([]) is None


CAMPAIGN_DATES = [date(2023, 3, 1), date(2023, 9, 1), date(2024, 3, 1), date(2024, 9, 1)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from(list(Batch))), max_size=3, unique_by=lambda t: t[0]),
    st.sampled_from([ProjectType.INDUSTRIAL, ProjectType.INFRASTRUCTURE]), st.integers(0, 3), st.booleans(),
    st.sampled_from(["S147007", "S147008"])), min_size=1, max_size=10),
    st.integers(0, 3), st.integers(0, 800))
def test_listing_dates_answer_as_the_entries_do(user_of, monkeypatch, projects, first, as_of_offset):
    """Every campaign since the `first`: the statistics from the listing dates equal those from the entries."""
    from kaifaqu.zones.models import Zone

    Campaign.objects.filter(date__gte=date(2023, 1, 1)).delete()
    campaigns = [CampaignFactory(date=d) for d in CAMPAIGN_DATES]
    zones = {z.code: z for z in Zone.objects.filter(code__in=["S147007", "S147008"])}
    start, made = date(2023, 1, 1), []
    for listings, ptype, reached, terminated, zone in projects:
        fields = ["started_on", "producing_on", "at_capacity_on"][:reached]
        stage_dates = {f: start + timedelta(days=150 * (k + 1)) for k, f in enumerate(fields)
                       if k < 2 or ptype == ProjectType.INDUSTRIAL}
        stage = {0: Stage.SIGNED, 1: Stage.STARTED, 2: Stage.PRODUCING}.get(len(stage_dates), Stage.AT_CAPACITY)
        extra = {"stage": Stage.TERMINATED, "terminated_on": start + timedelta(days=400),
                 "termination_reason": "x"} if terminated else {"stage": stage}
        p = ProjectFactory(type=ptype, zone=zones[zone], signed_on=start, total_investment=Decimal("20000"),
                           completed_investment=Decimal("5000"), **stage_dates, **extra)
        for k, batch in listings:
            CampaignEntryFactory(campaign=campaigns[k], project=p, batch=batch)
        made.append(p)
    assert listing.drift() == []
    ids = [c.pk for c in campaigns[first:]]
    as_of = date(2023, 1, 1) + timedelta(days=as_of_offset)
    assert listed.since_date(ids) == CAMPAIGN_DATES[first]
    def figures(user):
        return (campaign_stats(user=user, campaign_ids=ids, as_of=as_of),
                campaign_composition(user=user, campaign_ids=ids),
                three_un(user=user, since=CAMPAIGN_DATES[first], as_of=date(2025, 1, 1), limit=3, offset=1),
                three_un(user=user, since=CAMPAIGN_DATES[first], as_of=date(2025, 1, 1)))

    for user in (user_of("province"), user_of("yq-etdz")):
        fast = figures(user)
        with monkeypatch.context() as m:
            m.setattr(listed, "since_date", lambda campaign_ids: None)  # always join the entries
            assert figures(user) == fast
    CampaignEntry.objects.filter(project__in=made).delete()
    Project.objects.filter(pk__in=[p.pk for p in made]).delete()
    Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).delete()


def test_check_listing_finds_and_fixes_drift():
    from django.core.management import CommandError, call_command

    p = ProjectFactory()
    CampaignEntryFactory(project=p, batch=Batch.SIGN, campaign=CampaignFactory(date=date(2024, 3, 1)))
    call_command("check_listing")  # all agree
    Project.objects.filter(pk=p.pk).update(sign_listed_on=None)  # as a raw write of entries would leave it
    with pytest.raises(CommandError, match="1 个项目"):
        call_command("check_listing")
    call_command("check_listing", "--fix")
    assert dates(p) == (date(2024, 3, 1), None, None) and listing.drift() == []
