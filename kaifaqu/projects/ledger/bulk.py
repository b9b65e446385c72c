"""Import, the statements that write set-wise: inserts by COPY (PostgreSQL) or executemany (SQLite), with keys
drawn beforehand, and updates guarded by each row's version; run as they are given (`_Direct`) or, on
PostgreSQL, in order by a second thread while this one builds the rows of the next ones (`_Pipeline`).

Rows go in this way rather than through bulk_create / bulk_update: the ORM spends some 4 µs compiling each value,
14 s for 100,000 projects alone, past the whole import's 10 s budget. Values pass through the backend's own
adapters, as the ORM would send them."""

from __future__ import annotations

import contextvars
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache, partial
from operator import itemgetter

from django.db import connection
from psycopg import Copy
from psycopg.copy import Writer

from kaifaqu.core.iterables import chunks
from kaifaqu.core.models import SnapshotField

from ..models import Project

SAMPLE_DATE, SAMPLE_DECIMAL = date(2000, 1, 1), Decimal("1.00")
# While the pipeline runs, its thread takes the GIL back within a millisecond of the server's answer (Python's
# default: 5 ms) while this one is busy building rows: some 100 hand-overs per import, each leaving the server
# idle until then (100,000 new projects: 0.3–0.9 s sooner, measured with `python -m bench`).
SWITCH_INTERVAL = 0.001


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


def _rows(columns: list[tuple[str, Callable | None]], records: Iterable[dict]) -> Iterator[list]:
    """`_params` of `records` (any iterable, consumed lazily), made a block of 5,000 at a time."""
    return (row for chunk in chunks(records, 5000) for row in _params(columns, chunk))


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
                    for pk, record in zip(_reserve_ids(cursor, model, len(records)), records, strict=True):
                        record["id"] = pk
                fields = [model._meta.pk, *fields]
            columns = _columns(fields)
            _copy_in(cursor, model._meta.db_table, [f.column for f in fields], _rows(columns, records))
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
    types = _column_types(cursor, [table])[table]
    with cursor.cursor.copy(_copy_sql(table, columns)) as copy:
        copy.set_types([types[c] for c in columns])
        for row in rows:
            copy.write_row(row)


def _copy_sql(table: str, columns: list[str]) -> str:
    qn = connection.ops.quote_name
    return f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"


def _column_types(cursor, tables: list[str]) -> dict[str, dict[str, int]]:
    """PostgreSQL: the type (oid) of each column of each of `tables`, for COPY's binary format."""
    types: dict[str, dict[str, int]] = {t: {} for t in tables}
    cursor.execute("SELECT c.relname, a.attname, a.atttypid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                   "WHERE a.attrelid = ANY(%s::regclass[]) AND a.attnum > 0 AND NOT a.attisdropped", [tables])
    for table, column, oid in cursor.fetchall():
        types[table][column] = oid
    return types


def _insert_sql(model, fields: list) -> str:
    qn = connection.ops.quote_name
    return (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})")


def _send(model, rows: list[list]) -> None:
    """INSERT rows (every concrete field but the key, adapted: `_params`, `writing._log_rows`), as `_insert`
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


def _reserve_ids(cursor, model, count: int) -> list[int]:
    """Draw `count` keys from `model`'s table's sequence, in one statement (returning one array). The sequence
    is looked up once (a scalar subquery), not once per key: 60 ms for 100,000 keys rather than 460."""
    cursor.execute("SELECT array_agg(nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass))) "
                   "FROM generate_series(1, %s)", [model._meta.db_table, model._meta.pk.column, count])
    return cursor.fetchone()[0] or []  # (NULL for none)


def _draw_ids(model, count: int) -> list[int]:
    """PostgreSQL: `count` new primary keys of `model`, drawn before its records are inserted, so that the rows
    referring to them are built before they are stored (`_Pipeline.insert(with_ids=True)`)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        return _reserve_ids(cursor, model, count)


class _Stale(Exception):
    """A project was saved by someone else between the check and the write."""


