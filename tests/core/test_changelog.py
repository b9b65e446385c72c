"""The change log records who changed what, before → after, and shows it on the object's page."""

import pytest

from kaifaqu.core.changelog import change_context
from kaifaqu.core.models import ObjectChange
from kaifaqu.zones.models import Park

pytestmark = pytest.mark.django_db


def test_admin_edit_records_before_after_and_user(client_of, zone_by_code):
    zone = zone_by_code("S147007")
    client = client_of("province")
    form = client.get(f"/admin/zones/zone/{zone.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"catalogue", "pinyin_initials"}}
    data.update({"planned_area_km2": "21.50", "org_unit": zone.org_unit_id, "province": zone.province_id,
                 "city": zone.city_id, "county": "", "approved_on": "1996-01-01", "reform_sanhua_sanzhi": "true",
                 "reform_guanyun_fenli": "unknown", "parks-TOTAL_FORMS": "0", "parks-INITIAL_FORMS": "0"})
    resp = client.post(f"/admin/zones/zone/{zone.pk}/change/", data)
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else resp
    change = ObjectChange.objects.for_object(zone).first()
    assert change.action == "update" and change.user.username == "province"
    assert change.prechange_data["planned_area_km2"] is None
    assert change.postchange_data["planned_area_km2"] == "21.50"
    assert ("规划面积(平方公里)", None, "21.50") in change.diff()
    page = client.get(f"/zones/{zone.pk}/").content.decode()
    assert "规划面积(平方公里)" in page and "21.50" in page and "province" in page


def test_create_and_delete_are_recorded(user_of, zone_by_code):
    user = user_of("yq-etdz")
    with change_context(user):
        park = Park.objects.create(zone=zone_by_code("S147007"), name="测试园区")
        pk = park.pk
        park.delete()
    actions = list(ObjectChange.objects.filter(object_id=str(pk), content_type__model="park")
                   .order_by("id").values_list("action", "user_name"))
    assert actions == [("create", "yq-etdz"), ("delete", "yq-etdz")]


def test_a_save_that_changes_nothing_records_nothing(zone_by_code):
    zone = zone_by_code("S147007")
    before = ObjectChange.objects.count()
    zone.save()
    assert ObjectChange.objects.count() == before


def test_an_update_keeps_the_fields_it_changed_and_a_create_every_field(user_of, zone_by_code):
    with change_context(user_of("yq-etdz")):
        park = Park.objects.create(zone=zone_by_code("S147007"), name="测试园区")
        park.name = "测试园区二期"
        park.save()
    create, update = ObjectChange.objects.for_object(park).order_by("id")
    every_field = {f.attname for f in Park._meta.concrete_fields}
    assert (create.prechange_data, set(create.postchange_data)) == (None, every_field)
    assert (update.prechange_data, update.postchange_data) == ({"name": "测试园区"}, {"name": "测试园区二期"})
    assert update.diff() == [("名称", "测试园区", "测试园区二期")]


def test_change_log_is_read_only_in_admin(client_of):
    client = client_of("province")
    assert client.get("/admin/core/objectchange/").status_code == 200
    assert client.get("/admin/core/objectchange/add/").status_code == 403
