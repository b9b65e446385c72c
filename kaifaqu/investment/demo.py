"""Demo data of the investment app, behind seed 003's paragraph on 晋中's investment promotion in 2024:

    今年共举办24场次招商对接活动，对接洽谈项目共55个，投资金额375亿元，其中10亿元以上项目11个。签约项目23个，
    占全市招商引资项目47.9%；共涉及投资额126.6亿元，占全市招商引资投资额39.3%。

`promotion_demo_load` builds 晋中's 24 events of 2024 (the three the seed names, 21 generated), 55 leads still in
negotiation worth exactly 375亿元 (11 of them ≥ 10亿元), 23 leads signed in 2024 worth exactly 126.6亿元 (大恒 and
中通, which the seed names, among them), the city's totals (48 signed projects, 322.14亿元: 23/48 = 47.92%,
126.6/322.14 = 39.30%), leads at the other stages and in other years that the 2024 figures must not count, and a
few events and leads for 阳泉's zones. Deterministic (seeded `random.Random`), idempotent (only missing events,
leads and totals are created) and set-based. Generated rows say so in their note.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.changelog import bulk_record
from kaifaqu.projects.choices import PromotionMethod
from kaifaqu.projects.demo import BRANDS, CHAIN_OF, SECTOR_OF, SUFFIX, person, spread, template, type_of
from kaifaqu.projects.models import Project
from kaifaqu.zones.models import IndustryChain, Region, Zone

from .choices import LEAD_STAGE_DATE, LEAD_STAGE_ORDER, EventKind, LeadStage, NoteKind
from .models import CityPromotionTotal, Lead, LeadNote, PromotionEvent

DEMO_NOTE = "演示数据（生成）"
SEED_NOTE = "来源文章003"
JINZHONG, YANGQUAN = "140700", "140300"
YEAR = 2024
NEGOTIATING_TOTAL, NEGOTIATING_BIG_TOTAL = 3_750_000, 2_600_000  # 万元: 375亿元, of which the 11 ≥ 10亿元
SIGNED_TOTAL = 1_266_000  # 126.6亿元
CITY_TOTALS = {(JINZHONG, YEAR): (48, Decimal("3221400"), "依据来源文章003推算：23个占47.9%、126.6亿元占39.3%"),
               (YANGQUAN, YEAR): (31, Decimal("1580000"), DEMO_NOTE)}
S, T, C, Q, V = EventKind.FAIR, EventKind.FORUM, EventKind.CONFERENCE, EventKind.VISIT, EventKind.OTHER

# (name, date, kind, venue, organiser's org unit code, note)
JZ_EVENTS = [
    ("平遥商会招商引资暨政银企座谈会", date(2024, 2, 27), T, "平遥县", JINZHONG,
     f"{SEED_NOTE}：借平遥商会契机开展情谊招商"),
    ("“一带一路”特色产业合作区—山西·晋中（祁县）玻璃器皿招商引资暨产业推介会", date(2024, 3, 21), S,
     "全国糖酒商品交易会期间", "S147012", f"{SEED_NOTE}：借“全国糖酒商品交易会”之机举办"),
    ("“山西中部城市群重要节点”招商引资大会", date(2024, 4, 18), C, "寿阳县", JINZHONG, f"{SEED_NOTE}：在寿阳举办"),
    ("晋中市晋商晋才回乡投资恳谈会", date(2024, 1, 26), T, "榆次区", JINZHONG, DEMO_NOTE),
    ("晋中开发区光伏产业链京津冀专题推介会", date(2024, 3, 8), S, "北京", "X140700-01", DEMO_NOTE),
    ("晋中经开区医药健康产业长三角招商推介会", date(2024, 3, 28), S, "上海", "G141062", DEMO_NOTE),
    ("榆社经开区储能产业链招商对接会", date(2024, 4, 11), S, "榆社县", "X140700-02", DEMO_NOTE),
    ("晋中经开区赴苏州、无锡考察对接", date(2024, 4, 25), Q, "苏州、无锡", "G141062", DEMO_NOTE),
    ("祁县经开区玻璃器皿企业以商招商座谈会", date(2024, 5, 9), T, "祁县", "S147012", DEMO_NOTE),
    ("晋中市新能源产业“政府+链主企业+园区”招商对接会", date(2024, 5, 23), S, "榆次区", JINZHONG, DEMO_NOTE),
    ("晋中开发区赴浙江考察对接光伏企业", date(2024, 6, 6), Q, "杭州、嘉兴", "X140700-01", DEMO_NOTE),
    ("榆次工业园区装备制造企业家座谈会", date(2024, 6, 20), T, "榆次区", "S149011", DEMO_NOTE),
    ("晋中农高区有机旱作农业招商推介会", date(2024, 7, 4), S, "太谷区", "X140700-03", DEMO_NOTE),
    ("晋中市赴粤港澳大湾区招商考察对接", date(2024, 7, 18), Q, "深圳、东莞", JINZHONG, DEMO_NOTE),
    ("左权生态文化旅游项目招商推介会", date(2024, 8, 8), S, "左权县", "X140700-04", DEMO_NOTE),
    ("晋中开发区信息存储产业招商对接会", date(2024, 8, 22), S, "深圳", "X140700-01", DEMO_NOTE),
    ("榆社经开区赴江苏考察对接储能企业", date(2024, 9, 5), Q, "常州", "X140700-02", DEMO_NOTE),
    ("祁县经开区食品产业招商推介会", date(2024, 9, 19), S, "祁县", "S147012", DEMO_NOTE),
    ("晋中经开区电子信息产业在京招商推介会", date(2024, 10, 17), S, "北京", "G141062", DEMO_NOTE),
    ("榆次工业园区赴天津考察对接", date(2024, 10, 31), Q, "天津", "S149011", DEMO_NOTE),
    ("晋中农高区农业科技企业座谈会", date(2024, 11, 14), T, "太谷区", "X140700-03", DEMO_NOTE),
    ("晋中市民营企业投资洽谈会", date(2024, 11, 21), C, "榆次区", JINZHONG, DEMO_NOTE),
    ("晋中市2024年重点项目集中签约仪式暨招商引资大会", date(2024, 12, 12), C, "榆次区", JINZHONG, DEMO_NOTE),
    ("晋中开发区半导体产业招商对接会", date(2024, 12, 19), S, "榆次区", "X140700-01", DEMO_NOTE),
    # other years: the 2024 figures must not count them
    ("晋中市2023年招商引资推介会", date(2023, 9, 14), S, "榆次区", JINZHONG, DEMO_NOTE),
    ("晋中开发区光伏产业招商对接会", date(2023, 11, 9), S, "榆次区", "X140700-01", DEMO_NOTE),
]
YQ_EVENTS = [
    ("阳泉市“政府+链主企业+园区”招商推介会", date(2024, 4, 23), S, "阳泉市城区", YANGQUAN, DEMO_NOTE),
    ("阳泉高新区储能产业招商对接会", date(2024, 6, 13), S, "阳泉高新区", "X140300-01", DEMO_NOTE),
    ("阳泉经开区数据中心产业京津冀推介会", date(2024, 9, 24), S, "北京", "S147007", DEMO_NOTE),
]
METHOD_OF_KIND = {S: PromotionMethod.BY_FAIR, T: PromotionMethod.BY_FRIENDSHIP, C: PromotionMethod.BY_FAIR,
                  Q: PromotionMethod.BY_CHAIN, V: PromotionMethod.OTHER}
ORIGINS = ["山西", "山西", "北京", "天津", "河北", "江苏", "浙江", "上海", "广东", "山东"]  # 京津冀、长三角 first
JZ_WEIGHTS = {"X140700-01": 5, "G141062": 5, "S149011": 3, "S147012": 3, "X140700-02": 3, "X140700-03": 1,
              "X140700-04": 1}
BIG_ZONES = ["X140700-01", "X140700-01", "G141062", "X140700-02", "S149011"]
YQ_WEIGHTS = {"S147007": 2, "X140300-01": 2, "X140300-02": 1, "X140300-03": 1}
NEXT_ACTIONS = ["约企业负责人来晋考察", "报送项目用地、用能需求", "协调能评、环评前期手续", "商谈投资协议条款",
                "组织专班上门拜访", "提交项目可行性研究报告", "对接产业基金参股事宜"]
FOLLOW_UPS = ["赴企业总部洽谈，企业已完成项目可研初稿", "企业考察团来园区实地考察，对选址基本认可",
              "已就用地、用电价格等要素保障进行了对接", "企业内部决策中，计划下月上会研究", "双方已交换投资协议文本"]
LOST_REASONS = ["企业投资计划调整，暂缓对外投资", "选址落户外省园区", "用地、用能指标无法满足企业需求",
                "企业融资未落实", "项目不符合园区产业准入要求"]
# (zone, company, project, sector, 万元) the seeds name: signed in 2024, and one still in negotiation
NAMED_SIGNED = [("X140700-01", "山西大恒新能源科技有限公司", "大恒100GW光伏垂直一体化项目", "光伏", 450_000),
                ("S147012", "山西中通供应链管理有限公司", "中通电商产业园项目", "物流", 160_000)]
NAMED_NEGOTIATING = ("X140700-01", "山西光存信息科技有限公司", "光存信息存储产业园二期项目", "信息存储")


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass
class LeadPlan:
    """One lead to build: where, who, what, how big, how far it got and when."""

    zone: str
    stage: LeadStage
    investment: int | None
    reached_on: date  # the date of its current stage
    company: str = ""
    project_name: str = ""
    sector: str = ""
    note: str = DEMO_NOTE
    lost_from: LeadStage | None = None
    dates: dict = field(default_factory=dict)


# ---- events ----------------------------------------------------------------------------------------------------

def events_ensure(today: date) -> dict[str, list[PromotionEvent]]:
    """The demo events held by `today`, created if missing; by city code, oldest first."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={e[4] for e in JZ_EVENTS + YQ_EVENTS})}
    cities = {r.code: r for r in Region.objects.filter(code__in=[JINZHONG, YANGQUAN])}
    wanted = [(code, e) for code, events in ((JINZHONG, JZ_EVENTS), (YANGQUAN, YQ_EVENTS)) for e in events
              if e[1] <= today]
    found = {(e.city.code, e.name, e.date): e for e in PromotionEvent.objects.filter(
        city__code__in=[JINZHONG, YANGQUAN]).select_related("city")}
    new = [PromotionEvent(name=n, date=d, kind=k, venue=v, organiser=units[o], city=cities[code], note=note)
           for code, (n, d, k, v, o, note) in wanted if (code, n, d) not in found]
    PromotionEvent.objects.bulk_create(new)
    bulk_record(new)
    by_city: dict[str, list[PromotionEvent]] = {JINZHONG: [], YANGQUAN: []}
    for event in sorted([*found.values(), *new], key=lambda e: (e.date, e.name)):
        by_city[event.city.code].append(event)
    return by_city


