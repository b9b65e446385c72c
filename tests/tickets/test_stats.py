"""The hotline's figures: definitions, the running totals against a recount, scope, and fixed query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kaifaqu.accounts.models import User
from kaifaqu.tickets import services
from kaifaqu.tickets.models import Ticket, TicketTally
from kaifaqu.tickets.selectors import (
    TicketFigures,
    overdue_ticket_warnings,
    ticket_stats,
    ticket_trend,
)
from kaifaqu.tickets.tally import FIELDS, ticket_tallies_rebuild
from tests.tickets.factories import ticket

pytestmark = pytest.mark.django_db


def test_satisfaction_index_and_rates():
    f = TicketFigures(received=10, resolved=8, resolved_on_time=6, responded_on_time=9, responded_late=1,
                      satisfied=3, basic=2, dissatisfied=1)
    assert f.satisfaction_index == Decimal("66.67")  # (3 + 0.5 × 2) ÷ 6
    assert (f.on_time_rate, f.resolution_rate, f.first_response_rate) == (Decimal("75.00"), Decimal("80.00"),
                                                                         Decimal("90.00"))
    assert TicketFigures().satisfaction_index is None  # nothing rated: no index, not 0


def _closed(user, rating, **extra):
    t = ticket(user, department=extra.pop("department", "行政审批局"), **extra)
    services.ticket_start(user=user, ticket=t)
    services.ticket_resolve(user=user, ticket=t, resolution="已办结")
    return services.ticket_close(user=user, ticket=t, satisfaction=rating)


@pytest.fixture
def hotline(user_of):
    """阳泉经开区: 3 满意, 2 基本满意, 1 不满意, one late resolution, one open key-difficult ticket, one unassigned;
    晋中经开区: 2 tickets."""
    yq, jz = user_of("yq-etdz"), User.objects.create(username="jz-op", role="operator",
                                                      org_unit=user_of("jinzhong").org_unit)
    for rating in ["satisfied"] * 3 + ["basic"] * 2 + ["dissatisfied"]:
        _closed(yq, rating, category="policy")
    late = ticket(yq, received_at=timezone.now() - timedelta(days=30), department="规划建设局",
                  category="construction")
    services.ticket_start(user=yq, ticket=late)
    services.ticket_resolve(user=yq, ticket=late, resolution="已协调")
    ticket(yq, key_difficult=True, department="规划建设局", category="construction")
    ticket(yq, category="other")
    _closed(jz, "satisfied", zone="G141062")
    ticket(jz, zone="G141062")
    return yq


def test_figures_for_a_zone_a_city_and_the_province(user_of, hotline):
    today = timezone.localdate()
    since = today - timedelta(days=60)
    for who, received in (("yq-etdz", 9), ("yangquan", 9), ("jinzhong", 2), ("province", 11)):
        stats = ticket_stats(user=user_of(who), date_from=since, date_to=today)
        assert stats.total.received == received, who
    s = ticket_stats(user=user_of("yangquan"), date_from=since, date_to=today)
    t = s.total
    assert (t.resolved, t.resolved_on_time, t.key_difficult, t.rated) == (7, 6, 1, 6)
    assert t.on_time_rate == Decimal("85.71") and t.satisfaction_index == Decimal("66.67")
    assert s.by_category["policy"].received == 6 and s.by_category["construction"].resolved == 1
    assert list(s.by_department)[:2] == ["行政审批局", "规划建设局"] and s.by_department[""].received == 1
    assert ticket_stats(user=user_of("yangquan"), date_from=since, date_to=today, city="晋中").total.received == 0
    assert ticket_stats(user=user_of("province"), date_from=since, date_to=today, city="晋中").total.received == 2
    assert ticket_stats(user=user_of("province"), date_from=since, date_to=today, zone="S147007").total.received == 9
    trend = ticket_trend(user=user_of("yangquan"), date_from=since, date_to=today)
    assert sum(r["received"] for r in trend) == 9


def _raw(user, since, today):
    from kaifaqu.tickets.selectors import received_between, scoped_tickets
    from kaifaqu.tickets.tally import counts

    return received_between(scoped_tickets(user=user), since, today).aggregate(**counts())


def test_running_totals_equal_a_recount(user_of, hotline):
    today = timezone.localdate()
    since = today - timedelta(days=60)
    root = User.objects.create_superuser("root-test", password="x")
    for who in (user_of("yangquan"), user_of("province"), root):
        tallied = ticket_stats(user=who, date_from=since, date_to=today).total
        assert {f: getattr(tallied, f) for f in FIELDS} == _raw(who, since, today)
    before = sorted(TicketTally.objects.values_list("scope", "day", "category", "department", *FIELDS))
    assert ticket_tallies_rebuild() == len(before)
    assert sorted(TicketTally.objects.values_list("scope", "day", "category", "department", *FIELDS)) == before
    Ticket.objects.filter(department="").first().delete()
    assert ticket_stats(user=root, date_from=since, date_to=today).total.received == 10


def test_bulk_loaded_tickets_are_counted_until_the_totals_are_rebuilt(user_of, hotline):
    TicketTally.objects.all().delete()
    today = timezone.localdate()
    assert ticket_stats(user=user_of("province"), date_from=today - timedelta(days=60),
                        date_to=today).total.received == 11


def test_stats_run_a_fixed_number_of_queries(user_of, hotline, django_assert_max_num_queries):
    today = timezone.localdate()
    for who in ("yq-etdz", "yangquan", "province"):
        with django_assert_max_num_queries(3):
            ticket_stats(user=user_of(who), date_from=today - timedelta(days=60), date_to=today)


def test_overdue_tickets_for_the_warnings(user_of, hotline):
    later = timezone.localdate() + timedelta(days=30)
    items = overdue_ticket_warnings(user=user_of("yangquan"), as_of=later, today=later)
    assert [(w.zone, w.count, w.key_difficult) for w in items] == [("S147007", 2, 1)]
    assert "2件企业诉求超过办结时限未办结" in items[0].message and items[0].key == "tickets_overdue:S147007"
    assert overdue_ticket_warnings(user=user_of("jinzhong"), as_of=timezone.localdate()) == []
    # As of a past day: the construction ticket received 30 days ago and resolved today was overdue then.
    earlier = timezone.localdate() - timedelta(days=1)
    past = overdue_ticket_warnings(user=user_of("yangquan"), as_of=earlier)
    assert [(w.zone, w.count) for w in past] == [("S147007", 1)]
    assert overdue_ticket_warnings(user=user_of("yangquan"), as_of=timezone.localdate()) == []


def test_overdue_tickets_appear_in_the_warnings(user_of, hotline):
    from kaifaqu.indicators.warnings import warnings

    later = timezone.localdate() + timedelta(days=30)
    month = later.replace(day=1)
    found = [w for w in warnings(user=user_of("yangquan"), month=month, today=later) if w.rule == "tickets_overdue"]
    assert [(w.zone, w.level) for w in found] == [("S147007", "red")]
    assert "企业诉求超过办结时限" in found[0].message
    theirs = [w for w in warnings(user=user_of("jinzhong"), month=month, today=later) if w.rule == "tickets_overdue"]
    assert "S147007" not in {w.zone for w in theirs}
