"""Role → Django permission groups, so an org `admin` can manage users and dictionaries in the admin site."""

from django.contrib.auth.models import Group, Permission

ADMIN_GROUP = "机构管理员"
ADMIN_MODELS = {
    "accounts": ["user", "orgunit", "apitoken"],
    "zones": ["zone", "park", "industrychain", "region"],
    "projects": ["project", "campaign", "campaignentry"],
    "investment": ["promotionevent", "lead", "leadnote", "citypromotiontotal"],
    "tickets": ["serviceitem", "servicecase", "ticket", "commitment"],
    "indicators": ["indicatordefinition", "warningrule", "assessmentscheme", "assessmentitem", "citytotal", "target",
                   "monthlyreport", "supervisionorder", "channel", "delivery"],
    "core": ["objectchange"],
}


def ensure_role_groups() -> Group:
    """Create or refresh the admin group's permissions (view-only on the change log)."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=ADMIN_MODELS)
    wanted = [
        p for p in perms
        if p.content_type.model in ADMIN_MODELS[p.content_type.app_label]
        and (p.content_type.app_label != "core" or p.codename.startswith("view_"))
    ]
    group.permissions.set(wanted)
    return group


def can_write(user, unit) -> bool:
    """May `user` enter or change data owned by org unit `unit`? Operators and admins, within their subtree."""
    from .choices import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (user.org_unit is not None and user.role in (Role.ADMIN, Role.OPERATOR)
            and unit.path.startswith(user.org_unit.path))


def can_write_somewhere(user) -> bool:
    """May `user` enter data for some unit at all (an operator or admin of a unit, or a superuser)? Asked before an
    upload is read, so that a user who may write nowhere is refused without the file being opened."""
    from .choices import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.org_unit_id is not None and user.role in (Role.ADMIN, Role.OPERATOR))


def can_organise(user) -> bool:
    """May `user` create campaigns and list projects in them? Province or city admins and reviewers."""
    from .choices import OrgKind, Role

    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    unit = user.org_unit
    return (unit is not None and unit.kind in (OrgKind.PROVINCE, OrgKind.CITY)
            and user.role in (Role.ADMIN, Role.REVIEWER))
