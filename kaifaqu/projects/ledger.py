"""项目台账 in Excel (SPEC §11, §10): the import (all-or-nothing, dry run, set-based), the export that imports
back unchanged, the blank template, and the 三未 lists.

The template's sample row lives on its second sheet, 填写说明 (a 示例 column beside each column's rules), so the
import never has to guess which rows of the first sheet are real: every non-blank row there is a project.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, partial
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from kaifaqu.accounts.roles import can_write
from kaifaqu.core.changelog import change_context, current_context
from kaifaqu.core.credit_code import credit_code_error
from kaifaqu.core.excel import (
    CellError,
    Column,
    ExcelReadError,
    OfficeWorkbook,
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
from kaifaqu.core.models import ObjectChange, SnapshotField
from kaifaqu.zones.models import IndustryChain, Park, Zone

from .choices import DATED_STAGES, STAGE_DATE_FIELD, Batch, ProjectType, PromotionMethod, Stage
from .models import Campaign, CampaignEntry, Project, StageEvent
from .selectors import THREE_UN
from .services import new_project_codes, stage_date_errors, today

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # a 100,000-row ledger is about 22 MB
MAX_ROWS = 200_000
CHUNK = 900  # keeps every `__in` list under SQLite's variable limit


def _labels(choices) -> dict[str, str]:
    return {str(label): value for value, label in choices.choices}


TYPES, STAGES, BATCHES, METHODS = (_labels(c) for c in (ProjectType, Stage, Batch, PromotionMethod))
# Also understood on import (not offered in the drop-down lists):
STAGE_ALIASES = {"谋划储备": Stage.RESERVE.value}
BATCH_ALIASES = {"签约": Batch.SIGN.value, "开工": Batch.START.value, "投产": Batch.PRODUCE.value}
YES_NO = ["是", "否"]


@dataclass(frozen=True)
class LedgerColumn:
    """One column of the ledger: its header, the project field it fills, how it is parsed, and its help text."""

    label: str
    field: str
    kind: str  # text credit ref type stage method bool money area int date campaign batch
    required: bool = False
    width: float = 12
    help: str = ""
    example: str = ""

    @property
    def excel_kind(self) -> str:
        return {"money": "money", "area": "number", "int": "int", "date": "date"}.get(self.kind, "text")


COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("项目编号", "code", "text", width=14, help="已有项目填编号则更新该项目；不填则按“项目名称+所属开发区”"
                 "匹配，匹配不到时新建并自动编号", example="XM00000001"),
    LedgerColumn("项目名称", "name", "text", True, 32, "项目全称", "年产10万吨高端新材料项目"),
    LedgerColumn("所属开发区", "zone", "ref", True, 24, "开发区代码、全称或简称", "阳泉经济技术开发区"),
    LedgerColumn("所属园区", "park", "ref", width=18, help="须为该开发区已登记的园区", example=""),
    LedgerColumn("建设单位", "builder", "text", width=24, help="项目建设（投资）单位",
                 example="山西某某新材料有限公司"),
    LedgerColumn("统一社会信用代码", "builder_credit_code", "credit", width=21, help="建设单位的18位代码，填写时校验",
                 example="91140300MA0K00000E"),
    LedgerColumn("项目类型", "type", "type", True, 10, "、".join(TYPES), "产业项目"),
    LedgerColumn("所属产业链", "chain", "ref", width=12, help="须为系统中的产业链名称", example="新材料"),
    LedgerColumn("是否战略性新兴产业", "strategic_emerging", "bool", width=10, help="是/否", example="是"),
    LedgerColumn("总投资(万元)", "total_investment", "money", True, 14, "单位万元，最多两位小数", "120000"),
    LedgerColumn("累计完成投资(万元)", "completed_investment", "money", width=14, help="单位万元", example="35000"),
    LedgerColumn("年度计划投资(万元)", "annual_planned_investment", "money", width=14, help="单位万元",
                 example="40000"),
    LedgerColumn("预计年产值(万元)", "expected_annual_output", "money", width=14, help="单位万元", example="150000"),
    LedgerColumn("新增就业(人)", "jobs", "int", width=10, help="整数", example="300"),
    LedgerColumn("用地面积(亩)", "land_mu", "area", width=10, help="单位亩", example="200"),
    LedgerColumn("当前阶段", "stage", "stage", True, 8, "、".join(STAGES), "开工"),
    LedgerColumn("签约日期", "signed_on", "date", help="日期可写2024-03-15、2024/3/15、2024年3月15日或2024.3.15",
                 example="2023-05-20"),
    LedgerColumn("开工日期", "started_on", "date", help="不早于签约日期", example="2023-09-01"),
    LedgerColumn("投产日期", "producing_on", "date", help="不早于开工日期"),
    LedgerColumn("达产日期", "at_capacity_on", "date", help="不早于投产日期；只有产业项目才有"),
    LedgerColumn("计划开工日期", "planned_start_on", "date", example="2023-08-01"),
    LedgerColumn("计划投产日期", "planned_production_on", "date", example="2025-06-30"),
    LedgerColumn("计划达产日期", "planned_capacity_on", "date", help="可选列"),
    LedgerColumn("终止日期", "terminated_on", "date", help="可选列，阶段为终止时填写"),
    LedgerColumn("终止原因", "termination_reason", "text", width=20,
                 help="可选列；阶段为终止时必填（没有此列时以备注为终止原因）"),
    LedgerColumn("是否承诺制", "commitment_system", "bool", width=8, help="是/否", example="是"),
    LedgerColumn("是否标准地", "standard_land", "bool", width=8, help="是/否", example="否"),
    LedgerColumn("领办领导", "lead_official", "text", width=10, example="张某某"),
    LedgerColumn("代办员", "agent_name", "text", width=10, example="李某某"),
    LedgerColumn("招商方式", "promotion_method", "method", width=12, help="、".join(METHODS), example="产业链招商"),
    LedgerColumn("三个一批活动", "campaign", "campaign", width=26, help="须为系统中已有的活动名称；填写后须填批次",
                 example="2024年第二次“三个一批”活动"),
    LedgerColumn("批次", "batch", "batch", width=10, help="签约一批、开工一批、投产一批", example="开工一批"),
    LedgerColumn("备注", "note", "text", width=24, example="示例行，请勿照抄"),
)
BY_FIELD = {c.field: c for c in COLUMNS}
ORDER = {c.label: i for i, c in enumerate(COLUMNS)}  # a row's errors are listed in column order
REFS = {"zone": "zone_id", "park": "park_id", "chain": "chain_id"}
MODEL_FIELDS = [REFS.get(c.field, c.field) for c in COLUMNS if c.field not in ("campaign", "batch")]
LABELS = {REFS.get(c.field, c.field): c.label for c in COLUMNS}
ATTNAMES = [f.attname for f in Project._meta.concrete_fields]
PLAN_FIELDS = ["id", "version", *MODEL_FIELDS]  # what checking a row needs of its project
JSON_ENCODER = DjangoJSONEncoder()
PROJECT_DEFAULTS = {f.attname: f.get_default() for f in Project._meta.concrete_fields if not f.primary_key}


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


def _parse_rows(table: SheetTable, columns: list[tuple[LedgerColumn, int]]) -> list[_Row]:
    parsers = [(column.field, index, _parser(column)) for column, index in columns]
    required = [(column.field, column.label) for column, _index in columns if column.required]
    rows = []
    for number, cells in table.rows:
        try:  # the common case, fast: every cell parses
            row = _Row(number, {name: parse(cells[index]) for name, index, parse in parsers})
        except (CellError, IndexError):
            row = _parse_cells(number, cells, columns)
        bad = {e.column for e in row.errors}
        for name, label in required:
            if (row.values[name] is None or row.values[name] == "") and label not in bad:
                row.error(label, "必填，不能为空")
        rows.append(row)
    return rows


def _parse_cells(number: int, cells: list, columns: list[tuple[LedgerColumn, int]]) -> _Row:
    """A row with a bad cell, parsed cell by cell to collect every error; a bad cell's value is None."""
    row = _Row(number, {})
    for column, index in columns:
        try:
            row.values[column.field] = _parser(column)(cells[index] if index < len(cells) else None)
        except CellError as exc:
            row.error(column.label, exc.message)
            row.values[column.field] = None
    return row


