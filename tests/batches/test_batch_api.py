"""GET /api/v1/batches/{id}: a batch's status, sample and approval progress, for reporting clients."""

import pytest
from rest_framework.test import APIClient

from licensing.accounts.permissions import ClientRole
from licensing.api.tokens import issue_api_token
from licensing.batches.services.review import open_entry, start_review

pytestmark = pytest.mark.django_db


def reporting() -> APIClient:
    client = APIClient()
    raw = issue_api_token(actor=None, name="reporting", role=ClientRole.READ_ONLY)[1]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_batch_reads_with_its_sample_and_counts(prepared, reviewer):
    start_review(actor=reviewer, batch=prepared)
    prepared.refresh_from_db()
    open_entry(actor=reviewer, entry=prepared.entries.filter(sampled=True).select_related("batch").first())

    body = reporting().get(f"/api/v1/batches/{prepared.pk}").json()

    assert body["status"] == "in_review"
    assert (body["prepared_by"], body["reviewer"]) == ("officer", "reviewer")
    assert (body["sample_size"], body["sample_seed"], body["sample_opened"]) == (20, prepared.sample_seed, 1)
    assert body["counts"] == {"total": 25, "pending": 0, "prepared": 25, "approved": 0, "left_out": 0, "redecided": 0}


@pytest.mark.parametrize("batch_id", ["999999", "abc", "1" * 40, "١٢"])
def test_an_unknown_or_malformed_id_is_a_404_problem(db, batch_id):
    response = reporting().get(f"/api/v1/batches/{batch_id}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_without_a_token_it_is_refused(prepared):
    assert APIClient().get(f"/api/v1/batches/{prepared.pk}").status_code in (401, 403)
