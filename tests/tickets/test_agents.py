"""Agents (代办员) as SPEC §2 says: an agent sees the cases assigned to them and the tickets they received, their
unit's queue only when granted `tickets.view_unit_queue`; they work their cases and tickets but assign neither —
the service, the page and the API refuse with 403 and nothing changes."""

import pytest
from django.contrib.auth.models import Group

from kaifaqu.accounts.models import User
from kaifaqu.accounts.roles import QUEUE_GROUP, ensure_role_groups, sees_unit_queue
from kaifaqu.core.models import ObjectChange
from kaifaqu.tickets import casework, selectors, services
from kaifaqu.tickets.errors import NotPermitted
from kaifaqu.tickets.models import CaseEvent, ServiceCase, Ticket, TicketEvent
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory
from tests.tickets.factories import ServiceItemFactory, ticket

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _agent(username: str, unit) -> User:
    user = User(username=username, full_name=username, role="agent", org_unit=unit)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def desk(user_of):
    """阳泉经开区: two agents, one case each (opened by the zone's operator), a ticket assigned to a department."""
    op = user_of("yq-etdz")
    agent, other = _agent("yq-agent", op.org_unit), _agent("yq-agent-2", op.org_unit)
    project, item = ProjectFactory(), ServiceItemFactory()
    mine = casework.case_open(user=op, project=project, item=item, agent=agent)
    theirs = casework.case_open(user=op, project=project, item=item, agent=other)
    queued = ticket(op, text="企业反映用电报装进度慢", department="企业服务中心")
    return {"agent": agent, "other": other, "mine": mine, "theirs": theirs, "ticket": queued, "project": project,
            "item": item}


def grant_queue(user: User) -> User:
    """Add `user` to the queue group; a fresh copy, since permissions are cached on the instance."""
    ensure_role_groups()
    user.groups.add(Group.objects.get(name=QUEUE_GROUP))
    return User.objects.get(pk=user.pk)


def state() -> tuple:
    """What a refused assignment must leave as it was."""
    return (sorted(Ticket.objects.values_list("pk", "status", "department", "assigned_at")),
            TicketEvent.objects.count(), ServiceCase.objects.count(), CaseEvent.objects.count(),
            ObjectChange.objects.count())


def test_only_agents_without_the_grant_are_narrowed(desk, user_of):
    assert [sees_unit_queue(user_of(u)) for u in ("yq-etdz", "yangquan", "province-viewer")] == [True] * 3
    assert sees_unit_queue(desk["agent"]) is False
    assert sees_unit_queue(grant_queue(desk["agent"])) is True


def test_agent_sees_the_cases_assigned_to_them_on_the_page_and_api(client, token_of, desk):
    client.force_login(desk["agent"])
    page = client.get("/services/cases/")
    assert [c.pk for c in page.context["page"].object_list] == [desk["mine"].pk]
    assert page.context["stats"].cases == 1
    assert client.get(f"/services/cases/{desk['theirs'].pk}/").status_code == 404
    auth = token_of("yq-agent")
    assert [c["id"] for c in client.get("/api/v1/cases", **auth).json()["items"]] == [desk["mine"].pk]
    assert client.get("/api/v1/cases/stats", **auth).json()["cases"] == 1
    assert client.post(f"/api/v1/cases/{desk['theirs'].pk}/advance", {"to": "in_progress"}, content_type=JSON,
                       **auth).status_code == 404
    moved = client.post(f"/api/v1/cases/{desk['mine'].pk}/advance", {"to": "in_progress"}, content_type=JSON, **auth)
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    services_page = client.get(f"/services/projects/{desk['project'].pk}/")
    assert [c.pk for c in services_page.context["cases"]] == [desk["mine"].pk]


def test_agent_sees_the_units_queue_only_when_granted(client, token_of, desk):
    auth = token_of("yq-agent")
    assert client.get("/api/v1/tickets", **auth).json()["count"] == 0
    assert client.get(f"/api/v1/tickets/{desk['ticket'].pk}", **auth).status_code == 404
    client.force_login(desk["agent"])
    assert client.get("/services/tickets/").context["page"].paginator.count == 0
    granted = grant_queue(desk["agent"])
    assert [t["id"] for t in client.get("/api/v1/tickets", **auth).json()["items"]] == [desk["ticket"].pk]
    assert sorted(c["id"] for c in client.get("/api/v1/cases", **auth).json()["items"]) == sorted(
        [desk["mine"].pk, desk["theirs"].pk])
    client.force_login(granted)
    assert client.get("/services/tickets/").context["page"].paginator.count == 1