# ---- lead plans ------------------------------------------------------------------------------------------------

def _date_in(rng: random.Random, start: date, end: date) -> date:
    return start + days(rng.randint(0, max(0, (end - start).days)))


def jinzhong_plans(rng: random.Random, today: date) -> list[LeadPlan]:
    """晋中's leads: the 2024 figures' 55 in negotiation and 23 signed, then others the figures must not count."""
    year_end = min(date(YEAR, 12, 31), today)
    big = spread(rng, NEGOTIATING_BIG_TOTAL, 11, 100_000, 600_000, [])
    small = spread(rng, NEGOTIATING_TOTAL - NEGOTIATING_BIG_TOTAL, 44, 3_000, 99_000, [])
    plans = [LeadPlan(rng.choice(BIG_ZONES), LeadStage.NEGOTIATING, a, _date_in(rng, date(YEAR, 1, 15), year_end))
             for a in big]
    plans += [LeadPlan(weighted(rng, JZ_WEIGHTS), LeadStage.NEGOTIATING, a,
                       _date_in(rng, date(YEAR, 1, 15), year_end)) for a in small]
    zone, company, project, sector = NAMED_NEGOTIATING
    plans[-1] = LeadPlan(zone, LeadStage.NEGOTIATING, small[-1], plans[-1].reached_on, company, project, sector,
                         note=f"{DEMO_NOTE}；企业见{SEED_NOTE}")
    signed = spread(rng, SIGNED_TOTAL, 21, 3_000, 99_000, [a for *_, a in NAMED_SIGNED])
    named = zip(NAMED_SIGNED, signed[: len(NAMED_SIGNED)], strict=True)
    plans += [LeadPlan(z, LeadStage.SIGNED, a, _date_in(rng, date(YEAR, 5, 1), date(YEAR, 6, 25)), c, p, s,
                       note=f"{SEED_NOTE}：{p}签约落地") for (z, c, p, s, _), a in named]
    plans += [LeadPlan(weighted(rng, JZ_WEIGHTS), LeadStage.SIGNED, a, _date_in(rng, date(YEAR, 1, 20), year_end))
              for a in signed[len(NAMED_SIGNED):]]
    return plans + uncounted_plans(rng, today, JZ_WEIGHTS)


