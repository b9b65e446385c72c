"""Excel of monthly dispatch: the dispatch table in the office layout, a zone's report template and its import,
the targets import (all-or-nothing, 第N行 errors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from kaifaqu.core.excel import (
    CellError,
    Column,
    OfficeWorkbook,
    normalize_header,
    open_first_sheet,
    parse_decimal,
    parse_int,
    parse_text,
    read_table,
)
from kaifaqu.core.money import cents
from kaifaqu.zones.models import Zone

from . import services
from .catalogue import definitions_for
from .choices import TargetKind
from .selectors import DispatchTable

MAX_BYTES = 5 * 1024 * 1024
REPORT_ROWS = 200
REPORT_COLUMNS = ["指标代码", "指标", "单位", "1-N月累计", "上年同期累计", "报送增速(%)"]
TARGET_ROWS = 50_000
NO_TARGET_RIGHT = "只有市、省的管理或审核人员可以导入目标"
TARGET_COLUMNS = ["开发区", "年度", "指标", "目标类型", "目标值"]
STATUS = {"approved": "已审核", "submitted": "已报送", "returned": "退回", "draft": "草稿", None: "未报"}


def _f(value: Decimal | None) -> Decimal | None:
    return None if value is None else cents(value)


def dispatch_export(*, table: DispatchTable, scope_label: str) -> bytes:
    """调度表 as offices lay it: merged title, unit row, two-level headers (indicator over 累计/增速/目标/完成率),
    序号, the total row computed as the table's (Σ this ÷ Σ last − 1), frozen panes."""
    book = OfficeWorkbook()
    groups = [(f"{d.name}（{d.unit}）", [Column("1-N月累计", "number", 11), Column("增速(%)", "number", 9),
                                        Column("目标", "text", 10), Column("完成率(%)", "number", 9)])
              for d in table.indicators]
    sheet = book.add_sheet(
        "调度表", title=f"{scope_label}开发区主要指标完成情况（{table.month:%Y年1-%-m月}）",
        unit=f"单位：见各指标；增速、完成率为%；时序进度{table.time_progress}%",
        columns=[Column("开发区", "text", 22), Column("所在市", "text", 9), Column("报送状态", "text", 8), *groups],
        total=False, numbered=True, freeze_cols=2)
    for row in table.rows:
        sheet.append([row.name, row.city, STATUS.get(row.status, row.status),
                      *[v for c in row.cells.values() for v in _cells(c)]])
    sheet.numbered = False
    sheet.append([None, "合计", "", "", *[v for c in table.total.values() for v in _cells(c)]])
    return book.close()


def _cells(cell) -> list:
    target = "" if cell.target is None else (f"增长{_f(cell.target)}%" if cell.target_kind == TargetKind.GROWTH
                                             else str(_f(cell.target)))
    return [_f(cell.ytd), _f(cell.growth), target, _f(cell.completion)]


def report_template(*, zone: Zone, month: date) -> bytes:
    """A zone's monthly report as a sheet to fill: one row per indicator (current figures filled in)."""
    from .models import ReportValue

    current = {v.indicator.code: v for v in ReportValue.objects.filter(report__zone=zone, report__month=month)
               .select_related("indicator")}
    book = OfficeWorkbook()
    sheet = book.add_sheet("月报", title=f"{zone.name}{month:%Y年1-%-m月}主要指标", unit="单位：见各指标",
                           columns=[Column("指标代码", "text", 22), Column("指标", "text", 22),
                                    Column("单位", "text", 8), Column("1-N月累计", "number", 14),
                                    Column("上年同期累计", "number", 14), Column("报送增速(%)", "number", 12)],
                           total=False)
    for d in definitions_for(month):
        v = current.get(d.code)
        sheet.append([d.code, d.name, d.unit, v.ytd if v else None, v.last_ytd if v else None,
                      v.growth if v else None])
    return book.close()


