"""Filings as records: queued on approval and on demand, versioned, never overwritten, failures visible."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.models import Event
from licensing.cases.models import LicenceApplication
from licensing.filings.models import Filing, FilingIsImmutable, FilingKind
from licensing.filings.services.filings import request_filing, retry_filing
from licensing.filings.storage import media_path
from tests.ready_to_file import complete_application

from .conftest import add_items, approve

Status = Filing.Status


def test_approval_for_filing_queues_and_renders_the_documents_for_bis(
    draft, officer, reviewer, django_capture_on_commit_callbacks
):
    add_items(draft, 1)
    with django_capture_on_commit_callbacks(execute=True):
        approved = approve(draft, officer, reviewer)
    assert approved.status == LicenceApplication.Status.APPROVED_FOR_FILING
    filings = {f.kind: f for f in Filing.objects.filter(application=draft)}
    # The 748P, its item appendix (two items), and the BIS-711 that block 6 names.
    assert set(filings) == {FilingKind.FORM_748P, FilingKind.FORM_748P_A, FilingKind.FORM_711}
    for filing in filings.values():
        assert filing.status == Status.READY, filing.error
        assert filing.trigger == Filing.Trigger.APPROVAL
        assert filing.requested_by == reviewer
        assert filing.application_status == LicenceApplication.Status.APPROVED_FOR_FILING
        assert len(filing.source_sha256) == 64
        assert hashlib.sha256(media_path(filing.file.name).read_bytes()).hexdigest() == filing.sha256
    verbs = list(Event.objects.for_target(filings[FilingKind.FORM_748P]).values_list("verb", flat=True))
    assert verbs == ["filing.requested", "filing.generated"]


def test_an_application_returned_to_its_preparer_gets_no_filings(
    draft, officer, reviewer, django_capture_on_commit_callbacks
):
    from licensing.cases.services import applications

    with django_capture_on_commit_callbacks(execute=True):
        in_review = applications.submit_application_for_review(actor=officer, application=complete_application(draft))
        applications.return_application(actor=reviewer, application=in_review, reason="Fill block 13")
    assert not Filing.objects.exists()


def test_regenerating_makes_a_new_version_and_leaves_the_first_untouched(draft, render):
    first, first_path = render(draft, "bis_748p")
    first_bytes = first_path.read_bytes()
    second, second_path = render(draft, "bis_748p")
    assert (first.version, second.version) == (1, 2)
    assert first_path != second_path
    assert first_path.read_bytes() == first_bytes
    first.refresh_from_db()
    assert first.status == Status.READY
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    assert second.sha256 != first.sha256


def test_a_generated_filing_cannot_be_changed(draft, render):
    filing, _ = render(draft, "bis_748p")
    filing.sha256 = "0" * 64
    with pytest.raises(FilingIsImmutable, match="generate a new version"):
        filing.save()
    filing.refresh_from_db()
    assert filing.sha256 != "0" * 64


def test_an_auditor_cannot_generate_filings(draft, auditor, outsider):
    for user in (auditor, outsider):
        with pytest.raises(PermissionDenied):
            request_filing(actor=user, application=draft, kind="bis_748p")
    assert not Filing.objects.exists()


def test_legal_staff_can_generate_filings(draft, legal, render):
    filing, _ = render(draft, "bis_748p", actor=legal)
    assert filing.requested_by == legal


def test_an_unknown_kind_is_refused_naming_the_field(draft, officer):
    with pytest.raises(ValidationError) as error:
        request_filing(actor=officer, application=draft, kind="bis_999")
    assert "Unknown document kind 'bis_999'" in error.value.message_dict["kind"][0]


def test_a_failed_render_is_retried_then_marked_failed_with_the_error_and_no_file(
    draft, officer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.FILINGS_FONT_DIR = str(tmp_path / "no-fonts-here")
    with django_capture_on_commit_callbacks(execute=True):
        filing = request_filing(actor=officer, application=draft, kind="bis_748p")
    filing.refresh_from_db()
    assert filing.status == Status.FAILED
    assert "font DejaVuSans.ttf is not in" in filing.error and "fonts-dejavu-core" in filing.error
    # The first attempt and three retries.
    assert filing.attempts == 4
    assert filing.file.name == "" and filing.sha256 == ""
    folder = media_path(f"filings/{draft.pk}")
    assert not folder.exists() or list(folder.iterdir()) == []
    assert Event.objects.for_target(filing).filter(verb="filing.failed").count() == 4

    # Once the cause is fixed, the same version is queued again and rendered.
    del settings.FILINGS_FONT_DIR
    with django_capture_on_commit_callbacks(execute=True):
        retry_filing(actor=officer, filing=filing)
    filing.refresh_from_db()
    assert (filing.status, filing.version, filing.error) == (Status.READY, 1, "")


def test_a_render_missing_information_fails_at_once_without_retrying(
    deemed_draft, officer, reviewer, settings, django_capture_on_commit_callbacks
):
    from licensing.cases.services import applications

    # The pre-filing check refuses a deemed export without a plan; here it goes missing after review.
    submitted = applications.submit_application_for_review(
        actor=officer, application=complete_application(deemed_draft)
    )
    settings.TECHNOLOGY_CONTROL_PLAN_REFERENCE = ""
    with django_capture_on_commit_callbacks(execute=True):
        applications.approve_for_filing(actor=reviewer, application=submitted)
    letter = Filing.objects.get(application=deemed_draft, kind=FilingKind.LETTER_OF_EXPLANATION)
    assert letter.status == Status.FAILED
    assert letter.attempts == 1
    assert "TECHNOLOGY_CONTROL_PLAN_REFERENCE" in letter.error
    # The approval itself stands, and the 748P was rendered.
    form = Filing.objects.get(application=deemed_draft, kind=FilingKind.FORM_748P)
    assert form.status == Status.READY


def test_a_generated_filing_cannot_be_retried(draft, officer, render):
    filing, _ = render(draft, "bis_748p")
    with pytest.raises(ValidationError, match="already generated; ask for a new version"):
        retry_filing(actor=officer, filing=filing)


def test_a_filing_cannot_be_deleted_while_the_case_runs(draft, render):
    from licensing.filings.models import RetentionBlocked
    from licensing.filings.services.retention import refresh_retention

    filing, path = render(draft, "bis_748p")
    refresh_retention(application=draft)
    with pytest.raises(RetentionBlocked, match="still running"):
        filing.delete()
    with pytest.raises(RetentionBlocked):
        Filing.objects.filter(pk=filing.pk).delete()
    assert Filing.objects.filter(pk=filing.pk).exists() and path.exists()


def test_a_filing_whose_render_never_reached_a_worker_is_queued_again(
    draft, officer, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from licensing.filings.tasks import requeue_stalled_filings

    # Queued, but its message was lost: the commit callback never ran.
    filing = request_filing(actor=officer, application=draft, kind="bis_748p")
    assert requeue_stalled_filings() == 0
    Filing.objects.filter(pk=filing.pk).update(requested_at=timezone.now() - datetime.timedelta(minutes=20))
    # The render is sent through the outbox when the requeue's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_filings() == 1
    filing.refresh_from_db()
    assert filing.status == Status.READY
