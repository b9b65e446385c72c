"""Imports that overlap: the later one is refused for each project changed (or created) since it read the file's
projects, the rows named, and nothing of it is written — sequentially on both databases, and with two imports
running at once in two threads on PostgreSQL (SQLite runs one writer at a time: there the second import's
transaction begins only once the first has committed)."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from kaifaqu.accounts.models import User
from kaifaqu.core.models import ObjectChange
from kaifaqu.projects.ledger import LedgerImportError, importer, ledger_import, writing
from kaifaqu.projects.models import Project
from kaifaqu.zones.models import Zone
from tests.factories import ProjectFactory
from tests.projects.test_ledger import base_row, workbook

CHANGED = "在本文件读取后已被他人修改（如另一次台账导入），请重新导出台账、核对后再导入"


@pytest.mark.django_db
def test_an_import_committed_between_the_read_and_the_write_refuses_the_later_one(user_of, monkeypatch):
    operator = user_of("yq-etdz")
    ProjectFactory(code="SEQ-1", name="原名称一")
    ProjectFactory(code="SEQ-2", name="原名称二")
    load = importer._load_projects
    calls = []

    def load_then_another_import(*args):
        load(*args)
        if not calls:  # (the first import's read; the other import runs to its end here)
            calls.append(1)
            ledger_import(user=operator, data=workbook([base_row(1, 项目编号="SEQ-1", 项目名称="先导入的修改")]))

    monkeypatch.setattr(importer, "_load_projects", load_then_another_import)
    later = workbook([base_row(1, 项目编号="SEQ-2", 项目名称="后导入的修改"),
                      base_row(2, 项目编号="SEQ-1", 项目名称="后导入的修改")])
    with pytest.raises(LedgerImportError) as exc:
        ledger_import(user=operator, data=later)
    assert [str(e) for e in exc.value.errors] == [f"第3行 [项目编号]: 项目SEQ-1（原名称一）{CHANGED}"]
    # Nothing of the later import is written (the other one, run inside its transaction here, went with it).
    assert set(Project.objects.filter(code__startswith="SEQ-").values_list("name", flat=True)) == {
        "原名称一", "原名称二"}


# ---- two imports at once (PostgreSQL) -------------------------------------------------------------------------------

def _in_thread(target, *args):
    """Run `target` in a thread with its own connection (committed, unlike the test's), closed after."""
    out: dict = {}

    def run():
        try:
            out["result"] = target(*args)
        except BaseException as exc:  # handed to the test
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=getattr(target, "__name__", "thread"))
    thread.start()
    return thread, out


def _committed(action) -> None:
    thread, out = _in_thread(action)
    thread.join()
    if "error" in out:
        raise out["error"]


def _setup() -> None:
    zone = Zone.objects.get(code="S147007")
    for code, name in (("CONC-1", "原名称一"), ("CONC-2", "原名称二")):
        Project.objects.create(code=code, name=name, zone=zone, type="industrial", total_investment=10000,
                               stage="signed", signed_on=date(2023, 3, 1))


def _cleanup() -> None:
    projects = Project.objects.filter(code__startswith="CONC-") | Project.objects.filter(name="并发新建项目")
    ids = [str(pk) for pk in projects.values_list("pk", flat=True)]
    ObjectChange.objects.filter(object_id__in=ids, content_type__model="project").delete()
    projects.delete()


def _waiting_for_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time: no overlap")
@pytest.mark.django_db
def test_two_imports_at_once_serialise_and_the_later_is_refused_row_by_row(monkeypatch):
    _committed(_setup)
    first_locked, second_read = threading.Event(), threading.Event()
    load, serialise = importer._load_projects, writing.serialise

    def load_noting(*args):
        load(*args)
        if threading.current_thread().name == "second":
            second_read.set()

    def serialise_holding(*args):
        refused = serialise(*args)
        if threading.current_thread().name == "first":
            first_locked.set()
            assert second_read.wait(30)  # the second import has read the projects, now as they were
            for _ in range(300):  # and waits for the lock this import holds
                if _waiting_for_the_lock():
                    break
                threading.Event().wait(0.1)
        return refused

    monkeypatch.setattr(importer, "_load_projects", load_noting)
    monkeypatch.setattr(writing, "serialise", serialise_holding)
    operator = User.objects.get(username="yq-etdz")
    first_file = workbook([base_row(1, 项目编号="CONC-1", 项目名称="先导入的修改"),
                           base_row(2, 项目名称="并发新建项目")])
    second_file = workbook([base_row(1, 项目编号="CONC-2", 项目名称="后导入的修改"),
                            base_row(2, 项目编号="CONC-1", 项目名称="后导入的修改"),
                            base_row(3, 项目名称="并发新建项目")])

    def first():
        return ledger_import(user=operator, data=first_file)

    def second():
        return ledger_import(user=operator, data=second_file)

    try:
        one, first_out = _in_thread(first)
        assert first_locked.wait(30)
        two, second_out = _in_thread(second)
        one.join(60)
        two.join(60)
        assert first_out.get("result") is not None, first_out
        assert (first_out["result"].created, first_out["result"].updated) == (1, 1)
        assert isinstance(second_out.get("error"), LedgerImportError), second_out
        assert [str(e) for e in second_out["error"].errors] == [
            f"第3行 [项目编号]: 项目CONC-1（原名称一）{CHANGED}",
            "第4行 [项目名称]: 在本文件读取后，他人（如另一次台账导入）已新建同名项目“并发新建项目”，"
            "请重新导出台账、核对后再导入"]
        names = []
        _committed(lambda: names.extend(Project.objects.filter(code__startswith="CONC-").order_by("code")
                                        .values_list("name", flat=True)))
        assert names == ["先导入的修改", "原名称二"]  # the first import's change; nothing of the second's
        count = []
        _committed(lambda: count.append(Project.objects.filter(name="并发新建项目").count()))
        assert count == [1]
    finally:
        _committed(_cleanup)