def uncounted_plans(rng: random.Random, today: date, weights: dict[str, int]) -> list[LeadPlan]:
    """Leads at the early stages, lost, signed in 2023, and in negotiation only since 2025 (if that has come)."""
    recent = (max(date(YEAR, 9, 1), today - days(300)), today)
    plans = [LeadPlan(weighted(rng, weights), stage, one_amount(rng), _date_in(rng, *recent))
             for stage in [LeadStage.LEAD, LeadStage.CONTACTED, LeadStage.VISITED] for _ in range(6)]
    plans += [LeadPlan(weighted(rng, weights), LeadStage.LOST, one_amount(rng),
                       _date_in(rng, date(YEAR, 3, 1), date(YEAR, 11, 30)),
                       lost_from=rng.choice(LEAD_STAGE_ORDER[1:4])) for _ in range(6)]
    plans += [LeadPlan(weighted(rng, weights), LeadStage.SIGNED, one_amount(rng),
                       _date_in(rng, date(2023, 4, 1), date(2023, 12, 20))) for _ in range(4)]
    if today >= date(2025, 4, 1):
        plans += [LeadPlan(weighted(rng, weights), LeadStage.NEGOTIATING, one_amount(rng),
                           _date_in(rng, date(2025, 1, 10), min(today, date(2025, 12, 31)))) for _ in range(3)]
    return plans


