"""URLs for the investment tests: the project's, plus the 招商 pages and the /api/v1/leads and /api/v1/events routes
while they are not yet wired into the project's urls.py and api.py (then the project's own are used)."""

from django.urls import URLResolver, include, path
from ninja import NinjaAPI

from kaifaqu.api import api as project_api
from kaifaqu.investment.api import events_router, router
from kaifaqu.urls import urlpatterns as project_urls


def _pages_wired() -> bool:
    return any(isinstance(p, URLResolver) and p.namespace == "investment" for p in project_urls)


def _api_wired() -> bool:
    return any(prefix.strip("/") == "leads" for prefix, _ in project_api._routers)


def _test_api() -> NinjaAPI:
    """An API with the project's authentication and error answers, serving the investment routers."""
    api = NinjaAPI(title="招商 API（测试）", version="test", urls_namespace="api-v1-investment-test",
                   auth=project_api.auth, docs_url=None, openapi_url=None)
    for exc_class, handler in project_api._exception_handlers.items():
        api.add_exception_handler(exc_class, handler)
    api.add_router("/leads", router)
    api.add_router("/events", events_router)
    return api


extra = [] if _pages_wired() else [path("investment/", include("kaifaqu.investment.urls"))]
if not _api_wired():
    extra.append(path("api/v1/", _test_api().urls))
urlpatterns = [*extra, *project_urls]
