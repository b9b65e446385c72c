"""The hotline's workflow: each step in order, refusals that change nothing, escalation exactly once."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kaifaqu.indicators.models import Notification
from kaifaqu.tickets import services
from kaifaqu.tickets.errors import NotPermitted, Refused, ServiceError
from kaifaqu.tickets.models import Ticket, TicketEvent
from kaifaqu.zones.models import Zone
from tests.tickets.factories import EnterpriseFactory, beijing, ticket

pytestmark = pytest.mark.django_db


def test_the_whole_way_with_its_timeline(user_of):
    op = user_of("yq-etdz")
    t = ticket(op, enterprise=EnterpriseFactory(), department="行政审批局")
    assert (t.status, t.department, t.number[:2]) == ("assigned", "行政审批局", "SQ")
    t = services.ticket_start(user=op, ticket=t, note="已电话联系企业")
    assert t.status == "in_progress" and t.first_response_on_time is True
    t = services.ticket_resolve(user=op, ticket=t, resolution="已办结营业执照变更")
    assert t.status == "resolved" and t.resolved_on_time is True
    t = services.ticket_close(user=op, ticket=t, satisfaction="satisfied")
    assert (t.status, t.satisfaction) == ("closed", "satisfied")
    t = services.ticket_reopen(user=op, ticket=t, reason="企业反映问题未彻底解决")
    assert (t.status, t.satisfaction, t.resolved_at, t.reopen_count) == ("reopened", "", None, 1)
    actions = list(TicketEvent.objects.filter(ticket=t).values_list("action", flat=True))
    assert actions == ["create", "assign", "start", "resolve", "close", "reopen"]
    assert t.changes().count() >= 5


@pytest.mark.parametrize(("step", "kwargs"), [
    (services.ticket_resolve, {"resolution": "未开始就办结"}),
    (services.ticket_close, {"satisfaction": "satisfied"}),
    (services.ticket_reopen, {"reason": "x"}),
    (services.ticket_start, {}),  # not assigned yet
])
def test_a_step_out_of_order_is_refused_and_nothing_changes(user_of, step, kwargs):
    op = user_of("yq-etdz")
    t = ticket(op)
    before = (Ticket.objects.filter(pk=t.pk).values().get(), TicketEvent.objects.count())
    with pytest.raises(Refused) as refused:
        step(user=op, ticket=t, **kwargs)
    assert "诉求当前为“待分派”，不能" in refused.value.message
    assert (Ticket.objects.filter(pk=t.pk).values().get(), TicketEvent.objects.count()) == before


def test_a_ticket_without_text_is_refused(user_of):
    count = Ticket.objects.count()
    with pytest.raises(ServiceError) as refused:
        ticket(user_of("yq-etdz"), text="   ")
    assert refused.value.message == "请填写诉求内容"
    assert Ticket.objects.count() == count


def test_bad_input_and_permissions(user_of):
    op = user_of("yq-etdz")
    with pytest.raises(ServiceError, match="未知的诉求类别"):
        ticket(op, category="nope")
    with pytest.raises(NotPermitted):
        ticket(user_of("yq-etdz"), zone="G141062")  # 晋中's zone
    with pytest.raises(NotPermitted):
        ticket(user_of("province-viewer"))
    with pytest.raises(NotPermitted):  # an enterprise the call-taker may not see
        ticket(op, enterprise=EnterpriseFactory(zone=Zone.objects.get(code="G141062")))
    t = ticket(op)
    with pytest.raises(ServiceError, match="请选择承办部门"):
        services.ticket_assign(user=op, ticket=t, department=" ")
    with pytest.raises(NotPermitted):
        services.ticket_assign(user=user_of("jinzhong"), ticket=t, department="财政局")
    services.ticket_assign(user=op, ticket=t, department="财政局")
    services.ticket_start(user=op, ticket=t)
    with pytest.raises(ServiceError, match="请填写办理结果"):
        services.ticket_resolve(user=op, ticket=t, resolution="")
    services.ticket_resolve(user=op, ticket=t, resolution="已办")
    with pytest.raises(ServiceError, match="满意度"):
        services.ticket_close(user=op, ticket=t, satisfaction="great")
    assert Ticket.objects.get(pk=t.pk).status == "resolved"
    assert Ticket.objects.count() == 1


def test_late_steps_are_recorded_late(user_of):
    op = user_of("yq-etdz")
    t = ticket(op, received_at=beijing(2024, 2, 9, 17, 59), department="规划建设局")
    t = services.ticket_start(user=op, ticket=t)
    t = services.ticket_resolve(user=op, ticket=t, resolution="已协调")
    assert (t.first_response_on_time, t.resolved_on_time) == (False, False)


def test_escalation_happens_exactly_once(user_of):
    op = user_of("yq-etdz")
    overdue = ticket(op, received_at=timezone.now() - timedelta(days=40), department="规划建设局")
    fresh = ticket(op, department="规划建设局")
    done = ticket(op, received_at=timezone.now() - timedelta(days=40), department="财政局")
    services.ticket_start(user=op, ticket=done)
    services.ticket_resolve(user=op, ticket=done, resolution="已办")
    call_command("escalate_tickets")
    call_command("escalate_tickets")
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    assert Ticket.objects.filter(escalated_at__isnull=False).count() == 1
    reviewer = user_of("yangquan")  # the reviewer of 阳泉市, the unit above 阳泉经开区
    notes = Notification.objects.filter(key=f"ticket-escalated:{overdue.number}")
    assert list(notes.values_list("user", flat=True)) == [reviewer.pk]
    assert "超期" in notes.get().title
    assert TicketEvent.objects.filter(ticket=overdue, action="escalate").count() == 1
    with pytest.raises(Refused, match="不再重复升级"):
        services.ticket_escalate(user=op, ticket=overdue)
    with pytest.raises(Refused, match="未超期"):
        services.ticket_escalate(user=op, ticket=fresh)
    overdue.refresh_from_db()
    assert overdue.is_overdue(timezone.localdate()) and fresh.escalated_at is None


def test_unanswered_tickets_are_marked_late_by_the_command(user_of):
    op = user_of("yq-etdz")
    old = ticket(op, received_at=timezone.now() - timedelta(days=3))
    new = ticket(op)
    call_command("escalate_tickets", now=(timezone.now() + timedelta(minutes=1)).isoformat())
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.first_response_on_time, new.first_response_on_time) == (False, None if
                                                                        new.first_response_due > timezone.now()
                                                                        else False)
    assert old.resolution_due >= date(2020, 1, 1)
