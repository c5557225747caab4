"""Local development: SQLite by default, DEBUG on, a fixed development secret."""

from .base import *  # noqa: F403
from .env import env, oidc_private_key

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-dziennik-local-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A development signing key, generated once (never committed), unless the environment
# gives one; platforms on this machine may use http:// redirect addresses.
OIDC_RSA_PRIVATE_KEY = oidc_private_key(dev_file=BASE_DIR / ".oidc-dev-key.pem")  # noqa: F405
OAUTH2_PROVIDER = oauth2_provider_settings(OIDC_RSA_PRIVATE_KEY)  # noqa: F405
OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] = ["https", "http"]
