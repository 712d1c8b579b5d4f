"""The published contract: an OpenAPI 3 schema, docs served locally, and the API holding to both."""

import datetime
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.checks import ignored_auth
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.api.webhooks.subscriptions import create_subscription
from licensing.screening.models import Feed, ListVersion
from licensing.wsgi import application

from ..factories import PersonFactory, add_status, transaction


def test_the_schema_is_openapi_3_and_documents_problem_responses(anonymous, db):
    response = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    assert schema["openapi"].startswith("3.")
    usage = schema["paths"]["/api/v1/licences/{number}/usage"]["post"]["responses"]
    assert {"201", "200", "400", "401", "403", "404", "409", "429", "503"} <= set(usage)
    assert "application/problem+json" in usage["409"]["content"]
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token issued with `manage.py issue_api_token NAME --role ROLE`.",
    }


def test_the_docs_page_loads_every_asset_from_this_site(anonymous, db):
    page = anonymous.get("/api/v1/docs/")

    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert page.status_code == 200
    assert assets and all(url.startswith("/") for url in assets)
    for url in assets:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    script = anonymous.get("/api/v1/docs/?script=")
    assert b"/api/v1/schema/" in script.content


@pytest.fixture
def world(cases, letter_covering_many):
    """Records for the generated requests to find: a customer, a person, a licence, its application."""
    customer = cases.foreign_customer("DE", external_id="C-1")
    person = PersonFactory(customer=customer, external_id="U-1")
    add_status(person, "citizenship", "FR", "1990-01-01")
    licence = cases.licence_for(customer, quantity=100, number="D-0001")
    transaction(customer, cases.item, external_id="INV-1", quantity=1)
    return licence


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection open across in-process requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The operations this app serves; the rest of /api/v1/ belongs to other apps.
OWN_OPERATIONS = {
    "access_check",
    "customers_list",
    "customers_retrieve",
    "customers_put",
    "persons_list",
    "persons_retrieve",
    "persons_put",
    "transactions_create",
    "transactions_retrieve",
    "applications_list",
    "applications_retrieve",
    "licences_list",
    "licences_retrieve",
    "licences_usage_create",
    "webhooks_list",
    "webhooks_create",
    "webhooks_retrieve",
    "webhooks_update",
    "webhooks_deliveries_list",
}


def schema_failures(
    *, own: bool, screening: bool | None = None, headers=None, cookies=None, excluded_checks=()
) -> tuple[int, list[str]]:
    """Run positive and negative generated requests at each operation; return (operations run, failures).

    `screening` keeps only the screening app's operations (True) or only the others' (False).
    """
    config = SchemathesisConfig.from_dict(
        # A schema-valid request may still name a record that does not exist:
        # the API answers 422 for that, which is not a rejection of valid data.
        {
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}
            }
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=config)
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if (operation.definition.raw.get("operationId") in OWN_OPERATIONS) == own
        and screening in (None, "screening" in operation.definition.raw.get("tags", []))
    ]
    failures = []
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def exercise(case):
                case.call_and_validate(headers=headers, cookies=cookies, excluded_checks=list(excluded_checks))

            # Schemathesis reports its findings as a FailureGroup, which is not an
            # Exception: caught too, or the first failing operation would end the run.
            try:
                exercise()
            except (Exception, FailureGroup) as failure:  # noqa: BLE001 - every operation is tried; all are reported
                failures.append(f"{operation.label} [{mode}]: {failure}")
    return len(operations), failures


@pytest.fixture
def api_token(world, receiver_url, in_process_requests):
    create_subscription(actor=None, name="billing", url=receiver_url, events=["licence.issued"])
    return issue_api_token(actor=None, name="schemathesis", role=ClientRole.INTEGRATION_ADMIN)[1]


@pytest.mark.slow
def test_every_operation_of_this_api_holds_to_the_schema_for_valid_and_invalid_input(api_token):
    count, failures = schema_failures(own=True, headers={"Authorization": f"Bearer {api_token}"})

    assert count == len(OWN_OPERATIONS)
    assert not failures, "\n\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("screening", [False, True], ids=["outside-screening", "screening"])
def test_the_other_apps_operations_under_api_v1_hold_to_the_schema_too(
    screening, world, in_process_requests, admin_user
):
    if screening:
        # Without a list in force the search answers its documented 503, which the 5xx check counts.
        ListVersion.objects.create(
            feed=Feed.CSL, published_on=datetime.date(2026, 7, 31), status=ListVersion.Status.IN_FORCE, digest="0" * 64
        )
    # Those apps' endpoints are for people: an administrator's session reaches them.
    client = Client()
    client.force_login(admin_user)

    _, failures = schema_failures(
        own=False,
        screening=screening,
        cookies={"sessionid": client.cookies["sessionid"].value},
        # The session cookie rides on every request here, so the check that
        # resends a request without credentials cannot take it away.
        excluded_checks=[ignored_auth],
    )

    assert not failures, "\n\n".join(failures)


@pytest.fixture
def receiver_url(settings):
    # Webhooks never reach inside unless the host is named as allowed.
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    return "http://127.0.0.1:9/hooks"


def test_a_client_reads_the_schema_with_a_token_too(db):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(actor=None, name='t', role=ClientRole.READ_ONLY)[1]}"
    )

    assert client.get("/api/v1/schema/").status_code == 200
