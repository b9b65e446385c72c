"""The built-in catalogue: SPEC §5's indicators and default warning rules (idempotent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .models import IndicatorDefinition, WarningRule

EPOCH = date(2000, 1, 1)

# code, name, unit, has reported growth, required
INDICATORS = [
    ("industrial_value_added", "规模以上工业增加值", "亿元", True, True),
    ("industrial_investment", "工业投资", "亿元", True, True),
    ("fixed_asset_investment", "固定资产投资", "亿元", True, True),
    ("above_scale_revenue", "规上工业企业营业收入", "亿元", True, True),
    ("tax_revenue", "税收收入", "亿元", True, True),
    ("foreign_capital", "实际利用外资", "万美元", True, False),
    ("import_export", "进出口总额", "亿元", True, False),
    ("new_four_above", "新增“四上”企业", "个", False, False),
]

# code, name, description, yellow, red
RULES = [
    ("late", "迟报漏报", "截止日后仍未报送当月月报", None, None),
    ("growth_below_target", "增速低于目标",
     "累计增速低于目标：低于目标≥黄色阈值个百分点为黄色；负增长或低于目标≥红色阈值个百分点为红色",
     Decimal("5"), Decimal("10")),
    ("completion_behind_progress", "完成进度落后",
     "绝对值目标完成率÷时序进度：低于黄色阈值%为黄色，低于红色阈值%为红色",
     Decimal("90"), Decimal("75")),
    ("three_un_overdue", "三未项目逾期",
     "“三未”项目超过计划下一节点日期：逾期为黄色，逾期超过红色阈值天数为红色",
     None, Decimal("90")),
    ("tickets_overdue", "企业诉求超期未办结",
     "“一话通办”诉求超过办结时限未办结：超期为黄色，超期超过红色阈值天数为红色",
     None, Decimal("10")),
    ("milestone_overdue", "节点计划逾期",
     "项目节点超过计划日期未完成：逾期为黄色，逾期超过红色阈值天数为红色",
     None, Decimal("90")),
]


def catalogue_load() -> None:
    """Create the indicators and warning rules that are missing; never overwrite what users edited."""
    for sort, (code, name, unit, has_growth, required) in enumerate(INDICATORS):
        IndicatorDefinition.objects.get_or_create(
            code=code, valid_from=EPOCH,
            defaults={"name": name, "unit": unit, "has_reported_growth": has_growth, "required": required,
                      "sort": sort})
    for code, name, description, yellow, red in RULES:
        WarningRule.objects.get_or_create(code=code, defaults={"name": name, "description": description,
                                                               "yellow": yellow, "red": red})


def definitions_for(month: date) -> list[IndicatorDefinition]:
    """The version of each indicator in force in `month` (the latest valid_from not after it)."""
    current: dict[str, IndicatorDefinition] = {}
    for d in IndicatorDefinition.objects.filter(valid_from__lte=month).order_by("code", "valid_from"):
        current[d.code] = d
    return sorted(current.values(), key=lambda d: (d.sort, d.code))
