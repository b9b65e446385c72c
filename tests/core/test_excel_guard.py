"""The check every upload passes before python-calamine reads it (excel_guard): hostile workbooks — a far sparse
cell, zip bombs, parts whose declared sizes lie, other formats — are refused with a Chinese message before calamine
sees them, in bounded memory (measured in a subprocess); users who may write nothing are refused before any file
is read."""

import io
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
import xlsxwriter

from kaifaqu.core import excel_guard
from kaifaqu.core.excel import ExcelReadError, open_first_sheet, read_table
from kaifaqu.core.excel_guard import FORMATS, NOT_EXCEL, TOO_BIG, UNREADABLE, Bounds
from kaifaqu.indicators.models import Target
from kaifaqu.projects.models import Project
from kaifaqu.tickets.models import ServiceItem
from kaifaqu.zones.models import Enterprise

ROOT = Path(__file__).resolve().parents[2]
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STATIC_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                           b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                   b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook ' + NS + b' xmlns:r="http://schemas.openxmlformats.org/'
                       b'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
                       b"</sheets></workbook>",
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                  b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                                  b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                  b'Target="worksheets/sheet1.xml"/></Relationships>',
}
SHEET = "xl/worksheets/sheet1.xml"
# A ledger-sized reader: 200,000 rows of a 33-column template (the project ledger's limits)
LEDGER = {"max_bytes": 40 * 1024 * 1024, "max_rows": 200_000, "columns": 33}
SMALL = {"max_bytes": 5 * 1024 * 1024, "max_rows": 200, "columns": 6}  # the monthly report's


def sheet_xml(rows: bytes) -> bytes:
    return b'<?xml version="1.0"?><worksheet ' + NS + b"><sheetData>" + rows + b"</sheetData></worksheet>"


def workbook(rows: bytes, **parts: bytes) -> bytes:
    """A minimal .xlsx, written by hand, whose first sheet holds `rows` (<row> elements)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in {**STATIC_PARTS, SHEET: sheet_xml(rows), **parts}.items():
            z.writestr(name, data)
    return out.getvalue()


def cells(*refs: str) -> bytes:
    """Rows holding a number in each cell named."""
    return b"".join(b'<row r="%s"><c r="%s"><v>1</v></c></row>' % (ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode(),
                                                                  ref.encode()) for ref in refs)


def deflated(head: bytes, filler: bytes, times: int, tail: bytes) -> bytes:
    """A raw deflate stream of head + filler × times + tail, built without writing it out: the filler is
    compressed once into a block that stands alone (full flush) and repeated, so a stream inflating to a gigabyte
    is built in milliseconds."""
    def block(data: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)

    last = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return block(head) + block(filler) * times + last.compress(tail) + last.flush()


def deflate(data: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, size, CRC) of a part."""
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush(), len(data), zlib.crc32(data)


def raw_zip(parts: dict[str, tuple]) -> bytes:
    """A zip written byte by byte: {name: (raw deflate stream, the uncompressed size it declares[, CRC])}; the
    declared sizes may lie (and the CRC be left 0 where calamine never reads the file)."""
    out, directory = io.BytesIO(), b""
    for name, (raw, declared, *crc) in parts.items():
        encoded, offset = name.encode(), out.tell()
        fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0, crc[0] if crc else 0, len(raw), declared,
                             len(encoded), 0)
        out.write(b"PK\x03\x04" + fields + encoded + raw)
        directory += (b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, offset)
                      + encoded)
    start = out.tell()
    out.write(directory + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts), len(directory),
                                                       start, 0))
    return out.getvalue()


def small_parts() -> dict[str, tuple]:
    return {name: deflate(data) for name, data in STATIC_PARTS.items()}


FILLER = b"<x/>" * 65536  # 256 KB of empty elements, ignored by calamine


