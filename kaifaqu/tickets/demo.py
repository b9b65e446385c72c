"""Demo data of enterprise services (generated, and labelled so: `generated` flags, enterprises whose contact is
"演示数据"). `services_demo_load` is deterministic (seeded `random.Random`) and idempotent:

- 阳泉高新区's 87 帮办代办服务事项 (seed 003: "更新公布涉及项目全生命周期的87项帮办代办服务事项"), and the core 30 of
  them for the other zones of 阳泉 and 晋中;
- agents (代办员) for those zones — 阳泉高新区's team is 61 people in the seed; twelve accounts stand for it —
  and agency cases for their demo projects;
- a few hundred enterprises across the zones: those the seeds name (日昌晶新材料（山西）有限责任公司, 山西百信,
  山西合成生物产业投资开发有限公司, 耀邦环境资源有限公司, 蓝邦环保科技有限公司 …), full names completed and credit
  codes generated where the seeds give none, and generated ones;
- commitments for the 承诺制 projects, some overdue;
- several thousand hotline tickets over the last two years (`demo_tickets`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.models import User
from kaifaqu.core.changelog import bulk_record
from kaifaqu.core.credit_code import ALPHABET, check_character
from kaifaqu.projects.demo import person
from kaifaqu.projects.models import Project
from kaifaqu.zones.models import Enterprise, Zone

from .casework import new_case_numbers
from .choices import CaseAction, CaseStatus
from .demo_tickets import demo_tickets_load
from .enterprises import enterprise_tokens_rebuild
from .models import CaseEvent, Commitment, ServiceCase, ServiceItem
from .workdays import add_workdays

GXQ = "X140300-01"  # 阳泉高新区
SERVICE_ZONES = ["X140300-01", "S147007", "X140300-02", "X140300-03", "G141062", "X140700-01", "X140700-02",
                 "S147012", "S149011"]
DEMO_CONTACT = "演示数据"

# (项目阶段, 事项名称, 实施部门, 法定时限（工作日）, 可承诺制办理); the first 30 are every service zone's core.
ITEMS = [
    ("立项", "企业投资项目备案", "行政审批局", 1, True),
    ("立项", "企业投资项目核准", "行政审批局", 20, False),
    ("立项", "固定资产投资项目节能审查", "行政审批局", 10, True),
    ("用地", "建设项目用地预审与选址意见书核发", "自然资源分局", 20, False),
    ("用地", "建设用地规划许可证核发", "自然资源分局", 5, True),
    ("用地", "国有建设用地使用权出让合同签订", "自然资源分局", 10, False),
    ("用地", "不动产权证书（土地）核发", "不动产登记中心", 5, False),
    ("环评", "建设项目环境影响报告书审批", "生态环境分局", 30, False),
    ("环评", "建设项目环境影响报告表审批", "生态环境分局", 15, True),
    ("环评", "水土保持方案审批", "行政审批局", 10, True),
    ("规划", "建设工程规划许可证核发", "自然资源分局", 10, True),
    ("规划", "建设工程设计方案审查", "规划建设局", 10, True),
    ("施工", "施工图设计文件审查", "规划建设局", 10, True),
    ("施工", "消防设计审查", "规划建设局", 15, True),
    ("施工", "人防工程设计审查", "人防办", 7, True),
    ("施工", "建筑工程施工许可证核发", "规划建设局", 3, True),
    ("施工", "建设工程质量安全监督手续", "规划建设局", 3, True),
    ("施工", "取水许可", "水务局", 20, False),
    ("施工", "城镇污水排入排水管网许可", "水务局", 10, True),
    ("施工", "高压供电报装", "供电公司", 15, False),
    ("验收", "消防验收", "规划建设局", 15, False),
    ("验收", "建设工程规划核实", "自然资源分局", 10, False),
    ("验收", "建设工程竣工验收备案", "规划建设局", 5, True),
    ("验收", "不动产首次登记", "不动产登记中心", 5, False),
    ("运营", "排污许可证核发", "生态环境分局", 20, False),
    ("运营", "排污登记", "生态环境分局", 1, True),
    ("运营", "安全生产许可证核发", "应急管理局", 30, False),
    ("运营", "企业设立登记（营业执照）", "行政审批局", 1, False),
    ("运营", "规模以上工业企业入统申报", "统计局", 15, False),
    ("运营", "惠企政策兑现申报", "经济发展局", 15, False),
    ("立项", "外商投资项目备案", "行政审批局", 3, False),
    ("立项", "企业投资项目变更备案", "行政审批局", 1, True),
    ("立项", "气候可行性论证", "气象局", 15, False),
    ("用地", "建设用地批准书核发", "自然资源分局", 10, False),
    ("用地", "压覆重要矿产资源审批", "自然资源分局", 20, False),
    ("用地", "地质灾害危险性评估备案", "自然资源分局", 5, True),
    ("用地", "建设项目使用林地审核", "自然资源分局", 20, False),
    ("用地", "临时用地审批", "自然资源分局", 10, False),
    ("环评", "建设项目环境影响登记表备案", "生态环境分局", 1, True),
    ("环评", "洪水影响评价审批", "水务局", 20, False),
    ("环评", "职业病危害预评价备案", "卫生健康局", 10, True),
    ("环评", "考古调查勘探意见", "文化和旅游局", 15, False),
    ("环评", "建设项目安全条件审查", "应急管理局", 20, False),
    ("环评", "危险化学品建设项目安全设施设计审查", "应急管理局", 20, False),
    ("规划", "超限高层建筑工程抗震设防审批", "规划建设局", 20, False),
    ("规划", "雷电防护装置设计审核", "气象局", 10, True),
    ("规划", "城市建筑垃圾处置核准", "城市管理局", 5, True),
    ("规划", "挖掘城市道路审批", "城市管理局", 5, False),
    ("规划", "临时占用城市道路审批", "城市管理局", 5, False),
    ("规划", "占用、挖掘公路审批", "交通运输局", 10, False),
    ("规划", "砍伐城市树木审批", "城市管理局", 10, False),
    ("施工", "招标文件备案", "公共资源交易中心", 3, False),
    ("施工", "施工合同备案", "规划建设局", 3, False),
    ("施工", "夜间施工许可", "生态环境分局", 3, False),
    ("施工", "供水报装", "供水公司", 5, False),
    ("施工", "燃气报装", "燃气公司", 10, False),
    ("施工", "通信设施报装", "通信运营企业", 10, False),
    ("施工", "工程建设项目联合图审", "行政审批局", 10, True),
    ("验收", "消防验收备案", "规划建设局", 5, True),
    ("验收", "人防工程竣工验收备案", "人防办", 5, True),
    ("验收", "城建档案验收", "城建档案馆", 5, True),
    ("验收", "防雷装置竣工验收", "气象局", 10, False),
    ("验收", "建设项目环境保护设施竣工验收备案", "生态环境分局", 5, True),
    ("验收", "水土保持设施自主验收报备", "行政审批局", 5, True),
    ("验收", "安全设施竣工验收", "应急管理局", 20, False),
    ("验收", "职业病防护设施竣工验收", "卫生健康局", 10, False),
    ("验收", "工程建设项目联合验收", "行政审批局", 10, False),
    ("运营", "危险化学品经营许可", "应急管理局", 20, False),
    ("运营", "危险废物经营许可", "生态环境分局", 20, False),
    ("运营", "食品生产许可", "市场监管分局", 10, True),
    ("运营", "工业产品生产许可", "市场监管分局", 20, False),
    ("运营", "特种设备使用登记", "市场监管分局", 5, True),
    ("运营", "企业印章刻制备案", "公安分局", 1, False),
    ("运营", "税务登记及发票申领", "税务分局", 1, False),
    ("运营", "社会保险登记", "人力资源和社会保障局", 3, False),
    ("运营", "住房公积金缴存登记", "住房公积金管理部", 3, False),
    ("运营", "对外贸易经营者备案", "商务局", 2, False),
    ("运营", "高新技术企业认定申报", "科技创新局", 20, False),
    ("运营", "科技型中小企业评价入库", "科技创新局", 10, False),
    ("运营", "“四上”企业入库申报", "统计局", 15, False),
    ("运营", "战略性新兴产业电价政策申报", "经济发展局", 15, False),
    ("运营", "专项资金项目申报", "经济发展局", 20, False),
    ("运营", "研发费用加计扣除辅导", "税务分局", 5, False),
    ("运营", "专利申请辅导", "市场监管分局", 10, False),
    ("运营", "用工招聘服务", "人力资源和社会保障局", 5, False),
    ("运营", "人才公寓申请", "企业服务中心", 10, False),
    ("运营", "融资对接服务", "企业服务中心", 10, False),
]
CORE = 30
PHASES_BY_STAGE = {"signed": ["立项", "用地", "环评"], "started": ["规划", "施工", "环评"],
                   "producing": ["验收", "运营"], "at_capacity": ["运营"]}

# Enterprises the seeds name: (name, zone). Full names are completed where the seeds abbreviate them.
SEED_ENTERPRISES = [
    ("日昌晶新材料（山西）有限责任公司", "S147007"),
    ("山西百信信息技术有限公司", "X140100-01"),
    ("山西合成生物产业投资开发有限公司", "X140100-01"),
    ("国科晋云（山西）信息技术有限公司", "X140100-01"),
    ("山西建设投资集团有限公司", "X140100-01"),
    ("耀邦环境资源有限公司", "S147007"),
    ("蓝邦环保科技有限公司", "X140300-01"),
    ("太行世纪（阳泉）新能源科技有限公司", "X140300-01"),
    ("阳泉华储光电科技有限公司", "S147007"),
    ("阳泉兆丰铝业有限公司", "S147007"),
    ("阳泉康博特铝镁合金有限公司", "X140300-02"),
    ("阳泉中炬负极材料有限公司", "X140300-02"),
    ("欧冶链金（阳泉）再生资源有限公司", "X140300-03"),
    ("阳泉弘盛通储能科技有限公司", "X140300-03"),
    ("湖大特塑（平定）新材料有限公司", "X140300-02"),
    ("平定兴鑫机械制造有限公司", "X140300-02"),
    ("山西中坤管道科技有限公司", "X140300-01"),
    ("盂县中津精品铝业有限公司", "X140300-03"),
    ("晋孟工服（盂县）服装有限公司", "X140300-03"),
    ("晋中大恒光伏科技有限公司", "X140700-01"),
    ("山西光存信息存储科技有限公司", "X140700-01"),
    ("祁县中通电商产业园运营有限公司", "S147012"),
    ("榆社经开区独立储能电站有限公司", "X140700-02"),
]
BRANDS = "华信达恒泰丰盛通宏远鑫源聚合众创锦瑞祥和安康兴隆昌晶明嘉诚德永佳旺天海龙金石晋阳泉汾并云冈太行潞泽河东尧"
INDUSTRIES = [("新材料", "C"), ("科技", "M"), ("能源", "D"), ("化工", "C"), ("机械制造", "C"), ("电子科技", "C"),
              ("信息技术", "I"), ("物流", "G"), ("建材", "C"), ("环保科技", "N"), ("生物科技", "M"), ("光电", "C"),
              ("铝业", "C"), ("装备", "C"), ("新能源", "D"), ("食品", "C"), ("医药", "C"), ("数据科技", "I")]
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"]


def credit_code(rng: random.Random, region: str) -> str:
    """A valid generated unified social credit code (法人, 企业: 91), registered in `region` (6 digits)."""
    body = "91" + region + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


# ---- catalogue and agents ------------------------------------------------------------------------------------------

def items_load(zones: dict[str, Zone]) -> int:
    """阳泉高新区's 87 items, the first 30 for each other service zone; existing names are left alone."""
    have = set(ServiceItem.objects.filter(zone__in=zones.values()).values_list("zone_id", "name"))
    fresh = [ServiceItem(zone=zone, phase=phase, name=name, department=dept, limit_days=days,
                         commitment_allowed=commit)
             for code, zone in zones.items() for phase, name, dept, days, commit in (ITEMS if code == GXQ
                                                                                     else ITEMS[:CORE])
             if (zone.pk, name) not in have]
    ServiceItem.objects.bulk_create(fresh)
    bulk_record(fresh)
    return len(fresh)


