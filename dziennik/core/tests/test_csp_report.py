"""Where browsers report Content-Security-Policy violations (core.views.csp_report)."""

import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dziennik.core import views

URL = reverse("core:csp_report")

LEGACY = {
    "csp-report": {
        "document-uri": "http://testserver/oceny/",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "blocked-uri": "inline",
        "source-file": "http://testserver/static/js/htmx.min.js",
        "line-number": 1,
    }
}
MODERN = [
    {
        "type": "csp-violation",
        "url": "http://testserver/",
        "body": {
            "documentURL": "http://testserver/frekwencja/",
            "effectiveDirective": "script-src-elem",
            "blockedURL": "https://evil.example/x.js",
            "lineNumber": 3,
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},
]


def post(body, content_type="application/csp-report", client=None, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return (client or Client()).post(URL, data, content_type=content_type, **extra)


def test_the_policy_names_this_view():
    assert settings.CSP_REPORT_URL == URL
    assert settings.SECURE_CSP["report-uri"] == URL


@pytest.mark.django_db
def test_a_report_is_logged_from_anyone(world, caplog):
    """Both formats, with no login and no CSRF token (a browser sends neither)."""
    caplog.set_level(logging.WARNING, logger="dziennik.csp")
    client = Client(enforce_csrf_checks=True)
    assert post(LEGACY, client=client).status_code == 204
    assert post(MODERN, "application/reports+json", client=client).status_code == 204
    logged = [r.getMessage() for r in caplog.records if r.name == "dziennik.csp"]
    assert logged == [
        "CSP violation: 'style-src-attr' blocked 'inline' on 'http://testserver/oceny/' "
        "('http://testserver/static/js/htmx.min.js' line '1') ''",
        "CSP violation: 'script-src-elem' blocked 'https://evil.example/x.js' on "
        "'http://testserver/frekwencja/' ('' line '3') ''",
    ]
    # A logged-in user's browser reports the same way (also one that must change the
    # password first), and GET is refused.
    parent = world.user("own_parent")
    parent.must_change_password = True
    parent.save()
    client = world.client("own_parent")
    assert client.get("/").status_code == 302  # sent to change the password first...
    assert post(LEGACY, client=client).status_code == 204  # ...but its reports arrive
    assert client.get(URL).status_code == 405


def test_a_forged_report_cannot_write_log_lines(caplog):
    caplog.set_level(logging.WARNING, logger="dziennik.csp")
    forged = {"csp-report": {"blocked-uri": "x\nCRITICAL fake line" + "a" * 5000}}
    assert post(forged).status_code == 204
    (message,) = [r.getMessage() for r in caplog.records if r.name == "dziennik.csp"]
    assert "\n" not in message
    assert len(message) < 400


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"csp-report": "x"}',
        b'[{"type": "csp-violation"}]',
        b"\x00",
        b"\xff\xfe",
        b"[" * 8000 + b"]" * 8000,
    ],
)
def test_what_is_not_a_report_is_refused(body, caplog):
    assert post(body).status_code == 400
    assert not [r for r in caplog.records if r.name == "dziennik.csp"]


def test_a_large_body_is_refused_unread(caplog):
    big = {"csp-report": {"blocked-uri": "a" * views.MAX_REPORT_BYTES}}
    assert post(big).status_code == 413
    assert post(b"{}", CONTENT_LENGTH="-1").status_code == 413
    assert not [r for r in caplog.records if r.name == "dziennik.csp"]


def test_reports_are_counted_per_address_and_minute(caplog, settings):
    """One client cannot fill the log: past the limit its reports are not even read."""
    caplog.set_level(logging.WARNING, logger="dziennik.csp")
    settings.TRUSTED_PROXIES = []
    noisy = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [post(LEGACY, client=noisy).status_code for _ in range(views.REPORTS_PER_MINUTE)]
    assert statuses == [204] * views.REPORTS_PER_MINUTE
    assert post(LEGACY, client=noisy).status_code == 429
    # Another address is counted apart.
    assert post(LEGACY, client=Client(REMOTE_ADDR="203.0.113.8")).status_code == 204
    logged = [r for r in caplog.records if r.name == "dziennik.csp"]
    assert len(logged) == views.REPORTS_PER_MINUTE + 1


def test_a_batch_is_cut_at_ten_reports(caplog):
    caplog.set_level(logging.WARNING, logger="dziennik.csp")
    batch = [MODERN[0]] * 50
    assert post(batch, "application/reports+json").status_code == 204
    logged = [r for r in caplog.records if r.name == "dziennik.csp"]
    assert len(logged) == views.MAX_REPORTS_PER_REQUEST
