"""Access changes audited from wherever they are made (the admin site, services, the shell, a data fix): a new
user, and every change of a user's role, org unit, activation, staff and superuser flags, groups and single
permissions, each old → new, recorded against the changed user's unit so the admin of that subtree reads it.
The actor is the change context's user (`core.changelog`); none means "系统".

A user's API tokens die here too: when the password changes (a hash upgrade at login is not a change) and when
the user is deactivated.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from kaifaqu.core.changelog import acting_user

from .audit import AuditAction, audit
from .audit_middleware import current_request
from .models import OrgUnit, User

TRACKED = ("role", "org_unit_id", "is_active", "is_staff", "is_superuser")
ROLE_FIELDS = ("role", "org_unit")
PERMISSION_FIELDS = ("is_staff", "is_superuser", "is_active")
CREATED_FROM = {"role": None, "org_unit_id": None, "is_staff": False, "is_superuser": False}  # flags shown if set


def _record(action: str, *, user: User, detail: dict, unit: OrgUnit | None = None) -> None:
    audit(action=action, request=current_request(), user=acting_user(), org_unit=unit or user.org_unit,
          target=user.get_username(), detail=detail)


def _watched(update_fields) -> bool:
    if update_fields is None:
        return True
    names = {name.removesuffix("_id") for name in update_fields}
    return bool(names & {"password", *(f.removesuffix("_id") for f in TRACKED)})


@receiver(pre_save, sender=User, dispatch_uid="accounts.audit.user_before")
def _remember_stored(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    """Keep the stored row's access fields (one query), to compare once the save is done."""
    instance._audit_before = None
    if raw or instance._state.adding or instance.pk is None or not _watched(update_fields):
        return
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*TRACKED, "password").first()


@receiver(post_save, sender=User, dispatch_uid="accounts.audit.user_after")
def _audit_saved(sender, instance: User, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if created:
        _record(AuditAction.USER_CREATED, user=instance, detail=_changes(CREATED_FROM, instance, fields=CREATED_FROM))
        return
    before, instance._audit_before = getattr(instance, "_audit_before", None), None
    if before is None:
        return
    changes = _changes(before, instance, fields=TRACKED)
    _audit_changes(instance, changes, left=before["org_unit_id"])
    if before["password"] != instance.password and not _is_rehash(instance, update_fields):
        _revoke_tokens(instance, "password")


def _changes(before: dict, user: User, *, fields) -> dict:
    """{"role": {"old": …, "new": …}, "org_unit": {"old": name, "new": name}, …} for the fields that differ."""
    diff = {f: (before[f], getattr(user, f)) for f in fields if before[f] != getattr(user, f)}
    if "org_unit_id" in diff:
        names = dict(OrgUnit.objects.filter(pk__in=[i for i in diff["org_unit_id"] if i]).values_list("pk", "name"))
        diff["org_unit_id"] = tuple(names.get(i) for i in diff["org_unit_id"])
    return {f.removesuffix("_id"): {"old": old, "new": new} for f, (old, new) in diff.items()}


def _audit_changes(user: User, changes: dict, *, left: int | None) -> None:
    role = {f: changes[f] for f in ROLE_FIELDS if f in changes}
    if role:
        _record(AuditAction.ROLE_CHANGED, user=user, detail=role)
        if "org_unit" in changes and (old := _left_unit(left, user.org_unit)) is not None:
            _record(AuditAction.ROLE_CHANGED, user=user, detail=role, unit=old)
    deactivated = changes.get("is_active", {}).get("new") is False
    permission = {f: changes[f] for f in PERMISSION_FIELDS if f in changes and not (f == "is_active" and deactivated)}
    if permission:
        _record(AuditAction.PERMISSION_CHANGED, user=user, detail=permission)
    if deactivated:
        _record(AuditAction.USER_DEACTIVATED, user=user, detail={"is_active": changes["is_active"]})
        _revoke_tokens(user, "deactivated")


def _left_unit(left: int | None, joined: OrgUnit | None) -> OrgUnit | None:
    """The unit a user moved out of, if its admin would not see the event recorded under the new one (the new unit
    lies outside its subtree): the move is then recorded there too."""
    old = OrgUnit.objects.filter(pk=left).first() if left else None
    return old if old is not None and (joined is None or not old.contains(joined)) else None


def _is_rehash(user: User, update_fields) -> bool:
    """Django's check_password() re-hashing a right password with a newer hasher: the same password."""
    return update_fields is not None and set(update_fields) == {"password"} and user._password is None


def _revoke_tokens(user: User, why: str) -> None:
    from .services import REVOKED_DEACTIVATED, REVOKED_PASSWORD, tokens_revoke_all

    tokens_revoke_all(user=user, reason=REVOKED_PASSWORD if why == "password" else REVOKED_DEACTIVATED)


# ---- groups and single permissions -----------------------------------------------------------------------------

def _granted(user: User, field: str) -> list[str]:
    if field == "groups":
        return sorted(user.groups.values_list("name", flat=True))
    return sorted(f"{a}.{c}" for a, c in user.user_permissions.values_list("content_type__app_label", "codename"))


def _affected(instance, reverse: bool, pk_set, field: str) -> list[User]:
    if not reverse:
        return [instance]
    users = instance.user_set.all() if pk_set is None else User.objects.filter(pk__in=pk_set)
    return list(users.select_related("org_unit"))


def _on_grants_changed(field: str, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Before: keep each affected user's grants; after: audit those whose grants differ, old → new."""
    if action.startswith("pre_"):
        instance._audit_grants = {u.pk: (u, _granted(u, field)) for u in _affected(instance, reverse, pk_set, field)}
        return
    for user, old in getattr(instance, "_audit_grants", {}).values():
        new = _granted(user, field)
        if new != old:
            _record(AuditAction.PERMISSION_CHANGED, user=user, detail={field: {"old": old, "new": new}})
    instance._audit_grants = {}


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.audit.groups")
def _groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    _on_grants_changed("groups", instance, action, reverse, pk_set)


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="accounts.audit.permissions")
def _permissions_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    _on_grants_changed("user_permissions", instance, action, reverse, pk_set)
