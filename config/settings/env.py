"""The one reader of the environment for all settings modules."""

from pathlib import Path

import environ
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file (never committed) may hold developer overrides; see .env.example.
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")


def cache_from_url(default: str) -> dict:
    """``CACHE_URL`` as a CACHES entry; Redis through our client-reusing backend."""
    config = env.cache("CACHE_URL", default=default)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "dziennik.core.redis_cache.RedisCache"
    return config


def oidc_private_key(*, dev_file: Path | None = None, generate: bool = True) -> str:
    """The RSA key that signs the OpenID Connect id_tokens (dziennik/sso, docs/sso.md):
    ``OIDC_RSA_PRIVATE_KEY`` (the PEM text) or the file ``OIDC_RSA_PRIVATE_KEY_FILE``
    names. Without either, development passes ``dev_file``: a key generated once and kept
    there (never committed); the tests pass nothing and get a key of their own process.
    Production generates none: without a key, single sign-on is off."""
    pem = env("OIDC_RSA_PRIVATE_KEY", default="")
    if pem:
        return pem.replace("\\n", "\n")
    path = env("OIDC_RSA_PRIVATE_KEY_FILE", default="")
    if path:
        return Path(path).read_text()
    if dev_file is not None and dev_file.exists():
        return dev_file.read_text()
    if not generate:
        return ""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    if dev_file is not None:
        dev_file.write_text(pem)
        dev_file.chmod(0o600)
    return pem
