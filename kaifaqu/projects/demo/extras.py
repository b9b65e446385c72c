"""The rows hanging off a built project: 节点计划 (milestones), 月度进展 (progress reports) and 存在问题
(problems)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from ..choices import Milestone
from ..models import Problem, ProgressReport, Project, ProjectMilestone
from .common import IND, S, T, days
from .vocabulary import PROBLEMS, PROGRESS, RESOLUTIONS


def milestones(rng: random.Random, p: Project, until: date) -> list[ProjectMilestone]:
    """节点计划 of a started project: permits before the start, works after it; a late, undone one is overdue."""
    if not p.started_on:
        return []
    until = p.terminated_on or until
    begin = p.signed_on or p.started_on - days(rng.randint(90, 240))
    pre = [Milestone.FILING, Milestone.LAND, Milestone.PLANNING, Milestone.CONSTRUCTION]
    span = (p.started_on - begin).days
    out = []
    for i, name in enumerate(pre, 1):
        actual = begin + days(span * i // len(pre))
        out.append(ProjectMilestone(project=p, name=name, planned_on=actual + days(rng.randint(-20, 15)),
                                    actual_on=actual))
    post = [Milestone.STRUCTURE, Milestone.EQUIPMENT, Milestone.TRIAL] if p.type == IND else [Milestone.STRUCTURE]
    end = p.producing_on or p.planned_production_on or p.started_on + days(540)
    length = max((end - p.started_on).days, 30)
    done = True
    for name, share in zip(post, (0.5, 0.8, 0.95), strict=False):
        planned = p.started_on + days(int(length * share))
        if p.terminated_on and planned > p.terminated_on:
            break  # no works planned after the project was given up
        actual = min(planned + days(rng.randint(-15, 30)), p.producing_on) if p.producing_on else (
            planned + days(rng.randint(-15, 40)))
        done = done and (bool(p.producing_on) or rng.random() < 0.75) and actual <= until
        out.append(ProjectMilestone(project=p, name=name, planned_on=planned,
                                    actual_on=max(actual, p.started_on) if done else None))
    return out


def month_start(d: date) -> date:
    return d.replace(day=1)


def progress_reports(rng: random.Random, p: Project, until: date) -> list[ProgressReport]:
    """月度进展 for some started projects: up to twelve months, cumulative investment rising to the project's."""
    if not p.started_on or rng.random() > 0.45:
        return []
    end = month_start(p.producing_on or p.terminated_on or until)
    first = max(month_start(p.started_on), month_start(end - days(330)))
    months = []
    while first <= end:
        months.append(first)
        first = month_start(first + days(32))
    final = p.completed_investment
    out = []
    for i, month in enumerate(months, 1):
        value = final if i == len(months) else (final * Decimal(i) / Decimal(len(months))).quantize(Decimal(1))
        note = PROGRESS[min(len(PROGRESS) - 1, (i - 1) * len(PROGRESS) // len(months))]
        out.append(ProgressReport(project=p, month=month, completed_investment=value,
                                  note=f"{note}，累计完成投资{value}万元"))
    return out


def problems(rng: random.Random, p: Project, until: date) -> list[Problem]:
    """存在问题 of some signed or started projects, half of them resolved."""
    since = p.started_on or p.signed_on
    if p.stage not in (S, T) or not since or rng.random() > 0.25:
        return []
    raised = since + days(rng.randint(0, max(0, (until - since).days)))
    description, department = rng.choice(PROBLEMS)
    city = p.zone.city.name if p.zone.city else ""
    problem = Problem(project=p, description=description, raised_on=raised,
                      responsible=department if department.startswith(("管委会", "建设")) else city + department)
    resolved = raised + days(rng.randint(7, 120))
    if rng.random() < 0.5 and resolved <= until:
        problem.resolved_on, problem.resolution = resolved, rng.choice(RESOLUTIONS)
    return [problem]
