"""/api/v1/auth: issue and revoke bearer tokens."""

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from .services import LoginInvalid, LoginThrottled, PasswordExpired, token_issue, token_login, token_revoke

router = Router(tags=["认证"])


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


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
    return {"token": token_issue(user=user)}


@router.delete("/token", response={204: None}, summary="吊销当前使用的访问令牌")
def token_delete(request):
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    if not token_revoke(raw=raw):
        raise HttpError(400, "请求未携带有效的访问令牌")
    return Status(204, None)
