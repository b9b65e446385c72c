"""Demo data of the projects app.

`seed_scenario_load` builds the projects behind seed 003's figures: 阳泉's five campaigns since 2023 (as of
2024-03-31), 晋中's 2024 second campaign and 晋中's five campaigns since 2023, so that the selectors print the
articles' numbers. `demo_projects_load` gives every Shanxi zone a generated, realistic project portfolio.

Both are deterministic (seeded `random.Random`), idempotent (their rows are known by a code prefix, SEED- and
DEMO-, and only missing codes are created) and set-based. Generated rows say so in their `note`. Floats only pick
sizes; every amount is a whole number of 万元 held as Decimal, and the seeds' sums are met exactly.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.changelog import bulk_record
from kaifaqu.zones.models import IndustryChain, Park, Zone

from .choices import (
    DATED_STAGES,
    STAGE_DATE_FIELD,
    Batch,
    CampaignLevel,
    Milestone,
    ProjectType,
    PromotionMethod,
    Stage,
)
from .models import Campaign, CampaignEntry, Problem, ProgressReport, Project, ProjectMilestone, StageEvent
from .services import _stage_events_for
from .services import today as current_date

SEED_NOTE = "演示数据（依据来源文章003的汇总数据生成）"
DEMO_NOTE = "演示数据（生成）"
SHANXI = "140000"
AS_OF_YQ = date(2024, 3, 31)  # 阳泉's briefing: "截止3月底"
DEMO_START = date(2021, 1, 1)

CAMPAIGNS = {
    "2023年第一次“三个一批”活动": date(2023, 2, 16),
    "2023年第二次“三个一批”活动": date(2023, 5, 18),
    "2023年第三次“三个一批”活动": date(2023, 8, 24),
    "2023年第四次“三个一批”活动": date(2023, 11, 23),
    "2024年第一次“三个一批”活动": date(2024, 2, 27),
    "2024年第二次“三个一批”活动": date(2024, 6, 26),
    "2025年第一次“三个一批”活动": date(2025, 2, 25),
}
C23A, C23B, C23C, C23D, C24A, C24B, C25A = CAMPAIGNS
FIVE = [C23A, C23B, C23C, C23D, C24A]  # "2023年以来五次"

IND, INFRA, PUBLIC, OTHER = (ProjectType.INDUSTRIAL, ProjectType.INFRASTRUCTURE, ProjectType.PUBLIC_SERVICE,
                             ProjectType.OTHER)
S, T, P, C = Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.AT_CAPACITY
NEXT = {S: T, T: P, P: C}
GAP = {T: (30, 300), P: (150, 600), C: (60, 400)}  # days from the stage before
ENTRY = {Batch.SIGN: S, Batch.START: T, Batch.PRODUCE: P}
FOLLOW_UP = {Batch.SIGN: 0.85, Batch.START: 0.7, Batch.PRODUCE: 0.75}  # chance of reaching the next stage


def days(n: int) -> timedelta:
    return timedelta(days=n)


# ---- amounts (万元) ---------------------------------------------------------------------------------------------

def tidy(x: float) -> int:
    """An amount as ledgers write it: 123,000 / 12,300 / 1,230 / 123."""
    step = 1000 if x >= 100_000 else 100 if x >= 10_000 else 10 if x >= 1_000 else 1
    return max(1, int(round(x / step)) * step)


def fit_to_total(values: list[float], total: int, bounds: list[tuple[int, int]]) -> list[int]:
    """Move `values` within their bounds, proportionally to each one's room, then tidy them so that they sum
    exactly to `total` (the rounding residue goes to the smallest amounts that can take it)."""
    if not sum(lo for lo, _ in bounds) <= total <= sum(hi for _, hi in bounds):
        raise ValueError(f"{total} cannot be split within {bounds}")
    x = [min(max(v, lo), hi) for v, (lo, hi) in zip(values, bounds, strict=True)]
    gap = total - sum(x)
    room = [(hi - v) if gap > 0 else (v - lo) for v, (lo, hi) in zip(x, bounds, strict=True)]
    x = [v + gap * r / sum(room) if any(room) else v for v, r in zip(x, room, strict=True)]
    out = [min(max(tidy(v), lo), hi) for v, (lo, hi) in zip(x, bounds, strict=True)]
    rest = total - sum(out)
    for i in sorted(range(len(out)), key=lambda i: out[i]):
        lo, hi = bounds[i]
        step = max(lo - out[i], min(hi - out[i], rest))
        out[i], rest = out[i] + step, rest - step
    assert rest == 0
    return out


def spread(rng: random.Random, total: int, n: int, lo: int, hi: int, fixed: list[int]) -> list[int]:
    """The fixed amounts, then `n` log-normally spread ones between lo and hi; all sum exactly to `total`."""
    weights = [rng.lognormvariate(0, 1.0) for _ in range(n)]
    scale = (total - sum(fixed)) / sum(weights) if n else 0
    # Redraw the ones outside the bounds rather than clamp them, so that no two sit exactly on a bound.
    free = [v if lo <= v <= hi else rng.uniform(0.5, 0.95) * hi if v > hi else rng.uniform(1.05, 2) * lo
            for v in (w * scale for w in weights)]
    return fit_to_total([float(f) for f in fixed] + free, total, [(f, f) for f in fixed] + [(lo, hi)] * n)


def one_amount(rng: random.Random, lo: int = 500, hi: int = 300_000, median: float = 12_000) -> int:
    """One project's total investment: log-normal around `median`, between lo and hi (redrawn outside them)."""
    for _ in range(100):
        amount = tidy(rng.lognormvariate(math.log(median), 1.25))
        if lo <= amount <= hi:
            return amount
    return median


# ---- vocabulary -------------------------------------------------------------------------------------------------