def test_agent_sees_the_tickets_they_received(client, token_of, desk):
    own = ticket(desk["agent"], text="来电咨询用地政策")  # received, left unassigned
    assert [t["id"] for t in client.get("/api/v1/tickets", **token_of("yq-agent")).json()["items"]] == [own.pk]


def test_agent_may_not_assign_a_ticket_by_service_api_or_page(client, token_of, desk):
    agent = grant_queue(desk["agent"])
    t, before = desk["ticket"], state()
    with pytest.raises(NotPermitted, match="您没有权限分派诉求") as refused:
        services.ticket_assign(user=agent, ticket=t, department="财政局")
    assert refused.value.status == 403
    resp = client.post(f"/api/v1/tickets/{t.pk}/assign", {"department": "财政局"}, content_type=JSON,
                       **token_of("yq-agent"))
    assert resp.status_code == 403 and resp.json()["detail"] == "您没有权限分派诉求：代办员不能分派或改派诉求"
    client.force_login(agent)
    page = client.post(f"/services/tickets/{t.pk}/assign/", {"department": "财政局"})
    assert page.status_code == 403 and "您没有权限分派诉求" in page.content.decode()
    assert state() == before
    detail = client.get(f"/services/tickets/{t.pk}/").content.decode()
    assert "/assign/" not in detail and "/start/" in detail  # may work it, not assign it
    assert client.post(f"/api/v1/tickets/{t.pk}/start", {"note": "已联系"}, content_type=JSON,
                       **token_of("yq-agent")).json()["status"] == "in_progress"


def test_agent_may_receive_but_not_assign_a_new_ticket(client, token_of, desk, zone_by_code):
    before = state()
    body = {"zone": "S147007", "category": "service", "text": "企业咨询", "department": "财政局"}
    resp = client.post("/api/v1/tickets", body, content_type=JSON, **token_of("yq-agent"))
    assert resp.status_code == 403 and resp.json()["detail"].startswith("您没有权限分派诉求")
    client.force_login(desk["agent"])
    form = {"zone": zone_by_code("S147007").pk, "channel": "phone", "category": "service", "text": "企业咨询",
            "department": "财政局"}
    assert client.post("/services/tickets/new/", form).status_code == 403
    assert state() == before
    assert 'name="department"' not in client.get("/services/tickets/new/").content.decode()
    received = client.post("/api/v1/tickets", {**body, "department": ""}, content_type=JSON, **token_of("yq-agent"))
    assert received.status_code == 201 and received.json()["status"] == "new"


def test_agent_may_not_open_a_case_by_service_api_or_page(client, token_of, desk):
    agent, before = grant_queue(desk["agent"]), state()
    with pytest.raises(NotPermitted, match="您没有权限分派代办件"):
        casework.case_open(user=agent, project=desk["project"], item=desk["item"], agent=agent)
    body = {"project": desk["project"].pk, "item": desk["item"].pk, "agent": "yq-agent-2"}
    resp = client.post("/api/v1/cases", body, content_type=JSON, **token_of("yq-agent"))
    assert resp.status_code == 403 and resp.json()["detail"] == "您没有权限分派代办件：代办员只办理分派给本人的代办件"
    client.force_login(agent)
    page = client.post(f"/services/projects/{desk['project'].pk}/cases/",
                       {"item": desk["item"].pk, "agent": desk["other"].pk})
    assert page.status_code == 403
    assert state() == before


def test_the_queue_group_grants_that_one_permission(db):
    ensure_role_groups()
    queue = Group.objects.get(name=QUEUE_GROUP)
    assert [p.codename for p in queue.permissions.all()] == ["view_unit_queue"]
    assert not Group.objects.get(name="机构管理员").permissions.filter(codename="view_unit_queue").exists()


def test_an_agents_ticket_count_is_their_own_not_their_zones_tally(desk, client):
    """The list's count comes from the zone's kept tally for everyone who sees the zone's queue; an agent without
    the grant sees only the tickets they received, so their count must be of those, never the zone's figure."""
    agent = desk["agent"]
    ticket(agent, text="代办员本人受理的诉求")
    client.force_login(agent)
    page = client.get("/services/tickets/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1 == Ticket.objects.visible_to(agent).count()
    assert Ticket.objects.filter(zone__org_unit=agent.org_unit).count() == 2  # the zone holds two
    assert selectors.ticket_count(user=agent, filters=selectors.TicketFilters(),
                                  tickets=Ticket.objects.visible_to(agent)).count == 1
    granted = grant_queue(agent)
    assert selectors.ticket_count(user=granted, filters=selectors.TicketFilters(),
                                  tickets=Ticket.objects.visible_to(granted)).count == 2
