"""Screening through a real Celery worker on Redis: an import, its re-screen in batches, and a screen on save."""

import pytest

from licensing.parties.models import Customer
from licensing.parties.services import save_customer
from licensing.screening.models import Feed, Hit, ListImport, Rescreen
from licensing.screening.services.imports import request_import

from ..celery_worker import wait_until
from ..factories import CustomerFactory
from .conftest import DENIED_COMPANY, listed_rows


@pytest.mark.slow
def test_a_worker_imports_a_list_rescreens_everyone_and_screens_a_new_customer(celery_worker, write_csl):
    existing = CustomerFactory(legal_name="Antasena Kreasi", country_of_incorporation_id="ID")
    run = request_import(actor=None, feed=Feed.CSL, sources={"list": str(write_csl(listed_rows()))})
    wait_until(
        lambda: ListImport.objects.filter(pk=run.pk, status=ListImport.Status.IMPORTED).exists(),
        timeout=60,
        message="the import",
    )
    wait_until(lambda: Rescreen.objects.filter(finished_at__isnull=False).exists(), timeout=60, message="the re-screen")
    assert Hit.objects.get(customer=existing).entry.name == DENIED_COMPANY

    customer, _ = save_customer(
        actor=None,
        external_id="CUST-NEW",
        kind=Customer.Kind.INDIVIDUAL,
        legal_name="Pejman Kosarayanifard",
        country_of_incorporation_id="AE",
    )
    hit = wait_until(lambda: Hit.objects.filter(customer=customer).first(), timeout=60, message="the screen on save")
    assert hit.entry.name == "PEJMAN MAHMOOD KOSARAYANIFARD"
