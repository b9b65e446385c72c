"""The one scoping mechanism (SPEC §2): a user sees only the rows of their org unit's subtree.

Every domain model uses `ScopedQuerySet` as its default manager and names, in `scope_path`, the lookup that
reaches the materialised path of the org unit that owns a row (e.g. ``"org_unit__path"``). Pages, the API,
the admin, exports and counts all start from ``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to a user's org subtree."""

    def visible_to(self, user) -> ScopedQuerySet:
        """Rows in the subtree of `user`'s org unit; everything for a superuser; nothing for anyone else."""
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
            return self.filter(**{f"{head}__in": parents})
        return self.filter(**{f"{lookup}__startswith": unit.path})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