def _read(data: bytes) -> tuple[list[_Row], set[str]]:
    """The parsed rows and the fields the file holds; file-level problems raise LedgerImportError."""
    try:
        table = read_table(open_first_sheet(data, max_bytes=MAX_UPLOAD_BYTES), header="项目名称", max_rows=MAX_ROWS)
        columns = _find_columns(table)
        rows = _parse_rows(table, columns)
    except ExcelReadError as exc:
        raise LedgerImportError([RowError(0, "", exc.message)]) from exc
    if not rows:
        raise LedgerImportError([RowError(0, "", "文件中没有数据：表头下方没有项目行")])
    return rows, {column.field for column, _index in columns}


# ---- import: what the rows refer to, loaded in a fixed number of queries ----------------------------------------

def _chunks(items: Iterable, size: int = CHUNK) -> Iterable[list]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded set-wise."""

    zones: dict[str, list[Zone]]
    zone_by_id: dict[int, Zone]
    parks: dict[tuple[int, str], int]
    park_names: dict[int, str]
    chains: dict[str, int]
    campaigns: dict[str, Campaign]
    by_code: dict[str, dict] = field(default_factory=dict)
    by_name: dict[tuple[str, int], list[dict]] = field(default_factory=dict)
    entries: dict[tuple[int, int], str] = field(default_factory=dict)

    def zone(self, text: str) -> Zone | str:
        """The zone a cell names (code, then name, then short name), or why there is none."""
        for key in (f"code:{text}", f"name:{text}", f"short:{text}"):
            if len(found := self.zones.get(key, [])) == 1:
                return found[0]
            if found:
                return f"有多个开发区名为“{text}”，请填写开发区代码"
        return f"开发区“{text}”不存在或不在您的管辖范围内"


def _zone_index(user) -> tuple[dict[str, list[Zone]], dict[int, Zone]]:
    zones = list(Zone.objects.visible_to(user).select_related("org_unit"))
    index: dict[str, list[Zone]] = {}
    for zone in zones:
        for key in {f"code:{zone.code}", f"name:{zone.name}", f"short:{zone.short_name or zone.name}"}:
            index.setdefault(key, []).append(zone)
    return index, {z.pk: z for z in zones}


def _lookups(user, rows: list[_Row]) -> _Lookups:
    zones, zone_by_id = _zone_index(user)
    names = {r.values.get("campaign") for r in rows} - {None, ""}
    parks = [p for ids in _chunks(zone_by_id) for p in Park.objects.filter(zone_id__in=ids).values("id", "zone_id",
                                                                                                    "name")]
    campaigns = [c for chunk in _chunks(names) for c in Campaign.objects.filter(name__in=chunk)]
    return _Lookups(
        zones=zones, zone_by_id=zone_by_id,
        parks={(p["zone_id"], p["name"]): p["id"] for p in parks}, park_names={p["id"]: p["name"] for p in parks},
        chains=dict(IndustryChain.objects.values_list("name", "id")), campaigns={c.name: c for c in campaigns})


def _load_projects(lookups: _Lookups, rows: list[_Row]) -> None:
    """The projects the rows name by code (in any zone: an invisible one is refused later) or by name and zone,
    and their listings in the file's campaigns."""
    # Not locked: the write is guarded by each project's version instead.
    codes = {r.values["code"] for r in rows if r.values.get("code")}
    names = {r.values["name"] for r in rows if not r.values.get("code") and r.values.get("name")}
    lookups.by_code.update((p["code"], p) for p in _select(Project, PLAN_FIELDS, "code", codes))
    for p in _select(Project, PLAN_FIELDS, "name", names):
        if p["zone_id"] in lookups.zone_by_id:
            lookups.by_name.setdefault((p["name"], p["zone_id"]), []).append(p)
    ids = {p["id"] for p in lookups.by_code.values()} | {p["id"] for ps in lookups.by_name.values() for p in ps}
    campaign_ids = {c.pk for c in lookups.campaigns.values()}
    for e in _select(CampaignEntry, ["campaign_id", "project_id", "batch"], "project_id", ids if campaign_ids else ()):
        if e["campaign_id"] in campaign_ids:
            lookups.entries[(e["campaign_id"], e["project_id"])] = e["batch"]


