import pytest
from tests.factories import ProjectFactory

HOSTILE = ["99999999999999999999", "0000-01", "0001-01-01", "9999-12-31", "²", "-1", ""]
FIELDS = ["zone", "park", "chain", "name", "type", "stage", "total_investment", "completed_investment", "signed_on",
          "started_on", "planned_start_on", "version", "date", "level", "city", "kind", "organiser", "owner",
          "owner_unit", "source_event", "investment", "received_on", "next_action_on", "company", "year",
          "signed_projects", "signed_investment", "category", "text", "enterprise", "received_at", "deadline", "unit",
          "subject", "month", "key", "indicator", "value", "item", "agent", "accepted_on", "on", "to", "reason",
          "raised_on", "resolved_on", "planned_on", "actual_on", "promised_on", "verify_by", "verified_on", "jobs",
          "land_mu", "department", "project", "batch"]


@pytest.mark.django_db
def test_post_sweep(client_of):
    p = ProjectFactory()
    urls = ["/projects/new/", "/projects/campaigns/", "/investment/leads/new/", "/investment/events/new/",
            "/investment/funnel/city-total/", "/services/tickets/new/", "/dispatch/targets/", "/alerts/orders/new/",
            "/rankings/schemes/load/", f"/projects/{p.pk}/edit/", f"/projects/{p.pk}/transition/",
            f"/projects/{p.pk}/progress/", f"/projects/{p.pk}/problems/", f"/projects/{p.pk}/milestones/",
            f"/services/projects/{p.pk}/cases/", f"/services/projects/{p.pk}/commitments/"]
    bad = []
    for who in ("province", "yq-etdz"):
        c = client_of(who)
        for url in urls:
            for name in FIELDS:
                for value in HOSTILE:
                    base = {"name": "x", "zone": "", "type": "industrial", "stage": "signed", "total_investment": "1",
                            "completed_investment": "0", "date": "2024-03-01", "text": "t", "company": "c"}
                    base[name] = value
                    r = c.post(url, base)
                    if r.status_code >= 500:
                        bad.append((who, url, name, value))
    assert bad == []
