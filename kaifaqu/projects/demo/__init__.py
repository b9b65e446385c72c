"""Demo data of the projects app.

`seed_scenario_load` builds the projects behind seed 003's figures: 阳泉's five campaigns since 2023 (as of
2024-03-31), 晋中's 2024 second campaign and 晋中's five campaigns since 2023, so that the selectors print the
articles' numbers. `demo_projects_load` gives every Shanxi zone a generated, realistic project portfolio.

Both are deterministic (seeded `random.Random`), idempotent (their rows are known by a code prefix, SEED- and
DEMO-, and only missing codes are created) and set-based. Generated rows say so in their `note`. Floats only pick
sizes; every amount is a whole number of 万元 held as Decimal, and the seeds' sums are met exactly.

The modules, from the bottom up:
    common        notes, the province, the campaign calendar, project-type and stage shorthands
    amounts       amounts in 万元: tidy, spread and fit to an exact total
    vocabulary    sectors, chains, name templates, builders, people, problems (also used by other apps' demos)
    plans         `Plan` (one project to build) and `Ctx` (what a load reads first), campaigns ensured
    dates         stage dates, termination and planned dates consistent with SPEC §4
    figures       investment, output, jobs, land, flags and people of a project
    extras        节点计划, 月度进展 and 存在问题 rows of a built project
    builder       plans → unsaved projects → set-based writes with listings and the change log
    seed          seed 003's scenario: 阳泉 and 晋中 (`seed_scenario_load`)
    portfolios    generated portfolios of every Shanxi zone (`demo_projects_load`)
"""

from .amounts import spread
from .common import DEMO_NOTE, SEED_NOTE
from .portfolios import demo_projects_load
from .seed import seed_scenario_load
from .vocabulary import BRANDS, CHAIN_OF, SECTOR_OF, SUFFIX, person, template, type_of

__all__ = [
    "BRANDS",
    "CHAIN_OF",
    "DEMO_NOTE",
    "SECTOR_OF",
    "SEED_NOTE",
    "SUFFIX",
    "demo_projects_load",
    "person",
    "seed_scenario_load",
    "spread",
    "template",
    "type_of",
]
