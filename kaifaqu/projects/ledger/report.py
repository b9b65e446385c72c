"""What an import tells its caller: the reasons a file is refused (RowError, LedgerImportError) and, when it
is not, what was (or would be) done (ImportReport)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kaifaqu.core.excel import ImportRefused, RowError

__all__ = ["CHANGED_MEANWHILE", "NO_IMPORT_RIGHT", "ImportReport", "LedgerImportError", "RowError"]

# Why a checked file could not be written after all: a project saved, or a zone, chain or campaign deleted, meanwhile.
CHANGED_MEANWHILE = "写入时数据已被他人同时修改，请重新导入（未写入任何数据）"
# A user who may enter projects nowhere (a viewer, a reviewer, an agent): refused before the file is read.
NO_IMPORT_RIGHT = "您无权导入项目台账：只有填报人员和管理员可以导入"

# ---- the report ---------------------------------------------------------------------------------------------------

class LedgerImportError(ImportRefused):
    """The ledger was refused and nothing was written; `errors` lists every reason, row by row."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do). `rows`: per row {row, code, name, zone, action, changes}
    with action "create" / "update" / "unchanged" and changes a list of (column, old, new)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    campaign_entries: int = 0
    dry_run: bool = False
    rows: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: read, check, write, commit
