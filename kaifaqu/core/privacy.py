"""Personal data shown by role (个人信息保护, 等保2.0 三级): a phone number is shown in full only to the people who
work the record it belongs to; everyone else who may open the record sees it masked (138****4321) — on list and
detail pages, in Excel exports, in the API and in the change log alike.

Each record type holding a phone (诉求 `Ticket`, 招商线索 `Lead`, 企业 `Enterprise`) answers one question,
`phone_visible_to(user)`, whose docstring states its rule; the rules are built from `works_record` below. A
reviewer or admin of a unit above the one handling the record (who supervises it) may unmask one record at a time
("查看完整号码"); every unmasking is written to the audit log (`AuditAction.UNMASK`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from django.apps import apps
from django.core.exceptions import PermissionDenied
from ninja import Schema

from kaifaqu.accounts.choices import Role

MASK = "*"
# Country code before a mobile number: +86, 0086 or 86, then the 11 digits of the number (spaces or dashes between).
MOBILE = re.compile(r"^(?P<head>(?:\+|00)?86[\s-]*)?(?P<number>1\d{2}[\s-]*\d{4}[\s-]*\d{4})$")
# A landline with its area code: 010 and 02x have three digits, the others four (0351 太原, 0353 阳泉…).
LANDLINE = re.compile(r"^(?P<area>\(?0(?:[12]\d|[3-9]\d{2})\)?[\s-]*)(?P<number>\d{7,8})(?P<extension>\D.*)?$")
UNMASKERS = (Role.ADMIN, Role.REVIEWER)  # the roles that supervise the units below them


def _mask_digits(text: str, *, head: int, tail: int) -> str:
    """`text` with every digit but the first `head` and the last `tail` replaced by `*` (other characters kept)."""
    count = sum(ch.isdigit() for ch in text)
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            keep = seen < head or seen >= count - tail
            out.append(ch if keep else MASK)
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def mask_phone(value: str | None) -> str:
    """A phone number with its middle hidden: a mobile keeps its first three and last four digits
    ("13812344321" → "138****4321", "+86 138 1234 4321" → "+86 138 **** 4321"); a landline keeps its area code and
    last four digits ("0351-7654321" → "0351-***4321"); any other number keeps at most its last four digits and
    hides at least half ("12345" → "***45"); text without digits is hidden whole. Empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    if match := MOBILE.match(text):
        return (match["head"] or "") + _mask_digits(match["number"], head=3, tail=4)
    if match := LANDLINE.match(text):
        return match["area"] + _mask_digits(match["number"], head=0, tail=4) + (match["extension"] or "")
    digits = sum(ch.isdigit() for ch in text)
    if not digits:
        return MASK * 4
    return _mask_digits(text, head=3 if digits >= 11 else 0, tail=min(4, digits // 2))


class HasPhone(Protocol):
    """A record holding a phone number and the rule saying who sees it in full."""

    pk: int
    phone: str

    def phone_visible_to(self, user) -> bool: ...


def works_record(user, *, units: Iterable, roles: Iterable[str], owner_id: int | None = None) -> bool:
    """Does `user` work a record handled by org `units`? Its owner (who registered it or is responsible for it)
    does; so does a user with one of `roles` whose org unit is one of `units` or inside one (a department of the
    zone). Users of the units above (a city, the province), viewers and other roles do not: they supervise it."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if owner_id is not None and owner_id == user.pk:
        return True
    unit = getattr(user, "org_unit", None)
    if unit is None or user.role not in roles:
        return False
    return any(u is not None and unit.path.startswith(u.path) for u in units)


def shown_phone(user, record: HasPhone) -> str:
    """The record's phone as `user` may see it: in full if they work the record, masked otherwise."""
    return record.phone if record.phone_visible_to(user) else mask_phone(record.phone)


def api_phone(record: HasPhone, context: dict | None) -> str:
    """The phone an API answer carries (a schema's resolver): as the request's user may see it; masked when the
    schema is filled without a request."""
    request = (context or {}).get("request")
    return shown_phone(getattr(request, "user", None), record)


def may_unmask(user, record: HasPhone) -> bool:
    """May `user` ask for the full number of a record they see masked? Reviewers and admins (and superusers), who
    supervise the units below them; the record must be one they may open (the caller reads it through
    `visible_to`). Viewers, operators, promoters and agents of other units may not."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not record.phone or record.phone_visible_to(user):
        return False
    return user.is_superuser or (getattr(user, "org_unit", None) is not None and user.role in UNMASKERS)


# The record types whose phone may be unmasked, by the name the unmasking URL and the API use.
UNMASKABLE = {"ticket": "tickets.Ticket", "lead": "investment.Lead", "enterprise": "zones.Enterprise"}


def unmask_phone(*, request, record: HasPhone) -> str:
    """The record's full number for `request.user`, who sees it masked and may unmask it: written to the audit log
    (who, from where, which record) before it is returned. Refused (PermissionDenied, nothing recorded) to anyone
    else."""
    from kaifaqu.accounts.audit import AuditAction, audit

    if not may_unmask(request.user, record):
        raise PermissionDenied("您没有权限查看完整号码")
    meta = type(record)._meta
    audit(action=AuditAction.UNMASK, request=request, target=f"{meta.verbose_name} {record}",
          detail={"model": meta.label_lower, "id": record.pk, "field": "phone"})
    return record.phone


class PhoneOut(Schema):
    """The API's answer to an unmasking: the record's full number."""

    phone: str


def api_unmask(request, record: HasPhone) -> dict:
    """An API answer with the record's full number ({"phone"}), audited; 403 in Chinese when refused."""
    from ninja.errors import HttpError

    try:
        return {"phone": unmask_phone(request=request, record=record)}
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


def unmaskable(kind: str, pk: int, user) -> HasPhone | None:
    """The record of type `kind` (a key of UNMASKABLE) with id `pk`, if `user` may open it; else None."""
    label = UNMASKABLE.get(kind)
    if label is None:
        return None
    return apps.get_model(label).objects.visible_to(user).filter(pk=pk).first()
