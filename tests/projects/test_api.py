"""The projects API (SPEC §12): scope on every endpoint, transitions answer 409, stale PATCH is 409, bad input 4xx."""

from datetime import date

import pytest

from kaifaqu.projects.choices import Batch, Stage
from kaifaqu.projects.models import CampaignEntry, Project
from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def new_project(**extra):
    return {"name": "年产2万吨锂电池隔膜项目", "zone": "S147007", "type": "industrial", "total_investment": "35000.50",
            "stage": "signed", "signed_on": "2024-02-01", **extra}


def test_create_and_read_back(client, token_of):
    auth = token_of("yq-etdz")
    resp = client.post("/api/v1/projects", new_project(chain="储能"), content_type="application/json", **auth)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["zone"], body["stage"], body["total_investment"], body["chain"]) == (
        "S147007", "signed", "35000.50", "储能")
    got = client.get(f"/api/v1/projects/{body['id']}", **auth).json()
    assert got["code"] == body["code"] and got["signed_on"] == "2024-02-01"
    assert client.get(f"/api/v1/projects?code={body['code']}", **auth).json()["count"] == 1


@pytest.mark.parametrize(("payload", "status"), [
    (new_project(zone="G141004"), 422),  # another city's zone: not revealed
    (new_project(zone="NOPE"), 422),
    (new_project(stage="flying"), 422),
    (new_project(total_investment="abc"), 422),
    (new_project(total_investment="-5"), 422),
    (new_project(stage="started", started_on="2024-01-01"), 400),  # started before signed
    (new_project(chain="不存在的链"), 422),
    ({"name": ""}, 422),
])
def test_bad_create_writes_nothing(client, token_of, payload, status):
    count = Project.objects.count()
    resp = client.post("/api/v1/projects", payload, content_type="application/json", **token_of("yq-etdz"))
    assert resp.status_code == status, resp.content
    assert "detail" in resp.json()
    assert Project.objects.count() == count


def test_scope_on_every_project_endpoint(client, token_of, zone_by_code):
    mine = ProjectFactory()
    theirs = ProjectFactory(zone=zone_by_code("G141062"))
    yq = token_of("yq-etdz")
    assert {p["id"] for p in client.get("/api/v1/projects?limit=500", **yq).json()["items"]} >= {mine.pk}
    assert theirs.pk not in {p["id"] for p in client.get("/api/v1/projects?limit=500", **yq).json()["items"]}
    assert client.get(f"/api/v1/projects/{theirs.pk}", **yq).status_code == 404
    assert client.patch(f"/api/v1/projects/{theirs.pk}", {"version": 1, "name": "x"},
                        content_type="application/json", **yq).status_code == 404
    assert client.post(f"/api/v1/projects/{theirs.pk}/transition", {"stage": "started", "date": "2024-01-01"},
                       content_type="application/json", **yq).status_code == 404
    assert client.get(f"/api/v1/projects/{theirs.pk}", **token_of("jinzhong")).status_code == 200
    assert client.get("/api/v1/projects").status_code == 401


def test_reviewer_reads_but_cannot_write(client, token_of):
    project = ProjectFactory()
    auth = token_of("yangquan")
    assert client.get(f"/api/v1/projects/{project.pk}", **auth).status_code == 200
    resp = client.patch(f"/api/v1/projects/{project.pk}", {"version": 1, "name": "改名"},
                        content_type="application/json", **auth)
    assert resp.status_code == 403
    project.refresh_from_db()
    assert project.name != "改名"


def test_transition_and_409(client, token_of):
    project = ProjectFactory()
    auth = token_of("yq-etdz")
    url = f"/api/v1/projects/{project.pk}/transition"
    ok = client.post(url, {"stage": "started", "date": "2023-06-01"}, content_type="application/json", **auth)
    assert ok.status_code == 200 and ok.json()["stage"] == "started"
    back = client.post(url, {"stage": "signed", "date": "2023-07-01"}, content_type="application/json", **auth)
    assert back.status_code == 409 and "倒退" in back.json()["detail"]
    early = client.post(url, {"stage": "producing", "date": "2023-05-01"}, content_type="application/json", **auth)
    assert early.status_code == 409 and "不能早于开工日期" in early.json()["detail"]
    project.refresh_from_db()
    assert (project.stage, project.producing_on) == (Stage.STARTED, None)


