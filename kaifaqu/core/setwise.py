"""Set-wise writes: a set of new rows named in one statement parameter, and their change log written by the
database itself.

A bulk import stores 100,000 rows at once. Logging each one from Python means building its snapshot, encoding it
as JSON and handing it to the database that has just stored the row. Here the database renders each snapshot from
the row it stored (`snapshot_sql`) and the log is one INSERT … SELECT (`log_created`). The ledger import does so
on SQLite, whose C code does it in the same process 3 s sooner than Python (100,000 projects); on PostgreSQL,
whose server is already the import's bottleneck, Python builds the rows alongside it (`projects.ledger.writing`).

Parsed, such a snapshot equals the one `changelog.snapshot` takes of the saved instance: decimals as text at the
field's precision, dates ISO, timestamps as DjangoJSONEncoder writes them (tested type by type).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.db import connection, models

from .changelog import log_row_common
from .models import ObjectChange

# json_build_object (PostgreSQL) and json_object (SQLite) take at most 100 and 127 arguments: wider rows are
# rendered in parts, then joined.
PAIRS_PER_CALL = 40


def id_set(ids: list[int]) -> tuple[str, list]:
    """A subquery of the given ids, passed as one parameter whatever their number (an `IN (%s, %s, …)` list
    stops at SQLite's 32,766 variables): an array on PostgreSQL, a JSON array on SQLite."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [list(ids)]
    return "SELECT value FROM json_each(%s)", [json.dumps(list(ids))]


def snapshot_sql(model: type[models.Model], alias: str, attnames: list[str] | None = None) -> str:
    """SQL for the JSON text of `changelog.snapshot` of `model`'s row `alias` (every concrete field, by attname,
    or those `attnames`), for a statement executed with parameters (a literal % is written %%)."""
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if attnames is None or f.attname in attnames]
    pairs = [f"'{f.attname}', {_value_sql(f, f'{alias}.{qn(f.column)}')}" for f in fields]
    call = "json_build_object({})::text" if connection.vendor == "postgresql" else "json_object({})"
    parts = [call.format(", ".join(pairs[i:i + PAIRS_PER_CALL])) for i in range(0, len(pairs), PAIRS_PER_CALL)]
    if len(parts) == 1:
        return parts[0]
    # '{"a": 1}' and '{"b": 2}' → '{"a": 1,"b": 2}' (every part has at least one pair)
    inner = [f"substr({p}, 2, length({p}) - 2)" for p in parts]
    return "'{' || " + " || ',' || ".join(inner) + " || '}'"


def _value_sql(field: models.Field, column: str) -> str:
    """The JSON value `snapshot` writes for `field`, from its column."""
    kind = field.get_internal_type()
    postgres = connection.vendor == "postgresql"
    if kind == "DecimalField":  # text at the field's precision: 383.20, not 383.2
        return f"{column}::text" if postgres else (
            f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%%.{field.decimal_places}f', {column}) END")
    if kind == "DateTimeField":  # DjangoJSONEncoder: milliseconds (when there are any) and Z for UTC
        if postgres:
            utc = f"({column} AT TIME ZONE 'UTC')"
            return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_part('microseconds', {column})"
                    f"::bigint %% 1000000 = 0 THEN '' ELSE to_char({utc}, '.MS') END || 'Z'")
        return (f"CASE WHEN {column} IS NULL THEN NULL WHEN length({column}) > 19 THEN "
                f"replace(substr({column}, 1, 23), ' ', 'T') || 'Z' ELSE replace({column}, ' ', 'T') || 'Z' END")
    if kind == "BooleanField" and not postgres:  # stored as 0 / 1
        return f"json(CASE WHEN {column} IS NULL THEN 'null' WHEN {column} THEN 'true' ELSE 'false' END)"
    if kind in ("DateField", "BooleanField", "CharField", "TextField", "SlugField", "EmailField") or kind.endswith(
            ("IntegerField", "AutoField")) or isinstance(field, models.ForeignKey):
        return column  # dates are stored (SQLite) and rendered (PostgreSQL's JSON) as ISO text
    raise NotImplementedError(f"snapshot_sql: {field.model.__name__}.{field.name} ({kind}) is not supported")


def log_created(model: type[models.Model], ids: list[int], *, label: str, label_params: list | None = None,
                joins: str = "", now) -> None:
    """Log the creation of `model`'s rows `ids` in one INSERT … SELECT, as the acting user in the current request,
    at `now`. In the SQL the row is `o`; `label` is the SQL of its object_repr (what str() of it gives), with its
    `label_params`, and `joins` what that needs."""
    if not ids:
        return
    ids_sql, ids_params = id_set(ids)
    pk = f"o.{connection.ops.quote_name(model._meta.pk.column)}"
    _log(model, "create", now, label, "NULL", f"{joins} WHERE {pk} IN ({ids_sql})",
         [*(label_params or []), *ids_params])


def log_updated(model: type[models.Model], ids: list[int], update: Callable[[], object], *, fields: list[str],
                label: str, now) -> None:
    """Run `update()`, which writes `fields` (attnames) of `model`'s rows `ids`, and log each change (those fields
    before → after) as the acting user in the current request, at `now`: the rows' values are kept in a temporary
    table first, and the log is one INSERT … SELECT from it and the updated rows. `label` as for `log_created` (no
    joins). A row's snapshots hold every field written, not only those whose values changed in that row: rendering
    only those, per row, would cost the database more than the few repeated values weigh."""
    if not ids:
        update()
        return
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    ids_sql, ids_params = id_set(ids)
    with connection.cursor() as cursor:  # (one left by a failed call outside a transaction goes first)
        cursor.execute("DROP TABLE IF EXISTS setwise_before")
        cursor.execute(f"CREATE TEMPORARY TABLE setwise_before AS SELECT o.{pk} AS id, "
                       f"{snapshot_sql(model, 'o', fields)} AS snap FROM {table} o WHERE o.{pk} IN ({ids_sql})",
                       ids_params)
    update()
    _log(model, "update", now, label, "b.snap", f"JOIN setwise_before b ON b.id = o.{pk}", [], fields)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE setwise_before")


def shared_log_values(model: type[models.Model], action: str, now) -> dict[str, object]:
    """What every change-log row of `action` on `model` written `now` shares (`changelog.log_row_common`, and the
    time), by attname, adapted for the database once for all of them."""
    log = ObjectChange._meta
    return {name: log.get_field(name).get_db_prep_save(value, connection)
            for name, value in (log_row_common(model, action) | {"time": now}).items()}


def _log(model: type[models.Model], action: str, now, label: str, before: str, rest: str, params: list,
         attnames: list[str] | None = None) -> None:
    """INSERT … SELECT the log rows of `model`'s rows `o` that `rest` (joins, conditions) selects, their "after"
    snapshots of `attnames` (default: every field)."""
    qn = connection.ops.quote_name
    log = ObjectChange._meta
    shared = shared_log_values(model, action, now)
    fields = [log.get_field(name) for name in [*shared, "object_id", "object_repr", "prechange_data",
                                                 "postchange_data"]]
    constants = list(shared.values())
    pk = f"o.{qn(model._meta.pk.column)}"
    sql = (f"INSERT INTO {qn(log.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"SELECT {', '.join(['%s'] * len(constants))}, CAST({pk} AS text), substr({label}, 1, 200), {before}, "
           f"{snapshot_sql(model, 'o', attnames)} FROM {qn(model._meta.db_table)} o {rest}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *params])
