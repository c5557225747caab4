"""The one view of the shared plumbing: where browsers report Content-Security-Policy
violations (``report-uri`` and ``report-to`` of ``settings.SECURE_CSP``)."""

from __future__ import annotations

import json
import logging
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .client_address import client_address

logger = logging.getLogger("dziennik.csp")

# A real report is well under 2 KB; a browser batches a few through report-to.
MAX_REPORT_BYTES = 16 * 1024
MAX_REPORTS_PER_REQUEST = 10
# Reports per client address and minute that are read and logged; the rest get 429.
REPORTS_PER_MINUTE = 30
# How much of each reported value reaches the log.
MAX_FIELD = 200

# (report-uri's "csp-report" key, report-to's body key) for each logged field.
FIELDS = {
    "document": ("document-uri", "documentURL"),
    "directive": ("effective-directive", "effectiveDirective"),
    "blocked": ("blocked-uri", "blockedURL"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
    "sample": ("script-sample", "sample"),
}


def _within_rate(request: HttpRequest) -> bool:
    """Count this report against its address's minute; False once over the limit.

    Without a shared cache (production without ``CACHE_URL``) nothing is counted and
    only the size limit holds."""
    key = f"csp-report:{client_address(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) <= REPORTS_PER_MINUTE
    except ValueError:
        return True


def _reports(payload: object) -> list[dict]:
    """The violation bodies of either format: ``{"csp-report": {...}}`` (report-uri) or
    ``[{"type": "csp-violation", "body": {...}}, ...]`` (report-to)."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"]
            for item in payload[:MAX_REPORTS_PER_REQUEST]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def _field(report: dict, name: str) -> str:
    legacy, modern = FIELDS[name]
    value = report.get(legacy, report.get(modern, ""))
    return str(value)[:MAX_FIELD]


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log what the browser's Content-Security-Policy blocked; store nothing.

    No login (a report may come from the login page) and no CSRF token (browsers send
    none), so it is bounded instead: 16 KB a request, ten reports in it, 30 requests a
    minute per client address; each value is cut to 200 characters and logged with
    ``%r``, so a forged report cannot write lines of its own into the log."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isascii() or not declared.isdecimal() or int(declared) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    if not _within_rate(request):
        return HttpResponse(status=429)
    body = request.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        reports = _reports(json.loads(body))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        return HttpResponse(status=400)
    if not reports:
        return HttpResponse(status=400)
    for report in reports:
        logger.warning(
            "CSP violation: %r blocked %r on %r (%r line %r) %r",
            _field(report, "directive"),
            _field(report, "blocked"),
            _field(report, "document"),
            _field(report, "source"),
            _field(report, "line"),
            _field(report, "sample"),
        )
    return HttpResponse(status=204)
