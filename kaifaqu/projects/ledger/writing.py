"""Import, last phase, begun during the check: the planned rows written set-wise, a block of rows at a time (COPY on
PostgreSQL, through `bulk._Pipeline`, so that the server stores one block while Python checks the next and builds
its rows; executemany on SQLite) — new and changed projects, their stage history, campaign listings and
change-log rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import repeat

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.utils import timezone

from kaifaqu.core import tally
from kaifaqu.core.changelog import snapshot_fields, snapshot_texts
from kaifaqu.core.models import ObjectChange, Sequence
from kaifaqu.core.setwise import id_set, log_created, log_updated, shared_log_values

from .. import listing
from ..choices import DATED_STAGES, STAGE_DATE_FIELD, Batch
from ..listing import LISTED_ON
from ..models import Campaign, CampaignEntry, Project, ProjectTally, StageEvent
from ..services import PROJECT_SEQUENCE, entry_stages, new_project_codes, project_code_number
from .bulk import _Direct, _draw_ids, _fields, _Pipeline, _Stale, _update_projects
from .lookups import _Lookups
from .reading import _Row
from .report import CHANGED_MEANWHILE, LedgerImportError, RowError
from .serial import saved_meanwhile, serialise

# ---- import: writing, set-wise (bulk.py has the statements) -------------------------------------------------------
# The change log gets what a save records (`changelog`): a new object's every field, an update's changed fields.

PROJECT_DEFAULTS = {f.attname: f.get_default() for f in Project._meta.concrete_fields if not f.primary_key}


@contextmanager
def writing(user, rows: list[_Row], lookups: _Lookups, dry_run: bool) -> Iterator[_Writer | None]:
    """The write of `rows`, begun while they are checked (`_Writer`); None for a dry run. It starts by taking the
    ledger's lock (`serial.serialise`: overlapping imports write one at a time). Leaving it waits for the last
    statement; a project saved or a key deleted by someone else meanwhile refuses the file, the rows named."""
    if dry_run:
        yield None
        return
    if refused := serialise(rows, lookups):  # (another import wrote meanwhile: this one's reads are stale)
        raise LedgerImportError(refused)
    writer = None
    try:
        writer = _Writer(user, rows, lookups)
        with tally.suspended(ProjectTally) as kept, writer:  # (SQLite: the tally recounted once, not row by row)
            yield writer
            kept.changed = writer.wrote_projects
        listing.refresh(writer.existing)
    except _Stale as exc:  # a project saved (a page, the API) between the read and the write: named by row
        named = saved_meanwhile(rows, lookups, writer.now) if writer else []
        raise LedgerImportError(named or [RowError(0, "", CHANGED_MEANWHILE)]) from exc
    except IntegrityError as exc:  # a key deleted meanwhile
        raise LedgerImportError([RowError(0, "", CHANGED_MEANWHILE)]) from exc


class _Writer:
    """The import's statements, made while the rows are checked: each block of rows checked (`planned`) has its new
    projects inserted, their keys checked, their stage history, its changed projects, its campaign listings and
    the change log of all of them written while the next block is parsed and checked — on PostgreSQL by the
    `_Pipeline`'s second thread, so that the server stores one block while Python checks the next. A row with an
    error (or a statement refused) stops the writing; the file is then refused and the transaction rolled back,
    so nothing is written. The keys and codes of new projects are drawn before the check, for every row that may
    create one (any not naming a known code); codes left unused are given back to the sequence."""

    def __init__(self, user, rows: list[_Row], lookups: _Lookups):
        self.user, self.now = user, timezone.now()
        self.created: dict[int, int] = {}  # {row number: new project's id}
        self.existing: list[int] = []  # the existing projects listed in campaigns (for `listing.refresh`)
        self.failed = False
        self.wrote_projects = False  # any project inserted or updated (else the list tally needs no recount)
        maybe_new = [r for r in rows if r.values.get("code") not in lookups.by_code]
        self.codes = _Codes(sum(1 for r in maybe_new if not r.values.get("code")),
                            {r.values["code"] for r in maybe_new if r.values.get("code")})
        if _database_renders() or connection.vendor != "postgresql":  # (SQLite: the inserts assign the keys)
            self.run: _Direct | _Pipeline = _Direct()
            self.ids = self.entry_ids = None
        else:
            self.ids = iter(_draw_ids(Project, len(maybe_new)))
            self.entry_ids = iter(_draw_ids(CampaignEntry, sum(1 for r in rows if r.values.get("campaign"))))
            ContentType.objects.get_for_models(Project, CampaignEntry)  # (cached for the log's rows)
            self.run = _Pipeline([Project, StageEvent, CampaignEntry, ObjectChange])

    def __enter__(self) -> _Writer:
        self.run.__enter__()
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        self.run.__exit__(kind, exc, traceback)  # (the pipeline waits for its last statement, raises its error)
        if exc is None:
            self.codes.give_back()

    def planned(self, rows: list[_Row]) -> None:
        """These rows are checked: what they change is written, unless a row so far had an error or a statement
        was refused (then the rest is not even built)."""
        self.failed = self.failed or any(r.errors for r in rows) or self.run.error is not None
        if self.failed:
            return
        run, now, created = self.run, self.now, [r for r in rows if r.action == "create"]
        records = []
        for row in created:
            row.merged["code"] = row.merged["code"] or self.codes.next()
            record = PROJECT_DEFAULTS | row.merged | {"created_at": now, "updated_at": now}
            if row.entry:  # the listing date its one entry gives (listing.py)
                record[LISTED_ON[row.entry[1]]] = row.entry[0].date
            records.append(record)
        if records:
            run.insert(Project, _keyed(records, self.ids), with_ids=True)
            self.created.update((row.number, record["id"]) for row, record in zip(created, records, strict=True))
            _new_history(run, self.user, records, now)
        updated = [r for r in rows if r.action == "update"]
        _update(run, self.user, updated, now)
        self.wrote_projects = self.wrote_projects or bool(records or updated)
        if listed := [r for r in rows if r.entry]:
            self.existing += _list_in_campaigns(run, listed, self.entry_ids, self.created, now)


def _keyed(records: list[dict], ids: Iterator[int] | None) -> list[dict]:
    """`records`, each given the next of the keys drawn beforehand (`ids`; None: the insert assigns them)."""
    if ids is not None:
        for record in records:
            record["id"] = next(ids)
    return records


class _Codes:
    """New projects' codes, taken from the sequence before the check for as many rows as may need one; those
    not used are given back, as long as the transaction holds the sequence's row (`Sequence.take` locks it)."""

    def __init__(self, count: int, taken: set[str]):
        self.before = 0
        if count:  # (the row locked before it is read: no other import takes codes between the two)
            sequence = Sequence.objects.select_for_update().filter(name=PROJECT_SEQUENCE)
            self.before = sequence.values_list("value", flat=True).first() or 0
        self.codes = _fresh_codes(count, taken) if count else []
        self.used = 0

    def next(self) -> str:
        self.used += 1
        return self.codes[self.used - 1]

    def give_back(self) -> None:
        if self.used < len(self.codes):
            last = project_code_number(self.codes[self.used - 1]) if self.used else self.before
            Sequence.objects.filter(name=PROJECT_SEQUENCE).update(value=last)


