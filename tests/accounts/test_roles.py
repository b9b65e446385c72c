"""The role helpers of SPEC §2 that items of issue 15 rest on: who sees their unit's whole queue of cases and
tickets (every role but an agent not granted it), and who may convert a signed lead (writers and promoters of
the zone's subtree)."""

import pytest
from django.contrib.auth.models import Permission

from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.models import OrgUnit, User
from kaifaqu.accounts.roles import can_convert_lead, sees_unit_queue

pytestmark = pytest.mark.django_db
ZONE, OTHER_CITY_ZONE = "S147007", "X140700-01"  # 阳泉经开区; 晋中开发区


def person(role: str, unit: str, **extra) -> User:
    return User.objects.create(username=f"{role}-{unit}", role=role, org_unit=OrgUnit.objects.get(code=unit),
                               **extra)


@pytest.mark.parametrize(("role", "sees"), [(r, r != Role.AGENT) for r in Role.values])
def test_every_role_but_the_agent_sees_the_queue(role, sees):
    assert sees_unit_queue(person(role, ZONE)) is sees


def test_an_agent_sees_the_queue_once_granted_the_permission():
    agent = person(Role.AGENT, ZONE)
    agent.user_permissions.add(Permission.objects.get(codename="view_unit_queue"))
    assert sees_unit_queue(User.objects.get(pk=agent.pk)) is True
    assert sees_unit_queue(person(Role.AGENT, "140300", is_superuser=True)) is True


@pytest.mark.parametrize(("role", "unit", "allowed"), [
    (Role.PROMOTER, ZONE, True), (Role.PROMOTER, "140300", True), (Role.PROMOTER, "140000", True),
    (Role.OPERATOR, ZONE, True), (Role.ADMIN, "140300", True),
    (Role.PROMOTER, OTHER_CITY_ZONE, False), (Role.REVIEWER, "140300", False), (Role.VIEWER, ZONE, False),
    (Role.AGENT, ZONE, False),
])
def test_who_may_convert_a_lead_of_the_zone(role, unit, allowed):
    zone_unit = OrgUnit.objects.get(code=ZONE)
    assert can_convert_lead(person(role, unit), zone_unit) is allowed


def test_an_inactive_promoter_may_not_convert():
    assert can_convert_lead(person(Role.PROMOTER, ZONE, is_active=False), OrgUnit.objects.get(code=ZONE)) is False
