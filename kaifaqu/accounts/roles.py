"""Role → Django permission groups, so an org `admin` can manage users and dictionaries in the admin site."""

from django.contrib.auth.models import Group, Permission

ADMIN_GROUP = "机构管理员"
ADMIN_MODELS = {
    "accounts": ["user", "orgunit", "apitoken"],
    "zones": ["zone", "park", "industrychain", "region"],
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
