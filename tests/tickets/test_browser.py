"""In headless Chromium: the call-taker finds the enterprise as they type and receives a request; the figures
page draws its charts."""

import pytest

from kaifaqu.tickets.models import Ticket
from kaifaqu.tickets.workdays import holidays_load
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.test_home_map import login
from tests.tickets.factories import EnterpriseFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None,
                       reason="未安装 Chromium（apt-get install chromium fonts-noto-cjk），跳过浏览器测试"),
]


@pytest.fixture
def calendar():
    holidays_load()  # a browser test's database is flushed afterwards, the migration's rows with it


def test_a_call_taken_in_under_a_minute(page, live_server, calendar):
    e = EnterpriseFactory(name="日昌晶新材料（山西）有限责任公司")
    login(page, live_server.url, "yq-etdz")
    page.goto(f"{live_server.url}/services/tickets/new/")
    page.locator("#enterprise-q").press_sequentially("日昌晶", delay=30)
    page.wait_for_selector("#lookup-results button.pick")
    page.click("#lookup-results button.pick")
    assert "已选：日昌晶新材料（山西）有限责任公司" in page.inner_text("#picked")
    page.check("input[name=category][value=factors]")
    page.fill("textarea[name=text]", "厂区用电负荷不足，申请增容")
    page.fill("input[name=department]", "供电公司（要素保障）")
    page.click("#submit-ticket")
    page.wait_for_selector(".messages li")
    assert "已受理诉求" in page.inner_text(".messages")
    t = Ticket.objects.get()
    assert (t.enterprise_id, t.category, t.status) == (e.pk, "factors", "assigned")
    page.goto(f"{live_server.url}/services/tickets/stats/")
    page.wait_for_selector("#category-chart[data-ready='1']", timeout=15000)
    assert page.locator("#category-chart canvas").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tickets-stats.png"), full_page=True)