def _select(model, fields: list[str], key: str, values: Iterable) -> Iterator[dict]:
    """`fields` (attnames) of the rows of `model` whose `key` is among `values`, as dicts. On PostgreSQL one
    statement per 50,000 values (`= ANY(array)`), read straight from the driver, whose values are already the
    ORM's (dates, Decimals, bools); elsewhere the ORM in chunks under SQLite's variable limit."""
    values = list(values)
    if connection.vendor != "postgresql":
        for chunk in _chunks(values):
            yield from model.objects.filter(**{f"{key}__in": chunk}).values(*fields)
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    sql = (f"SELECT {columns} FROM {qn(model._meta.db_table)} "
           f"WHERE {qn(model._meta.get_field(key).column)} = ANY(%s)")
    with connection.cursor() as cursor:
        for chunk in _chunks(values, 50_000):
            cursor.execute(sql, [chunk])
            yield from (dict(zip(fields, row, strict=True)) for row in cursor.fetchall())


# ---- import: checking each row ---------------------------------------------------------------------------------------

def _default(column: LedgerColumn) -> object:
    if column.kind == "bool":
        return False
    if column.kind in ("text", "credit", "method"):
        return ""
    return Decimal("0.00") if column.field == "completed_investment" else None


# A blank cell's value, per model field (references are resolved apart).
DEFAULTS = {c.field: _default(c) for c in COLUMNS if c.kind not in ("ref", "campaign", "batch")}
# What SPEC §4's rules look at (amounts are checked as they are parsed).
STAGE_FIELDS = ["stage", "type", "signed_on", "started_on", "producing_on", "at_capacity_on", "terminated_on",
                "termination_reason"]


