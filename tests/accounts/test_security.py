"""Transport and page security (等保2.0 三级): HTTPS settings in production and `check --deploy` clean, the
Content-Security-Policy with no inline script anywhere, and no `Server: gunicorn`."""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

from kaifaqu.core.management.commands.serve import SERVER_NAME, gunicorn_argv
from kaifaqu.settings import https_settings
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "kaifaqu").rglob("templates/**/*.html"))
CSP = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self' 'unsafe-inline'",
       "img-src": "'self' data:", "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'",
       "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'"}


def directives(header: str) -> dict:
    """A Content-Security-Policy header as {directive: sources} (django-csp does not keep their order)."""
    return dict(part.strip().partition(" ")[::2] for part in header.split(";"))


def production_env(tmp_path, **extra) -> dict:
    """The environment of a production server: no DEBUG, no KAIFAQU_HTTPS (so it is on), a secret and a host."""
    # Nothing of the test run's own environment (KAIFAQU_HTTPS=0, DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update({"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "kfq.shanxi.gov.cn",
                "KAIFAQU_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kaifaqu.settings", **extra})
    return env


def settings_in(env: dict) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: "
            "getattr(s, k) for k in ['HTTPS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
            "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER']}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_check_deploy_is_clean_in_production(tmp_path):
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         env=production_env(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues (0 silenced)." in out.stdout


def test_production_settings_are_secure(tmp_path):
    assert settings_in(production_env(tmp_path)) == {
        "HTTPS": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


@pytest.mark.parametrize("extra", [{"KAIFAQU_HTTPS": "0"}, {"DEBUG": "1"}])
def test_plain_http_by_the_switch_or_in_debug(tmp_path, extra):
    values = settings_in(production_env(tmp_path, **extra))
    assert values["HTTPS"] is False and values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False and values["SECURE_HSTS_SECONDS"] == 0


@pytest.fixture
def https_on(settings):
    for name, value in https_settings(True).items():
        setattr(settings, name, value)


@pytest.mark.django_db
def test_https_redirect_hsts_and_secure_cookies(https_on):
    client = Client()
    resp = client.get("/login/?next=/projects/")
    assert (resp.status_code, resp["Location"]) == (301, "https://testserver/login/?next=/projects/")
    resp = client.get("/login/", secure=True)
    assert resp["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert resp.cookies["csrftoken"]["secure"] is True
    resp = client.post("/login/", {"username": "yangquan", "password": PASSWORD}, secure=True)
    assert resp.status_code == 302 and resp.cookies["sessionid"]["secure"] is True
    # Behind the proxy, its X-Forwarded-Proto says the request came over https: no redirect.
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/", "/projects/", "/dispatch/", "/accounts/password/"])
def test_pages_carry_the_content_security_policy(client_of, path):
    resp = (Client() if path == "/login/" else client_of("yangquan")).get(path)
    assert resp.status_code == 200
    assert directives(resp["Content-Security-Policy"]) == CSP
    assert resp["X-Frame-Options"] == "DENY" and resp["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/projects/", "/projects/campaigns/stats/", "/zones/", "/services/tickets/new/"])
def test_rendered_pages_have_no_inline_script(client_of, path):
    page = client_of("yq-etdz").get(path).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


INLINE_CODE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline on…= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\bhx-on\b|hx-on:|hx-on-", re.I), "hx-on (htmx runs it with eval)"),
    (re.compile(r"hx-vals=['\"]js:|hx-vars=", re.I), "htmx js: values (eval)"),
]


def test_no_template_has_inline_script():
    assert len(TEMPLATES) > 30
    found = [f"{path.relative_to(ROOT)}: {what}" for path in TEMPLATES for pattern, what in INLINE_CODE
             if pattern.search(path.read_text())]
    assert found == []


def test_htmx_may_not_eval_nor_inject_styles(client_of):
    page = Client().get("/login/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page)
    assert json.loads(config.group(1)) == {"includeIndicatorStyles": False, "allowEval": False,
                                           "allowScriptTags": False}


def test_gunicorn_is_started_with_the_platforms_app():
    assert gunicorn_argv(host="127.0.0.1", port=8123, workers=1)[:6] == [
        "gunicorn", "kaifaqu.wsgi:application", "--bind", "127.0.0.1:8123", "--workers", "1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_when_up(port: int, path: str, deadline: float) -> http.client.HTTPResponse:
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            return conn.getresponse()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_served_pages_do_not_say_gunicorn(tmp_path):
    port = free_port()
    env = production_env(tmp_path, KAIFAQU_HTTPS="0", ALLOWED_HOSTS="127.0.0.1",
                         DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    server = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "1"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        resp = get_when_up(port, "/login/", time.monotonic() + 90)
        headers = {k.lower(): v for k, v in resp.getheaders()}
        assert resp.status == 200
        assert headers["server"] == SERVER_NAME == "kaifaqu"
        assert directives(headers["content-security-policy"]) == CSP
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
