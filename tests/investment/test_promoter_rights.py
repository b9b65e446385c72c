"""Promoters (招商) as SPEC §2 says: they convert a signed lead of their zone into a project — by the service, the
page and the API — and have no other project rights: they cannot enter, edit, move or import projects."""

import io
from datetime import date

import pytest

from kaifaqu.accounts.roles import can_convert_lead
from kaifaqu.investment import services
from kaifaqu.projects import services as project_services
from kaifaqu.projects.models import Project, StageEvent
from kaifaqu.zones.models import Zone
from tests.factories import ProjectFactory
from tests.investment.factories import JZ_ZONE, LeadFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def projects() -> list:
    return sorted(Project.objects.values_list("pk", "name", "stage", "version", "total_investment"))


@pytest.mark.parametrize(("who", "allowed"), [
    ("jz", True), ("jz-city", True),  # the zone's promoter, and the city's above it
    ("yq", False),                    # another city's promoter
    ("jz-viewer", False),
])
def test_who_may_convert(promoters, who, allowed):
    assert can_convert_lead(promoters[who], Zone.objects.get(code=JZ_ZONE).org_unit) is allowed


def test_the_promoter_converts_a_signed_lead(promoters):
    lead = LeadFactory(signed=True, method="以商招商")
    project = services.lead_convert(user=promoters["jz"], lead=lead)
    assert (project.zone.code, project.stage, project.signed_on, project.builder) == (
        JZ_ZONE, "signed", date(2024, 5, 20), lead.company)
    assert list(StageEvent.objects.filter(project=project).values_list("stage", "user__username")) == [
        ("signed", "jz-promoter")]
    lead.refresh_from_db()
    assert lead.converted_project == project


def test_the_promoter_converts_on_the_page(client_of, promoters):
    lead = LeadFactory(signed=True)
    client = client_of("jz-promoter")
    assert 'id="convert"' in client.get(f"/investment/leads/{lead.pk}/").content.decode()
    resp = client.post(f"/investment/leads/{lead.pk}/convert/")
    project = Project.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/projects/{project.pk}/"
    assert client.get(f"/projects/{project.pk}/").status_code == 200


def test_the_promoter_converts_through_the_api(client, token_of, promoters):
    lead = LeadFactory(signed=True)
    resp = client.post(f"/api/v1/leads/{lead.pk}/convert", content_type=JSON, **token_of("jz-promoter"))
    assert resp.status_code == 201 and resp.json()["stage"] == "signed" and resp.json()["zone"] == JZ_ZONE
    assert Project.objects.count() == 1


def test_another_citys_promoter_may_not_convert(client, token_of, promoters):
    lead = LeadFactory(signed=True)
    with pytest.raises(services.NotPermitted):
        services.lead_convert(user=promoters["yq"], lead=lead)
    assert client.post(f"/api/v1/leads/{lead.pk}/convert", **token_of("yq-promoter")).status_code == 404
    assert Project.objects.count() == 0


def test_the_promoter_may_not_enter_a_project_directly(client, client_of, token_of, promoters):
    zone = Zone.objects.get(code=JZ_ZONE)
    with pytest.raises(project_services.NotPermitted, match="您无权修改该开发区的项目"):
        project_services.project_create(user=promoters["jz"], name="直接录入的项目", zone=zone, type="industrial",
                                        total_investment=1000, stage="reserve")
    body = {"name": "直接录入的项目", "zone": JZ_ZONE, "type": "industrial", "total_investment": "1000",
            "stage": "reserve"}
    resp = client.post("/api/v1/projects", body, content_type=JSON, **token_of("jz-promoter"))
    assert resp.status_code == 403 and resp.json()["detail"] == "您无权修改该开发区的项目"
    page = client_of("jz-promoter").post("/projects/new/", {**body, "zone": zone.pk})
    assert page.status_code == 200  # the form again: the promoter has no zone to enter a project in
    assert Project.objects.count() == 0


def test_the_promoter_may_not_edit_move_or_import_projects(client, client_of, token_of, promoters):
    project = ProjectFactory(zone=Zone.objects.get(code=JZ_ZONE))
    auth, before = token_of("jz-promoter"), projects()
    patch = client.patch(f"/api/v1/projects/{project.pk}", {"version": project.version, "name": "改名"},
                         content_type=JSON, **auth)
    assert patch.status_code == 403
    moved = client.post(f"/api/v1/projects/{project.pk}/transition", {"stage": "started", "date": "2024-01-05"},
                        content_type=JSON, **auth)
    assert moved.status_code == 403
    page = client_of("jz-promoter").post(f"/projects/{project.pk}/transition/",
                                         {"stage": "started", "date": "2024-01-05"}, follow=True)
    assert "您无权修改该开发区的项目" in page.content.decode()
    ledger = client.get("/api/v1/projects/export", **token_of("jinzhong")).content
    upload = io.BytesIO(ledger)
    upload.name = "ledger.xlsx"
    imported = client.post("/api/v1/projects/import", {"file": upload}, **auth)
    assert imported.status_code in (403, 422)  # refused either before reading or row by row
    assert projects() == before
