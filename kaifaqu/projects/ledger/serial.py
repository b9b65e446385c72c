"""Imports that overlap: their writes run one at a time, and the later one is refused, row by row, for a project
changed since it read the projects its file names.

An import reads the projects its file names (`lookups._load_projects`, not locked) and checks every row against
them; only then does it write, each update guarded by the version it read (`bulk._update_projects`). The write
begins by taking the ledger's lock (`serialise`): on PostgreSQL a transaction-level advisory lock, which a second
import waits for until the first has committed; on SQLite the import's transaction already holds the database's
write lock from its BEGIN (IMMEDIATE), so a second import reads only once the first has committed. An import that
had to wait reads again what it read before, and is refused, naming each row, when a project it names was changed,
or a project it would create was created, meanwhile (`changed_since_read`). A save of a project between the import's
read and its write (a page, the API) is caught by the version guard, and the rows are named the same way
(`saved_meanwhile`)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from ..models import Project
from .lookups import _Lookups, _select
from .reading import _Row
from .report import RowError

# pg_advisory_xact_lock's key for ledger imports ("kfqledgr" read as a big-endian 64-bit integer, less the sign bit).
LEDGER_LOCK = int.from_bytes(b"kfqledgr", "big") & (2**63 - 1)
CHANGED = "项目{code}（{name}）在本文件读取后已被他人修改（如另一次台账导入），请重新导出台账、核对后再导入"
CREATED = "在本文件读取后，他人（如另一次台账导入）已新建{what}，请重新导出台账、核对后再导入"


def serialise(rows: list[_Row], lookups: _Lookups) -> list[RowError]:
    """Take the ledger's lock before the first write (see the module's doc). Returns the rows refused because an
    import that held the lock meanwhile changed what this one read; empty when it did not have to wait."""
    if connection.vendor != "postgresql":
        return []  # (SQLite: the transaction holds the write lock from its BEGIN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LEDGER_LOCK])
        if cursor.fetchone()[0]:
            return []
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK])
    return changed_since_read(rows, lookups)


def changed_since_read(rows: list[_Row], lookups: _Lookups) -> list[RowError]:
    """Each row naming a project whose version is not the one read, or one that would create a project (a code or
    a name in the user's zones not found when read) that exists now."""
    loaded = _loaded(lookups)
    now = {p["id"]: p["version"] for p in _select(Project, ["id", "version"], "id", loaded)}
    changed = {pk for pk, p in loaded.items() if now.get(pk) != p["version"]}
    codes = {r.values["code"] for r in rows if r.values.get("code") and r.values["code"] not in lookups.by_code}
    names = {r.values["name"] for r in rows if not r.values.get("code") and r.values.get("name")}
    new_codes = {p["code"] for p in _select(Project, ["code"], "code", codes)}
    new_names = {p["name"] for p in _select(Project, ["id", "name", "zone_id"], "name", names)
                 if p["id"] not in loaded and p["zone_id"] in lookups.zone_by_id}
    return _errors(rows, lookups, loaded, changed, new_codes, new_names)


def saved_meanwhile(rows: list[_Row], lookups: _Lookups, written_at: datetime) -> list[RowError]:
    """After an update found a project saved since it was read: each row naming a project whose version moved
    from the one read, other than by this import's own update (stamped `written_at`), or that is gone."""
    loaded = _loaded(lookups)
    now = {p["id"]: p for p in _select(Project, ["id", "version", "updated_at"], "id", loaded)}
    changed = {pk for pk, p in loaded.items() if pk not in now or (
        now[pk]["version"] != p["version"] and now[pk]["updated_at"] != written_at)}
    return _errors(rows, lookups, loaded, changed, set(), set())


def _loaded(lookups: _Lookups) -> dict[int, dict]:
    """The projects the import read, by id."""
    return {p["id"]: p for p in lookups.by_code.values()} | {
        p["id"]: p for ps in lookups.by_name.values() for p in ps}


def _errors(rows: list[_Row], lookups: _Lookups, loaded: dict[int, dict], changed: set[int], new_codes: set[str],
            new_names: set[str]) -> list[RowError]:
    """A row error for each row naming a `changed` project (by code, or by name without one), or a code or name
    among those created meanwhile."""
    if not (changed or new_codes or new_names):
        return []
    changed_by_name = {loaded[pk]["name"]: loaded[pk] for pk in changed}
    errors = []
    for row in rows:
        code, name = row.values.get("code"), row.values.get("name")
        project = lookups.by_code.get(code) if code else changed_by_name.get(name)
        if project is not None and project["id"] in changed:
            label = "项目编号" if code else "项目名称"
            errors.append(RowError(row.number, label, CHANGED.format(code=project["code"], name=project["name"])))
        elif code and code in new_codes:
            errors.append(RowError(row.number, "项目编号", CREATED.format(what=f"编号为{code}的项目")))
        elif not code and name in new_names:
            errors.append(RowError(row.number, "项目名称", CREATED.format(what=f"同名项目“{name}”")))
    return errors
