"""The security headers of every response: Content-Security-Policy, Permissions-Policy,
and ``Cache-Control: no-store`` on everything a logged-in user gets.

Every URL of the authorization table (testsupport/url_matrix.py) is opened by a role it
serves and by a role it refuses, so pages, files (PDFs, attachments, CSVs, the calendar
feed), 404s and redirects are all checked. The browser side (no violation on any screen
of any demo role) is demo/tests/test_csp_browser.py.
"""

import importlib
import re
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dziennik.timetable import services as timetable_services
from testsupport.url_matrix import URLS, Scene

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
    "report-uri /csp-raport/; report-to csp-endpoint"
)
OFF = (
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
)
CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"


def _roles(case) -> list[str]:
    """A role the URL serves (or answers at all) and one it refuses, if any."""
    served = [role for role, status in case.expected.items() if status == 200]
    refused = [role for role, status in case.expected.items() if status in (302, 404)]
    return sorted({*(served[:1] or list(case.expected)[:1]), *refused[:1]})


def assert_security_headers(response, logged_in: bool, where: str) -> None:
    assert response["Content-Security-Policy"] == POLICY, where
    policy = response["Permissions-Policy"]
    for feature in OFF:
        assert f"{feature}=()" in policy.split(", "), f"{where}: {feature} not off"
    assert response["Reporting-Endpoints"] == 'csp-endpoint="/csp-raport/"', where
    if logged_in:
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= directives, f"{where}: {directives}"


@pytest.mark.parametrize("name", sorted(URLS))
def test_every_url_has_the_security_headers(world, name):
    case = URLS[name]
    scene = Scene(world)
    url = scene.url(name, case)
    data = case.query(scene) if case.query else None
    for role in _roles(case):
        response = world.client(role).get(url, data)
        where = f"{name} as {role} ({response.status_code})"
        assert_security_headers(response, logged_in=role != "anonymous", where=where)


def test_a_missing_page_and_a_static_file_have_them_too(world):
    response = world.client("own_parent").get("/nie-ma-takiej-strony/")
    assert response.status_code == 404
    assert_security_headers(response, logged_in=True, where="404")
    static = Client().get(settings.STATIC_URL + "css/dziennik.css")
    assert static.status_code == 200
    assert static["Content-Security-Policy"] == POLICY
    assert "camera=()" in static["Permissions-Policy"]
    # Static files are the same for everyone: browsers may keep them.
    assert "no-store" not in static.get("Cache-Control", "")


def test_the_calendar_feed_is_never_stored(world):
    """No login there (the token is the credential), yet it holds a child's timetable."""
    token = timetable_services.calendar_feed_create(actor=world.user("own_parent")).token
    response = Client().get(reverse("timetable:feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert_security_headers(response, logged_in=True, where="calendar feed")


def test_an_anonymous_page_may_be_stored_a_logged_in_one_never(world):
    anonymous = Client().get(reverse("portal:healthz"))
    assert "Cache-Control" not in anonymous
    logged_in = world.client("own_parent").get(reverse("portal:healthz"))
    assert logged_in["Cache-Control"] == "no-store, private"


def test_the_admin_gets_nonces_for_its_own_inline_code(world):
    """Django's admin marks its few inline scripts and styles with the request's nonce;
    the header then names that nonce (our own templates never use one: pages are cached
    whole, and a nonce must differ on every response)."""
    admin = world.user("principal")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    nonce = re.search(r"script-src 'self' 'nonce-([\w-]+)'", response["Content-Security-Policy"])
    assert nonce, response["Content-Security-Policy"]
    assert f"style-src 'self' 'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
    assert f'nonce="{nonce.group(1)}"' in response.content.decode()


@pytest.mark.parametrize("module", ["local", "test", "production"])
def test_every_settings_module_enforces_the_policy(module, monkeypatch):
    """Each settings module as it would load, not only the one the tests run with."""
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "dziennik.example.pl")
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://dziennik@localhost:587")
    name = f"config.settings.{module}"
    saved = sys.modules.pop(name, None)
    try:
        loaded = importlib.import_module(name)
    finally:
        if saved is not None:
            sys.modules[name] = saved
        else:
            sys.modules.pop(name, None)
    assert loaded.SECURE_CSP == settings.SECURE_CSP
    assert not loaded.SECURE_CSP_REPORT_ONLY
    middleware = loaded.MIDDLEWARE
    assert CSP_MIDDLEWARE in middleware
    assert "dziennik.core.middleware.SecurityHeadersMiddleware" in middleware
    # Before WhiteNoise and the rest, so every response passes through them.
    assert middleware.index(CSP_MIDDLEWARE) < middleware.index(
        "whitenoise.middleware.WhiteNoiseMiddleware"
    )
    processors = loaded.TEMPLATES[0]["OPTIONS"]["context_processors"]
    assert "django.template.context_processors.csp" in processors
