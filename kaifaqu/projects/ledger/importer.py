"""The import's entry point, ledger_import: read, look up, check every row while writing those checked, in one
transaction — or refuse the whole file and roll back — timing each phase, and the report of what was done."""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter
from contextlib import contextmanager, nullcontext

from django.db import IntegrityError, OperationalError, transaction

from kaifaqu.accounts.roles import can_write_somewhere
from kaifaqu.core.changelog import change_context, current_context
from kaifaqu.core.checkpoint import checkpoint_afterwards
from kaifaqu.core.iterables import chunks

from .checking import _Planner
from .columns import MAX_UPLOAD_BYTES, ORDER
from .lookups import _load_projects, _lookups
from .reading import _read, _Row
from .report import CHANGED_MEANWHILE, NO_IMPORT_RIGHT, ImportReport, LedgerImportError, RowError
from .writing import writing

logger = logging.getLogger(__name__)
# Rows parsed and checked before what they change goes to the database (`writing._Writer.planned`): the server
# stores each block while the next is checked; smaller blocks start it sooner but cost it more statements.
BLOCK = 10000
BUSY = "另一次台账导入正在写入，请稍后重新导入（未写入任何数据）"

# ---- import: the entry point ----------------------------------------------------------------------------------------

def ledger_import(*, user, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import a project ledger (导入项目台账, SPEC §11): every row is checked first; if any has an error the whole
    file is refused (LedgerImportError listing them all) and nothing is written. Otherwise projects are created
    or updated, their stage history and campaign listings added and every change logged, in one transaction.
    A dry run reports the same and writes nothing. A user who may enter projects nowhere is refused before the
    file is read."""
    if not can_write_somewhere(user):
        raise LedgerImportError([RowError(0, "", NO_IMPORT_RIGHT)])
    if len(data) > MAX_UPLOAD_BYTES:
        raise LedgerImportError([RowError(0, "", f"文件过大：不能超过{MAX_UPLOAD_BYTES // (1024 * 1024)}MB")])
    with _gc_paused():
        return _import(user, data, dry_run)


def _import(user, data: bytes, dry_run: bool) -> ImportReport:
    clock = _Clock()
    sheet = _read(data)
    rows = sheet.rows
    clock.lap("read")
    try:
        with checkpoint_afterwards() if not dry_run else nullcontext(), _acting(user), transaction.atomic():
            lookups = _lookups(user, rows)
            _load_projects(lookups, rows)
            planner = _Planner(user, lookups, sheet.fields)
            with writing(user, rows, lookups, dry_run) as writer:
                for block in chunks(rows, BLOCK):
                    sheet.parse(block)
                    for row in block:
                        planner.plan(row)
                    if writer:  # written while the next block is parsed and checked
                        writer.planned(block)
                errors = [e for row in rows if row.errors for e in sorted(row.errors, key=_column_order)]
                if errors:
                    raise LedgerImportError(errors)
                clock.lap("check")
            clock.lap("write")
    except IntegrityError as exc:  # a foreign key checked at commit: a zone, chain or campaign deleted meanwhile
        raise LedgerImportError([RowError(0, "", CHANGED_MEANWHILE)]) from exc
    except OperationalError as exc:  # SQLite: another import held the write lock past the connection's timeout
        if "locked" not in str(exc):
            raise
        raise LedgerImportError([RowError(0, "", BUSY)]) from exc
    clock.lap("commit")  # the deferred foreign-key checks left run here
    report = _report(rows, planner, dry_run)
    report.seconds = clock.laps
    logger.info("ledger import of %d rows: %s", len(rows), ", ".join(f"{k} {v:.2f} s" for k, v in clock.laps.items()))
    return report


class _Clock:
    """Seconds spent in each phase."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self.at = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self.at = now - self.at, now


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: a 100 000-row ledger allocates millions of small objects, none of them
    cyclic, and each full collection walks them all (a fifth of the import's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _column_order(error: RowError) -> int:
    return ORDER.get(error.column, len(ORDER))


@contextmanager
def _acting(user):
    """Log the changes as `user`'s unless a request already names who is acting."""
    if current_context().user is not None:
        yield
    else:
        with change_context(user):
            yield


def _report(rows: list[_Row], planner: _Planner, dry_run: bool) -> ImportReport:
    counts = Counter(row.action for row in rows)
    report = ImportReport(created=counts["create"], updated=counts["update"], unchanged=counts["unchanged"],
                          campaign_entries=sum(1 for r in rows if r.entry), dry_run=dry_run)
    zones = {pk: zone.name for pk, zone in planner.lk.zone_by_id.items()}
    report.rows = [{"row": row.number, "code": row.merged["code"], "name": row.merged["name"],
                    "zone": zones[row.merged["zone_id"]], "action": row.action, "changes": row.changes}
                   for row in rows]
    return report
