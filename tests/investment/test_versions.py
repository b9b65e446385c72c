"""No lost update on leads and events: every edit carries the version it was made on (missing: refused, stale:
refused, nothing changed), and an event of a sibling unit is visible but not editable (no link, page refused)."""

from datetime import date

import pytest

from kaifaqu.accounts.choices import OrgKind, Role
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.versioning import MISSING_VERSION
from kaifaqu.investment import services
from kaifaqu.investment.models import Lead, PromotionEvent
from tests.investment.conftest import _user
from tests.investment.factories import EventFactory, LeadFactory

pytestmark = pytest.mark.django_db


def text(resp) -> str:
    return resp.content.decode()


def lead_post(lead: Lead, **extra) -> dict:
    return {"company": "改名有限公司", "project_type": "industrial", "owner_unit": lead.owner_unit_id, **extra}


def event_post(event: PromotionEvent, **extra) -> dict:
    return {"name": "改名推介会", "date": "2024-03-08", "city": event.city_id, "kind": event.kind,
            "organiser": event.organiser_id, **extra}


def test_lead_update_service_requires_the_version(promoters):
    lead = LeadFactory(company="山西原名新能源有限公司")
    with pytest.raises(services.MissingVersion, match="缺少版本号"):
        services.lead_update(user=promoters["jz"], lead=lead, version=None, company="改名")
    with pytest.raises(services.Conflict, match="该线索已被他人修改"):
        services.lead_update(user=promoters["jz"], lead=lead, version=2, company="改名")
    lead.refresh_from_db()
    assert (lead.company, lead.version) == ("山西原名新能源有限公司", 1)


def test_event_update_service_requires_the_version(promoters):
    event = EventFactory(organiser=promoters["jz-city"].org_unit)
    with pytest.raises(services.MissingVersion):
        services.event_update(user=promoters["jz-city"], event=event, version=None, venue="上海")
    with pytest.raises(services.Conflict, match="该招商活动已被他人修改"):
        services.event_update(user=promoters["jz-city"], event=event, version=0, venue="上海")
    event.refresh_from_db()
    assert (event.venue, event.version) == ("", 1)


@pytest.mark.parametrize(("version", "message"), [(None, MISSING_VERSION), ("", MISSING_VERSION),
                                                  ("x", MISSING_VERSION), ("0", "已被他人修改")])
def test_lead_edit_page_without_or_with_a_stale_version_changes_nothing(client_of, promoters, version, message):
    lead = LeadFactory()
    data = lead_post(lead) if version is None else lead_post(lead, version=version)
    resp = client_of("jz-promoter").post(f"/investment/leads/{lead.pk}/edit/", data)
    assert resp.status_code == 200 and message in text(resp)
    after = Lead.objects.get(pk=lead.pk)
    assert (after.company, after.version) == (lead.company, 1)


def test_lead_edit_page_carries_the_version_it_shows(client_of, promoters):
    lead = LeadFactory()
    page = text(client_of("jz-promoter").get(f"/investment/leads/{lead.pk}/edit/"))
    assert 'name="version" value="1"' in page and f'value="{lead.company}"' in page  # the form shows the lead


@pytest.mark.parametrize(("version", "message"), [(None, MISSING_VERSION), ("2", "已被他人修改")])
def test_event_edit_page_without_or_with_a_stale_version_changes_nothing(client_of, promoters, version, message):
    event = EventFactory(organiser=promoters["jz-city"].org_unit)
    data = event_post(event) if version is None else event_post(event, version=version)
    resp = client_of("jz-city-promoter").post(f"/investment/events/{event.pk}/edit/", data)
    assert resp.status_code == 200 and message in text(resp)
    after = PromotionEvent.objects.get(pk=event.pk)
    assert (after.name, after.version) == (event.name, 1)


def test_event_edit_page_saves_with_the_version_it_shows(client_of, promoters):
    event = EventFactory(organiser=promoters["jz-city"].org_unit)
    client = client_of("jz-city-promoter")
    assert 'name="version" value="1"' in text(client.get(f"/investment/events/{event.pk}/edit/"))
    assert client.post(f"/investment/events/{event.pk}/edit/", event_post(event, version="1")).status_code == 302
    assert PromotionEvent.objects.get(pk=event.pk).name == "改名推介会"


@pytest.fixture
def sibling(promoters):
    """A promoter of another zone of 晋中市: 晋中's events are visible to them, 晋中开发区's not theirs to edit."""
    city = OrgUnit.objects.get(code="140700")
    unit = OrgUnit.objects.filter(kind=OrgKind.ZONE, path__startswith=city.path).exclude(code="X140700-01").first()
    return _user("jz-sibling", unit.code, Role.PROMOTER)


def test_sibling_units_event_is_listed_without_an_edit_link_and_its_edit_page_refused(client_of, promoters, sibling):
    event = EventFactory(name="晋中开发区储能推介会", organiser=promoters["jz"].org_unit, date=date(2024, 3, 8))
    own = EventFactory(name="兄弟园区自办推介会", organiser=sibling.org_unit, date=date(2024, 3, 9))
    client = client_of("jz-sibling")
    listing = text(client.get("/investment/events/"))
    assert "晋中开发区储能推介会" in listing  # visible: the city's events
    assert f"/investment/events/{event.pk}/edit/" not in listing
    assert f"/investment/events/{own.pk}/edit/" in listing
    page = client.get(f"/investment/events/{event.pk}/edit/")
    assert page.status_code == 403 and "您没有权限修改该招商活动" in text(page)
    posted = client.post(f"/investment/events/{event.pk}/edit/", event_post(event, version="1"))
    assert posted.status_code == 403
    after = PromotionEvent.objects.get(pk=event.pk)
    assert (after.name, after.version) == ("晋中开发区储能推介会", 1)


def test_another_citys_event_edit_page_is_404(client_of, promoters):
    event = EventFactory(organiser=promoters["jz"].org_unit)
    assert client_of("yq-promoter").get(f"/investment/events/{event.pk}/edit/").status_code == 404


@pytest.mark.parametrize(("version", "message"), [(None, MISSING_VERSION), ("7", "该线索已被他人修改")])
def test_advance_form_without_or_with_a_stale_version_moves_nothing(client_of, promoters, version, message):
    lead = LeadFactory()
    data = {"stage": "visited", "date": "2024-02-01"} | ({} if version is None else {"version": version})
    resp = client_of("jz-promoter").post(f"/investment/leads/{lead.pk}/advance/", data, follow=True)
    assert message in text(resp)
    assert Lead.objects.values_list("stage", "visited_on", "version").get(pk=lead.pk) == ("lead", None, 1)
