"""Settings shared by every environment. Values come from the environment via ``env``."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, cache_from_url, env

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "oauth2_provider",
    "dziennik.core",
    "dziennik.accounts",
    "dziennik.schools",
    "dziennik.timetable",
    "dziennik.keystroke",
    "dziennik.notifications",
    "dziennik.plans",
    "dziennik.attendance",
    "dziennik.grades",
    "dziennik.notices",
    "dziennik.behaviour",
    "dziennik.lucky",
    "dziennik.messaging",
    "dziennik.planner",
    "dziennik.meetings",
    "dziennik.sso",
    "dziennik.lti",
    "dziennik.oneroster",
    "dziennik.retention",
    "dziennik.records",
    "dziennik.privacy",
    "dziennik.archive",
    "dziennik.promotion",
    "dziennik.printing",
    "dziennik.portal",
    "dziennik.demo",
]

MIDDLEWARE = [
    # Outermost: a read the database failed is tried once more (dziennik/core/db_faults.py).
    "dziennik.core.db_faults.DatabaseFaultMiddleware",
    # Reads of GET/HEAD from the replica, if one is configured (dziennik/core/db_router.py).
    "dziennik.core.db_router.ReplicaMiddleware",
    "dziennik.core.client_address.UntrustedForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "dziennik.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dziennik.core.cache.RequestVersionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dziennik.core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dziennik.schools.middleware.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dziennik.accounts.middleware.ForcePasswordChangeMiddleware",
    "dziennik.accounts.middleware.SecondFactorRequiredMiddleware",
    "dziennik.accounts.middleware.ChildFromUrlMiddleware",
    # Staff reads of a student's pages, for the family's "who viewed" page (docs/privacy.md).
    "dziennik.privacy.middleware.ReadLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dziennik" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dziennik.portal.context_processors.viewer",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # A database that does not answer is a quick 503, not a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 3)
# PostgreSQL: the hot reads built once (``core.prepared.Prepared``) are statements prepared
# on the server, kept per connection; off (0) behind a pooler in transaction mode.
DB_SERVER_PREPARED = env.bool("DB_SERVER_PREPARED", default=True)
# PostgreSQL: a streaming replica that serves the reads of read-only requests
# (dziennik/core/db_router.py, docs/production.md section 9); unset: one database.
REPLICA_RETRY_AFTER = env.int("REPLICA_RETRY_AFTER", default=10)  # s a failed replica rests
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    for option, value in DATABASES["default"].items():
        if option in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "ATOMIC_REQUESTS"):
            DATABASES["replica"].setdefault(option, value)
    # A replica that does not answer is soon left for the primary.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("REPLICA_CONNECT_TIMEOUT", default=2)
    )
    # Tests: the replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["dziennik.core.db_router.ReplicaRouter"]
# PostgreSQL: the NOLOGIN role that owns the history of changes, which the application's
# role may not become (`manage.py audit_protect`, docs/production.md section 2a).
AUDIT_OWNER_ROLE = env("AUDIT_OWNER_ROLE", default="dziennik_audit_owner")
# Backups (`manage.py backup`, docs/production.md section 7): the age public keys
# (age1…) the backup is encrypted to; the identities that open it stay with the school.
BACKUP_RECIPIENTS = env.list("BACKUP_RECIPIENTS", default=[])
# Production refuses to start while the application's role could rewrite the history.
HISTORY_PROTECTION_REQUIRED = False

# Computed views of register data are cached under versioned keys (dziennik/core/cache.py).
# Every process must see the same cache: locmem suits one process (runserver); run
# gunicorn with CACHE_URL=redis://... (production defaults to no cache at all).
CACHES = {"default": cache_from_url(default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, its read of the user prepared (dziennik/accounts/backends.py)
    "dziennik.accounts.backends.ModelBackend",
]

# Argon2id at OWASP's 19 MiB / 2 passes / 1 lane (dziennik.accounts.hashers): one
# hasher for "argon2", as Django picks the last of those sharing an algorithm name.
PASSWORD_HASHERS = [
    "dziennik.accounts.hashers.LoginArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Generated one-time passwords (random, changed at the first login) at a lower cost.
ONE_TIME_PASSWORD_HASHER = "dziennik.accounts.hashers.OneTimeArgon2PasswordHasher"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    # Names contained in the password, even short ones ("Kowalski-Haslo-2026").
    {"NAME": "dziennik.accounts.password_validation.PersonalNameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions expire after a period of inactivity: requests extend them, writing the session
# at most once per SESSION_REFRESH_INTERVAL seconds (dziennik.core.middleware).
# Django's database sessions, the session's read prepared (dziennik/accounts/sessions.py).
SESSION_ENGINE = "dziennik.accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_REFRESH_INTERVAL = env.int("SESSION_REFRESH_INTERVAL", default=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login protection (django-axes): lock an account, and separately an address, after
# repeated failures. The lock lifts by itself after the cool-off, or when the class
# teacher or the secretary resets the password.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address: the connection's own, or the one a trusted reverse proxy appended
# to X-Forwarded-For (dziennik/core/client_address.py; docs/production.md, section 6).
# TRUSTED_PROXIES lists the proxies' addresses or networks; empty trusts no header.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "dziennik.core.client_address.client_address"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR"]
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_VERBOSE = False

# Passkeys (WebAuthn, accounts/passkeys.py): the relying party is the register's domain
# (no scheme, no port), and the origins are the exact addresses the register is opened
# at (scheme, host and port). A browser offers passkeys only in a secure context:
# https, or http://localhost in development.
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default="localhost")
WEBAUTHN_RP_NAME = env("WEBAUTHN_RP_NAME", default="Dziennik")
WEBAUTHN_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=["http://localhost:8000"])

# Content-Security-Policy (Django's own, django.middleware.csp): scripts, styles, images
# and fonts only from our own static files; nothing inline. Our pages are cached whole
# per user (core/cache.py), so they never carry a nonce, which must differ on every
# response: no inline <script>/<style> and no style="" attribute in our templates
# (core/tests/test_csp_templates.py); per-school colours and sizes go through data
# attributes that static/js/dziennik.js applies. The nonce is there for Django's admin,
# whose few inline scripts and styles carry it (the nonce is added to the header only on
# a response that used it). Reports go to core.views.csp_report.
CSP_REPORT_URL = "/csp-raport/"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "report-uri": CSP_REPORT_URL,
    "report-to": "csp-endpoint",
}
SECURE_CSP_REPORT_ONLY = {}
# Browser features no page of the register uses, off for every page and anything it
# embeds (dziennik.core.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY_OFF = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "dziennik" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "dziennik" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")


def mailers_from_url(email: dict) -> dict:
    """MAILERS (Django 6.1) from one URL, e.g. smtp+tls://user:pass@smtp.example.pl:587."""
    options = {
        key: email[setting]
        for key, setting in (
            ("host", "EMAIL_HOST"),
            ("port", "EMAIL_PORT"),
            ("username", "EMAIL_HOST_USER"),
            ("password", "EMAIL_HOST_PASSWORD"),
            ("use_tls", "EMAIL_USE_TLS"),
            ("use_ssl", "EMAIL_USE_SSL"),
        )
        if email.get(setting) and "smtp" in email["EMAIL_BACKEND"]
    }
    return {"default": {"BACKEND": email["EMAIL_BACKEND"], "OPTIONS": options}}


