"""Writes of agency service (全代办, 领办代办) and of commitments (承诺制), SPEC §8 and §3.

A case (代办件) is opened for a project in a zone the user may write to, on one of that zone's service items, for
one of the zone's agents; its deadline is the item's statutory limit in working days from acceptance. It moves
受理 → 办理中 → 办结, or is returned (退回) with a reason. A commitment records what the enterprise of a 承诺制
project promised and when the zone must verify it. Each function is atomic and refuses bad input or a step out of
order with a Chinese message, writing nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.roles import can_write
from kaifaqu.core.models import Sequence
from kaifaqu.projects.models import Project

from .choices import CASE_FLOW, CaseAction, CaseStatus
from .errors import NotPermitted, Refused, ServiceError
from .models import CaseEvent, Commitment, ServiceCase, ServiceItem
from .workdays import add_workdays

AGENT_ROLES = (Role.AGENT, Role.OPERATOR, Role.ADMIN)
STEP = {CaseStatus.IN_PROGRESS: CaseAction.START, CaseStatus.DONE: CaseAction.DONE,
        CaseStatus.RETURNED: CaseAction.RETURN}


def today() -> date:
    """Today in Beijing."""
    return timezone.localdate()


def _require_write(user, project: Project, what: str) -> None:
    if not can_write(user, project.zone.org_unit):
        raise NotPermitted(f"项目“{project.name}”不在您可办理的开发区，不能{what}")


def new_case_numbers(count: int) -> list[str]:
    """Stable numbers DB00000001…, reserved in one statement."""
    return [f"DB{n:08d}" for n in Sequence.take("service_case", count)]


def is_zone_agent(agent, project: Project) -> bool:
    """Does `agent` belong to the project's zone (or a unit inside it) with a role that carries cases?"""
    unit = getattr(agent, "org_unit", None)
    return (agent is not None and agent.is_active and agent.role in AGENT_ROLES and unit is not None
            and unit.path.startswith(project.zone.org_unit.path))


# ---- cases ------------------------------------------------------------------------------------------------------

def _check_open(*, project: Project, item: ServiceItem, agent, accepted_on: date, by_commitment: bool) -> None:
    if item.zone_id != project.zone_id:
        raise ServiceError(f"事项“{item.name}”不属于项目所在的{project.zone.name}", "item")
    if not item.active:
        raise ServiceError(f"事项“{item.name}”已停用", "item")
    if not is_zone_agent(agent, project):
        raise ServiceError(f"代办员须为{project.zone.name}的在岗人员", "agent")
    if accepted_on > today():
        raise ServiceError("受理日期不能晚于今天", "accepted_on")
    if by_commitment and not (item.commitment_allowed and project.commitment_system):
        raise ServiceError("只有实行承诺制的项目、可承诺制办理的事项才能按承诺制办理", "by_commitment")


@transaction.atomic
def case_open(*, user, project: Project, item: ServiceItem, agent, accepted_on: date | None = None,
              lead_official: str = "", by_commitment: bool = False, note: str = "") -> ServiceCase:
    """Accept an approval to carry for a project (受理代办件); the deadline is the item's limit in working days
    after acceptance. An agent (代办员) assigns no case, not even to themselves (403)."""
    if getattr(user, "role", None) == Role.AGENT and not user.is_superuser:
        raise NotPermitted("您没有权限分派代办件：代办员只办理分派给本人的代办件")
    _require_write(user, project, "登记代办件")
    accepted_on = accepted_on or today()
    _check_open(project=project, item=item, agent=agent, accepted_on=accepted_on, by_commitment=by_commitment)
    case = ServiceCase.objects.create(
        number=new_case_numbers(1)[0], project=project, item=item, agent=agent,
        lead_official=(lead_official or project.lead_official).strip()[:50], by_commitment=by_commitment,
        accepted_on=accepted_on, deadline=add_workdays(accepted_on, item.limit_days), note=note.strip()[:300])
    CaseEvent.objects.create(case=case, action=CaseAction.ACCEPT, on=accepted_on, user=_actor(user),
                             note=f"代办员{agent}，{item.limit_days}个工作日内（{case.deadline:%Y-%m-%d}前）办结")
    return case


