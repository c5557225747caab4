"""Test settings: the same stack as local, with a cheap Argon2 and no real e-mail."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .env import env, oidc_private_key

DEBUG = False
SECRET_KEY = "test-only-secret-key-for-dziennik-tests-0123456789"
ALLOWED_HOSTS = ["*"]
# Still Argon2 (the algorithm the product uses), with parameters cheap enough for tests.
PASSWORD_HASHERS = ["dziennik.accounts.hashers.FastArgon2PasswordHasher"]
ONE_TIME_PASSWORD_HASHER = "dziennik.accounts.hashers.FastArgon2PasswordHasher"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# The test runner empties tables between live-server tests; the DELETE guard of the
# history is installed and checked by its own test instead (core/tests/test_audit.py).
AUDIT_DB_DELETE_GUARD = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One process per test worker; conftest.py empties it before every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A write that changes what cached pages show without moving their versions fails the
# test that makes it (dziennik/core/cache_guard.py); local development (DEBUG) too.
CACHE_WRITE_GUARD = True
# A signing key of this test process; loopback redirect addresses of test clients.
OIDC_RSA_PRIVATE_KEY = oidc_private_key()
OAUTH2_PROVIDER = oauth2_provider_settings(OIDC_RSA_PRIVATE_KEY)  # noqa: F405
OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] = ["https", "http"]
# Year-end archives of the tests go to a temporary directory, never the project's var/.
ARCHIVE_DIR = Path(tempfile.gettempdir()) / f"dziennik-test-archive-{os.getpid()}"
