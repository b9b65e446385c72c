"""The two ready-made assessment schemes of SPEC §6 (考核方案), created for a year on request (idempotent).

(a) 开发区发展水平考核（省级）: the provincial development-level assessment on §5's indicators — the four
    "省级考核指标" the seeds name (固定资产投资增速、工业投资增速、规模以上工业增加值增速、产出强度) plus the
    三个一批 rates.
(b) 经济技术开发区综合发展水平考核: shaped like the national method for economic and technological development
    zones (对外开放 30%、发展质量 30%、科技创新 15%、绿色发展 15%、统筹协调 10%), each category mapped onto the
    platform's indicators; the `note` says which stand in for what.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from kaifaqu.zones.choices import ZoneKind, ZoneLevel

from .choices import Measure
from .models import AssessmentItem, AssessmentScheme

# (category, name, indicator code, measure, weight)
ItemSpec = tuple[str, str, str, str, Decimal]

PROVINCIAL_NAME = "开发区发展水平考核（省级）"
PROVINCIAL_NOTE = (
    "参评范围：省级开发区。功效系数法：单项得分=60+40×(本区值−最低值)÷(最高值−最低值)，全部相同得100分，"
    "未报送得60分；综合得分=Σ权重×单项得分÷Σ权重。权重（满分100）：规上工业增加值增速20、工业投资增速20、"
    "固定资产投资增速15、产出强度15（规上工业企业营业收入÷规划面积，规划面积未知时按核准面积折算）、"
    "三个一批开工率10、投产率10、达产率10（当年各次活动截至当月末）。"
)
PROVINCIAL_ITEMS: list[ItemSpec] = [
    ("增长速度", "规上工业增加值增速（20分）", "industrial_value_added", Measure.YTD_GROWTH, Decimal(20)),
    ("增长速度", "工业投资增速（20分）", "industrial_investment", Measure.YTD_GROWTH, Decimal(20)),
    ("增长速度", "固定资产投资增速（15分）", "fixed_asset_investment", Measure.YTD_GROWTH, Decimal(15)),
    ("产出效益", "产出强度（15分）", "above_scale_revenue", Measure.PER_KM2, Decimal(15)),
    ("项目推进", "三个一批开工率（10分）", "", Measure.START_RATE, Decimal(10)),
    ("项目推进", "三个一批投产率（10分）", "", Measure.PRODUCTION_RATE, Decimal(10)),
    ("项目推进", "三个一批达产率（10分）", "", Measure.CAPACITY_RATE, Decimal(10)),
]

NATIONAL_NAME = "经济技术开发区综合发展水平考核（参照国家级经开区评价办法）"
NATIONAL_NOTE = (
    "参评范围：经济技术开发区、经济开发区。参照国家级经开区综合发展水平考核评价的五类权重：对外开放30%、"
    "发展质量30%、科技创新15%、绿色发展15%、统筹协调10%，类内按项平分或按注明分值。平台现有指标替代："
    "对外开放→实际利用外资、进出口总额及其增速；发展质量→规上工业营收、税收、工业增加值增速；"
    "科技创新→新增“四上”企业（替代研发投入、高新技术企业等）；绿色发展→地均增加值、地均税收（替代能耗、"
    "排放等）；统筹协调→固定资产投资、工业投资增速。"
)
NATIONAL_ITEMS: list[ItemSpec] = [
    ("对外开放", "实际利用外资（10分）", "foreign_capital", Measure.YTD_VALUE, Decimal(10)),
    ("对外开放", "实际利用外资增速（5分）", "foreign_capital", Measure.YTD_GROWTH, Decimal(5)),
    ("对外开放", "进出口总额（10分）", "import_export", Measure.YTD_VALUE, Decimal(10)),
    ("对外开放", "进出口总额增速（5分）", "import_export", Measure.YTD_GROWTH, Decimal(5)),
    ("发展质量", "规上工业企业营业收入（10分）", "above_scale_revenue", Measure.YTD_VALUE, Decimal(10)),
    ("发展质量", "税收收入（10分）", "tax_revenue", Measure.YTD_VALUE, Decimal(10)),
    ("发展质量", "规上工业增加值增速（10分）", "industrial_value_added", Measure.YTD_GROWTH, Decimal(10)),
    ("科技创新", "新增“四上”企业（15分）", "new_four_above", Measure.YTD_VALUE, Decimal(15)),
    ("绿色发展", "地均规上工业增加值（8分）", "industrial_value_added", Measure.PER_KM2, Decimal(8)),
    ("绿色发展", "地均税收（7分）", "tax_revenue", Measure.PER_KM2, Decimal(7)),
    ("统筹协调", "固定资产投资增速（5分）", "fixed_asset_investment", Measure.YTD_GROWTH, Decimal(5)),
    ("统筹协调", "工业投资增速（5分）", "industrial_investment", Measure.YTD_GROWTH, Decimal(5)),
]

# name, group level, group kinds, note, items
BUILT_IN = [
    (PROVINCIAL_NAME, ZoneLevel.PROVINCIAL.value, [], PROVINCIAL_NOTE, PROVINCIAL_ITEMS),
    (NATIONAL_NAME, "", [ZoneKind.ETDZ.value, ZoneKind.ECONOMIC.value], NATIONAL_NOTE, NATIONAL_ITEMS),
]


@transaction.atomic
def schemes_load(year: int) -> list[AssessmentScheme]:
    """Create the built-in schemes for `year` where missing (by year and name), and their items where a scheme
    has none; never overwrite a scheme or items that users edited. Returns the two schemes."""
    from kaifaqu.accounts.models import OrgUnit

    shanxi = OrgUnit.objects.filter(code="140000").first()  # Shanxi's schemes rank Shanxi's zones
    out = []
    for name, level, kinds, note, items in BUILT_IN:
        scheme, _ = AssessmentScheme.objects.get_or_create(
            year=year, name=name,
            defaults={"group_level": level, "group_kinds": kinds, "note": note, "org_unit": shanxi})
        if not scheme.items.exists():
            _items_create(scheme, items)
        out.append(scheme)
    return out


def _items_create(scheme: AssessmentScheme, items: list[ItemSpec]) -> None:
    AssessmentItem.objects.bulk_create(
        AssessmentItem(scheme=scheme, category=category, name=name, indicator=code, measure=measure, weight=weight)
        for category, name, code, measure, weight in items)