def _new_history(run: _Direct | _Pipeline, user, records: list[dict], now) -> None:
    """The stage history and change-log rows of new projects (`records`, being stored), built where
    `_database_renders` says; on PostgreSQL, their keys are checked first."""
    if _database_renders():
        ids = [r["id"] for r in records]
        log_created(Project, ids, label="o.name", now=now)
        _stage_history(ids, user, now)
        return
    run.check_keys(Project)  # (the rows after are built while the server stores the projects and checks them)
    run.insert(StageEvent, (e for r in records for e in _stage_rows(r, user, now)))
    run.send(ObjectChange, _log_rows(Project, "create", zip(
        (r["id"] for r in records), (r["name"] for r in records), repeat(None),
        snapshot_texts(Project, records)), now))


def _fresh_codes(count: int, taken: set[str]) -> list[str]:
    """`count` new codes from the sequence, skipping any already used (a file may bring its own XM… codes)."""
    codes: list[str] = []
    while len(codes) < count:
        batch = new_project_codes(count - len(codes))
        used = set(Project.objects.filter(code__gte=batch[0], code__lte=batch[-1]).values_list("code", flat=True))
        codes += [c for c in batch if c not in used and c not in taken]
    return codes


def _database_renders() -> bool:
    """Does the database build the change-log rows of new and changed projects, and new projects' stage history,
    from the stored rows, or does Python build them and send them? SQLite runs in this process and does it in C,
    seconds sooner than Python for 100,000 projects. PostgreSQL's server is already the import's bottleneck (rows,
    indexes, key checks): rendering there made the import slower, so Python builds them alongside it (measured
    with `python -m bench`)."""
    return connection.vendor == "sqlite"