def bomb(inflated: int, *, declared: int | None = None) -> bytes:
    """An .xlsx whose sheet inflates to about `inflated` bytes of highly compressible XML; with its true size and
    CRC unless `declared` gives a size."""
    head, tail = sheet_xml(b"")[:-len(b"</sheetData></worksheet>")], b"</sheetData></worksheet>"
    times = max(1, (inflated - len(head) - len(tail)) // len(FILLER))
    raw = deflated(head, FILLER, times, tail)
    if declared is not None:
        return raw_zip({**small_parts(), SHEET: (raw, declared)})
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(FILLER, crc)
    return raw_zip({**small_parts(), SHEET: (raw, len(head) + len(FILLER) * times + len(tail), zlib.crc32(tail, crc))})


def strings_bomb(times: int) -> bytes:
    """An .xlsx whose shared strings (all kept in memory by calamine) inflate to times × 256 KB; declared 2 KB."""
    raw = deflated(b"<sst " + NS + b">", (b"<si><t>" + b"x" * 4000 + b"</t></si>") * 64, times, b"</sst>")
    return raw_zip({**small_parts(), SHEET: deflate(sheet_xml(cells("A1"))), "xl/sharedStrings.xml": (raw, 2048)})


@pytest.fixture
def no_calamine(monkeypatch):
    """calamine must not be reached: the guard refuses first."""
    def never(*args, **kwargs):
        raise AssertionError("calamine was asked to read a file the guard should have refused")

    monkeypatch.setattr("kaifaqu.core.excel.CalamineWorkbook.from_filelike", never)


def refusal(data: bytes, limits: dict = LEDGER) -> str:
    with pytest.raises(ExcelReadError) as exc:
        open_first_sheet(data, **limits)
    return exc.value.message


def beyond(ref: str, limits: dict = LEDGER) -> str:
    bounds = Bounds.for_template(max_rows=limits["max_rows"], columns=limits["columns"])
    last = excel_guard._column_name(bounds.columns)
    return (f"表格范围过大：单元格{ref}超出了可导入的范围（最多{bounds.rows}行、{bounds.columns}列，即到{last}列），"
            "请删除表格下方或右侧多余的内容后重新上传")


# ---- the sheet's extent -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("far", ["XFD1048576", "XFD2000", "XFD8000", "A1048576", "ZZ10"])
def test_one_far_cell_is_refused_before_calamine_reads(no_calamine, far):
    data = workbook(cells("A1", far))
    assert len(data) < 2000  # the 1.7 KB file of the issue
    assert refusal(data) == beyond(far)


def test_the_bounds_are_the_callers_rows_and_the_templates_columns_with_slack():
    assert beyond("AG1", SMALL) == ("表格范围过大：单元格AG1超出了可导入的范围（最多310行、32列，即到AF列），"
                                    "请删除表格下方或右侧多余的内容后重新上传")
    assert Bounds.for_template(max_rows=200_000, columns=33) == Bounds(rows=200_110, columns=49)
    assert Bounds.for_template(max_rows=200, columns=6) == Bounds(rows=310, columns=32)
    # the last cell allowed is read; one row or one column further is refused
    sheet = open_first_sheet(workbook(cells("A1", "AF310")), **SMALL)
    assert (sheet.height, sheet.width) == (310, 32)
    assert refusal(workbook(cells("A1", "AG1")), SMALL) == beyond("AG1", SMALL)
    assert refusal(workbook(cells("A1", "A311")), SMALL) == beyond("A311", SMALL)
    assert refusal(workbook(cells("A1", "A0000311")), SMALL) == beyond("A0000311", SMALL)


def test_references_are_read_as_calamine_reads_them(no_calamine):
    """Lower-case references, other quotes and spaces, attributes before the reference, a namespace prefix."""
    assert refusal(workbook(b'<row r="1"><c r="xfd1"><v>1</v></c></row>')) == beyond("XFD1")
    assert refusal(workbook(b"<row r='1'><c t=\"n\" r = 'XFD1'><v>1</v></c></row>")) == beyond("XFD1")
    assert refusal(workbook(b'<row r="1"><c s="1"r="XFD1"><v>1</v></c></row>')) == beyond("XFD1")
    assert refusal(workbook(b'<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>')) == beyond("XFD1")


def test_cells_without_references_are_placed_as_calamine_places_them(no_calamine):
    """Rows and cells may omit their reference: each then follows the one before, so a run of empty ones pushes
    the next cell far away."""
    assert refusal(workbook(b'<row r="1"><c r="A1"><v>1</v></c>' + b"<c/>" * 600 + b"<c><v>1</v></c></row>")) \
        == beyond("WD1")
    assert refusal(workbook(b"<row></row>" * 200_200 + b"<row><c><v>1</v></c></row>")) == beyond("A200201")


def test_cells_without_references_within_bounds_are_read_in_place():
    data = workbook(b"<row><c><v>1</v></c><c/><c><v>3</v></c></row><row></row><row><c><v>4</v></c></row>")
    assert open_first_sheet(data, **SMALL).to_python() == [[1.0, "", 3.0], ["", "", ""], [4.0, "", ""]]


def test_a_formatted_empty_cell_far_away_is_no_reason_to_refuse():
    """Excel writes a cell that only carries a format (a border) without a value; calamine skips it."""
    data = workbook(cells("A1") + b'<row r="90000"><c r="XFD90000" s="3"/></row>')
    assert open_first_sheet(data, **SMALL).to_python() == [[1.0]]


def test_a_tag_that_could_hide_its_reference_is_refused(no_calamine):
    assert refusal(workbook(b'<row r="1"><c x=">" r="XFD1"><v>1</v></c></row>')) == UNREADABLE
    assert refusal(workbook(b'<row r="1"><c x="/>" r="XFD1"><v>1</v></c></row>')) == UNREADABLE


def test_a_sheet_in_utf16_is_refused(no_calamine):
    data = workbook(b"", **{SHEET: sheet_xml(cells("A1")).decode().encode("utf-16")})
    assert refusal(data) == UNREADABLE


def test_the_sheet_checked_is_the_one_calamine_opens(no_calamine):
    """The first <sheet> of the workbook, through its relationship — not the part named sheet1."""
    rels = STATIC_PARTS["xl/_rels/workbook.xml.rels"].replace(b"worksheets/sheet1.xml", b"/xl/worksheets/data.xml")
    data = workbook(cells("A1"), **{"xl/_rels/workbook.xml.rels": rels, "xl/worksheets/data.xml":
                                    sheet_xml(cells("A1", "XFD1048576"))})
    assert refusal(data) == beyond("XFD1048576")


# ---- sizes: zip bombs, declared and undeclared ----------------------------------------------------------------------

def test_the_upload_is_bounded_by_its_real_inflated_size(monkeypatch, no_calamine):
    monkeypatch.setattr(excel_guard, "MAX_UNZIPPED_BYTES", 2_000_000)
    monkeypatch.setattr(excel_guard, "RATIO_FROM", 10**12)  # the size alone, here
    assert refusal(bomb(2_100_000)) == TOO_BIG
    assert refusal(bomb(2_100_000, declared=1000)) == TOO_BIG  # it declares 1 KB: what it inflates to counts
    monkeypatch.undo()
    assert refusal(bomb(excel_guard.MAX_UNZIPPED_BYTES + 5_000_000, declared=1000)) == TOO_BIG


def test_a_bomb_just_under_the_size_limit_is_refused_by_its_ratio(no_calamine):
    data = bomb(excel_guard.MAX_UNZIPPED_BYTES - 5_000_000)
    assert len(data) < 1024 * 1024  # under a megabyte, inflating to nearly 400 MB
    assert refusal(data) == TOO_BIG


def test_a_file_just_under_the_limits_is_read(monkeypatch):
    monkeypatch.setattr(excel_guard, "MAX_UNZIPPED_BYTES", 2_000_000)
    monkeypatch.setattr(excel_guard, "MAX_RATIO", 10**6)
    sheet = open_first_sheet(bomb(1_900_000), **SMALL)
    assert sheet.to_python() == []


def test_declared_sizes_beyond_the_limit_are_refused_unread(no_calamine):
    parts = small_parts()
    parts[SHEET] = deflate(sheet_xml(cells("A1")))[0], 10**9  # a small part declaring a gigabyte
    parts["xl/media/image1.png"] = b"\x03\x00", 10**9 - 1  # and another, never read by calamine
    assert refusal(raw_zip(parts)) == TOO_BIG


def test_a_shared_strings_bomb_is_refused(no_calamine):
    assert refusal(strings_bomb(2000)) == TOO_BIG  # 500 MB of strings declaring 2 KB


def strings_workbook(strings: list[bytes], rows: int, cols: int, pick=lambda r, c: 0) -> bytes:
    """A workbook whose rows × cols cells each show shared string number pick(row, column)."""
    sst = b"<sst " + NS + b">" + b"".join(strings) + b"</sst>"
    body = b"".join(b'<row r="%d">' % (r + 1) + b"".join(
        b'<c r="%s%d" t="s"><v>%d</v></c>' % (excel_guard._column_name(c + 1).encode(), r + 1, pick(r, c))
        for c in range(cols)) + b"</row>" for r in range(rows))
    return workbook(body, **{"xl/sharedStrings.xml": sst})


def test_one_long_string_shown_by_many_cells_is_refused(no_calamine):
    """calamine copies the string into each cell: 30,000 cells × 32 KB, from a 60 KB file, asked for 931 MB."""
    data = strings_workbook([b"<si><t>" + b"x" * 32_000 + b"</t></si>"], 1000, 30)
    assert len(data) < 100_000
    assert refusal(data) == excel_guard.TOO_MUCH_TEXT == "表格中的文字内容过多（展开后超过限制），请拆分后分批导入"


def test_a_long_string_shown_once_is_read():
    data = strings_workbook([b"<si><t>" + b"x" * 32_000 + b"</t></si>", b"<si><t>short</t></si>"], 10_000, 30,
                            lambda r, c: 0 if (r, c) == (5, 5) else 1)
    sheet = open_first_sheet(data, **LEDGER)
    assert (sheet.height, sheet.width) == (10_000, 30)


def test_strings_that_shift_the_indices_are_counted_at_their_worst(no_calamine):
    """An <si> without text (kept by some calamine versions, skipped by others) moves every later index: the
    cells showing "short" could be showing the long string."""
    strings = [b"<si></si>", b"<si><t>short</t></si>", b"<si><t>" + b"x" * 32_000 + b"</t></si>"]
    assert refusal(strings_workbook(strings, 300, 30, lambda r, c: 1 if c else 2)) == excel_guard.TOO_MUCH_TEXT


def test_without_the_shifting_string_the_same_cells_are_read():
    strings = [b"<si><t>short</t></si>", b"<si><t>" + b"x" * 32_000 + b"</t></si>"]
    sheet = open_first_sheet(strings_workbook(strings, 300, 30, lambda r, c: 0 if c else 1), **LEDGER)
    assert sheet.to_python()[0][:2] == ["x" * 32_000, "short"]


# ---- formats ------------------------------------------------------------------------------------------------------

def test_other_formats_are_refused_with_the_one_accepted(no_calamine):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)
    assert FORMATS == "仅支持.xlsx格式的Excel文件（.xls、.xlsb、.ods等请在Excel或WPS中“另存为”.xlsx后上传）"
    assert refusal(ole) == FORMATS  # .xls
    assert refusal(ole + "EncryptedPackage".encode("utf-16-le")) == "文件设有密码，请取消密码后再上传"
    assert refusal(workbook(cells("A1"), **{"content.xml": b"<office:document-content/>"})) == FORMATS  # .ods
    assert refusal(workbook(cells("A1"), **{"xl/workbook.bin": b"\x83\x01"})) == FORMATS  # .xlsb
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", b"<w:document/>")
    assert refusal(docx.getvalue()) == FORMATS
    assert refusal(b"hello") == NOT_EXCEL


