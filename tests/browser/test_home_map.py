"""In headless Chromium: yangquan logs in, sees the map with 阳泉's zones drawn, and only those zones listed."""

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None,
                       reason="未安装 Chromium（apt-get install chromium fonts-noto-cjk），跳过浏览器测试"),
]


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_yangquan_sees_its_zones_on_the_map(page, live_server):
    login(page, live_server.url, "yangquan")
    page.wait_for_selector("#zone-map[data-ready='1']", timeout=15000)
    assert page.locator("#zone-map canvas").count() >= 1
    assert page.get_attribute("#zone-map", "data-point-count") == "4"
    names = set(page.locator("#zone-names tbody td:first-child").all_inner_texts())
    assert names == {"阳泉经济技术开发区", "阳泉高新区", "平定经济技术开发区", "盂县经济技术开发区"}
    assert "示意图，非标准地图" in page.inner_text("main")
    # The canvas really has something drawn on it (not a blank box).
    drawn = page.evaluate("""() => { const c = document.querySelector('#zone-map canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")
    assert drawn > 10000
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-yangquan.png"), full_page=True)


def test_zone_list_searches_by_pinyin_without_reload(page, live_server):
    from playwright.sync_api import expect

    login(page, live_server.url, "province")
    page.goto(f"{live_server.url}/zones/")
    assert page.inner_text("#zone-count") == "36"
    page.fill("input[name=q]", "yqjk")
    # A locator, not wait_for_function: Playwright's polled predicate is an eval, which the page's CSP refuses.
    expect(page.locator("#zone-count")).to_have_text("1", timeout=10000)
    assert "阳泉经济技术开发区" in page.inner_text("#zone-table")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "zones-search.png"), full_page=True)
