"""Demo figures for monthly dispatch: Jan 2024 to last month for every Shanxi zone, generated (and marked
`generated`), shaped so the 阳泉 zones add up to seed 003's first quarter of 2024 (规上工业增加值 13.25 亿元;
工业投资 9.85 亿元, +2.2%), with 晋中's city-wide totals of the same quarter (70.3 亿元 = 32%, 22 亿元 = 49%),
targets of +15% and +16% (seed 003's 下一步), and a last month with submitted, returned, draft and missing reports."""

from __future__ import annotations

import random
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from kaifaqu.zones.models import Region, Zone

from .catalogue import definitions_for
from .choices import ReportStatus, TargetKind
from .models import CityTotal, MonthlyReport, ReportRevision, ReportValue, Target
from .selectors import report_deadline

START = date(2024, 1, 1)
YANGQUAN = {"industrial_value_added": (Decimal("13.25"), None), "industrial_investment": (Decimal("9.85"),
                                                                                          Decimal("2.2"))}
JINZHONG_CITY = {"industrial_value_added": Decimal("219.69"), "industrial_investment": Decimal("44.90")}
# Annual scale of each indicator for a mid-sized zone (亿元; 万美元; 个), and its spread between zones.
SCALE = {"industrial_value_added": 25, "industrial_investment": 18, "fixed_asset_investment": 35,
         "above_scale_revenue": 110, "tax_revenue": 6, "foreign_capital": 900, "import_export": 8,
         "new_four_above": 12}
Q2 = Decimal("0.01")
Q4 = Decimal("0.0001")


def months_until(last: date) -> list[date]:
    out, m = [], START
    while m <= last:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def _series(rng: random.Random, size: float, trend: float, last_year: int) -> dict[int, list[Decimal]]:
    """{year: 12 cumulative values}, from 2023 (the base of 2024's 同期) on, growing by `trend` a year."""
    out = {}
    annual = size
    for year in range(2023, last_year + 1):
        weights = [rng.uniform(0.8, 1.2) * (0.7 if m in (1, 2) else 1.0) for m in range(12)]
        total = sum(weights)
        cumulative, running = [], 0.0
        for w in weights:
            running += annual * w / total
            cumulative.append(Decimal(str(round(running, 4))))
        out[year] = cumulative
        annual *= 1 + trend + rng.uniform(-0.08, 0.08)
    return out


@transaction.atomic
def dispatch_demo_load(*, today: date) -> int:
    """Create the demo reports (idempotent: skips when generated reports exist); return how many were created."""
    if MonthlyReport.objects.filter(generated=True).exists():
        return 0
    last_month = today.replace(day=1)
    months = months_until(date(last_month.year - (last_month.month == 1), (last_month.month - 2) % 12 + 1, 1))
    zones = list(Zone.objects.filter(province__code="140000").select_related("city").order_by("code"))
    rng = random.Random(2024)
    series = {(z.pk, code): _series(rng, SCALE[code] * rng.uniform(0.2, 2.0), rng.uniform(-0.05, 0.18),
                                    today.year) for z in zones for code in SCALE}
    _fit_yangquan(zones, series)
    defs = {d.code: d for d in definitions_for(months[-1])}
    reports = _reports(zones, months, rng, today)
    MonthlyReport.objects.bulk_create(reports, batch_size=2000)
    values = []
    for r in MonthlyReport.objects.filter(generated=True).select_related("zone__city"):
        values.extend(_values(r, defs, series, rng))
    ReportValue.objects.bulk_create(values, batch_size=5000)
    _revisions()
    _targets(zones, series, today.year)
    _city_totals()
    return len(reports)


def _fit_yangquan(zones: list[Zone], series: dict) -> None:
    """Rescale the 阳泉 zones' series so that March 2024 adds up to the seed's figures exactly."""
    yq = [z for z in zones if z.city and z.city.code == "140300"]
    for code, (total, growth) in YANGQUAN.items():
        current = sum(series[(z.pk, code)][2024][2] for z in yq)
        factor = total / current
        for z in yq:
            for year in series[(z.pk, code)]:  # every year alike: the zone's own trend is kept
                series[(z.pk, code)][year] = [v * factor for v in series[(z.pk, code)][year]]
        if growth is not None:
            last_total = (total * 100 / (100 + growth))
            base = sum(series[(z.pk, code)][2023][2] for z in yq)
            for z in yq:
                series[(z.pk, code)][2023] = [v * last_total / base for v in series[(z.pk, code)][2023]]
        _round_march(yq, series, code, total, 2024)
        if growth is not None:
            # 9.85 ÷ 1.022 = 9.6380 to four places (stored precision), so the growth shows as 2.20%
            _round_march(yq, series, code, (total * 100 / (100 + growth)).quantize(Q4), 2023, Q4)


def _round_march(yq: list[Zone], series: dict, code: str, total: Decimal, year: int, quantum: Decimal = Q2) -> None:
    """Round March's values and put the rounding residue on the largest zone, so the sum is exact."""
    march = {z.pk: series[(z.pk, code)][year][2].quantize(quantum, rounding=ROUND_HALF_UP) for z in yq}
    biggest = max(march, key=march.get)
    march[biggest] += total - sum(march.values())
    for z in yq:
        series[(z.pk, code)][year][2] = march[z.pk]


