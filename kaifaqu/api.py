"""The JSON API under /api/v1/ (SPEC §12): one NinjaAPI, a router per app, errors as {"detail": …} in Chinese."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from kaifaqu.accounts.services import token_user
from kaifaqu.core.changelog import set_context_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: an issued, unrevoked token of an active user."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = token_user(raw=token)
        if user is not None:
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


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到该对象，或无权查看"}, status=404)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def _register_routers() -> None:
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