# Mail: consolemail:// (printed) unless EMAIL_URL says otherwise; production requires it.
MAILERS = mailers_from_url(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="dziennik@localhost")
# "Forgot your password?": the e-mailed link works once, for three days (the pages say so).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Background work (early warnings after marks change, sweeps). In-process by default, so
# `make run` needs no worker; production queues tasks in the database for `db_worker`.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")
    }
}
# Workers on several machines through Redis instead of the database (docs/production.md,
# 5a): TASKS_BACKEND=django_tasks_rq.RQBackend, RQ_URL=redis://… and `manage.py rqworker`.
RQ_QUEUES = {"default": {"URL": env("RQ_URL", default="redis://127.0.0.1:6379/2")}}
if env("TASKS_BACKEND", default="") == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq"]

# Notifications (dziennik/notifications, docs/notifications.md): the channels the outbox
# sends on besides the register's own centre, and the address links in e-mails point to.
NOTIFICATION_CHANNELS = {"email": "dziennik.notifications.channels.EmailChannel"}
# SMS (docs/notifications.md, "SMS"): none by default; smpp (SMPP 3.4 to an SMS centre,
# SMPP_URL=smpp://system_id:password@host:2775) or http (a provider's REST API of the
# SMSAPI.pl kind: SMS_HTTP_URL, SMS_HTTP_TOKEN; its delivery reports call back
# SITE_URL/powiadomienia/sms/raport/<SMS_CALLBACK_TOKEN>/).
SMS_GATEWAY = env("SMS_GATEWAY", default="none")
SMPP_URL = env("SMPP_URL", default="")
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", default="")
SMS_CALLBACK_TOKEN = env("SMS_CALLBACK_TOKEN", default="")
SMS_SENDER = env("SMS_SENDER", default="Dziennik")
SMS_CHANNELS = {
    "smpp": "dziennik.notifications.sms.smpp.SmppChannel",
    "http": "dziennik.notifications.sms.http.HttpSmsChannel",
}
if SMS_GATEWAY in SMS_CHANNELS:
    NOTIFICATION_CHANNELS["sms"] = SMS_CHANNELS[SMS_GATEWAY]
