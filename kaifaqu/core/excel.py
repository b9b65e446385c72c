"""Excel in and out, shared by every ledger (台账).

Reading (python-calamine): open an upload's bytes, find the header row under any title rows, map header texts to
columns, walk the data rows with their Excel row numbers, and parse cells (dates, amounts, integers, 是/否) with
Chinese messages. Writing (XlsxWriter, in memory): sheets laid out as Chinese offices lay them — a merged title
row, a unit row, one- or two-level headers, 序号, a 合计 row, frozen panes — with every user string stored as a
string cell (never a formula) and shown as text when it starts like one.
"""

from __future__ import annotations

import contextvars
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from python_calamine import CalamineSheet, CalamineWorkbook, PasswordError
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from .excel_guard import MAX_UNZIPPED_BYTES, NOT_EXCEL, Bounds, ExcelReadError, check_workbook

__all__ = ["MAX_UNZIPPED_BYTES", "ExcelReadError"]  # the guard's, named here for the readers

EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_EPOCH_ORDINAL = EXCEL_EPOCH.toordinal()
TOTAL_LABELS = {"合计", "总计"}
NUMBER_NOISE = re.compile(r"[,，\s]")  # thousands separators and spaces in numbers typed as text
QUANTA = [Decimal(1).scaleb(-places) for places in range(8)]
YES = {"是", "Y", "YES", "TRUE", "1", "√"}
NO = {"否", "N", "NO", "FALSE", "0", "×"}


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


class ImportRefused(Exception):
    """The file was refused and nothing was written; `errors` lists every reason, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors[:20]))
        self.errors = errors


class CellError(ValueError):
    """A cell's value cannot be parsed; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---- reading ----------------------------------------------------------------------------------------------------

def open_first_sheet(data: bytes, *, max_bytes: int, max_rows: int, columns: int) -> CalamineSheet:
    """The first sheet of an uploaded .xlsx whose template has `columns` columns, for at most `max_rows` data rows.
    Every upload of the platform is read here: the file is checked (excel_guard) before calamine reads a cell, so
    that no file can make it allocate beyond bounds; what cannot be read is refused with a Chinese message."""
    if not data:
        raise ExcelReadError("文件为空，请选择填好的Excel文件")
    if len(data) > max_bytes:
        raise ExcelReadError(f"文件过大：不能超过{max_bytes // (1024 * 1024)}MB")
    check_workbook(data, bounds=Bounds.for_template(max_rows=max_rows, columns=columns))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0)
    except PasswordError as exc:
        raise ExcelReadError("文件设有密码，请取消密码后再上传") from exc
    except Exception as exc:  # calamine raises several types for a file that is not a readable workbook
        raise ExcelReadError(NOT_EXCEL) from exc


def normalize_header(text: object) -> str:
    """"总投资（万元）*" → "总投资(万元)": no spaces or line breaks, half-width parentheses, no * marks."""
    text = re.sub(r"\s+", "", str(text or ""))
    return text.replace("（", "(").replace("）", ")").replace("*", "").replace("＊", "")


@dataclass
class SheetTable:
    """A sheet's header row (1-based), its columns (normalised header → 0-based index) and its data rows."""

    header_row: int
    columns: dict[str, int]
    rows: Iterator[tuple[int, list]] = field(repr=False)


def read_table(sheet: CalamineSheet, *, header: str, max_rows: int, scan: int = 100) -> SheetTable:
    """Find the first row holding `header` (title and blank rows may precede it) and iterate the rows below."""
    rows = enumerate(sheet.iter_rows(), start=1)  # iter_rows starts at row 1 of the sheet, blank rows included
    wanted = normalize_header(header)
    for number, cells in rows:
        if number > scan:
            break
        names = [normalize_header(c) for c in cells]
        if wanted in names:
            last = sheet.end[0] + 1 if sheet.end else number
            if last - number > max_rows:
                raise ExcelReadError(f"数据行过多：一次最多导入{max_rows}行，请拆分后分批导入")
            columns = {name: i for i, name in reversed(list(enumerate(names))) if name}
            return SheetTable(header_row=number, columns=columns, rows=_data_rows(rows))
    raise ExcelReadError(f"未找到表头：前{scan}行中没有“{header}”列")


