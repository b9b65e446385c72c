"""No lost update on projects: an edit without the version it was made on, or with a stale one, is refused on
the API (422 / 409) and the page, and nothing changes; a project the user may see but not write has no edit link
and its edit page is refused."""

import pytest

from kaifaqu.core.versioning import MISSING_VERSION
from kaifaqu.projects import services
from kaifaqu.projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
STALE = "该项目已被他人修改，请刷新后重新编辑（您的修改未保存）"


def unchanged(project: Project) -> bool:
    after = Project.objects.get(pk=project.pk)
    return (after.name, after.total_investment, after.version) == (project.name, project.total_investment, 1)


def test_service_refuses_an_edit_without_a_version(user_of):
    project = ProjectFactory(name="原名")
    with pytest.raises(services.MissingVersion, match="缺少版本号"):
        services.project_update(user=user_of("yq-etdz"), project=project, version=None, name="改名")
    assert unchanged(project)


@pytest.mark.parametrize(("payload", "status", "detail"), [
    ({"name": "改名", "total_investment": "99999"}, 422, MISSING_VERSION),
    ({"version": None, "name": "改名"}, 422, MISSING_VERSION),
    ({"version": 2, "name": "改名"}, 409, "该项目已被他人修改，请刷新后重新编辑（您的修改未保存）"),
    ({"version": 0, "name": "改名"}, 409, "该项目已被他人修改，请刷新后重新编辑（您的修改未保存）"),
])
def test_patch_without_or_with_a_stale_version_is_refused(client, token_of, payload, status, detail):
    project = ProjectFactory(name="原名")
    resp = client.patch(f"/api/v1/projects/{project.pk}", payload, content_type="application/json",
                        **token_of("yq-etdz"))
    assert (resp.status_code, resp.json()["detail"]) == (status, detail)
    assert unchanged(project)


def edit_data(client, project: Project) -> dict:
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("zone", "stage")}
    return data | {"promotion_method": "", "park": "", "chain": "", "name": "改名"}


@pytest.mark.parametrize(("version", "message"), [(None, MISSING_VERSION), ("", MISSING_VERSION),
                                                  ("abc", MISSING_VERSION), ("7", "已被他人修改")])
def test_edit_page_without_or_with_a_stale_version_changes_nothing(client_of, version, message):
    project = ProjectFactory(name="原名")
    client = client_of("yq-etdz")
    data = edit_data(client, project)
    assert data["version"] == 1  # the form carries the version it shows
    data.pop("version")
    if version is not None:
        data["version"] = version
    resp = client.post(f"/projects/{project.pk}/edit/", data)
    assert resp.status_code == 200 and message in resp.content.decode()
    assert unchanged(project)


def test_project_visible_but_not_writable_has_no_edit_link_and_its_edit_page_is_refused(client_of):
    project = ProjectFactory(name="原名")
    reviewer = client_of("yangquan")  # sees 阳泉's projects, writes none
    assert f"/projects/{project.pk}/edit/" not in reviewer.get(f"/projects/{project.pk}/").content.decode()
    page = reviewer.get(f"/projects/{project.pk}/edit/")
    assert page.status_code == 403 and "您没有权限修改该项目" in page.content.decode()
    assert reviewer.post(f"/projects/{project.pk}/edit/", {"name": "改名", "version": 1}).status_code == 403
    assert unchanged(project)
    assert client_of("yq-gxq").get(f"/projects/{project.pk}/edit/").status_code == 404  # a sister zone's


def admin_form(project: Project, **data):
    from django.forms import modelform_factory

    from kaifaqu.core.versioning import VersionedAdminForm

    return modelform_factory(Project, form=VersionedAdminForm, fields=["name"])(data, instance=project)


@pytest.mark.parametrize(("seen", "message"), [(None, MISSING_VERSION), (2, "该记录已被他人修改")])
def test_admin_site_edit_without_or_with_a_stale_version_is_refused(seen, message):
    project = ProjectFactory(name="原名")
    form = admin_form(project, name="改名", **({} if seen is None else {"seen_version": seen}))
    assert not form.is_valid() and message in str(form.non_field_errors())
    assert Project.objects.values_list("name", "version").get(pk=project.pk) == ("原名", 1)


def test_admin_site_edit_with_the_version_it_opened_on_saves_and_counts_one(client_of):
    project = ProjectFactory(name="原名")
    page = client_of("province").get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert 'name="seen_version" value="1"' in page
    form = admin_form(project, name="改名", seen_version=1)
    assert form.is_valid(), form.errors
    form.save()
    assert Project.objects.values_list("name", "version").get(pk=project.pk) == ("改名", 2)


@pytest.mark.parametrize(("version", "message"), [(None, MISSING_VERSION), ("2", "该项目已被他人修改")])
def test_transition_form_without_or_with_a_stale_version_moves_nothing(client_of, version, message):
    project = ProjectFactory()
    client = client_of("yq-etdz")
    assert 'name="version" value="1"' in client.get(f"/projects/{project.pk}/").content.decode()
    data = {"stage": "started", "date": "2023-05-01"} | ({} if version is None else {"version": version})
    resp = client.post(f"/projects/{project.pk}/transition/", data, follow=True)
    assert message in resp.content.decode()
    assert Project.objects.values_list("stage", "started_on", "version").get(pk=project.pk) == ("signed", None, 1)


def test_api_transition_refuses_a_stale_version_and_keeps_the_contracts_body(client, token_of):
    project = ProjectFactory()
    auth, url = token_of("yq-etdz"), f"/api/v1/projects/{project.pk}/transition"
    stale = client.post(url, {"stage": "started", "date": "2023-05-01", "version": 3},
                        content_type="application/json", **auth)
    assert (stale.status_code, stale.json()["detail"]) == (409, STALE)
    assert Project.objects.values_list("stage", "version").get(pk=project.pk) == ("signed", 1)
    moved = client.post(url, {"stage": "started", "date": "2023-05-01"}, content_type="application/json", **auth)
    assert moved.status_code == 200 and moved.json()["stage"] == "started"  # SPEC §12: {"stage", "date"}
