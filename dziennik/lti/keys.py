"""The register's LTI signing keys: the one that signs, the JWKS that publishes it (and
the keys retired less than ``LTI_KEY_GRACE_SECONDS`` ago), and signing itself.

Messages are RS256 JWTs with the key's ``kid`` in the header, so a tool picks the right
key from the JWKS during a rotation."""

from __future__ import annotations

import datetime
import json
import secrets

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import PlatformKey

KEY_BITS = 2048


def _new_key() -> PlatformKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return PlatformKey.objects.create(kid=secrets.token_hex(8), private_pem=pem)


def signing_key() -> PlatformKey:
    """The key that signs now (made on first use)."""
    key = PlatformKey.objects.filter(retired_at__isnull=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        # One maker at a time: a second one finds the first one's key.
        list(PlatformKey.objects.select_for_update().filter(retired_at__isnull=True))
        return PlatformKey.objects.filter(retired_at__isnull=True).first() or _new_key()


def rotate() -> PlatformKey:
    """Retire the signing key and make a new one; the old one stays published for the
    grace period (its messages of the last minutes still verify)."""
    with transaction.atomic():
        PlatformKey.objects.select_for_update().filter(retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
        return _new_key()


def published_keys() -> list[PlatformKey]:
    since = timezone.now() - datetime.timedelta(seconds=settings.LTI_KEY_GRACE_SECONDS)
    return list(
        PlatformKey.objects.filter(retired_at__isnull=True)
        | PlatformKey.objects.filter(retired_at__gte=since)
    )


def public_jwk(key: PlatformKey) -> dict:
    private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return jwk | {"kid": key.kid, "alg": "RS256", "use": "sig"}


def jwks() -> dict:
    """The register's public keys (the JWKS endpoint's answer)."""
    return {"keys": [public_jwk(key) for key in published_keys()]}


def sign(claims: dict) -> str:
    key = signing_key()
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
