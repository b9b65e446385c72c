"""A project's figures: completed, planned and expected amounts, jobs, land, flags and the people named on it,
consistent with its stage."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from ..models import Project
from .amounts import tidy
from .common import IND, OTHER, S, T
from .plans import Plan
from .vocabulary import METHODS, TITLES, person


def completed_share(rng: random.Random, p: Project, until: date) -> float:
    """Share of the total investment completed: none before the start, most of it once producing."""
    if not p.started_on:
        return 0.0
    if p.producing_on:
        return rng.uniform(0.82, 1.0)
    months = (until - p.started_on).days / 30.4
    pace = 0.045 if p.total_investment < 50_000 else 0.03  # large projects take longer to build
    return min(0.92, 0.08 + pace * months) * rng.uniform(0.75, 1.05)


def set_figures(rng: random.Random, p: Project, plan: Plan, until: date) -> None:
    """Completed and planned investment, output, jobs, land, flags and people, consistent with the stage."""
    total = int(p.total_investment)
    completed = plan.completed if plan.completed is not None else min(tidy(total * completed_share(rng, p, until)),
                                                                       total)
    p.completed_investment = Decimal(completed if p.started_on else 0)
    active = p.stage in (S, T)
    p.annual_planned_investment = (Decimal(min(total - completed, tidy(total * rng.uniform(0.2, 0.5))))
                                   if active and total > completed else None)
    p.expected_annual_output = Decimal(plan.output) if plan.output is not None else natural_output(rng, p.type, total)
    if p.type in (IND, OTHER):
        p.jobs = max(8, int(total / rng.uniform(60, 250)))
        p.land_mu = Decimal(str(round(max(total / rng.uniform(180, 500), 3.0), 2)))
    industrial = p.type == IND
    p.commitment_system = industrial and rng.random() < 0.35
    p.standard_land = industrial and rng.random() < 0.25
    p.promotion_method = rng.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
    dated = bool(p.signed_on or p.started_on)
    p.lead_official = f"{person(rng)}（{rng.choice(TITLES)}）" if dated else ""
    p.agent_name = person(rng) if dated and rng.random() < 0.75 else ""
    p.in_statistics = (plan.in_statistics if plan.in_statistics is not None
                       else bool(p.started_on) and total >= 500 and rng.random() < 0.85)


def natural_output(rng: random.Random, ptype: str, total: int) -> Decimal | None:
    """Expected annual output (万元): industry 0.6–1.8 × investment, services 0.1–0.5 ×, none for facilities."""
    if ptype == IND:
        return Decimal(tidy(total * rng.uniform(0.6, 1.8)))
    if ptype == OTHER:
        return Decimal(tidy(total * rng.uniform(0.1, 0.5)))
    return None