SECTOR_OF = {  # a zone's leading industry → the sector its projects' names are drawn from
    "电子信息": "电子信息", "装备制造": "装备", "机械": "装备", "机电": "装备", "光机电一体化": "装备",
    "高端装备": "装备", "煤机维修": "煤炭", "煤炭": "煤炭", "新能源": "新能源", "能源": "新能源", "电力": "新能源",
    "节能环保": "环保", "新能源与节能环保": "环保", "医药": "医药", "生物医药": "医药", "生物制药": "医药",
    "现代医药与大健康": "医药", "汽车": "汽车", "智能网联新能源汽车": "汽车", "建筑": "建材", "建材": "建材",
    "耐火材料": "建材", "钢结构": "冶金", "精密光电": "光电", "光电": "光电", "食品": "食品", "农副产品加工": "食品",
    "轻工": "食品", "新材料": "新材料", "化工新材料": "新材料", "煤化工": "化工", "化工": "化工", "精细化工": "化工",
    "加工贸易": "保税", "保税物流": "保税", "保税服务": "保税", "商贸物流": "物流", "仓储物流": "物流",
    "商贸服务": "物流", "电商": "物流", "不锈钢加工": "冶金", "钢铁加工": "冶金", "冶金制品": "冶金",
    "铁合金冶炼": "冶金", "玻璃": "玻璃", "塑料编织": "轻纺", "酿酒": "酿酒", "数据中心": "数据中心",
    "储能": "储能", "半导体": "半导体", "煤层气综合利用": "煤层气", "光伏": "光伏", "信息存储": "信息存储",
    "有机旱作农业": "农业", "生态文化旅游": "文旅", "合成生物": "合成生物", "通用航空": "通航", "现代服务": "服务",
}
CHAIN_OF = {  # sector → IndustryChain name
    "储能": "储能", "电子信息": "电子信息", "信息存储": "信创与数字经济", "新材料": "新材料", "装备": "高端装备",
    "数据中心": "数据中心", "新能源": "新能源与节能环保", "环保": "新能源与节能环保", "光伏": "光伏",
    "半导体": "半导体", "合成生物": "合成生物", "医药": "现代医药与大健康", "汽车": "智能网联新能源汽车",
    "光电": "光电", "煤层气": "煤层气", "通航": "通用航空", "服务": "现代服务",
}
OTHER_SECTORS = {"物流", "保税", "农业", "文旅", "服务"}
CROSS_SECTORS = ["新材料", "环保", "新能源"]  # drawn now and then by any industrial zone
TEMPLATES = {  # {a|b} picks one, larger for larger projects; "!" marks names only a project ≥ 5亿元 may bear
    "储能": ["!年产{2|5|10}GWh储能电池生产线项目", "!{100|200|300}MW/{200|400|600}MWh独立储能电站项目",
             "年产{1|2|3}万套储能变流器及电池管理系统项目", "年产{1|2|5}万吨钠离子电池正极材料项目",
             "储能电池PACK集成生产线项目", "液流储能电池电堆生产项目"],
    "电子信息": ["年产{50|100|200}万片柔性线路板项目", "智能终端及配件制造项目", "集成电路封装测试项目",
                 "!年产{10|20|50}万台服务器及计算机生产线项目", "光电显示模组生产线项目",
                 "年产{1|3|5}亿只片式电子元器件项目"],
    "信息存储": ["光存储介质及设备生产项目", "蓝光存储数据中心项目", "数据存储设备制造项目"],
    "新材料": ["年产{2|5|10}万吨高纯石墨负极材料项目", "年产{3|5|10}万吨铝镁合金项目",
               "年产{1000|2000|5000}吨碳纤维复合材料项目", "年产{1|2|3}万吨特种陶瓷项目",
               "年产{5000|10000}吨高性能聚酰胺项目", "年产{1|2|5}万吨高纯氧化铝项目",
               "年处理{10|20}万吨锆钛矿综合利用项目"],
    "装备": ["智能矿山装备制造项目", "泵阀智能制造项目", "年产{500|1000|2000}台（套）煤机装备项目",
             "精密铸造及机加工项目", "高端液压件生产线项目", "轨道交通装备零部件项目", "年产{1|2|5}万套高端轴承项目"],
    "数据中心": ["!{3000|5000|10000}架机柜数据中心项目", "云计算数据中心项目", "!智算中心项目", "大数据灾备中心项目"],
    "新能源": ["{20|50|100}MW分布式光伏发电项目", "!氢能产业园项目", "风电装备制造项目",
               "年产{1000|5000}套氢燃料电池系统项目", "!热电联产项目"],
    "环保": ["固废综合利用项目", "工业余热回收利用项目", "年处理{10|30|50}万吨建筑垃圾资源化利用项目",
             "危险废物处置中心项目", "年产{5|10}万吨环保新材料项目", "粉煤灰综合利用项目"],
    "光伏": ["!年产{2|5|10}GW高效光伏组件项目", "!年产{5|10}GW N型TOPCon电池片项目", "光伏支架及边框生产项目",
             "!年产{5|10}万吨光伏玻璃项目", "光伏硅片切片项目"],
    "半导体": ["!碳化硅衬底片项目", "!年产{6|12|24}万片半导体晶圆项目", "第三代半导体外延片项目",
               "功率半导体器件封装测试项目", "半导体材料及电子特气项目"],
    "合成生物": ["!年产{1|5|10}万吨生物基材料项目", "生物基聚酰胺项目", "年产{1|3}万吨长链二元酸项目",
                 "合成生物中试基地项目", "年产{5000|10000}吨生物可降解材料项目"],
    "医药": ["原料药及制剂生产项目", "中药饮片及提取物加工项目", "!医疗器械产业园项目", "生物制药项目",
             "年产{1|5}亿片（粒）固体制剂项目"],
    "汽车": ["新能源汽车零部件项目", "年产{50|100}万套汽车轮毂项目", "电驱动系统生产项目", "新能源专用车生产项目"],
    "光电": ["精密光学元件项目", "激光器及光电器件项目", "LED外延芯片项目", "红外光学镜头项目"],
    "煤层气": ["煤层气液化（LNG）项目", "煤层气压缩（CNG）加气站项目", "煤层气发电项目", "煤层气综合利用项目"],
    "通航": ["通用航空器组装项目", "航空零部件制造项目", "通航飞行服务站项目"],
    "化工": ["!年产{10|20|30}万吨精细化工项目", "煤焦油深加工项目", "焦炉煤气综合利用项目",
             "年产{5|10}万吨可降解塑料项目", "合成氨节能改造项目"],
    "冶金": ["不锈钢精密带钢项目", "年产{10|20|30}万吨钢结构项目", "年产{5|10}万吨特种合金项目", "铸造产业升级项目"],
    "建材": ["绿色装配式建筑产业基地项目", "年产{30|50|100}万立方米加气混凝土砌块项目",
             "年产{5|10}万吨高端耐火材料项目", "新型墙体材料项目"],
    "煤炭": ["煤机装备再制造项目", "智能化煤矿装备维修基地项目", "煤矸石综合利用项目"],
    "食品": ["年产{1|3|5}万吨杂粮深加工项目", "中央厨房及预制菜项目", "年产{5|10}万吨饮料生产线项目",
             "农产品冷链加工项目", "年产{1|2}万吨肉制品深加工项目"],
    "玻璃": ["高端玻璃器皿生产线项目", "年产{3|5}万吨日用玻璃项目", "玻璃制品深加工项目"],
    "轻纺": ["塑料编织袋生产线项目", "年产{1|2}万吨功能性纺织品项目", "纺织品回收再利用项目"],
    "酿酒": ["年产{1|2|5}万吨清香型白酒项目", "白酒陈化储存及包装项目", "酒类包装材料项目"],
    "物流": ["智慧物流园项目", "电商产业园项目", "冷链仓储物流项目", "!商贸综合体项目", "!公铁联运物流港项目"],
    "保税": ["跨境电商监管中心项目", "保税仓储物流项目", "加工贸易产业园项目"],
    "农业": ["有机旱作农业示范项目", "设施农业产业园项目", "杂粮良种繁育基地项目", "农业科技研发中心项目"],
    "文旅": ["生态文化旅游综合体项目", "红色文旅小镇项目", "康养度假区项目", "景区提质升级项目"],
    "服务": ["科技服务综合体项目", "人力资源服务产业园项目", "数字化服务中心项目"],
    "基础设施": ["道路及管网工程", "标准化厂房项目", "污水处理厂项目", "供热管网工程", "!110千伏变电站项目",
                 "雨污分流改造工程"],
    "公共配套": ["人才公寓项目", "综合服务中心项目", "消防站建设项目", "职工之家项目", "科创中心项目"],
}
SUFFIX = {
    "储能": "新能源科技", "电子信息": "电子科技", "信息存储": "信息技术", "新材料": "新材料科技", "装备": "智能装备",
    "数据中心": "数据科技", "新能源": "新能源", "环保": "环保科技", "光伏": "光伏科技", "半导体": "半导体科技",
    "合成生物": "生物科技", "医药": "医药", "汽车": "汽车零部件", "光电": "光电科技", "煤层气": "燃气",
    "通航": "通用航空", "化工": "化工", "冶金": "金属制品", "建材": "建材", "煤炭": "矿山机械", "食品": "食品",
    "玻璃": "玻璃制品", "轻纺": "纺织", "酿酒": "酒业", "物流": "供应链管理", "保税": "国际贸易", "农业": "农业科技",
    "文旅": "文化旅游开发", "服务": "科技服务",
}
BRANDS = ("华瑞 中晟 恒泰 鑫源 泰和 晋创 宏达 博远 瑞丰 金石 天成 德润 安泰 晟通 汇智 正元 昌盛 兴晋 龙腾 国润 "
          "丰源 晋德 泓晟 睿信 鼎盛 华晋 宏图 裕丰 景泰 瀚海 恒信 嘉禾 太岳 汾河 潇河 凤鸣 云岭 同舟 聚力 中弘").split()
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜程苏魏吕丁任姚卢崔贾阎郝武"
GIVEN = ("建国 卫东 志强 海军 晓峰 文斌 俊杰 丽娟 红梅 永刚 国华 立新 振华 晋生 建军 秀英 瑞峰 海燕 宏伟 明亮 "
         "雪梅 鹏飞 晓东 丽华 志刚 国庆 亚楠 小平 慧敏 宇航").split()