def test_a_zip_naming_a_part_twice_is_refused(no_calamine):
    data = workbook(cells("A1"), **{"XL/WORKSHEETS/SHEET1.XML": sheet_xml(cells("XFD1048576"))})
    assert refusal(data) == UNREADABLE


def test_a_zip_whose_directory_readers_could_find_elsewhere_is_refused(no_calamine):
    data = bytearray(workbook(cells("A1")))
    end = data.rfind(b"PK\x05\x06")
    offset = struct.unpack("<I", data[end + 16:end + 20])[0]
    moved = data[:end + 16] + struct.pack("<I", offset - 1) + data[end + 20:]
    assert refusal(bytes(moved)) == UNREADABLE
    zip64 = data[:end] + b"PK\x06\x07" + bytes(16) + data[end:]  # a zip64 locator before the end record
    assert refusal(bytes(zip64)) == UNREADABLE


def test_a_workbook_written_by_excel_tools_is_read_as_before():
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 5, "标题")
    sheet.write_row(2, 0, ["指标代码", "指标", "单位", "1-N月累计", "上年同期累计", "报送增速(%)"])
    sheet.write_row(3, 0, ["x", "工业投资", "亿元", 12.5, 10, None])
    sheet.write_blank(300, 40, None, book.add_format({"border": 1}))  # a border far away, no value
    book.close()
    table = read_table(open_first_sheet(out.getvalue(), **SMALL), header="1-N月累计", max_rows=200)
    assert list(table.rows) == [(4, ["x", "工业投资", "亿元", 12.5, 10.0, ""])]


