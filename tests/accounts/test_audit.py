"""The security audit log: downloads recorded as a class (pages and API), access changes old → new from anywhere,
the log page and API scoped to the admin's subtree, retention and pruning."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kaifaqu.accounts.audit import AuditAction, AuditEvent, audit
from kaifaqu.accounts.audit_middleware import attachment_filename
from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.models import OrgUnit, User
from kaifaqu.accounts.services import token_issue
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


@pytest.mark.parametrize("url", ["/services/tickets/?export=xlsx", "/services/tickets/stats/?export=xlsx",
                                 "/services/items/?export=xlsx", "/investment/leads/?export=xlsx",
                                 "/investment/events/?export=xlsx", "/dispatch/?month=2024-03&export=xlsx",
                                 "/projects/three-un/?export=xlsx"])
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
    # Recorded under the new unit, and under the one left, whose admin would not see the other.
    found = events(AuditAction.ROLE_CHANGED, target="audit-new")
    assert [e.org_unit.code for e in found] == ["140700", "S147007"]
    for event in found:
        assert event.detail == {"role": {"old": "operator", "new": "admin"},
                                "org_unit": {"old": "阳泉经济技术开发区", "new": "晋中市"}}
        assert event.username == "province"
    assert events(AuditAction.PERMISSION_CHANGED, target="audit-new") == []


def test_a_move_down_the_own_subtree_is_recorded_once():
    user = make_user(unit="140300")
    user.org_unit = OrgUnit.objects.get(code="S147007")
    user.save()
    event = only_event(AuditAction.ROLE_CHANGED, target="audit-new")
    assert event.org_unit.code == "S147007"
    assert event.detail == {"org_unit": {"old": "阳泉市", "new": "阳泉经济技术开发区"}}


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


@pytest.fixture
def city_admin(db) -> User:
    """An admin of 阳泉市 (the demo has none below the province)."""
    return User.objects.create_user(username="yq-admin", password=PASSWORD_X, role=Role.ADMIN,
                                    org_unit=OrgUnit.objects.get(code="140300"))


PASSWORD_X = "Kfq-admin-password-9"


def seed_events() -> dict[str, AuditEvent]:
    """One event in a 阳泉 zone, one at 阳泉市, one in 晋中 and one with no unit (an unknown login name)."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["S147007", "140300", "140700"])}
    return {
        "yq-zone": audit(action=AuditAction.LOGIN_FAILED, username="yq-etdz", org_unit=units["S147007"]),
        "yq-city": audit(action=AuditAction.EXPORT, username="yangquan", org_unit=units["140300"],
                         target="项目台账.xlsx", detail={"filename": "项目台账.xlsx", "rows": 7, "path": "/projects/",
                                                       "query": "export=xlsx"}),
        "jz-city": audit(action=AuditAction.EXPORT, username="jinzhong", org_unit=units["140700"]),
        "nowhere": audit(action=AuditAction.LOGIN_FAILED, username="nobody"),
    }


def test_a_city_admin_reads_the_citys_subtree_only(client, city_admin):
    seeded = seed_events()
    client.force_login(city_admin)
    resp = client.get("/accounts/audit/")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "项目台账.xlsx" in page and "文件：项目台账.xlsx；行数：7；地址：/projects/?export=xlsx" in page
    assert "yq-etdz" in page and "jinzhong" not in page and "nobody" not in page
    shown = resp.context["page"].object_list
    assert {e.pk for e in shown} >= {seeded["yq-zone"].pk, seeded["yq-city"].pk}
    assert not {e.pk for e in shown} & {seeded["jz-city"].pk, seeded["nowhere"].pk}
    assert all(e.org_unit.path.startswith(city_admin.org_unit.path) for e in shown)
    assert [e.at for e in shown] == sorted((e.at for e in shown), reverse=True)
    assert 'id="nav-audit"' in page


def test_the_province_admin_reads_every_unit_and_a_superuser_even_unitless_events(client_of, client):
    seeded = seed_events()
    shown = {e.pk for e in client_of("province").get("/accounts/audit/?page=1").context["page"].object_list}
    assert {seeded["yq-zone"].pk, seeded["jz-city"].pk} <= shown and seeded["nowhere"].pk not in shown
    root = User.objects.create_superuser(username="root-audit", password=PASSWORD_X)
    client.force_login(root)
    assert seeded["nowhere"].pk in {e.pk for e in client.get("/accounts/audit/").context["page"].object_list}


@pytest.mark.parametrize("username", ["yq-etdz", "yangquan", "province-viewer"])
def test_non_admins_get_403(client_of, username):
    seed_events()
    client = client_of(username)
    for url in ("/accounts/audit/", "/accounts/audit/?export=xlsx"):
        resp = client.get(url)
        assert resp.status_code == 403
        assert "您没有权限查看审计日志" in resp.content.decode()
    assert 'id="nav-audit"' not in client.get("/").content.decode()
    assert events(AuditAction.EXPORT, target__startswith="审计日志") == []
    resp = client.get("/api/v1/audit")
    assert resp.status_code == 403 and resp.json()["detail"].startswith("您没有权限")


