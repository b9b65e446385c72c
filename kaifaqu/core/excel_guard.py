"""The check every uploaded workbook passes before python-calamine reads it (上传Excel的安全检查).

calamine fills a dense grid spanning a sheet's cells: one cell at XFD1048576 asks for 17 billion of them and the
process is aborted by the allocator, whatever limit is checked afterwards. It also keeps every shared string, so
a part that inflates to gigabytes fills memory too. Before calamine sees a file, this module therefore

- accepts only .xlsx / .xlsm (a zip holding xl/workbook.xml). .xls, .xlsb and .ods are refused with a message
  saying so: their sheets could only be bounded by a second parser of each binary or ODF format, and every office
  suite (Excel, WPS, LibreOffice) saves .xlsx, the format of every template the platform hands out;
- inflates every part itself, from the raw compressed bytes and with a cap: the real sizes count, so
  a part whose declared size lies is caught once it passes the cap, and little more than a chunk is held at once;
  the declared total, the real total and the ratio of inflated to uploaded bytes are bounded;
- finds the first sheet as calamine does and scans its XML for the cells calamine would place, refusing a sheet
  that reaches beyond the rows and columns the caller allows;
- bounds the text the sheet's string cells will hold, since calamine copies a shared string into every cell that
  shows it (one long string shown by many cells is a small file and gigabytes of memory).

Every refusal is an ExcelReadError with a Chinese message. The common file costs one inflate and a few regular
expressions over the sheet in C (no Python per cell); only a sheet whose cells omit their reference (rare, legal)
is walked tag by tag, stopping at the first cell out of bounds.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

# The real (inflated) size of all parts together; and, above RATIO_FROM bytes, how many times the upload they may
# be. The platform's ledger of 100,000 rows (19 MB) inflates to 108 MB, under 6 times its size.
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM = 16 * 1024 * 1024
MAX_PARTS = 2000
CHUNK = 4 * 1024 * 1024
# Rows a sheet may hold above the data (title, unit and header rows; the header is looked for in the first 100)
# and below it (合计, notes); columns beside the template's (remarks, helper columns).
ROW_SLACK = 110
COLUMN_SLACK = 16
MIN_COLUMNS = 32
FORMATS = "仅支持.xlsx格式的Excel文件（.xls、.xlsb、.ods等请在Excel或WPS中“另存为”.xlsx后上传）"
UNREADABLE = "无法读取：文件已损坏，请重新保存后上传"
NOT_EXCEL = "无法读取：文件不是有效的Excel文件（仅支持.xlsx格式），或已损坏"
TOO_BIG = "文件内容过大（解压后超过限制），请拆分后分批导入"
TOO_MUCH_TEXT = "表格中的文字内容过多（展开后超过限制），请拆分后分批导入"
# calamine copies a shared string into every cell that shows it: one 32 KB string shown by 300,000 cells (a 60 KB
# file) asks for 10 GB. The text all string cells hold together is bounded, and the shared strings' part and count.
MAX_CELL_TEXT_BYTES = 256 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024
MAX_SHARED_STRINGS = 2_000_000
XLSX_ACCEPT = ".xlsx,.xlsm"  # the upload fields' accept attribute: what this module lets through
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Parts whose presence makes calamine try the .xlsb or .ods reader, which this module does not bound.
OTHER_FORMATS = {"xl/workbook.bin", "xl/_rels/workbook.bin.rels", "content.xml"}


class ExcelReadError(Exception):
    """The file as a whole cannot be read; `message` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Bounds:
    """The last row and column (1-based) a sheet's cells may reach."""

    rows: int
    columns: int

    @classmethod
    def for_template(cls, *, max_rows: int, columns: int) -> Bounds:
        """Room for `max_rows` data rows of a template of `columns` columns, with the slack offices need."""
        return cls(rows=max_rows + ROW_SLACK, columns=max(columns + COLUMN_SLACK, MIN_COLUMNS))