# ---- memory: each hostile file read in a subprocess, its peak measured --------------------------------------------

READ_IN_CHILD = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024 ** 3, 3 * 1024 ** 3))  # a broken guard fails, not the host
    from kaifaqu.core.excel import ExcelReadError, open_first_sheet
    data = open(sys.argv[1], "rb").read()
    try:
        open_first_sheet(data, max_bytes=40 * 1024 * 1024, max_rows=200_000, columns=33)
        print("READ")
    except ExcelReadError as exc:
        print(exc.message)
    status = open("/proc/self/status").read()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
""")


@pytest.mark.parametrize("hostile", ["far", "xfd8000", "bomb", "bomb_declared_small", "strings_bomb",
                                     "one_string_many_cells"])
def test_hostile_files_are_refused_in_bounded_memory(tmp_path, hostile):
    """The child reports the peak resident size of its own memory (VmHWM, in KB). Not ru_maxrss: Linux carries a
    process's high-water mark across fork and exec, so a child of the test run (RUSAGE_CHILDREN, or the child's
    RUSAGE_SELF) would report at least the test process's own size. A guard that let calamine at the file aborts
    the child (its address space is capped): the return code says so."""
    files = {
        "far": lambda: workbook(cells("A1", "XFD1048576")),
        "xfd8000": lambda: workbook(cells("A1", "XFD8000")),
        "bomb": lambda: bomb(950 * 1024 * 1024),  # the 0.99 MB file inflating to 0.95 GB
        "bomb_declared_small": lambda: bomb(950 * 1024 * 1024, declared=4096),
        "strings_bomb": lambda: strings_bomb(4000),
        "one_string_many_cells": lambda: strings_workbook([b"<si><t>" + b"x" * 32_000 + b"</t></si>"], 10_000, 30),
    }
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(files[hostile]())
    done = subprocess.run([sys.executable, "-c", READ_IN_CHILD, str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    message, peak_kb = done.stdout.strip().splitlines()
    expected = {"far": beyond("XFD1048576"), "xfd8000": beyond("XFD8000"),
                "one_string_many_cells": excel_guard.TOO_MUCH_TEXT}.get(hostile, TOO_BIG)
    assert message == expected
    assert int(peak_kb) < 300 * 1024


# ---- permission before reading --------------------------------------------------------------------------------------

@pytest.fixture
def unread(monkeypatch):
    """Fail if any upload is opened at all."""
    def never(*args, **kwargs):
        raise AssertionError("the file of a user without the right was read")

    monkeypatch.setattr("kaifaqu.core.excel.check_workbook", never)
    monkeypatch.setattr("kaifaqu.core.excel.CalamineWorkbook.from_filelike", never)


def upload() -> io.BytesIO:
    data = io.BytesIO(workbook(cells("A1", "XFD1048576")))
    data.name = "hostile.xlsx"
    return data


@pytest.mark.django_db
def test_a_viewer_sending_a_file_to_the_ledger_api_is_refused_unread(client, token_of, unread):
    before = Project.objects.count()
    resp = client.post("/api/v1/projects/import", {"file": upload()}, **token_of("province-viewer"))
    assert resp.status_code == 403
    assert resp.json()["detail"] == "您无权导入项目台账：只有填报人员和管理员可以导入"
    assert Project.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "url"), [
    ("province-viewer", "/projects/import/"),
    ("yangquan", "/projects/import/"),  # a reviewer enters no project
    ("province-viewer", "/services/enterprises/import/"),
    ("province-viewer", "/services/items/import/"),
    ("yq-etdz", "/dispatch/targets/"),  # an operator sets no target
    ("yangquan", "/dispatch/report/S147007/2026-01/import/"),  # a zone's report, by the city's reviewer
])
def test_pages_refuse_the_upload_of_a_user_without_the_right_unread(client_of, unread, username, url):
    counts = (Project.objects.count(), Enterprise.objects.count(), ServiceItem.objects.count(),
              Target.objects.count())
    resp = client_of(username).post(url, {"file": upload(), "action": "import"})
    assert resp.status_code == 403
    assert (Project.objects.count(), Enterprise.objects.count(), ServiceItem.objects.count(),
            Target.objects.count()) == counts


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "text", "may", "may_not"), [
    ("/projects/", "导入Excel", "yq-etdz", "province-viewer"),
    ("/services/enterprises/", "导入Excel", "yq-etdz", "province-viewer"),
    ("/services/items/", "导入Excel", "yq-etdz", "yangquan"),
    ("/dispatch/targets/", "从Excel导入", "yangquan", "yq-etdz"),
])
def test_the_import_is_offered_only_to_those_who_may_use_it(client_of, url, text, may, may_not):
    assert text in client_of(may).get(url).content.decode()
    assert text not in client_of(may_not).get(url).content.decode()