def test_filters(client, city_admin):
    seeded = seed_events()
    client.force_login(city_admin)
    got = client.get("/accounts/audit/", {"action": "export"}).context["page"].object_list
    assert [e.pk for e in got] == [seeded["yq-city"].pk]
    got = client.get("/accounts/audit/", {"username": "yq-etdz"}).context["page"].object_list
    assert seeded["yq-zone"].pk in [e.pk for e in got] and all(
        "yq-etdz" in (e.username, e.target) for e in got)
    AuditEvent.objects.filter(pk=seeded["yq-zone"].pk).update(at=timezone.now() - timedelta(days=40))
    day = timezone.localdate() - timedelta(days=40)
    got = client.get("/accounts/audit/", {"date_from": day, "date_to": day}).context["page"].object_list
    assert [e.pk for e in got] == [seeded["yq-zone"].pk]


@pytest.mark.parametrize(("params", "message"), [
    ({"date_from": "0001-01-01"}, "日期应在2000-01-01至2099-12-31之间"),
    ({"date_to": "9999-12-31"}, "日期应在2000-01-01至2099-12-31之间"),
    ({"date_from": "2024-05-01", "date_to": "2024-04-01"}, "结束日期不能早于开始日期"),
    ({"date_from": "2024-13-45"}, "有效的日期"),
    ({"action": "drop table"}, "没有“drop table”这种事件"),
    ({"page": "99999999999999999999999"}, None),
    ({"page": "x"}, None),
])
def test_bad_filters_get_a_chinese_message_never_a_500(client, city_admin, params, message):
    seed_events()
    client.force_login(city_admin)
    resp = client.get("/accounts/audit/", params)
    assert resp.status_code == 200
    if message:
        assert message in resp.content.decode()


def test_the_page_costs_a_fixed_number_of_queries(client, city_admin, django_assert_max_num_queries):
    for _ in range(30):
        seed_events()
    client.force_login(city_admin)
    with django_assert_max_num_queries(6):
        resp = client.get("/accounts/audit/")
    assert len(resp.context["page"].object_list) == 50


def test_export_of_the_filtered_rows_is_itself_audited(client, city_admin):
    import python_calamine

    seeded = seed_events()
    client.force_login(city_admin)
    resp = client.get("/accounts/audit/?action=export&export=xlsx")
    assert resp.status_code == 200
    rows = python_calamine.CalamineWorkbook.from_filelike(BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "安全审计日志"
    data = [r for r in rows[3:] if r[0] != "合计"]
    assert [r[2:8] for r in data] == [["导出", "yangquan", "阳泉市", "", "项目台账.xlsx",
                                       "文件：项目台账.xlsx；行数：7；地址：/projects/?export=xlsx"]]
    event = only_event(AuditAction.EXPORT, username="yq-admin")
    assert event.target.startswith("审计日志-") and event.detail["rows"] == 1
    assert event.detail["query"] == "action=export&export=xlsx"
    assert seeded["jz-city"].pk not in [e.pk for e in AuditEvent.objects.filter(username="yq-admin")]


def test_the_api_reads_the_same_scope(client, city_admin):
    seeded = seed_events()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=city_admin)}"}
    body = client.get("/api/v1/audit?action=export", **auth).json()
    assert body["count"] == 1 and [e["id"] for e in body["items"]] == [seeded["yq-city"].pk]
    item = body["items"][0]
    assert (item["action_label"], item["org_unit"], item["detail"]["rows"]) == ("导出", "阳泉市", 7)
    assert item["detail_text"] == "文件：项目台账.xlsx；行数：7；地址：/projects/?export=xlsx"
    resp = client.get("/api/v1/audit?date_from=0001-01-01", **auth)
    assert resp.status_code == 422 and "2000-01-01" in resp.json()["detail"]
    resp = client.get("/api/v1/audit?date_from=2024-05-01&date_to=2024-04-01", **auth)
    assert resp.status_code == 422
    assert client.get("/api/v1/audit?offset=99999999999999999999", **auth).status_code == 422
    resp = client.get("/api/v1/audit?username=a%00b", **auth)  # refused for every endpoint by NulRefusedMiddleware
    assert resp.status_code == 400 and "空字符" in resp.json()["detail"]
    client.force_login(city_admin)
    assert client.get("/accounts/audit/?username=a%00b").status_code == 400


def test_detail_reads_in_chinese_in_a_fixed_order():
    from kaifaqu.accounts.audit import detail_text

    detail = {"groups": {"old": [], "new": ["机构管理员", "审核组"]}, "is_staff": {"old": False, "new": True},
              "org_unit": {"old": None, "new": "阳泉市"}, "role": {"old": "operator", "new": "admin"}}
    assert detail_text(detail) == ("角色：填报 → 管理员；所属机构：— → 阳泉市；可进入管理后台：否 → 是；"
                                   "用户组：（无） → 机构管理员、审核组")
    assert detail_text({"reason": "密码已修改", "tokens": ["abc…"]}) == "原因：密码已修改；令牌：abc…"
