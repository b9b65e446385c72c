"""The built registry holds the 2018 catalogue as ../shared/data/README.md says, plus the seeds' zones."""

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from kaifaqu.core.models import ObjectChange
from kaifaqu.zones.models import IndustryChain, Park, Region, Zone
from kaifaqu.zones.registry import national_catalogue_load, registry_load

pytestmark = pytest.mark.django_db


def shanxi_catalogue():
    return Zone.objects.filter(source="2018 catalogue", province__code="140000")


def test_catalogue_has_27_rows_7_national_20_provincial():
    qs = shanxi_catalogue()
    assert qs.count() == 27
    assert dict(qs.values_list("level").annotate(n=Count("id"))) == {"national": 7, "provincial": 20}


def test_catalogue_kinds_as_printed():
    kinds = {}
    for zone in shanxi_catalogue():
        kinds[zone.catalogue["kind"]] = kinds.get(zone.catalogue["kind"], 0) + 1
    assert kinds == {"经济开发区": 16, "经济技术开发区": 4, "工业园区": 4,
                     "高新技术产业开发区": 2, "海关特殊监管区域": 1}


def test_catalogue_areas():
    qs = shanxi_catalogue()
    assert qs.aggregate(s=Sum("approved_area_ha"))["s"] == Decimal("17527.89")
    assert qs.filter(level="national").aggregate(s=Sum("approved_area_ha"))["s"] == Decimal("4547.01")
    assert qs.filter(level="provincial").aggregate(s=Sum("approved_area_ha"))["s"] == Decimal("12980.88")
    largest, smallest = qs.order_by("-approved_area_ha").first(), qs.order_by("approved_area_ha").first()
    assert (largest.catalogue["name"], largest.approved_area_ha) == ("山西运城经济开发区", Decimal("3081.20"))
    assert (smallest.catalogue["name"], smallest.approved_area_ha) == ("山西祁县经济开发区", Decimal("61.21"))


def test_catalogue_columns_are_kept_and_current_names_come_from_the_seeds():
    zone = Zone.objects.get(code="S147007")
    assert zone.name == "阳泉经济技术开发区"
    assert zone.catalogue["name"] == "山西阳泉经济开发区"
    assert zone.catalogue["approved"] == "1996.01" and zone.approved_on.isoformat() == "1996-01-01"
    assert set(zone.catalogue) == {"seq", "code", "name", "locality", "approval_level", "kind", "approved",
                                   "area_ha", "industries", "city", "city_code"}


def test_seed_zones_are_flagged_as_such_and_lie_in_real_cities():
    seeds = Zone.objects.filter(source="seed articles").select_related("city")
    assert {z.name for z in seeds} >= {
        "山西转型综合改革示范区", "阳泉高新区", "平定经济技术开发区", "盂县经济技术开发区", "沁水经济技术开发区",
        "晋中开发区", "榆社经开区", "晋中国家农业高新技术产业示范区", "左权生态文化旅游示范区",
    }
    assert all(z.catalogue is None and z.approved_area_ha is None for z in seeds)
    assert Zone.objects.get(name="沁水经济技术开发区").city.name == "晋城市"


def test_regions_cities_and_counties():
    assert Region.objects.filter(level="city").count() == 11
    assert Region.objects.get(code="140300").name == "阳泉市"
    assert Region.objects.get(code="140322").name == "盂县"
    assert Region.objects.filter(level="county", parent__code="140300").count() == 5
    assert Zone.objects.get(code="S149019").county.name == "盐湖区"


def test_parks_and_chains_from_the_seeds():
    assert set(Park.objects.filter(zone__code="S147007").values_list("name", flat=True)) >= {"东区科技园", "白泉工业园"}
    named = ["半导体", "合成生物", "光伏", "新材料", "储能", "数据中心"]
    assert IndustryChain.objects.filter(name__in=named).count() == 6


def test_registry_load_is_idempotent():
    changes = ObjectChange.objects.count()
    result = registry_load()
    assert result.created == 0
    assert ObjectChange.objects.count() == changes  # nothing changed, nothing logged


def test_pinyin_initials_cover_name_and_short_name():
    assert Zone.objects.get(code="G142057").pinyin_initials == "czgxjscykfq czgxq"


def test_national_catalogue_load():
    result = national_catalogue_load()
    catalogue = Zone.objects.filter(source="2018 catalogue")
    assert result.created == 2543 - 27
    assert catalogue.count() == 2543
    assert dict(catalogue.values_list("level").annotate(n=Count("id"))) == {"national": 552, "provincial": 1991}
    assert catalogue.aggregate(s=Sum("approved_area_ha"))["s"] == Decimal("1797388.60")
    assert catalogue.filter(catalogue__code="S377018").count() == 2  # a code printed twice stays two zones
    assert national_catalogue_load().created == 0