def _stage_rows(project: dict, user, now) -> list[dict]:
    """The stage history a new project brings (`services.entry_stages`), as rows to insert."""
    return [{"project_id": project["id"], "stage": stage, "date": on, "note": note, "user_id": user.pk,
             "recorded_at": now} for stage, on, note in entry_stages(project)]


def _stage_history(ids: list[int], user, now) -> None:
    """The stage history the new projects `ids` bring (`services.entry_stages`, rendered in SQL), in one
    INSERT … SELECT."""
    qn = connection.ops.quote_name
    table, events = qn(Project._meta.db_table), StageEvent._meta
    ids_sql, params = id_set(ids)
    params += [user.pk, events.get_field("recorded_at").get_db_prep_save(now, connection)]  # in the SQL's order
    # One part per stage, in the stages' order: the INSERT … SELECT runs them one after the other (SQLite, and
    # PostgreSQL, which never plans a data-modifying statement in parallel), so each project's rows get ascending
    # ids in stage order, as its timeline sorts them.
    parts = []
    for stage in DATED_STAGES:
        on = qn(Project._meta.get_field(STAGE_DATE_FIELD[stage]).column)
        parts.append(f"SELECT p.id, %s AS stage, p.{on} AS date, '' AS note FROM new p WHERE p.{on} IS NOT NULL")
        params.append(stage.value)
    parts.append(f"SELECT p.id, p.stage, p.terminated_on, p.termination_reason FROM new p "
                 f"WHERE p.stage NOT IN ({', '.join(['%s'] * len(DATED_STAGES))})")
    params += [stage.value for stage in DATED_STAGES]
    columns = ["project", "stage", "date", "note", "user", "recorded_at"]
    dates = ", ".join(qn(Project._meta.get_field(STAGE_DATE_FIELD[s]).column) for s in DATED_STAGES)
    sql = (f"WITH new AS (SELECT id, stage, {dates}, terminated_on, termination_reason FROM {table} "
           f"WHERE id IN ({ids_sql})) "
           f"INSERT INTO {qn(events.db_table)} ({', '.join(qn(events.get_field(c).column) for c in columns)}) "
           f"SELECT e.id, e.stage, e.date, e.note, %s, %s FROM ({' UNION ALL '.join(parts)}) e")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _update(run: _Direct | _Pipeline, user, rows: list[_Row], now) -> None:
    """Changed projects: their changed fields, version + 1, a change-log row each (before → after) and a stage
    event when the stage moved."""
    if not rows:
        return
    changed = [*sorted({a for r in rows for a in r.changed}), "version", "updated_at"]
    for row in rows:  # the project as checked (every field), changed by the row; the version guards the write
        row.merged |= {"version": row.project["version"] + 1, "updated_at": now}
    update = partial(_update_projects, run, [r.merged for r in rows], changed)
    if _database_renders():
        log_updated(Project, [r.merged["id"] for r in rows], update, fields=changed, label="o.name", now=now)
    else:  # the change log's rows are built while the server applies the update
        update()
        run.send(ObjectChange, _log_rows(Project, "update", _before_after(rows), now))
    run.insert(StageEvent, [_stage_event(r.merged, user, now) for r in rows
                            if r.project["stage"] != r.merged["stage"]])


