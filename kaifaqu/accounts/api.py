"""/api/v1/auth: issue, list and revoke bearer tokens; /api/v1/audit: the audit log of an admin's subtree."""

from datetime import date, datetime

from django.http import Http404
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, field_validator

from .audit import AuditAction, AuditEvent, detail_text
from .audit_forms import EARLIEST, LATEST
from .audit_views import NOT_ADMIN
from .models import ApiToken
from .roles import can_read_audit
from .selectors import TOKENS_SHOWN, AuditFilters, audit_event_list, user_tokens
from .services import (
    LoginInvalid,
    LoginThrottled,
    PasswordExpired,
    token_issue,
    token_login,
    token_revoke,
    token_revoke_own,
)

router = Router(tags=["认证"])
audit_router = Router(tags=["审计"])
MAX_ID = 2**63 - 1


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class TokenInfoOut(Schema):
    id: int
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str
    state: str = Field(description="有效 / 已过期 / 已吊销")


class MeOut(Schema):
    username: str
    name: str
    role: str
    org_unit: str | None
    scope: str


@router.get("/me", response=MeOut, summary="当前用户：账号、所属机构与数据范围")
def me(request):
    """The caller as the API sees them (also the bench's trivial authenticated endpoint)."""
    user = request.user
    unit = getattr(user, "org_unit", None)
    return {"username": user.username, "name": str(user), "role": user.role,
            "org_unit": unit.name if unit else None, "scope": user.scope_label}


@router.post("/token", auth=None, response=TokenOut, summary="用账号密码换取访问令牌")
def token_create(request, credentials: Credentials):
    try:
        user = token_login(request=request, username=credentials.username, password=credentials.password)
    except LoginThrottled as exc:
        raise HttpError(429, exc.message) from None
    except LoginInvalid as exc:
        raise HttpError(401, exc.message) from None
    except PasswordExpired as exc:
        raise HttpError(403, exc.message) from None
    return {"token": token_issue(user=user, request=request)}


@router.delete("/token", response={204: None}, summary="吊销当前使用的访问令牌")
def token_delete(request):
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    if not token_revoke(raw=raw, request=request):
        raise HttpError(400, "请求未携带有效的访问令牌")
    return Status(204, None)


@router.get("/tokens", response=list[TokenInfoOut], summary="本人的访问令牌（最近签发的200个，含已过期、已吊销）")
def tokens_list(request):
    return list(user_tokens(user=request.user)[:TOKENS_SHOWN])


@router.delete("/tokens/{token_id}", response={204: None}, summary="吊销本人的一个访问令牌")
def tokens_revoke(request, token_id: int = Path(..., ge=1, le=MAX_ID, description="令牌ID")):
    try:
        token_revoke_own(user=request.user, token_id=token_id, request=request)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    return Status(204, None)


# ---- the audit log ----------------------------------------------------------------------------------------------

class AuditQuery(Schema):
    action: AuditAction | None = Field(None, description="事件")
    username: str = Field("", max_length=150, description="操作人或被操作的账号")
    date_from: date | None = Field(None, description="日期自（含）")
    date_to: date | None = Field(None, description="日期至（含）")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)

    @field_validator("username")
    @classmethod
    def _printable(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("不能包含空字符")
        return value

    @field_validator("date_from", "date_to")
    @classmethod
    def _bounded(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValueError(f"日期应在{EARLIEST:%Y-%m-%d}至{LATEST:%Y-%m-%d}之间")
        return value


class AuditEventOut(Schema):
    id: int
    at: datetime
    action: str
    action_label: str
    username: str
    org_unit: str | None
    ip: str | None
    target: str
    detail: dict
    detail_text: str

    @staticmethod
    def resolve_action_label(obj: AuditEvent) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_org_unit(obj: AuditEvent) -> str | None:
        return obj.org_unit.name if obj.org_unit_id else None

    @staticmethod
    def resolve_detail_text(obj: AuditEvent) -> str:
        return detail_text(obj.detail)


class AuditPageOut(Schema):
    count: int
    items: list[AuditEventOut]


@audit_router.get("", response=AuditPageOut, summary="审计日志（机构管理员，本机构及下级）")
def audit_list(request, query: Query[AuditQuery]):
    if not can_read_audit(request.user):
        raise HttpError(403, NOT_ADMIN)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise HttpError(422, "参数有误：date_to：结束日期不能早于开始日期")
    qs = audit_event_list(user=request.user, filters=AuditFilters(
        action=query.action or "", username=query.username.strip(), date_from=query.date_from,
        date_to=query.date_to))
    return {"count": qs.count(), "items": list(qs[query.offset: query.offset + query.limit])}
