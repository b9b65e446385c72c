"""API tokens: they expire, die with a password change or a deactivation, and their owner lists and revokes them
(on a page and through the API); another user's token cannot be touched. Issue and revoke are audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kaifaqu.accounts.audit import AuditAction, AuditEvent
from kaifaqu.accounts.models import ApiToken, hash_token
from kaifaqu.accounts.services import token_issue, token_user
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def stored(raw: str) -> ApiToken:
    return ApiToken.objects.get(key_hash=hash_token(raw))


def test_a_token_expires_after_the_configured_days(client, user_of, settings):
    settings.API_TOKEN_DAYS = 5
    before = timezone.now()
    raw = token_issue(user=user_of("yangquan"))
    token = stored(raw)
    assert before + timedelta(days=5) <= token.expires_at <= timezone.now() + timedelta(days=5)
    assert client.get("/api/v1/zones", **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    resp = client.get("/api/v1/zones", **bearer(raw))
    assert resp.status_code == 401
    assert resp.json() == {"detail": "访问令牌无效、已过期或已被吊销，请重新获取令牌"}
    assert token_user(raw=raw) is None
    assert stored(raw).state == "已过期" and stored(raw).revoked_at is None


def test_default_lifetime_is_thirty_days(user_of):
    token = stored(token_issue(user=user_of("yangquan")))
    assert token.expires_at - token.created_at == pytest.approx(timedelta(days=30), abs=timedelta(seconds=5))


def test_issue_is_audited(client):
    resp = client.post("/api/v1/auth/token", {"username": "jinzhong", "password": PASSWORD},
                       content_type="application/json")
    token = stored(resp.json()["token"])
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_ISSUED, username="jinzhong")
    assert (event.target, event.ip, event.detail["token"]) == (f"{token.prefix}…", "127.0.0.1", token.pk)
    assert resp.json()["token"] not in str(event.detail)


def test_a_password_change_kills_every_token(client, user_of):
    user = user_of("yq-gxq")
    raws = [token_issue(user=user), token_issue(user=user)]
    other = token_issue(user=user_of("yq-etdz"))
    user.set_password("Another-password-2025")
    user.save()
    for raw in raws:
        assert client.get("/api/v1/zones", **bearer(raw)).status_code == 401
        assert (stored(raw).state, stored(raw).revoked_reason) == ("已吊销", "密码已修改")
    assert client.get("/api/v1/zones", **bearer(other)).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED, target="yq-gxq")
    assert event.detail["reason"] == "密码已修改"
    assert sorted(event.detail["tokens"]) == sorted(f"{stored(r).prefix}…" for r in raws)
    assert event.org_unit == user.org_unit


def test_a_hash_upgrade_at_login_is_not_a_password_change(client, user_of, settings):
    user = user_of("yq-gxq")
    raw = token_issue(user=user)
    old_hash = user.password
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.NewerMD5Hasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert user.check_password(PASSWORD)
    user.refresh_from_db()
    assert user.password != old_hash and user.password.startswith("md5-newer$")
    assert client.get("/api/v1/zones", **bearer(raw)).status_code == 200
    assert stored(raw).revoked_at is None


def test_deactivation_kills_tokens_and_reactivation_does_not_revive_them(client, user_of):
    user = user_of("yq-gxq")
    raw = token_issue(user=user)
    user.is_active = False
    user.save()
    assert (stored(raw).state, stored(raw).revoked_reason) == ("已吊销", "账号已停用")
    user.is_active = True
    user.save()
    assert client.get("/api/v1/zones", **bearer(raw)).status_code == 401


def test_the_owner_lists_own_tokens_only_through_the_api(client, user_of):
    mine = token_issue(user=user_of("yangquan"))
    dead = token_issue(user=user_of("yangquan"))
    stored(dead).revoke("本人吊销")
    token_issue(user=user_of("jinzhong"))
    resp = client.get("/api/v1/auth/tokens", **bearer(mine))
    assert resp.status_code == 200
    rows = resp.json()
    assert [r["id"] for r in rows] == [stored(dead).pk, stored(mine).pk]
    assert [r["state"] for r in rows] == ["已吊销", "有效"]
    assert rows[1]["prefix"] == mine[:8] and rows[1]["last_used_at"] is not None
    assert mine not in resp.content.decode() and "key_hash" not in rows[0]


def test_the_owner_revokes_through_the_api_and_it_is_audited(client, user_of):
    raw = token_issue(user=user_of("yangquan"))
    spare = token_issue(user=user_of("yangquan"))
    resp = client.delete(f"/api/v1/auth/tokens/{stored(spare).pk}", **bearer(raw))
    assert resp.status_code == 204
    assert client.get("/api/v1/zones", **bearer(spare)).status_code == 401
    assert client.get("/api/v1/zones", **bearer(raw)).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED, target=f"{stored(spare).prefix}…")
    assert (event.username, event.detail["reason"]) == ("yangquan", "本人吊销")


@pytest.mark.parametrize("token_id", ["other", "99999999", "9223372036854775807"])
def test_another_users_token_cannot_be_revoked_through_the_api(client, user_of, token_id):
    raw = token_issue(user=user_of("yangquan"))
    theirs = token_issue(user=user_of("jinzhong"))
    pk = stored(theirs).pk if token_id == "other" else token_id
    resp = client.delete(f"/api/v1/auth/tokens/{pk}", **bearer(raw))
    assert resp.status_code == 404
    assert stored(theirs).revoked_at is None
    assert client.get("/api/v1/zones", **bearer(theirs)).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).exists()


@pytest.mark.parametrize("token_id", ["0", "9223372036854775808", "99999999999999999999999"])
def test_out_of_range_ids_are_refused_in_chinese(client, user_of, token_id):
    raw = token_issue(user=user_of("yangquan"))
    resp = client.delete(f"/api/v1/auth/tokens/{token_id}", **bearer(raw))
    assert resp.status_code == 422
    assert "令牌" in resp.json()["detail"] or "token_id" in resp.json()["detail"]


# ---- the page ---------------------------------------------------------------------------------------------------

def test_the_page_issues_a_token_shown_once(client_of):
    client = client_of("yq-etdz")
    resp = client.post("/accounts/tokens/")
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user__username="yq-etdz")
    page = resp.content.decode()
    raw = page.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    assert hash_token(raw) == token.key_hash
    assert client.get("/api/v1/zones", **bearer(raw)).status_code == 200
    again = client.get("/accounts/tokens/").content.decode()
    assert raw not in again and f"{token.prefix}…" in again and "有效" in again
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_ISSUED, username="yq-etdz").count() == 1


def test_the_page_lists_state_and_revokes_own(client_of, user_of):
    user = user_of("yq-etdz")
    live, expired = stored(token_issue(user=user)), stored(token_issue(user=user))
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client = client_of("yq-etdz")
    page = client.get("/accounts/tokens/").content.decode()
    assert page.count("已过期") == 1 and page.count(">有效") == 1 and "从未使用" in page
    resp = client.post(f"/accounts/tokens/{live.pk}/revoke/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/tokens/"
    live.refresh_from_db()
    assert (live.state, live.revoked_reason) == ("已吊销", "本人吊销")
    assert "已吊销" in client.get("/accounts/tokens/").content.decode()


@pytest.mark.parametrize("token_id", ["other", "99999999999999999999999"])
def test_the_page_refuses_another_users_token(client_of, user_of, token_id):
    theirs = stored(token_issue(user=user_of("yq-gxq")))
    pk = theirs.pk if token_id == "other" else token_id
    resp = client_of("yq-etdz").post(f"/accounts/tokens/{pk}/revoke/")
    assert resp.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_page_needs_a_login_and_revoke_needs_post(client, client_of, user_of):
    assert client.get("/accounts/tokens/").status_code == 302
    token = stored(token_issue(user=user_of("yq-etdz")))
    assert client_of("yq-etdz").get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
