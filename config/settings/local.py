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
# Web Push in development: a fixed key pair, not secret (production: `manage.py
# vapid_keys` and the environment). Browsers subscribe to real push services with it.
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="aI6COBt954Pm2hONi4V-u9-1faYzyMAWJ7eQt3MpBjE")
VAPID_PUBLIC_KEY = env(
    "VAPID_PUBLIC_KEY",
    default="BJTDNN4tfKbsuUCmlR4Kx4b3IDrZ1demYuMe36DWhaT57PB8aPY76hXOdy-BwFA9fxHVobr023Pf7IJYfx17XkM",
)
NOTIFICATION_CHANNELS = {**NOTIFICATION_CHANNELS, "push": PUSH_CHANNEL}  # noqa: F405
