"""Passwords (等保2.0 三级): rules with character classes in Chinese, history of 5, expiry, the self-service change."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kaifaqu.accounts.audit import AuditAction, AuditEvent
from kaifaqu.accounts.models import PasswordHistory, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Shanxi#Kaifaqu2025"


def messages_for(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize("password", ["Kfq-test-password-2024", "Shanxi#Kaifaqu2025", "taiyuan-1403-xian",
                                      "TAIYUAN1403xian", "阳泉Zone#2024!"])
def test_strong_passwords_are_accepted(password):
    assert messages_for(password) == []


@pytest.mark.parametrize(("password", "expected"), [
    ("Ab1-", ["密码太短，至少需要10个字符。"]),
    ("taiyuankaifaqu", ["密码须包含大写字母、小写字母、数字、符号四类中的至少3类。"]),
    ("Taiyuankaifaqu", ["密码须包含大写字母、小写字母、数字、符号四类中的至少3类。"]),
    ("1403001403001", ["密码须包含大写字母、小写字母、数字、符号四类中的至少3类。", "密码只包含数字。"]),
    ("12345678", ["密码太短，至少需要10个字符。", "密码须包含大写字母、小写字母、数字、符号四类中的至少3类。",
                  "这个密码太常见了。", "密码只包含数字。"]),
])
def test_weak_passwords_are_refused_in_chinese(password, expected):
    assert messages_for(password) == expected


def test_password_like_the_account_is_refused(user_of):
    assert messages_for("Yangquan-2024", user_of("yangquan")) == ["密码跟 用户名 太相似了。"]


def test_rules_are_listed_in_chinese():
    texts = password_validators_help_texts()
    assert "密码至少10个字符。" in texts
    assert "密码须包含大写字母、小写字母、数字、符号四类中的至少3类。" in texts
    assert "新密码不能与最近5次使用过的密码相同。" in texts
    assert all(not any("a" <= ch <= "z" for ch in text) for text in texts)  # no English left


def test_history_keeps_the_last_five_and_refuses_their_reuse(user_of):
    user = user_of("jinzhong")
    passwords = [f"Jinzhong#{n}-kaifaqu" for n in range(6)]
    for password in passwords:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in passwords[1:]:  # the current one and the four before it
        assert messages_for(recent, user) == ["新密码不能与最近5次使用过的密码相同。"]
    assert messages_for(passwords[0], user) == []  # the sixth back has left the history
    assert messages_for(NEW, user) == []


def test_setting_a_password_stamps_its_date(user_of):
    user = user_of("yq-gxq")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=200))
    user.refresh_from_db()
    user.set_password(NEW)
    user.save()
    user.refresh_from_db()
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)


def expire(username: str, days: int = 91) -> None:
    User.objects.filter(username=username).update(password_changed_at=timezone.now() - timedelta(days=days))


def test_expired_password_sends_to_the_change_page_after_login():
    expire("yangquan")
    client = Client()
    resp = client.post("/login/", {"username": "yangquan", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"
    for path in ("/", "/projects/", "/zones/", "/admin/"):
        resp = client.get(path)
        assert (resp.status_code, resp["Location"]) == (302, "/accounts/password/"), path
    page = client.get("/accounts/password/").content.decode()
    assert "您的密码已过期，请先修改密码再继续使用平台。" in page
    assert client.get("/api/v1/zones").json() == {"detail": "密码已过期，请先在平台修改密码"}


def test_password_89_days_old_is_not_expired(client_of):
    expire("yangquan", days=89)
    assert client_of("yangquan").get("/").status_code == 200


def test_max_age_is_configurable(client_of, settings):
    expire("yangquan", days=31)
    settings.KAIFAQU_PASSWORD_MAX_AGE_DAYS = 30
    assert client_of("yangquan").get("/")["Location"] == "/accounts/password/"
    settings.KAIFAQU_PASSWORD_MAX_AGE_DAYS = 0  # never
    assert client_of("yangquan").get("/").status_code == 200


def test_expired_user_changes_password_and_goes_on(client_of, user_of):
    expire("yangquan")
    client = client_of("yangquan")
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW,
                                               "new_password2": NEW})
    assert (resp.status_code, resp["Location"]) == (302, "/")
    assert client.get("/").status_code == 200  # still logged in, no longer expired
    user = user_of("yangquan")
    assert user.check_password(NEW)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.user, event.username, event.org_unit) == (user, "yangquan", user.org_unit)


def test_expired_password_gets_no_api_token(client):
    expire("jinzhong")
    resp = client.post("/api/v1/auth/token", {"username": "jinzhong", "password": PASSWORD},
                       content_type="application/json")
    assert resp.status_code == 403
    assert resp.json() == {"detail": "密码已过期，请先登录平台修改密码"}


def test_change_page_is_linked_from_the_header_and_in_chinese(client_of):
    client = client_of("yq-etdz")
    assert 'href="/accounts/password/"' in client.get("/").content.decode()
    page = client.get("/accounts/password/").content.decode()
    rule = "密码须包含大写字母、小写字母、数字、符号四类中的至少3类。"
    for text in ("修改密码", "旧密码", "新密码", "新密码确认", rule):
        assert text in page


@pytest.mark.parametrize(("old", "new1", "new2", "message"), [
    ("wrong-Password-1", NEW, NEW, "你的旧密码不正确。请重新输入。"),
    (PASSWORD, NEW, NEW + "x", "输入的两个密码不一致。"),
    (PASSWORD, "kaifaqukaifaqu", "kaifaqukaifaqu", "密码须包含大写字母、小写字母、数字、符号四类中的至少3类。"),
    (PASSWORD, "Short-1", "Short-1", "密码太短，至少需要10个字符。"),
    (PASSWORD, PASSWORD, PASSWORD, "新密码不能与最近5次使用过的密码相同。"),
])
def test_change_refused_with_chinese_message_changes_nothing(client_of, user_of, old, new1, new2, message):
    before = user_of("yq-etdz").password
    resp = client_of("yq-etdz").post("/accounts/password/", {"old_password": old, "new_password1": new1,
                                                             "new_password2": new2})
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert user_of("yq-etdz").password == before
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_change_page_needs_login(client):
    resp = client.get("/accounts/password/")
    assert (resp.status_code, resp["Location"]) == (302, "/login/?next=/accounts/password/")


def test_demo_password_follows_the_rules(tmp_path, settings, monkeypatch):
    from kaifaqu.core.management.commands.demo import demo_password

    monkeypatch.delenv("KAIFAQU_DEMO_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path
    (tmp_path / "demo_password").write_text("kfq-lowercase")  # kept from before the rules: made again
    password = demo_password()
    assert password != "kfq-lowercase" and password.startswith("Kfq-")
    assert messages_for(password) == []
    assert demo_password() == password  # kept


def test_demo_refuses_a_chosen_password_that_breaks_the_rules(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("KAIFAQU_DEMO_PASSWORD", "demo12345")
    with pytest.raises(CommandError, match="KAIFAQU_DEMO_PASSWORD 不符合密码规则"):
        call_command("demo")