def yangquan_plans(rng: random.Random, today: date) -> list[LeadPlan]:
    """A few leads for 阳泉's zones, at every stage."""
    stages = [LeadStage.NEGOTIATING, LeadStage.NEGOTIATING, LeadStage.SIGNED, LeadStage.SIGNED, LeadStage.VISITED,
              LeadStage.CONTACTED, LeadStage.LEAD, LeadStage.LOST]
    window = (date(YEAR, 3, 1), date(YEAR, 12, 20))
    return [LeadPlan(weighted(rng, YQ_WEIGHTS), s, one_amount(rng), _date_in(rng, *window),
                     lost_from=LeadStage.VISITED if s == LeadStage.LOST else None) for s in stages]


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def one_amount(rng: random.Random) -> int:
    """An intended investment as ledgers write it (万元): mostly 0.3–5亿元."""
    return rng.choice([3_000, 5_000, 8_000, 12_000, 15_000, 20_000, 30_000, 50_000, 80_000])


# ---- building leads --------------------------------------------------------------------------------------------

@dataclass
class Ctx:
    """What building leads needs: today, zones, chains, events by city, names taken, projects to link."""

    today: date
    zones: dict[str, Zone]
    chains: dict[str, IndustryChain]
    events: list[PromotionEvent]
    taken: set[str] = field(default_factory=set)
    projects: dict[tuple[int, str], Project] = field(default_factory=dict)


