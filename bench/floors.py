"""The floors of the selectors and pages: for each measurement, one hand-written SQL statement that computes the
same figures over the same rows (the same scope, campaign set and conditions; the page's rows with the names it
shows), so that time ÷ floor is what the ORM, Python and the templates add. Values are the bench's own (dates,
ids), written into the SQL as literals; NULL dates count as "not yet", as the selectors' conditions do."""

from __future__ import annotations

from datetime import date

NEVER = "'9999-12-31'"


def scope_sql(user, alias: str = "p") -> str:
    """The projects `user` may see: every one for a superuser, else those of the zones under the user's unit."""
    if user.is_superuser:
        return "1 = 1"
    return (f"{alias}.zone_id IN (SELECT z.id FROM zones_zone z JOIN accounts_orgunit u ON u.id = z.org_unit_id "
            f"WHERE u.path LIKE '{user.org_unit.path}%')")


def _on(column: str, d: date) -> str:
    return f"COALESCE(p.{column}, {NEVER}) <= '{d.isoformat()}'"


def conditions(d: date) -> dict[str, str]:
    """SPEC §4's as-of conditions (selectors.alive_on, started_by …) in SQL."""
    return {
        "alive": f"COALESCE(p.terminated_on, {NEVER}) > '{d.isoformat()}'",
        "started": f"({_on('started_on', d)} OR {_on('producing_on', d)} OR {_on('at_capacity_on', d)})",
        "producing": f"({_on('producing_on', d)} OR {_on('at_capacity_on', d)})",
        "capacity": f"(p.type = 'industrial' AND {_on('at_capacity_on', d)})",
    }


def listed(campaign_ids: list[int], since: date | None) -> tuple[str, dict[str, str]]:
    """(FROM … WHERE-able join, the batch flags) of the projects listed in the campaigns: from their listing dates
    when the set is every campaign since a date, else joined to their entries grouped by project."""
    if since is not None:
        flags = {b: f"p.{b}_listed_on >= '{since.isoformat()}'" for b in ("sign", "start", "produce")}
        return f"FROM projects_project p WHERE ({' OR '.join(flags.values())})", flags
    ids = ", ".join(str(i) for i in campaign_ids)
    marks = ", ".join(f"MAX(CASE WHEN batch = '{b}' THEN 1 ELSE 0 END) AS in_{b}" for b in ("sign", "start", "produce"))
    join = (f"FROM projects_project p JOIN (SELECT project_id, {marks} FROM projects_campaignentry "
            f"WHERE campaign_id IN ({ids}) GROUP BY project_id) l ON l.project_id = p.id WHERE 1 = 1")
    return join, {b: f"l.in_{b} = 1" for b in ("sign", "start", "produce")}


def _count(cond: str) -> str:
    return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def _sum(cond: str, column: str) -> str:
    return f"SUM(CASE WHEN {cond} THEN p.{column} ELSE 0 END)"


def campaign_stats_sql(user, campaign_ids: list[int], since: date | None, as_of: date) -> str:
    """campaign_stats: per batch the count and Σ total investment, those followed up and their investment (Σ
    completed for 投产率), and for produce the industrial base."""
    source, flags = listed(campaign_ids, since)
    c = conditions(as_of)
    followed = {"sign": f"{c['started']} AND {c['alive']}", "start": f"{c['producing']} AND {c['alive']}",
                "produce": f"{c['capacity']} AND {c['alive']}"}
    figures = []
    for batch, weight in (("sign", "total_investment"), ("start", "completed_investment"),
                          ("produce", "total_investment")):
        flag = flags[batch]
        figures += [_count(flag), _sum(flag, "total_investment"), _count(f"{flag} AND {followed[batch]}"),
                    _sum(f"{flag} AND {followed[batch]}", weight)]
    industrial = f"{flags['produce']} AND p.type = 'industrial'"
    figures += [_count(industrial), _sum(industrial, "total_investment")]
    return f"SELECT {', '.join(figures)} {source} AND {scope_sql(user)}"


def composition_sql(user, campaign_ids: list[int], since: date | None, key_chains: list[int]) -> str:
    """campaign_composition: count, Σ investment and output, ≥10亿 and ≥1亿, key chains, strategic industrial."""
    source, _flags = listed(campaign_ids, since)
    keys = ", ".join(str(i) for i in key_chains) or "NULL"
    figures = ["COUNT(*)", "SUM(p.total_investment)", "SUM(p.expected_annual_output)",
               _count("p.total_investment >= 100000"), _sum("p.total_investment >= 100000", "total_investment"),
               _count("p.total_investment >= 10000"), _count(f"p.chain_id IN ({keys})"),
               _sum(f"p.chain_id IN ({keys})", "total_investment"), _count("p.type = 'industrial'"),
               _count("p.type = 'industrial' AND p.strategic_emerging")]
    return f"SELECT {', '.join(figures)} {source} AND {scope_sql(user)}"


