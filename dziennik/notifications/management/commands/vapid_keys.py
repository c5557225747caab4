"""``manage.py vapid_keys``: print a new VAPID key pair for Web Push (docs/notifications.md).

The register signs every push with the private key; browsers subscribe with the public
one. Keep the pair for the life of the installation: new keys make every device's
subscription useless (each person subscribes again)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_pair() -> tuple[str, str]:
    """A P-256 key pair: the private key's 32 bytes and the public key's uncompressed
    point (65 bytes), both in URL-safe base64 without padding."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(private), _b64url(public)


class Command(BaseCommand):
    help = "Print a new VAPID key pair for Web Push, as environment variables"

    def handle(self, *args, **options) -> None:
        private, public = new_pair()
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}\n")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\n")
        self.stdout.write("VAPID_SUBJECT=mailto:admin@example.pl\n")
