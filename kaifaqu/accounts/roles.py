"""Role → Django permission groups, so an org `admin` can manage users and dictionaries in the admin site."""

from django.contrib.auth.models import Group, Permission

ADMIN_GROUP = "机构管理员"
QUEUE_GROUP = "代办员（可看本单位队列）"
UNIT_QUEUE_PERMISSION = "tickets.view_unit_queue"
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
    """Create or refresh the admin group's permissions (view-only on the change log), and the group that grants an
    agent their unit's queue (an admin adds the agent to it in the admin site)."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    perms = Permission.objects.filter(content_type__app_label__in=ADMIN_MODELS)
    wanted = [
        p for p in perms
        if p.content_type.model in ADMIN_MODELS[p.content_type.app_label]
        and (p.content_type.app_label != "core" or p.codename.startswith("view_"))
        and p.codename != "view_unit_queue"
    ]
    group.permissions.set(wanted)
    ensure_queue_group()
    return group


def ensure_queue_group(**_signal) -> Group:
    """The group QUEUE_GROUP, holding `tickets.view_unit_queue` alone: an admin adds an agent to it in the admin site
    to grant their unit's queue. Kept after every migrate (the tickets app connects it), so it exists in production
    without the demo."""
    queue, _ = Group.objects.get_or_create(name=QUEUE_GROUP)
    app_label, codename = UNIT_QUEUE_PERMISSION.split(".")
    queue.permissions.set(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return queue


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


def can_read_audit(user) -> bool:
    """May `user` read the security audit log (审计日志) of their subtree? Admins of a unit, and superusers."""
    from .choices import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.org_unit_id is not None and user.role == Role.ADMIN)


def sees_unit_queue(user) -> bool:
    """Does `user` see the whole queue of their subtree — every agency case (代办件) and hotline ticket (诉求)?
    Every role does but the agent (代办员, SPEC §2: works the cases assigned to them), who sees the cases assigned to
    them and the tickets they received, and their unit's queue only when granted `tickets.view_unit_queue` (the
    group QUEUE_GROUP)."""
    from .choices import Role

    if getattr(user, "role", None) != Role.AGENT or getattr(user, "is_superuser", False):
        return True
    return user.has_perm(UNIT_QUEUE_PERMISSION)


def can_convert_lead(user, unit) -> bool:
    """May `user` turn a signed lead of the zone owned by org unit `unit` into a project (转为项目)? Whoever may write
    the zone's projects, and its promoters (招商): the conversion is the point of their role (SPEC §2), though they
    may not otherwise create, edit or move projects."""
    from .choices import Role

    if can_write(user, unit):
        return True
    return (user is not None and user.is_authenticated and user.is_active and user.org_unit is not None
            and user.role == Role.PROMOTER and unit.path.startswith(user.org_unit.path))
