"""The demo accounts (SPEC §2 roles at each level), shared by `kaifaqu demo` and the tests."""

from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.models import OrgUnit, User
from kaifaqu.accounts.roles import ensure_role_groups

# (username, full name, org unit code, role)
DEMO_ACCOUNTS = [
    ("province", "省开发区处管理员", "140000", Role.ADMIN),
    ("province-viewer", "省厅领导（查看）", "140000", Role.VIEWER),
    ("yangquan", "阳泉市商务局审核员", "140300", Role.REVIEWER),
    ("jinzhong", "晋中市商务局审核员", "140700", Role.REVIEWER),
    ("yq-etdz", "阳泉经开区填报员", "S147007", Role.OPERATOR),
    ("yq-gxq", "阳泉高新区填报员", "X140300-01", Role.OPERATOR),
]


def demo_accounts_ensure(password: str) -> list[User]:
    """Create or refresh the demo accounts, all with `password`; an `admin` may use the admin site."""
    group = ensure_role_groups()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[a[2] for a in DEMO_ACCOUNTS])}
    users = []
    for username, full_name, unit_code, role in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name, user.org_unit, user.role = full_name, units[unit_code], role
        user.is_staff = role == Role.ADMIN
        user.set_password(password)
        user.save()
        if role == Role.ADMIN:
            user.groups.add(group)
        users.append(user)
    return users
