"""Excel of enterprise services: the imports of the enterprise registry (企业名录) and of the service catalogue
(帮办代办事项), each all-or-nothing with every error as 第N行 [列名]: 原因; and the office-layout exports of ticket
lists (诉求台账) and ticket figures (诉求办理情况统计表).

An import reads every row first, resolves what the rows name (zones, chains, existing rows) in a fixed number of
queries, and writes only if no row has an error — then in one transaction, every change logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kaifaqu.accounts.roles import can_write, can_write_somewhere
from kaifaqu.core.changelog import bulk_record
from kaifaqu.core.credit_code import credit_code_error
from kaifaqu.core.excel import (
    CellError,
    Column,
    ExcelReadError,
    ImportRefused,
    OfficeWorkbook,
    RowError,
    normalize_header,
    open_first_sheet,
    parse_bool,
    parse_int,
    parse_text,
    read_table,
)
from kaifaqu.core.privacy import shown_phone
from kaifaqu.zones.models import FOUR_ABOVE, INDUSTRY_SECTIONS, Enterprise, IndustryChain, Zone

from .enterprises import enterprise_tokens_rebuild
from .models import ServiceItem, Ticket
from .selectors import TicketStats
from .sla import due_text

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# A user who may write to no zone (a viewer, a reviewer, an agent): refused before the file is read.
NO_IMPORT_RIGHT = "您无权导入：只有填报人员和管理员可以导入"
YES_NO = ["是", "否"]


# ---- reading ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportColumn:
    """A column of an import: its header, the field it fills, whether required, how a cell is parsed."""

    label: str
    field: str
    parse: Callable[[object], object] = parse_text
    required: bool = False


@dataclass
class Row:
    number: int
    values: dict
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    dry_run: bool = False


def _text(limit: int) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = parse_text(value)
        if len(text) > limit:
            raise CellError(f"不能超过{limit}个字")
        return text
    return parse


def _flag(value: object) -> bool:
    return bool(parse_bool(value))


def read_rows(user, data: bytes, columns: list[ImportColumn]) -> list[Row]:
    """Every data row of the first sheet, parsed; a file that cannot be read, or lacks a required column, is
    refused as a whole, and so is any file of a user who may write to no zone, before it is read."""
    if not can_write_somewhere(user):
        raise ImportRefused([RowError(0, "", NO_IMPORT_RIGHT)])
    try:
        sheet = open_first_sheet(data, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_ROWS, columns=len(columns))
        table = read_table(sheet, header=columns[0].label, max_rows=MAX_ROWS)
    except ExcelReadError as exc:
        raise ImportRefused([RowError(0, "", exc.message)]) from exc
    found = [(c, table.columns[normalize_header(c.label)]) for c in columns
             if normalize_header(c.label) in table.columns]
    missing = [c.label for c in columns if c.required and c not in dict(found)]
    if missing:
        raise ImportRefused([RowError(table.header_row, m, f"表头缺少必填列“{m}”") for m in missing])
    rows = [_parse(number, cells, found) for number, cells in table.rows]
    if not rows:
        raise ImportRefused([RowError(0, "", "文件中没有数据：表头下方没有数据行")])
    return rows


def _parse(number: int, cells: list, columns: list[tuple[ImportColumn, int]]) -> Row:
    row = Row(number, {})
    for column, index in columns:
        try:
            value = column.parse(cells[index] if index < len(cells) else None)
        except CellError as exc:
            row.error(column.label, exc.message)
            value = None
        if column.required and value in (None, "") and not any(e.column == column.label for e in row.errors):
            row.error(column.label, "必填，不能为空")
        row.values[column.field] = value
    return row


def _refuse_if_errors(rows: list[Row]) -> None:
    errors = [e for r in rows for e in r.errors]
    if errors:
        raise ImportRefused(errors)


class ZoneNames:
    """The zones a user may write to, found by code, name or short name."""

    def __init__(self, user):
        self.index: dict[str, list[Zone]] = {}
        for zone in Zone.objects.visible_to(user).select_related("org_unit"):
            if can_write(user, zone.org_unit):
                for key in {zone.code, zone.name, zone.short_name or zone.name}:
                    self.index.setdefault(key, []).append(zone)

    def find(self, row: Row, column: str, text: str) -> Zone | None:
        found = self.index.get(text, [])
        if len(found) == 1:
            return found[0]
        row.error(column, f"有多个开发区名为“{text}”，请填写开发区代码" if found
                  else f"开发区“{text}”不存在或您无权为其导入")
        return None


# ---- the enterprise registry --------------------------------------------------------------------------------------

def _credit(value: object) -> str:
    text = parse_text(value).upper()
    if text and (error := credit_code_error(text)):
        raise CellError(error)
    return text


def _choice(value: object, labels: dict[str, str], name: str) -> str:
    text = parse_text(value)
    if not text:
        return ""
    if text in labels:
        return labels[text]
    if text in labels.values():
        return text
    raise CellError(f"“{text}”不是有效的{name}")


SECTIONS = {label: code for code, label in INDUSTRY_SECTIONS}
FOUR = {label: code for code, label in FOUR_ABOVE if code}
ENTERPRISE_COLUMNS = [
    ImportColumn("企业名称", "name", _text(200), required=True),
    ImportColumn("统一社会信用代码", "credit_code", _credit),
    ImportColumn("所在开发区", "zone", _text(100), required=True),
    ImportColumn("行业门类", "industry", partial(_choice, labels=SECTIONS, name="行业门类")),
    ImportColumn("规模以上工业企业", "above_scale", _flag),
    ImportColumn("四上类别", "four_above", partial(_choice, labels=FOUR, name="“四上”类别")),
    ImportColumn("所属产业链", "chain", _text(50)),
    ImportColumn("链主企业", "chain_leader", _flag),
    ImportColumn("高新技术企业", "high_tech", _flag),
    ImportColumn("联系人", "contact", _text(50)),
    ImportColumn("联系电话", "phone", _text(30)),
]
ENTERPRISE_FIELDS = ["name", "credit_code", "industry", "above_scale", "four_above", "chain_leader", "high_tech",
                     "contact", "phone"]


def enterprises_import(*, user, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import the enterprise registry (导入企业名录): a row with a known credit code updates that enterprise, else
    one of the same name in the same zone is updated, else one is created. Any bad row — an invalid credit code,
    a zone the user may not write to, a code used twice — refuses the whole file and nothing is written."""
    rows = read_rows(user, data, ENTERPRISE_COLUMNS)
    zones, chains = ZoneNames(user), dict(IndustryChain.objects.values_list("name", "id"))
    existing = _existing_enterprises(rows)
    seen: dict[str, int] = {}
    plans = [_plan_enterprise(row, zones, chains, existing, seen) for row in rows]
    _refuse_if_errors(rows)
    report = ImportReport(created=sum(p[0] is None for p in plans), dry_run=dry_run)
    report.updated = len(plans) - report.created
    if not dry_run:
        _write_enterprises(plans)
    return report


