"""/api/v1/auth: issue and revoke bearer tokens."""

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from .services import LoginInvalid, LoginThrottled, login_authenticate, token_issue, token_revoke

router = Router(tags=["认证"])


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


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
        user = login_authenticate(request=request, username=credentials.username, password=credentials.password)
    except LoginThrottled as exc:
        raise HttpError(429, exc.message) from None
    except LoginInvalid as exc:
        raise HttpError(401, exc.message) from None
    return {"token": token_issue(user=user)}


@router.delete("/token", response={204: None}, summary="吊销当前使用的访问令牌")
def token_delete(request):
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    if not token_revoke(raw=raw):
        raise HttpError(400, "请求未携带有效的访问令牌")
    return Status(204, None)
