"""The ledger's columns (header, project field, kind, help text), what is derived from them, the
choice labels the cells use, and the import's size limits."""

from __future__ import annotations

from dataclasses import dataclass

from ..choices import Batch, ProjectType, PromotionMethod, Stage

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