def _update_projects(run: _Direct | _Pipeline, records: list[dict], attnames: list[str]) -> None:
    """UPDATE the given fields of each project, guarded by the version the check saw: a project saved meanwhile
    is not overwritten, the import is refused instead (_Stale). Executemany on SQLite; on PostgreSQL (through
    `run`) the new values are copied into a temporary table and applied by one UPDATE … FROM (a call is a block of
    the import's rows; an UPDATE … FROM (VALUES …) per thousand rows read the whole table once each: 4.8 s for
    100,000)."""
    fields = [Project._meta.get_field(a) for a in attnames]
    columns = [*_columns(fields), ("id", None), ("previous_version", None)]
    for record in records:
        record["previous_version"] = record["version"] - 1
    if connection.vendor != "postgresql":
        updated = 0
        with connection.cursor() as cursor:
            for chunk in chunks(records, 5000):
                cursor.executemany(_update_sql(fields), _params(columns, chunk))
                updated += cursor.rowcount
        if updated != len(records):
            raise _Stale
        return
    qn, table, temp = connection.ops.quote_name, connection.ops.quote_name(Project._meta.db_table), "ledger_changes"
    names = [qn(f.column) for f in fields]
    run.execute(f"DROP TABLE IF EXISTS {temp}")  # one left by a failed call outside a transaction
    run.execute(f"CREATE TEMPORARY TABLE {temp} AS SELECT {', '.join(names)}, id, version AS previous_version "
                f"FROM {table} WITH NO DATA")
    run.copy(temp, [*(f.column for f in fields), "id", "previous_version"], _rows(columns, records),
             like=(Project._meta.db_table, [*(f.column for f in fields), "id", "version"]))
    run.execute(f"ANALYZE {temp}")  # its size, for the join's plan
    sets = ", ".join(f"{name} = c.{name}" for name in names)
    run.execute(f"UPDATE {table} SET {sets} FROM {temp} c WHERE {table}.id = c.id "
                f"AND {table}.{qn('version')} = c.previous_version", rowcount=len(records))
    run.execute(f"DROP TABLE {temp}")


def _update_sql(fields: list) -> str:
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    return f"UPDATE {qn(Project._meta.db_table)} SET {sets} WHERE {qn('id')} = %s AND {qn('version')} = %s"


# ---- running the statements ---------------------------------------------------------------------------------------

