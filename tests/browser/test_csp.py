"""In headless Chromium, under the Content-Security-Policy (no inline script, no eval): the main pages, as a zone
operator and as the province's admin, log no CSP violation and no console error, and their scripts still run."""

import pytest

from kaifaqu.indicators.catalogue import catalogue_load
from tests.browser.conftest import CHROMIUM
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None,
                       reason="未安装 Chromium（apt-get install chromium fonts-noto-cjk），跳过浏览器测试"),
]

PAGES = [
    "/", "/zones/", "/projects/", "/projects/new/", "/projects/campaigns/", "/projects/campaigns/stats/",
    "/projects/three-un/", "/dispatch/", "/dispatch/report/S147007/2025-01/", "/rankings/", "/alerts/warnings/",
    "/alerts/orders/", "/investment/", "/investment/leads/", "/investment/funnel/", "/services/",
    "/services/tickets/", "/services/tickets/new/", "/services/tickets/stats/", "/services/enterprises/",
    "/accounts/password/",
]
ADMIN_PAGES = ["/admin/", "/admin/accounts/user/", "/api/v1/docs"]

WATCH = """() => { window.__csp = [];
  document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile)); }"""


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.add_init_script(f"({WATCH})()")
    return problems


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def visit(page, base: str, paths: list[str], problems: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        problems.clear()
        resp = page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        assert resp.status == 200, path
        violations = page.evaluate("window.__csp")
        if problems or violations:
            found[path] = [*problems, *violations]
    return found


def test_main_pages_pass_the_csp_without_console_errors(page, live_server):
    catalogue_load()  # the report grid's rows (an earlier test in a real transaction may have flushed them)
    problems = watch(page)
    login(page, live_server.url, "yq-etdz")
    assert visit(page, live_server.url, PAGES, problems) == {}
    # The scripts moved out of the pages still work: the map is drawn, the report grid computes growth.
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#zone-map[data-ready='1']", timeout=15000)
    page.goto(f"{live_server.url}/dispatch/report/S147007/2025-01/")
    code = page.get_attribute("#report-grid td.computed", "data-code")
    page.fill(f"[name='{code}-ytd']", "120")
    page.fill(f"[name='{code}-last']", "100")
    assert page.inner_text(f"#report-grid td.computed[data-code='{code}']") == "20.00"


def test_admin_and_api_docs_pass_the_csp(page, live_server):
    problems = watch(page)
    login(page, live_server.url, "province")
    assert visit(page, live_server.url, ADMIN_PAGES, problems) == {}
    assert page.locator("#swagger-ui .information-container").count() == 1  # swagger ui rendered
