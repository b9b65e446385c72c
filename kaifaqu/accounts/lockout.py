"""Login lockout (登录失败处理, 等保2.0 三级) by django-axes, with what axes leaves open closed here.

- Limits: LOGIN_FAILURE_LIMIT failures for one account from one address, and LOGIN_IP_LIMIT failures for any
  accounts from one address (a cap across accounts), within LOGIN_FAILURE_WINDOW_SECONDS. Axes has one limit for
  all its lockout parameters; `LockoutHandler` adds the address's cap.
- No race: axes checks the count before the password and records the failure after it, so concurrent wrong
  passwords all pass the check before any is counted (40 at once got 12 checks against a limit of 5).
  `login_serialised` runs the check, the password and the count as one step per address: a PostgreSQL advisory
  lock held to the end of the transaction; on SQLite the transaction itself is the lock (BEGIN IMMEDIATE).
- A locked-out attempt answers 429: the login page with its Chinese message, or the API's JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.http import HttpResponse


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a cap on the failures from one address across all accounts."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The account's failures from this address; the limit itself once the address has reached its cap."""
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.LOGIN_IP_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def address_failures(request) -> int:
    """Failures from the request's address within the window, whichever accounts they tried."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def _lock_key(ip: str | None) -> int:
    """A signed 64-bit key for PostgreSQL's advisory lock of one address."""
    digest = hashlib.sha256(f"kaifaqu-login:{ip or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def login_serialised(ip: str | None) -> Iterator[None]:
    """One login attempt per address at a time: its lockout check, password check and count are one step."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(ip)])
        yield


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """Axes' answer to a locked-out attempt: the page or API answer that already says so (the login form's error,
    the API's JSON), as 429; anything else gets the message itself."""
    if isinstance(original_response, HttpResponse) and original_response.status_code in (200, 429):
        original_response.status_code = 429
        return original_response
    return HttpResponse(settings.AXES_COOLOFF_MESSAGE, status=429, content_type="text/plain; charset=utf-8")