def _data_rows(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The rows below the header, without blank rows and 合计 rows."""
    for number, cells in rows:
        first = first_value(cells)
        if first is not None and not is_total_label(first):
            yield number, cells


def first_value(cells: Sequence) -> object | None:
    """The first cell that is neither empty nor only spaces."""
    return next((c for c in cells if c is not None and (type(c) is not str or c.strip())), None)


def is_total_label(value: object) -> bool:
    """合计 (or 总计), as a 合计 row's first cell says."""
    return type(value) is str and normalize_header(value) in TOTAL_LABELS


def is_blank(cells: Sequence) -> bool:
    """Every cell empty or only spaces."""
    return first_value(cells) is None


def is_total_row(cells: Sequence) -> bool:
    """A 合计 row: its first non-empty cell says 合计 (or 总计)."""
    return is_total_label(first_value(cells))


# ---- cells --------------------------------------------------------------------------------------------------------

def parse_text(value: object) -> str:
    """A cell as text, trimmed; numbers without a spurious ".0", dates as 2024-03-15."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parse_decimal(value: object, *, places: int = 2, max_digits: int = 16, negative: bool = False) -> Decimal | None:
    """A number to `places` decimals, exactly as shown in the cell: floats go through their shortest text, so
    12345.67 stays 12345.67, and no float arithmetic touches it. Blank → None."""
    kind = type(value)
    if kind is float:
        text = repr(value)
    elif kind is int:
        text = str(value)
    elif value is None:
        return None
    elif kind is str:
        text = NUMBER_NOISE.sub("", value)
        if not text:
            return None
    else:  # bool, date, time …
        raise CellError("应为数字")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(f"“{parse_text(value)}”不是数字") from exc
    if not number.is_finite():
        raise CellError("应为数字")
    try:
        number = number.quantize(QUANTA[places], rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise CellError("数值过大") from exc
    if number and number.adjusted() >= max_digits - places:
        raise CellError("数值过大")
    if number < 0 and not negative:
        raise CellError("不能为负数")
    return number


def parse_int(value: object, *, maximum: int = 2_147_483_647) -> int | None:
    """A whole, non-negative number. Blank → None."""
    number = parse_decimal(value, places=6, max_digits=30)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError("应为整数")
    if number > maximum:
        raise CellError("数值过大")
    return int(number)


DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_date(value: object) -> date | None:
    """An Excel date, a date serial number, or text 2024-03-15, 2024/3/15, 2024年3月15日, 2024.3.15, 20240315."""
    if type(value) is date:
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _date_from_number(value)
    if isinstance(value, str):
        return _date_from_text(value.strip())
    raise CellError("日期格式不正确（应如2024-03-15）")


def _date_from_number(value: float) -> date:
    if float(value).is_integer() and 19000101 <= value <= 29991231:
        return _date_from_text(str(int(value)))
    if 1 <= value < 2958466:
        return EXCEL_EPOCH + timedelta(days=int(value))
    raise CellError("日期格式不正确（应如2024-03-15）")


def _date_from_text(text: str) -> date:
    match = DATE_TEXT.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if not match:
        raise CellError(f"“{text}”不是日期（应如2024-03-15）")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise CellError(f"日期“{text}”不存在") from exc


def parse_bool(value: object) -> bool | None:
    """是/否 (also Excel TRUE/FALSE, Y/N, 1/0). Blank → None."""
    if isinstance(value, bool):
        return value
    text = parse_text(value).upper()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"“{parse_text(value)}”应填写“是”或“否”")


def parse_choice(value: object, choices: dict[str, str], shown: Sequence[str] | None = None) -> str | None:
    """The code of a choice given by its label (`choices`: label → code, aliases included; the message lists
    `shown`, or every label). Blank → None."""
    text = parse_text(value)
    if not text:
        return None
    if text not in choices:
        raise CellError(f"“{text}”无效，应为：{'、'.join(shown or choices)}")
    return choices[text]


# ---- writing ------------------------------------------------------------------------------------------------------

BOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                "strings_to_urls": False}
# A string beginning with one of these would be taken for a formula if retyped: show it as text (quote prefix).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {"text": "@", "money": "#,##0.00", "number": "#,##0.00", "int": "#,##0", "seq": "0",
                  "date": "yyyy-mm-dd"}
MAX_STRING = 32767
# Text that needs more than a plain <t> element: XML specials, control characters (Excel's _xHHHH_ escapes, and a
# literal "_xHHHH_" escaped in turn) and leading or trailing whitespace, which Excel trims unless preserved.
NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")


@dataclass(frozen=True)
class Column:
    """One column of an office sheet: its header, kind of value (text / money / number / int / date), width
    in characters, and whether the 合计 row sums it."""

    header: str
    kind: str = "text"
    width: float = 12
    total: bool = False


ColumnGroup = tuple[str, list[Column]]  # a two-level header: the group's text over its columns


def flatten(columns: Sequence[Column | ColumnGroup]) -> list[Column]:
    """The leaf columns, left to right."""
    out: list[Column] = []
    for item in columns:
        out.extend(item[1] if isinstance(item, tuple) else [item])
    return out


_rows_written: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("excel_rows_written", default=None)


@contextmanager
def rows_written() -> Iterator[list[int]]:
    """Inside the block, the data rows of each office workbook closed are noted in the list yielded (the audit of
    a download reads it: how many rows left the platform)."""
    tally: list[int] = []
    token = _rows_written.set(tally)
    try:
        yield tally
    finally:
        _rows_written.reset(token)


class OfficeWorkbook:
    """An in-memory workbook of office-layout sheets; `close()` returns the .xlsx bytes.

    Titles, headers, merges, panes, widths and validations go through XlsxWriter's API. Data rows do not:
    its write_* calls cost several microseconds a cell, too slow for a 100 000-row ledger. They are rendered
    here as the same XML (shared-string cells in XlsxWriter's own table, numbers, date serials, XlsxWriter's
    own formats) and put into the sheet when the file is zipped, compressed at a fast level."""

    def __init__(self) -> None:
        self.output = io.BytesIO()
        self.workbook = Workbook(self.output, BOOK_OPTIONS)
        self._formats: dict[tuple, object] = {}
        self.sheets: list[OfficeSheet] = []

    def format(self, **props) -> object:
        """A cached XlsxWriter format (宋体 10)."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format({"font_name": "宋体", "font_size": 10, **props})
        return self._formats[key]

    def style(self, **props) -> int:
        """The style index (cell attribute s) of a format, registering it with the workbook."""
        return self.format(**props)._get_xf_index()

    def add_sheet(self, name: str, *, title: str, unit: str, columns: Sequence[Column | ColumnGroup],
                  count_column: str | None = None, count_label: str = "共{n}项", numbered: bool = True,
                  total: bool = True, freeze_cols: int = 0) -> OfficeSheet:
        """A sheet with a merged title row, a unit row, its header row(s) and (if `numbered`) a 序号 column.
        The 合计 row (if `total`) sums the columns marked `total` and writes `count_label` (the row count) under
        the header `count_column`."""
        sheet = OfficeSheet(self, name, title=title, unit=unit, columns=columns, numbered=numbered,
                            freeze_cols=freeze_cols)
        sheet.count_index = [c.header for c in sheet.columns].index(count_column) if count_column else None
        sheet.count_label, sheet.with_total = count_label, total
        self.sheets.append(sheet)
        return sheet

    def close(self) -> bytes:
        for sheet in self.sheets:
            sheet.finish()
        self.workbook.close()
        bulk = {f"xl/worksheets/sheet{s.ws.index + 1}.xml": s for s in self.sheets if s.rows}
        if (tally := _rows_written.get()) is not None:
            tally.append(sum(s.count for s in self.sheets))
        return _repack(self.output.getvalue(), bulk)


def _repack(xlsx: bytes, bulk: dict[str, OfficeSheet]) -> bytes:
    """Re-zip XlsxWriter's file with each sheet's data rows inserted before </sheetData>."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info)
            sheet = bulk.get(info.filename)
            if sheet is None:
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            head = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{sheet.extent}"/>'.encode(), head, count=1)
            with dst.open(info.filename, "w", force_zip64=True) as part:
                part.write(head)
                for i in range(0, len(sheet.rows), 2000):
                    part.write(b"".join(sheet.rows[i:i + 2000]))
                part.write(b"</sheetData>" + tail)
    return out.getvalue()


class OfficeSheet:
    """One sheet laid out as offices lay a ledger. Append data rows (without 序号) with `append`."""

    def __init__(self, book: OfficeWorkbook, name: str, *, title: str, unit: str,
                 columns: Sequence[Column | ColumnGroup], numbered: bool, freeze_cols: int) -> None:
        self.book, self.numbered = book, numbered
        self.ws = book.workbook.add_worksheet(name)
        self.tree = [*([Column("序号", "seq", 6)] if numbered else []), *columns]
        self.columns = flatten(self.tree)
        self.header_rows = 2 if any(isinstance(c, tuple) for c in columns) else 1
        self.first_data_row = 2 + self.header_rows  # 0-based
        self.rows: list[bytes] = []
        self.count = 0
        self.count_index: int | None = None
        self.count_label, self.with_total = "", True
        self.totals = [Decimal(0) if c.total else None for c in self.columns]
        self._total_indexes = [i for i, c in enumerate(self.columns) if c.total]
        self._layout(title, unit, freeze_cols)
        self._cells = [self._renderer(i, c) for i, c in enumerate(self.columns)]
        # Text goes into the workbook's shared-string table (XlsxWriter writes and escapes it): a ledger repeats
        # its zones, types and stages on every row, so the file is a third the size of inline strings and reads
        # back twice as fast.
        self.shared = book.workbook.str_table._get_shared_string_index

    @property
    def extent(self) -> str:
        """The sheet's used range, A1:…, for its <dimension>."""
        last_row = self.first_data_row + self.count + (1 if self.with_total else 0)
        return f"A1:{xl_col_to_name(len(self.columns) - 1)}{last_row}"

    # -- layout --

    def _layout(self, title: str, unit: str, freeze_cols: int) -> None:
        ws, last = self.ws, len(self.columns) - 1
        self._merge(0, 0, 0, last, title, self.book.format(bold=True, font_size=16, align="center",
                                                             valign="vcenter"))
        self._merge(1, 0, 1, last, unit, self.book.format(align="right", valign="vcenter"))
        ws.set_row(0, 32)
        self._headers()
        for i, column in enumerate(self.columns):
            ws.set_column(i, i, column.width, self.book.format(num_format=NUMBER_FORMATS.get(column.kind, "@")))
        ws.freeze_panes(self.first_data_row, freeze_cols)
        ws.repeat_rows(2, self.first_data_row - 1)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    def _merge(self, r1: int, c1: int, r2: int, c2: int, text: str, fmt) -> None:
        if (r1, c1) != (r2, c2):
            self.ws.merge_range(r1, c1, r2, c2, "", fmt)
        self.ws.write_string(r1, c1, text, fmt)

    def _headers(self) -> None:
        fmt = self.book.format(bold=True, align="center", valign="vcenter", text_wrap=True, border=1,
                               bg_color="#D9E1F2")
        top, bottom, col = 2, 1 + self.header_rows, 0
        for item in self.tree:
            if isinstance(item, tuple):
                group, subs = item
                self._merge(top, col, top, col + len(subs) - 1, group, fmt)
                for j, sub in enumerate(subs):
                    self.ws.write_string(bottom, col + j, sub.header, fmt)
                col += len(subs)
            else:
                self._merge(top, col, bottom, col, item.header, fmt)
                col += 1
        self.ws.set_row(bottom, 30)

    # -- data --

    def _renderer(self, index: int, column: Column) -> tuple[str, str, str, str]:
        """(cell prefix up to the row number, kind, attributes for a plain value, for a formula-like string)."""
        num = NUMBER_FORMATS.get(column.kind) if column.kind != "text" else None
        plain = self.book.style(border=1, **({"num_format": num} if num else {}))
        quoted = self.book.style(border=1, quote_prefix=True)
        kind = column.kind if column.kind in ("text", "date") else "number"
        return f'<c r="{xl_col_to_name(index)}', kind, f'" s="{plain}"', f'" s="{quoted}"'

    def append(self, values: Sequence) -> None:
        """One data row; `values` follow the columns after 序号 (None or "" for a blank cell). Text is stored as
        string cells (never formulas); one starting like a formula is shown with a quote prefix."""
        self.count += 1
        row = str(self.first_data_row + self.count)  # the Excel row number
        values = [self.count, *values] if self.numbered else values
        if len(values) != len(self._cells):
            raise ValueError(f"expected {len(self._cells)} values, got {len(values)}")
        parts = [f'<row r="{row}">']
        add, shared = parts.append, self.shared
        for (prefix, kind, plain, quoted), value in zip(self._cells, values):  # noqa: B905 (length checked)
            if value is None:
                add(f"{prefix}{row}{plain}/>")
            elif kind == "number":
                add(f"{prefix}{row}{plain}><v>{value}</v></c>")
            elif kind == "date":
                add(f"{prefix}{row}{plain}><v>{value.toordinal() - EXCEL_EPOCH_ORDINAL}</v></c>")
            elif value == "":
                add(f"{prefix}{row}{plain}/>")
            else:
                text = ("是" if value else "否") if value is True or value is False else str(value)
                style = quoted if text.startswith(FORMULA_STARTS) else plain
                if len(text) > MAX_STRING or (text.startswith("<r>") and text.endswith("</r>")):
                    # too long for the table, or what XlsxWriter's table would take for rich-text markup
                    add(f'{prefix}{row}{style} t="inlineStr"><is>{_inline_text(text)}</is></c>')
                else:
                    add(f'{prefix}{row}{style} t="s"><v>{shared(text)}</v></c>')
        add("</row>")
        self.rows.append("".join(parts).encode())
        for i in self._total_indexes:
            if (value := values[i]) is not None and value != "":
                self.totals[i] += Decimal(repr(value)) if isinstance(value, float) else value

    def finish(self) -> None:
        """Add the 合计 row (called by OfficeWorkbook.close)."""
        if not self.with_total:
            return
        row, cells = self.first_data_row + self.count + 1, []
        for i, column in enumerate(self.columns):
            label = "合计" if i == 0 else self.count_label.format(n=self.count) if i == self.count_index else None
            num = NUMBER_FORMATS.get(column.kind) if label is None and column.kind != "text" else None
            style = self.book.style(bold=True, border=1, **({"num_format": num} if num else {}))
            ref = f"{xl_col_to_name(i)}{row}"
            if label is not None:
                cells.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is>{_inline_text(label)}</is></c>')
            elif self.totals[i] is not None:
                cells.append(f'<c r="{ref}" s="{style}"><v>{self.totals[i]}</v></c>')
            else:
                cells.append(f'<c r="{ref}" s="{style}"/>')
        self.rows.append(f'<row r="{row}">{"".join(cells)}</row>'.encode())


def _inline_text(text: str) -> str:
    """The <t> element of an inline string cell."""
    text = text[:MAX_STRING]
    if not NEEDS_ESCAPE.search(text):
        return f"<t>{text}</t>"
    escaped = XMLwriter._escape_control_characters(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return f'<t xml:space="preserve">{escaped}</t>'
