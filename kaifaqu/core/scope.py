"""The one scoping mechanism (SPEC §2): a user sees only the rows of their org unit's subtree.

Every domain model uses `ScopedQuerySet` as its default manager and names, in `scope_path`, the lookup that
reaches the materialised path of the org unit that owns a row (e.g. ``"org_unit__path"``). Pages, the API,
the admin, exports and counts all start from ``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import BooleanField, ExpressionWrapper, Func, Q

WALK_SHARE = 0.05  # a scope this large a share of its table: a page is found by walking the list's order


class Unindexed(Func):
    """SQLite: `+(condition)`, the same condition in a form no index (nor, through a join, any other table's
    key) can serve — SQLite's documented way to steer its planner away from an index."""

    template = "+(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, condition: Q):
        super().__init__(ExpressionWrapper(condition, output_field=BooleanField()))


def likely(condition: Q, share: float | None) -> Q | Unindexed:
    """`condition`, or on SQLite, for a scope holding at least `WALK_SHARE` of the table, `Unindexed`. SQLite's
    statistics keep the average rows per key, not their spread: for a province whose zones hold half of a
    national table it expects a few thousand rows, reads them all by the zone index and sorts them, where walking
    the list's order stops after a page (1.2 s → a few ms over 200,000 leads). PostgreSQL's statistics see the
    spread: the condition is left as it is."""
    if share is None or share < WALK_SHARE or connection.vendor != "sqlite":
        return condition
    return Unindexed(condition)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to a user's org subtree."""

    def visible_to(self, user, *, share: float | None = None) -> ScopedQuerySet:
        """Rows in the subtree of `user`'s org unit; everything for a superuser; nothing for anyone else.
        `share`: the part of the table the scope is known to hold (from a kept tally), a hint for SQLite
        (`likely`)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        unit = getattr(user, "org_unit", None)
        if unit is None:
            return self.none()
        lookup = getattr(self.model, "scope_path", None)
        if lookup is None:
            raise TypeError(f"{self.model.__name__} has no scope_path: it cannot be scoped")
        head, _, rest = lookup.partition("__")
        related = self.model._meta.get_field(head).related_model if rest else None
        if related is not None and getattr(related, "scope_path", None) == rest:
            # Through a scoped parent (project → zone): filter on the parent's ids instead of joining the org tree
            # into every row of a large table. A small parent table (zones) is read first, so the planner sees a
            # short literal list and walks the child's index on it.
            parents = related.objects.visible_to(user).values_list("pk", flat=True)
            if getattr(related, "scope_ids_eager", False):
                parents = list(parents)
            return self.filter(likely(Q(**{f"{head}__in": parents}), share))
        return self.filter(**{f"{lookup}__startswith": unit.path})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
