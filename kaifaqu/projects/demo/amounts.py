"""Amounts (万元) as ledgers write them: tidied, spread log-normally and fitted to an exact total."""

from __future__ import annotations

import math
import random


def tidy(x: float) -> int:
    """An amount as ledgers write it: 123,000 / 12,300 / 1,230 / 123."""
    step = 1000 if x >= 100_000 else 100 if x >= 10_000 else 10 if x >= 1_000 else 1
    return max(1, int(round(x / step)) * step)


def fit_to_total(values: list[float], total: int, bounds: list[tuple[int, int]]) -> list[int]:
    """Move `values` within their bounds, proportionally to each one's room, then tidy them so that they sum
    exactly to `total` (the rounding residue goes to the smallest amounts that can take it)."""
    if not sum(lo for lo, _ in bounds) <= total <= sum(hi for _, hi in bounds):
        raise ValueError(f"{total} cannot be split within {bounds}")
    x = [min(max(v, lo), hi) for v, (lo, hi) in zip(values, bounds, strict=True)]
    gap = total - sum(x)
    room = [(hi - v) if gap > 0 else (v - lo) for v, (lo, hi) in zip(x, bounds, strict=True)]
    x = [v + gap * r / sum(room) if any(room) else v for v, r in zip(x, room, strict=True)]
    out = [min(max(tidy(v), lo), hi) for v, (lo, hi) in zip(x, bounds, strict=True)]
    rest = total - sum(out)
    for i in sorted(range(len(out)), key=lambda i: out[i]):
        lo, hi = bounds[i]
        step = max(lo - out[i], min(hi - out[i], rest))
        out[i], rest = out[i] + step, rest - step
    assert rest == 0
    return out


def spread(rng: random.Random, total: int, n: int, lo: int, hi: int, fixed: list[int]) -> list[int]:
    """The fixed amounts, then `n` log-normally spread ones between lo and hi; all sum exactly to `total`."""
    weights = [rng.lognormvariate(0, 1.0) for _ in range(n)]
    scale = (total - sum(fixed)) / sum(weights) if n else 0
    # Redraw the ones outside the bounds rather than clamp them, so that no two sit exactly on a bound.
    free = [v if lo <= v <= hi else rng.uniform(0.5, 0.95) * hi if v > hi else rng.uniform(1.05, 2) * lo
            for v in (w * scale for w in weights)]
    return fit_to_total([float(f) for f in fixed] + free, total, [(f, f) for f in fixed] + [(lo, hi)] * n)


def one_amount(rng: random.Random, lo: int = 500, hi: int = 300_000, median: float = 12_000) -> int:
    """One project's total investment: log-normal around `median`, between lo and hi (redrawn outside them)."""
    for _ in range(100):
        amount = tidy(rng.lognormvariate(math.log(median), 1.25))
        if lo <= amount <= hi:
            return amount
    return median
