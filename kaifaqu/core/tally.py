"""Kept tallies (留存汇总): the count and money sums of a large table per zone and status, kept by the database.

Why: a list page shows how many rows its scope holds and their totals. Counting and summing every visible row
costs a scan that grows with the table (the province's project list: 127 req/s over 1,400 projects, 32 req/s over
85,000). A tally holds, per key (zone, stage …), the number of rows and the sum of each amount in cents; the count
and totals of a scope, of a city, a zone or a stage, are a sum over a few hundred tally rows instead, and exact.

Kept by triggers, not by Python: rows are written by the services, the admin, the ledger import's COPY, the demo,
the bench and hand-written SQL alike, and each write of the source table moves its rows' tally in the same
transaction. PostgreSQL: one statement-level trigger per operation, grouping the statement's transition tables per
key (a 100,000-row import updates each touched key once, in key order). SQLite: row-level triggers, the update's
only when a tallied column changed. `ensure` (run after every `migrate`) puts back triggers a table rebuild
dropped (SQLite rebuilds a table for many schema changes) and recounts every tally (also after `flush`, which
empties the tables in an order of its own); `drift` finds keys whose tally disagrees with the table,
`check_tallies --fix` recounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from django.apps import apps
from django.db import connection, models, transaction

HUNDRED = Decimal(100)


class Tally(models.Model):
    """A kept tally of a source model: one row per key, its row count and amounts (in cents)."""

    count = models.BigIntegerField("行数", default=0)

    # tally column → SQL over a source row, "{r}" standing for the row (NEW, OLD or a transition table's alias);
    # no key may be NULL (a NULL never conflicts in a unique index).
    source: ClassVar[str] = ""  # "app_label.Model"
    keys: ClassVar[dict[str, str]] = {}
    sums: ClassVar[dict[str, str]] = {}  # tally column (cents) → source column (万元, two decimals)
    watched: ClassVar[tuple[str, ...]] = ()  # the source columns the keys and sums read

    class Meta:
        abstract = True

    @classmethod
    def source_table(cls) -> str:
        return apps.get_model(cls.source)._meta.db_table

    @classmethod
    def trigger_name(cls) -> str:
        return f"{cls._meta.db_table}_keep"


def tallies() -> list[type[Tally]]:
    """Every concrete tally model of the project."""
    return [m for m in apps.get_models() if issubclass(m, Tally)]


def amounts(row: dict, tally: type[Tally]) -> dict[str, Decimal]:
    """The sums of an aggregated tally row, in 万元 with two decimals."""
    return {name: (Decimal(row[name] or 0) / HUNDRED).quantize(Decimal("0.01")) for name in tally.sums}


# ---- the SQL -------------------------------------------------------------------------------------------------------

def _cents(vendor: str, expr: str) -> str:
    if vendor == "postgresql":
        return f"coalesce(round({expr} * 100), 0)::bigint"
    return f"CAST(coalesce(round({expr} * 100), 0) AS INTEGER)"


def _columns(tally: type[Tally]) -> list[str]:
    return [*tally.keys, "count", *tally.sums]


def _upsert_head(tally: type[Tally]) -> tuple[str, str]:
    table = tally._meta.db_table
    head = f"INSERT INTO {table} ({', '.join(_columns(tally))})"
    keep = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in ["count", *tally.sums])
    return head, f"ON CONFLICT ({', '.join(tally.keys)}) DO UPDATE SET {keep}"


def _row_values(vendor: str, tally: type[Tally], row: str, sign: str) -> list[str]:
    keys = [expr.format(r=row) for expr in tally.keys.values()]
    sums = [f"{sign}{_cents(vendor, f'{row}.{col}')}" for col in tally.sums.values()]
    return [*keys, f"{sign}1", *sums]


def _sqlite_sql(tally: type[Tally]) -> list[str]:
    source, name = tally.source_table(), tally.trigger_name()
    head, tail = _upsert_head(tally)

    def upsert(row: str, sign: str) -> str:
        return f"{head} VALUES ({', '.join(_row_values('sqlite', tally, row, sign))}) {tail};"

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in tally.watched)
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_ins AFTER INSERT ON {source} BEGIN {upsert('NEW', '')} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_del AFTER DELETE ON {source} BEGIN {upsert('OLD', '-')} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_upd AFTER UPDATE OF {', '.join(tally.watched)} ON {source} "
        f"WHEN {changed} BEGIN {upsert('OLD', '-')} {upsert('NEW', '')} END",
    ]


def _pg_delta(tally: type[Tally], parts: list[tuple[str, str]]) -> str:
    """One upsert of the statement's changes, grouped per key and in key order (so that two writers lock the
    tally rows they share in the same order); keys that did not move are left alone (and unlocked)."""
    head, tail = _upsert_head(tally)
    names = _columns(tally)

    def select(table: str, sign: str) -> str:
        values = _row_values("postgresql", tally, "r", sign)
        return f"SELECT {', '.join(f'{v} AS {n}' for v, n in zip(values, names, strict=True))} FROM {table} r"

    rows = " UNION ALL ".join(select(table, sign) for table, sign in parts)
    keys = ", ".join(tally.keys)
    moved = " OR ".join(f"sum({c}) <> 0" for c in ["count", *tally.sums])
    return (f"{head} SELECT {keys}, {', '.join(f'sum({c})' for c in ['count', *tally.sums])} FROM ({rows}) d "
            f"GROUP BY {keys} HAVING {moved} ORDER BY {keys} {tail};")


def _pg_sql(tally: type[Tally]) -> list[str]:
    source, name = tally.source_table(), tally.trigger_name()
    body = (f"IF TG_OP = 'INSERT' THEN {_pg_delta(tally, [('new_rows', '')])} "
            f"ELSIF TG_OP = 'DELETE' THEN {_pg_delta(tally, [('old_rows', '-')])} "
            f"ELSE {_pg_delta(tally, [('old_rows', '-'), ('new_rows', '')])} END IF; RETURN NULL;")
    statements = [f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$"]
    for op, tables in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                       ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
        trigger = f"{name}_{op[:3].lower()}"
        statements += [f"DROP TRIGGER IF EXISTS {trigger} ON {source}",
                       f"CREATE TRIGGER {trigger} AFTER {op} ON {source} REFERENCING {tables} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"]
    return statements


def _drop_sql(vendor: str, tally: type[Tally]) -> list[str]:
    source, name = tally.source_table(), tally.trigger_name()
    if vendor == "postgresql":
        return [*(f"DROP TRIGGER IF EXISTS {name}_{op} ON {source}" for op in ("ins", "del", "upd")),
                f"DROP FUNCTION IF EXISTS {name}()"]
    return [f"DROP TRIGGER IF EXISTS {name}_{op}" for op in ("ins", "del", "upd")]


def _recount_sql(vendor: str, tally: type[Tally]) -> list[str]:
    values = _row_values(vendor, tally, "r", "")
    keys = values[:len(tally.keys)]
    selected = [*keys, "count(*)", *(f"sum({v})" for v in values[len(tally.keys) + 1:])]
    return [f"DELETE FROM {tally._meta.db_table}",
            f"INSERT INTO {tally._meta.db_table} ({', '.join(_columns(tally))}) SELECT {', '.join(selected)} "
            f"FROM {tally.source_table()} r GROUP BY {', '.join(keys)}"]


# ---- keeping ------------------------------------------------------------------------------------------------------

def _installed(tally: type[Tally]) -> bool:
    name = tally.trigger_name()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname IN (%s, %s, %s) AND NOT tgisinternal",
                           [f"{name}_ins", f"{name}_del", f"{name}_upd"])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
                           [f"{name}_ins", f"{name}_del", f"{name}_upd"])
        return cursor.fetchone()[0] == 3


def _execute(statements: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(tally: type[Tally]) -> None:
    """Create (or replace) the triggers that keep `tally`, then recount it from the source table."""
    with transaction.atomic():
        _execute(_drop_sql(connection.vendor, tally))
        _execute(_pg_sql(tally) if connection.vendor == "postgresql" else _sqlite_sql(tally))
        recount(tally)


@dataclass
class Suspension:
    """What the writer under `suspended` tells it: `changed` False when it wrote no row of the source table, so
    the tally needs no recount (a ledger imported back unchanged)."""

    changed: bool = True


@contextmanager
def suspended(tally: type[Tally]) -> Iterator[Suspension]:
    """A bulk write of `tally`'s source table without its row triggers, the tally recounted once at the end.
    SQLite's triggers are per row: a 100,000-row ledger import made 100,000 upserts (200,000 for updates), a third
    of its time. Here they are dropped inside a savepoint of the caller's transaction, which on SQLite holds the
    database's write lock, so no other writer can pass them meanwhile; the tally is recounted and the triggers
    put back before it ends, and a failure rolls the savepoint back, triggers included. PostgreSQL's triggers are
    per statement (one grouped upsert per COPY or UPDATE): nothing to suspend there."""
    state = Suspension()
    if connection.vendor == "postgresql":
        yield state
        return
    if not connection.in_atomic_block:
        raise RuntimeError("tally.suspended needs the writer's transaction")
    with transaction.atomic():
        _execute(_drop_sql(connection.vendor, tally))
        yield state
        _execute(_sqlite_sql(tally))
        if state.changed:
            _execute(_recount_sql(connection.vendor, tally))


def uninstall(tally: type[Tally]) -> None:
    """Drop the triggers that keep `tally` (a migration's reverse)."""
    _execute(_drop_sql(connection.vendor, tally))


def recount(tally: type[Tally]) -> None:
    """Rebuild `tally` from its source table (the writes that run meanwhile wait: the table is locked)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _execute([f"LOCK TABLE {tally.source_table()} IN SHARE MODE"])
        _execute(_recount_sql(connection.vendor, tally))


def ensure() -> list[str]:
    """Every tally's triggers in place (installed where missing) and every tally recounted; the names of the
    tallies whose triggers were missing. Run after each `migrate` and `flush` (post_migrate): a migration that
    rebuilt a table on SQLite dropped its triggers, and SQLite's flush deletes a source table's rows (moving its
    tally) after or before it empties the tally."""
    done = []
    tables = set(connection.introspection.table_names())
    for tally in tallies():
        if tally._meta.db_table not in tables or tally.source_table() not in tables:
            continue
        if _installed(tally):
            recount(tally)
        else:
            install(tally)
            done.append(tally._meta.label)
    return done


def drift(tally: type[Tally]) -> list[tuple]:
    """The keys whose kept count or sums disagree with the source table (none, if the triggers kept them)."""
    values = _row_values(connection.vendor, tally, "r", "")
    keys = values[:len(tally.keys)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(keys)}, count(*), "
                       f"{', '.join(f'sum({v})' for v in values[len(tally.keys) + 1:]) or '0'} "
                       f"FROM {tally.source_table()} r GROUP BY {', '.join(keys)}")
        want = {tuple(row[:len(keys)]): tuple(int(v or 0) for v in row[len(keys):]) for row in cursor.fetchall()}
        cursor.execute(f"SELECT {', '.join(tally.keys)}, count, {', '.join(tally.sums) or '0'} "
                       f"FROM {tally._meta.db_table}")
        have = {tuple(row[:len(keys)]): tuple(int(v or 0) for v in row[len(keys):]) for row in cursor.fetchall()}
    zero = (0,) * (1 + max(1, len(tally.sums)))
    return sorted(k for k in set(want) | set(have) if want.get(k, zero) != have.get(k, zero))


def _drop_by_names(schema_editor, tally_table: str, source_table: str) -> None:
    name = f"{tally_table}_keep"
    with schema_editor.connection.cursor() as cursor:
        for op in ("ins", "del", "upd"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}_{op}"
                           + (f" ON {source_table}" if schema_editor.connection.vendor == "postgresql" else ""))
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def kept_by_triggers(tally_table: str, source_table: str):
    """The migration operation that goes with a tally's table: the triggers are installed (and the tally counted)
    after `migrate` by `ensure`; reversed, it drops them before the table goes."""
    from django.db import migrations

    def reverse(apps, schema_editor):
        _drop_by_names(schema_editor, tally_table, source_table)

    return migrations.RunPython(migrations.RunPython.noop, reverse)


def ensure_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate: the triggers of every tally in place (a table rebuilt by a migration lost its own)."""
    if using == "default":
        ensure()
