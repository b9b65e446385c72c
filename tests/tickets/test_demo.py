"""The enterprise-services demo: the seed's 87 items, valid credit codes, realistic ticket timings, idempotent."""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from kaifaqu.core.credit_code import credit_code_error
from kaifaqu.projects.demo import demo_projects_load
from kaifaqu.tickets.demo import services_demo_load
from kaifaqu.tickets.models import Commitment, ServiceCase, ServiceItem, Ticket, TicketTally
from kaifaqu.tickets.selectors import ticket_stats
from kaifaqu.tickets.tally import FIELDS, ticket_tallies_rebuild
from kaifaqu.zones.models import Enterprise

pytestmark = pytest.mark.django_db


def test_the_demo(user_of):
    today = timezone.localdate()
    demo_projects_load(today=today)
    created = services_demo_load(today=today, password="Demo-password-2024")
    assert ServiceItem.objects.filter(zone__code="X140300-01").count() == 87
    assert created["tickets"] == Ticket.objects.filter(generated=True).count() >= 3000
    assert created["cases"] > 100 and created["commitments"] > 50
    assert set(services_demo_load(today=today).values()) == {0}  # idempotent
    assert all(credit_code_error(c) is None for c in Enterprise.objects.values_list("credit_code", flat=True))
    assert Enterprise.objects.filter(name="日昌晶新材料（山西）有限责任公司", zone__code="S147007").exists()
    assert user_of("yq-gxq-agent").check_password("Demo-password-2024")

    stats = ticket_stats(user=user_of("province"), date_from=date(today.year - 2, 1, 1), date_to=today).total
    assert 75 <= stats.on_time_rate <= 95 and 85 <= stats.first_response_rate <= 99
    assert 80 <= stats.satisfaction_index <= 95 and stats.escalated > 0 and stats.key_difficult > 0
    assert Commitment.objects.filter(verified_on__isnull=True, verify_by__lt=today).exists()
    assert ServiceCase.objects.filter(status="done", on_time=False).exists()

    before = sorted(TicketTally.objects.values_list("scope", "day", "category", "department", *FIELDS))
    call_command("escalate_tickets")  # the generated tickets are already as the command leaves them
    assert not Ticket.objects.filter(status__in=["new", "assigned", "in_progress", "reopened"],
                                     resolution_due__lt=today, escalated_at__isnull=True).exists()
    ticket_tallies_rebuild()
    after = sorted(TicketTally.objects.values_list("scope", "day", "category", "department", *FIELDS))
    assert len(after) == len(before)