elif SMS_GATEWAY != "none":
    raise ImproperlyConfigured("SMS_GATEWAY must be none, smpp or http")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Web Push (dziennik/notifications/push.py): the VAPID key pair (`manage.py vapid_keys`)
# and a contact for the push services; with both keys set, `push` is a channel.
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:dziennik@localhost")
# The push services a browser's subscription may point at (a host or its parent domain),
# always over https: the server posts nowhere else (no request into the school's network).
PUSH_ENDPOINT_HOSTS = env.list(
    "PUSH_ENDPOINT_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
PUSH_ENDPOINT_HTTP = False  # tests only: a local push service over plain http
PUSH_CHANNEL = "dziennik.notifications.push.PushChannel"
if VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY:
    NOTIFICATION_CHANNELS["push"] = PUSH_CHANNEL
# The signed year-end archives (L-10–L-12, docs/archive.md): where they are written, and
# the school's certificate and key (PKCS#12) that signs them. Without ARCHIVE_P12, local
# development (DEBUG) signs with ARCHIVE_DIR/test-certificate.p12 made by
# ``manage.py archive_test_certificate``.
ARCHIVE_DIR = env.path("ARCHIVE_DIR", default=BASE_DIR / "var" / "archive")
ARCHIVE_P12 = env("ARCHIVE_P12", default="")
ARCHIVE_P12_PASSWORD = env("ARCHIVE_P12_PASSWORD", default="")
# Queued every minute by each `manage.py task_worker` (safe to run twice).
TASK_WORKER_PERIODIC = [
    "dziennik.notifications.tasks.notifications_sweep",
    "dziennik.planner.tasks.planner_tomorrow",
    "dziennik.notices.tasks.notices_shown_today",
    "dziennik.plans.tasks.plans_expiry_remind",
    "dziennik.plans.tasks.plans_accesses_close",
    "dziennik.printing.tasks.print_jobs_purge",
]
# From this local time on, families are told of the next school day's tests, trips,
# homework and timetable changes (dziennik/planner/reminders.py).
PLANNER_REMINDERS_AT = env("PLANNER_REMINDERS_AT", default="17:00")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Single sign-on: the register as an OpenID Connect provider for the school's e-learning
# platforms (django-oauth-toolkit; dziennik/sso, docs/sso.md). Authorization code flow
# only, PKCE required of public clients (the validator), id_tokens signed RS256 with
# OIDC_RSA_PRIVATE_KEY (PEM) or OIDC_RSA_PRIVATE_KEY_FILE; the settings of an environment
# that has neither generate one (local: kept in .oidc-dev-key.pem).
OIDC_RSA_PRIVATE_KEY = ""
# The toolkit's own models (not swapped): named for the migrations of models that link them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
SSO_SCOPES = {
    "openid": _("Log in with your register account (role, school, classes)"),
    "profile": _("Your name"),
    "email": _("Your e-mail address"),
    "register": _("Read your own register data through the API"),
}
# OneRoster 1.2's scopes (dziennik/oneroster, docs/oneroster.md): a platform's OneRoster
# client (client credentials) reads its school's roster and, where allowed, gradebook.
ONEROSTER_ROSTER_SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
ONEROSTER_GRADEBOOK_SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly"
ONEROSTER_SCOPES = {
    ONEROSTER_ROSTER_SCOPE: _("Read the school's roster (OneRoster)"),
    ONEROSTER_GRADEBOOK_SCOPE: _("Read the school's gradebook (OneRoster)"),
}


def oauth2_provider_settings(private_key: str) -> dict:
    """django-oauth-toolkit's settings around the signing key of the environment."""
    return {
        "OIDC_ENABLED": bool(private_key),
        "OIDC_RSA_PRIVATE_KEY": private_key,
        "OAUTH2_VALIDATOR_CLASS": "dziennik.oneroster.validators.RosterValidator",
        "SCOPES": SSO_SCOPES | ONEROSTER_SCOPES,
        "DEFAULT_SCOPES": ["openid"],
        "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
        "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("SSO_ACCESS_TOKEN_SECONDS", default=15 * 60),
        "ID_TOKEN_EXPIRE_SECONDS": env.int("SSO_ID_TOKEN_SECONDS", default=5 * 60),
        "REFRESH_TOKEN_EXPIRE_SECONDS": env.int(
            "SSO_REFRESH_TOKEN_SECONDS", default=14 * 24 * 3600
        ),
        "ROTATE_REFRESH_TOKEN": True,
        "ALLOWED_REDIRECT_URI_SCHEMES": env.list("SSO_REDIRECT_SCHEMES", default=["https"]),
        # The platform's own consent is the school's: no consent screen (the school
        # registered the platform and chose its scopes).
        "REQUEST_APPROVAL_PROMPT": "auto",
        # RFC 9700 (OAuth 2.0 Security BCP), all of it: no implicit or password grant,
        # PKCE S256 only, bearer tokens never in the address, `iss` in the authorization
        # response, tokens stored only as hashes, a replayed refresh token ends its family.
        "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
        "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
        "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
        "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
        "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
        "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
        "REFRESH_TOKEN_REUSE_PROTECTION": True,
        "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
        "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
        "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
        "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    }


OAUTH2_PROVIDER = oauth2_provider_settings(OIDC_RSA_PRIVATE_KEY)

# LTI 1.3 with the register as the platform (dziennik/lti, docs/lti.md).
LTI_ID_TOKEN_SECONDS = env.int("LTI_ID_TOKEN_SECONDS", default=5 * 60)
LTI_ACCESS_TOKEN_SECONDS = env.int("LTI_ACCESS_TOKEN_SECONDS", default=10 * 60)
# A rotated signing key stays in the JWKS this long (tools cache the key set).
LTI_KEY_GRACE_SECONDS = env.int("LTI_KEY_GRACE_SECONDS", default=7 * 24 * 3600)
# Online payments (docs/plans.md, "Paying online"): an operator adapter after PayU's REST
# API. Unset PAYMENT_OPERATOR_URL: no online payments. A school may have its own
# credentials in PAYMENT_OPERATOR_SCHOOLS ({school id: {...}}, set in a settings module).
PAYMENT_OPERATOR = {
    "backend": env("PAYMENT_OPERATOR_BACKEND", default="dziennik.plans.operators.payu.PayU"),
    "url": env("PAYMENT_OPERATOR_URL", default=""),
    "pos_id": env("PAYMENT_OPERATOR_POS_ID", default=""),
    "client_id": env("PAYMENT_OPERATOR_CLIENT_ID", default=""),
    "client_secret": env("PAYMENT_OPERATOR_CLIENT_SECRET", default=""),
    "second_key": env("PAYMENT_OPERATOR_SECOND_KEY", default=""),
    "timeout": env.float("PAYMENT_OPERATOR_TIMEOUT", default=10.0),
}
PAYMENT_OPERATOR_SCHOOLS: dict[int, dict] = {}
