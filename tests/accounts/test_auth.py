"""Authentication: tokens (issued, hashed at rest, revoked), wrong passwords, throttling, CSRF, bad tokens."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from kaifaqu.accounts.models import ApiToken, hash_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post_token(client, username, password):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json")


def test_token_issue_use_and_revoke(client):
    resp = post_token(client, "yangquan", PASSWORD)
    assert resp.status_code == 200
    raw = resp.json()["token"]
    stored = ApiToken.objects.get(user__username="yangquan", revoked_at__isnull=True)
    assert stored.key_hash == hash_token(raw) and raw not in (stored.key_hash, stored.prefix + "x")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/zones", **auth).status_code == 200
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    resp = client.get("/api/v1/zones", **auth)
    assert resp.status_code == 401
    assert "令牌" in resp.json()["detail"]


def test_wrong_password_is_401_and_counted(client):
    resp = post_token(client, "yangquan", "wrong-password")
    assert resp.status_code == 401
    assert resp.json() == {"detail": "用户名或密码错误"}
    assert AccessAttempt.objects.get(username="yangquan", ip_address="127.0.0.1").failures_since_start == 1
    assert not ApiToken.objects.filter(user__username="yangquan").exists()


def test_throttling_after_five_failures_even_with_right_password(client):
    for _ in range(4):
        assert post_token(client, "jinzhong", "nope-nope-nope").status_code == 401
    # The fifth failure locks the account out from this address, and says so.
    assert post_token(client, "jinzhong", "nope-nope-nope").status_code == 429
    resp = post_token(client, "jinzhong", PASSWORD)
    assert resp.status_code == 429
    assert "15分钟" in resp.json()["detail"]
    # Another account from the same address is not locked out.
    assert post_token(client, "yangquan", PASSWORD).status_code == 200


def test_login_page_throttles_too(client):
    for _ in range(5):
        client.post("/login/", {"username": "yq-etdz", "password": "bad-bad-bad"})
    resp = client.post("/login/", {"username": "yq-etdz", "password": PASSWORD})
    assert resp.status_code == 429
    assert "登录失败次数过多，请15分钟后再试。" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_in_chinese_and_logs_in(client):
    page = client.get("/login/").content.decode()
    assert "用户登录" in page and "密码" in page
    resp = client.post("/login/", {"username": "yangquan", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert "阳泉市" in client.get("/").content.decode()


def test_login_form_requires_csrf():
    client = Client(enforce_csrf_checks=True)
    resp = client.post("/login/", {"username": "yangquan", "password": PASSWORD})
    assert resp.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer not-a-token", "Token abc", "Basic eWFuZ3F1YW4=",
                                    "Bearer " + "x" * 5000, "Bearer ' OR 1=1 --"])
def test_malformed_tokens_are_401(client, header):
    resp = client.get("/api/v1/zones", HTTP_AUTHORIZATION=header)
    assert resp.status_code == 401
    assert resp.json()["detail"]


def test_revoking_without_token_is_refused(client_of):
    assert client_of("yangquan").delete("/api/v1/auth/token").status_code in (400, 403)


def test_inactive_users_token_stops_working(client, token_of, user_of):
    auth = token_of("yq-gxq")
    user = user_of("yq-gxq")
    user.is_active = False
    user.save()
    assert client.get("/api/v1/zones", **auth).status_code == 401


