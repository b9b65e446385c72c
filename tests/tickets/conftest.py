"""Fixtures of the enterprise-services tests: the app's URLs mounted, a fresh working-day calendar per test."""

import pytest

from kaifaqu.tickets import workdays
from tests.browser.conftest import page  # noqa: F401 (the browser fixture, for test_browser)


@pytest.fixture(autouse=True)
def _services_urls(settings):
    settings.ROOT_URLCONF = "tests.tickets.urls"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """A test that edits the calendar inside its rolled-back transaction must not leave it cached."""
    workdays.clear_cache()
    yield
    workdays.clear_cache()
