"""The root URLconf with the enterprise-services pages and API mounted, as long as the project's own urls.py and
api.py do not mount them yet (the tests then run against the real wiring unchanged)."""

from django.urls import include, path
from ninja import NinjaAPI

from kaifaqu import urls as root
from kaifaqu.api import api
from kaifaqu.tickets.api import cases_router, enterprises_router, router

urlpatterns = list(root.urlpatterns)

if not any(getattr(p, "namespace", None) == "services" for p in root.urlpatterns):
    urlpatterns.insert(0, path("services/", include("kaifaqu.tickets.urls")))

if all(r is not router for _prefix, r in api._routers):
    services_api = NinjaAPI(title="企业服务（测试挂载）", version="tickets-test", urls_namespace="api-v1-tickets-test",
                            auth=api.auth, docs_url=None, openapi_url=None)
    services_api._exception_handlers = api._exception_handlers
    services_api.add_router("/tickets", router)
    services_api.add_router("/enterprises", enterprises_router)
    services_api.add_router("/cases", cases_router)
    urlpatterns.insert(0, path("api/v1/", services_api.urls))
