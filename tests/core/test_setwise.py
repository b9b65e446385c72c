"""Set-wise logging: the snapshot the database renders equals the one `changelog.snapshot` takes, field type by
field type, and a set of ids of any size passes as one parameter."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection

from kaifaqu.core.changelog import change_context, snapshot, snapshot_texts
from kaifaqu.core.models import ObjectChange
from kaifaqu.core.setwise import id_set, log_created, log_updated, snapshot_sql
from kaifaqu.projects.choices import Batch, Stage
from kaifaqu.projects.models import CampaignEntry, Project
from tests.factories import CampaignEntryFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _rendered(model, pk: int) -> dict:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {snapshot_sql(model, 'o')} FROM {table} o WHERE o.id = %s", [pk])
        return json.loads(cursor.fetchone()[0])


@pytest.mark.parametrize("stamp", [datetime(2024, 3, 31, 8, 5, 9, 123456, tzinfo=UTC),
                                   datetime(2024, 3, 31, 8, 5, 9, 999, tzinfo=UTC),  # .000 in milliseconds
                                   datetime(2024, 3, 31, 8, 5, 9, tzinfo=UTC)])  # no fraction at all
def test_the_database_renders_the_snapshot_python_takes(stamp):
    project = ProjectFactory(
        name='引号"与\\反斜杠\n换行 <b>', total_investment=Decimal("383.2"), completed_investment=Decimal("0"),
        annual_planned_investment=None, land_mu=Decimal("12.05"), jobs=0, strategic_emerging=True,
        commitment_system=False, stage=Stage.STARTED, signed_on=date(2023, 1, 2), started_on=date(2023, 12, 31),
        park=None, chain=None, note="")
    Project.objects.filter(pk=project.pk).update(created_at=stamp, updated_at=stamp)
    stored = Project.objects.get(pk=project.pk)
    assert _rendered(Project, project.pk) == snapshot(stored)
    assert _rendered(Project, project.pk)["total_investment"] == "383.20"


def test_snapshot_texts_are_the_snapshots_python_takes():
    project = ProjectFactory(name='引号"与\\反斜杠\n换行', total_investment=Decimal("383.2"), land_mu=Decimal("12"),
                             completed_investment=0, stage=Stage.STARTED, signed_on=date(2023, 1, 2),
                             started_on=date(2023, 12, 31), chain=None)
    stored = Project.objects.get(pk=project.pk)
    exact = {f.attname: getattr(stored, f.attname) for f in Project._meta.concrete_fields}  # copied whole
    wider = exact | {"previous_version": 3, "zone": stored.zone}  # rebuilt from the fields
    texts = list(snapshot_texts(Project, [exact, wider]))
    assert [json.loads(t) for t in texts] == [snapshot(stored)] * 2
    assert json.loads(texts[0])["completed_investment"] == "0.00"


def test_a_snapshot_wider_than_one_json_call_is_joined(monkeypatch):
    monkeypatch.setattr("kaifaqu.core.setwise.PAIRS_PER_CALL", 5)  # Project's 36 fields in 8 parts
    project = ProjectFactory(land_mu=Decimal("7.50"))
    assert _rendered(Project, project.pk) == snapshot(Project.objects.get(pk=project.pk))


def test_an_unsupported_field_type_is_refused_by_name():
    with pytest.raises(NotImplementedError, match="request_id"):
        snapshot_sql(ObjectChange, "o")  # a UUIDField


def test_log_created_writes_one_row_per_object_as_the_acting_user(user_of):
    entries = [CampaignEntryFactory(batch=Batch.START), CampaignEntryFactory(batch=Batch.PRODUCE)]
    user = user_of("yq-etdz")
    now = datetime(2024, 4, 1, 9, 30, 0, 250000, tzinfo=UTC)
    with change_context(user) as ctx:
        log_created(CampaignEntry, [e.pk for e in entries], now=now,
                    label="p.name || %s", label_params=[" ✓"], joins="JOIN projects_project p ON p.id = o.project_id")
    logs = {int(c.object_id): c for c in ObjectChange.objects.filter(request_id=ctx.request_id)}
    assert sorted(logs) == sorted(e.pk for e in entries)
    for entry in entries:
        log = logs[entry.pk]
        assert (log.action, log.user, log.user_name, log.time) == ("create", user, "yq-etdz", now)
        assert (log.object_repr, log.prechange_data) == (f"{entry.project.name} ✓", None)
        assert log.postchange_data == snapshot(CampaignEntry.objects.get(pk=entry.pk))


def test_an_id_set_of_any_size_is_one_parameter():
    ids = list(range(1, 40_001))  # past SQLite's 32,766 variables
    sql, params = id_set(ids)
    assert len(params) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"WITH x(v) AS ({sql}) SELECT count(*), sum(v) FROM x", params)
        assert cursor.fetchone() == (40_000, sum(ids))


def test_log_updated_records_each_row_before_and_after_the_update(user_of):
    projects = [ProjectFactory(total_investment=Decimal("100")), ProjectFactory(total_investment=Decimal("200.5"))]
    before = {p.pk: snapshot(Project.objects.get(pk=p.pk)) for p in projects}
    untouched = ProjectFactory()
    now = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    with change_context(user_of("yq-etdz")) as ctx:
        log_updated(Project, [p.pk for p in projects], lambda: Project.objects.filter(
            pk__in=[p.pk for p in projects]).update(total_investment=Decimal("300.10"), updated_at=now),
            fields=["total_investment", "updated_at"], label="o.name || '（台账）'", now=now)
    logs = {int(c.object_id): c for c in ObjectChange.objects.filter(request_id=ctx.request_id)}
    assert sorted(logs) == sorted(p.pk for p in projects)  # not the untouched one
    for project in projects:
        log = logs[project.pk]
        assert (log.action, log.object_repr, log.time) == ("update", f"{project.name}（台账）", now)
        after = snapshot(Project.objects.get(pk=project.pk))
        assert (log.prechange_data, log.postchange_data) == (
            {k: before[project.pk][k] for k in ("total_investment", "updated_at")},
            {k: after[k] for k in ("total_investment", "updated_at")})
        assert log.postchange_data["total_investment"] == "300.10"
    assert not ObjectChange.objects.filter(object_id=str(untouched.pk), action="update").exists()
