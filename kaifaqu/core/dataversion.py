"""数据版本 (data version): one counter that every write to the figures behind the cockpit and the big screen moves
on — monthly reports approved or reopened, targets, projects and campaign entries, tickets and cases, leads and
events, supervision orders. The cockpit's answers are cached under the version they were computed at, so a second
visit costs no aggregation and a write shows at the next request.

The counter is a row of `Sequence`. A write calls `bump()` inside its transaction: the increment is deferred to the
commit (one UPDATE per committed transaction however many rows it wrote; nothing when it rolls back), and runs in
autocommit, so the hot row is never held for the length of a long import."""

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from kaifaqu.core.models import Sequence

NAME = "data_version"


def current() -> int:
    """The version now (0 before the first write)."""
    value = Sequence.objects.filter(name=NAME).values_list("value", flat=True).first()
    return value or 0


def bump() -> None:
    """Move the version on when the current transaction commits (at once outside a transaction). Called again in
    the same transaction, it queues nothing more; a rollback drops the queued increment with the rest."""
    if not connection.in_atomic_block:
        _increment()
    elif not any(entry[1] is _increment for entry in connection.run_on_commit):
        transaction.on_commit(_increment)


def _increment() -> None:
    if not Sequence.objects.filter(name=NAME).update(value=F("value") + 1):
        Sequence.objects.get_or_create(name=NAME, defaults={"value": 1})


def cached(key: str, compute: Callable[[], Any], *, timeout: int = 24 * 3600) -> Any:
    """`compute()` cached under `key` and the current version: one cheap read when nothing changed."""
    full = f"kfq:{current()}:{key}"
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, timeout)
    return value
