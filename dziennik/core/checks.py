"""System checks of the deployment (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