TITLES = ["管委会主任", "管委会副主任", "党工委书记", "副县长", "副区长", "副市长"]
METHODS = [(PromotionMethod.BY_CHAIN, 30), (PromotionMethod.BY_BUSINESS, 25), (PromotionMethod.BY_FAIR, 20),
           (PromotionMethod.BY_FRIENDSHIP, 15), (PromotionMethod.OTHER, 10)]
PROBLEMS = [
    ("用地报批手续尚未完成，土地未摘牌", "自然资源局"), ("施工许可证办理中，施工图审查意见待回复", "住房和城乡建设局"),
    ("电力接入（双回路）方案未批复", "供电公司"), ("企业融资未到位，资金缺口较大", "地方金融监管局"),
    ("环评批复尚未取得", "生态环境局"), ("节能审查（能评）待批复", "发展和改革委员会"),
    ("园区供水、供气管网尚未接通", "管委会规划建设部"), ("主要设备到货延迟，影响安装进度", "建设单位"),
    ("技术工人招聘困难，用工缺口较大", "人力资源和社会保障局"), ("项目周边道路未打通，大型设备运输受限", "交通运输局"),
]
RESOLUTIONS = ["经专题协调会研究，手续已办结", "已协调相关部门并联审批，问题销号", "经领办领导现场办公，问题已解决",
               "已落实要素保障，问题解决"]
TERMINATIONS = ["企业投资计划调整，项目终止", "企业资金链紧张，主动退出", "项目选址调整至区外",
                "未通过节能审查，项目终止", "市场行情变化，投资方放弃建设"]
PROGRESS = ["场地平整及基础施工中", "主体结构施工中", "厂房主体封顶，进入设备安装阶段", "设备安装调试中",
            "试生产准备中"]
DEMO_WINDOW = {S: 540, T: 900, P: 1500, C: 2000}  # how far back the first date of a project at that stage lies
DEMO_STAGES = [(Stage.RESERVE, 7), (Stage.NEGOTIATING, 11), (S, 15), (T, 28), (P, 20), (C, 14), (Stage.TERMINATED, 5)]


def fill(pattern: str, total: int) -> str:
    """Fill {a|b|c} with the option matching the project's size (1,000 万元 → a … 300,000 万元 → c)."""
    scale = min(max((math.log10(max(total, 1)) - 3) / 2.5, 0.0), 0.999)
    return re.sub(r"\{([^}]*)\}", lambda m: (o := m.group(1).split("|"))[int(scale * len(o))], pattern)


def template(rng: random.Random, sector: str, total: int) -> str:
    """A name template of the sector that suits a project of that size."""
    fitting = [t for t in TEMPLATES[sector] if total >= 50_000 or not t.startswith("!")] or TEMPLATES[sector]
    return fill(rng.choice(fitting).removeprefix("!"), total)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def type_of(sector: str) -> str:
    return {"基础设施": INFRA, "公共配套": PUBLIC}.get(sector, OTHER if sector in OTHER_SECTORS else IND)


# ---- plans and context ------------------------------------------------------------------------------------------

@dataclass
class Plan:
    """One project to build: where, what, how big; how it was listed and followed up (or its demo stage)."""

    zone: str
    total: int = 0
    campaign: str = ""
    batch: str = ""
    followed: bool | None = None  # reached the batch's follow-up stage by the as-of date (None: free)
    after: str = "go"  # if not followed: "later", "stay" or "terminate" after the as-of date
    name: str = ""
    sector: str = ""  # "" → one of the zone's industries
    type: str = ""
    builder: str = ""
    park: str = ""
    strategic: bool | None = None
    in_statistics: bool | None = None
    completed: int | None = None
    output: int | None = None
    stage: str = ""  # demo projects: the stage reached
    pins: dict = field(default_factory=dict)  # stage → date known from the seeds
    listable: list[str] = field(default_factory=list)  # demo projects: campaigns they may be listed in


@dataclass
class Ctx:
    """What a load needs: "today", the zones, chains, parks and campaigns, and the names in use per zone."""

    today: date
    as_of: date | None
    zones: dict[str, Zone]
    chains: dict[str, IndustryChain]
    parks: dict[int, list[Park]]
    campaigns: dict[str, Campaign]
    names: set[tuple[int, str]] = field(default_factory=set)


def context(zone_codes: list[str] | None, today: date, campaigns: list[str], as_of: date | None = None) -> Ctx:
    """Zones (all of Shanxi's when `zone_codes` is None), chains, parks, campaigns and project names in use."""
    zones = Zone.objects.select_related("city", "org_unit")
    zones = zones.filter(code__in=zone_codes) if zone_codes else zones.filter(org_unit__path__startswith=f"/{SHANXI}/")
    zones = {z.code: z for z in zones}
    if zone_codes and set(zone_codes) - set(zones):
        raise LookupError(f"开发区名录中缺少：{sorted(set(zone_codes) - set(zones))}，请先载入名录")
    parks: dict[int, list[Park]] = {}
    for park in Park.objects.filter(zone__in=zones.values()).order_by("zone_id", "name"):
        parks.setdefault(park.zone_id, []).append(park)
    names = set(Project.objects.filter(zone__in=zones.values()).values_list("zone_id", "name"))
    chains = {c.name: c for c in IndustryChain.objects.all()}
    return Ctx(today, as_of, zones, chains, parks, campaigns_ensure(campaigns, today), names)


@transaction.atomic
def campaigns_ensure(names: list[str], today: date) -> dict[str, Campaign]:
    """The province's 三个一批 campaigns of that name held by `today` (dates in CAMPAIGNS), created if missing."""
    province = OrgUnit.objects.get(code=SHANXI)
    found = {c.name: c for c in Campaign.objects.filter(name__in=names)}
    new = [Campaign(name=name, date=CAMPAIGNS[name], level=CampaignLevel.PROVINCE, org_unit=province)
           for name in names if name not in found and CAMPAIGNS[name] <= today]
    Campaign.objects.bulk_create(new)
    bulk_record(new)
    return found | {c.name: c for c in new}


# ---- one project --------------------------------------------------------------------------------------------

