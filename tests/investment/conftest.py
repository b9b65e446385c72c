"""Fixtures of the investment tests: the test URLs, promoter accounts (招商 role), the demo."""

import pytest
from django.utils import timezone

from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.models import OrgUnit, User
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _investment_urls(settings):
    settings.ROOT_URLCONF = "tests.investment.urls"


def _user(username: str, unit_code: str, role: str) -> User:
    user = User(username=username, full_name=username, role=role, org_unit=OrgUnit.objects.get(code=unit_code))
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def promoters(db) -> dict[str, User]:
    """招商 staff: 晋中开发区's, 晋中市's (city level), 阳泉经开区's; and a 晋中开发区 viewer."""
    return {
        "jz": _user("jz-promoter", "X140700-01", Role.PROMOTER),
        "jz-city": _user("jz-city-promoter", "140700", Role.PROMOTER),
        "yq": _user("yq-promoter", "S147007", Role.PROMOTER),
        "jz-viewer": _user("jz-viewer", "X140700-01", Role.VIEWER),
    }


@pytest.fixture
def demo(db):
    """The investment-promotion demo, loaded today."""
    from kaifaqu.investment.demo import promotion_demo_load

    return promotion_demo_load(today=timezone.localdate())
