"""Browser fixtures: a Chromium page against the live server, with the registry and demo accounts loaded."""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from kaifaqu.accounts.demo import demo_accounts_ensure
from kaifaqu.zones.registry import registry_load
from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make to set up their
# rows are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(live_server):
    """A Chromium page; the registry and demo accounts are (re)loaded, since each browser test ends in a flush."""
    from playwright.sync_api import sync_playwright

    registry_load()
    demo_accounts_ensure(PASSWORD)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        pg = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        try:
            yield pg
        finally:
            # The test's ORM calls made while Playwright's loop runs get a connection of their own (Django's are
            # per context); left open, it would still hold the test database when that is dropped.
            connections.close_all()
            browser.close()


