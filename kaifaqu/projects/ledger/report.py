"""What an import tells its caller: the reasons a file is refused (RowError, LedgerImportError) and, when it
is not, what was (or would be) done (ImportReport)."""

from __future__ import annotations

from dataclasses import dataclass, field

# ---- the report ---------------------------------------------------------------------------------------------------

@dataclass
class RowError:
    """One reason a row (its Excel row number; 0 for the file as a whole) cannot be imported."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return f"[{self.column}]: {self.message}" if self.column else self.message
        return f"第{self.row}行 [{self.column}]: {self.message}"


class LedgerImportError(Exception):
    """The file was refused and nothing was written; `errors` lists every reason, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors[:20]))
        self.errors = errors


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
