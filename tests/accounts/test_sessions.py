"""Sessions (等保2.0 三级): logged out after 30 idle minutes (configurable) and 8 hours after login; bearer calls
untouched. Time is moved by editing the session's timestamps."""

import pytest
from django.test import Client
from django.utils import timezone

from kaifaqu.accounts.audit import AuditAction, AuditEvent
from kaifaqu.accounts.middleware import SEEN_KEY, STARTED_KEY
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(username: str = "yangquan") -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def shift(client: Client, **seconds_ago: int) -> None:
    """Pretend the session was last active / started that many seconds ago."""
    session = client.session
    now = int(timezone.now().timestamp())
    for key, ago in seconds_ago.items():
        session[{"seen": SEEN_KEY, "started": STARTED_KEY}[key]] = now - ago
    session.save()


def test_login_stamps_the_session():
    session = logged_in().session
    now = int(timezone.now().timestamp())
    assert abs(session[SEEN_KEY] - now) <= 2 and session[STARTED_KEY] == session[SEEN_KEY]


def test_idle_session_is_logged_out_with_a_chinese_message():
    client = logged_in()
    shift(client, seen=31 * 60)
    resp = client.get("/projects/?page=2")
    assert (resp.status_code, resp["Location"]) == (302, "/login/?next=/projects/%3Fpage%3D2")
    assert "_auth_user_id" not in client.session
    page = client.get(resp["Location"]).content.decode()
    assert "您已超过30分钟未操作，为保障安全已自动退出，请重新登录。" in page
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT).get()
    assert (event.username, event.detail) == ("yangquan", {"reason": "idle"})


def test_activity_within_the_idle_time_keeps_the_session():
    client = logged_in()
    shift(client, seen=29 * 60)
    assert client.get("/").status_code == 200
    now = int(timezone.now().timestamp())
    assert abs(client.session[SEEN_KEY] - now) <= 2  # the request counted as activity
    shift(client, seen=29 * 60)
    assert client.get("/").status_code == 200


def test_recent_activity_is_not_saved_on_every_request():
    client = logged_in()
    shift(client, seen=30)
    before = client.session[SEEN_KEY]
    client.get("/")
    assert client.session[SEEN_KEY] == before


def test_idle_time_is_configurable(settings):
    settings.SESSION_IDLE_SECONDS = 5 * 60
    client = logged_in()
    shift(client, seen=6 * 60)
    assert client.get("/")["Location"] == "/login/?next=/"
    message = "您已超过5分钟未操作，为保障安全已自动退出，请重新登录。"
    assert message in client.get("/login/").content.decode()
    assert message not in client.get("/login/").content.decode()  # shown once


def test_busy_session_ends_eight_hours_after_login():
    client = logged_in()
    shift(client, seen=10, started=8 * 3600 + 60)
    resp = client.get("/zones/")
    assert resp["Location"] == "/login/?next=/zones/"
    assert "登录已超过8小时，为保障安全已自动退出，请重新登录。" in client.get("/login/").content.decode()
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).detail == {"reason": "age"}


def test_htmx_request_of_an_idle_session_is_sent_to_login_whole():
    client = logged_in()
    shift(client, seen=31 * 60)
    resp = client.get("/projects/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and resp["HX-Redirect"] == "/login/"


def test_idle_session_on_the_api_is_401_not_a_redirect():
    client = logged_in()
    shift(client, seen=31 * 60)
    resp = client.get("/api/v1/zones")
    assert resp.status_code == 401
    assert "_auth_user_id" not in client.session


def test_bearer_calls_are_untouched(client, token_of):
    auth = token_of("yangquan")
    assert client.get("/api/v1/zones", **auth).status_code == 200
    assert SEEN_KEY not in client.session
    assert not AuditEvent.objects.filter(action=AuditAction.LOGOUT).exists()
