"""Limits of the "forgot your password?" form, so that it cannot be used to flood a
mailbox or to send mail in bulk.

Counted per hour in the cache shared by the workers (``CACHE_URL``): one client address
may ask ``PER_CLIENT_PER_HOUR`` times (then 429), and one e-mail address gets at most
``PER_EMAIL_PER_HOUR`` messages (further requests get the same answer as any other, so
the limit says nothing about whether an account has the address). Without a shared
cache nothing is counted, as for the other limits of the kind (``core.views``).
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

from dziennik.core.client_address import client_address

PER_CLIENT_PER_HOUR = 10
PER_EMAIL_PER_HOUR = 3


def _count(key: str, limit: int) -> bool:
    """Count one more request under ``key`` this hour; False once over ``limit``."""
    key = f"forgot-password:{key}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=2 * 3600)
    try:
        return cache.incr(key) <= limit
    except ValueError:
        return True


def client_within_limit(request: HttpRequest) -> bool:
    return _count(f"client:{client_address(request)}", PER_CLIENT_PER_HOUR)


def email_within_limit(email: str) -> bool:
    # the address is hashed: the cache does not keep who asked
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return _count(f"email:{digest}", PER_EMAIL_PER_HOUR)
