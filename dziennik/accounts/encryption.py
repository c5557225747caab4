"""Encryption at rest of the authenticator apps' secrets (Fernet: AES-128-CBC with an
HMAC-SHA256 tag, from the ``cryptography`` library).

The key is derived from ``SECRET_KEY``; tokens written under a key now listed in
``SECRET_KEY_FALLBACKS`` still decrypt, so rotating the key as Django documents it keeps
every authenticator app working. A database dump alone does not give the secrets away.
"""

import base64

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "dziennik.accounts.encryption"


def _fernet(secret_key: str) -> Fernet:
    digest = salted_hmac(_SALT, "totp", secret=secret_key, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(plain: str) -> str:
    return _box().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _box().decrypt(token.encode()).decode()
