"""Optimistic locking (乐观锁) of versioned records — projects, monthly reports, leads, promotion events.

Every write that changes a versioned record's fields carries the `version` the editor read; the service compares
it with the stored one under a row lock and refuses the write when it is missing (422) or stale (409), so a
concurrent save is never silently overwritten. Each app raises the refusal as its own error class (its pages show
the message, its API answers with the status); the words are the same everywhere."""

from __future__ import annotations

MISSING_VERSION = "缺少版本号：请先读取该记录，带上读到的版本号（version）再保存（未保存任何修改）"
STALE_VERSION = "该{what}已被他人修改，请刷新后重新编辑（您的修改未保存）"


def version_refusal(*, current: int, given: int | None, what: str = "记录") -> tuple[int, str] | None:
    """(status, message) refusing a write made on `given` when the record is at `current`; None when they agree.
    A missing version (None, or not an integer) is 422, a stale one 409."""
    if given is None or isinstance(given, bool) or not isinstance(given, int):
        return 422, MISSING_VERSION
    if given != current:
        return 409, STALE_VERSION.format(what=what)
    return None
