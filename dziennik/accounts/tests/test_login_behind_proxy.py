"""The login lockout behind the reverse proxy of docs/production.md, for real.

A tiny proxy on 127.0.0.1 (testsupport/proxy.py) forwards to the live server as the
documented nginx does; clients connect to it from their own loopback addresses. With
``TRUSTED_PROXIES=127.0.0.1`` five failures from client A lock A's address and nobody
else's; a client that reaches the application directly cannot choose its address by
writing an ``X-Forwarded-For`` header.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD
from testsupport.proxy import LoopbackClient, reverse_proxy

LOGIN = reverse("accounts:login")
LOCKED = 429
CLIENT_A = "127.0.0.2"
CLIENT_B = "127.0.0.3"
DIRECT = "127.0.0.4"


def fail(client: LoopbackClient, username: str, headers: dict | None = None) -> int:
    return client.post_form(
        LOGIN, {"username": username, "password": "not-the-password"}, headers=headers
    )


def log_in(client: LoopbackClient, username: str) -> int:
    return client.post_form(LOGIN, {"username": username, "password": TEST_PASSWORD})


@pytest.fixture
def proxy(live_server, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    with reverse_proxy(live_server.url) as url:
        yield url


def test_five_failures_through_the_proxy_lock_that_client_only(world, proxy):
    client_a = LoopbackClient(proxy, CLIENT_A)
    for number in range(4):
        assert fail(client_a, f"nobody{number}") == 200
    assert fail(client_a, "nobody4") == LOCKED
    # A's address is locked: not even a right password gets through from there.
    assert log_in(LoopbackClient(proxy, CLIENT_A), "rodzic-test") == LOCKED
    # Client B, through the same proxy, logs in: the lock is not on the proxy's address.
    assert log_in(LoopbackClient(proxy, CLIENT_B), "rodzic-test") == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}


def test_a_client_cannot_choose_its_address_through_the_proxy(world, proxy):
    """The proxy appends the address it saw; what the client wrote before it counts not."""
    client_a = LoopbackClient(proxy, CLIENT_A)
    forged = {"X-Forwarded-For": f"{CLIENT_B}, 198.51.100.9", "X-Real-IP": CLIENT_B}
    for number in range(5):
        last = fail(client_a, f"nobody{number}", headers=forged)
    assert last == LOCKED
    assert log_in(LoopbackClient(proxy, CLIENT_B), "rodzic-test") == 302
    assert log_in(LoopbackClient(proxy, CLIENT_A), "rodzic-inny") == LOCKED
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}


def test_a_direct_client_cannot_choose_its_address(world, live_server, proxy):
    """Not from a trusted proxy: the forwarding headers are the client's own words."""
    direct = LoopbackClient(live_server.url, DIRECT)
    forged = {"X-Forwarded-For": CLIENT_B, "X-Real-IP": CLIENT_B}
    for number in range(5):
        last = fail(direct, f"nobody{number}", headers=forged)
    assert last == LOCKED
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {DIRECT}
    assert log_in(LoopbackClient(proxy, CLIENT_B), "rodzic-test") == 302
    assert log_in(LoopbackClient(live_server.url, DIRECT), "rodzic-inny") == LOCKED


def test_without_a_trusted_proxy_the_header_counts_for_nothing(world, live_server, settings):
    """The default (no TRUSTED_PROXIES): every address is the connection's own."""
    settings.TRUSTED_PROXIES = []
    with reverse_proxy(live_server.url) as proxy:
        client_a = LoopbackClient(proxy, CLIENT_A)
        for number in range(5):
            fail(client_a, f"nobody{number}")
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
        # Everyone behind the untrusted proxy shares its address: B is locked too.
        assert log_in(LoopbackClient(proxy, CLIENT_B), "rodzic-test") == LOCKED
