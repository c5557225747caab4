"""The network address of the person behind a request (login lockout, rate limits).

Behind the reverse proxy of docs/production.md every connection comes from the proxy
(``REMOTE_ADDR`` is 127.0.0.1); the person's address is in the ``X-Forwarded-For`` header
the proxy appends to. Anyone can write that header, so it is read only when the
connection itself comes from a proxy named in ``settings.TRUSTED_PROXIES`` (addresses or
networks, from the environment). Then the header is read from the right: each proxy
appended the address it saw, so the rightmost address that is not itself a trusted
proxy is the client's, and whatever the client wrote to the left of it counts not.

django-ipware (the package django-axes uses for this) parses the header: ports,
IPv6 brackets, RFC 7239 elements, malformed entries. Its own trust settings cannot
express the rule above: ``AXES_IPWARE_PROXY_TRUSTED_IPS`` is matched against the
header's own entries, never against the connection, so a client that reaches the
application directly could still choose its address; and in its default strict mode a
client that sends any ``X-Forwarded-For`` of its own through the proxy falls back to the
proxy's address, sharing one lock with every other such client. So django-axes asks
this module (``AXES_CLIENT_IP_CALLABLE``), which checks the connection and walks the
chain with ipware's proxy count.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# More trusted proxies than this in one chain is a misconfiguration, not a network.
MAX_PROXY_HOPS = 8


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` as networks (a bare address is a network of one)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(text: str | None) -> bool:
    """Whether ``text`` is the address of a proxy named in ``TRUSTED_PROXIES``."""
    address = _address(text)
    if address is None:
        return False
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the connection's own, or, from a trusted proxy, the
    rightmost untrusted address of ``X-Forwarded-For``."""
    peer = request.META.get("REMOTE_ADDR")
    if not is_trusted_proxy(peer):
        return peer
    nearest = peer
    for hops in range(MAX_PROXY_HOPS):
        # With ``proxy_count=hops`` ipware answers the entry ``hops`` places from the
        # right (None when the chain is shorter): the address the next proxy saw.
        address, _routable = get_client_ip(
            request,
            proxy_order=settings.AXES_IPWARE_PROXY_ORDER,
            proxy_count=hops,
            request_header_order=settings.AXES_IPWARE_META_PRECEDENCE_ORDER,
            strict=False,
        )
        if address is None:
            break
        nearest = address
        if not is_trusted_proxy(address):
            break
    return nearest


# The headers a reverse proxy sets about the original request. Django believes
# ``X-Forwarded-Proto`` through ``SECURE_PROXY_SSL_HEADER`` (secure cookies, the HTTPS
# redirect, CSRF's referer check) and ``X-Forwarded-Host``/``-Port`` when told to; a
# client that reaches the application directly could otherwise claim HTTPS.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_FORWARDED",
)


class UntrustedForwardedHeadersMiddleware:
    """Drops the proxy headers of a request that does not come from a trusted proxy.

    First in ``MIDDLEWARE``, so ``SecurityMiddleware`` (HTTPS redirect) and everything
    after it see only what a trusted proxy said."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
