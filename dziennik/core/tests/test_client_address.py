"""Which address a request comes from (dziennik/core/client_address.py).

The end-to-end test with a real proxy in front of the live server is
accounts/tests/test_login_behind_proxy.py; these pin the rule's corners.
"""

import pytest
from django.conf import settings
from django.core.checks import Error
from django.test import RequestFactory

from dziennik.core.checks import trusted_proxies_valid
from dziennik.core.client_address import UntrustedForwardedHeadersMiddleware, client_address

PROXY = "127.0.0.1"


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture(autouse=True)
def _proxies(settings):
    settings.TRUSTED_PROXIES = [PROXY, "::1", "10.20.0.0/16"]


def test_axes_asks_this_module():
    assert settings.AXES_CLIENT_IP_CALLABLE == "dziennik.core.client_address.client_address"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Directly connected: the header is the client's own words.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        ("2001:db8::7", "198.51.100.1", "2001:db8::7"),
        # Through the proxy: the address it appended.
        (PROXY, "203.0.113.7", "203.0.113.7"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        ("::ffff:127.0.0.1", "203.0.113.7", "203.0.113.7"),
        (PROXY, "203.0.113.7:51234", "203.0.113.7"),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        # What the client wrote before it counts not, well-formed or not.
        (PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (PROXY, "garbage, 203.0.113.7", "203.0.113.7"),
        (PROXY, "198.51.100.1,,  203.0.113.7", "203.0.113.7"),
        # A second trusted proxy (a load balancer in 10.20/16) is skipped, an untrusted
        # private address is a client like any other (a school's own network).
        (PROXY, "198.51.100.1, 203.0.113.7, 10.20.0.5", "203.0.113.7"),
        (PROXY, "198.51.100.1, 10.30.0.5, 10.20.0.5", "10.30.0.5"),
        # Only trusted addresses: the farthest one.
        (PROXY, "10.20.0.9, 10.20.0.5", "10.20.0.9"),
        # No header, an empty or useless one: the proxy's own address, as before.
        (PROXY, None, PROXY),
        (PROXY, "", PROXY),
        (PROXY, "unknown", PROXY),
    ],
)
def test_client_address(remote, forwarded, expected):
    assert client_address(request(remote, forwarded)) == expected


def test_no_trusted_proxy_trusts_no_header(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request(PROXY, "203.0.113.7")) == PROXY


def test_a_wrong_trusted_proxy_entry_stops_the_start(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "localhost", "10.0.0.0/33"]
    errors = trusted_proxies_valid(None)
    assert [(e.id, e.obj) for e in errors] == [
        ("dziennik.E001", "localhost"),
        ("dziennik.E001", "10.0.0.0/33"),
    ]
    assert all(isinstance(e, Error) for e in errors)
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.20.0.0/16"]
    assert trusted_proxies_valid(None) == []


@pytest.mark.django_db  # the login page shows the school's name
@pytest.mark.parametrize(("remote", "secure"), [("203.0.113.7", False), (PROXY, True)])
def test_https_claim_believed_only_from_a_trusted_proxy(client, settings, remote, secure):
    """``X-Forwarded-Proto: https`` from a direct client is dropped: the HTTPS redirect
    still applies to it, while the proxy's word is believed."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/konto/logowanie/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_PROTO="https")
    if secure:
        assert response.status_code == 200
    else:
        assert response.status_code == 301
        assert response["Location"].startswith("https://")


def test_forwarded_for_dropped_from_a_direct_client(settings):
    """Nothing after the first middleware sees a direct client's proxy headers."""
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    middleware = UntrustedForwardedHeadersMiddleware(view)
    middleware(request("203.0.113.7", "198.51.100.1"))
    assert "HTTP_X_FORWARDED_FOR" not in seen
    middleware(request(PROXY, "198.51.100.1"))
    assert seen["HTTP_X_FORWARDED_FOR"] == "198.51.100.1"