def check_workbook(data: bytes, *, bounds: Bounds) -> None:
    """Refuse (ExcelReadError) a workbook calamine cannot read within bounded memory: another format than .xlsx,
    a zip inflating beyond the limits (declared or real), a first sheet with cells beyond `bounds`."""
    if data.startswith(OLE_MAGIC):
        # An .xls, or an .xlsx encrypted with a password (Office keeps those in an OLE container)
        encrypted = "EncryptedPackage".encode("utf-16-le") in data
        raise ExcelReadError("文件设有密码，请取消密码后再上传" if encrypted else FORMATS)
    if not data.startswith(b"PK\x03\x04"):
        raise ExcelReadError(NOT_EXCEL)
    archive = _Archive(data)
    sheets = _first_sheet_parts(archive)
    strings = _SharedStrings(archive.read(SHARED, limit=MAX_SHARED_STRINGS_BYTES) if SHARED in archive.parts else b"")
    for key in archive.parts.keys() - sheets - {SHARED}:  # styles and the rest: their real sizes count too
        for _ in archive.inflate(key):
            pass
    for key in sheets:
        _scan_sheet(archive, key, bounds, strings)


# ---- the zip ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Part:
    name: str
    offset: int  # of its local header
    method: int
    compressed: int


class _Archive:
    """An uploaded zip's parts (by lower-case name, as calamine finds them), each inflated on demand under the
    running total of real bytes."""

    def __init__(self, data: bytes):
        self.data = data
        self.parts: dict[str, _Part] = {}
        self.inflated = 0
        declared = 0
        for name, method, compressed, size, offset in _central_directory(data):
            key = name.lower()
            if key in self.parts:  # calamine and this module could read different ones
                raise ExcelReadError(UNREADABLE)
            if key in OTHER_FORMATS:
                raise ExcelReadError(FORMATS)
            self.parts[key] = _Part(name, offset, method, compressed)
            declared += size
        if declared > MAX_UNZIPPED_BYTES:
            raise ExcelReadError(TOO_BIG)

    def inflate(self, key: str) -> Iterator[bytes]:
        """The part's bytes, a chunk at a time, decompressed here whatever its header declares."""
        part = self.parts[key]
        raw = self._raw(part)
        if part.method == 0:
            for start in range(0, len(raw), CHUNK):
                yield self._count(raw[start:start + CHUNK])
            return
        if part.method != 8:  # Excel only deflates; calamine's other methods are not checked here
            raise ExcelReadError(UNREADABLE)
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for start in range(0, len(raw), CHUNK):
                pending = raw[start:start + CHUNK]
                while pending:
                    yield self._count(inflater.decompress(pending, CHUNK))
                    pending = inflater.unconsumed_tail
        except zlib.error as exc:
            raise ExcelReadError(UNREADABLE) from exc

    def _raw(self, part: _Part) -> memoryview:
        header = self.data[part.offset:part.offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise ExcelReadError(UNREADABLE)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = part.offset + 30 + name_len + extra_len
        if start + part.compressed > len(self.data):
            raise ExcelReadError(UNREADABLE)
        return memoryview(self.data)[start:start + part.compressed]

    def _count(self, chunk: bytes) -> bytes:
        self.inflated += len(chunk)
        if self.inflated > MAX_UNZIPPED_BYTES or (
                self.inflated > RATIO_FROM and self.inflated > MAX_RATIO * len(self.data)):
            raise ExcelReadError(TOO_BIG)
        return bytes(chunk)

    def read(self, key: str, *, limit: int = 8 * 1024 * 1024) -> bytes:
        """A part whole (workbook, relationships, shared strings), up to `limit` bytes."""
        out, size = [], 0
        for chunk in self.inflate(key):
            size += len(chunk)
            if size > limit:
                raise ExcelReadError(TOO_BIG)
            out.append(chunk)
        return b"".join(out)


def _central_directory(data: bytes) -> Iterator[tuple[str, int, int, int, int]]:
    """(name, method, compressed size, declared size, local header offset) of each part, read from the end of
    central directory record and the records it points to (counted before any is read)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data) or data[end - 20:end - 16] == b"PK\x06\x07":
        raise ExcelReadError(UNREADABLE)  # no end record, or a zip64 one: no .xlsx needs it
    count, size, offset = struct.unpack("<HII", data[end + 10:end + 20])
    if count > MAX_PARTS:
        raise ExcelReadError(TOO_BIG)
    if offset + size != end:  # a directory elsewhere than just before its end record: readers could disagree
        raise ExcelReadError(UNREADABLE)
    position = offset
    for _ in range(count):
        record = data[position:position + 46]
        if len(record) < 46 or record[:4] != b"PK\x01\x02":
            raise ExcelReadError(UNREADABLE)
        (method, compressed, declared, name_len, extra_len, comment_len,
         local) = struct.unpack("<10xH8xIIHHH8xI", record)
        name = data[position + 46:position + 46 + name_len].decode("utf-8", "replace")
        if 0xFFFFFFFF in (compressed, declared, local):
            raise ExcelReadError(UNREADABLE)
        yield name, method, compressed, declared, local
        position += 46 + name_len + extra_len + comment_len
    if position != end:
        raise ExcelReadError(UNREADABLE)


# ---- the workbook: which part is the first sheet ------------------------------------------------------------------

COMMENTS = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.S)
# XML attributes, more leniently than quick-xml (calamine's parser) takes them: no space needed between them
ATTR = rb"""[^\s=/>"']+\s*=\s*(?:"[^"]*"|'[^']*')"""
ANY_ATTRS = rb"(?:\s*" + ATTR + rb")*"
ATTRIBUTE = re.compile(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _elements(xml: bytes, local_name: bytes) -> Iterator[list[tuple[bytes, bytes]]]:
    """The attributes (name, raw value), in order, of each element named `local_name` under any prefix."""
    pattern = re.compile(rb"<(?:[^\s<>/!?:]+:)?" + local_name + rb"(?=[\s/>])(" + ANY_ATTRS + rb")\s*/?>")
    for match in pattern.finditer(COMMENTS.sub(b"", xml)):
        yield [(m[1], m[2] if m[2] is not None else m[3]) for m in ATTRIBUTE.finditer(match[1])]


def _first_sheet_parts(archive: _Archive) -> list[str]:
    """The part calamine opens as the first sheet: the first <sheet> of xl/workbook.xml through its relationship.
    calamine's versions resolve a target differently ("xl/" prefixed, or as a path): every reading present is
    returned, to be checked alike."""
    if "xl/_rels/workbook.xml.rels" not in archive.parts or "xl/workbook.xml" not in archive.parts:
        raise ExcelReadError(FORMATS)
    targets = {}
    for attrs in _elements(archive.read("xl/_rels/workbook.xml.rels"), b"Relationship"):
        found = dict(attrs)
        targets[found.get(b"Id", b"")] = found.get(b"Target", b"").decode("utf-8", "replace")
    sheet = next(_elements(archive.read("xl/workbook.xml"), b"sheet"), [])
    ids = [value for name, value in sheet if name in (b"r:id", b"relationships:id")]
    if not ids or ids[-1] not in targets:
        raise ExcelReadError(UNREADABLE)
    target = targets[ids[-1]]
    readings = [target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}",
                target.lstrip("/"), posixpath.normpath(posixpath.join("xl", target))]
    parts = list(dict.fromkeys(p.lower() for p in readings if p.lower() in archive.parts))
    if not parts:
        raise ExcelReadError(UNREADABLE)
    return parts


# ---- the sheet: where its cells are -------------------------------------------------------------------------------

# A cell as office suites write it: its reference first ("<c r="B7" s="3" t="s">). A sheet of such cells is checked
# by one regular expression, in C at a literal "<c" (no Python per cell): its reference is where calamine puts it,
# and it cannot be cut between pieces. Any other cell (or an element under a namespace prefix) sends the sheet to
# the exact walk.
ODD_CELL = rb"""[\t\n\r\x0b\x0c/>]| (?!r=")"""
PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
# The exact walk's tags. A ">" inside an attribute's value (legal, never written by office suites) would let a tag
# straddle two pieces unseen: refused.
TAG = re.compile(rb"<(/?)(?:[^\s<>/!?:]+:)?(row|c)(?=[\s/>])(" + ANY_ATTRS + rb")\s*(/?)>")
QUOTED_GT = re.compile(rb"""=\s*(?:"[^"]*>|'[^']*>)""")
REF = re.compile(rb"([A-Za-z]*)(\d+)")


def _scan_sheet(archive: _Archive, key: str, bounds: Bounds, strings: _SharedStrings) -> None:
    """Refuse a sheet with a cell beyond `bounds`, or whose string cells would hold too much text: by regular
    expressions when its cells are written as office suites write them, else by walking its tags as calamine
    does."""
    before = archive.inflated
    scan = _SheetScan(bounds)
    if not scan.fast(_pieces(archive.inflate(key))):
        archive.inflated = before  # read again from the start, counted once
        scan.exact(_pieces(archive.inflate(key), strict=True))
    if scan.string_cells * strings.longest <= MAX_CELL_TEXT_BYTES:
        return
    archive.inflated = before
    if scan.exact_walk or strings.text_held(_pieces(archive.inflate(key))) > MAX_CELL_TEXT_BYTES:
        raise ExcelReadError(TOO_MUCH_TEXT)


SHARED = "xl/sharedstrings.xml"
P = rb"(?:[^\s<>/!?:]+:)?"  # any namespace prefix
SI_CLOSE = re.compile(rb"</" + P + rb"si\s*>")
SI_OPEN = re.compile(rb"<" + P + rb"si(?=[\s/>])")
TEXT_OR_RUN = re.compile(rb"<" + P + rb"[tr](?=[\s/>])")
# What could make calamine skip an <si> this module counts: phonetic text, comments, "<" in a value.
UNSURE_STRING = re.compile(rb"""rPh|<!|<\?|=\s*(?:"[^"]*<|'[^']*<)""")
STRING_CELL = re.compile(rb'<c r="[A-Za-z]+\d+"[^>]*? t="s"[^>]*>(?:<v>(\d+)</v>)?')
ODD_TYPE = re.compile(rb"""t(?:\s+=|=\s|=')""")


class _SharedStrings:
    """The shared strings as calamine will hold them: at most how long each is (its XML, which its text never
    exceeds). `longest` bounds every one: calamine's string runs from an <si> to the next </si>."""

    def __init__(self, xml: bytes):
        self.xml = xml
        self.longest = max(map(len, SI_CLOSE.split(xml))) if xml else 0
        if xml.count(b"<si") + xml.count(b":si") > MAX_SHARED_STRINGS:
            raise ExcelReadError(TOO_MUCH_TEXT)

    def bounds(self) -> list[int]:
        """For each index, the most text calamine's string of that index can hold. calamine's versions differ on
        an <si> without text (kept empty, or skipped) and an <si> inside another (merged): E such irregular ones
        shift an index by at most E, so index k is given the strings k to k+E together."""
        segments = SI_OPEN.split(self.xml)[1:]  # each from one <si to the next
        lengths = [len(segment) for segment in segments]
        irregular = sum(len(SI_CLOSE.findall(segment)) != 1 or not TEXT_OR_RUN.search(segment)
                        or UNSURE_STRING.search(segment) is not None for segment in segments)
        if not irregular:
            return lengths
        running = [0, *itertools.accumulate(lengths)]
        return [running[min(k + irregular + 1, len(lengths))] - running[k] for k in range(len(lengths))]

    def text_held(self, pieces: Iterator[bytes]) -> int:
        """The most text the sheet's string cells can hold, counted cell by cell; a cell naming no string held
        as the longest."""
        lengths, total = self.bounds(), 0
        for text in pieces:
            cells = STRING_CELL.findall(text)
            if len(cells) != text.count(b't="s"') or ODD_TYPE.search(text):
                return MAX_CELL_TEXT_BYTES + 1  # string cells not all found: assume the worst
            for index in cells:
                total += lengths[int(index)] if index and int(index) < len(lengths) else self.longest
        return total


def _pieces(chunks: Iterator[bytes], *, strict: bool = False) -> Iterator[bytes]:
    """The XML in pieces that end after a ">"; `strict`: refusing a ">" inside an attribute's value."""
    carry = b""
    for i, chunk in enumerate(chunks):
        if i == 0 and (chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:1024]):
            raise ExcelReadError(UNREADABLE)  # UTF-16 or UTF-32: not what office suites write
        text = carry + chunk
        cut = text.rfind(b">") + 1
        if cut == 0 and len(text) > CHUNK:
            raise ExcelReadError(UNREADABLE)
        text, carry = text[:cut], text[cut:]
        if strict and QUOTED_GT.search(text):
            raise ExcelReadError(UNREADABLE)
        yield text


def _column_name(column: int) -> str:
    """1 → A, 27 → AA."""
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def _beyond_letters(limit: int) -> bytes:
    """A pattern of the column names (any case) after column number `limit`."""
    name = _column_name(limit)
    options = [rb"[A-Za-z]{%d,}" % (len(name) + 1)]
    for i, letter in enumerate(name):
        if letter != "Z":
            after = chr(ord(letter) + 1)
            options.append(rb"(?i:%s)[%s-Z%s-z]" % (name[:i].encode(), after.encode(), after.lower().encode())
                           + rb"[A-Za-z]" * (len(name) - i - 1))
    return rb"(?:" + b"|".join(options) + rb")"


def _beyond_number(limit: int) -> bytes:
    """A pattern of the numbers (leading zeros allowed) above `limit`."""
    digits = str(limit)
    options = [rb"[1-9]\d{%d,}" % len(digits)]
    for i, digit in enumerate(digits):
        if digit != "9":
            options.append(digits[:i].encode() + rb"[%d-9]" % (int(digit) + 1) + rb"\d" * (len(digits) - i - 1))
    return rb"0*(?:" + b"|".join(options) + rb")"


class _SheetScan:
    """Finds a cell of the sheet beyond the bounds, where calamine would place it."""

    def __init__(self, bounds: Bounds):
        self.bounds = bounds
        beyond = rb"%s\d+|[A-Za-z]+(?=0*\d{%d})%s" % (
            _beyond_letters(bounds.columns), len(str(bounds.rows)), _beyond_number(bounds.rows))
        # An odd cell (group 1), or one with its reference beyond (group 2) unless it is empty and self-closing,
        # as Excel writes a formatted empty cell: calamine skips a cell without a value.
        self.fast_check = re.compile(rb'<c(?:(%s)| r="(%s)"(?!(?: s="\d{1,5}")?/>))' % (ODD_CELL, beyond))
        self.row = self.column = 0  # the exact walk's position, 0-based, kept as calamine keeps it
        self.in_cell = self.exact_walk = False
        self.string_cells = 0  # cells that may show a shared string

    def fast(self, pieces: Iterator[bytes]) -> bool:
        """Scan every piece; False (and stop) at the first irregular one."""
        for text in pieces:
            match = self.fast_check.search(text)
            if (match and match[1] is not None) or PREFIXED.search(text):
                return False
            if match:
                self._refuse(match[2])
            # a string cell is t="s"; any other way of writing a type attribute: count every cell as one
            self.string_cells += text.count(b'<c r="') if ODD_TYPE.search(text) else text.count(b't="s"')
        return True

    def exact(self, pieces: Iterator[bytes]) -> None:
        """calamine's placing of cells: at its reference, or after the cell before it in its row; a row at its
        number, or after the row before. A row or cell inside a cell is refused: calamine reads it otherwise."""
        self.exact_walk, self.string_cells = True, 0
        for text in pieces:
            for close, name, attrs, empty in TAG.findall(text):
                refs = [m[2] if m[2] is not None else m[3] for m in ATTRIBUTE.finditer(attrs) if m[1] == b"r"]
                ref = refs[-1] if refs else None
                if self.in_cell and not (close and name == b"c"):
                    raise ExcelReadError(UNREADABLE)
                if name == b"row":
                    self._row(ref, close=bool(close), empty=bool(empty))
                elif close:
                    self.in_cell, self.column = False, self.column + 1
                else:
                    self._cell(ref, empty=bool(empty))
                    self.string_cells += not empty and any(
                        m[1] == b"t" and (m[2] or m[3]) == b"s" for m in ATTRIBUTE.finditer(attrs))

    def _row(self, ref: bytes | None, *, close: bool, empty: bool) -> None:
        if not close and ref is not None:
            self.row = self._position(ref)[0]
        if close or empty:
            self.row, self.column = self.row + 1, 0

    def _cell(self, ref: bytes | None, *, empty: bool) -> None:
        row = self.row
        if ref is not None:
            row, self.column = self._position(ref)
        if empty:  # no value: skipped by calamine, but the next cell comes after it
            self.column += 1
            return
        if row >= self.bounds.rows or self.column >= self.bounds.columns:
            self._refuse(ref or f"{_column_name(self.column + 1)}{row + 1}".encode())
        self.in_cell = True

    @staticmethod
    def _position(ref: bytes) -> tuple[int, int]:
        """(row, column), 0-based, of a reference such as B12 (a row's may omit the column)."""
        match = REF.fullmatch(ref)
        if not match or len(ref) > 16:
            raise ExcelReadError(UNREADABLE)
        column = 0
        for letter in match[1].upper():
            column = column * 26 + letter - 64
        return int(match[2]) - 1, column - 1

    def _refuse(self, ref: bytes) -> None:
        raise ExcelReadError(
            f"表格范围过大：单元格{ref.decode('ascii', 'replace').upper()[:20]}超出了可导入的范围"
            f"（最多{self.bounds.rows}行、{self.bounds.columns}列，即到{_column_name(self.bounds.columns)}列），"
            "请删除表格下方或右侧多余的内容后重新上传")