def _reports(zones: list[Zone], months: list[date], rng: random.Random, today: date) -> list[MonthlyReport]:
    reports = []
    latest = months[-1]
    for z in zones:
        for m in months:
            deadline = report_deadline(m)
            status = ReportStatus.APPROVED
            if m == latest:
                status = rng.choices([ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.RETURNED,
                                      ReportStatus.DRAFT, None], [3, 4, 1, 1, 1])[0]
            if status is None:
                continue  # missing: never opened
            day = deadline.day - rng.choice([0, 1, 2, 3, 5, 8]) if rng.random() > 0.06 else deadline.day + 3
            submitted = timezone.make_aware(datetime.combine(deadline.replace(day=max(1, day)), time(16, 30)))
            reports.append(MonthlyReport(
                zone=z, month=m, status=status, deadline=deadline, generated=True,
                submitted_at=None if status == ReportStatus.DRAFT else submitted,
                reviewed_at=submitted if status in (ReportStatus.APPROVED, ReportStatus.RETURNED) else None,
                review_comment="工业投资增速与统计局反馈不一致，请核实后重新报送" if status == ReportStatus.RETURNED
                else ""))
    return reports


def _values(report: MonthlyReport, defs: dict, series: dict, rng: random.Random) -> list[ReportValue]:
    out = []
    for code, d in defs.items():
        this = series[(report.zone_id, code)][report.month.year][report.month.month - 1]
        last = series[(report.zone_id, code)][report.month.year - 1][report.month.month - 1]
        if code == "new_four_above":
            this, last = Decimal(int(this)), Decimal(int(last))
        reported = None
        if d.has_reported_growth and last:
            # 统计部门口径 (comparable prices) differs a little from the nominal growth
            reported = ((this - last) * 100 / last + Decimal(str(round(rng.uniform(-0.6, 0.6), 2)))).quantize(Q2)
            if report.zone.city_id and report.zone.city.code == "140300" and report.month == date(2024, 3, 1):
                reported = None  # the seed's 阳泉 figures: growth computed from the values themselves
        # Figures as offices enter them, to the cent; 阳泉's March 2024 base keeps four places (9.6380)
        seed_month = report.zone.city_id and report.zone.city.code == "140300" and report.month == date(2024, 3, 1)
        out.append(ReportValue(report=report, indicator=d, ytd=this.quantize(Q2),
                               last_ytd=last.quantize(Q4 if seed_month else Q2), growth=reported))
    return out


def _revisions() -> None:
    rows = MonthlyReport.objects.filter(generated=True, status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED,
                                                                    ReportStatus.RETURNED])
    ReportRevision.objects.bulk_create([ReportRevision(report=r, revision=0, action="submit", reason="演示数据（生成）")
                                        for r in rows], batch_size=5000)


def _targets(zones: list[Zone], series: dict, last_year: int) -> None:
    rows = []
    for z in zones:
        for year in range(2024, last_year + 1):
            rows += [Target(zone=z, year=year, indicator="industrial_value_added", kind=TargetKind.GROWTH,
                            value=Decimal(15)),
                     Target(zone=z, year=year, indicator="industrial_investment", kind=TargetKind.GROWTH,
                            value=Decimal(16)),
                     Target(zone=z, year=year, indicator="fixed_asset_investment", kind=TargetKind.GROWTH,
                            value=Decimal(10)),
                     Target(zone=z, year=year, indicator="tax_revenue", kind=TargetKind.ABSOLUTE,
                            value=(series[(z.pk, "tax_revenue")][year - 1][11] * Decimal("1.08")).quantize(Q2))]
    Target.objects.bulk_create(rows, ignore_conflicts=True)


def _city_totals() -> None:
    city = Region.objects.get(code="140700")
    for code, ytd in JINZHONG_CITY.items():
        CityTotal.objects.get_or_create(city=city, month=date(2024, 3, 1), indicator=code, defaults={"ytd": ytd})


def orders_demo_load(*, today: date) -> int:
    """A few supervision orders from last month's red warnings in 阳泉 and 晋中 (one replied, one overdue)."""
    from datetime import timedelta

    from kaifaqu.accounts.models import OrgUnit, User

    from .models import SupervisionOrder
    from .orders import order_issue, order_reply
    from .warnings import warnings

    if SupervisionOrder.objects.exists():
        return 0
    month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    created = 0
    for reviewer in User.objects.filter(username__in=["yangquan", "jinzhong"]):
        reds = [w for w in warnings(user=reviewer, month=month, today=today) if w.level == "red" and w.zone][:2]
        for i, w in enumerate(reds):
            unit = OrgUnit.objects.get(code=w.unit)
            order = order_issue(user=reviewer, unit=unit, deadline=today + timedelta(days=7), month=month,
                                warning_key=w.key)
            created += 1
            if i == 1:  # answered late: its deadline has passed
                SupervisionOrder.objects.filter(pk=order.pk).update(deadline=today - timedelta(days=3))
            operator = User.objects.filter(org_unit=unit, role="operator").first()
            if i == 0 and operator is not None:
                order_reply(user=operator, order=order, text="已召开专题会议分析原因，制定整改措施，下月起逐周调度。")
    return created
