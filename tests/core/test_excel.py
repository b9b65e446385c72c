import io

import python_calamine

from kaifaqu.core.excel import Column, OfficeWorkbook

TEXTS = ["普通文本", "=cmd|' /C calc'!A0", "a & <b> _x0041_", "<r><t>伪富文本</t></r>", " 前后空格 ", "控制\x07字符"]


def test_office_sheet_text_reads_back_exactly_as_written():
    book = OfficeWorkbook()
    sheet = book.add_sheet("表", title="标题", unit="单位：万元", columns=[Column("文本", "text", 20)], total=False)
    for text in TEXTS:
        sheet.append([text])
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(book.close())).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows[3:]] == TEXTS
