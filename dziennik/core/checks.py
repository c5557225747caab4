"""System checks of the deployment (``manage.py check --deploy``)."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache_configured(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("DummyCache"):
        return [
            Warning(
                "No cache is configured: every page is computed afresh.",
                hint="Set CACHE_URL to a Redis server shared by all workers "
                "(docs/production.md, section 3).",
                id="dziennik.W001",
            )
        ]
    if backend.endswith("LocMemCache") and not settings.DEBUG:
        return [
            Warning(
                "The in-process memory cache is not shared between worker processes; "
                "a worker could serve a page another worker's write has made stale.",
                hint="Set CACHE_URL to a Redis server shared by all workers.",
                id="dziennik.W002",
            )
        ]
    return []


@register(Tags.security)
def trusted_proxies_valid(app_configs, **kwargs):
    """Every ``TRUSTED_PROXIES`` entry is an address or a network (a typo trusts nobody)."""
    errors = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            errors.append(
                Error(
                    "TRUSTED_PROXIES holds something that is not an IP address or network.",
                    hint="Write addresses or networks, e.g. TRUSTED_PROXIES=127.0.0.1,::1 "
                    "(docs/production.md, section 6).",
                    obj=entry,
                    id="dziennik.E001",
                )
            )
    return errors