def _existing_enterprises(rows: list[Row]) -> dict[str, Enterprise]:
    codes = [r.values["credit_code"] for r in rows if r.values.get("credit_code")]
    names = [r.values["name"] for r in rows if r.values.get("name")]
    found: dict[str, Enterprise] = {}
    for i in range(0, max(len(codes), len(names)), 900):
        for e in Enterprise.objects.filter(credit_code__in=codes[i:i + 900]).select_related("zone__org_unit"):
            found[f"code:{e.credit_code}"] = e
        for e in Enterprise.objects.filter(name__in=names[i:i + 900]):
            found.setdefault(f"name:{e.name}:{e.zone_id}", e)
    return found


def _plan_enterprise(row: Row, zones: ZoneNames, chains: dict, existing: dict, seen: dict) -> tuple:
    v = row.values
    zone = zones.find(row, "所在开发区", v["zone"]) if v.get("zone") else None
    if v.get("chain") and v["chain"] not in chains:
        row.error("所属产业链", f"产业链“{v['chain']}”不存在")
    code = v.get("credit_code")
    if code and code in seen:
        row.error("统一社会信用代码", f"与第{seen[code]}行的统一社会信用代码重复")
    seen.setdefault(code or f"row:{row.number}", row.number)
    target = existing.get(f"code:{code}") if code else None
    if target is not None and zone is not None and target.zone_id != zone.pk and (
            target.zone is None or not zones.index.get(target.zone.code)):
        row.error("统一社会信用代码", "该统一社会信用代码已登记在其他开发区的企业名下")
    if target is None and zone is not None:
        target = existing.get(f"name:{v['name']}:{zone.pk}")
    # Only the columns the file holds are written: an update keeps what the file does not mention.
    values = {f: "" if v[f] is None else v[f] for f in ENTERPRISE_FIELDS if f in v}
    values["credit_code"] = code or (target.credit_code if target else None)
    if "chain" in v:
        values["chain_id"] = chains.get(v["chain"])
    return target, values | {"zone": zone}


