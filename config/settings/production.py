"""Production: secrets and hosts must come from the environment; PostgreSQL expected."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import cache_from_url, env, oidc_private_key

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 32+ characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
MAILERS = mailers_from_url(env.email_url("EMAIL_URL"))  # noqa: F405
# Several worker processes: only a shared cache (Redis) is safe; without one, no cache.
CACHES = {"default": cache_from_url(default="dummycache://")}
# The WSGI/ASGI application refuses to start while the database role could rewrite the
# history of changes (dziennik.core.history_checks, docs/production.md section 2a).
HISTORY_PROTECTION_REQUIRED = True
# Single sign-on signs with the key the environment gives (docs/sso.md); none: it is off.
OIDC_RSA_PRIVATE_KEY = oidc_private_key(generate=False)
OAUTH2_PROVIDER = oauth2_provider_settings(OIDC_RSA_PRIVATE_KEY)  # noqa: F405
# Tasks wait in the database for `manage.py db_worker` (docs/production.md).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's probes (/healthz, /readyz) may come over plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# The reverse proxy of docs/production.md runs on the same machine: believe the client
# address it appends to X-Forwarded-For (login lockout per person, not per proxy).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "dziennik.core.static.StaticFilesStorage"},
}

LOGGING["root"]["level"] = env("LOG_LEVEL", default="INFO")  # noqa: F405
