"""A Web Push service on loopback for the tests, and the device it delivers to.

``PushService`` is an HTTP server on a random port (port 0) that plays a push service
(RFC 8030): it takes each POST, checks its VAPID ``Authorization`` (RFC 8292: a JWT
signed with ES256 by the key the header names, ``aud`` the service's origin, not
expired) and answers ``status`` (201 unless the test says otherwise). ``Device`` is a
browser's side of a subscription: a P-256 key pair and a 16-byte auth secret, which
decrypts a received body (aes128gcm, RFC 8291) with ``http_ece``.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class Device:
    """A browser's subscription keys."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth_secret(self) -> str:
        return b64url(self.auth)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain.decode("utf-8"))


def verify_vapid(header: str, audience: str) -> tuple[dict, str]:
    """The claims of a valid ``vapid t=<jwt>,k=<public key>`` header and its key; raises
    ``AssertionError`` on anything wrong."""
    scheme, _, rest = header.partition(" ")
    assert scheme.lower() == "vapid", header
    parts = dict(part.split("=", 1) for part in rest.split(","))
    token, key = parts["t"], parts["k"]
    signed, _, signature = token.rpartition(".")
    head = json.loads(unb64url(signed.split(".")[0]))
    assert head == {"typ": "JWT", "alg": "ES256"}, head
    raw = unb64url(signature)
    assert len(raw) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise AssertionError("the VAPID signature does not verify") from error
    claims = json.loads(unb64url(signed.split(".")[1]))
    assert claims["aud"] == audience, claims
    assert claims["exp"] > time.time(), claims
    assert claims["sub"].startswith(("mailto:", "https:")), claims
    return claims, key


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    claims: dict = field(default_factory=dict)
    key: str = ""


class PushService:
    """``with PushService() as service:`` – ``service.endpoint("name")`` is a
    subscription's address; ``service.received`` what came; ``service.status`` what it
    answers (a dict path → status answers per subscription)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status: int = 201
        self.status_for: dict[str, int] = {}
        self.errors: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                record = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                try:
                    record.claims, record.key = verify_vapid(
                        self.headers.get("Authorization", ""), service.origin
                    )
                except (AssertionError, KeyError, ValueError) as error:
                    service.errors.append(f"{self.path}: {error!r}")
                    self.send_response(401)
                    self.end_headers()
                    return
                service.received.append(record)
                self.send_response(service.status_for.get(self.path, service.status))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/wpush/{name}"

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
