"""In headless Chromium: the province admin issues an API token on the page (shown once), revokes it, and reads
both events in the audit log from the header link; a zone operator has no such link."""

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.test_home_map import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None,
                       reason="未安装 Chromium（apt-get install chromium fonts-noto-cjk），跳过浏览器测试"),
]


def test_admin_issues_revokes_and_reads_the_audit_log(page, live_server):
    login(page, live_server.url, "province")
    page.click("#nav-tokens")
    page.click("#issue-token")
    raw = page.inner_text("#new-token code").strip()
    assert len(raw) >= 40
    row = page.locator("#token-table tbody tr").first
    assert row.locator("td").first.inner_text() == f"{raw[:8]}…" and "有效" in row.inner_text()
    row.locator("button", has_text="吊销").click()
    assert "已吊销" in page.inner_text("#token-table") and raw not in page.inner_text("main")
    page.click("#nav-audit")
    actions = page.locator("#audit-table tbody tr td:nth-child(2)").all_inner_texts()
    assert actions[:2] == ["吊销令牌", "签发令牌"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-province.png"), full_page=True)


def test_an_operator_sees_no_audit_link(page, live_server):
    login(page, live_server.url, "yq-etdz")
    assert page.locator("#nav-audit").count() == 0 and page.locator("#nav-tokens").count() == 1
