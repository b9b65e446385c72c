"""Generated hotline tickets for the demo (一话通办): several thousand over the two years before `today`, spread
over Shanxi's zones (most at 山西综改示范区, whose hotline the seed describes, and at 阳泉 and 晋中), with the
timings such a hotline shows — most answered the same day, a few late, most resolved within their limit, some
escalated, mostly rated 满意. Each is flagged `generated`; deadlines come from the same SLA rules as real ones,
and the running totals are rebuilt after the bulk insert.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from kaifaqu.core.changelog import bulk_record
from kaifaqu.zones.models import Enterprise, Zone

from . import sla
from .choices import Category, Channel, Satisfaction, TicketAction, TicketStatus
from .models import Ticket, TicketEvent
from .services import new_ticket_numbers
from .tally import ticket_tallies_rebuild
from .workdays import add_workdays, is_workday

WEIGHTS = {"X140100-01": 30, "X140300-01": 12, "S147007": 10, "X140300-02": 4, "X140300-03": 4, "G141062": 5,
           "X140700-01": 5, "X140700-02": 2, "S147012": 2, "S149011": 2}
OTHER_WEIGHT = 1
CATEGORY_WEIGHTS = {Category.SERVICE: 30, Category.CONSTRUCTION: 20, Category.POLICY: 18, Category.FACTORS: 15,
                    Category.INVESTMENT: 10, Category.OTHER: 7}
DEPARTMENTS = {
    Category.INVESTMENT: ["招商服务中心", "经济发展局"],
    Category.CONSTRUCTION: ["规划建设局", "自然资源分局", "行政审批局"],
    Category.POLICY: ["经济发展局", "财政局", "科技创新局"],
    Category.SERVICE: ["企业服务中心", "行政审批局", "人力资源和社会保障局", "市场监管分局", "税务分局"],
    Category.FACTORS: ["供电公司（要素保障）", "自然资源分局", "企业服务中心", "生态环境分局"],
    Category.OTHER: ["企业服务中心", "应急管理局"],
}
TEXTS = {
    Category.INVESTMENT: ["拟追加投资扩建第二条生产线，希望对接用地和配套政策",
                          "外地合作方考察后希望与管委会洽谈落地条件",
                          "咨询标准地出让的控制指标和供地时间", "咨询以商招商引荐企业的奖励办法"],
    Category.CONSTRUCTION: ["施工许可办理进度较慢，请协调加快", "厂区外道路尚未贯通，影响大型设备进场",
                            "项目红线内有未迁移的电杆，影响开工", "消防设计审查意见需要进一步解释",
                            "申请预约竣工联合验收", "规划许可变更需要补充哪些材料"],
    Category.POLICY: ["上年度技改奖补资金尚未到账，询问拨付时间", "咨询战略性新兴产业电价政策的申报条件",
                      "人才引进补贴材料已提交，询问审核进度", "高新技术企业认定奖励何时兑现", "稳岗补贴申报遇到问题"],
    Category.SERVICE: ["办理营业执照经营范围变更", "新招员工社保登记遇到问题", "申请入住人才公寓",
                       "希望组织员工技能培训", "增值税发票领用额度不够", "办理出口退税备案"],
    Category.FACTORS: ["厂区用电负荷不足，申请增容", "冬季天然气供应压力不稳定", "申请接入园区污水管网",
                       "用水指标不够，影响扩产", "希望对接流动资金贷款", "申请配置蒸汽管网接口"],
    Category.OTHER: ["建议调整园区公交线路和班次", "厂区周边道路夜间照明不足", "员工子女入学咨询",
                     "反映园区周边货车乱停"],
}
RESOLUTIONS = {
    Category.INVESTMENT: "已组织招商部门与企业对接，明确落地条件和支持政策",
    Category.CONSTRUCTION: "已协调相关部门现场办公，问题已解决，企业确认",
    Category.POLICY: "已答复政策口径，资金已按程序拨付到位",
    Category.SERVICE: "已指导企业办理完毕",
    Category.FACTORS: "已协调要素保障单位落实，企业确认",
    Category.OTHER: "已转交相关部门处理并答复企业",
}
OFFICE_HOURS = (time(8, 30), time(17, 50))


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _at(d: date, minutes: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(0, 0)) + timedelta(minutes=minutes))


def _received(rng: random.Random, start: date, days: int) -> datetime:
    """Mostly working days in office hours; some evenings and days off."""
    d = start + timedelta(days=rng.randrange(days))
    if rng.random() < 0.88:
        while not is_workday(d):
            d += timedelta(days=1)
    evening = rng.random() < 0.08
    minutes = rng.randint(18 * 60 + 5, 22 * 60) if evening else rng.randint(8 * 60 + 30, 17 * 60 + 50)
    return _at(d, minutes)


class _Builder:
    """Builds one ticket's fields and its timeline as of `now`."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        self.phones = random.Random("phones")  # its own sequence: the other fields stay as they were generated

    def ticket(self, zone: Zone, enterprise: Enterprise | None, received: datetime) -> tuple[Ticket, list[dict]]:
        rng = self.rng
        category = _pick(rng, CATEGORY_WEIGHTS)
        t = Ticket(zone=zone, enterprise=enterprise, channel=_pick(rng, {Channel.PHONE: 60, Channel.ONLINE: 20,
                                                                          Channel.WECHAT: 15, Channel.IN_PERSON: 5}),
                   category=category, text=rng.choice(TEXTS[category]), department=rng.choice(DEPARTMENTS[category]),
                   key_difficult=rng.random() < 0.02, received_at=received, generated=True,
                   first_response_due=sla.first_response_due(received),
                   resolution_due=sla.resolution_due(received, category),
                   caller="" if enterprise else f"{rng.choice('王李张刘陈杨赵黄周吴')}先生",
                   phone=self._phone())
        events = [{"action": TicketAction.CREATE, "status": TicketStatus.NEW, "at": received,
                   "note": "演示数据（生成）"}]
        self._assign(t, events)
        if self._respond(t, events) and self._resolve(t, events):
            self._close(t, events)
        self._escalate(t, events)
        return t, events

    def _phone(self) -> str:
        """The caller's number as the hotline records it: mostly a mobile, sometimes a 0353 landline (阳泉)."""
        rng = self.phones
        if rng.random() < 0.8:
            return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        return f"0353-{rng.randrange(2000000, 8000000)}"

    def _step(self, at: datetime) -> bool:
        return at <= self.now

    def _assign(self, t: Ticket, events: list) -> None:
        at = t.received_at + timedelta(minutes=self.rng.randint(2, 40))
        if self._step(at):
            t.status, t.assigned_at = TicketStatus.ASSIGNED, at
            events.append({"action": TicketAction.ASSIGN, "status": t.status, "at": at,
                           "note": f"分派至{t.department}"})
        else:
            t.department = ""

    def _respond(self, t: Ticket, events: list) -> bool:
        if t.status != TicketStatus.ASSIGNED:
            return False
        late = self.rng.random() < 0.07
        window = (t.first_response_due - t.assigned_at).total_seconds() / 60
        at = (t.first_response_due + timedelta(minutes=self.rng.randint(30, 1500)) if late or window < 5
              else t.assigned_at + timedelta(minutes=self.rng.randint(5, int(min(window, 300)))))
        if not self._step(at):
            t.first_response_on_time = False if self.now > t.first_response_due else None
            return False
        t.status, t.first_response_at = TicketStatus.IN_PROGRESS, at
        t.first_response_on_time = at <= t.first_response_due
        events.append({"action": TicketAction.START, "status": t.status, "at": at,
                       "note": "首次响应（按时）" if t.first_response_on_time else "首次响应（超时）"})
        return True

    def _resolve(self, t: Ticket, events: list) -> bool:
        rng, limit = self.rng, (t.resolution_due - timezone.localdate(t.received_at)).days
        day = add_workdays(timezone.localdate(t.first_response_at), rng.randint(0, max(1, limit // 2)))
        if rng.random() < 0.12:
            day = add_workdays(t.resolution_due, rng.randint(1, 8))
        at = max(_at(day, rng.randint(9 * 60, 17 * 60)), t.first_response_at + timedelta(minutes=30))
        if not self._step(at):
            return False
        t.status, t.resolved_at, t.resolution = TicketStatus.RESOLVED, at, RESOLUTIONS[t.category]
        t.resolved_on_time = sla.resolved_on_time(at, t.resolution_due)
        events.append({"action": TicketAction.RESOLVE, "status": t.status, "at": at,
                       "note": f"{'按期' if t.resolved_on_time else '超期'}办结：{t.resolution}"})
        return True

    def _close(self, t: Ticket, events: list) -> None:
        at = t.resolved_at + timedelta(hours=self.rng.randint(4, 72))
        if not self._step(at):
            return
        late = not t.resolved_on_time
        rating = _pick(self.rng, {Satisfaction.SATISFIED: 60 if late else 82, Satisfaction.BASIC: 28 if late else 14,
                                  Satisfaction.DISSATISFIED: 12 if late else 4})
        t.status, t.closed_at, t.satisfaction = TicketStatus.CLOSED, at, rating
        events.append({"action": TicketAction.CLOSE, "status": t.status, "at": at,
                       "note": f"回访评价：{Satisfaction(rating).label}"})

    def _escalate(self, t: Ticket, events: list) -> None:
        """As `escalate_tickets` would have: the day after the resolution day, if still open then."""
        at = _at(t.resolution_due + timedelta(days=1), 9 * 60)
        if not self._step(at) or (t.resolved_at is not None and t.resolved_at < at):
            return
        t.escalated_at = at
        then = (TicketStatus.IN_PROGRESS if t.first_response_at and t.first_response_at <= at
                else TicketStatus.ASSIGNED if t.assigned_at and t.assigned_at <= at else TicketStatus.NEW)
        events.append({"action": TicketAction.ESCALATE, "status": then, "at": at,
                       "note": f"超过办结时限{t.resolution_due:%Y-%m-%d}，已提请上级督办"})


def demo_tickets_load(*, today: date, count: int = 4000) -> int:
    """`count` generated tickets received in the two years before `today` (once); returns how many."""
    if Ticket.objects.filter(generated=True).exists():
        return 0
    rng = random.Random("tickets")
    zones = {z.code: z for z in Zone.objects.filter(org_unit__path__startswith="/140000/")}
    weights = {code: WEIGHTS.get(code, OTHER_WEIGHT) for code in sorted(zones)}
    enterprises: dict[int, list[Enterprise]] = {}
    for e in Enterprise.objects.filter(zone__in=zones.values()).order_by("pk"):
        enterprises.setdefault(e.zone_id, []).append(e)
    builder = _Builder(rng, min(timezone.now(), _at(today, 18 * 60)))
    start = today - timedelta(days=730)
    built = []
    for _ in range(count):
        zone = zones[_pick(rng, weights)]
        pool = enterprises.get(zone.pk, [])
        enterprise = rng.choice(pool) if pool and rng.random() < 0.85 else None
        built.append(builder.ticket(zone, enterprise, _received(rng, start, 730)))
    built.sort(key=lambda pair: pair[0].received_at)
    for (ticket, _events), number in zip(built, new_ticket_numbers(len(built)), strict=True):
        ticket.number = number
    Ticket.objects.bulk_create([t for t, _ in built], batch_size=1000)
    TicketEvent.objects.bulk_create([TicketEvent(ticket=t, **e) for t, events in built for e in events],
                                    batch_size=2000)
    bulk_record([t for t, _ in built])
    ticket_tallies_rebuild()
    return len(built)
