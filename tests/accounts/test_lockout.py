"""Login lockout by django-axes: per account and address, a cap per address across accounts, the admin login under
the same rules, no race under concurrent guesses, and every login event in the audit log."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from axes.models import AccessAttempt
from django.db import connection, connections
from django.test import Client

from kaifaqu.accounts.audit import AuditAction, AuditEvent
from kaifaqu.accounts.models import ApiToken, User
from tests.conftest import PASSWORD

LOCKED = "登录失败次数过多，请15分钟后再试。"


def post_token(client, username, password, ip="127.0.0.1"):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json", REMOTE_ADDR=ip)


# The events a login writes; the users the fixtures create are audited too (新建用户), and are not counted here.
LOGIN_ACTIONS = [AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOCKED_OUT, AuditAction.LOGOUT]


def login_events():
    return AuditEvent.objects.filter(action__in=LOGIN_ACTIONS)


def actions(**filters) -> list[str]:
    return list(login_events().filter(**filters).order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_account_locked_from_one_address_only(client):
    for _ in range(5):
        post_token(client, "yangquan", "Wrong-password-1", ip="10.0.0.1")
    assert post_token(client, "yangquan", PASSWORD, ip="10.0.0.1").json() == {"detail": LOCKED}
    # The same account from another address, and another account from the locked address, still log in.
    assert post_token(client, "yangquan", PASSWORD, ip="10.0.0.2").status_code == 200
    assert post_token(client, "jinzhong", PASSWORD, ip="10.0.0.1").status_code == 200
    assert ApiToken.objects.filter(user__username="yangquan").count() == 1


@pytest.mark.django_db
def test_success_before_the_limit_clears_the_count(client):
    for _ in range(4):
        assert post_token(client, "yangquan", "Wrong-password-1").status_code == 401
    assert post_token(client, "yangquan", PASSWORD).status_code == 200
    assert not AccessAttempt.objects.filter(username="yangquan").exists()
    for _ in range(4):
        assert post_token(client, "yangquan", "Wrong-password-1").status_code == 401


@pytest.mark.django_db
def test_address_capped_across_accounts(client):
    """20 failures from one address over five accounts (4 each, none locked by itself) lock the address out."""
    for username in ("province", "province-viewer", "yangquan", "jinzhong", "yq-etdz"):
        for _ in range(4):
            post_token(client, username, "Wrong-password-1", ip="10.0.0.9")
    resp = post_token(client, "yq-gxq", PASSWORD, ip="10.0.0.9")
    assert (resp.status_code, resp.json()) == (429, {"detail": LOCKED})
    assert not ApiToken.objects.exists()
    assert post_token(client, "yq-gxq", PASSWORD, ip="10.0.0.10").status_code == 200


@pytest.mark.django_db
def test_address_below_the_cap_is_not_locked(client):
    for username in ("province", "province-viewer", "yangquan", "jinzhong"):
        for _ in range(4):
            post_token(client, username, "Wrong-password-1", ip="10.0.0.9")
    post_token(client, "yq-etdz", "Wrong-password-1", ip="10.0.0.9")  # 17 in all
    assert post_token(client, "yq-gxq", PASSWORD, ip="10.0.0.9").status_code == 200


@pytest.mark.django_db
def test_lockout_ends_after_the_window(client):
    for _ in range(5):
        post_token(client, "yangquan", "Wrong-password-1")
    assert post_token(client, "yangquan", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2020))
    assert post_token(client, "yangquan", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_login_page_lockout_is_429_with_the_chinese_message(client):
    for n in range(5):
        resp = client.post("/login/", {"username": "yq-etdz", "password": "Wrong-password-1"})
        assert resp.status_code == (429 if n == 4 else 200)
    resp = client.post("/login/", {"username": "yq-etdz", "password": PASSWORD})
    assert resp.status_code == 429
    page = resp.content.decode()
    assert LOCKED in page and "用户登录" in page  # the login page itself, with the message
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_is_under_the_same_lockout(client):
    for _ in range(5):
        client.post("/admin/login/", {"username": "province", "password": "Wrong-password-1"})
    resp = client.post("/admin/login/?next=/admin/", {"username": "province", "password": PASSWORD})
    assert resp.status_code == 429
    assert LOCKED in resp.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_events_are_audited(client, user_of):
    first = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0  # users made by fixtures
    client.post("/login/", {"username": "yangquan", "password": "Wrong-password-1"}, REMOTE_ADDR="10.1.2.3")
    client.post("/login/", {"username": "yangquan", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post("/logout/", REMOTE_ADDR="10.1.2.3")
    user = user_of("yangquan")
    events = list(AuditEvent.objects.filter(id__gt=first).order_by("id"))
    assert [(e.action, e.username, e.ip, e.org_unit) for e in events] == [
        (AuditAction.LOGIN_FAILED, "yangquan", "10.1.2.3", user.org_unit),
        (AuditAction.LOGIN, "yangquan", "10.1.2.3", user.org_unit),
        (AuditAction.LOGOUT, "yangquan", "10.1.2.3", user.org_unit),
    ]
    assert events[0].user is None and events[1].user == user == events[2].user
    assert events[2].detail == {"reason": "user"}


@pytest.mark.django_db
def test_lockout_is_audited(client, user_of):
    for _ in range(5):
        post_token(client, "jinzhong", "Wrong-password-1", ip="10.1.2.4")
    # axes announces the lockout while it counts the fifth failure, before that failure is audited.
    assert actions() == [AuditAction.LOGIN_FAILED] * 4 + [AuditAction.LOCKED_OUT, AuditAction.LOGIN_FAILED]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id").last().detail == {"locked": True}
    event = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert (event.username, event.ip, event.org_unit) == ("jinzhong", "10.1.2.4", user_of("jinzhong").org_unit)


@pytest.mark.django_db
def test_failed_login_of_an_unknown_account_is_audited_without_unit(client):
    post_token(client, "no-such-user", "Wrong-password-1")
    event = login_events().get()
    assert (event.action, event.username, event.org_unit, event.user) == (
        AuditAction.LOGIN_FAILED, "no-such-user", None, None)


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_are_checked_no_more_than_the_limit(monkeypatch):
    """40 wrong passwords at once for one account from one address: the password is checked 5 times (the limit),
    the 5th failure and all later attempts are refused without a check. The hand throttle checked 12."""
    if connection.vendor != "postgresql":
        pytest.skip("并发测试需要 PostgreSQL（SQLite 的测试库在内存中，线程间不能并发写）")
    User.objects.create_user("guess-target", password=PASSWORD)
    checks, lock = [], threading.Lock()
    original = User.check_password

    def counting(self, raw_password):
        with lock:
            checks.append(self.username)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    barrier = threading.Barrier(40)

    def attempt(_n):
        try:
            barrier.wait(timeout=30)
            return post_token(Client(), "guess-target", "Wrong-password-1").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=40) as pool:
        codes = list(pool.map(attempt, range(40)))
    assert len(checks) == 5
    assert sorted(codes) == [401] * 4 + [429] * 36
    assert AccessAttempt.objects.get(username="guess-target").failures_since_start == 40


@pytest.mark.django_db
def test_behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for(client, settings):
    settings.KAIFAQU_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    for _ in range(5):
        client.post("/api/v1/auth/token", {"username": "yangquan", "password": "Wrong-password-1"},
                    content_type="application/json", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.1.1.1", **proxy)
    locked = client.post("/api/v1/auth/token", {"username": "yangquan", "password": PASSWORD},
                         content_type="application/json", HTTP_X_FORWARDED_FOR="1.1.1.1", **proxy)
    other = client.post("/api/v1/auth/token", {"username": "yangquan", "password": PASSWORD},
                        content_type="application/json", HTTP_X_FORWARDED_FOR="2.2.2.2", **proxy)
    assert (locked.status_code, other.status_code) == (429, 200)
    assert set(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("ip", flat=True)) == {
        "1.1.1.1"}


@pytest.mark.django_db
def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client):
    for n in range(5):
        client.post("/api/v1/auth/token", {"username": "yangquan", "password": "Wrong-password-1"},
                    content_type="application/json", HTTP_X_FORWARDED_FOR=f"7.7.7.{n}")
    resp = client.post("/api/v1/auth/token", {"username": "yangquan", "password": PASSWORD},
                       content_type="application/json", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert resp.status_code == 429
    assert set(login_events().values_list("ip", flat=True)) == {"127.0.0.1"}