def build(ctx: Ctx, rng: random.Random, plan: LeadPlan) -> Lead:
    """The unsaved lead a plan describes: a company and intent suiting the zone, stage dates in order, its event."""
    zone = ctx.zones[plan.zone]
    sector = plan.sector or pick_sector(rng, zone)
    company = plan.company or company_name(ctx, rng, sector)
    project = plan.project_name or template(rng, sector, plan.investment or 10_000)
    lead = Lead(company=company, project_name=project, project_type=type_of(sector), zone=zone,
                owner_unit=zone.org_unit, chain=ctx.chains.get(CHAIN_OF.get(sector, "")), contact=person(rng),
                phone=_mobile(rng.randint(0, 9999)), investment=Decimal(plan.investment), stage=plan.stage,
                note=plan.note, received_on=plan.reached_on)
    set_dates(rng, lead, plan)
    attach_event(ctx, rng, lead)
    set_next_action(ctx, rng, lead)
    link_project(ctx, lead)
    lead.derive()
    return lead


def pick_sector(rng: random.Random, zone: Zone) -> str:
    sectors = [SECTOR_OF[i] for i in zone.industry_list if i in SECTOR_OF and SECTOR_OF[i] in SUFFIX]
    return rng.choice(sectors or ["装备"])


def company_name(ctx: Ctx, rng: random.Random, sector: str) -> str:
    """A plausible company, not yet used by another demo lead: "江苏恒泰光伏科技有限公司"."""
    for _ in range(200):
        name = f"{rng.choice(ORIGINS)}{rng.choice(BRANDS)}{SUFFIX[sector]}{rng.choice(['有限公司', '股份有限公司'])}"
        if name not in ctx.taken:
            ctx.taken.add(name)
            return name
    raise RuntimeError("demo company names exhausted")


def set_dates(rng: random.Random, lead: Lead, plan: LeadPlan) -> None:
    """Walk back from the date the current stage was reached: each earlier stage 10–60 days before."""
    top = plan.lost_from or plan.stage
    reached = LEAD_STAGE_ORDER[: LEAD_STAGE_ORDER.index(top) + 1]
    on = plan.reached_on
    if plan.stage == LeadStage.LOST:
        lead.lost_on, lead.lost_from, lead.lost_reason = on, plan.lost_from, rng.choice(LOST_REASONS)
        on -= days(rng.randint(10, 60))
    for stage in reversed(reached):
        setattr(lead, LEAD_STAGE_DATE[stage], on)
        on -= days(rng.randint(10, 60))


def attach_event(ctx: Ctx, rng: random.Random, lead: Lead) -> None:
    """Seven leads in ten come from an event held up to five months before their first contact: received there,
    their method following its kind."""
    later = [d for d in (lead.contacted_on, lead.visited_on, lead.negotiating_on, lead.signed_on, lead.lost_on) if d]
    upper = min(later) if later else lead.received_on
    window = [e for e in ctx.events if upper - days(150) <= e.date <= upper]
    if window and rng.random() < 0.7:
        event = rng.choice(window)
        lead.source_event, lead.received_on = event, event.date
        lead.method = METHOD_OF_KIND[event.kind]
    else:
        lead.method = rng.choice([PromotionMethod.BY_CHAIN, PromotionMethod.BY_BUSINESS, PromotionMethod.BY_CHAIN,
                                  PromotionMethod.BY_FRIENDSHIP])


def set_next_action(ctx: Ctx, rng: random.Random, lead: Lead) -> None:
    """Open leads have a next step; one in five is past its date (overdue)."""
    if lead.stage in (LeadStage.SIGNED, LeadStage.LOST):
        return
    lead.next_action = rng.choice(NEXT_ACTIONS)
    lead.next_action_on = ctx.today + days(rng.randint(-20, -1) if rng.random() < 0.2 else rng.randint(1, 45))


def link_project(ctx: Ctx, lead: Lead) -> None:
    """A signed lead the seeds name is the source of the seed scenario's project of that name, when loaded."""
    project = ctx.projects.get((lead.zone.pk, lead.project_name))
    if lead.stage == LeadStage.SIGNED and project is not None and project.signed_on:
        lead.converted_project = project
        if project.signed_on.year == lead.signed_on.year and project.signed_on <= ctx.today:
            lead.signed_on = max(project.signed_on, lead.negotiating_on)


