"""Zone scope on every surface: page, API, admin list, count. Province sees all, a city its own, a zone one;
another city's zone is 404, never 403 (its existence is not revealed)."""

import pytest

from kaifaqu.zones.models import Zone

pytestmark = pytest.mark.django_db

SHANXI_ZONES = 36  # 27 catalogue rows + 9 zones named only in the seeds
YANGQUAN = {"阳泉经济技术开发区", "阳泉高新区", "平定经济技术开发区", "盂县经济技术开发区"}


@pytest.mark.parametrize(("username", "expected"), [
    ("province", SHANXI_ZONES), ("yangquan", 4), ("jinzhong", 7), ("yq-etdz", 1),
])
def test_api_list_and_count_follow_scope(client, token_of, username, expected):
    resp = client.get("/api/v1/zones?limit=500", **token_of(username))
    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == expected == len(body["items"])


def test_city_user_sees_only_its_city(client, token_of):
    items = client.get("/api/v1/zones?limit=500", **token_of("yangquan")).json()["items"]
    assert {z["name"] for z in items} == YANGQUAN
    assert {z["city_code"] for z in items} == {"140300"}


def test_zone_user_sees_only_its_zone(client, token_of):
    items = client.get("/api/v1/zones", **token_of("yq-etdz")).json()["items"]
    assert [z["code"] for z in items] == ["S147007"]


def test_other_citys_zone_is_404_on_api_and_page(client, token_of, client_of, zone_by_code):
    taiyuan = zone_by_code("G141004")
    assert client.get(f"/api/v1/zones/{taiyuan.pk}", **token_of("yangquan")).status_code == 404
    assert client.get(f"/api/v1/zones/{taiyuan.pk}", **token_of("province")).status_code == 200
    assert client_of("yangquan").get(f"/zones/{taiyuan.pk}/").status_code == 404
    assert client_of("yq-etdz").get(f"/zones/{zone_by_code('X140300-01').pk}/").status_code == 404
    assert client_of("province").get(f"/zones/{taiyuan.pk}/").status_code == 200


def test_list_page_follows_scope(client_of):
    resp = client_of("yangquan").get("/zones/")
    assert resp.status_code == 200
    names = {z.name for z in resp.context["page"].object_list}
    assert names == YANGQUAN
    assert "太原经济技术开发区" not in resp.content.decode()


def test_home_counts_follow_scope(client_of):
    assert client_of("province").get("/").context["summary"]["count"] == SHANXI_ZONES
    home = client_of("yangquan").get("/")
    assert home.context["summary"]["count"] == 4
    assert {p["full_name"] for p in home.context["points"]} == YANGQUAN
    assert client_of("yq-etdz").get("/").context["summary"]["count"] == 1


def test_admin_list_and_change_page_follow_scope(user_of, client, zone_by_code):
    yq_admin = user_of("yangquan")
    yq_admin.is_staff = True
    yq_admin.save()
    yq_admin.groups.add(*user_of("province").groups.all())
    client.force_login(yq_admin)
    resp = client.get("/admin/zones/zone/")
    assert resp.status_code == 200
    assert resp.context["cl"].result_count == 4
    taiyuan = zone_by_code("G141004")
    other = client.get(f"/admin/zones/zone/{taiyuan.pk}/change/")
    assert other.status_code == 302 and "太原" not in other.content.decode()  # admin says "does not exist"
    assert client.get(f"/admin/zones/zone/{zone_by_code('S147007').pk}/change/").status_code == 200


def test_province_admin_sees_all_in_admin(client_of):
    resp = client_of("province").get("/admin/zones/zone/")
    assert resp.context["cl"].result_count == SHANXI_ZONES


def test_nobody_without_login_sees_anything(client, zone_by_code):
    assert client.get("/api/v1/zones").status_code == 401
    assert client.get("/zones/").status_code == 302
    assert client.get(f"/zones/{zone_by_code('S147007').pk}/").status_code == 302
    assert client.get("/").status_code == 302


def test_user_without_org_unit_sees_nothing(user_of, client):
    lost = user_of("province-viewer")
    lost.org_unit = None
    lost.save()
    client.force_login(lost)
    assert client.get("/api/v1/zones").json()["count"] == 0
    assert Zone.objects.visible_to(lost).count() == 0
