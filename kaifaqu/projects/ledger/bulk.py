"""Import, the statements that write set-wise: inserts by COPY (PostgreSQL) or executemany (SQLite), with keys
drawn beforehand, and updates guarded by each row's version.

Rows go in this way rather than through bulk_create / bulk_update: the ORM spends some 4 µs compiling each value,
14 s for 100,000 projects alone, past the whole import's 10 s budget. Values pass through the backend's own
adapters, as the ORM would send them."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import cache, partial
from operator import itemgetter

from django.db import connection

from kaifaqu.core.iterables import chunks
from kaifaqu.core.models import SnapshotField

from ..models import Project

SAMPLE_DATE, SAMPLE_DECIMAL = date(2000, 1, 1), Decimal("1.00")


def _adapter(model_field) -> Callable[[object], object] | None:
    """How a (non-null) value of `model_field` goes to the database driver, as the ORM sends it; None: as is
    (also where the backend's adapter hands its value back unchanged: PostgreSQL's dates and every decimal)."""
    ops, kind = connection.ops, model_field.get_internal_type()
    if kind == "DateField":
        return None if ops.adapt_datefield_value(SAMPLE_DATE) is SAMPLE_DATE else ops.adapt_datefield_value
    if kind == "DecimalField":
        adapt = partial(ops.adapt_decimalfield_value, max_digits=model_field.max_digits,
                        decimal_places=model_field.decimal_places)
        return None if adapt(SAMPLE_DECIMAL) is SAMPLE_DECIMAL else adapt
    if isinstance(model_field, SnapshotField):  # the change log's snapshots, JSON-ready already (`_snapshot`)
        return model_field.get_prep_value
    if kind in ("DateTimeField", "UUIDField"):  # one timestamp and one request id for the whole import
        return cache(partial(model_field.get_db_prep_save, connection=connection))
    return None


def _params(columns: list[tuple[str, Callable | None]], records: list[dict]) -> list[list]:
    """Each record's values for `columns` (key, adapter or None), ready for the driver."""
    values = itemgetter(*[key for key, _adapt in columns])
    adapters = [(i, adapt) for i, (_key, adapt) in enumerate(columns) if adapt is not None]
    out = []
    for record in records:
        row = list(values(record))
        for i, adapt in adapters:
            if row[i] is not None:
                row[i] = adapt(row[i])
        out.append(row)
    return out


def _columns(fields: list) -> list[tuple[str, Callable | None]]:
    return [(f.attname, _adapter(f)) for f in fields]


def _insert(model, records: Iterable[dict], with_ids: bool = False) -> None:
    """INSERT `records` (every concrete field but the primary key, by attname): COPY on PostgreSQL, where a
    statement per row (or a huge VALUES list rendered client-side) is many times slower; executemany elsewhere
    (SQLite runs it in-process). `with_ids`: each record (a list, then) gets its new primary key as "id" — on
    PostgreSQL drawn from the table's sequence beforehand, unless `_draw_ids` gave them already, and copied in; on
    SQLite the keys the insert assigned, which are consecutive because the transaction holds SQLite's single write
    lock — so no query reads them back. Records may come from a generator (the change log's and the stage
    history's are built as they are sent)."""
    fields = _fields(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if with_ids:
                if not records or "id" not in records[0]:
                    _reserve_ids(cursor, model, records)
                fields = [model._meta.pk, *fields]
            columns = _columns(fields)
            _copy_in(cursor, model._meta.db_table, [f.column for f in fields],
                     (row for chunk in chunks(records, 5000) for row in _params(columns, chunk)))
            return
        columns = _columns(fields)
        for chunk in chunks(records, 5000):
            cursor.executemany(_insert_sql(model, fields), _params(columns, chunk))
            if with_ids:
                cursor.execute("SELECT last_insert_rowid()")
                last = cursor.fetchone()[0]
                for pk, record in enumerate(chunk, start=last - len(chunk) + 1):
                    record["id"] = pk


def _copy_in(cursor, table: str, columns: list[str], rows: Iterable[list]) -> None:
    """PostgreSQL: COPY `rows` into `columns` of `table` in the binary format, each value dumped for its column's
    type. Text COPY spells out every date, timestamp and number and escapes every string: four times the client's
    work for projects, six times for their stage history (measured over a 100,000-project import's rows)."""
    qn = connection.ops.quote_name
    cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                   "AND NOT attisdropped", [table])
    types = dict(cursor.fetchall())
    with cursor.cursor.copy(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
                            ) as copy:
        copy.set_types([types[c] for c in columns])
        for row in rows:
            copy.write_row(row)


def _insert_sql(model, fields: list) -> str:
    qn = connection.ops.quote_name
    return (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})")


def _prepared(model, records: Iterable[dict]) -> Callable[[], list[list]]:
    """A function giving the rows `_send` sends for `records` (every concrete field but the key, adapted). The
    adapters are taken here, so the function itself asks nothing of the database and may run in another thread."""
    columns = _columns(_fields(model))
    return lambda: _params(columns, list(records))


