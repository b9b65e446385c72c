"""Django settings, read from environment variables.

DATABASE_URL   postgres://user@host:5432/name, or sqlite:///path (default: SQLite in the data directory)
SECRET_KEY     default: generated on first run and stored in the data directory
DEBUG          "1"/"true" to turn on
ALLOWED_HOSTS  comma-separated (default: localhost names)
KAIFAQU_DATA_DIR  where the SQLite file, the secret key and the demo password live (default: ./var)
KAIFAQU_HTTPS  "1" (the default unless DEBUG): the site is served over HTTPS, directly or behind a proxy that sets
               X-Forwarded-Proto: secure cookies, HSTS (one year, subdomains), http redirected to https.
               "0" serves plain http: the local demo (`./scripts/setup` sets it) and the test suite.
KAIFAQU_PASSWORD_MAX_AGE_DAYS  a password expires after this many days (default 90; 0: never)
KAIFAQU_SESSION_IDLE_MINUTES   a session left idle this long is logged out (default 30); a session ends anyway
               SESSION_COOKIE_AGE (8 hours) after login
KAIFAQU_LOGIN_FAILURE_LIMIT, KAIFAQU_LOGIN_FAILURE_WINDOW, KAIFAQU_LOGIN_IP_LIMIT  login lockout (django-axes):
               this many wrong passwords for one account from one address (default 5), or for any accounts from
               one address (default 20), within the window (seconds, default 900) lock it out for the window
KAIFAQU_TRUSTED_PROXIES  how many proxies in front append to X-Forwarded-For (default 0: the client's address is
               REMOTE_ADDR); the lockout and the audit log count clients by that address
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KAIFAQU_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "kaifaqu.core",
    "kaifaqu.accounts",
    "kaifaqu.zones",
    "kaifaqu.projects",
    "kaifaqu.indicators",
    "kaifaqu.investment",
    "kaifaqu.tickets",
    "kaifaqu.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "kaifaqu.core.params.NulRefusedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kaifaqu.accounts.audit_middleware.DownloadAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kaifaqu.accounts.middleware.SessionTimeoutMiddleware",
    "kaifaqu.accounts.middleware.PasswordExpiryMiddleware",
    "kaifaqu.core.middleware.ChangeContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kaifaqu.urls"
WSGI_APPLICATION = "kaifaqu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaifaqu.core.context_processors.navigation",
                "kaifaqu.indicators.notify.unread_count",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kaifaqu.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=60 if not url.startswith("sqlite") else 0)
    if db["ENGINE"].endswith("sqlite3"):
        # WAL lets the pages read while an import writes; IMMEDIATE avoids "database is locked" upgrades. A 64 MB
        # page cache (SQLite's default is 2 MB) holds the indexes a 100,000-row import writes into: 0.6 s sooner.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                            "PRAGMA cache_size=-65536;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        db["TEST"] = {"NAME": None}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Passwords (等保2.0 三级 身份鉴别): 10 characters of 3 of the 4 classes, not like the account, not common, none of the
# last 5, changed every KAIFAQU_PASSWORD_MAX_AGE_DAYS days (kaifaqu/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "kaifaqu.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "kaifaqu.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kaifaqu.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]
KAIFAQU_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("KAIFAQU_PASSWORD_MAX_AGE_DAYS", "90"))

# Login lockout by django-axes (kaifaqu/accounts/lockout.py): LOGIN_FAILURE_LIMIT wrong passwords for one account
# from one address, or LOGIN_IP_LIMIT for any accounts from one address, within the window lock it out for the
# window. The check and the count are serialised per address, so concurrent guesses cannot pass the limit.
LOGIN_FAILURE_LIMIT = int(os.environ.get("KAIFAQU_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_IP_LIMIT = int(os.environ.get("KAIFAQU_LOGIN_IP_LIMIT", "20"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("KAIFAQU_LOGIN_FAILURE_WINDOW", str(15 * 60)))
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "kaifaqu.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False  # done by accounts.services.login_authenticate, for API tokens as for pages
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts are in the platform's own audit log
AXES_LOCKOUT_CALLABLE = "kaifaqu.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kaifaqu.accounts.audit.client_ip"
# Proxies in front of the server that append the client's address to X-Forwarded-For (nginx:
# proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for). 0: the client is REMOTE_ADDR.
KAIFAQU_TRUSTED_PROXIES = int(os.environ.get("KAIFAQU_TRUSTED_PROXIES", "0"))
AXES_COOLOFF_MESSAGE = f"登录失败次数过多，请{LOGIN_FAILURE_WINDOW_SECONDS // 60}分钟后再试。"
AXES_PERMALOCK_MESSAGE = AXES_COOLOFF_MESSAGE

# The security audit log (等保2.0 三级) is kept at least six months: `kaifaqu prune_audit` removes events older than
# this many days and refuses a value below 183 (so does `kaifaqu check`). API tokens expire after this many days.
AUDIT_RETENTION_DAYS = int(os.environ.get("KAIFAQU_AUDIT_RETENTION_DAYS", "183"))
API_TOKEN_DAYS = int(os.environ.get("KAIFAQU_API_TOKEN_DAYS", "30"))

# Lists (core/counting.py): a list filtered beyond what the kept tallies answer is counted exactly up to this many
# rows; above it, its count is a flagged estimate (`count_exact`) and its totals are not computed.
KAIFAQU_EXACT_COUNT_LIMIT = int(os.environ.get("KAIFAQU_EXACT_COUNT_LIMIT", "10000"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KAIFAQU_STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # absolute: a session ends this long after login, however busy
SESSION_IDLE_SECONDS = int(os.environ.get("KAIFAQU_SESSION_IDLE_MINUTES", "30")) * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def https_settings(on: bool) -> dict:
    """The settings KAIFAQU_HTTPS switches together (the test suite turns them off the same way)."""
    return {
        "SESSION_COOKIE_SECURE": on,
        "CSRF_COOKIE_SECURE": on,
        "SECURE_SSL_REDIRECT": on,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600 if on else 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": on,
        "SECURE_HSTS_PRELOAD": on,
        # A proxy in front terminates TLS and says so; it must set (not pass on) X-Forwarded-Proto.
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if on else None,
    }


HTTPS = _env_bool("KAIFAQU_HTTPS", not DEBUG)
globals().update(https_settings(HTTPS))

# Content-Security-Policy (django-csp): scripts only from the site's own files, no inline code, no eval. Inline
# style attributes stay allowed: some templates and ECharts (its tooltips) use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
