"""Printouts: PDF documents rendered from HTML templates by WeasyPrint.

Every printout of the register (a student's grade sheet, attendance sheets, credential
letters, later the year-end archive) is a Django template extending
``core/print/base.html``, styled by the one stylesheet ``core/print/print.css``. So the
layout, the hyphenation (``hyphens: auto`` with the document's ``lang``, Polish by
default) and the translation come from templates and CSS, as on the pages, and numbers
and dates are localised by the template engine (``4,50`` in Polish).

WeasyPrint needs Pango (Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``), which
``.ci/run`` installs. The Lato font (package ``font_lato``, it covers Polish letters) is
embedded, so the printout does not depend on the fonts of the machine. The documents
carry names typed by users; the renderer may read only the font files: no other file and
no network address (``LocalFontsOnly``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import font_lato
from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .http import content_disposition

PRINT_DIR = Path(__file__).parent / "templates" / "core" / "print"
STYLESHEET = PRINT_DIR / "print.css"
FONT_DIR = Path(font_lato.font_directory)
# (CSS weight, CSS style, file) of the Lato faces the stylesheet uses.
FONT_FACES = (
    ("400", "normal", "Lato-Regular.ttf"),
    ("700", "normal", "Lato-Bold.ttf"),
    ("400", "italic", "Lato-Italic.ttf"),
)


class LocalFontsOnly(URLFetcher):
    """A fetcher that serves the embedded font files and refuses any other address."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), fail_on_errors=False)
        self.allowed = {(FONT_DIR / name).resolve().as_uri() for _w, _s, name in FONT_FACES}

    def fetch(self, url, headers=None):
        if url.split("?")[0] not in self.allowed:
            raise ValueError(f"A printout may not load {url!r}")
        return super().fetch(url, headers)


def _font_css() -> str:
    return "".join(
        f"@font-face {{ font-family: 'Lato'; font-weight: {weight}; font-style: {style};"
        f" src: url('{(FONT_DIR / name).resolve().as_uri()}'); }}\n"
        for weight, style, name in FONT_FACES
    )


def render_html(template_name: str, context: dict, *, language: str | None = None) -> str:
    """The HTML of a printout, in ``language`` (default: the active one, else the
    school's, Polish)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        return render_to_string(
            template_name, {"printed_at": timezone.localtime(), "language": language, **context}
        )


_cached = threading.local()


def _styles() -> tuple[LocalFontsOnly, FontConfiguration, CSS]:
    """The fetcher, the fonts and the parsed stylesheet, made once per thread (loading
    the fonts and parsing the stylesheet cost about 0.4 s a document)."""
    if getattr(_cached, "styles", None) is None:
        fetcher = LocalFontsOnly()
        fonts = FontConfiguration()
        stylesheet = CSS(
            string=_font_css() + STYLESHEET.read_text(encoding="utf-8"),
            font_config=fonts,
            url_fetcher=fetcher,
        )
        _cached.styles = (fetcher, fonts, stylesheet)
    return _cached.styles


def layout(html: str) -> Document:
    """The laid-out pages of the HTML of a printout (``render_html``), with the shared
    stylesheet; several layouts join into one PDF with ``join_pdf``."""
    fetcher, fonts, stylesheet = _styles()
    document = HTML(string=html, base_url=PRINT_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.render(stylesheets=[stylesheet], font_config=fonts)


def join_pdf(documents: list[Document]) -> bytes:
    """One PDF of the pages of several documents laid out by ``layout`` (a long printout
    laid out in parts, to tell its progress)."""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def html_to_pdf(html: str) -> bytes:
    """A PDF of the HTML of a printout (``render_html``)."""
    return layout(html).write_pdf()


def render_pdf(template_name: str, context: dict, *, language: str | None = None) -> bytes:
    """The PDF of the printout ``template_name`` (a template extending
    ``core/print/base.html``) with ``context``, in ``language``."""
    return html_to_pdf(render_html(template_name, context, language=language))


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """A PDF to open in the browser (``inline``) or to download."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
