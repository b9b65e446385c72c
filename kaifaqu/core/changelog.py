"""The change log: every create, update and delete of domain data, with who, when, which request, before → after.

Models opt in by subclassing `ChangeLoggedModel`. The acting user and request id come from a context variable
that the request middleware (pages) and the API authentication set; commands run as "系统".
"""

from __future__ import annotations

import contextvars
import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver


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


def _normalised(field: models.Field, value):
    # 383.2 and 383.20 are the same amount: compare decimals at the field's precision.
    if isinstance(field, models.DecimalField) and value is not None:
        return f"{Decimal(value):.{field.decimal_places}f}"
    return value


def snapshot(instance: models.Model, values: dict | None = None) -> dict:
    """The concrete field values of `instance` (or the `values` it was loaded with), JSON-ready."""
    fields = instance._meta.concrete_fields
    if values is None:
        data = {f.attname: _normalised(f, f.value_from_object(instance)) for f in fields}
    else:
        data = {f.attname: _normalised(f, values.get(f.attname)) for f in fields}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


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

    ctx = current_context()
    user = _user_or_none(ctx.user)
    ObjectChange.objects.create(
        user=user,
        user_name=user.get_username() if user else "系统",
        request_id=ctx.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        prechange_data=before,
        postchange_data=after,
    )


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    after = snapshot(instance)
    before = None if created else instance._prechange
    if not created and before == after:
        return
    _record(instance, "create" if created else "update", before, after)
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
    ctx = current_context()
    user = _user_or_none(ctx.user)
    ct = ContentType.objects.get_for_model(instances[0], for_concrete_model=True)
    ObjectChange.objects.bulk_create(
        [
            ObjectChange(
                user=user,
                user_name=user.get_username() if user else "系统",
                request_id=ctx.request_id,
                action=action,
                content_type=ct,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                prechange_data=None if action == "create" else snapshot(obj),
                postchange_data=None if action == "delete" else snapshot(obj),
            )
            for obj in instances
        ],
        batch_size=1000,
    )
