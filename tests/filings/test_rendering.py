"""The renderer keeps Python's cyclic collector out of a render and gives it back as it found it."""

import gc

import pytest
from weasyprint import HTML

from licensing.filings import rendering

pytestmark = pytest.mark.django_db

STAMP = {"draft": True, "filed": False, "reference": "EXD-000001", "generated_at": "", "source_sha256": ""}


def _context():
    return {"document": {"form_name": "Letter", "title": "Test"}, "stamp": STAMP}


def test_the_collector_is_off_during_a_render_and_on_again_after(monkeypatch):
    seen = []
    real_render = HTML.render

    def watched(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "render", watched)
    assert gc.isenabled()
    pdf = rendering.render_pdf("filings/pdf/base.html", _context())
    assert pdf.content.startswith(b"%PDF") and pdf.page_count == 1
    assert seen == [False] and gc.isenabled()


def test_a_failed_render_gives_the_collector_back(monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(HTML, "render", broken)
    with pytest.raises(RuntimeError, match="layout failed"):
        rendering.render_pdf("filings/pdf/base.html", _context())
    assert gc.isenabled()


def test_a_process_that_turned_the_collector_off_keeps_it_off():
    gc.disable()
    try:
        rendering.render_pdf("filings/pdf/base.html", _context())
        assert not gc.isenabled()
    finally:
        gc.enable()
