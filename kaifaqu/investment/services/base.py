"""What every write of the investment app shares: its refusals, who may work a lead or an event, amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from kaifaqu.accounts.choices import Role
from kaifaqu.accounts.models import OrgUnit
from kaifaqu.core.versioning import version_refusal

from ..models import Lead, PromotionEvent

MAX_MONEY = Decimal(10) ** 14  # 16 digits, 2 of them decimals
WORKING_ROLES = (Role.ADMIN, Role.OPERATOR, Role.PROMOTER)


class LeadError(Exception):
    """A refused write; `message` is shown to the user, `field` names the form field, `status` is the API's."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class NotPermitted(LeadError):
    status = 403


class Conflict(LeadError):
    """The write contradicts the record's state: a stage going backwards, a second conversion, a stale edit."""

    status = 409


class DuplicateLead(Conflict):
    """The same company and intent is already a lead in the same zone; `duplicates` lists them."""

    def __init__(self, message: str, duplicates: list[Lead]):
        super().__init__(message, "company")
        self.duplicates = duplicates


def today() -> date:
    return timezone.localdate()


# ---- permissions ---------------------------------------------------------------------------------------------

def can_work(user, unit: OrgUnit | None) -> bool:
    """May `user` enter and work leads and events owned by `unit`? Promoters (招商), operators and admins,
    within their subtree."""
    if user is None or not user.is_authenticated or not user.is_active or unit is None:
        return False
    if user.is_superuser:
        return True
    return user.org_unit is not None and user.role in WORKING_ROLES and unit.path.startswith(user.org_unit.path)


def lead_unit(lead: Lead) -> OrgUnit:
    """The org unit a lead belongs to: its target zone's, else its owner team."""
    return lead.zone.org_unit if lead.zone_id else lead.owner_unit


def require_work(user, unit: OrgUnit | None, what: str = "该线索") -> None:
    """Refuse (403) unless `can_work`."""
    if not can_work(user, unit):
        raise NotPermitted(f"您无权办理{what}（需招商、填报或管理员角色，且在本单位范围内）")


# ---- input ---------------------------------------------------------------------------------------------------

def money(value, label: str, field: str) -> Decimal:
    """An amount in 万元 (Decimal or int), not negative, fitting 16 digits; refused in Chinese otherwise."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise LeadError(f"{label}应为数字（万元）", field)
    amount = Decimal(value)
    if not amount.is_finite():
        raise LeadError(f"{label}应为数字（万元）", field)
    if amount < 0:
        raise LeadError(f"{label}不能为负数", field)
    if amount >= MAX_MONEY:
        raise LeadError(f"{label}过大", field)
    return amount.quantize(Decimal("0.01"))


class MissingVersion(LeadError):
    """An edit that does not say which version of the record it was made on."""

    status = 422


def check_version(current: Lead | PromotionEvent, version: int | None) -> None:
    """Refuse an edit made without the version the editor read (422) or on one saved over since (409)."""
    what = "线索" if isinstance(current, Lead) else "招商活动"
    refusal = version_refusal(current=current.version, given=version, what=what)
    if refusal is not None:
        raise (MissingVersion if refusal[0] == MissingVersion.status else Conflict)(refusal[1])
