"""Workbooks written out: the ledger export (which imports back unchanged), the blank import template with
its 填写说明 sheet, and the 三未 lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from operator import itemgetter

from django.db.models import Count, QuerySet

from kaifaqu.core.excel import Column, OfficeWorkbook
from kaifaqu.zones.models import Zone

from ..choices import Batch
from ..models import CampaignEntry, Project
from ..selectors import THREE_UN
from .columns import BATCHES, COLUMNS, MAX_ROWS, METHODS, STAGES, TYPES, YES_NO, LedgerColumn
from .importer import _gc_paused

# ---- export ----------------------------------------------------------------------------------------------------------

EXPORT_VALUES = ["id", *[c.field for c in COLUMNS if c.kind != "ref" and c.field not in ("campaign", "batch")],
                 "zone__code", "zone__name", "park__name", "chain__name"]


def ledger_export(*, projects: QuerySet[Project]) -> bytes:
    """The ledger (项目台账) of the given projects — already scoped and filtered — as an office-layout workbook
    whose columns are the import's, so it imports back unchanged. Amounts are numbers, dates Excel dates; each
    project shows its latest campaign listing. A fixed number of queries."""
    with _gc_paused():
        return _export(projects)


def _export(projects: QuerySet[Project]) -> bytes:
    book = OfficeWorkbook()
    sheet = book.add_sheet("项目台账", title="项目台账", unit="单位：万元", columns=_excel_columns(),
                           count_column="项目名称", count_label="共{n}个项目", freeze_cols=3)
    latest, shared = _latest_entries(projects), _shared_zone_names()
    cells = itemgetter(*[c.field for c in COLUMNS])
    labelled = [(i, EXPORTERS[c.kind]) for i, c in enumerate(COLUMNS) if c.kind in EXPORTERS]
    for p in projects.values(*EXPORT_VALUES).iterator(chunk_size=2000):
        p["zone"] = p["zone__code"] if p["zone__name"] in shared else p["zone__name"]
        p["park"], p["chain"] = p["park__name"], p["chain__name"]
        p["campaign"], p["batch"] = latest.get(p["id"], (None, None))
        row = list(cells(p))
        for i, label in labelled:
            row[i] = label(row[i])
        sheet.append(row)
    return book.close()


def _excel_columns(marked: bool = False) -> list[Column]:
    total = {"money", "int", "area"}
    return [Column(c.label + ("*" if marked and c.required else ""), c.excel_kind, c.width, c.kind in total)
            for c in COLUMNS]


EXPORTERS: dict[str, Callable[[object], object]] = {
    kind: {code: label for label, code in labels.items()}.get
    for kind, labels in (("type", TYPES), ("stage", STAGES), ("batch", BATCHES))
}


def _latest_entries(projects: QuerySet[Project]) -> dict[int, tuple[str, str]]:
    """project id → (campaign name, batch) of its most recent listing (by campaign date), in one query."""
    entries = (CampaignEntry.objects.filter(project_id__in=projects.order_by().values("pk"))
               .order_by("project_id", "campaign__date", "campaign_id")
               .values_list("project_id", "campaign__name", "batch"))
    return {project_id: (name, batch) for project_id, name, batch in entries.iterator(chunk_size=5000)}


def _shared_zone_names() -> set[str]:
    """Zone names borne by more than one zone: those zones are written by code, so the import finds them."""
    return set(Zone.objects.values("name").annotate(n=Count("id")).filter(n__gt=1).values_list("name", flat=True))


# ---- template --------------------------------------------------------------------------------------------------------

def ledger_template() -> bytes:
    """A blank ledger to fill in (导入模板): the headers (* required), drop-down lists for the choice and 是/否
    columns, number checks on amounts, and a second sheet 填写说明 with each column's rules and an example."""
    book = OfficeWorkbook()
    sheet = book.add_sheet("项目台账", title="项目台账", unit="单位：万元（带*的列必填；示例见“填写说明”工作表）",
                           columns=_excel_columns(marked=True), total=False, freeze_cols=3)
    first, last = sheet.first_data_row, sheet.first_data_row + MAX_ROWS - 1
    for i, column in enumerate(COLUMNS, start=1):
        rule = _validation(column)
        if rule:
            sheet.ws.data_validation(first, i, last, i, {"error_title": column.label, **rule})
    _instructions(book)
    return book.close()


def _validation(column: LedgerColumn) -> dict | None:
    lists = {"type": list(TYPES), "stage": list(STAGES), "batch": list(BATCHES), "method": list(METHODS),
             "bool": YES_NO}
    if column.kind in lists:
        return {"validate": "list", "source": lists[column.kind], "error_message": "请从下拉列表中选择"}
    if column.kind in ("money", "area", "int"):
        return {"validate": "integer" if column.kind == "int" else "decimal", "criteria": ">=", "value": 0,
                "error_message": "请填写不小于0的数字"}
    return None


def _instructions(book: OfficeWorkbook) -> None:
    sheet = book.add_sheet("填写说明", title="项目台账填写说明", total=False,
                           unit="表头须含“项目名称”，列的顺序可以调整；任何一行有错误，整个文件都不会导入",
                           columns=[Column("列名", width=20), Column("是否必填", width=10),
                                    Column("填写说明", width=60), Column("示例", width=30)])
    for column in COLUMNS:
        sheet.append([column.label, "必填" if column.required else "", column.help, column.example])


# ---- 三未 ----------------------------------------------------------------------------------------------------------

THREE_UN_COLUMNS = [
    Column("所属市", width=10), Column("开发区", width=24), Column("项目编号", width=14), Column("项目名称", width=32),
    Column("批次", width=10), Column("总投资(万元)", "money", 14, True),
    Column("累计完成投资(万元)", "money", 14, True),
    Column("阶段起始日期", "date", 12), Column("在此阶段天数", "int", 10), Column("计划下一节点日期", "date", 14),
    Column("是否逾期", width=8), Column("逾期天数", "int", 8),
]


def three_un_export(*, lists: dict, since: date, as_of: date, scope_label: str) -> bytes:
    """The 三未 lists (selectors.three_un) as one workbook: a sheet each for 签而未落, 落而未投, 投而未效."""
    book = OfficeWorkbook()
    for key, (label, _since_field, _next_field) in THREE_UN.items():
        sheet = book.add_sheet(label, title=f"三个一批“三未”项目清单（截至{_chinese_date(as_of)}）",
                               unit=f"{label}　统计范围：{scope_label}　{_chinese_date(since)}以来的活动　单位：万元",
                               columns=THREE_UN_COLUMNS, count_column="项目名称", count_label="共{n}个项目",
                               freeze_cols=4)
        for r in _items(lists.get(key, [])):
            sheet.append([r["city"], r["zone_name"], r["code"], r["name"], Batch(r["batch"]).label if r["batch"]
                          else None, r["total_investment"], r["completed_investment"], r["stage_since"],
                          r["days_in_stage"], r["planned_next_on"], r["overdue"], r["overdue_days"] or None])
    return book.close()


def _items(rows: list[dict] | dict) -> list[dict]:
    """A 三未 list, given as its rows or as the selector's {"count", "items"}."""
    return rows["items"] if isinstance(rows, dict) else rows


def _chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
