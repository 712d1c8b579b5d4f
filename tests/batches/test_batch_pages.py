"""The batch pages: prepare, review through the sample checklist, approve; each page refuses the wrong role."""

import pytest

from licensing.audit.models import Event
from licensing.batches.models import BatchEntry, DeterminationBatch

pytestmark = pytest.mark.django_db


def test_an_officer_prepares_a_batch_from_the_page(client, book, officer, today, django_capture_on_commit_callbacks):
    client.force_login(officer)
    page = client.get("/batches/")
    assert page.status_code == 200
    assert b"<strong>25</strong>" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/batches/new", {"buckets": ["restorable"], "effective_on": today.isoformat()})

    batch = DeterminationBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/batches/{batch.pk}/"
    assert batch.status == DeterminationBatch.Status.PREPARED
    detail = client.get(response.url)
    assert b"Sample checklist (20 of 20 still to open)" in detail.content


def test_a_batch_with_nothing_to_take_is_a_clear_400(client, reference_data, officer, today):
    client.force_login(officer)
    response = client.post("/batches/new", {"buckets": ["restorable"], "effective_on": today.isoformat()})
    assert response.status_code == 400
    assert b"No accepted proposal" in response.content


def test_an_auditor_may_not_prepare_a_batch(client, book, auditor, today):
    client.force_login(auditor)
    response = client.post("/batches/new", {"buckets": ["restorable"], "effective_on": today.isoformat()})
    assert response.status_code == 403
    assert not DeterminationBatch.objects.exists()


def test_the_reviewer_works_through_the_checklist_and_approves(
    client, prepared, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    assert client.post(f"/batches/{prepared.pk}/review").status_code == 302
    sample = list(prepared.entries.filter(sampled=True))

    for entry in sample:
        page = client.get(f"/batches/{prepared.pk}/entries/{entry.pk}/")
        assert page.status_code == 200
        assert b"Your verdict" in page.content
    client.post(f"/batches/{prepared.pk}/entries/{sample[0].pk}/verdict", {"verdict": "accept"})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/batches/{prepared.pk}/approve")

    prepared.refresh_from_db()
    assert prepared.status == DeterminationBatch.Status.APPROVED
    assert prepared.entries.filter(state=BatchEntry.State.APPROVED).count() == 25
    assert Event.objects.filter(verb="determination_batch.subject_opened").count() == 20
    page = client.get(f"/batches/{prepared.pk}/")
    assert b"25 of 25 determinations approved" in page.content


def test_a_rejection_on_the_page_stops_the_batch(client, prepared, reviewer):
    client.force_login(reviewer)
    client.post(f"/batches/{prepared.pk}/review")
    entry = prepared.entries.filter(sampled=True).first()
    client.get(f"/batches/{prepared.pk}/entries/{entry.pk}/")

    client.post(f"/batches/{prepared.pk}/entries/{entry.pk}/verdict", {"verdict": "reject", "reason": "Wrong country"})

    prepared.refresh_from_db()
    assert prepared.status == DeterminationBatch.Status.STOPPED


def test_approving_before_the_sample_is_opened_says_how_many_are_left(client, prepared, reviewer):
    client.force_login(reviewer)
    client.post(f"/batches/{prepared.pk}/review")
    response = client.post(f"/batches/{prepared.pk}/approve", follow=True)
    assert b"20 of 20 not yet opened" in response.content
    prepared.refresh_from_db()
    assert prepared.status == DeterminationBatch.Status.IN_REVIEW
