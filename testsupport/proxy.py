"""A tiny reverse proxy on loopback that forwards the way docs/production.md's nginx does,
and an HTTP client that connects from a chosen loopback address.

Linux routes the whole 127.0.0.0/8 to the loopback interface, so "client A" (127.0.0.2)
and "client B" (127.0.0.3) are two real peers whose addresses the proxy sees, as nginx
sees the addresses of two homes. The proxy runs on 127.0.0.1, as nginx does on the
school's server, and sets what the documented ``location /`` block sets:

    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Real-IP $remote_addr;

``$proxy_add_x_forwarded_for`` is the client's own ``X-Forwarded-For`` (all of them,
joined with ", ") followed by the address the proxy saw, or that address alone.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
# Headers the proxy writes itself; a client's own copies never pass (nginx replaces them).
REPLACED = {"host", "x-forwarded-proto", "x-forwarded-for", "x-real-ip"}
TIMEOUT = 10


def _handler(upstream: tuple[str, int]) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format, *args):
            pass

        def _forward(self) -> None:
            peer = self.client_address[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in HOP_BY_HOP | REPLACED
            }
            own = self.headers.get_all("X-Forwarded-For") or []
            headers["Host"] = self.headers.get("Host", "")
            headers["X-Forwarded-Proto"] = "http"
            headers["X-Forwarded-For"] = ", ".join([*own, peer])
            headers["X-Real-IP"] = peer
            connection = http.client.HTTPConnection(*upstream, timeout=TIMEOUT)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                content = answer.read()
            finally:
                connection.close()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _forward

    return Forward


@contextmanager
def reverse_proxy(upstream_url: str, host: str = "127.0.0.1") -> Iterator[str]:
    """Run the proxy in front of ``upstream_url`` (the live server); yield its base URL."""
    parts = urllib.parse.urlsplit(upstream_url)
    upstream = ("127.0.0.1" if parts.hostname == "localhost" else parts.hostname, parts.port)
    server = ThreadingHTTPServer((host, 0), _handler(upstream))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)


class LoopbackClient:
    """A browser-like client (cookies, the CSRF token) that connects from ``source``."""

    def __init__(self, base_url: str, source: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
        self.port = parts.port
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=TIMEOUT, source_address=(self.source, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def post_form(self, path: str, fields: dict, headers: dict | None = None) -> int:
        """GET the page for its CSRF token, then POST ``fields`` as its form would."""
        status, _, html = self.request("GET", path, headers=headers)
        assert status == 200, f"GET {path} through {self.source}: {status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, _, _ = self.request(
            "POST", path, {**fields, "csrfmiddlewaretoken": token}, headers=headers
        )
        return status