def agents_load(zones: dict[str, Zone], password: str | None) -> dict[int, list[User]]:
    """Agent accounts (代办员) per service zone: twelve for 阳泉高新区, three elsewhere; `yq-gxq-agent` gets
    `password` (the others cannot log in)."""
    rng = random.Random("agents")
    out: dict[int, list[User]] = {}
    for code, zone in zones.items():
        people = []
        for n in range(1, (12 if code == GXQ else 3) + 1):
            username = "yq-gxq-agent" if code == GXQ and n == 1 else f"{code.lower()}-agent{n:02d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, full_name=f"{person(rng)}", role=Role.AGENT, org_unit=zone.org_unit)
                user.set_unusable_password()
            if password and username == "yq-gxq-agent":  # every run, so its password never expires in the demo
                user.set_password(password)
            if user._state.adding or password and username == "yq-gxq-agent":
                user.save()
            people.append(user)
        out[zone.pk] = people
    return out


# ---- enterprises ---------------------------------------------------------------------------------------------------

def enterprises_load() -> int:
    """The seeds' enterprises and 6–12 generated ones per zone (names not yet registered in the zone)."""
    rng = random.Random("enterprises")
    zones = {z.code: z for z in Zone.objects.select_related("city", "county", "org_unit").filter(
        org_unit__path__startswith="/140000/")}
    have = set(Enterprise.objects.values_list("name", "zone_id"))
    codes = set(Enterprise.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    wanted = [(name, zones[code], "C") for name, code in SEED_ENTERPRISES if code in zones]
    for zone in sorted(zones.values(), key=lambda z: z.code):
        wanted += [_generated_name(rng, zone) for _ in range(rng.randint(6, 12))]
    fresh = []
    for name, zone, industry in wanted:
        if (name, zone.pk) in have:
            continue
        have.add((name, zone.pk))
        code = credit_code(rng, (zone.county or zone.city).code if (zone.county or zone.city) else "140000")
        while code in codes:
            code = credit_code(rng, "140000")
        codes.add(code)
        fresh.append(Enterprise(name=name, zone=zone, credit_code=code, industry=industry, contact=DEMO_CONTACT,
                                above_scale=rng.random() < 0.35, high_tech=rng.random() < 0.2))
    Enterprise.objects.bulk_create(fresh)
    bulk_record(fresh)
    enterprise_tokens_rebuild([e.pk for e in fresh])
    return len(fresh)


def _generated_name(rng: random.Random, zone: Zone) -> tuple[str, Zone, str]:
    place = (zone.city.name.removesuffix("市") if zone.city else "山西")
    brand = "".join(rng.choice(BRANDS) for _ in range(rng.choice([2, 2, 3])))
    word, industry = rng.choice(INDUSTRIES)
    if rng.random() < 0.3:
        return f"{brand}{word}（{place}）{rng.choice(SUFFIXES)}", zone, industry
    return f"{place}{brand}{word}{rng.choice(SUFFIXES)}", zone, industry


# ---- cases and commitments -----------------------------------------------------------------------------------------

def cases_load(zones: dict[str, Zone], agents: dict[int, list[User]], today: date) -> int:
    """Agency cases for about half the signed-or-later demo projects of the service zones (once)."""
    if ServiceCase.objects.filter(generated=True).exists():
        return 0
    rng = random.Random("cases")
    items: dict[tuple[int, str], list[ServiceItem]] = {}
    for item in ServiceItem.objects.filter(zone__in=zones.values()):
        items.setdefault((item.zone_id, item.phase), []).append(item)
    projects = Project.objects.filter(zone__in=zones.values(), stage__in=list(PHASES_BY_STAGE)).order_by("code")
    cases, events = [], []
    for project in projects:
        if rng.random() < 0.5:
            continue
        for phase in rng.sample(PHASES_BY_STAGE[project.stage], k=min(2, len(PHASES_BY_STAGE[project.stage]))):
            for item in rng.sample(items.get((project.zone_id, phase), []), k=min(rng.randint(1, 2), len(
                    items.get((project.zone_id, phase), [])))):
                cases.append(_case(rng, project, item, rng.choice(agents[project.zone_id]), today, events))
    for case, number in zip(cases, new_case_numbers(len(cases)), strict=True):
        case.number = number
    ServiceCase.objects.bulk_create(cases)
    CaseEvent.objects.bulk_create([CaseEvent(case=case, **e) for case, e in events])
    bulk_record(cases)
    return len(cases)


def _case(rng: random.Random, project: Project, item: ServiceItem, agent: User, today: date,
          events: list) -> ServiceCase:
    accepted = today - timedelta(days=rng.randint(0, 700))
    deadline = add_workdays(accepted, item.limit_days)
    case = ServiceCase(project=project, item=item, agent=agent, lead_official=project.lead_official[:50],
                       accepted_on=accepted, deadline=deadline, generated=True, note="演示数据（生成）",
                       by_commitment=item.commitment_allowed and project.commitment_system)
    events.append((case, {"action": CaseAction.ACCEPT, "on": accepted, "note": f"代办员{agent}"}))
    started = min(add_workdays(accepted, rng.randint(0, 2)), today)
    if started > accepted or rng.random() < 0.7:
        case.status, case.started_on = CaseStatus.IN_PROGRESS, started
        events.append((case, {"action": CaseAction.START, "on": started}))
    span = item.limit_days + (rng.randint(1, 8) if rng.random() < 0.12 else -rng.randint(0, item.limit_days - 1))
    done = add_workdays(accepted, max(span, 1))
    if case.started_on and rng.random() < 0.03 and started < today:
        case.status, case.returned_on, case.return_reason = CaseStatus.RETURNED, started, "申请材料不全，已告知企业补正"
        events.append((case, {"action": CaseAction.RETURN, "on": started, "note": case.return_reason}))
    elif case.started_on and done <= today:
        case.status, case.done_on, case.on_time = CaseStatus.DONE, max(done, started), max(done, started) <= deadline
        events.append((case, {"action": CaseAction.DONE, "on": case.done_on,
                              "note": "按期办结" if case.on_time else "超期办结"}))
    return case


COMMITMENTS = [
    "承诺开工前补齐环境影响评价批复，未取得批复前不投入生产",
    "承诺按标准地控制指标建设：投资强度不低于300万元/亩，达产后亩均税收不低于15万元",
    "承诺取得施工许可后3个月内完成消防设计审查",
    "承诺竣工验收前完成水土保持设施自主验收报备",
    "承诺按照节能审查意见落实节能措施，达产后单位产值能耗不高于行业先进值",
    "承诺项目建设符合规划条件，竣工后申请规划核实",
    "承诺投产后一年内办理排污许可证",
]


def commitments_load(today: date) -> int:
    """One to three commitments for each 承诺制 project (once); about one in eight not verified in time."""
    if Commitment.objects.filter(generated=True).exists():
        return 0
    rng = random.Random("commitments")
    fresh = []
    for project in Project.objects.filter(commitment_system=True, signed_on__isnull=False).order_by("code"):
        for content in rng.sample(COMMITMENTS, k=rng.randint(1, 3)):
            promised = min(project.signed_on + timedelta(days=rng.randint(0, 60)), today)
            verify_by = promised + timedelta(days=rng.choice([60, 90, 180, 365]))
            verified = None
            if verify_by < today and rng.random() < 0.88:
                verified = verify_by - timedelta(days=rng.randint(0, 30)) if rng.random() < 0.9 else verify_by + \
                    timedelta(days=rng.randint(1, 20))
                verified = min(max(verified, promised), today)
            fresh.append(Commitment(project=project, content=content, promised_on=promised, verify_by=verify_by,
                                    verified_on=verified, generated=True,
                                    verification_note="经现场核查，已按承诺落实（演示数据）" if verified else ""))
    Commitment.objects.bulk_create(fresh)
    bulk_record(fresh)
    return len(fresh)


@transaction.atomic
def services_demo_load(*, today: date, password: str | None = None) -> dict[str, int]:
    """Load the enterprise-services demo (idempotent): returns how many of each were created."""
    zones = {z.code: z for z in Zone.objects.filter(code__in=SERVICE_ZONES).select_related("org_unit")}
    agents = agents_load(zones, password)
    return {"items": items_load(zones), "enterprises": enterprises_load(),
            "cases": cases_load(zones, agents, today), "commitments": commitments_load(today),
            "tickets": demo_tickets_load(today=today)}
