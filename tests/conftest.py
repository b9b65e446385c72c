"""Shared fixtures: the real Shanxi registry and the demo accounts, loaded once into the test database."""

import os

import pytest
from django.conf import settings
from django.test import Client

from kaifaqu.accounts.demo import demo_accounts_ensure
from kaifaqu.accounts.models import User
from kaifaqu.indicators.catalogue import catalogue_load
from kaifaqu.settings import https_settings
from kaifaqu.zones.models import Zone
from kaifaqu.zones.registry import registry_load

PASSWORD = "Kfq-test-password-2024"

# The suite speaks plain http (the test client, the live server), as KAIFAQU_HTTPS=0 would: pytest-django has read
# the settings before this file, so the switch's settings are turned off here, and in the environment for the
# subprocesses tests start. tests/accounts/test_security.py checks the production settings themselves.
os.environ["KAIFAQU_HTTPS"] = "0"
for _name, _value in https_settings(False).items():
    setattr(settings, _name, _value)
settings.HTTPS = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        registry_load()
        catalogue_load()
        demo_accounts_ensure(PASSWORD)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _flushes(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(marker.kwargs.get("transaction"))


def pytest_collection_modifyitems(items):
    """Tests in a real transaction (browser tests, concurrency tests) flush the database when they end: run them
    last, the browser tests at the very end."""
    items.sort(key=lambda item: (_flushes(item), item.get_closest_marker("browser") is not None))


@pytest.fixture
def user_of(db):
    """user_of("yangquan") → that demo user."""
    return lambda username: User.objects.select_related("org_unit").get(username=username)


@pytest.fixture
def client_of(db):
    """client_of("yangquan") → a test client logged in as that demo user."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def token_of(db, client):
    """token_of("yangquan") → an API bearer header for that demo user, issued through the API."""

    def make(username: str) -> dict:
        resp = client.post("/api/v1/auth/token", {"username": username, "password": PASSWORD},
                           content_type="application/json")
        assert resp.status_code == 200, resp.content
        return {"HTTP_AUTHORIZATION": f"Bearer {resp.json()['token']}"}

    return make


@pytest.fixture
def zone_by_code(db):
    return lambda code: Zone.objects.get(code=code)
