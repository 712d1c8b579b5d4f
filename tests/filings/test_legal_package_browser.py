"""In Chromium, as legal staff: a package of a filed application holds its filed 748P with the control number."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from licensing.filings.models import Filing
from licensing.filings.services.filings import generate_filing
from licensing.filings.storage import media_path

from ..browser import signed_in
from .pdf_reading import pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_legal_staff_build_and_download_the_package_of_a_filed_application(
    chromium, live_site, artifacts, licensed, legal
):
    # Filing in SNAP-R queued the filed versions; a worker renders them.
    for filing in Filing.objects.filed().filter(application=licensed, status=Filing.Status.QUEUED):
        generate_filing(filing_id=filing.pk)

    context, page = signed_in(chromium, live_site, "legal")
    page.goto(f"{live_site}/filings/exports/")
    page.get_by_label("Applications").fill(licensed.reference)
    page.get_by_role("button", name="Build package").click()
    expect(page.get_by_role("link", name="Download")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(artifacts / "legal-package-ready.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    manifest = json.loads(archive.read("manifest.json"))
    filed = manifest["package"]["filed_versions"]
    form = next(path for path in filed if "bis_748p" in path)
    copy = media_path("test-legal-browser-filed.pdf")
    copy.write_bytes(archive.read(form))
    text = pdf_text(copy)
    assert "Z123456" in text and "DRAFT" not in text
    assert f"applications/{licensed.reference}/determinations.json" in archive.namelist()
    assert f"applications/{licensed.reference}/licence.json" in archive.namelist()
    context.close()