def build(ctx: Ctx, plan: Plan, code: str, note: str) -> Project:
    """The unsaved project a plan describes, its dates consistent with SPEC §4 and with the plan's as-of facts."""
    rng = random.Random(code)
    zone = ctx.zones[plan.zone]
    sector = plan.sector or pick_sector(rng, zone, plan.type)
    ptype = plan.type or type_of(sector)
    chain = ctx.chains.get(CHAIN_OF.get(sector, ""))
    name, builder = naming(ctx, rng, zone, sector, ptype, plan)
    project = Project(
        code=code, name=name, zone=zone, park=pick_park(ctx, rng, zone, sector, plan.park), builder=builder,
        type=ptype, chain=chain, total_investment=Decimal(plan.total), note=note,
        strategic_emerging=plan.strategic if plan.strategic is not None else bool(chain and chain.strategic_emerging))
    dates, ended = timeline(ctx, rng, plan, ptype == IND)
    set_stage(rng, project, dates, ended, plan.stage)
    set_plan_dates(rng, project, ctx.today)
    set_figures(rng, project, plan, ended or ctx.today)
    return project


def pick_sector(rng: random.Random, zone: Zone, forced_type: str) -> str:
    """A sector from the zone's leading industries; now and then infrastructure, public services or a
    province-wide sector (新材料, 节能环保, 新能源)."""
    sectors = [SECTOR_OF[i] for i in zone.industry_list if i in SECTOR_OF]
    industrial = [s for s in sectors if s not in OTHER_SECTORS]
    r = rng.random()
    if forced_type == IND:
        return rng.choice(industrial or ["装备"])
    if r < 0.07:
        return "基础设施"
    if r < 0.10:
        return "公共配套"
    if r < 0.18 and industrial:
        return rng.choice(CROSS_SECTORS)
    return rng.choice(sectors or ["装备"])


def naming(ctx: Ctx, rng: random.Random, zone: Zone, sector: str, ptype: str, plan: Plan) -> tuple[str, str]:
    """A name unique in the zone and the builder (建设单位)."""
    brand = rng.choice(BRANDS)
    place = zone.short_name or zone.name
    if plan.name:
        name, builder = plan.name, plan.builder or f"山西{brand}{SUFFIX.get(sector, '实业')}有限公司"
    elif ptype in (INFRA, PUBLIC):
        name, builder = place + template(rng, sector, plan.total), f"{place}建设投资有限公司"
    else:
        name, builder = brand + template(rng, sector, plan.total), f"山西{brand}{SUFFIX[sector]}有限公司"
    base, n = name, 1
    while (zone.pk, name) in ctx.names:
        n += 1
        name = f"{base}（{'一二三四五六七八九十'[min(n, 10) - 1]}期）" if n <= 10 else f"{base}（{n}）"
    ctx.names.add((zone.pk, name))
    return name, builder


def pick_park(ctx: Ctx, rng: random.Random, zone: Zone, sector: str, wanted: str) -> Park | None:
    parks = ctx.parks.get(zone.pk, [])
    if wanted:
        return next((p for p in parks if p.name == wanted), None)
    matching = [p for p in parks if p.industries and sector in p.industries]
    if matching:
        return rng.choice(matching)
    general = [p for p in parks if not p.industries]
    return rng.choice(general) if general and rng.random() < 0.6 else None


# ---- dates ----------------------------------------------------------------------------------------------------

def timeline(ctx: Ctx, rng: random.Random, plan: Plan, industrial: bool) -> tuple[dict[Stage, date], date | None]:
    """The dates of the stages reached, and the termination date if the project was terminated."""
    if plan.pins:
        dates = {Stage(k): v for k, v in plan.pins.items()}
        ended = advance(rng, dates, industrial, ctx.today) if plan.after == "go" else None
        return dates, ended
    if plan.campaign:
        dates = listed_dates(rng, plan.batch, CAMPAIGNS[plan.campaign])
        ended = advance(rng, dates, industrial, ctx.today, as_of=ctx.as_of, followed=plan.followed,
                        after=plan.after, first_go=FOLLOW_UP[plan.batch])
        return dates, ended
    return demo_dates(rng, plan.stage, industrial, ctx.today)


def listed_dates(rng: random.Random, batch: str, held: date) -> dict[Stage, date]:
    """Dates up to the stage a project was listed in at a campaign held on `held`; one in four listed beyond
    签约 enters without a known signing date (SPEC §4: a project may enter at any stage)."""
    entry = ENTRY[batch]
    d = held - days(rng.choice((0, 0, rng.randint(1, 40))))
    dates = {entry: d}
    for stage in reversed(DATED_STAGES[: DATED_STAGES.index(entry)]):
        if stage == S and rng.random() < 0.25:
            break
        d -= days(rng.randint(*GAP[NEXT[stage]]))
        dates[stage] = d
    return dates


def last_stage(dates: dict[Stage, date]) -> Stage:
    return max(dates, key=DATED_STAGES.index)


