"""The one reader of the environment for all settings modules."""

from pathlib import Path

import environ

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