def test_stale_patch_is_409(client, token_of):
    project = ProjectFactory()
    auth = token_of("yq-etdz")
    first = client.patch(f"/api/v1/projects/{project.pk}", {"version": 1, "total_investment": "12000"},
                         content_type="application/json", **auth)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(f"/api/v1/projects/{project.pk}", {"version": 1, "total_investment": "99999"},
                         content_type="application/json", **auth)
    assert stale.status_code == 409
    project.refresh_from_db()
    assert project.total_investment == 12000


def test_campaigns_entries_and_stats(client, token_of):
    province = token_of("province")
    resp = client.post("/api/v1/campaigns", {"name": "2025年第二次“三个一批”活动", "date": "2025-06-18"},
                       content_type="application/json", **province)
    assert resp.status_code == 201
    cid = resp.json()["id"]
    project = ProjectFactory(stage=Stage.STARTED, started_on=date(2024, 5, 1), total_investment=40000)
    entry = client.post(f"/api/v1/campaigns/{cid}/entries", {"project": project.code, "batch": "sign"},
                        content_type="application/json", **province)
    assert entry.status_code == 201 and entry.json()["investment_at_listing"] == "40000.00"
    again = client.post(f"/api/v1/campaigns/{cid}/entries", {"project": project.pk, "batch": "start"},
                        content_type="application/json", **province)
    assert again.status_code == 409
    stats = client.get(f"/api/v1/campaigns/stats?campaign={cid}&as_of=2025-07-01", **province).json()
    assert stats["sign"] == {"count": 1, "investment": "40000.00", "followed_count": 1,
                             "followed_investment": "40000.00", "rate": "100.00", "count_rate": "100.00"}
    assert stats["produce"]["rate"] is None and stats["produce"]["industrial_count"] == 0
    assert client.get("/api/v1/campaigns/stats?campaign=999999", **province).status_code == 404
    assert client.get("/api/v1/campaigns/stats", **province).status_code == 422


def test_stats_and_three_un_are_scoped(client, token_of, zone_by_code):
    c = CampaignFactory()
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(zone=zone_by_code("G141062"),
                                                                              total_investment=70000))
    yq = token_of("yangquan")
    assert client.get(f"/api/v1/campaigns/stats?campaign={c.pk}", **yq).json()["sign"]["count"] == 0
    assert client.get(f"/api/v1/campaigns/stats?campaign={c.pk}", **token_of("jinzhong")).json()["sign"][
        "count"] == 1
    three = client.get("/api/v1/three-un?since=2023-01-01&as_of=2024-03-31", **yq).json()
    assert three["signed_not_started"] == {"count": 0, "items": []}
    jz = client.get("/api/v1/three-un?since=2023-01-01&as_of=2024-03-31", **token_of("jinzhong")).json()
    assert jz["signed_not_started"]["count"] == 1
    assert [r["zone"] for r in jz["signed_not_started"]["items"]] == ["G141062"]
    assert {"days_in_stage", "overdue", "planned_next_on"} <= set(jz["signed_not_started"]["items"][0])
    assert client.get("/api/v1/three-un?since=2025-01-01&as_of=2024-01-01", **yq).status_code == 422
    assert client.get("/api/v1/three-un?since=notadate", **yq).status_code == 422
    bad = client.get("/api/v1/three-un?since=notadate&limit=0", **yq).json()
    assert bad["detail"] == "参数有误：since：应为有效日期（YYYY-MM-DD）；limit：不能小于1"
    assert [e["type"] for e in bad["errors"]] == ["date_from_datetime_parsing", "greater_than_equal"]


def test_project_list_query_count_is_fixed(client, token_of, django_assert_max_num_queries):
    for _ in range(20):
        ProjectFactory()
    auth = token_of("province")
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/projects?limit=500", **auth).json()["count"] >= 20
    assert not CampaignEntry.objects.exists()