def _send(model, rows: list[list]) -> None:
    """INSERT rows (every concrete field but the key, adapted: `_prepared`, `writing._log_rows`), as `_insert`
    does."""
    fields = _fields(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_in(cursor, model._meta.db_table, [f.column for f in fields], rows)
            return
        for chunk in chunks(rows, 5000):
            cursor.executemany(_insert_sql(model, fields), chunk)


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _built_while(work: Callable[[], object], statements: Callable[[], object]) -> object:
    """Run `statements()` — database work — and `work()` — Python only, no database — at once, returning what
    `work` returns: on PostgreSQL `work` runs in a second thread while this one waits for the server (the wait frees
    the GIL). On SQLite, whose statements run in this process and take the GIL back for every row, one after the
    other."""
    if connection.vendor != "postgresql":
        statements()
        return work()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # raised below, in this thread
            outcome["error"] = exc

    thread = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
    thread.start()
    try:
        statements()
    finally:
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _check_keys_now(model) -> None:
    """PostgreSQL: check the foreign keys of the rows `model`'s table got in this transaction now rather than at
    commit (Django declares them DEFERRABLE INITIALLY DEFERRED), so that Python builds the next rows meanwhile
    (`_built_while`); deferred again afterwards. SQLite, which runs in this process, checks them at commit."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                       "AND condeferrable", [model._meta.db_table])
        names = ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())
        if names:
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
            cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


def _draw_ids(model, records: list[dict]) -> None:
    """PostgreSQL: give each record its new primary key as "id" before `_insert(with_ids=True)` inserts it, so that
    rows referring to it can be built while it is being inserted. On SQLite the insert assigns the keys, and
    `_built_while` runs it before the Python work."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _reserve_ids(cursor, model, records)


def _reserve_ids(cursor, model, records: list[dict]) -> None:
    """Draw one key per record from the table's sequence, in one statement (returning one array). The sequence
    is looked up once (a scalar subquery), not once per key: 60 ms for 100,000 keys rather than 460."""
    cursor.execute("SELECT array_agg(nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass))) "
                   "FROM generate_series(1, %s)", [model._meta.db_table, model._meta.pk.column, len(records)])
    for pk, record in zip(cursor.fetchone()[0] or [], records, strict=True):  # NULL for no records
        record["id"] = pk


class _Stale(Exception):
    """A project was saved by someone else between the check and the write."""


def _update_projects(records: list[dict], attnames: list[str]) -> None:
    """UPDATE the given fields of each project, guarded by the version the check saw: a project saved meanwhile
    is not overwritten, the import is refused instead (_Stale). Executemany on SQLite; on PostgreSQL the new
    values are copied into a temporary table and applied by one UPDATE … FROM (one pass over the projects, where
    an UPDATE … FROM (VALUES …) per thousand rows read the table once each: 4.8 s for 100,000 projects)."""
    fields = [Project._meta.get_field(a) for a in attnames]
    columns = [*_columns(fields), ("id", None), ("previous_version", None)]
    for record in records:
        record["previous_version"] = record["version"] - 1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            updated = _update_from_copy(cursor, fields, columns, records)
        else:
            updated = 0
            for chunk in chunks(records, 5000):
                cursor.executemany(_update_sql(fields), _params(columns, chunk))
                updated += cursor.rowcount
    if updated != len(records):
        raise _Stale


def _update_sql(fields: list) -> str:
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    return f"UPDATE {qn(Project._meta.db_table)} SET {sets} WHERE {qn('id')} = %s AND {qn('version')} = %s"


def _update_from_copy(cursor, fields: list, columns: list, records: list[dict]) -> int:
    """PostgreSQL: COPY the new values into a temporary table shaped like the columns they go to, UPDATE from it
    in one statement, drop it. Returns the number of projects updated."""
    qn, table, temp = connection.ops.quote_name, connection.ops.quote_name(Project._meta.db_table), "ledger_changes"
    names = [qn(f.column) for f in fields]
    cursor.execute(f"DROP TABLE IF EXISTS {temp}")  # one left by a failed call outside a transaction
    cursor.execute(f"CREATE TEMPORARY TABLE {temp} AS SELECT {', '.join(names)}, id, version AS previous_version "
                   f"FROM {table} WITH NO DATA")
    _copy_in(cursor, temp, [*(f.column for f in fields), "id", "previous_version"],
                 (row for chunk in chunks(records, 5000) for row in _params(columns, chunk)))
    cursor.execute(f"ANALYZE {temp}")  # its size, for the join's plan
    sets = ", ".join(f"{name} = c.{name}" for name in names)
    cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} c WHERE {table}.id = c.id "
                   f"AND {table}.{qn('version')} = c.previous_version")
    updated = cursor.rowcount
    cursor.execute(f"DROP TABLE {temp}")
    return updated


