"""Schema-driven fuzzing of the whole API (SPEC §13 robustness, issue 15 item 2): schemathesis generates requests
for every operation of /api/v1/openapi.json, valid ones and invalid ones, sent in-process to the WSGI application
with a bearer token of a province admin and of a zone operator, over a small realistic data set. No answer may be
a 5xx. Each request runs in a savepoint that is rolled back, so every case meets the same data."""

import logging
from contextlib import contextmanager
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup

from kaifaqu.accounts.models import User
from kaifaqu.indicators.orders import order_issue
from kaifaqu.indicators.services import report_save
from kaifaqu.investment.choices import LeadStage
from kaifaqu.tickets.casework import case_open
from kaifaqu.zones.models import Zone
from tests.factories import CampaignEntryFactory, ProjectFactory, days
from tests.investment.factories import EventFactory, LeadFactory
from tests.tickets.factories import EnterpriseFactory, ServiceItemFactory, ticket

EXAMPLES = 10
MONTH = "2024-03"


@contextmanager
def _connection_kept():
    """A request through the WSGI handler must not close the test's connection, which is inside the test's
    transaction (Django's test client does the same around each of its requests, and connects the handlers
    again after: so no test-client request may run inside this block)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def dataset(db, user_of) -> dict:
    """A little of everything, in 阳泉经开区 (S147007) and 晋中开发区: ids for the paths that name an object."""
    yq = Zone.objects.select_related("org_unit").get(code="S147007")
    entry = CampaignEntryFactory(project=ProjectFactory(zone=yq))
    ProjectFactory.create_batch(3, zone=yq)
    operator = user_of("yq-etdz")
    report_save(user=operator, zone=yq, month=date(2024, 3, 1), values={}, version=0)
    lead = LeadFactory(zone=yq, owner_unit=yq.org_unit, stage=LeadStage.LEAD, source_event=EventFactory())
    LeadFactory(signed=True)
    enterprise = EnterpriseFactory(zone=yq)
    first = ticket(operator, zone="S147007", received_at=timezone.now())
    agent = User.objects.create(username="fuzz-agent", full_name="代办员", role="agent", org_unit=yq.org_unit)
    case = case_open(user=operator, project=entry.project, item=ServiceItemFactory(zone=yq), agent=agent)
    order = order_issue(user=user_of("yangquan"), unit=yq.org_unit, deadline=timezone.localdate() + days(7),
                        subject="请说明一季度税收下降原因")
    return {"project_id": entry.project_id, "campaign_id": entry.campaign_id, "lead_id": lead.pk,
            "ticket_id": first.pk, "enterprise_id": enterprise.pk, "zone_id": yq.pk, "zone_code": yq.code,
            "month": MONTH, "order_id": order.pk, "case_id": case.pk}


def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _operations():
    return [result.ok() for result in _schema().get_all_operations()]


def _fuzz(operation, *, mode, headers: dict, path_parameters: dict | None, failures: list) -> None:
    """Up to EXAMPLES cases of one operation, derandomised, no shrinking; a 5xx is recorded, not raised, so one
    run lists every operation that fails."""

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (Failure, FailureGroup):  # listed, and the run goes on to the next case
            failures.append(f"{case.method} {case.formatted_path} query={case.query} body={case.body!r} → "
                            f"{response.status_code}")

    run()


def _path_parameters(operation, dataset: dict) -> dict | None:
    names = [p.name for p in operation.path_parameters]
    return {name: dataset[name] for name in names if name in dataset} if names else None


@pytest.mark.parametrize(("username", "modes"), [
    ("province", (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)),  # the whole province, valid and invalid input
    ("yq-etdz", (GenerationMode.POSITIVE,)),  # a zone operator: valid input meeting the scope's refusals
], ids=["province-admin", "zone-operator"])
def test_no_server_error_anywhere(username, modes, dataset, token_of, caplog):
    headers = {"Authorization": token_of(username)["HTTP_AUTHORIZATION"]}
    failures: list[str] = []
    with _connection_kept(), caplog.at_level(logging.CRITICAL, logger="django.request"):
        for operation in _operations():
            fixed = _path_parameters(operation, dataset)
            for mode in modes:
                _fuzz(operation, mode=mode, headers=headers, path_parameters=None, failures=failures)
                if fixed:
                    _fuzz(operation, mode=mode, headers=headers, path_parameters=fixed, failures=failures)
    assert not failures, "\n".join(failures)


def test_the_run_reports_a_server_error(dataset, token_of, monkeypatch, caplog):
    """The harness itself: an operation that fails is listed with its status (so a green run means no 5xx)."""

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kaifaqu.zones.api.zone_list", broken)
    headers = {"Authorization": token_of("province")["HTTP_AUTHORIZATION"]}
    zones = next(op for op in _operations() if op.label == "GET /api/v1/zones")
    failures: list[str] = []
    with _connection_kept(), caplog.at_level(logging.CRITICAL, logger="django.request"):
        _fuzz(zones, mode=GenerationMode.POSITIVE, headers=headers, path_parameters=None, failures=failures)
    assert failures and all(f.startswith("GET /api/v1/zones ") and f.endswith("→ 500") for f in failures)
