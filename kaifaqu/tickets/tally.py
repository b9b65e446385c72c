"""Running totals of the hotline's figures (诉求统计汇总) for the units above the zones, so that a city, the
province or the whole platform reads its figures from a few thousand summed rows instead of every ticket.

A `TicketTally` row holds, for one scope (an org unit's path, or "/" for everything), one day received, one
category and one department, the counts `FIELDS` that `ticket_stats` reports. Each ticket contributes to the row
of each unit above its zone; every save or delete of a ticket moves its contribution (signals, so the services,
the admin and factories all keep the totals right). Loads that bypass `save()` (bulk_create, COPY) must call
`ticket_tallies_rebuild()` afterwards; until the totals exist at all, the figures are counted from the tickets.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from kaifaqu.accounts.choices import OrgKind
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.zones.models import Zone

from .choices import TICKET_DONE, Satisfaction
from .models import Ticket, TicketTally

ROOT = "/"
FIELDS = ("received", "resolved", "resolved_on_time", "responded_on_time", "responded_late", "satisfied", "basic",
          "dissatisfied", "key_difficult", "escalated")
SOURCE = ("zone_id", "received_at", "category", "department", "status", "resolved_on_time", "first_response_on_time",
          "satisfaction", "key_difficult", "escalated_at")
_zone_paths: dict[int, str] = {}


def counts(*, field: str = "received_at") -> dict:
    """The conditional counts of `FIELDS` over tickets (the figures counted straight from the tickets)."""
    done = Q(status__in=TICKET_DONE)
    return {
        "received": Count(field),
        "resolved": Count(field, filter=done),
        "resolved_on_time": Count(field, filter=done & Q(resolved_on_time=True)),
        "responded_on_time": Count(field, filter=Q(first_response_on_time=True)),
        "responded_late": Count(field, filter=Q(first_response_on_time=False)),
        "satisfied": Count(field, filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "basic": Count(field, filter=Q(satisfaction=Satisfaction.BASIC)),
        "dissatisfied": Count(field, filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
        "key_difficult": Count(field, filter=Q(key_difficult=True)),
        "escalated": Count(field, filter=Q(escalated_at__isnull=False)),
    }


def sums() -> dict:
    """The same figures summed over tally rows."""
    return {f: Sum(f) for f in FIELDS}


def contribution(v: dict) -> tuple[tuple[date, str, str], tuple[int, ...]]:
    """A ticket's (day, category, department) and its counts, from its `SOURCE` values."""
    done = v["status"] in TICKET_DONE
    vector = (1, done, done and v["resolved_on_time"] is True, v["first_response_on_time"] is True,
              v["first_response_on_time"] is False, v["satisfaction"] == Satisfaction.SATISFIED,
              v["satisfaction"] == Satisfaction.BASIC, v["satisfaction"] == Satisfaction.DISSATISFIED,
              bool(v["key_difficult"]), v["escalated_at"] is not None)
    day = timezone.localdate(v["received_at"])
    return (day, v["category"], v["department"]), tuple(int(x) for x in vector)


def scopes_above(zone_id: int) -> list[str]:
    """"/" and the path of every unit above the zone ("/140000/", "/140000/140300/")."""
    if zone_id not in _zone_paths:
        _zone_paths[zone_id] = Zone.objects.filter(pk=zone_id).values_list("org_unit__path", flat=True).get()
    parts = _zone_paths[zone_id].strip("/").split("/")[:-1]
    return [ROOT] + ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _values(ticket: Ticket) -> dict:
    return {name: getattr(ticket, name) for name in SOURCE}


def move(before: dict | None, after: dict | None) -> None:
    """Take a ticket's old contribution off its rows and add its new one."""
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(FIELDS))
    for values, sign in ((before, -1), (after, 1)):
        if values is None:
            continue
        key, vector = contribution(values)
        for scope in scopes_above(values["zone_id"]):
            row = deltas[(scope, *key)]
            for i, x in enumerate(vector):
                row[i] += sign * x
    for (scope, day, category, department), delta in deltas.items():
        if any(delta):
            _apply(scope, day, category, department, delta)


def _apply(scope: str, day: date, category: str, department: str, delta: list[int]) -> None:
    key = {"scope": scope, "day": day, "category": category, "department": department}
    change = {f: F(f) + d for f, d in zip(FIELDS, delta, strict=True) if d}
    if TicketTally.objects.filter(**key).update(**change):
        if delta[0] < 0:  # the last ticket of the row may have left it: drop an empty row (no signals)
            TicketTally.objects.filter(**key, received=0)._raw_delete(TicketTally.objects.db)
        return
    try:
        with transaction.atomic():
            TicketTally.objects.create(**key, **dict(zip(FIELDS, delta, strict=True)))
    except IntegrityError:  # created concurrently: add to it
        TicketTally.objects.filter(**key).update(**change)


# ---- signals ----------------------------------------------------------------------------------------------------

def _before_save(sender, instance: Ticket, raw: bool = False, **kwargs) -> None:
    instance._tally_before = None
    if not raw and not instance._state.adding and instance.pk:
        instance._tally_before = Ticket.objects.filter(pk=instance.pk).values(*SOURCE).first()


def _after_save(sender, instance: Ticket, raw: bool = False, **kwargs) -> None:
    if not raw:
        move(getattr(instance, "_tally_before", None), _values(instance))


def _after_delete(sender, instance: Ticket, **kwargs) -> None:
    move(_values(instance), None)


def connect_signals() -> None:
    """Keep the totals in step with every save and delete of a ticket."""
    pre_save.connect(_before_save, sender=Ticket, dispatch_uid="ticket_tally_before")
    post_save.connect(_after_save, sender=Ticket, dispatch_uid="ticket_tally_after")
    post_delete.connect(_after_delete, sender=Ticket, dispatch_uid="ticket_tally_delete")


# ---- reading and rebuilding -------------------------------------------------------------------------------------

def tallies_ready() -> bool:
    """Do the totals exist? (Tickets loaded in bulk have none until `ticket_tallies_rebuild`.)"""
    return TicketTally.objects.filter(scope=ROOT).exists() or not Ticket.objects.exists()


@transaction.atomic
def ticket_tallies_rebuild() -> int:
    """Recount every total from the tickets (after a bulk load), one INSERT … SELECT per scope; returns the rows
    written."""
    _zone_paths.clear()
    TicketTally.objects.all()._raw_delete(TicketTally.objects.db)  # no signals: a plain DELETE
    scopes = {ROOT: Zone.objects.all()}
    for unit in OrgUnit.objects.exclude(kind__in=[OrgKind.ZONE, OrgKind.DEPARTMENT]):
        scopes[unit.path] = Zone.objects.filter(org_unit__path__startswith=unit.path)
    columns = ", ".join(("day", "category", "department", *FIELDS))
    table = TicketTally._meta.db_table
    with connection.cursor() as cursor:
        for scope, zones in scopes.items():
            rows = (Ticket.objects.filter(zone__in=zones.values("pk")).annotate(day=TruncDate("received_at"))
                    .order_by().values("day", "category", "department").annotate(**counts()))
            sql, params = rows.query.sql_with_params()
            cursor.execute(f"INSERT INTO {table} (scope, {columns}) SELECT %s, {columns} FROM ({sql}) AS t",  # noqa: S608
                           [scope, *params])
    return TicketTally.objects.count()
