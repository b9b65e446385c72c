"""A project's dates: the stages reached (listed at a campaign, pinned by the seeds, or drawn for a demo stage),
its termination, and its planned dates, all consistent with SPEC §4."""

from __future__ import annotations

import random
from datetime import date

from ..choices import DATED_STAGES, STAGE_DATE_FIELD, Batch, Stage
from ..models import Project
from .common import CAMPAIGNS, IND, C, P, S, T, days
from .plans import Ctx, Plan
from .vocabulary import TERMINATIONS

DEMO_START = date(2021, 1, 1)
NEXT = {S: T, T: P, P: C}
GAP = {T: (30, 300), P: (150, 600), C: (60, 400)}  # days from the stage before
ENTRY = {Batch.SIGN: S, Batch.START: T, Batch.PRODUCE: P}
FOLLOW_UP = {Batch.SIGN: 0.85, Batch.START: 0.7, Batch.PRODUCE: 0.75}  # chance of reaching the next stage
DEMO_WINDOW = {S: 540, T: 900, P: 1500, C: 2000}  # how far back the first date of a project at that stage lies


def timeline(ctx: Ctx, rng: random.Random, plan: Plan, industrial: bool) -> tuple[dict[Stage, date], date | None]:
    """The dates of the stages reached, and the termination date if the project was terminated."""
    if plan.pins:
        dates = {Stage(k): v for k, v in plan.pins.items()}
        ended = advance(rng, dates, industrial, ctx.today) if plan.after == "go" else None
        return dates, ended
    if plan.campaign:
        dates = listed_dates(rng, plan.batch, CAMPAIGNS[plan.campaign])
        ended = advance(rng, dates, industrial, ctx.today, as_of=ctx.as_of, followed=plan.followed,
                        after=plan.after, first_go=FOLLOW_UP[plan.batch])
        return dates, ended
    return demo_dates(rng, plan.stage, industrial, ctx.today)


def listed_dates(rng: random.Random, batch: str, held: date) -> dict[Stage, date]:
    """Dates up to the stage a project was listed in at a campaign held on `held`; one in four listed beyond
    签约 enters without a known signing date (SPEC §4: a project may enter at any stage)."""
    entry = ENTRY[batch]
    d = held - days(rng.choice((0, 0, rng.randint(1, 40))))
    dates = {entry: d}
    for stage in reversed(DATED_STAGES[: DATED_STAGES.index(entry)]):
        if stage == S and rng.random() < 0.25:
            break
        d -= days(rng.randint(*GAP[NEXT[stage]]))
        dates[stage] = d
    return dates


def last_stage(dates: dict[Stage, date]) -> Stage:
    return max(dates, key=DATED_STAGES.index)


def advance(rng: random.Random, dates: dict[Stage, date], industrial: bool, until: date, *, as_of: date | None = None,
            followed: bool | None = None, after: str = "go", first_go: float = 0.75) -> date | None:
    """Move a project on through its later stages, none after `until`. If `followed` is given, its next stage is
    reached by `as_of` (True) or not (False: reached later, never, or terminated after `as_of`, per `after`).
    Returns the termination date when it was terminated."""
    first = True
    while (nxt := NEXT.get(last_stage(dates))) and (nxt != C or industrial):
        prev = dates[last_stage(dates)]
        lo, hi = GAP[nxt]
        if first and followed:
            room = (as_of - prev).days
            d = prev + days(rng.randint(min(lo, room // 2), min(hi, room)))
        elif first and followed is False:
            if after != "later":
                return terminate(rng, max(prev, as_of), until) if after == "terminate" else None
            d = max(prev + days(lo), as_of + days(1)) + days(rng.randint(0, hi - lo))
        else:
            r = rng.random()
            if followed is None and r < 0.03:
                return terminate(rng, prev, until)
            if r > (first_go if first else 0.7):
                return None
            d = prev + days(rng.randint(lo, hi))
        if d > until:
            return None
        dates[nxt], first = d, False
    return None


def terminate(rng: random.Random, after: date, until: date) -> date:
    return min(after + days(rng.randint(30, 400)), until)


def demo_dates(rng: random.Random, stage: str, industrial: bool, until: date) -> tuple[dict[Stage, date], date | None]:
    """Dates from 2021 up to `stage` (a terminated project stopped after signing or starting)."""
    if stage in (Stage.RESERVE, Stage.NEGOTIATING):
        return {}, None
    reach = rng.choice([S, S, T]) if stage == Stage.TERMINATED else (stage if industrial or stage != C else P)
    order = DATED_STAGES[: DATED_STAGES.index(reach) + 1]
    gaps = [0] + [rng.randint(*GAP[s]) for s in order[1:]]
    room = (until - DEMO_START).days - 30
    if sum(gaps) > room:
        gaps = [g * room // sum(gaps) for g in gaps]
    latest = until - days(30 + sum(gaps))
    earliest = max(DEMO_START, latest - days(DEMO_WINDOW[reach]))
    d = earliest + days(rng.randint(0, (latest - earliest).days))
    dates = {}
    for s, gap in zip(order, gaps, strict=True):
        d += days(gap)
        dates[s] = d
    if len(dates) > 1 and rng.random() < 0.15:
        del dates[S]  # entered at 开工 or later, signing date unknown
    ended = terminate(rng, dates[last_stage(dates)], until) if stage == Stage.TERMINATED else None
    return dates, ended


def set_stage(rng: random.Random, p: Project, dates: dict[Stage, date], ended: date | None, stage: str) -> None:
    for s in DATED_STAGES:
        setattr(p, STAGE_DATE_FIELD[s], dates.get(s))
    p.terminated_on = ended
    p.termination_reason = rng.choice(TERMINATIONS) if ended else ""
    p.stage = Stage.TERMINATED if ended else (last_stage(dates) if dates else stage)


def set_plan_dates(rng: random.Random, p: Project, today: date) -> None:
    """Planned start, production and capacity dates: near the actual ones, or ahead of the last stage."""
    if p.stage == Stage.NEGOTIATING:
        start = today + days(rng.randint(60, 300))
    elif p.started_on:
        start = p.started_on + days(rng.randint(-45, 20))
    else:
        start = p.signed_on + days(rng.randint(60, 240)) if p.signed_on else None
    if start is None:
        return
    production = p.producing_on + days(rng.randint(-60, 45)) if p.producing_on else start + days(rng.randint(240, 600))
    production = max(production, start + days(60))
    p.planned_start_on, p.planned_production_on = start, production
    if p.type == IND:
        capacity = p.at_capacity_on + days(rng.randint(-45, 45)) if p.at_capacity_on else None
        p.planned_capacity_on = max(capacity or production + days(rng.randint(120, 360)), production + days(30))