def three_un_sql(user, campaign_ids: list[int], since: date | None, as_of: date, limit: int) -> str:
    """three_un: each list's size and its first `limit` projects in ledger order, with zone, city, days in
    stage's dates and the batch of the latest listing among the campaigns."""
    source, flags = listed(campaign_ids, since)
    c = conditions(as_of)
    tag = (f"CASE WHEN {flags['sign']} AND {c['alive']} AND NOT {c['started']} THEN 'signed_not_started' "
           f"WHEN {c['alive']} AND {c['started']} AND NOT {c['producing']} THEN 'started_not_producing' "
           f"WHEN {c['alive']} AND p.type = 'industrial' AND {c['producing']} AND NOT {c['capacity']} "
           f"THEN 'producing_not_at_capacity' END")
    ids = ", ".join(str(i) for i in campaign_ids)
    latest = (f"(SELECT e.batch FROM projects_campaignentry e JOIN projects_campaign k ON k.id = e.campaign_id "
              f"WHERE e.project_id = w.id AND e.campaign_id IN ({ids}) ORDER BY k.date DESC LIMIT 1)")
    inner = (f"SELECT {tag} AS list, p.id, p.code, p.name, p.zone_id, p.total_investment, p.completed_investment, "
             f"p.stage, p.signed_on, p.started_on, p.producing_on, p.planned_start_on, p.planned_production_on, "
             f"p.planned_capacity_on {source} AND {scope_sql(user)}")
    ranked = (f"SELECT t.*, ROW_NUMBER() OVER (PARTITION BY list ORDER BY zone_id, code) AS rn, "
              f"COUNT(*) OVER (PARTITION BY list) AS n FROM ({inner}) t WHERE list IS NOT NULL")
    return (f"SELECT w.*, z.code, z.name, r.name, {latest} FROM ({ranked}) w JOIN zones_zone z ON z.id = w.zone_id "
            f"LEFT JOIN zones_region r ON r.id = z.city_id WHERE w.rn <= {limit}")


PAGE_COLUMNS = ("p.id, p.code, p.name, p.type, p.stage, p.strategic_emerging, p.total_investment, "
                "p.completed_investment, p.signed_on, p.started_on, p.producing_on, z.name, z.short_name, "
                "r.name, ch.name")
PAGE_JOINS = ("FROM projects_project p JOIN zones_zone z ON z.id = p.zone_id LEFT JOIN zones_region r "
              "ON r.id = z.city_id LEFT JOIN zones_industrychain ch ON ch.id = p.chain_id")
SUMS = "SUM(total_investment), SUM(completed_investment), SUM(annual_planned_investment)"


def project_page_sql(user, where: str = "", limit: int = 10_000) -> str:
    """The project list page: its first 50 rows with their zone, city and chain, and the list's count and
    totals — from the kept tally for the scope alone, else counted over at most `limit` + 1 matching rows."""
    scope = scope_sql(user)
    if not where:
        tally = "" if user.is_superuser else f"WHERE {scope_sql(user, 'projects_projecttally')}"
        totals = f"SELECT SUM(count), {SUMS} FROM projects_projecttally {tally}"
    else:
        totals = (f"SELECT COUNT(*), {SUMS} FROM (SELECT p.total_investment, p.completed_investment, "
                  f"p.annual_planned_investment FROM projects_project p WHERE {scope} AND {where} "
                  f"LIMIT {limit + 1}) b")
    return (f"SELECT {PAGE_COLUMNS}, t.* {PAGE_JOINS} CROSS JOIN ({totals}) t WHERE {scope}"
            f"{' AND ' + where if where else ''} ORDER BY p.zone_id, p.code LIMIT 50")


def overdue_sql(d: date) -> str:
    """selectors.overdue_condition: alive, past its planned start not started or past its planned production
    not producing, and beyond negotiation."""
    c, day = conditions(d), f"'{d.isoformat()}'"
    late = (f"((COALESCE(p.planned_start_on, {NEVER}) < {day} AND NOT {c['started']}) OR "
            f"(COALESCE(p.planned_production_on, {NEVER}) < {day} AND NOT {c['producing']}))")
    return f"{c['alive']} AND {late} AND p.stage NOT IN ('reserve', 'negotiating')"


def zone_page_sql(limit: int) -> str:
    """The zone list (national): `limit` zones in the list's order with their city, county and province, and
    the count."""
    return ("SELECT z.*, c.name, co.name, pr.name, (SELECT COUNT(*) FROM zones_zone) FROM zones_zone z "
            "LEFT JOIN zones_region c ON c.id = z.city_id LEFT JOIN zones_region co ON co.id = z.county_id "
            "LEFT JOIN zones_region pr ON pr.id = z.province_id "
            f"ORDER BY c.code, z.level DESC, z.code LIMIT {limit}")