def advance(rng: random.Random, dates: dict[Stage, date], industrial: bool, until: date, *, as_of: date | None = None,
            followed: bool | None = None, after: str = "go", first_go: float = 0.75) -> date | None:
    """Move a project on through its later stages, none after `until`. If `followed` is given, its next stage is
    reached by `as_of` (True) or not (False: reached later, never, or terminated after `as_of`, per `after`).
    Returns the termination date when it was terminated."""
    first = True
    while (nxt := NEXT.get(last_stage(dates))) and (nxt != C or industrial):
        prev = dates[last_stage(dates)]
        lo, hi = GAP[nxt]
        if first and followed:
            room = (as_of - prev).days
            d = prev + days(rng.randint(min(lo, room // 2), min(hi, room)))
        elif first and followed is False:
            if after != "later":
                return terminate(rng, max(prev, as_of), until) if after == "terminate" else None
            d = max(prev + days(lo), as_of + days(1)) + days(rng.randint(0, hi - lo))
        else:
            r = rng.random()
            if followed is None and r < 0.03:
                return terminate(rng, prev, until)
            if r > (first_go if first else 0.7):
                return None
            d = prev + days(rng.randint(lo, hi))
        if d > until:
            return None
        dates[nxt], first = d, False
    return None


def terminate(rng: random.Random, after: date, until: date) -> date:
    return min(after + days(rng.randint(30, 400)), until)


def demo_dates(rng: random.Random, stage: str, industrial: bool, until: date) -> tuple[dict[Stage, date], date | None]:
    """Dates from 2021 up to `stage` (a terminated project stopped after signing or starting)."""
    if stage in (Stage.RESERVE, Stage.NEGOTIATING):
        return {}, None
    reach = rng.choice([S, S, T]) if stage == Stage.TERMINATED else (stage if industrial or stage != C else P)
    order = DATED_STAGES[: DATED_STAGES.index(reach) + 1]
    gaps = [0] + [rng.randint(*GAP[s]) for s in order[1:]]
    room = (until - DEMO_START).days - 30
    if sum(gaps) > room:
        gaps = [g * room // sum(gaps) for g in gaps]
    latest = until - days(30 + sum(gaps))
    earliest = max(DEMO_START, latest - days(DEMO_WINDOW[reach]))
    d = earliest + days(rng.randint(0, (latest - earliest).days))
    dates = {}
    for s, gap in zip(order, gaps, strict=True):
        d += days(gap)
        dates[s] = d
    if len(dates) > 1 and rng.random() < 0.15:
        del dates[S]  # entered at 开工 or later, signing date unknown
    ended = terminate(rng, dates[last_stage(dates)], until) if stage == Stage.TERMINATED else None
    return dates, ended


def set_stage(rng: random.Random, p: Project, dates: dict[Stage, date], ended: date | None, stage: str) -> None:
    for s in DATED_STAGES:
        setattr(p, STAGE_DATE_FIELD[s], dates.get(s))
    p.terminated_on = ended
    p.termination_reason = rng.choice(TERMINATIONS) if ended else ""
    p.stage = Stage.TERMINATED if ended else (last_stage(dates) if dates else stage)


def set_plan_dates(rng: random.Random, p: Project, today: date) -> None:
    """Planned start, production and capacity dates: near the actual ones, or ahead of the last stage."""
    if p.stage == Stage.NEGOTIATING:
        start = today + days(rng.randint(60, 300))
    elif p.started_on:
        start = p.started_on + days(rng.randint(-45, 20))
    else:
        start = p.signed_on + days(rng.randint(60, 240)) if p.signed_on else None
    if start is None:
        return
    production = p.producing_on + days(rng.randint(-60, 45)) if p.producing_on else start + days(rng.randint(240, 600))
    production = max(production, start + days(60))
    p.planned_start_on, p.planned_production_on = start, production
    if p.type == IND:
        capacity = p.at_capacity_on + days(rng.randint(-45, 45)) if p.at_capacity_on else None
        p.planned_capacity_on = max(capacity or production + days(rng.randint(120, 360)), production + days(30))


# ---- figures ------------------------------------------------------------------------------------------------

def completed_share(rng: random.Random, p: Project, until: date) -> float:
    """Share of the total investment completed: none before the start, most of it once producing."""
    if not p.started_on:
        return 0.0
    if p.producing_on:
        return rng.uniform(0.82, 1.0)
    months = (until - p.started_on).days / 30.4
    pace = 0.045 if p.total_investment < 50_000 else 0.03  # large projects take longer to build
    return min(0.92, 0.08 + pace * months) * rng.uniform(0.75, 1.05)


def set_figures(rng: random.Random, p: Project, plan: Plan, until: date) -> None:
    """Completed and planned investment, output, jobs, land, flags and people, consistent with the stage."""
    total = int(p.total_investment)
    completed = plan.completed if plan.completed is not None else min(tidy(total * completed_share(rng, p, until)),
                                                                       total)
    p.completed_investment = Decimal(completed if p.started_on else 0)
    active = p.stage in (S, T)
    p.annual_planned_investment = (Decimal(min(total - completed, tidy(total * rng.uniform(0.2, 0.5))))
                                   if active and total > completed else None)
    p.expected_annual_output = Decimal(plan.output) if plan.output is not None else natural_output(rng, p.type, total)
    if p.type in (IND, OTHER):
        p.jobs = max(8, int(total / rng.uniform(60, 250)))
        p.land_mu = Decimal(str(round(max(total / rng.uniform(180, 500), 3.0), 2)))
    industrial = p.type == IND
    p.commitment_system = industrial and rng.random() < 0.35
    p.standard_land = industrial and rng.random() < 0.25
    p.promotion_method = rng.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
    dated = bool(p.signed_on or p.started_on)
    p.lead_official = f"{person(rng)}（{rng.choice(TITLES)}）" if dated else ""
    p.agent_name = person(rng) if dated and rng.random() < 0.75 else ""
    p.in_statistics = (plan.in_statistics if plan.in_statistics is not None
                       else bool(p.started_on) and total >= 500 and rng.random() < 0.85)


def natural_output(rng: random.Random, ptype: str, total: int) -> Decimal | None:
    """Expected annual output (万元): industry 0.6–1.8 × investment, services 0.1–0.5 ×, none for facilities."""
    if ptype == IND:
        return Decimal(tidy(total * rng.uniform(0.6, 1.8)))
    if ptype == OTHER:
        return Decimal(tidy(total * rng.uniform(0.1, 0.5)))
    return None


# ---- node plan, progress, problems ------------------------------------------------------------------------------

def milestones(rng: random.Random, p: Project, until: date) -> list[ProjectMilestone]:
    """节点计划 of a started project: permits before the start, works after it; a late, undone one is overdue."""
    if not p.started_on:
        return []
    until = p.terminated_on or until
    begin = p.signed_on or p.started_on - days(rng.randint(90, 240))
    pre = [Milestone.FILING, Milestone.LAND, Milestone.PLANNING, Milestone.CONSTRUCTION]
    span = (p.started_on - begin).days
    out = []
    for i, name in enumerate(pre, 1):
        actual = begin + days(span * i // len(pre))
        out.append(ProjectMilestone(project=p, name=name, planned_on=actual + days(rng.randint(-20, 15)),
                                    actual_on=actual))
    post = [Milestone.STRUCTURE, Milestone.EQUIPMENT, Milestone.TRIAL] if p.type == IND else [Milestone.STRUCTURE]
    end = p.producing_on or p.planned_production_on or p.started_on + days(540)
    length = max((end - p.started_on).days, 30)
    done = True
    for name, share in zip(post, (0.5, 0.8, 0.95), strict=False):
        planned = p.started_on + days(int(length * share))
        if p.terminated_on and planned > p.terminated_on:
            break  # no works planned after the project was given up
        actual = min(planned + days(rng.randint(-15, 30)), p.producing_on) if p.producing_on else (
            planned + days(rng.randint(-15, 40)))
        done = done and (bool(p.producing_on) or rng.random() < 0.75) and actual <= until
        out.append(ProjectMilestone(project=p, name=name, planned_on=planned,
                                    actual_on=max(actual, p.started_on) if done else None))
    return out


def month_start(d: date) -> date:
    return d.replace(day=1)


def progress_reports(rng: random.Random, p: Project, until: date) -> list[ProgressReport]:
    """月度进展 for some started projects: up to twelve months, cumulative investment rising to the project's."""
    if not p.started_on or rng.random() > 0.45:
        return []
    end = month_start(p.producing_on or p.terminated_on or until)
    first = max(month_start(p.started_on), month_start(end - days(330)))
    months = []
    while first <= end:
        months.append(first)
        first = month_start(first + days(32))
    final = p.completed_investment
    out = []
    for i, month in enumerate(months, 1):
        value = final if i == len(months) else (final * Decimal(i) / Decimal(len(months))).quantize(Decimal(1))
        note = PROGRESS[min(len(PROGRESS) - 1, (i - 1) * len(PROGRESS) // len(months))]
        out.append(ProgressReport(project=p, month=month, completed_investment=value,
                                  note=f"{note}，累计完成投资{value}万元"))
    return out


def problems(rng: random.Random, p: Project, until: date) -> list[Problem]:
    """存在问题 of some signed or started projects, half of them resolved."""
    since = p.started_on or p.signed_on
    if p.stage not in (S, T) or not since or rng.random() > 0.25:
        return []
    raised = since + days(rng.randint(0, max(0, (until - since).days)))
    description, department = rng.choice(PROBLEMS)
    city = p.zone.city.name if p.zone.city else ""
    problem = Problem(project=p, description=description, raised_on=raised,
                      responsible=department if department.startswith(("管委会", "建设")) else city + department)
    resolved = raised + days(rng.randint(7, 120))
    if rng.random() < 0.5 and resolved <= until:
        problem.resolved_on, problem.resolution = resolved, rng.choice(RESOLUTIONS)
    return [problem]


# ---- writing -----------------------------------------------------------------------------------------------------

def write(projects: list[Project], listings: list[tuple[Project, Campaign, str]], today: date) -> None:
    """Insert the projects with their stage rows, campaign entries, node plans, progress and problems, set-based,
    and record every created row in the change log."""
    Project.objects.bulk_create(projects, batch_size=1000)
    StageEvent.objects.bulk_create([e for p in projects for e in _stage_events_for(p, None)], batch_size=1000)
    entries = [CampaignEntry(campaign=c, project=p, batch=b, investment_at_listing=p.total_investment)
               for p, c, b in listings]
    CampaignEntry.objects.bulk_create(entries, batch_size=1000)
    extras: dict[type, list] = {ProjectMilestone: [], ProgressReport: [], Problem: []}
    for p in projects:
        rng = random.Random(f"extras-{p.code}")
        extras[ProjectMilestone] += milestones(rng, p, today)
        extras[ProgressReport] += progress_reports(rng, p, today)
        extras[Problem] += problems(rng, p, today)
    for model, rows in extras.items():
        model.objects.bulk_create(rows, batch_size=1000)
    for rows in (projects, entries, *extras.values()):
        bulk_record(rows)


def build_missing(ctx: Ctx, plans: list[tuple[str, Plan]], note: str) -> int:
    """Build and write the planned projects whose codes are not in the database yet; return how many."""
    existing = set(Project.objects.filter(code__in=[code for code, _ in plans]).values_list("code", flat=True))
    projects, listings = [], []
    for code, plan in plans:
        if code in existing:
            continue
        project = build(ctx, plan, code, note)
        projects.append(project)
        if plan.campaign:
            listings.append((project, ctx.campaigns[plan.campaign], plan.batch))
        listings += extra_listings(project, plan, ctx)
    write(projects, listings, ctx.today)
    return len(projects)


def extra_listings(p: Project, plan: Plan, ctx: Ctx) -> list[tuple[Project, Campaign, str]]:
    """Demo projects are listed in the campaigns their stage dates fall just before (within 100 days), in the
    batch of the latest stage they had reached then; most of them are (four in five)."""
    if plan.campaign or not plan.listable:
        return []
    rng = random.Random(f"listing-{p.code}")
    out = []
    for name in plan.listable:
        held = CAMPAIGNS[name]
        reached = [(s, d) for s, d in ((P, p.producing_on), (T, p.started_on), (S, p.signed_on))
                   if d and held - days(100) < d <= held and (not p.terminated_on or p.terminated_on > held)]
        if reached and name in ctx.campaigns and rng.random() < 0.8:
            batch = {S: Batch.SIGN, T: Batch.START, P: Batch.PRODUCE}[reached[0][0]]
            out.append((p, ctx.campaigns[name], batch))
    return out


# ---- the seed-003 scenario: 阳泉 ---------------------------------------------------------------------------------

YQ_ZONES = {"S147007": 35, "X140300-01": 25, "X140300-02": 25, "X140300-03": 15}
YQ_NAMED = {  # (batch, followed by 2024-03-31) → the projects the briefing names
    (Batch.SIGN, True): [
        Plan("X140300-01", 500_000, C23B, name="太行世纪(阳泉)年产10GWh动力储能用高端固态锂(钠)离子电池生产线项目",
             sector="储能", builder="太行世纪(阳泉)新能源科技有限公司")],
    (Batch.SIGN, False): [
        Plan("X140300-01", 8_000, C23C, after="later", sector="环保", builder="蓝邦环保科技有限公司",
             name="蓝邦环保科技有限公司大气污染、工业扬尘综合治理环保材料及其应用技术的研发项目"),
        Plan("X140300-02", 15_000, C23D, after="stay", sector="装备", builder="山西兴鑫智能装备有限公司",
             name="兴鑫公司年产4万套锂离子负极材料专用设备生产线项目"),
        Plan("X140300-01", 200_000, C24A, after="later", sector="储能", name="阳泉高新区源网荷储一体化示范项目",
             builder="阳泉高新区建设投资有限公司"),
        Plan("X140300-01", 60_000, C24A, after="stay", sector="装备", name="中信重工高端装备制造项目",
             builder="中信重工机械股份有限公司")],
    (Batch.START, True): [
        Plan("X140300-01", 130_000, C23B, sector="储能", name="弘盛通500MW/1000MWh独立储能电站项目",
             builder="山西弘盛通新能源有限公司"),
        Plan("X140300-03", 6_800, C23A, sector="轻纺", name="晋孟工服智能制造项目", in_statistics=False,
             builder="山西晋孟工服科技有限公司")],
    (Batch.START, False): [
        Plan("X140300-01", 120_000, C23B, after="later", sector="装备", builder="山西中坤新材料科技有限公司",
             name="中坤集团500万标米纳米管道和永磁变频电机项目"),
        Plan("X140300-02", 65_000, C23C, after="later", sector="新材料", name="湖大特塑年产10000吨聚酰胺系列产品项目",
             builder="山西湖大特塑新材料有限公司"),
        Plan("X140300-03", 30_000, C23C, after="later", sector="装备", name="油田作业机器人项目（一期）"),
        Plan("X140300-02", 25_000, C23D, after="later", sector="新材料", name="中津精品铝业铝合金深加工项目",
             in_statistics=False, builder="山西中津精品铝业有限公司")],
    (Batch.PRODUCE, True): [
        Plan("S147007", 36_000, C23A, sector="新材料", name="康博特年产5万吨铝镁合金项目",
             builder="山西康博特铝镁合金有限公司"),
        Plan("X140300-02", 52_000, C23B, sector="新材料", name="中炬年产5万吨锂离子电池负极材料项目",
             builder="山西中炬新材料科技有限公司"),
        Plan("S147007", 12_000, C23C, sector="环保", name="耀邦环境资源固废综合利用项目",
             builder="耀邦环境资源有限公司")],
    (Batch.PRODUCE, None): [
        Plan("S147007", 2_000, C23B, sector="基础设施", name="东区科技园污水处理站提标改造工程", park="东区科技园")],
}
# batch, listed per campaign (five since 2023), Σ total investment (万元), followed by 2024-03-31, amount bounds,
# what the others not followed did after the as-of date
YQ_GROUPS = [
    (Batch.SIGN, [10, 8, 7, 6, 3], 1_700_100, True, (1_500, 250_000), ""),
    (Batch.SIGN, [2, 2, 2, 2, 6], 523_800, False, (1_500, 120_000), "later later later later stay stay stay stay "
                                                                     "terminate terminate"),
    (Batch.START, [8, 7, 5, 4, 0], 208_000, True, (500, 20_000), ""),
    (Batch.START, [3, 3, 5, 5, 9], 688_900, False, (1_000, 150_000), "later " * 12 + "stay " * 8 + "terminate"),
    (Batch.PRODUCE, [8, 6, 6, 4, 1], 518_650, True, (800, 120_000), ""),  # industrial, at capacity by the date
    (Batch.PRODUCE, [0, 0, 0, 1, 2], 19_650, False, (2_000, 12_000), "later later stay"),  # industrial, not yet
    (Batch.PRODUCE, [0, 1, 0, 0, 0], 2_000, None, (2_000, 2_000), ""),  # a facility: no capacity stage
]
YQ_PRODUCING_COMPLETED = 168_240  # Σ completed investment of the start batch's projects producing by the date


def weighted_zone(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def yangquan_group(rng: random.Random, group: tuple) -> list[Plan]:
    """The plans of one group: the named ones, then generic ones filling the group's campaign slots."""
    batch, counts, total, followed, (lo, hi), fates = group
    named = [Plan(**{**vars(p), "batch": batch, "followed": followed}) for p in YQ_NAMED.get((batch, followed), [])]
    slots = [c for c, n in zip(FIVE, counts, strict=True) for _ in range(n)]
    for plan in named:
        slots.remove(plan.campaign)
    fates = fates.split() or ["go"] * len(slots)
    rng.shuffle(fates)
    ptype = IND if batch == Batch.PRODUCE and followed is not None else ""
    generic = [Plan(weighted_zone(rng, YQ_ZONES), campaign=c, batch=batch, followed=followed, after=f, type=ptype)
               for c, f in zip(slots, fates, strict=True)]
    amounts = spread(rng, total, len(generic), lo, hi, [p.total for p in named])
    plans = named + generic
    for plan, amount in zip(plans, amounts, strict=True):
        plan.total = amount
    return plans


def yangquan_plans() -> list[Plan]:
    """阳泉's 126 projects of the five campaigns since 2023, per the briefing's figures as of 2024-03-31."""
    rng = random.Random("seed-003-yangquan")
    groups = [yangquan_group(rng, g) for g in YQ_GROUPS]
    producing = groups[2]  # start batch, producing by the date: their completed investment is the 投产率's base
    shares = [(0.8, 0.95) if p.total >= 100_000 else (0.6, 1.0) for p in producing]
    completed = fit_to_total([p.total * rng.uniform(lo, hi) for p, (lo, hi) in zip(producing, shares, strict=True)],
                             YQ_PRODUCING_COMPLETED,
                             [(math.ceil(p.total * lo), int(p.total * hi)) for p, (lo, hi) in
                              zip(producing, shares, strict=True)])
    for plan, value in zip(producing, completed, strict=True):
        plan.completed = value
    later = [Plan(weighted_zone(rng, YQ_ZONES), one_amount(rng, 1_000, 200_000, 15_000), C24B, b)
             for b, n in ((Batch.SIGN, 6), (Batch.START, 7), (Batch.PRODUCE, 5)) for _ in range(n)]
    return in_campaign_order([p for g in groups for p in g]) + later


def in_campaign_order(plans: list[Plan]) -> list[Plan]:
    batches = list(Batch.values)
    return sorted(plans, key=lambda p: (list(CAMPAIGNS).index(p.campaign), batches.index(p.batch)))


# ---- the seed-003 scenario: 晋中 ---------------------------------------------------------------------------------

JZ_ZONES = {"G141062": 24, "S149011": 18, "S147012": 15, "X140700-01": 16, "X140700-02": 9, "X140700-03": 8,
            "X140700-04": 10}
JZ_KEY = [("X140700-01", "光伏"), ("X140700-02", "储能"), ("G141062", "装备"), ("S149011", "装备"), ("S147012", "装备"),
          ("G141062", "新材料"), ("S149011", "环保"), ("X140700-01", "半导体")]
JZ_KIND = {  # s: strategic-emerging industry off the key chains; t: traditional industry; n: not industrial
    "s": [("G141062", "电子信息"), ("G141062", "医药"), ("X140700-01", "信息存储"), ("S149011", "汽车"),
          ("G141062", "光电")],
    "t": [("S147012", "玻璃"), ("G141062", "食品"), ("S149011", "冶金"), ("S149011", "食品"), ("S147012", "食品")],
    "n": [("X140700-03", "农业"), ("X140700-04", "文旅"), ("S147012", "物流"), ("G141062", "基础设施"),
          ("S149011", "基础设施"), ("X140700-01", "公共配套")],
}
L, M, SM = (100_000, 600_000), (10_000, 99_999), (500, 9_999)  # ≥10亿, 1–10亿, <1亿 (万元)
# batch, band, Σ, on a key chain, kinds, named — 60 projects, 280.8亿: ≥10亿 8 (168.5亿, 60%); ≥1亿 43; key chains
# 25 (121.8亿, 43.4%); industrial 50 of which strategic-emerging 46 (92%)
JZ_CELLS = [
    (Batch.SIGN, L, 450_000, True, "s", Plan("X140700-01", name="大恒100GW光伏垂直一体化项目", sector="光伏",
                                             builder="山西大恒新能源科技有限公司")),
    (Batch.SIGN, L, 160_000, False, "n", Plan("S147012", name="中通电商产业园项目", sector="物流",
                                              builder="山西中通供应链管理有限公司")),
    (Batch.SIGN, M, 100_000, True, "sssss", None),
    (Batch.SIGN, M, 215_000, False, "sssstn", None),
    (Batch.SIGN, SM, 12_000, True, "ss", None),
    (Batch.SIGN, SM, 10_000, False, "sn", None),
    (Batch.START, L, 130_000, True, "s", Plan("X140700-02", name="榆社经开区独立储能电站项目", sector="储能",
                                              builder="山西榆社新能源科技有限公司")),
    (Batch.START, L, 200_000, False, "s", Plan("X140700-01", name="光存信息存储产业园项目", sector="信息存储",
                                               builder="山西光存信息科技有限公司")),
    (Batch.START, L, 115_000, False, "s", Plan("G141062", sector="医药")),
    (Batch.START, M, 140_000, True, "ssssss", None),
    (Batch.START, M, 373_000, False, "ssssstnn", None),
    (Batch.START, SM, 11_000, True, "ss", None),
    (Batch.START, SM, 18_000, False, "stnn", None),
    (Batch.PRODUCE, L, 260_000, True, "s", Plan("X140700-01", sector="光伏")),
    (Batch.PRODUCE, L, 220_000, False, "s", Plan("G141062", sector="电子信息")),
    (Batch.PRODUCE, L, 150_000, False, "s", Plan("S149011", sector="汽车")),
    (Batch.PRODUCE, M, 106_000, True, "sssss", None),
    (Batch.PRODUCE, M, 107_000, False, "ssssn", None),
    (Batch.PRODUCE, SM, 9_000, True, "ss", None),
    (Batch.PRODUCE, SM, 22_000, False, "sstnn", None),
]
JZ_OUTPUT = 2_707_000  # 预计年产值 270.7亿元
# the five campaigns since 2023: batch, listed per campaign, Σ (万元) — 319 projects, 1042亿元
JZ_FIVE = [(Batch.SIGN, [22, 20, 20, 19, 20], 5_062_000), (Batch.START, [24, 22, 21, 21, 21], 2_500_000),
           (Batch.PRODUCE, [23, 22, 22, 21, 21], 2_858_000)]


def jinzhong_cell(rng: random.Random, cell: tuple) -> list[Plan]:
    batch, (lo, hi), total, key, kinds, named = cell
    plans = []
    for kind in kinds:
        zone, sector = rng.choice(JZ_KEY if key else JZ_KIND[kind])
        plan = named or Plan(zone, sector=sector)
        plans.append(Plan(**{**vars(plan), "campaign": C24B, "batch": batch, "strategic": kind == "s"}))
    bounds = [(lo, hi)] * len(plans)
    values = [math.exp(rng.uniform(math.log(lo), math.log(hi))) for _ in plans]
    for plan, amount in zip(plans, fit_to_total(values, total, bounds), strict=True):
        plan.total = amount
    return plans


def jinzhong_plans() -> list[Plan]:
    """晋中's 60 projects of 2024年第二次 with the briefing's composition, then its 319 of the five campaigns."""
    rng = random.Random("seed-003-jinzhong")
    second = [p for cell in JZ_CELLS for p in jinzhong_cell(rng, cell)]
    outputs = [natural_output(rng, type_of(p.sector), p.total) for p in second]
    with_output = [i for i, o in enumerate(outputs) if o is not None]
    fitted = fit_to_total([float(outputs[i]) for i in with_output], JZ_OUTPUT,
                          [(max(1, second[i].total * 3 // 10), second[i].total * 3) for i in with_output])
    for i, value in zip(with_output, fitted, strict=True):
        second[i].output = value
    five = []
    for batch, counts, total in JZ_FIVE:
        slots = [c for c, n in zip(FIVE, counts, strict=True) for _ in range(n)]
        amounts = spread(rng, total, len(slots), 500, 600_000, [])
        five += [Plan(weighted_zone(rng, JZ_ZONES), a, c, batch) for c, a in zip(slots, amounts, strict=True)]
    return in_campaign_order(second) + in_campaign_order(five)


@transaction.atomic
def seed_scenario_load() -> None:
    """Load seed 003's scenario (idempotent): the province's campaigns of 2023–2024, 阳泉's projects behind its
    figures as of 2024-03-31, 晋中's 2024 second campaign and its five campaigns since 2023."""
    zones = list(YQ_ZONES) + list(JZ_ZONES)
    ctx = context(zones, current_date(), [*FIVE, C24B], as_of=AS_OF_YQ)
    yq = [(f"SEED-YQ-{i:03d}", p) for i, p in enumerate(yangquan_plans(), 1)]
    jz = [(f"SEED-JZ-{i:03d}", p) for i, p in enumerate(jinzhong_plans(), 1)]
    build_missing(ctx, yq + jz, SEED_NOTE)


# ---- generated demo portfolios ----------------------------------------------------------------------------------

DEMO_NAMED = {  # projects the seeds name, by zone; pins are the dates the seeds give
    "S147007": [
        Plan("S147007", 253_000, name="高品质蓝宝石长晶及晶加项目", sector="新材料", park="东区科技园", after="stay",
             builder="日昌晶新材料(山西)有限责任公司", completed=29_000,
             pins={S: date(2020, 6, 12), T: date(2020, 7, 20), P: date(2021, 1, 1)}),
        Plan("S147007", 210_000, name="中电阳泉数字经济产业园", sector="数据中心", stage=P),
        Plan("S147007", 120_000, name="阳泉智慧节能环保产业园", sector="环保", stage=C),
        Plan("S147007", 80_000, name="年处理20万吨锆钛中矿及稀土综合利用项目", sector="新材料", stage=T),
        Plan("S147007", 60_000, name="阳泉物联网大数据中心（云峰）", sector="数据中心", stage=P),
        Plan("S147007", 150_000, name="奥特莱斯城市商业综合体项目", sector="物流", pins={S: date(2021, 1, 1)}),
        Plan("S147007", 0, name="中国电子信创数字经济产业园", sector="信息存储", stage=Stage.NEGOTIATING),
        Plan("S147007", 18_000, name="科技大街二期工程", sector="基础设施", stage=P),
        Plan("S147007", 12_000, name="北海路二期工程", sector="基础设施", stage=P),
        Plan("S147007", 9_000, name="澳门路工程", sector="基础设施", stage=T)],
    "X140100-01": [
        Plan("X140100-01", 300_000, name="年产90万吨生物基聚酰胺项目", sector="合成生物",
             park="山西合成生物产业生态园区", pins={T: date(2021, 1, 1)}),
        Plan("X140100-01", 0, name="山西合成生物产业生态园区热源厂项目", sector="公共配套",
             park="山西合成生物产业生态园区", pins={T: date(2020, 10, 10)}),
        Plan("X140100-01", 0, name="山西合成生物产业生态园区污水厂项目", sector="基础设施",
             park="山西合成生物产业生态园区", pins={T: date(2020, 10, 10)}),
        Plan("X140100-01", 0, name="山西合成生物产业生态园区净水厂项目", sector="基础设施",
             park="山西合成生物产业生态园区", pins={T: date(2020, 10, 10)}),
        Plan("X140100-01", 0, name="国家先进计算产业创新中心山西产业基地", sector="电子信息", stage=P)],
    "X140500-01": [
        Plan("X140500-01", 300_000, name="沁水经开区煤层气无废智慧产业园项目", sector="煤层气", stage=Stage.NEGOTIATING,
             builder="中材国际集团公司"),
        Plan("X140500-01", 0, name="顾地科技煤层气交易中心项目", sector="煤层气", stage=Stage.RESERVE),
        Plan("X140500-01", 0, name="纺织品回收再利用全产业链项目", sector="轻纺", builder="山西鸿基科技股份有限公司"),
        Plan("X140500-01", 0, name="平板陶瓷膜项目", sector="新材料", builder="山西思檀鼎业生物工程有限公司"),
        Plan("X140500-01", 0, name="移动式污水处理设备项目", sector="环保", builder="山西中润亿佳工程技术服务有限公司"),
        Plan("X140500-01", 0, name="金一陶发泡陶瓷项目", sector="新材料"),
        Plan("X140500-01", 0, name="聚力民生储气项目", sector="煤层气")],
    "G142057": [Plan("G142057", 0, name="长治高新区通航产业基地项目", sector="通航")],
}


def demo_plan(rng: random.Random, zone: Zone, named: Plan | None, listable: list[str]) -> Plan:
    """A demo project: a seed-named one (with its facts) or a generated one, with its stage drawn from the
    province's mix; `listable` are the campaigns it may be listed in."""
    plan = Plan(**vars(named)) if named else Plan(zone.code)
    plan.total = plan.total or one_amount(rng)
    if not plan.pins and not plan.stage:
        plan.stage = rng.choices([s for s, _ in DEMO_STAGES], [w for _, w in DEMO_STAGES])[0]
    plan.listable = listable
    return plan


def demo_counts(zone: Zone, rng: random.Random, seeded: bool) -> int:
    named = len(DEMO_NAMED.get(zone.code, []))
    if seeded:
        return max(named, rng.randint(3, 6))
    return max(named, rng.randint(12, 25) if zone.level == "national" else rng.randint(8, 20))


def demo_zone_plans(ctx: Ctx, zone: Zone, seeded: bool) -> list[tuple[str, Plan]]:
    """A zone's demo projects; zones of the seed scenario are listed only in campaigns after it (2025)."""
    rng = random.Random(f"demo-{zone.code}")
    named = DEMO_NAMED.get(zone.code, [])
    listable = [C25A] if seeded else list(CAMPAIGNS)
    plans = [demo_plan(rng, zone, named[i] if i < len(named) else None, listable)
             for i in range(demo_counts(zone, rng, seeded))]
    return [(f"DEMO-{zone.code}-{i:03d}", plan) for i, plan in enumerate(plans, 1)]


@transaction.atomic
def demo_projects_load(*, today: date) -> int:
    """Generate demo projects (idempotent) for every Shanxi zone that has none of its own: 8–25 per zone (a few
    for the zones of the seed scenario, outside its campaigns), with stage dates from 2021 to `today`, node plans,
    progress, problems and listings in the province's campaigns. Returns the number of projects created."""
    ctx = context(None, today, list(CAMPAIGNS))
    codes = Project.objects.filter(zone__in=ctx.zones.values()).values_list("zone__code", "code")
    seeded, taken = set(), set()
    for zone_code, code in codes:
        (seeded if code.startswith("SEED-") else taken).add(zone_code)
    plans = [plan for code, zone in sorted(ctx.zones.items()) if code not in taken
             for plan in demo_zone_plans(ctx, zone, code in seeded)]
    return build_missing(ctx, plans, DEMO_NOTE)