class _Planner:
    """Checks each row against the lookups and the rows above it, and decides create / update / unchanged."""

    def __init__(self, user, lookups: _Lookups, fields: set[str]):
        self.user, self.lk, self.fields = user, lookups, fields
        self.chain_names = {pk: name for name, pk in lookups.chains.items()}
        self.plain = [(name, DEFAULTS[name]) for name in fields if name in DEFAULTS and name != "code"]
        self.refs = [REFS[name] for name in fields if name in REFS]
        self.writable: dict[int, bool] = {}
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[str, int], int] = {}
        self.seen_projects: dict[int, int] = {}
        self.today = today()

    def plan(self, row: _Row) -> None:
        zone = self._zone(row)
        refs = {"zone_id": zone.pk if zone else None, "park_id": self._park(row, zone), "chain_id": self._chain(row)}
        self._target(row, zone)
        row.merged = self._merged(row, refs)
        self._check_stage(row)
        self._entry(row)
        if not row.errors:
            row.action, row.changes = self._changes(row)

    def _zone(self, row: _Row) -> Zone | None:
        text = row.values.get("zone")
        if not text:
            return None
        zone = self.lk.zone(text)
        if isinstance(zone, str):
            row.error("所属开发区", zone)
            return None
        if not self._can_write(zone):
            row.error("所属开发区", f"您无权录入或修改“{zone.name}”的项目")
        return zone

    def _can_write(self, zone: Zone) -> bool:
        if zone.pk not in self.writable:
            self.writable[zone.pk] = can_write(self.user, zone.org_unit)
        return self.writable[zone.pk]

    def _park(self, row: _Row, zone: Zone | None) -> int | None:
        text = row.values.get("park")
        if not text or zone is None:
            return None
        if (zone.pk, text) not in self.lk.parks:
            row.error("所属园区", f"“{zone.name}”没有名为“{text}”的园区")
        return self.lk.parks.get((zone.pk, text))

    def _chain(self, row: _Row) -> int | None:
        text = row.values.get("chain")
        if text and text not in self.lk.chains:
            row.error("所属产业链", f"产业链“{text}”不存在")
        return self.lk.chains.get(text) if text else None

    def _target(self, row: _Row, zone: Zone | None) -> None:
        """The existing project the row updates, if any; refuses a row that repeats an earlier one."""
        code, name = row.values.get("code"), row.values.get("name")
        if code:
            if code in self.seen_codes:
                return row.error("项目编号", f"项目编号“{code}”与第{self.seen_codes[code]}行重复")
            self.seen_codes[code] = row.number
            row.project = self._by_code(row, code)
        elif zone is not None and name:
            key = (name, zone.pk)
            if key in self.seen_names:
                return row.error("项目名称", f"与第{self.seen_names[key]}行的项目同名（同一开发区），请填写项目编号")
            self.seen_names[key] = row.number
            row.project = self._by_name(row, key)
        if row.project is not None:
            earlier = self.seen_projects.setdefault(row.project["id"], row.number)
            if earlier != row.number:
                row.error("项目编号", f"与第{earlier}行是同一个项目")

    def _by_code(self, row: _Row, code: str) -> dict | None:
        project = self.lk.by_code.get(code)
        if project is None:
            return None
        zone = self.lk.zone_by_id.get(project["zone_id"])
        if zone is None or not self._can_write(zone):
            row.error("项目编号", "项目编号不存在或无权修改")
            return None
        return project

    def _by_name(self, row: _Row, key: tuple[str, int]) -> dict | None:
        found = self.lk.by_name.get(key, [])
        if len(found) > 1:
            row.error("项目名称", "该开发区有多个同名项目，请填写项目编号")
        return found[0] if len(found) == 1 else None

    def _merged(self, row: _Row, refs: dict) -> dict:
        """The project's values after the row: the row's columns over the current values (or the defaults)."""
        merged = dict(row.project) if row.project else DEFAULTS | {"zone_id": None, "park_id": None, "chain_id": None}
        values = row.values
        merged["code"] = merged["code"] or values.get("code") or ""  # a project found by name keeps its code
        for name, default in self.plain:
            value = values[name]
            merged[name] = default if value is None else value
        for name in self.refs:
            merged[name] = refs[name]
        if row.project and merged["zone_id"] != row.project["zone_id"] and "park" not in self.fields:
            merged["park_id"] = None  # the old park belongs to the old zone
        if "termination_reason" not in self.fields and merged["stage"] == Stage.TERMINATED:
            merged["termination_reason"] = merged["termination_reason"] or merged["note"][:300]
        return merged

    def _check_stage(self, row: _Row) -> None:
        """SPEC §4's rules (services.stage_date_errors), unless the row leaves the stage and dates as they are."""
        if row.project and all(row.project[f] == row.merged[f] for f in STAGE_FIELDS):
            return
        bad = {e.column for e in row.errors}
        for name, message in stage_date_errors(row.merged, self.today):
            label = "备注" if name == "termination_reason" and name not in self.fields else BY_FIELD[name].label
            if label not in bad:
                row.error(label, message)

    def _entry(self, row: _Row) -> None:
        text, batch = row.values.get("campaign"), row.values.get("batch")
        if not text:
            if batch:
                row.error("三个一批活动", "填写了批次，请同时填写三个一批活动")
            return
        campaign = self.lk.campaigns.get(text)
        if campaign is None:
            return row.error("三个一批活动", f"三个一批活动“{text}”不存在，请先创建活动或核对名称")
        if not batch:
            return row.error("批次", "填写了三个一批活动，请同时填写批次")
        listed = self.lk.entries.get((campaign.pk, row.project["id"])) if row.project else None
        if listed and listed != batch:
            row.error("批次", f"该项目已列入“{campaign.name}”的{Batch(listed).label}，同一活动只能列入一次")
        elif not listed:
            row.entry = (campaign, batch)

    def _changes(self, row: _Row) -> tuple[str, list]:
        if row.project is None:
            return "create", []
        changes = [(LABELS[a], self.shown(a, row.project[a]), self.shown(a, row.merged[a]))
                   for a in MODEL_FIELDS if row.project[a] != row.merged[a]]
        return ("update" if changes else "unchanged"), changes

    def shown(self, attname: str, value: object) -> object:
        """A value as the ledger shows it (names for references, labels for choices, 是/否)."""
        if value is None or value == "":
            return None
        if attname == "zone_id":
            return self.lk.zone_by_id[value].name
        if attname in ("park_id", "chain_id"):
            return (self.lk.park_names if attname == "park_id" else self.chain_names).get(value, value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if attname in ("type", "stage"):
            return str((ProjectType if attname == "type" else Stage)(value).label)
        return value


# ---- import: the entry point ----------------------------------------------------------------------------------------

def ledger_import(*, user, data: bytes, dry_run: bool = False) -> ImportReport:
    """Import a project ledger (导入项目台账, SPEC §11): every row is checked first; if any has an error the whole
    file is refused (LedgerImportError listing them all) and nothing is written. Otherwise projects are created
    or updated, their stage history and campaign listings added and every change logged, in one transaction.
    A dry run reports the same and writes nothing."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise LedgerImportError([RowError(0, "", f"文件过大：不能超过{MAX_UPLOAD_BYTES // (1024 * 1024)}MB")])
    with _gc_paused():
        return _import(user, data, dry_run)


def _import(user, data: bytes, dry_run: bool) -> ImportReport:
    clock = _Clock()
    rows, fields = _read(data)
    clock.lap("read")
    with _acting(user), transaction.atomic():
        lookups = _lookups(user, rows)
        _load_projects(lookups, rows)
        planner = _Planner(user, lookups, fields)
        for row in rows:
            planner.plan(row)
        errors = [e for row in rows if row.errors for e in sorted(row.errors, key=_column_order)]
        if errors:
            raise LedgerImportError(errors)
        clock.lap("check")
        if not dry_run:
            _write(user, rows)
        clock.lap("write")
    clock.lap("commit")  # the deferred foreign-key checks run here
    report = _report(rows, planner, dry_run)
    report.seconds = clock.laps
    logger.info("ledger import of %d rows: %s", len(rows), ", ".join(f"{k} {v:.2f} s" for k, v in clock.laps.items()))
    return report


class _Clock:
    """Seconds spent in each phase."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self.at = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self.at = now - self.at, now


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: a 100 000-row ledger allocates millions of small objects, none of them
    cyclic, and each full collection walks them all (a fifth of the import's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _column_order(error: RowError) -> int:
    return ORDER.get(error.column, len(ORDER))


@contextmanager
def _acting(user):
    """Log the changes as `user`'s unless a request already names who is acting."""
    if current_context().user is not None:
        yield
    else:
        with change_context(user):
            yield


def _report(rows: list[_Row], planner: _Planner, dry_run: bool) -> ImportReport:
    counts = Counter(row.action for row in rows)
    report = ImportReport(created=counts["create"], updated=counts["update"], unchanged=counts["unchanged"],
                          campaign_entries=sum(1 for r in rows if r.entry), dry_run=dry_run)
    zones = {pk: zone.name for pk, zone in planner.lk.zone_by_id.items()}
    report.rows = [{"row": row.number, "code": row.merged["code"], "name": row.merged["name"],
                    "zone": zones[row.merged["zone_id"]], "action": row.action, "changes": row.changes}
                   for row in rows]
    return report


# ---- import: writing, set-wise --------------------------------------------------------------------------------------
# Rows go in with executemany (SQLite) or COPY (PostgreSQL) rather than bulk_create / bulk_update: the ORM spends
# some 4 µs compiling each value, 14 s for 100 000 projects alone, past the whole import's 10 s budget. Values pass
# through the backend's own adapters, and the change log gets the snapshots `changelog.snapshot` would take.

def _write(user, rows: list[_Row]) -> None:
    now = timezone.now()
    try:
        ids = _create(user, [r for r in rows if r.action == "create"], now)
        _update(user, [r for r in rows if r.action == "update"], now)
        _list_in_campaigns([r for r in rows if r.entry], ids, now)
    except (IntegrityError, _Stale) as exc:  # another import or edit got there first
        raise LedgerImportError([RowError(0, "", "写入时数据已被他人同时修改，请重新导入（未写入任何数据）")]) from exc


def _create(user, rows: list[_Row], now) -> dict[int, int]:
    """New projects (with codes for rows without one), their change-log rows and stage history.
    Returns {row number: project id}."""
    codes = iter(_fresh_codes(sum(1 for r in rows if not r.merged["code"]), {r.merged["code"] for r in rows}))
    records = []
    for row in rows:
        row.merged["code"] = row.merged["code"] or next(codes)
        records.append(PROJECT_DEFAULTS | row.merged | {"created_at": now, "updated_at": now})
    _insert(Project, records, with_ids=True)
    _log(Project, "create", [(r["id"], r["name"], None, _snapshot(Project, r)) for r in records], now)
    _insert(StageEvent, [e for r in records for e in _stage_rows(r, user, now)])
    return {row.number: record["id"] for row, record in zip(rows, records, strict=True)}


def _fresh_codes(count: int, taken: set[str]) -> list[str]:
    """`count` new codes from the sequence, skipping any already used (a file may bring its own XM… codes)."""
    codes: list[str] = []
    while len(codes) < count:
        batch = new_project_codes(count - len(codes))
        used = set(Project.objects.filter(code__gte=batch[0], code__lte=batch[-1]).values_list("code", flat=True))
        codes += [c for c in batch if c not in used and c not in taken]
    return codes


def _stage_rows(project: dict, user, now) -> list[dict]:
    """The stage history a project entering the platform brings — the rows `services._stage_events_for` makes:
    each dated stage it has reached, then its stage if that has no date of its own."""
    base = {"project_id": project["id"], "user_id": user.pk, "recorded_at": now, "note": ""}
    events = [base | {"stage": s.value, "date": project[STAGE_DATE_FIELD[s]]} for s in DATED_STAGES
              if project[STAGE_DATE_FIELD[s]]]
    if project["stage"] not in DATED_STAGES:
        events.append(base | {"stage": project["stage"], "date": project["terminated_on"],
                              "note": project["termination_reason"]})
    return events


def _update(user, rows: list[_Row], now) -> None:
    """Changed projects: their changed fields, version + 1, a change-log row each (before → after) and a stage
    event when the stage moved."""
    if not rows:
        return
    changed = sorted({a for r in rows for a in MODEL_FIELDS if r.project[a] != r.merged[a]})
    before = {p["id"]: p for p in _select(Project, ATTNAMES, "id", [r.project["id"] for r in rows])}
    for row in rows:
        row.merged = before[row.project["id"]] | row.merged | {"version": row.project["version"] + 1,
                                                                "updated_at": now}
    _update_projects([r.merged for r in rows], [*changed, "version", "updated_at"])
    _log(Project, "update", [(r.merged["id"], r.merged["name"], _snapshot(Project, before[r.merged["id"]]),
                              _snapshot(Project, r.merged)) for r in rows], now)
    _insert(StageEvent, [_stage_event(r.merged, user, now) for r in rows if r.project["stage"] != r.merged["stage"]])


def _stage_event(project: dict, user, now) -> dict:
    """The stage row of a project moved to a new stage by the import."""
    on = project[STAGE_DATE_FIELD[project["stage"]]] if project["stage"] in STAGE_DATE_FIELD else None
    return {"project_id": project["id"], "stage": project["stage"], "date": on, "user_id": user.pk,
            "note": "台账导入", "recorded_at": now}


def _list_in_campaigns(rows: list[_Row], created: dict[int, int], now) -> None:
    """New campaign listings, each with the project's total investment at listing, and their change-log rows."""
    records = [{"campaign_id": r.entry[0].pk, "batch": r.entry[1],
                "project_id": created[r.number] if r.number in created else r.project["id"],
                "investment_at_listing": r.merged["total_investment"]} for r in rows]
    _insert(CampaignEntry, records, with_ids=True)
    items = []
    for row, record in zip(rows, records, strict=True):
        label = f"{row.entry[0].name} · {Batch(row.entry[1]).label} · {row.merged['name']}"  # CampaignEntry.__str__
        items.append((record["id"], label, None, _snapshot(CampaignEntry, record)))
    _log(CampaignEntry, "create", items, now)


def _adapter(model_field) -> Callable[[object], object] | None:
    """How a (non-null) value of `model_field` goes to the database driver, as the ORM sends it; None: as is."""
    ops, kind = connection.ops, model_field.get_internal_type()
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        return partial(ops.adapt_decimalfield_value, max_digits=model_field.max_digits,
                       decimal_places=model_field.decimal_places)
    if isinstance(model_field, SnapshotField):  # the change log's snapshots, JSON-ready already (`_snapshot`)
        return model_field.get_prep_value
    if kind in ("DateTimeField", "UUIDField"):  # one timestamp and one request id for the whole import
        return cache(partial(model_field.get_db_prep_save, connection=connection))
    return None


def _params(columns: list[tuple[str, Callable | None]], records: list[dict]) -> list[list]:
    """Each record's values for `columns` (key, adapter or None), ready for the driver."""
    values = itemgetter(*[key for key, _adapt in columns])
    adapters = [(i, adapt) for i, (_key, adapt) in enumerate(columns) if adapt is not None]
    out = []
    for record in records:
        row = list(values(record))
        for i, adapt in adapters:
            if row[i] is not None:
                row[i] = adapt(row[i])
        out.append(row)
    return out


def _columns(fields: list) -> list[tuple[str, Callable | None]]:
    return [(f.attname, _adapter(f)) for f in fields]


def _insert(model, records: list[dict], with_ids: bool = False) -> None:
    """INSERT `records` (every concrete field but the primary key, by attname): COPY on PostgreSQL, where a
    statement per row (or a huge VALUES list rendered client-side) is many times slower; executemany elsewhere
    (SQLite runs it in-process). `with_ids`: each record gets its new primary key as "id" — on PostgreSQL drawn
    from the table's sequence beforehand and copied in; on SQLite the keys the insert assigned, which are
    consecutive because the transaction holds SQLite's single write lock — so no query reads them back."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if with_ids:
                _reserve_ids(cursor, model, records)
                fields = [model._meta.pk, *fields]
            columns = ", ".join(qn(f.column) for f in fields)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for chunk in _chunks(records, 5000):
                    for row in _params(_columns(fields), chunk):
                        copy.write_row(row)
            return
        columns = ", ".join(qn(f.column) for f in fields)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for chunk in _chunks(records, 5000):
            cursor.executemany(sql, _params(_columns(fields), chunk))
            if with_ids:
                cursor.execute("SELECT last_insert_rowid()")
                last = cursor.fetchone()[0]
                for pk, record in enumerate(chunk, start=last - len(chunk) + 1):
                    record["id"] = pk


def _reserve_ids(cursor, model, records: list[dict]) -> None:
    """Draw one key per record from the table's sequence, in one statement."""
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                   [model._meta.db_table, model._meta.pk.column, len(records)])
    for (pk,), record in zip(cursor.fetchall(), records, strict=True):
        record["id"] = pk


class _Stale(Exception):
    """A project was saved by someone else between the check and the write."""


def _update_projects(records: list[dict], attnames: list[str]) -> None:
    """UPDATE the given fields of each project, guarded by the version the check saw: a project saved meanwhile
    is not overwritten, the import is refused instead (_Stale). Executemany on SQLite; on PostgreSQL one
    UPDATE … FROM (VALUES …) per batch."""
    fields = [Project._meta.get_field(a) for a in attnames]
    columns = [*_columns(fields), ("id", None), ("previous_version", None)]
    for record in records:
        record["previous_version"] = record["version"] - 1
    updated = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for chunk in _chunks(records, max(1, 30000 // len(columns))):
                cursor.execute(_update_from_values_sql(fields, len(chunk)), [v for r in _params(columns, chunk)
                                                                             for v in r])
                updated += cursor.rowcount
        else:
            for chunk in _chunks(records, 5000):
                cursor.executemany(_update_sql(fields), _params(columns, chunk))
                updated += cursor.rowcount
    if updated != len(records):
        raise _Stale


def _update_sql(fields: list) -> str:
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    return f"UPDATE {qn(Project._meta.db_table)} SET {sets} WHERE {qn('id')} = %s AND {qn('version')} = %s"


def _update_from_values_sql(fields: list, count: int) -> str:
    """One UPDATE … FROM (VALUES …) for `count` projects; each value is cast to its column's type (a VALUES
    column of NULLs would otherwise be text)."""
    qn, table = connection.ops.quote_name, connection.ops.quote_name(Project._meta.db_table)
    names = [qn(f.column) for f in fields]
    sets = ", ".join(f"{name} = v.{name}::{f.cast_db_type(connection)}" for name, f in zip(names, fields, strict=True))
    rows = ", ".join([f"({', '.join(['%s'] * (len(fields) + 2))})"] * count)
    return (f"UPDATE {table} SET {sets} FROM (VALUES {rows}) AS v ({', '.join(names)}, id, previous_version) "
            f"WHERE {table}.{qn('id')} = v.id::integer AND {table}.{qn('version')} = v.previous_version::integer")


def _snapshot(model, record: dict) -> dict:
    """What `changelog.snapshot` records for an instance holding `record`'s values (JSON-ready)."""
    return {name: record[name] if convert is None or record[name] is None else convert(record[name])
            for name, convert in _snapshot_fields(model)}


@cache
def _snapshot_fields(model) -> list[tuple[str, Callable | None]]:
    """(attname, how its value is written in a snapshot) — decimals at the field's precision, dates ISO."""
    def convert(f):
        kind = f.get_internal_type()
        if kind == "DecimalField":
            return f"{{:.{f.decimal_places}f}}".format
        return JSON_ENCODER.default if kind in ("DateField", "DateTimeField", "UUIDField") else None
    return [(f.attname, convert(f)) for f in model._meta.concrete_fields]


def _log(model, action: str, items: list[tuple[int, str, dict | None, dict | None]], now) -> None:
    """Change-log rows (pk, repr, before, after) for `model`, as the acting user in the current request."""
    ctx = current_context()
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    common = {"time": now, "user_id": user.pk if user else None, "request_id": ctx.request_id, "action": action,
              "user_name": user.get_username() if user else "系统",
              "content_type_id": ContentType.objects.get_for_model(model).pk}
    _insert(ObjectChange, [common | {"object_id": str(pk), "object_repr": label[:200], "prechange_data": before,
                                     "postchange_data": after} for pk, label, before, after in items])


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
