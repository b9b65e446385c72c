"""The security audit log: downloads recorded as a class (pages and API), access changes old → new from anywhere,
the log page and API scoped to the admin's subtree, retention and pruning."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kaifaqu.accounts.audit import AuditAction, AuditEvent, audit
from kaifaqu.accounts.audit_middleware import attachment_filename
from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.models import OrgUnit, User
from kaifaqu.core.changelog import change_context
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def events(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def only_event(action: str, **filters) -> AuditEvent:
    found = events(action, **filters)
    assert len(found) == 1, found
    return found[0]


# ---- downloads --------------------------------------------------------------------------------------------------

def test_project_ledger_export_on_the_page_writes_one_event_with_rows(client_of, user_of):
    ProjectFactory.create_batch(3)
    resp = client_of("yq-etdz").get("/projects/?stage=signed&export=xlsx")
    assert resp.status_code == 200
    event = only_event(AuditAction.EXPORT)
    user = user_of("yq-etdz")
    assert (event.user, event.username, event.org_unit, event.ip) == (user, "yq-etdz", user.org_unit, "127.0.0.1")
    assert event.target == f"项目台账-{timezone.localdate()}.xlsx"
    assert event.detail == {"filename": event.target, "path": "/projects/", "query": "stage=signed&export=xlsx",
                            "rows": 3}


def test_api_export_with_a_bearer_token_is_recorded_as_the_token_user(client, token_of, user_of):
    ProjectFactory.create_batch(2)
    auth = token_of("yangquan")
    resp = client.get("/api/v1/projects/export?stage=signed", **auth)
    assert resp.status_code == 200
    event = only_event(AuditAction.EXPORT)
    assert (event.user, event.org_unit) == (user_of("yangquan"), user_of("yangquan").org_unit)
    assert event.detail["path"] == "/api/v1/projects/export"
    assert event.detail["query"] == "stage=signed"
    assert event.detail["rows"] == 2


def test_template_downloads_are_downloads(client_of, client, token_of):
    assert client_of("yq-etdz").get("/projects/import/template/").status_code == 200
    assert client.get("/api/v1/projects/template", **token_of("yq-gxq")).status_code == 200
    found = events(AuditAction.DOWNLOAD)
    assert [(e.username, e.target) for e in found] == [("yq-etdz", "项目台账导入模板.xlsx"),
                                                       ("yq-gxq", "project-ledger-template.xlsx")]
    assert events(AuditAction.EXPORT) == []


@pytest.mark.parametrize("url", ["/services/tickets/?export=xlsx", "/investment/leads/?export=xlsx",
                                 "/investment/events/?export=xlsx", "/dispatch/?month=2024-03&export=xlsx"])
def test_each_apps_export_writes_one_event(client_of, url):
    resp = client_of("yangquan").get(url)
    assert resp.status_code == 200 and resp.has_header("Content-Disposition")
    event = only_event(AuditAction.EXPORT)
    assert event.detail["path"] == url.split("?")[0]
    assert event.target.endswith(".xlsx") and event.detail["rows"] >= 0


def test_pages_that_are_not_downloads_write_nothing(client_of):
    client = client_of("yangquan")
    assert client.get("/projects/").status_code == 200
    assert client.get("/api/v1/zones").status_code == 200
    assert not AuditEvent.objects.filter(action__in=[AuditAction.EXPORT, AuditAction.DOWNLOAD]).exists()


def test_a_refused_export_writes_nothing(client):
    assert client.get("/api/v1/projects/export").status_code == 401
    assert events(AuditAction.EXPORT) == []


@pytest.mark.parametrize(("header", "name"), [
    ("attachment; filename*=UTF-8''%E6%A8%A1%E6%9D%BF.xlsx", "模板.xlsx"),
    ('attachment; filename="ranking-2024-03.xlsx"; filename*=UTF-8\'\'%E6%8E%92.xlsx', "排.xlsx"),
    ("attachment; filename=a.xlsx", "a.xlsx"),
    ("=?utf-8?b?YXR0YWNobWVudDsgZmlsZW5hbWUqPVVURi04JyfosIPluqbooagtMjAyNC0wMy54bHN4?=", "调度表-2024-03.xlsx"),
    ("inline; filename=a.pdf", None),
])
def test_attachment_filename(header, name):
    assert attachment_filename(header) == name


# ---- access changes ----------------------------------------------------------------------------------------------

def make_user(username="audit-new", unit="S147007", role=Role.OPERATOR) -> User:
    return User.objects.create_user(username=username, password="Kfq-x-password-1",
                                    org_unit=OrgUnit.objects.get(code=unit), role=role)


def test_new_user_is_recorded_with_the_actor_and_the_new_users_unit(user_of):
    with change_context(user_of("province")):
        user = make_user()
    event = only_event(AuditAction.USER_CREATED, target="audit-new")
    assert (event.user, event.username, event.org_unit) == (user_of("province"), "province", user.org_unit)
    assert event.detail == {"role": {"old": None, "new": "operator"},
                            "org_unit": {"old": None, "new": "阳泉经济技术开发区"}}


def test_role_and_unit_change_old_to_new(user_of):
    user = make_user()
    user.role, user.org_unit = Role.ADMIN, OrgUnit.objects.get(code="140700")
    with change_context(user_of("province")):
        user.save()
    event = only_event(AuditAction.ROLE_CHANGED, target="audit-new")
    assert event.detail == {"role": {"old": "operator", "new": "admin"},
                            "org_unit": {"old": "阳泉经济技术开发区", "new": "晋中市"}}
    assert event.org_unit.code == "140700" and event.username == "province"
    assert events(AuditAction.PERMISSION_CHANGED, target="audit-new") == []


def test_flags_change_is_a_permission_change_and_unchanged_save_writes_nothing():
    user = make_user()
    user.save()
    user.full_name = "张三"
    user.save()
    assert AuditEvent.objects.filter(target="audit-new").exclude(action=AuditAction.USER_CREATED).count() == 0
    user.is_staff, user.is_superuser = True, True
    user.save()
    event = only_event(AuditAction.PERMISSION_CHANGED, target="audit-new")
    assert event.detail == {"is_staff": {"old": False, "new": True}, "is_superuser": {"old": False, "new": True}}
    assert event.user is None and event.username == ""  # no request: the system (a shell, a command)


def test_deactivation_and_reactivation():
    user = make_user()
    user.is_active = False
    user.save(update_fields=["is_active"])
    event = only_event(AuditAction.USER_DEACTIVATED, target="audit-new")
    assert event.detail == {"is_active": {"old": True, "new": False}}
    user.is_active = True
    user.save()
    event = only_event(AuditAction.PERMISSION_CHANGED, target="audit-new")
    assert event.detail == {"is_active": {"old": False, "new": True}}


def test_a_login_timestamp_save_is_not_an_access_change(django_assert_num_queries):
    user = make_user()
    user.last_login = timezone.now()
    with django_assert_num_queries(1):  # the UPDATE alone: no stored row read for the audit
        user.save(update_fields=["last_login"])


def test_groups_added_and_removed_from_either_side(user_of):
    user = make_user()
    group = Group.objects.create(name="审计测试组")
    with change_context(user_of("province")):
        user.groups.add(group)
        group.user_set.remove(user)
    found = events(AuditAction.PERMISSION_CHANGED, target="audit-new")
    assert [e.detail for e in found] == [{"groups": {"old": [], "new": ["审计测试组"]}},
                                         {"groups": {"old": ["审计测试组"], "new": []}}]
    assert {e.username for e in found} == {"province"}
    user.groups.add(group)
    user.groups.add(group)  # already in it: no change, no event
    user.groups.clear()
    assert len(events(AuditAction.PERMISSION_CHANGED, target="audit-new")) == 4


def test_single_permissions_granted():
    user = make_user()
    perm = Permission.objects.get(codename="view_project")
    user.user_permissions.add(perm)
    event = only_event(AuditAction.PERMISSION_CHANGED, target="audit-new")
    assert event.detail == {"user_permissions": {"old": [], "new": ["projects.view_project"]}}


def test_role_change_in_the_admin_site_is_recorded_with_the_admin_and_ip(client_of, user_of):
    target = user_of("yq-gxq")
    client = client_of("province")
    form = {"username": "yq-gxq", "full_name": target.full_name, "email": "", "org_unit": target.org_unit_id,
            "role": Role.REVIEWER, "is_active": "on", "is_staff": "", "groups": [],
            "last_login_0": "", "last_login_1": "", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"}
    resp = client.post(f"/admin/accounts/user/{target.pk}/change/", form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    event = only_event(AuditAction.ROLE_CHANGED, target="yq-gxq")
    assert (event.username, event.ip, event.org_unit) == ("province", "127.0.0.1", target.org_unit)
    assert event.detail == {"role": {"old": "operator", "new": "reviewer"}}


# ---- the log page and API ---------------------------------------------------------------------------------------

def test_retention_setting_and_prune(settings):
    old = audit(action=AuditAction.LOGIN, username="old")
    kept = audit(action=AuditAction.LOGIN, username="kept")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=184))
    AuditEvent.objects.filter(pk=kept.pk).update(at=timezone.now() - timedelta(days=182))
    total = AuditEvent.objects.count()
    out = StringIO()
    call_command("prune_audit", "--dry-run", stdout=out)
    assert "共1条" in out.getvalue() and "试运行" in out.getvalue()
    assert AuditEvent.objects.count() == total
    out = StringIO()
    call_command("prune_audit", stdout=out)
    assert "已删除" in out.getvalue() and "1条" in out.getvalue()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists() and AuditEvent.objects.count() == total - 1


def test_prune_refuses_less_than_six_months(settings):
    event = audit(action=AuditAction.LOGIN, username="x")
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=100))
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(CommandError, match="至少保留183天"):
        call_command("prune_audit", stdout=StringIO())
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    from django.core.checks import run_checks

    assert [e.id for e in run_checks() if e.id.startswith("accounts.")] == ["accounts.E001"]