class _Direct:
    """The write's statements run as they are given, in this thread: SQLite, which runs in this process (and
    PostgreSQL where the database renders the log, `writing._database_renders`)."""

    error = None  # (a statement's error is raised there and then)

    def __enter__(self) -> _Direct:
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        """Every statement has run already."""

    def insert(self, model, records: list[dict], with_ids: bool = False) -> None:
        _insert(model, records, with_ids)

    def send(self, model, rows: Iterable[list]) -> None:
        _send(model, rows)

    def copy(self, table: str, columns: list[str], rows: Iterable[list], like=None) -> None:
        with connection.cursor() as cursor:
            _copy_in(cursor, table, columns, rows)

    def execute(self, sql: str, params=None, rowcount: int | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if rowcount is not None and cursor.rowcount != rowcount:
                raise _Stale

    def check_keys(self, model) -> None:
        """Keys are checked at commit."""


class _Switching:
    """The interpreter's switch interval set to `SWITCH_INTERVAL` while any pipeline of this process runs (the
    server's threads may run imports at once), and put back as it was when the last one ends."""

    def __init__(self):
        self.lock, self.running, self.before = threading.Lock(), 0, sys.getswitchinterval()

    def enter(self) -> None:
        with self.lock:
            if not self.running:
                self.before = sys.getswitchinterval()
                sys.setswitchinterval(SWITCH_INTERVAL)
            self.running += 1

    def leave(self) -> None:
        with self.lock:
            self.running -= 1
            if not self.running:
                sys.setswitchinterval(self.before)


_switching = _Switching()


def _not_meanwhile(execute, sql, params, many, context):
    """While the pipeline holds the connection, this thread's queries would interleave with its statements."""
    raise RuntimeError(f"a query while the import's pipeline holds the connection: {sql[:80]}")


class _Pipeline:
    """PostgreSQL: the write's statements, in order, run by a second thread on the transaction's connection while
    this thread builds the rows of the statements after them. The server stores one table's rows and checks their
    keys while Python makes the next table's: the import's Python and the server's work overlap, where one waited
    for the other (100,000 new projects: 2.6 s of Python, 3.4 s of server work, one after the other before).

    Rows are formatted here, in COPY's binary format (psycopg's own formatter, writing to `_Blocks`), and handed
    over in blocks of a megabyte; the second thread only sends them and waits for the server, without the GIL.
    Use it as a context manager: leaving it waits for the last statement. The first statement to fail stops the
    pipeline (the ones after it are skipped) and its error is raised on leaving; the transaction is then to be
    rolled back, as the caller's atomic block does. While it runs, this thread asks nothing of the connection: a
    query through Django is refused (`_not_meanwhile`), and the GIL is handed over sooner (`SWITCH_INTERVAL`)."""

    def __init__(self, models: list):
        self._errors = connection.wrap_database_errors  # (the Django connection of this thread)
        self._raw = connection.connection
        tables = [m._meta.db_table for m in models]
        self._keys: dict[str, list[str]] = {t: [] for t in tables}
        with connection.cursor() as cursor:
            self._types = _column_types(cursor, tables)
            cursor.execute("SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                           "WHERE k.conrelid = ANY(%s::regclass[]) AND k.contype = 'f' AND k.condeferrable",
                           [tables])
            for table, name in cursor.fetchall():
                self._keys[table].append(connection.ops.quote_name(name))
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=contextvars.copy_context().run, args=(self._run,),
                                        name="ledger-write", daemon=True)

    def __enter__(self) -> _Pipeline:
        _switching.enter()
        self._thread.start()
        connection.execute_wrappers.append(_not_meanwhile)
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        self._jobs.put(None)
        self._thread.join()
        connection.execute_wrappers.remove(_not_meanwhile)
        _switching.leave()
        if exc is None and self.error is not None:
            raise self.error

    def insert(self, model, records: list[dict], with_ids: bool = False) -> None:
        """As `_insert`; with_ids: the records have their keys already (`_draw_ids`, before the pipeline)."""
        fields = [model._meta.pk, *_fields(model)] if with_ids else _fields(model)
        self.copy(model._meta.db_table, [f.column for f in fields], _rows(_columns(fields), records))

    def send(self, model, rows: Iterable[list]) -> None:
        """As `_send`: rows of every concrete field but the key, adapted."""
        self.copy(model._meta.db_table, [f.column for f in _fields(model)], rows)

    def copy(self, table: str, columns: list[str], rows: Iterable[list], like=None) -> None:
        """COPY `rows` into `columns` of `table`, formatted here as they come. `like`: (table, its columns) whose
        types these columns have, for a table the pipeline creates itself."""
        source, of = like or (table, columns)
        blocks: queue.SimpleQueue = queue.SimpleQueue()
        self._jobs.put((_copy_sql(table, columns), None, None, blocks))
        formatter = Copy(self._raw.cursor(), binary=True, writer=_Blocks(blocks))
        formatter.set_types([self._types[source][c] for c in of])
        try:
            for row in rows:
                formatter.write_row(row)
        except BaseException as exc:
            formatter.finish(exc)  # the second thread abandons the COPY
            raise
        formatter.finish(None)

    def execute(self, sql: str, params=None, rowcount: int | None = None) -> None:
        """Run `sql`; `rowcount`: the rows it must touch, or the import is refused (_Stale)."""
        self._jobs.put((sql, params, rowcount, None))

    def check_keys(self, model) -> None:
        """Check the foreign keys of the rows `model`'s table got so far now, in the pipeline, rather than at
        commit with Python idle (Django declares them DEFERRABLE INITIALLY DEFERRED); deferred again after."""
        if names := ", ".join(self._keys[model._meta.db_table]):
            self.execute(f"SET CONSTRAINTS {names} IMMEDIATE; SET CONSTRAINTS {names} DEFERRED")

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            sql, params, rowcount, blocks = job
            if self.error is not None:
                continue  # skipped, after a failure
            try:
                with self._errors, self._raw.cursor() as cursor:
                    if blocks is None:
                        cursor.execute(sql, params)
                        if rowcount is not None and cursor.rowcount != rowcount:
                            raise _Stale
                        continue
                    with cursor.copy(sql) as copy:
                        while (block := blocks.get()) is not None:
                            if isinstance(block, BaseException):
                                raise _Abandoned from block
                            copy.write(block)
            except BaseException as exc:
                self.error = exc


class _Abandoned(Exception):
    """The rows of a COPY could not be made: raised in the pipeline's thread to abandon it."""


class _Blocks(Writer):
    """Where psycopg's COPY formatter writes: its output handed to the pipeline's thread in blocks of about a
    megabyte (a block a time, so that thread takes the GIL back rarely), then None — or the error that stopped
    the rows."""

    SIZE = 1 << 20

    def __init__(self, out: queue.SimpleQueue):
        self.out, self.buffer = out, bytearray()

    def write(self, data) -> None:
        self.buffer += data
        if len(self.buffer) >= self.SIZE:
            self.out.put(self.buffer)
            self.buffer = bytearray()

    def finish(self, exc: BaseException | None = None) -> None:
        if self.buffer and exc is None:
            self.out.put(self.buffer)
        self.out.put(exc)
