"""Personal data masked by role (等保2.0 三级): the caller's and the enterprise contact's phone is shown in full to
those who work the record (the zone's operators, who received it) and masked to the city's reviewer and the
province's viewer — on the list page, the Excel export, the API and the change log; unmasking is for reviewers and
admins above, and each unmasking is one audit event."""

import io

import pytest
from python_calamine import CalamineWorkbook

from kaifaqu.accounts.audit import AuditAction, AuditEvent
from kaifaqu.accounts.models import User
from kaifaqu.accounts.roles import ensure_role_groups
from kaifaqu.core.privacy import mask_phone
from kaifaqu.tickets.models import Ticket
from tests.tickets.factories import EnterpriseFactory, ticket

pytestmark = pytest.mark.django_db

FULL, MASKED = "13812344321", "138****4321"


@pytest.mark.parametrize(("value", "shown"), [
    ("13812344321", "138****4321"),
    (" 13812344321 ", "138****4321"),
    ("138-1234-4321", "138-****-4321"),
    ("+86 138 1234 4321", "+86 138 **** 4321"),
    ("8613812344321", "86138****4321"),
    ("0351-7654321", "0351-***4321"),
    ("03537654321", "0353***4321"),
    ("010-12345678", "010-****5678"),
    ("(0354)7654321", "(0354)***4321"),
    ("0351-7654321转801", "0351-***4321转801"),
    ("7654321", "****321"),
    ("12345", "***45"),
    ("110", "**0"),
    ("1", "*"),
    ("12345678901234", "123*******1234"),
    ("无", "****"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(value, shown):
    assert mask_phone(value) == shown


@pytest.fixture
def received(user_of) -> Ticket:
    """A ticket of 阳泉经开区 received by its operator, with the caller's mobile."""
    return ticket(user_of("yq-etdz"), text="企业反映用电报装进度慢", caller="李经理", phone=FULL,
                  department="企业服务中心")


def page_of(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.mark.parametrize(("username", "shown"), [
    ("yq-etdz", FULL),           # the zone's operator who received it
    ("yangquan", MASKED),        # the city's reviewer above
    ("province-viewer", MASKED),
    ("province", MASKED),        # the province's admin: above, may unmask
])
def test_list_page_shows_the_phone_by_role(client_of, received, username, shown):
    page = page_of(client_of(username), "/services/tickets/")
    assert f'<span class="phone">{shown}</span>' in page
    if shown == MASKED:
        assert FULL not in page


def test_a_colleague_of_the_zone_sees_it_in_full_a_viewer_of_the_zone_does_not(client, received, user_of):
    unit = user_of("yq-etdz").org_unit
    colleague = User.objects.create(username="yq-etdz-2", role="operator", org_unit=unit)
    viewer = User.objects.create(username="yq-viewer", role="viewer", org_unit=unit)
    assert received.phone_visible_to(colleague) is True
    assert received.phone_visible_to(viewer) is False
    client.force_login(viewer)
    assert MASKED in page_of(client, "/services/tickets/") and FULL not in page_of(client, "/services/tickets/")


def _phone_cells(content: bytes) -> list[str]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    column = rows[2].index("联系电话")
    return [r[column] for r in rows[3:-1]]


def test_export_masks_the_phone_for_roles_that_do_not_work_the_ticket(client_of, received):
    assert _phone_cells(client_of("yq-etdz").get("/services/tickets/?export=xlsx").content) == [FULL]
    assert _phone_cells(client_of("yangquan").get("/services/tickets/?export=xlsx").content) == [MASKED]
    assert _phone_cells(client_of("province-viewer").get("/services/tickets/?export=xlsx").content) == [MASKED]


def test_api_masks_the_phone_on_list_detail_and_workflow_answers(client, token_of, received):
    mine, above = token_of("yq-etdz"), token_of("yangquan")
    assert [t["phone"] for t in client.get("/api/v1/tickets", **mine).json()["items"]] == [FULL]
    assert [t["phone"] for t in client.get("/api/v1/tickets", **above).json()["items"]] == [MASKED]
    assert client.get(f"/api/v1/tickets/{received.pk}", **above).json()["phone"] == MASKED
    started = client.post(f"/api/v1/tickets/{received.pk}/start", {"note": "已电话联系"},
                          content_type="application/json", **above)
    assert started.status_code == 200 and started.json()["phone"] == MASKED  # a reviewer handles, but above
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 0


def test_detail_page_offers_unmasking_to_the_reviewer_above_only(client_of, received):
    url = f"/services/tickets/{received.pk}/"
    reviewer = page_of(client_of("yangquan"), url)
    assert MASKED in reviewer and FULL not in reviewer and "查看完整号码" in reviewer
    viewer = page_of(client_of("province-viewer"), url)
    assert MASKED in viewer and "查看完整号码" not in viewer
    operator = page_of(client_of("yq-etdz"), url)
    assert FULL in operator and "查看完整号码" not in operator


def test_unmasking_on_the_page_is_audited_once(client_of, received):
    resp = client_of("yangquan").post(f"/privacy/phone/ticket/{received.pk}/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and resp.content.decode() == f'<span class="phone">{FULL}</span>'
    event = AuditEvent.objects.get(action=AuditAction.UNMASK)
    assert (event.username, event.org_unit.code, event.target) == ("yangquan", "140300", f"诉求 {received}")
    assert event.detail == {"model": "tickets.ticket", "id": received.pk, "field": "phone"}
    plain = client_of("yangquan").post(f"/privacy/phone/ticket/{received.pk}/")  # without htmx: a page
    assert plain.status_code == 200 and f'id="phone-full">{FULL}<' in plain.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 2


@pytest.mark.parametrize(("username", "status"), [
    ("province-viewer", 403),  # a viewer may not
    ("yq-etdz", 403),          # works it: sees it in full already, nothing to unmask
    ("jinzhong", 404),         # another city's reviewer: the ticket is not theirs to open
])
def test_unmasking_refused_records_nothing(client_of, received, username, status):
    resp = client_of(username).post(f"/privacy/phone/ticket/{received.pk}/")
    assert resp.status_code == status
    if status == 403:
        assert "您没有权限查看完整号码" in resp.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 0


def test_unmasking_needs_a_post_and_a_known_kind(client_of, received):
    client = client_of("yangquan")
    assert client.get(f"/privacy/phone/ticket/{received.pk}/").status_code == 405
    assert client.post(f"/privacy/phone/user/{received.pk}/").status_code == 404
    assert client.post("/privacy/phone/ticket/99999999/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 0


def test_unmasking_through_the_api_is_audited(client, token_of, received):
    url = f"/api/v1/tickets/{received.pk}/phone"
    resp = client.post(url, **token_of("yangquan"))
    assert resp.status_code == 200 and resp.json() == {"phone": FULL}
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK, username="yangquan").count() == 1
    refused = client.post(url, **token_of("province-viewer"))
    assert refused.status_code == 403 and refused.json()["detail"] == "您没有权限查看完整号码"
    assert client.post(url, **token_of("jinzhong")).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 1


def test_change_log_masks_phone_changes(client_of, received):
    received.phone = "13900001111"
    received.save()
    page = page_of(client_of("yq-etdz"), f"/services/tickets/{received.pk}/")
    history = page.split('id="history"')[1]
    assert "<td>138****4321</td><td>139****1111</td>" in history
    assert FULL not in history and "13900001111" not in history


def test_enterprise_contact_is_masked_above_the_zone(client_of, user_of):
    e = EnterpriseFactory(contact="王总", phone="0353-7654321")
    url = f"/services/enterprises/{e.pk}/"
    assert "0353-7654321" in page_of(client_of("yq-etdz"), url)
    above = page_of(client_of("yangquan"), url)
    assert "0353-***4321" in above and "0353-7654321" not in above and "查看完整号码" in above
    resp = client_of("yangquan").post(f"/privacy/phone/enterprise/{e.pk}/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and "0353-7654321" in resp.content.decode()
    assert AuditEvent.objects.get(action=AuditAction.UNMASK).target == f"企业 {e.name}"


def test_admin_site_shows_the_phone_masked_and_read_only_to_the_admin_above(client, client_of, received, user_of):
    url = f"/admin/tickets/ticket/{received.pk}/change/"
    above = client_of("province").get(url)
    assert above.status_code == 200
    page = above.content.decode()
    assert MASKED in page and FULL not in page and 'name="phone"' not in page
    zone_admin = User.objects.create(username="yq-admin", role="admin", is_staff=True,
                                     org_unit=user_of("yq-etdz").org_unit)
    zone_admin.groups.add(ensure_role_groups())
    client.force_login(zone_admin)
    assert f'name="phone" value="{FULL}"' in client.get(url).content.decode()
