"""Answers built from what people typed: where to go back to, and a download's name.

* ``safe_next`` – a ``next`` address is followed only when it is a path of this site
  (``/oceny/…``): anything else – another host, ``//host``, ``javascript:``, a bare word
  that is no path – goes to the fallback instead of an open redirect or an error.
* ``content_disposition`` – every file the register sends names itself through it: the
  name is cleaned of control characters (a class named ``"4a\\r\\n"`` in an imported file
  would otherwise break the header) and of path separators, and non-ASCII letters are
  sent as RFC 6266 ``filename*`` (Django's ``content_disposition_header``).
  ``core/tests/test_http.py`` checks no code sets the header by hand.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from .text import clean_text

MAX_FILENAME = 150


def safe_next(request: HttpRequest, target: str | None, fallback: str = "/") -> str:
    """``target`` when it is a path on this site, else ``fallback``."""
    if (
        not isinstance(target, str)
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or clean_text(target) != target
        or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return fallback
    return target


def safe_filename(name: str, *, fallback: str = "plik") -> str:
    """A file name to offer for download: one line, no path separators, not empty."""
    name = clean_text(name).replace("/", "-").replace("\\", "-").strip(". ")
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        name = stem[: MAX_FILENAME - len(extension) - 1] + dot + extension if dot else name
        name = name[:MAX_FILENAME]
    return name or fallback


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The ``Content-Disposition`` header of a download (``inline``: shown in the
    browser, e.g. a PDF)."""
    return content_disposition_header(not inline, safe_filename(filename))
