"""Users meet the error pages (an out-of-scope object answers 404 by design): Chinese, in the platform's look,
with a way back — never Django's English pages."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from kaifaqu.urls import urlpatterns as site


def _boom(request):
    raise RuntimeError("测试用的服务器错误")


urlpatterns = [*site, path("boom/", _boom)]


@pytest.mark.django_db
def test_a_missing_page_is_chinese_with_the_way_home(client_of):
    resp = client_of("yq-etdz").get("/projects/999999/")
    body = resp.content.decode()
    assert resp.status_code == 404
    assert "未找到该页面或对象" in body and "返回首页" in body and "Not Found" not in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_chinese_and_needs_no_request_context():
    resp = Client(raise_request_exception=False).get("/boom/")
    body = resp.content.decode()
    assert resp.status_code == 500
    assert "服务器出错了" in body and "数据没有改变" in body and "Server Error" not in body


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_is_refused_in_chinese(user_of):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_of("yq-etdz"))
    resp = client.post("/accounts/password/", {"old_password": "x"})
    body = resp.content.decode()
    assert resp.status_code == 403
    assert "页面已过期，请刷新后重试" in body and "CSRF" not in body
