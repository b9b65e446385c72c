"""Seed 003's scenario: the projects behind the briefings' figures — 阳泉's five campaigns since 2023 as of
2024-03-31, 晋中's 2024 second campaign and 晋中's five campaigns since 2023 — named where the articles name them,
generated to the articles' counts and sums otherwise."""

from __future__ import annotations

import math
import random
from datetime import date

from django.db import transaction

from ..choices import Batch
from ..services import today as current_date
from .amounts import fit_to_total, one_amount, spread
from .builder import build_missing
from .common import C23A, C23B, C23C, C23D, C24A, C24B, CAMPAIGNS, IND, SEED_NOTE
from .figures import natural_output
from .plans import Plan, context
from .vocabulary import type_of

AS_OF_YQ = date(2024, 3, 31)  # 阳泉's briefing: "截止3月底"
FIVE = [C23A, C23B, C23C, C23D, C24A]  # "2023年以来五次"


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