def notes_for(rng: random.Random, lead: Lead) -> list[LeadNote]:
    """A lead's timeline: its entry, a follow-up for those that went beyond contact, its stage."""
    notes = [LeadNote(lead=lead, kind=NoteKind.CREATED, on=lead.received_on, text="登记线索" + (
        f"（来源活动：{lead.source_event.name}）" if lead.source_event_id else ""))]
    if lead.visited_on:
        notes.append(LeadNote(lead=lead, kind=NoteKind.FOLLOW_UP, on=lead.visited_on, text=rng.choice(FOLLOW_UPS)))
    if lead.stage != LeadStage.LEAD:
        notes.append(LeadNote(lead=lead, kind=NoteKind.STAGE, on=lead.stage_date,
                              text=f"阶段变更为“{lead.get_stage_display()}”"
                              + (f"（原因：{lead.lost_reason}）" if lead.lost_reason else "")))
    return notes


# ---- the load --------------------------------------------------------------------------------------------------

def context(today: date, zone_codes: list[str], events: list[PromotionEvent], taken: set[str]) -> Ctx:
    zones = {z.code: z for z in Zone.objects.filter(code__in=zone_codes).select_related("org_unit", "city")}
    if set(zone_codes) - set(zones):
        raise LookupError(f"开发区名录中缺少：{sorted(set(zone_codes) - set(zones))}，请先载入名录")
    named = [p for _, _, p, _, _ in NAMED_SIGNED]
    projects = {(p.zone_id, p.name): p for p in Project.objects.filter(zone__in=zones.values(), name__in=named,
                                                                       lead__isnull=True)}
    return Ctx(today, zones, {c.name: c for c in IndustryChain.objects.all()}, events, taken, projects)


def leads_ensure(today: date, events: dict[str, list[PromotionEvent]]) -> int:
    """Create the demo leads not yet there (known by zone, company and intent); returns how many."""
    existing = set(Lead.objects.filter(city__code__in=[JINZHONG, YANGQUAN]).values_list(
        "zone__code", "company", "project_name"))
    taken: set[str] = set()
    built: list[Lead] = []
    for code, plans_of, weights in ((JINZHONG, jinzhong_plans, JZ_WEIGHTS), (YANGQUAN, yangquan_plans, YQ_WEIGHTS)):
        ctx = context(today, list(weights), events[code], taken)
        plans = plans_of(random.Random(f"promotion-demo-{code}"), today)
        # One generator per lead: a lead whose dates depend on `today` does not shift the names of the others.
        built += [build(ctx, random.Random(f"promotion-demo-{code}-{i}"), plan) for i, plan in enumerate(plans)]
    new = [lead for lead in built if (lead.zone.code, lead.company, lead.project_name) not in existing]
    Lead.objects.bulk_create(new)
    bulk_record(new)
    rng = random.Random("promotion-demo-notes")
    LeadNote.objects.bulk_create([note for lead in new for note in notes_for(rng, lead)])
    return len(new)


def totals_ensure() -> None:
    """The cities' totals of signed promotion projects, unless a city has entered its own."""
    cities = {r.code: r for r in Region.objects.filter(code__in=[c for c, _ in CITY_TOTALS])}
    found = set(CityPromotionTotal.objects.values_list("city__code", "year"))
    new = [CityPromotionTotal(city=cities[c], year=y, signed_projects=n, signed_investment=amount, note=note)
           for (c, y), (n, amount, note) in CITY_TOTALS.items() if (c, y) not in found]
    CityPromotionTotal.objects.bulk_create(new)
    bulk_record(new)


@transaction.atomic
def promotion_demo_load(*, today: date) -> int:
    """Load the investment-promotion demo (idempotent); returns how many leads were created. Run it after
    `seed_scenario_load`, so that the signed 大恒 and 中通 leads are linked to their projects."""
    events = events_ensure(today)
    created = leads_ensure(today, events)
    totals_ensure()
    return created


def _mobile(tail: int) -> str:
    """A whole mobile number ending in `tail` (the middle four derived from it, so the demo's random sequence is
    the one it always was); the pages mask it for those who do not work the lead."""
    return f"139{tail * 7919 % 10000:04d}{tail:04d}"