def _actor(user):
    return user if getattr(user, "pk", None) else None


def can_work_case(user, case: ServiceCase) -> bool:
    """The case's own agent, or an operator or admin of the project's zone."""
    return (getattr(user, "pk", None) is not None and case.agent_id == user.pk) or can_write(
        user, case.project.zone.org_unit)


def _check_advance(case: ServiceCase, to: str, on: date, reason: str) -> None:
    current = CaseStatus(case.status)
    if to not in CaseStatus.values:
        raise ServiceError(f"未知的状态：{to}", "to")
    if to not in CASE_FLOW[current]:
        raise Refused(f"代办件当前为“{current.label}”，不能改为“{CaseStatus(to).label}”")
    if on > today():
        raise ServiceError("日期不能晚于今天", "on")
    if on < (case.started_on or case.accepted_on):
        raise ServiceError(f"日期不能早于{'开始办理' if case.started_on else '受理'}日期", "on")
    if to == CaseStatus.RETURNED and not reason.strip():
        raise ServiceError("退回须填写原因", "reason")


@transaction.atomic
def case_advance(*, user, case: ServiceCase, to: str, on: date | None = None, reason: str = "") -> ServiceCase:
    """Move a case on: 受理 → 办理中 → 办结, or 退回 with a reason. Refused (409) out of order."""
    current = ServiceCase.objects.select_for_update().select_related("project__zone__org_unit").get(pk=case.pk)
    if not can_work_case(user, current):
        raise NotPermitted("只有该件的代办员或开发区填报、管理人员可以办理")
    on = on or today()
    _check_advance(current, to, on, reason)
    current.status = to
    if to == CaseStatus.IN_PROGRESS:
        current.started_on = on
    elif to == CaseStatus.DONE:
        current.done_on, current.on_time = on, on <= current.deadline
    else:
        current.returned_on, current.return_reason = on, reason.strip()[:300]
    current.save()
    said = {CaseStatus.DONE: "按期办结" if current.on_time else "超期办结"}.get(to, reason.strip())
    CaseEvent.objects.create(case=current, action=STEP[to], on=on, user=_actor(user), note=said[:300])
    return current


# ---- commitments --------------------------------------------------------------------------------------------------

@transaction.atomic
def commitment_add(*, user, project: Project, content: str, promised_on: date, verify_by: date) -> Commitment:
    """Record what the enterprise of a 承诺制 project promised and by when the zone verifies it (承诺事项)."""
    _require_write(user, project, "登记承诺事项")
    if not project.commitment_system:
        raise ServiceError("只有实行承诺制的项目才能登记承诺事项", "project")
    content = (content or "").strip()
    if not content:
        raise ServiceError("请填写承诺内容", "content")
    if verify_by < promised_on:
        raise ServiceError("核查期限不能早于承诺日期", "verify_by")
    if promised_on > today():
        raise ServiceError("承诺日期不能晚于今天", "promised_on")
    return Commitment.objects.create(project=project, content=content, promised_on=promised_on, verify_by=verify_by)


@transaction.atomic
def commitment_verify(*, user, commitment: Commitment, verified_on: date, note: str = "") -> Commitment:
    """Record that the zone verified the commitment was kept (核查), once."""
    current = Commitment.objects.select_for_update().select_related("project__zone__org_unit").get(pk=commitment.pk)
    _require_write(user, current.project, "核查承诺事项")
    if current.verified_on is not None:
        raise Refused(f"该承诺已于{current.verified_on:%Y-%m-%d}核查")
    if verified_on > today():
        raise ServiceError("核查日期不能晚于今天", "verified_on")
    if verified_on < current.promised_on:
        raise ServiceError("核查日期不能早于承诺日期", "verified_on")
    current.verified_on, current.verified_by = verified_on, _actor(user)
    current.verification_note = (note or "").strip()[:300]
    current.save()
    return current
