"""GET /api/v1/auth/me: who the caller is, for a token and for a session; nobody without either."""

import pytest

pytestmark = pytest.mark.django_db


def test_me_answers_the_caller(client, token_of, client_of):
    me = client.get("/api/v1/auth/me", **token_of("yq-etdz")).json()
    assert me == {"username": "yq-etdz", "name": me["name"], "role": "operator", "org_unit": "阳泉经济技术开发区",
                  "scope": "阳泉经济技术开发区"}
    assert client_of("province").get("/api/v1/auth/me").json()["org_unit"] == "山西省"
    assert client.get("/api/v1/auth/me").status_code == 401
