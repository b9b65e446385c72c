"""The change log: every create, update and delete of domain data, with who, when, which request, before → after.
A create keeps the new object's every field, a delete the deleted one's, an update the fields it changed.

Models opt in by subclassing `ChangeLoggedModel`. The acting user and request id come from a context variable
that the request middleware (pages) and the API authentication set; commands run as "系统".
"""

from __future__ import annotations

import contextvars
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache, partial
from operator import itemgetter

import orjson
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

_ENCODER = DjangoJSONEncoder()


@dataclass
class ChangeContext:
    """Who is acting, and in which request."""

    user: object | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)


_context: contextvars.ContextVar[ChangeContext | None] = contextvars.ContextVar("change_context", default=None)


def current_context() -> ChangeContext:
    return _context.get() or ChangeContext()


def set_context_user(user) -> None:
    """Attach the authenticated user to the current request's context (used by API authentication)."""
    ctx = _context.get()
    if ctx is not None:
        ctx.user = user


@contextmanager
def change_context(user=None):
    """Record every change made inside the block as done by `user` in one request."""
    token = _context.set(ChangeContext(user=user))
    try:
        yield _context.get()
    finally:
        _context.reset(token)


def snapshot(instance: models.Model, values: dict | None = None) -> dict:
    """The concrete field values of `instance` (or the `values` it was loaded with), JSON-ready."""
    if values is None:
        values = {f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields}
    else:
        values = {f.attname: values.get(f.attname) for f in instance._meta.concrete_fields}
    return snapshot_of(type(instance), values)


def snapshot_of(model: type[models.Model], values: dict) -> dict:
    """The snapshot of a `model` row holding `values` (every concrete field, by attname): what the change log
    keeps. Decimals as text at the field's precision (383.2 and 383.20 are the same amount), dates ISO, timestamps
    as DjangoJSONEncoder writes them; the rest as they are."""
    layout = _layout(model)
    return _converted(dict(zip(layout.names, layout.values(values), strict=True)), layout.converted)


def snapshot_texts(model: type[models.Model], rows: Iterable[dict]) -> Iterator[str]:
    """The JSON text of `snapshot_of(model, row)` for each of many `rows` (what a `SnapshotField` stores), at a
    third of the cost: orjson writes the dates itself (each field's value a `date`, as an import's are), and a
    row holding exactly `model`'s attnames is copied, not rebuilt field by field."""
    layout = _layout(model)
    for row in rows:
        snap = row.copy() if row.keys() == layout.name_set else dict(zip(layout.names, layout.values(row),
                                                                          strict=True))
        yield orjson.dumps(_converted(snap, layout.converted_but_dates), default=_ENCODER.default).decode()


def snapshot_fields(model: type[models.Model]) -> tuple[list[str], list[tuple[str, Callable]]]:
    """`model`'s concrete attnames, and those whose values a snapshot writes differently, with how."""
    layout = _layout(model)
    return layout.names, layout.converted


def _converted(snap: dict, converted: list[tuple[str, Callable]]) -> dict:
    for name, convert in converted:
        if (value := snap[name]) is not None:
            snap[name] = convert(value)
    return snap


@dataclass(frozen=True)
class _Layout:
    """A model's snapshot fields: attnames (a list, a set and a getter of their values) and converters."""

    names: list[str]
    name_set: frozenset[str]
    values: Callable[[dict], tuple]
    converted: list[tuple[str, Callable]]
    converted_but_dates: list[tuple[str, Callable]]


@cache
def _layout(model: type[models.Model]) -> _Layout:
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    converted = [(f.attname, c) for f in fields if (c := _converter(f)) is not None]
    return _Layout(names, frozenset(names), itemgetter(*names), converted,
                   [(name, c) for name, c in converted if c is not _date_text])


def _converter(field: models.Field) -> Callable[[object], object] | None:
    kind = field.get_internal_type()
    if kind == "DecimalField":
        return partial(_decimal_text, spec=f".{field.decimal_places}f")
    if kind == "DateField":
        return _date_text
    if kind in ("DateTimeField", "TimeField", "DurationField", "UUIDField"):
        # Mostly one value over and over (an import's `now`): a few are kept, not every one seen.
        return lru_cache(maxsize=16)(_json_text)
    if kind == "JSONField":
        return lambda value: json.loads(json.dumps(value, cls=DjangoJSONEncoder))  # a copy, JSON-ready
    return None


def _decimal_text(value, spec: str) -> str:
    return format(value if type(value) is Decimal else Decimal(value), spec)


def _date_text(value) -> str:
    return value.isoformat() if type(value) is date else _json_text(value)


def _json_text(value):
    """A date, time or UUID as DjangoJSONEncoder writes it (a string assigned to such a field stays as it is)."""
    return value if isinstance(value, str) else _ENCODER.default(value)


def acting_user():
    """The user the current change context names, if signed in; None means "系统"."""
    return _user_or_none(current_context().user)


def log_row_common(model: type[models.Model], action: str) -> dict:
    """What every change-log row of `action` on `model` in the current context shares (by attname): who acts, in
    which request, on which type of object. Each writer of the log fills in the rest."""
    user = acting_user()
    return {"user_id": user.pk if user else None, "user_name": user.get_username() if user else "系统",
            "request_id": current_context().request_id, "action": action,
            "content_type_id": ContentType.objects.get_for_model(model, for_concrete_model=True).pk}


class ChangeLoggedModel(models.Model):
    """A model whose every create, update and delete is written to the change log."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if len(field_names) == len(cls._meta.concrete_fields):
            # Keep the loaded values as they are; they become a snapshot only if the object is saved or deleted,
            # so reading long lists costs nothing extra.
            instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    @property
    def _prechange(self) -> dict | None:
        loaded = getattr(self, "_loaded", None)
        return None if loaded is None else snapshot(self, loaded)

    def changes(self):
        """This object's change history, newest first."""
        from .models import ObjectChange

        return ObjectChange.objects.for_object(self)


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _record(instance: models.Model, action: str, before: dict | None, after: dict | None) -> None:
    from .models import ObjectChange

    ObjectChange.objects.create(
        **log_row_common(type(instance), action),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        prechange_data=before,
        postchange_data=after,
    )


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    """An update's snapshots as the log keeps them: only the fields whose values changed, before and after.
    (A create keeps every field of the new object, a delete every field of the one deleted.)"""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    after = snapshot(instance)
    if created:
        _record(instance, "create", None, after)
    else:
        before = instance._prechange
        if before is None:  # loaded without every field: nothing to compare with, so the whole object is kept
            _record(instance, "update", None, after)
        elif before != after:
            _record(instance, "update", *changed_only(before, after))
    instance._loaded = {f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields}


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    _record(instance, "delete", instance._prechange or snapshot(instance), None)


def bulk_record(instances: list[models.Model], action: str = "create") -> None:
    """Record many changes in one insert (for set-based loads and imports that bypass signals)."""
    from .models import ObjectChange

    if not instances:
        return
    common = log_row_common(type(instances[0]), action)
    ObjectChange.objects.bulk_create(
        [
            ObjectChange(
                **common,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                prechange_data=None if action == "create" else snapshot(obj),
                postchange_data=None if action == "delete" else snapshot(obj),
            )
            for obj in instances
        ],
        batch_size=1000,
    )
