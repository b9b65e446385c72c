"""Kept tallies (core/tally.py): every write path of projects, tickets and leads moves the tally in the same
transaction, so it always equals a count of the table; lost triggers are put back and the tally recounted."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kaifaqu.core import tally
from kaifaqu.investment.models import Lead, LeadTally
from kaifaqu.projects import services
from kaifaqu.projects.choices import Stage
from kaifaqu.projects.models import Project, ProjectTally
from kaifaqu.tickets.models import Ticket, TicketListTally
from kaifaqu.zones.models import Zone
from tests.factories import ProjectFactory
from tests.investment.factories import LeadFactory
from tests.tickets.factories import ticket

pytestmark = pytest.mark.django_db


def kept(zone: Zone) -> dict[str, tuple]:
    return {r.stage: (r.count, r.total_investment, r.completed_investment, r.annual_planned_investment)
            for r in ProjectTally.objects.filter(zone_id=zone.pk) if r.count}


def test_project_writes_move_the_tally(user_of, zone_by_code):
    yq, jz = zone_by_code("S147007"), zone_by_code("G141062")
    a = ProjectFactory(total_investment=Decimal("100.25"), annual_planned_investment=Decimal("7.5"))
    ProjectFactory(total_investment=Decimal("0.75"))
    assert kept(yq) == {"signed": (2, 10100, 0, 750)}
    services.project_transition(user=user_of("province"), project=a, stage=Stage.STARTED, on=date(2023, 6, 1))
    Project.objects.filter(pk=a.pk).update(completed_investment=Decimal("12.34"))
    assert kept(yq) == {"signed": (1, 75, 0, 0), "started": (1, 10025, 1234, 750)}
    Project.objects.filter(pk=a.pk).update(zone=jz)
    assert kept(yq) == {"signed": (1, 75, 0, 0)} and kept(jz) == {"started": (1, 10025, 1234, 750)}
    Project.objects.bulk_create([Project(code=f"B{i}", name=f"批量{i}", zone=jz, type="industrial",
                                         total_investment=Decimal(1), stage="signed") for i in range(3)])
    Project.objects.filter(zone=yq).delete()
    assert kept(yq) == {} and kept(jz) == {"started": (1, 10025, 1234, 750), "signed": (3, 300, 0, 0)}
    assert tally.drift(ProjectTally) == []


def test_hand_written_sql_moves_the_tally_too(zone_by_code):
    ProjectFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_project SET total_investment = total_investment + 1, stage = 'started'")
        cursor.execute("DELETE FROM projects_project WHERE id = (SELECT min(id) FROM projects_project)")
    assert kept(zone_by_code("S147007")) == {"started": (2, 2000200, 0, 0)}
    assert tally.drift(ProjectTally) == []


def test_ticket_and_lead_writes_move_their_tallies(user_of, zone_by_code):
    t = ticket(user_of("yq-etdz"))
    Ticket.objects.filter(pk=t.pk).update(status="closed")
    ticket(user_of("yq-etdz"))
    assert {(r.status, r.count) for r in TicketListTally.objects.filter(count__gt=0)} == {("closed", 1), ("new", 1)}
    LeadFactory(investment=Decimal("10.10"))
    zoneless = LeadFactory(zone=None, investment=None)
    assert {(r.zone_id > 0, r.owner_unit_id == zoneless.owner_unit_id, r.count, r.investment)
            for r in LeadTally.objects.filter(count__gt=0)} == {(True, False, 1, 1010), (False, True, 1, 0)}
    Lead.objects.filter(pk=zoneless.pk).update(zone=zone_by_code("S147007"), investment=Decimal(2))
    assert LeadTally.objects.get(zone_id=0).count == 0
    assert [tally.drift(m) for m in (TicketListTally, LeadTally)] == [[], []]


def test_lost_triggers_are_put_back_and_the_tally_recounted(zone_by_code):
    tally.uninstall(ProjectTally)
    try:
        ProjectFactory()  # not seen by the tally
        assert tally.drift(ProjectTally) == [(zone_by_code("S147007").pk, "signed")]
        with pytest.raises(CommandError, match="列表汇总表与明细不一致：项目汇总 1 项"):
            call_command("check_tallies")
        assert tally.ensure() == ["projects.ProjectTally"]
        assert tally.drift(ProjectTally) == [] and tally.ensure() == []
        ProjectFactory()
        assert kept(zone_by_code("S147007")) == {"signed": (2, 2000000, 0, 0)}
    finally:
        tally.ensure()


def test_check_tallies_fixes_what_disagrees(capsys):
    ProjectFactory()
    ProjectTally.objects.update(count=5)
    call_command("check_tallies", "--fix")
    assert "已重装触发器并重算：项目汇总 1 项" in capsys.readouterr().out
    assert tally.drift(ProjectTally) == [] and ProjectTally.objects.get().count == 1
    call_command("check_tallies")
    assert "全部列表汇总表与明细一致" in capsys.readouterr().out


def test_a_flush_leaves_the_tallies_empty_with_their_tables():
    ProjectFactory.create_batch(2)
    if connection.vendor == "postgresql":  # (the test's open transaction holds deferred key checks)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    assert ProjectTally.objects.filter(count__gt=0).count() == 0 and not ProjectTally.objects.filter(count__lt=0)
    assert tally.drift(ProjectTally) == []
