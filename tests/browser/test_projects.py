"""In headless Chromium: the 三个一批 statistics with their chart, and a project moved on its own page."""

from datetime import date
from decimal import Decimal

import pytest

from kaifaqu.projects.choices import Batch, Stage
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.test_home_map import login
from tests.factories import CampaignEntryFactory, CampaignFactory, ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None,
                       reason="未安装 Chromium（apt-get install chromium fonts-noto-cjk），跳过浏览器测试"),
]


def test_stats_page_draws_the_rates(page, live_server):
    c = CampaignFactory(name="2024年第一次“三个一批”活动")
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(
        total_investment=Decimal("30000"), stage=Stage.STARTED, started_on=date(2023, 5, 1)))
    CampaignEntryFactory(campaign=c, batch=Batch.SIGN, project=ProjectFactory(total_investment=Decimal("10000")))
    login(page, live_server.url, "yangquan")
    page.goto(f"{live_server.url}/projects/campaigns/stats/?campaign={c.pk}&as_of=2024-03-31")
    page.wait_for_selector("#rate-chart[data-ready='1']", timeout=15000)
    assert "75.00%" in page.inner_text("#row-sign")
    assert page.locator("#rate-chart canvas").count() >= 1
    page.click("#row-sign a >> nth=1")  # the followed-up count → the projects behind it
    page.wait_for_url("**/projects/?**followed=yes**")
    assert page.inner_text("#project-count") == "1"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "projects-list.png"), full_page=True)


def test_operator_moves_a_project_and_sees_it_on_the_timeline(page, live_server):
    project = ProjectFactory(name="年产10GWh固态电池项目")
    login(page, live_server.url, "yq-etdz")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.select_option("select[name=stage]", "started")
    page.fill("input[name=date] >> nth=0", "2023-01-01")
    page.click("form[action$='/transition/'] button")
    assert "不能早于签约日期" in page.inner_text(".messages")
    page.select_option("select[name=stage]", "started")
    page.fill("input[name=date] >> nth=0", "2023-06-01")
    page.click("form[action$='/transition/'] button")
    assert "阶段已变更为“开工”" in page.inner_text(".messages")
    assert "2023-06-01" in page.inner_text("#timeline")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "project-detail.png"), full_page=True)
