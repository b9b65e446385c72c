"""In headless Chromium: the funnel page draws its chart and its figures lead to the leads behind them; a promoter
moves a card on the board with its stage select."""

import pytest
from django.utils import timezone

from kaifaqu.investment.choices import LeadStage
from kaifaqu.investment.demo import promotion_demo_load
from kaifaqu.investment.models import Lead
from tests.browser.conftest import ARTIFACTS, CHROMIUM, page  # noqa: F401 (the Chromium page fixture)
from tests.browser.test_home_map import login
from tests.investment.factories import LeadFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None,
                       reason="未安装 Chromium（apt-get install chromium fonts-noto-cjk），跳过浏览器测试"),
]


def test_funnel_draws_its_chart_and_links_to_the_leads(page, live_server):  # noqa: F811
    promotion_demo_load(today=timezone.localdate())
    login(page, live_server.url, "jinzhong")
    page.goto(f"{live_server.url}/investment/funnel/?date_from=2024-01-01&date_to=2024-12-31")
    page.wait_for_selector("#funnel-chart[data-ready='1']", timeout=15000)
    assert page.locator("#funnel-chart canvas").count() >= 1
    assert page.inner_text("#fig-share") == "47.92%"
    assert "签约项目23个，占全市招商引资项目47.9%；共涉及投资额126.6亿元" in page.inner_text("#briefing")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "investment-funnel.png"), full_page=True)
    page.click("#fig-negotiating-big")
    page.wait_for_url("**/investment/leads/?**band=10**")
    assert page.inner_text("#lead-count") == "11"


def test_promoter_moves_a_card_on_the_board(page, live_server, promoters):  # noqa: F811
    lead = LeadFactory(company="山西测试光伏科技有限公司")
    login(page, live_server.url, "jz-promoter")
    page.goto(f"{live_server.url}/investment/")
    card = page.locator("#col-lead article.lead-card", has_text="山西测试光伏科技有限公司")
    card.locator("summary").click()
    card.locator("select[name=stage]").select_option("visited")
    card.locator("button").click()
    page.wait_for_selector("#col-visited >> text=山西测试光伏科技有限公司")
    assert "已推进到“考察”" in page.inner_text(".messages")
    lead.refresh_from_db()
    assert lead.stage == LeadStage.VISITED and Lead.objects.count() == 1
