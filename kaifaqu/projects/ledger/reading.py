"""Import, first phase: the uploaded workbook read and each row's cells parsed to project values (_Row),
collecting every cell's error; file-level problems refuse the file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from kaifaqu.core.credit_code import credit_code_error
from kaifaqu.core.excel import (
    CellError,
    ExcelReadError,
    SheetTable,
    normalize_header,
    open_first_sheet,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
    read_table,
)
from kaifaqu.core.iterables import chunks

from ..models import Campaign, Project
from .columns import (
    BATCH_ALIASES,
    BATCHES,
    COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    METHODS,
    STAGE_ALIASES,
    STAGES,
    TYPES,
    LedgerColumn,
)
from .report import LedgerImportError, RowError

# ---- import: reading and parsing ------------------------------------------------------------------------------------

@dataclass
class _Row:
    number: int
    values: dict
    errors: list[RowError] = field(default_factory=list)
    project: dict | None = None  # the matched project's current values
    entry: tuple[Campaign, str] | None = None
    merged: dict = field(default_factory=dict)  # the project's values after this row
    action: str = ""
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # the attnames of `changes`
    cells: list | None = field(default=None, repr=False)  # the sheet's cells, until they are parsed

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


def _text_parser(name: str) -> Callable[[object], str]:
    limit = Project._meta.get_field(name).max_length

    def parse(value: object) -> str:
        text = value.strip() if type(value) is str else parse_text(value)
        if len(text) > limit:
            raise CellError(f"不能超过{limit}个字")
        return text
    return parse


def _credit(value: object) -> str:
    text = parse_text(value).upper()
    if text and (error := credit_code_error(text)):
        raise CellError(error)
    return text


def _method(value: object) -> str:
    return parse_choice(value, METHODS) or ""


def _bool(value: object) -> bool:
    return bool(parse_bool(value))


PARSERS: dict[str, Callable[[object], object]] = {
    "credit": _credit, "ref": parse_text, "campaign": parse_text, "type": partial(parse_choice, choices=TYPES),
    "stage": partial(parse_choice, choices=STAGES | STAGE_ALIASES, shown=list(STAGES)),
    "batch": partial(parse_choice, choices=BATCHES | BATCH_ALIASES, shown=list(BATCHES)),
    "method": _method, "bool": _bool, "money": parse_decimal, "int": parse_int, "date": parse_date,
    "area": partial(parse_decimal, max_digits=12),
}


def _parser(column: LedgerColumn) -> Callable[[object], object]:
    return _text_parser(column.field) if column.kind == "text" else PARSERS[column.kind]


def _find_columns(table: SheetTable) -> list[tuple[LedgerColumn, int]]:
    """The ledger columns the header holds (by label, or by label without its unit), refusing a missing one."""
    found, errors = [], []
    for column in COLUMNS:
        key = normalize_header(column.label)
        index = table.columns.get(key, table.columns.get(key.split("(")[0]))
        if index is not None:
            found.append((column, index))
        elif column.required:
            errors.append(RowError(table.header_row, column.label, f"表头缺少必填列“{column.label}”"))
    if errors:
        raise LedgerImportError(errors)
    return found


# Kinds whose cells repeat a few texts (zones, choices, 是/否): each distinct text is parsed once.
REPEATED = {"ref", "campaign", "type", "stage", "batch", "method", "bool"}
# The fields parsed for every row before any row is checked: what the lookups need (`lookups._load_projects`, the
# file's campaigns) and what tells a row that may create a project (`writing._Writer`).
KEYS = {"code", "name", "campaign"}


class _Sheet:
    """The data rows of the ledger's sheet, parsed in two passes: the key fields (`KEYS`) of every row at once,
    the rest a block of rows at a time (`parse`), as they are checked — so the first blocks are checked, and
    written, while the cells of the rest are still to be parsed."""

    def __init__(self, table: SheetTable, columns: list[tuple[LedgerColumn, int]]):
        self.width = max(index for _column, index in columns) + 1
        self.keys = [(c, i) for c, i in columns if c.field in KEYS]
        self.rest = [(c, i) for c, i in columns if c.field not in KEYS]
        self.fields = {column.field for column, _index in columns}
        self.rows = [_Row(number, {}, cells=cells) for number, cells in table.rows]
        for block in chunks(self.rows, 5000):
            self._parse(block, self.keys)

    def parse(self, rows: list[_Row]) -> None:
        """Parse the rest of these rows' cells (`values`, and each bad cell's error on its row)."""
        for block in chunks(rows, 5000):
            self._parse(block, self.rest)
            for row in block:
                row.cells = None

    def _parse(self, rows: list[_Row], columns: list[tuple[LedgerColumn, int]]) -> None:
        """`columns` of `rows` parsed column by column (a column's parser over its cells in one pass, not 30 calls
        a row through a dict), each bad cell's error on its row."""
        if not columns:
            return
        cells = [r.cells for r in rows]
        longest = max(self.width, *map(len, cells))  # (a sheet's rows are as long as each other; short ones padded)
        by_column = list(zip(*[c if len(c) == longest else [*c, *[None] * (longest - len(c))] for c in cells],
                             strict=True))
        errors: dict[int, list[tuple[str, str]]] = {}
        parsed = [_parse_column(column, by_column[index], errors) for column, index in columns]
        names = [column.field for column, _index in columns]
        for row, values in zip(rows, zip(*parsed, strict=True), strict=True):
            row.values.update(zip(names, values, strict=True))
        for i, found in errors.items():
            for label, message in found:
                rows[i].error(label, message)
        for column, _index in columns:
            if column.required:
                for row in rows:
                    value = row.values[column.field]
                    if (value is None or value == "") and not any(e.column == column.label for e in row.errors):
                        row.error(column.label, "必填，不能为空")


def _parse_column(column: LedgerColumn, values: tuple, errors: dict[int, list[tuple[str, str]]]) -> list:
    """A column's cells parsed; a bad cell's value is None and its error goes to `errors` (by position)."""
    parse = _parser(column)
    try:  # the common case, fast: every cell parses
        if column.kind in REPEATED:
            once = {v: parse(v) for v in set(values) if type(v) is str}
            return [once[v] if type(v) is str else parse(v) for v in values]
        return list(map(parse, values))
    except CellError:
        out = []
        for i, value in enumerate(values):
            try:
                out.append(parse(value))
            except CellError as exc:
                out.append(None)
                errors.setdefault(i, []).append((column.label, exc.message))
        return out


def _read(data: bytes) -> _Sheet:
    """The sheet's rows, their key fields parsed (the rest: `_Sheet.parse`); file-level problems raise
    LedgerImportError."""
    try:
        table = read_table(open_first_sheet(data, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_ROWS, columns=len(COLUMNS)),
                           header="项目名称", max_rows=MAX_ROWS)
        sheet = _Sheet(table, _find_columns(table))
    except ExcelReadError as exc:
        raise LedgerImportError([RowError(0, "", exc.message)]) from exc
    if not sheet.rows:
        raise LedgerImportError([RowError(0, "", "文件中没有数据：表头下方没有项目行")])
    return sheet