def _before_after(rows: list[_Row]) -> Iterator[tuple[int, str, dict, dict]]:
    """(pk, repr, before, after) of each updated project: its changed fields, as the log keeps an update
    (`changelog.changed_only`)."""
    convert = dict(snapshot_fields(Project)[1])

    def logged(name: str, value):
        return value if value is None or name not in convert else convert[name](value)

    for row in rows:
        names = (*row.changed, "version", "updated_at")
        yield (row.merged["id"], row.merged["name"], {n: logged(n, row.project[n]) for n in names},
               {n: logged(n, row.merged[n]) for n in names})


def _stage_event(project: dict, user, now) -> dict:
    """The stage row of a project moved to a new stage by the import."""
    on = project[STAGE_DATE_FIELD[project["stage"]]] if project["stage"] in STAGE_DATE_FIELD else None
    return {"project_id": project["id"], "stage": project["stage"], "date": on, "user_id": user.pk,
            "note": "台账导入", "recorded_at": now}


def _list_in_campaigns(run: _Direct | _Pipeline, rows: list[_Row], ids: Iterator[int] | None,
                       created: dict[int, int], now) -> list[int]:
    """New campaign listings, each with the project's total investment at listing, and their change-log rows;
    `ids` as for `_keyed`. Returns the existing projects listed, whose listing dates are to be refreshed once the
    listings are stored (new ones got theirs as they were inserted)."""
    records = _keyed([{"campaign_id": r.entry[0].pk, "batch": r.entry[1],
                       "project_id": created[r.number] if r.number in created else r.project["id"],
                       "investment_at_listing": r.merged["total_investment"]} for r in rows], ids)
    run.insert(CampaignEntry, records, with_ids=True)
    existing = [r.project["id"] for r in rows if r.number not in created]
    if not _database_renders():  # the log's rows are built while the server checks the listings' keys
        run.check_keys(CampaignEntry)
        batches = {b.value: str(b.label) for b in Batch}  # (each label translated once, not per row)
        labels = (f"{row.entry[0].name} · {batches[row.entry[1]]} · {row.merged['name']}" for row in rows)
        run.send(ObjectChange, _log_rows(CampaignEntry, "create", zip(  # labelled as CampaignEntry.__str__ does
            (r["id"] for r in records), labels, repeat(None), snapshot_texts(CampaignEntry, records)), now))
        return existing
    qn = connection.ops.quote_name
    batch = "CASE o.batch " + " ".join("WHEN %s THEN %s" for _ in Batch) + " END"
    log_created(CampaignEntry, [r["id"] for r in records], now=now,  # CampaignEntry.__str__
                label=f"c.name || ' · ' || {batch} || ' · ' || p.name",
                label_params=[str(v) for b in Batch for v in (b.value, b.label)],
                joins=f"JOIN {qn(Campaign._meta.db_table)} c ON c.id = o.campaign_id "
                      f"JOIN {qn(Project._meta.db_table)} p ON p.id = o.project_id")
    return existing


def _log_rows(model, action: str, items: Iterable[tuple[int, str, dict | str | None, dict | str | None]],
              now) -> Iterator[list]:
    """The change-log rows of `items` as `_send` takes them (every field but the key, in order, adapted); who
    acts, and the model's content type, are read now (the values every row shares, adapted once), the rows made
    as they are consumed (in another thread, maybe)."""
    fields, shared = _fields(ObjectChange), shared_log_values(model, action, now)
    constants = [shared.get(f.attname) for f in fields]
    at = {f.attname: i for i, f in enumerate(fields)}
    oid, label, pre, post = at["object_id"], at["object_repr"], at["prechange_data"], at["postchange_data"]
    prep = ObjectChange._meta.get_field("postchange_data").get_prep_value

    def rows() -> Iterator[list]:
        for pk, text, before, after in items:
            row = constants.copy()
            row[oid], row[label], row[pre], row[post] = str(pk), text[:200], prep(before), prep(after)
            yield row
    return rows()
