"""The JSON API under /api/v1/ (SPEC §12): one NinjaAPI, a router per app, errors as {"detail": …} in Chinese."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from kaifaqu.accounts.services import token_user
from kaifaqu.core.changelog import set_context_user
from kaifaqu.core.versioning import MISSING_VERSION


class TokenInvalid(AuthenticationError):
    """A bearer token was sent and names no active token: 401, whatever session the request also carries."""


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: an issued, unrevoked token of an active user. A bearer header with any
    other token is refused here (401) rather than passed on to the session authentication, whose CSRF check
    would answer 403 to a client that only got its token wrong."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = token_user(raw=token)
        if user is None:
            raise TokenInvalid()
        request.user = user
        set_context_user(user)
        return user


api = NinjaAPI(
    title="开发区管理平台 API",
    version="1",
    description="山西省开发区管理平台的数据接口。金额以万元计、以字符串传输；日期为 YYYY-MM-DD。",
    urls_namespace="api-v1",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未认证：请先登录或提供有效的访问令牌"}, status=401)


@api.exception_handler(TokenInvalid)
def _token_invalid(request, exc):
    response = api.create_response(request, {"detail": "访问令牌无效、已过期或已被吊销，请重新获取令牌"}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到该对象，或无权查看"}, status=404)


# Pydantic's messages are English; a caller gets each one in Chinese, by its error type.
INVALID = {
    "missing": "必填", "int_parsing": "应为整数", "int_from_float": "应为整数", "float_parsing": "应为数字",
    "decimal_parsing": "应为数字", "decimal_max_digits": "位数过多", "decimal_max_places": "小数位数过多",
    "bool_parsing": "应为 true 或 false", "date_parsing": "应为有效日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为有效日期（YYYY-MM-DD）", "date_from_datetime_inexact": "应为日期，不带时间",
    "datetime_parsing": "应为有效时间", "datetime_from_date_parsing": "应为有效时间",
    "string_type": "应为文本", "int_type": "应为整数", "list_type": "应为列表", "dict_type": "应为对象",
    "json_invalid": "请求体不是有效的JSON", "model_attributes_type": "应为对象",
    "extra_forbidden": "未知或只读的字段，不能修改", "string_pattern_mismatch": "格式不正确",
    "bool_type": "应为 true 或 false", "date_type": "应为有效日期（YYYY-MM-DD）",
}
BOUNDS = {"greater_than_equal": ("ge", "不能小于{}"), "greater_than": ("gt", "应大于{}"),
          "less_than_equal": ("le", "不能大于{}"), "less_than": ("lt", "应小于{}"),
          "string_too_long": ("max_length", "不能超过{}个字符"), "string_too_short": ("min_length", "不能少于{}个字符"),
          "too_long": ("max_length", "最多{}项"), "literal_error": ("expected", "应为其中之一：{}"),
          "enum": ("expected", "应为其中之一：{}")}


def invalid_message(error: dict) -> str:
    """One pydantic error in Chinese: which parameter, and what is wrong with it."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if tuple(error.get("loc", ()))[-1:] == ("version",) and kind in ("missing", "int_type"):
        return MISSING_VERSION  # a versioned write without the version it was made on (core.versioning)
    if kind == "value_error":  # our own validators already speak Chinese
        text = str(error.get("msg", "")).removeprefix("Value error, ")
    elif kind in BOUNDS:
        key, template = BOUNDS[kind]
        text = template.format(ctx.get(key, ""))
    else:
        text = INVALID.get(kind, "格式不正确")
    where = [str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path", "form", "payload")]
    return f"{'.'.join(where)}：{text}" if where else text


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = [{"loc": e.get("loc"), "type": e.get("type"), "msg": invalid_message(e)} for e in exc.errors]
    messages = [e["msg"] for e in errors]
    detail = MISSING_VERSION if messages == [MISSING_VERSION] else "参数有误：" + "；".join(messages)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def _register_routers() -> None:
    from kaifaqu.accounts.api import audit_router
    from kaifaqu.accounts.api import router as auth_router
    from kaifaqu.indicators.alerts_api import router as alerts_router
    from kaifaqu.indicators.api import dispatch_router, reports_router
    from kaifaqu.indicators.ranking_api import router as rankings_router
    from kaifaqu.investment.api import events_router as promotion_events_router
    from kaifaqu.investment.api import router as leads_router
    from kaifaqu.projects.api import campaigns_router, three_un_router
    from kaifaqu.projects.api import router as projects_router
    from kaifaqu.tickets.api import cases_router, enterprises_router
    from kaifaqu.tickets.api import router as tickets_router
    from kaifaqu.zones.api import router as zones_router

    api.add_router("/auth", auth_router)
    api.add_router("/audit", audit_router)
    api.add_router("/zones", zones_router)
    api.add_router("/projects", projects_router)
    api.add_router("/campaigns", campaigns_router)
    api.add_router("/three-un", three_un_router)
    api.add_router("/reports", reports_router)
    api.add_router("/dispatch", dispatch_router)
    api.add_router("/rankings", rankings_router)
    api.add_router("", alerts_router)
    api.add_router("/leads", leads_router)
    api.add_router("/events", promotion_events_router)
    api.add_router("/tickets", tickets_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/cases", cases_router)


_register_routers()
