"""Import, second phase: what the rows refer to (zones, parks, chains, campaigns, the projects they name and
those projects' campaign listings), loaded set-wise in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC

from django.db import connection

from kaifaqu.core.iterables import chunks
from kaifaqu.zones.models import IndustryChain, Park, Zone

from ..models import Campaign, CampaignEntry, Project
from .columns import CHUNK
from .reading import _Row

# ---- import: what the rows refer to, loaded in a fixed number of queries ----------------------------------------

# The fields of the projects a file names: enough to check a row, and the change log's "before" when it is written
# (every field but created_at, which an import never changes: 100,000 timestamps fewer to read and make aware).
ATTNAMES = [f.attname for f in Project._meta.concrete_fields if f.attname != "created_at"]


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded set-wise."""

    zones: dict[str, list[Zone]]
    zone_by_id: dict[int, Zone]
    parks: dict[tuple[int, str], int]
    park_names: dict[int, str]
    chains: dict[str, int]
    campaigns: dict[str, Campaign]
    by_code: dict[str, dict] = field(default_factory=dict)
    by_name: dict[tuple[str, int], list[dict]] = field(default_factory=dict)
    entries: dict[tuple[int, int], str] = field(default_factory=dict)

    def zone(self, text: str) -> Zone | str:
        """The zone a cell names (code, then name, then short name), or why there is none."""
        for key in (f"code:{text}", f"name:{text}", f"short:{text}"):
            if len(found := self.zones.get(key, [])) == 1:
                return found[0]
            if found:
                return f"有多个开发区名为“{text}”，请填写开发区代码"
        return f"开发区“{text}”不存在或不在您的管辖范围内"


def _zone_index(user) -> tuple[dict[str, list[Zone]], dict[int, Zone]]:
    zones = list(Zone.objects.visible_to(user).select_related("org_unit"))
    index: dict[str, list[Zone]] = {}
    for zone in zones:
        for key in {f"code:{zone.code}", f"name:{zone.name}", f"short:{zone.short_name or zone.name}"}:
            index.setdefault(key, []).append(zone)
    return index, {z.pk: z for z in zones}


def _lookups(user, rows: list[_Row]) -> _Lookups:
    zones, zone_by_id = _zone_index(user)
    names = {r.values.get("campaign") for r in rows} - {None, ""}
    parks = [p for ids in chunks(zone_by_id, CHUNK)
             for p in Park.objects.filter(zone_id__in=ids).values("id", "zone_id", "name")]
    campaigns = [c for chunk in chunks(names, CHUNK) for c in Campaign.objects.filter(name__in=chunk)]
    return _Lookups(
        zones=zones, zone_by_id=zone_by_id,
        parks={(p["zone_id"], p["name"]): p["id"] for p in parks}, park_names={p["id"]: p["name"] for p in parks},
        chains=dict(IndustryChain.objects.values_list("name", "id")), campaigns={c.name: c for c in campaigns})


def _load_projects(lookups: _Lookups, rows: list[_Row]) -> None:
    """The projects the rows name by code (in any zone: an invisible one is refused later) or by name and zone,
    and their listings in the file's campaigns."""
    # Not locked: the write is guarded by each project's version instead.
    codes = {r.values["code"] for r in rows if r.values.get("code")}
    names = {r.values["name"] for r in rows if not r.values.get("code") and r.values.get("name")}
    lookups.by_code.update((p["code"], p) for p in _select(Project, ATTNAMES, "code", codes))
    for p in _select(Project, ATTNAMES, "name", names):
        if p["zone_id"] in lookups.zone_by_id:
            lookups.by_name.setdefault((p["name"], p["zone_id"]), []).append(p)
    ids = {p["id"] for p in lookups.by_code.values()} | {p["id"] for ps in lookups.by_name.values() for p in ps}
    campaign_ids = {c.pk for c in lookups.campaigns.values()}
    for e in _select(CampaignEntry, ["campaign_id", "project_id", "batch"], "project_id", ids if campaign_ids else ()):
        if e["campaign_id"] in campaign_ids:
            lookups.entries[(e["campaign_id"], e["project_id"])] = e["batch"]


def _select(model, fields: list[str], key: str, values: Iterable) -> Iterator[dict]:
    """`fields` (attnames) of the rows of `model` whose `key` is among `values`, as dicts with the ORM's values
    (dates, Decimals, bools), without the ORM's cost per value of building the filter and the rows. On PostgreSQL
    one statement per 50,000 values (`= ANY(array)`), whose driver already returns the ORM's values; on SQLite
    `IN (…)` in chunks under its variable limit, each value passed through the converters the ORM would apply."""
    values, meta, qn = list(values), model._meta, connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    stamps = [i for i, f in enumerate(fields) if meta.get_field(f).get_internal_type() == "DateTimeField"]
    columns = ", ".join(f"({qn(meta.get_field(f).column)} AT TIME ZONE 'UTC')" if postgres and i in stamps
                        else qn(meta.get_field(f).column) for i, f in enumerate(fields))
    sql = f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {qn(meta.get_field(key).column)}"
    with connection.cursor() as cursor:
        if postgres:
            # Timestamps come as UTC wall time, read by the driver's C loader, and are made aware here: Django's
            # own loader for them is Python, half a second for 100,000 projects.
            for chunk in chunks(values, 50_000):
                cursor.execute(f"{sql} = ANY(%s)", [chunk])
                for row in cursor.fetchall():
                    if stamps:
                        row = list(row)
                        for i in stamps:
                            row[i] = row[i] and row[i].replace(tzinfo=UTC)
                    yield dict(zip(fields, row, strict=True))
            return
        converters = _converters(model, fields)
        for chunk in chunks(values, 5_000):
            cursor.execute(f"{sql} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            for row in cursor.fetchall():
                row = list(row)
                for i, col, convert in converters:
                    row[i] = convert(row[i], col, connection)
                yield dict(zip(fields, row, strict=True))


def _converters(model, fields: list[str]) -> list[tuple[int, object, Callable]]:
    """(position, column, converter) for each converter the ORM applies to these fields' values."""
    out = []
    for i, name in enumerate(fields):
        col = model._meta.get_field(name).get_col(model._meta.db_table)
        convert_all = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        out += [(i, col, convert) for convert in convert_all]
    return out
