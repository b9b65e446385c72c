"""The zones API: fields, filters, search, and bad input answered with a clear 4xx."""

import pytest

pytestmark = pytest.mark.django_db


def test_zone_fields(client, token_of):
    resp = client.get("/api/v1/zones?q=S147007", **token_of("province"))
    (zone,) = resp.json()["items"]
    assert zone["code"] == "S147007"
    assert zone["name"] == "阳泉经济技术开发区"
    assert zone["level"] == "provincial" and zone["kind"] == "经济开发区"
    assert zone["city"] == "阳泉市" and zone["city_code"] == "140300"
    assert zone["approved_area_ha"] == "383.20"  # decimals travel as strings
    assert zone["industries"][0] == "数据中心"
    assert zone["source"] == "2018 catalogue"


@pytest.mark.parametrize(("query", "codes"), [
    ("city=140300&level=provincial&q=高新", {"X140300-01"}),
    ("city=阳泉&q=yqjk", {"S147007"}),
    ("q=czgx", {"G142057"}),
    ("kind=海关特殊监管区域", {"G143011"}),
])
def test_filters_and_pinyin_search(client, token_of, query, codes):
    items = client.get(f"/api/v1/zones?{query}", **token_of("province")).json()["items"]
    assert {z["code"] for z in items} == codes


def test_limit_and_offset(client, token_of):
    auth = token_of("province")
    first = client.get("/api/v1/zones?limit=5", **auth).json()
    second = client.get("/api/v1/zones?limit=5&offset=5", **auth).json()
    assert len(first["items"]) == 5 and first["count"] == 36
    assert not {z["id"] for z in first["items"]} & {z["id"] for z in second["items"]}


@pytest.mark.parametrize("query", ["limit=100000", "limit=0", "offset=-1", "level=city", "limit=abc",
                                   "q=" + "x" * 51])
def test_bad_parameters_are_422_with_detail(client, token_of, query):
    resp = client.get(f"/api/v1/zones?{query}", **token_of("province"))
    assert resp.status_code == 422
    assert "detail" in resp.json()


@pytest.mark.parametrize("q", ["' OR 1=1 --", "'; DROP TABLE zones_zone; --", "<script>alert(1)</script>", "%_"])
def test_hostile_search_is_just_text(client, token_of, client_of, q):
    resp = client.get("/api/v1/zones", {"q": q}, **token_of("province"))
    assert resp.status_code == 200 and resp.json()["count"] == 0
    page = client_of("province").get("/zones/", {"q": q})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_unknown_zone_is_404(client, token_of):
    assert client.get("/api/v1/zones/99999999", **token_of("province")).status_code == 404
    assert client.get("/api/v1/zones/abc", **token_of("province")).status_code in (404, 422)


def test_list_query_count_is_fixed(client, token_of, django_assert_max_num_queries):
    auth = token_of("province")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/zones?limit=500", **auth).json()["items"]) == 36


def test_openapi_and_offline_docs(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/zones" in spec.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in docs and "cdn." not in docs and "unpkg" not in docs
