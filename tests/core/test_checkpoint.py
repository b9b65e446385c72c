"""A large write's WAL checkpoint, on SQLite, done after it in a thread of its own (`core.checkpoint`)."""

import os
import sqlite3
from contextlib import closing

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from kaifaqu.core.checkpoint import checkpoint_afterwards, deferred_checkpoint

ROWS = [(f"{i:06d}" * 20,) for i in range(60_000)]  # some 8 MB: 2,000 pages of log, over the 1,000


def wal_database(path) -> sqlite3.Connection:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("CREATE TABLE t (x TEXT)")
    return raw


def write(raw: sqlite3.Connection) -> None:
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO t VALUES (?)", ROWS)
    raw.execute("COMMIT")


def test_without_it_the_commit_copies_the_log_back_itself(tmp_path):
    path = tmp_path / "db.sqlite3"
    with closing(wal_database(path)) as raw:
        write(raw)
        assert os.path.getsize(path) > 6_000_000  # checkpointed by the commit


def test_the_commit_leaves_the_log_and_a_thread_checkpoints_it_afterwards(tmp_path):
    path = tmp_path / "db.sqlite3"
    with closing(wal_database(path)) as raw:
        with deferred_checkpoint(raw, str(path)) as done:
            write(raw)
            assert os.path.getsize(path) < 100_000  # committed, but still in the log only
            assert raw.execute("SELECT count(*) FROM t").fetchone() == (len(ROWS),)
        assert done.wait(10)
        assert os.path.getsize(path) > 6_000_000
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)  # as it was
    with closing(sqlite3.connect(path)) as other:
        assert other.execute("SELECT count(*) FROM t").fetchone() == (len(ROWS),)


def test_a_failed_write_still_restores_the_setting_and_checkpoints(tmp_path):
    path = tmp_path / "db.sqlite3"
    with closing(wal_database(path)) as raw:
        with pytest.raises(RuntimeError), deferred_checkpoint(raw, str(path)) as done:
            raise RuntimeError("导入失败")
        assert done.wait(10)
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite file's connection, made like the platform's")
def test_a_django_connection_to_a_sqlite_file_in_wal_mode_gets_it(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)})  # (the settings' WAL mode, pragmas)
    try:
        with checkpoint_afterwards(db) as done:
            with db.cursor() as cursor:
                cursor.execute("CREATE TABLE t (x TEXT)")
            with db.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.executemany("INSERT INTO t VALUES (%s)", ROWS)
                cursor.execute("COMMIT")
            assert os.path.getsize(path) < 100_000
        assert done is not None and done.wait(10)
        assert os.path.getsize(path) > 6_000_000
    finally:
        db.close()


@pytest.mark.django_db
def test_elsewhere_it_does_nothing():
    """The test database: SQLite in memory, or PostgreSQL."""
    with checkpoint_afterwards() as done:
        assert done is None
