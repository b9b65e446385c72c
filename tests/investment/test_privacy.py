"""A lead's contact phone masked by role: in full for its owner and the promoters of the team and zone working it,
masked for the city's reviewer, a viewer and the city's promoters above — on the list page, the Excel export, the
API and the edit form (which keeps the number when left masked); unmasking by the reviewer above is audited."""

import io

import pytest
from python_calamine import CalamineWorkbook

from kaifaqu.accounts.audit import AuditAction, AuditEvent
from kaifaqu.investment.models import Lead
from tests.investment.factories import LeadFactory

pytestmark = pytest.mark.django_db

FULL, MASKED = "13912345678", "139****5678"


@pytest.fixture
def lead(promoters) -> Lead:
    """A lead of 晋中开发区, its zone's team, with the contact's mobile."""
    return LeadFactory(company="山西大恒新能源科技有限公司", contact="张总", phone=FULL)


def text(resp) -> str:
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.mark.parametrize(("username", "shown"), [
    ("jz-promoter", FULL),         # the zone's promoter: the team working it
    ("jz-city-promoter", MASKED),  # a promoter of the city above
    ("jinzhong", MASKED),          # the city's reviewer
    ("jz-viewer", MASKED),         # a viewer of the zone itself
])
def test_list_page_and_export_show_the_phone_by_role(client_of, lead, username, shown):
    client = client_of(username)
    page = text(client.get("/investment/leads/"))
    assert f'<span class="phone">{shown}</span>' in page and (shown == FULL or FULL not in page)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/investment/leads/?export=xlsx").content)) \
        .get_sheet_by_index(0).to_python()
    column = rows[2].index("联系电话")
    assert [r[column] for r in rows[3:-1]] == [shown]


def test_the_owner_sees_it_in_full_wherever_they_sit(client, token_of, promoters):
    owned = LeadFactory(phone=FULL, owner=promoters["jz-city"])
    assert owned.phone_visible_to(promoters["jz-city"]) is True
    assert client.get(f"/api/v1/leads/{owned.pk}", **token_of("jz-city-promoter")).json()["phone"] == FULL


def test_api_masks_the_phone_for_roles_that_do_not_work_the_lead(client, token_of, lead):
    assert [i["phone"] for i in client.get("/api/v1/leads", **token_of("jz-promoter")).json()["items"]] == [FULL]
    assert [i["phone"] for i in client.get("/api/v1/leads", **token_of("jinzhong")).json()["items"]] == [MASKED]
    assert client.get(f"/api/v1/leads/{lead.pk}", **token_of("jz-viewer")).json()["phone"] == MASKED
    assert client.get(f"/api/v1/leads/{lead.pk}", **token_of("province")).json()["phone"] == MASKED


def test_the_reviewer_above_unmasks_it_once_audited(client, client_of, token_of, lead):
    page = text(client_of("jinzhong").get(f"/investment/leads/{lead.pk}/"))
    assert MASKED in page and "查看完整号码" in page
    resp = client_of("jinzhong").post(f"/privacy/phone/lead/{lead.pk}/", HTTP_HX_REQUEST="true")
    assert text(resp) == f'<span class="phone">{FULL}</span>'
    event = AuditEvent.objects.get(action=AuditAction.UNMASK)
    assert (event.username, event.target, event.detail["model"]) == ("jinzhong", f"招商线索 {lead}", "investment.lead")
    api = client.post(f"/api/v1/leads/{lead.pk}/phone", **token_of("jinzhong"))
    assert api.status_code == 200 and api.json() == {"phone": FULL}
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 2


@pytest.mark.parametrize("username", ["jz-viewer", "jz-city-promoter"])
def test_viewers_and_promoters_above_may_not_unmask(client, client_of, token_of, lead, username):
    assert "查看完整号码" not in text(client_of(username).get(f"/investment/leads/{lead.pk}/"))
    assert client_of(username).post(f"/privacy/phone/lead/{lead.pk}/").status_code == 403
    resp = client.post(f"/api/v1/leads/{lead.pk}/phone", **token_of(username))
    assert resp.status_code == 403 and resp.json()["detail"] == "您没有权限查看完整号码"
    assert client_of("yangquan").post(f"/privacy/phone/lead/{lead.pk}/").status_code == 404  # another city
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 0


def _edit(client, lead: Lead, phone: str):
    return client.post(f"/investment/leads/{lead.pk}/edit/", {
        "company": lead.company, "project_type": "industrial", "owner_unit": lead.owner_unit_id,
        "zone": lead.zone_id, "contact": lead.contact, "phone": phone, "version": lead.version})


def test_an_editor_above_keeps_the_number_masked_and_unchanged(client_of, lead):
    client = client_of("jz-city-promoter")  # may edit the zone's leads, does not work this one
    form = text(client.get(f"/investment/leads/{lead.pk}/edit/"))
    assert f'value="{MASKED}"' in form and FULL not in form
    assert _edit(client, lead, MASKED).status_code == 302
    lead.refresh_from_db()
    assert (lead.phone, lead.version) == (FULL, 2)
    assert _edit(client, lead, "13700001111").status_code == 302
    lead.refresh_from_db()
    assert lead.phone == "13700001111"
    own = text(client_of("jz-promoter").get(f"/investment/leads/{lead.pk}/edit/"))
    assert 'value="13700001111"' in own
