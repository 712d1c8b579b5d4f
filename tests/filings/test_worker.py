"""A real Celery worker on Redis renders the filings an approval queues and builds a package of them."""

import hashlib
import zipfile

import pytest

from licensing.filings.models import ExportPackage, Filing, FilingKind
from licensing.filings.services.packages import request_export_package
from licensing.filings.storage import media_path

from ..celery_worker import wait_until
from .conftest import approve


@pytest.mark.slow
def test_a_worker_renders_the_approvals_filings_and_builds_their_package(
    celery_worker, draft, officer, reviewer, legal
):
    approve(draft, officer, reviewer)
    assert {f.kind for f in Filing.objects.filter(application=draft)} == {FilingKind.FORM_748P, FilingKind.FORM_711}

    def all_ready():
        return all(f.status == Filing.Status.READY for f in Filing.objects.filter(application=draft))

    wait_until(all_ready, timeout=60, message="the worker to render the approval's filings")
    for filing in Filing.objects.filter(application=draft):
        path = media_path(filing.file.name)
        assert path.read_bytes().startswith(b"%PDF")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == filing.sha256
        assert (filing.attempts, filing.error) == (1, "")

    package = request_export_package(actor=legal, application_ids=[draft.pk])

    def built():
        package.refresh_from_db()
        return package.status in (ExportPackage.Status.READY, ExportPackage.Status.FAILED)

    wait_until(built, timeout=60, message="the worker to build the package")
    assert package.status == ExportPackage.Status.READY, package.error
    assert (package.done, package.total) == (1, 1)
    path = media_path(package.file.name)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == package.sha256
    with zipfile.ZipFile(path) as archive:
        pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    # The two filings, and the signed BIS-711 and technical specifications block 6 says were submitted.
    assert len([name for name in pdfs if "/filings/" in name]) == 2
    assert len([name for name in pdfs if "/documents/" in name]) == 2
