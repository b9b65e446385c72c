"""Generated demo portfolios: every Shanxi zone without projects of its own gets 8–25 realistic ones (a few, listed
only after the seed scenario, for its zones), including the projects the seeds name."""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction

from kaifaqu.zones.models import Zone

from ..choices import Stage
from ..models import Project
from .amounts import one_amount
from .builder import build_missing
from .common import C25A, CAMPAIGNS, DEMO_NOTE, C, P, S, T
from .plans import Ctx, Plan, context

DEMO_STAGES = [(Stage.RESERVE, 7), (Stage.NEGOTIATING, 11), (S, 15), (T, 28), (P, 20), (C, 14), (Stage.TERMINATED, 5)]

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
