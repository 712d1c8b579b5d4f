"""HTML templates to PDF with WeasyPrint, using only local fonts and never the network."""

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.request import url2pathname

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, path2url

# fonts-dejavu-core ships these; the templates name them in @font-face rules.
FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans_bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif_bold": "DejaVuSerif-Bold.ttf",
}
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
# Every document's stylesheet, a template only for the font URLs it names.
STYLESHEET = "filings/pdf/form.css"

# WeasyPrint reports each rendering step at INFO; a worker rendering all day
# would log little else.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A FontConfiguration copies each @font-face file into a temporary folder the
# first time it meets it; keeping one per thread saves that on every later
# render (a third of the time of a one-page form). The stylesheet is parsed
# once beside it: parsing it in every document's <style> cost a sixth of a
# 748P render.
_fonts = threading.local()


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


def font_dir() -> Path:
    return Path(getattr(settings, "FILINGS_FONT_DIR", DEFAULT_FONT_DIR))


def font_urls() -> dict[str, str]:
    """Return file URLs of the fonts, failing with the fix when one is missing."""
    directory = font_dir()
    urls = {}
    for key, name in FONT_FILES.items():
        path = directory / name
        if not path.is_file():
            raise ImproperlyConfigured(
                f"font {name} is not in {directory}: install the Debian package fonts-dejavu-core "
                "or point FILINGS_FONT_DIR at a directory that holds it"
            )
        urls[key] = path2url(str(path))
    return urls


class LocalFilesOnly(URLFetcher):
    """Fetch fonts and images from the font directory and the project's static files, nothing else.

    A template that names a remote resource fails the render instead of
    reaching out to the network or silently printing without it.
    """

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.roots = [font_dir().resolve(), (Path(settings.BASE_DIR) / "static").resolve()]

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"{path} is outside the font and static directories")
        return super().fetch(url, headers)


# Threads rendering now, and whether the collector ran before the first of them began; it runs
# again when the last one finishes.
_rendering = 0
_collector_was_enabled = True
_rendering_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector from running while a PDF is laid out.

    A render allocates some hundred thousand small objects, which set off
    collections that each walk every object of the worker (Django, the app,
    the parsed stylesheet): in a profile of a 748P they took a third of its
    CPU time. Collection resumes afterwards; what the render left in cycles is
    freed then, so memory grows only for the length of one render.
    """
    global _rendering, _collector_was_enabled
    with _rendering_lock:
        if _rendering == 0:
            _collector_was_enabled = gc.isenabled()
        _rendering += 1
        gc.disable()
    try:
        yield
    finally:
        with _rendering_lock:
            _rendering -= 1
            if _rendering == 0 and _collector_was_enabled:
                gc.enable()


def render_pdf(template_name: str, context: dict) -> RenderedPdf:
    """Render a template to PDF bytes and count its pages."""
    font_urls()  # a font removed since the stylesheet was parsed still stops the render, saying which
    font_config, stylesheet = _compiled()
    html = render_to_string(template_name, context)
    with _collector_paused():
        document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=LocalFilesOnly()).render(
            stylesheets=[stylesheet], font_config=font_config
        )
        rendered = RenderedPdf(document.write_pdf(), len(document.pages))
        # Freed now, by reference counting, rather than left for the collector when it resumes.
        del document
    return rendered


def _compiled() -> tuple[FontConfiguration, CSS]:
    """This thread's font configuration and parsed stylesheet, made again if the font directory changed."""
    directory = str(font_dir())
    if getattr(_fonts, "directory", None) != directory:
        # font_urls() checks every font is there before anything is cached.
        css = render_to_string(STYLESHEET, {"fonts": font_urls()})
        configuration = FontConfiguration()
        _fonts.stylesheet = CSS(
            string=css, base_url=str(settings.BASE_DIR), url_fetcher=LocalFilesOnly(), font_config=configuration
        )
        _fonts.configuration = configuration
        _fonts.directory = directory
    return _fonts.configuration, _fonts.stylesheet
