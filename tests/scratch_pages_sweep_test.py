import pytest
from django.urls import get_resolver, URLPattern, URLResolver

HOSTILE = ["99999999999999999999", "0000-01", "0001-01-01", "²", "-1"]
PARAMS = ["campaign", "chain", "owner", "event", "agent", "scheme", "zone", "city", "month", "date_from", "date_to",
          "as_of", "since", "year", "page", "stage", "state", "status", "overdue", "sort", "q", "level", "kind",
          "band", "batch", "followed", "strategic_emerging", "category", "department", "key_difficult", "escalated",
          "method", "type", "from", "to", "id", "unit", "item", "project", "limit", "offset"]


def pages():
    out = []
    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = str(p.pattern)
                if route.startswith("admin") or route.startswith("api"):
                    continue
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" not in route and "export" not in route and "logout" not in route:
                    out.append("/" + route)
    walk(get_resolver().url_patterns, "")
    return out


@pytest.mark.django_db
def test_sweep(client_of):
    c = client_of("province")
    bad = []
    urls = pages()
    print(len(urls), urls)
    for url in urls:
        for name in PARAMS:
            for value in HOSTILE:
                r = c.get(url, {name: value})
                if r.status_code >= 500:
                    bad.append((url, name, value))
    assert bad == []