def report_values_from_excel(*, data: bytes, month: date) -> dict:
    """The {code: {ytd, last_ytd, growth}} of a filled report template; indicators by code or name."""
    table = read_table(open_first_sheet(data, max_bytes=MAX_BYTES, max_rows=REPORT_ROWS, columns=len(REPORT_COLUMNS)),
                       header="1-N月累计", max_rows=REPORT_ROWS)
    defs = definitions_for(month)
    by_name = {d.name: d.code for d in defs} | {d.code: d.code for d in defs}
    col = {k: table.columns.get(normalize_header(k)) for k in ("指标代码", "指标", "1-N月累计", "上年同期累计",
                                                              "报送增速(%)")}
    values, errors = {}, []
    for number, cells in table.rows:
        key = parse_text(cells[col["指标代码"]]) if col["指标代码"] is not None else ""
        key = key or (parse_text(cells[col["指标"]]) if col["指标"] is not None else "")
        if key not in by_name:
            errors.append(f"第{number}行 [指标]: 未知的指标“{key}”")
            continue
        values[by_name[key]] = {"ytd": _raw(cells, col["1-N月累计"]), "last_ytd": _raw(cells, col["上年同期累计"]),
                                "growth": _raw(cells, col["报送增速(%)"])}
    if errors:
        raise services.ReportError("；".join(errors[:20]))
    return values


def _raw(cells: list, index: int | None):
    if index is None or index >= len(cells) or cells[index] in (None, ""):
        return None
    return parse_text(cells[index])


@dataclass
class TargetImportError(Exception):
    errors: list[str]


KINDS = {"增长目标": TargetKind.GROWTH, "增长": TargetKind.GROWTH, "growth": TargetKind.GROWTH,
         "全年目标值": TargetKind.ABSOLUTE, "绝对值": TargetKind.ABSOLUTE, "absolute": TargetKind.ABSOLUTE}


def targets_import(*, user, data: bytes) -> int:
    """Import targets (开发区, 年度, 指标, 目标类型, 目标值): every row checked first; any error rejects the whole
    file with every error listed as 第N行 [列名]: 原因, and nothing is written. A user who may set no target is
    refused before the file is read."""
    if not services.can_set_targets(user):
        raise TargetImportError([NO_TARGET_RIGHT])
    table = read_table(open_first_sheet(data, max_bytes=MAX_BYTES, max_rows=TARGET_ROWS, columns=len(TARGET_COLUMNS)),
                       header="开发区", max_rows=TARGET_ROWS)
    missing = [h for h in TARGET_COLUMNS if h not in table.columns]
    if missing:
        raise TargetImportError([f"缺少列：{'、'.join(missing)}"])
    zones = _zone_lookup(user)
    rows, errors = [], []
    for number, cells in table.rows:
        row, row_errors = _target_row(number, cells, table.columns, zones)
        errors.extend(row_errors)
        if row:
            rows.append(row)
    if not rows and not errors:
        errors.append("文件中没有数据行")
    if errors:
        raise TargetImportError(errors)
    try:
        with transaction.atomic():
            for zone, year, code, kind, value in rows:
                services.target_set(user=user, zone=zone, year=year, indicator=code, kind=kind, value=value)
    except services.ReportError as exc:
        raise TargetImportError([exc.message]) from None
    return len(rows)


def _zone_lookup(user) -> dict[str, Zone]:
    out = {}
    for z in Zone.objects.visible_to(user).select_related("org_unit"):
        for key in (z.short_name, z.name, z.code):
            if key:
                out.setdefault(key, z)
    return out


def _target_row(number: int, cells: list, columns: dict, zones: dict) -> tuple[tuple | None, list[str]]:
    def cell(name):
        i = columns[name]
        return cells[i] if i < len(cells) else None

    errors = []
    zone = zones.get(parse_text(cell("开发区")))
    if zone is None:
        errors.append(f"第{number}行 [开发区]: 开发区“{parse_text(cell('开发区'))}”不存在或无权访问")
    defs = {d.name: d.code for d in definitions_for(date(2100, 1, 1))} | {
        d.code: d.code for d in definitions_for(date(2100, 1, 1))}
    code = defs.get(parse_text(cell("指标")))
    if code is None:
        errors.append(f"第{number}行 [指标]: 未知的指标“{parse_text(cell('指标'))}”")
    kind = KINDS.get(parse_text(cell("目标类型")))
    if kind is None:
        errors.append(f"第{number}行 [目标类型]: 应为“增长目标”或“全年目标值”")
    try:
        year = parse_int(cell("年度"), maximum=2100)
        value = parse_decimal(cell("目标值"), places=4, max_digits=18, negative=True)
        if year is None or value is None:
            raise CellError("不能为空")
    except CellError as exc:
        errors.append(f"第{number}行 [年度/目标值]: {exc.message}")
        return None, errors
    return (None if errors else (zone, year, code, kind, value)), errors
