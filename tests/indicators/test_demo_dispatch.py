"""The dispatch demo data reproduces seed 003's 阳泉 first quarter of 2024 and is consistent."""

from datetime import date
from decimal import Decimal

import pytest

from kaifaqu.indicators.demo import dispatch_demo_load
from kaifaqu.indicators.models import MonthlyReport, ReportValue
from kaifaqu.indicators.selectors import dispatch_table

pytestmark = pytest.mark.django_db


def test_demo_reproduces_yangquan_q1_2024_and_is_idempotent(user_of):
    created = dispatch_demo_load(today=date(2026, 11, 23))
    assert created > 36 * 30
    assert dispatch_demo_load(today=date(2026, 11, 23)) == 0
    table = dispatch_table(user=user_of("yangquan"), month=date(2024, 3, 1))
    assert table.total["industrial_value_added"].ytd == Decimal("13.25")
    assert table.total["industrial_investment"].ytd == Decimal("9.85")
    assert table.total["industrial_investment"].growth == Decimal("2.20")
    latest = MonthlyReport.objects.filter(month=date(2026, 10, 1))
    assert {"approved", "submitted"} <= set(latest.values_list("status", flat=True))
    assert not ReportValue.objects.filter(ytd__lt=0).exists()
    jz = dispatch_table(user=user_of("jinzhong"), month=date(2024, 3, 1))
    assert any(r.cells["industrial_value_added"].share is not None for r in jz.rows)