@transaction.atomic
def _write_enterprises(plans: list[tuple]) -> None:
    fresh = [Enterprise(**values) for target, values in plans if target is None]
    Enterprise.objects.bulk_create(fresh, batch_size=1000)
    bulk_record(fresh)
    for target, values in plans:
        if target is not None:
            for name, value in values.items():
                setattr(target, name, value)
            target.save()  # logged, and its name index rebuilt, by the signals
    enterprise_tokens_rebuild([e.pk for e in fresh])


# ---- the service catalogue ----------------------------------------------------------------------------------------

def _limit(value: object) -> int | None:
    days = parse_int(value, maximum=365)
    if days is not None and days < 1:
        raise CellError("办理时限至少为1个工作日")
    return days


ITEM_COLUMNS = [
    ImportColumn("事项名称", "name", _text(100), required=True),
    ImportColumn("所属开发区", "zone", _text(100), required=True),
    ImportColumn("实施部门", "department", _text(60), required=True),
    ImportColumn("项目阶段", "phase", _text(20)),
    ImportColumn("法定时限(工作日)", "limit_days", _limit, required=True),
    ImportColumn("可承诺制办理", "commitment_allowed", _flag),
]


def service_items_import(*, user, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import the service catalogue (导入帮办代办事项): a row names an item of a zone the user may write to; an
    item of the same name in that zone is updated, else created. All or nothing."""
    rows = read_rows(user, data, ITEM_COLUMNS)
    zones = ZoneNames(user)
    existing = {(i.zone_id, i.name): i for i in ServiceItem.objects.filter(
        name__in=[r.values["name"] for r in rows if r.values.get("name")])}
    seen: dict[tuple, int] = {}
    plans = []
    for row in rows:
        zone = zones.find(row, "所属开发区", row.values["zone"]) if row.values.get("zone") else None
        key = (zone.pk if zone else None, row.values.get("name"))
        if zone and key in seen:
            row.error("事项名称", f"与第{seen[key]}行重复")
        seen.setdefault(key, row.number)
        plans.append((existing.get(key), {**row.values, "zone": zone}))
    _refuse_if_errors(rows)
    report = ImportReport(created=sum(t is None for t, _ in plans), dry_run=dry_run)
    report.updated = len(plans) - report.created
    if not dry_run:
        _write_items(plans)
    return report


@transaction.atomic
def _write_items(plans: list[tuple]) -> None:
    for target, values in plans:
        item = target or ServiceItem()
        for name, value in values.items():
            setattr(item, name, value if value is not None else "")
        item.save()


def service_items_export(*, items: QuerySet[ServiceItem]) -> bytes:
    """The catalogue in the import's layout (so it imports back unchanged)."""
    book = OfficeWorkbook()
    sheet = book.add_sheet("帮办代办事项", title="帮办代办服务事项清单", unit="时限单位：工作日", total=False,
                           columns=[Column("事项名称", width=30), Column("所属开发区", width=20),
                                    Column("实施部门", width=18), Column("项目阶段", width=10),
                                    Column("法定时限(工作日)", "int", 10), Column("可承诺制办理", width=10)])
    for i in items.select_related("zone"):
        sheet.append([i.name, i.zone.code, i.department, i.phase, i.limit_days, i.commitment_allowed])
    return book.close()


# ---- ticket exports -----------------------------------------------------------------------------------------------

TICKET_COLUMNS = [
    Column("诉求编号", width=13), Column("受理时间", width=16), Column("渠道", width=6), Column("开发区", width=16),
    Column("企业", width=28), Column("联系电话", width=14), Column("类别", width=9), Column("诉求内容", width=40),
    Column("承办部门", width=14),
    Column("状态", width=8), Column("首次响应时限", width=16), Column("首次响应", width=16),
    Column("办结时限", "date", 11), Column("办结时间", width=16), Column("是否按期", width=8),
    Column("满意度", width=9), Column("重点难点", width=8), Column("已升级", width=7),
]


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _yes(value: bool | None) -> str:
    return {True: "是", False: "否"}.get(value, "")


def tickets_export(*, tickets: QuerySet[Ticket], user, title: str = "企业诉求台账") -> bytes:
    """A ticket list (诉求台账) in the office layout; the tickets are already scoped and filtered. Each caller's
    number is shown as `user` may see it (`core.privacy`: masked unless they work the ticket)."""
    book = OfficeWorkbook()
    sheet = book.add_sheet("诉求台账", title=title, unit="单位：件", columns=TICKET_COLUMNS, count_column="诉求编号",
                           count_label="共{n}件", freeze_cols=2)
    for t in tickets.select_related("zone__org_unit", "enterprise").iterator(chunk_size=2000):
        sheet.append([t.number, _when(t.received_at), t.get_channel_display(), t.zone.short_name or t.zone.name,
                      t.enterprise.name if t.enterprise else t.caller, shown_phone(user, t), t.get_category_display(),
                      t.text,
                      t.department, t.get_status_display(), due_text(t.first_response_due), _when(t.first_response_at),
                      t.resolution_due, _when(t.resolved_at), _yes(t.resolved_on_time),
                      t.get_satisfaction_display(), _yes(t.key_difficult), _yes(t.escalated_at is not None)])
    return book.close()


FIGURE_COLUMNS = [
    Column("受理(件)", "int", 9),
    ("办结", [Column("件数", "int", 8), Column("办结率", "number", 9)]),
    ("按期办结", [Column("件数", "int", 8), Column("按期率", "number", 9)]),
    ("事不过夜", [Column("按时响应", "int", 9), Column("超时响应", "int", 9), Column("按时响应率", "number", 10)]),
    ("满意度", [Column("满意", "int", 7), Column("基本满意", "int", 8), Column("不满意", "int", 7),
             Column("满意指数", "number", 9)]),
    Column("重点难点(件)", "int", 10), Column("超期升级(件)", "int", 10),
]


def _figure_cells(f) -> list:
    return [f.received, f.resolved, f.resolution_rate, f.resolved_on_time, f.on_time_rate, f.responded_on_time,
            f.responded_late, f.first_response_rate, f.satisfied, f.basic, f.dissatisfied, f.satisfaction_index,
            f.key_difficult, f.escalated]


def ticket_stats_export(*, stats: TicketStats, scope_label: str, labels: dict[str, str]) -> bytes:
    """诉求办理情况统计表: by category and by department (two sheets), each with its 合计 row; rates in %."""
    book = OfficeWorkbook()
    period = f"{stats.date_from:%Y年%m月%d日}至{stats.date_to:%Y年%m月%d日}"
    for name, key, groups in (("按类别", "类别", stats.by_category), ("按承办部门", "承办部门", stats.by_department)):
        unit = f"{scope_label} {period} 单位：件、%"
        sheet = book.add_sheet(name, title=f"企业诉求办理情况统计表（{name}）", unit=unit,
                               columns=[Column(key, width=16), *FIGURE_COLUMNS], total=False, numbered=False,
                               freeze_cols=1)
        for group, figures in groups.items():
            sheet.append([labels.get(group, group) or "未分派", *_figure_cells(figures)])
        sheet.append(["合计", *_figure_cells(stats.total)])
    return book.close()


def export_date(d: date) -> str:
    return f"{d:%Y%m%d}"
