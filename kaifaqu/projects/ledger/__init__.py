"""项目台账 in Excel (SPEC §11, §10): the import (all-or-nothing, dry run, set-based), the export that imports
back unchanged, the blank template, and the 三未 lists.

The template's sample row lives on its second sheet, 填写说明 (a 示例 column beside each column's rules), so the
import never has to guess which rows of the first sheet are real: every non-blank row there is a project.

The package, in the order an import runs: `columns` (the ledger's columns and limits), `report` (errors and the
report), `reading` (parsing the rows), `lookups` (what they refer to), `checking` (each row planned), `writing`
(what is written: projects, stage history, listings, the change log), `bulk` (the set-wise statements that write
it), `importer` (the entry point), and `export` (the export, the template and the 三未 lists).
"""

from .columns import COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES, LedgerColumn
from .export import ledger_export, ledger_template, three_un_export
from .importer import ledger_import
from .report import NO_IMPORT_RIGHT, ImportReport, LedgerImportError, RowError

# Names are re-exported, not shared: to patch a limit or a step, patch the module that reads it
# (e.g. `reading.MAX_ROWS`, `importer.BLOCK`).
__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "NO_IMPORT_RIGHT",
    "ImportReport",
    "LedgerColumn",
    "LedgerImportError",
    "RowError",
    "ledger_export",
    "ledger_import",
    "ledger_template",
    "three_un_export",
]
