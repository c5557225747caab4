import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

# Production refuses to start while its database role could rewrite the history.
from dziennik.core.history_checks import refuse_unprotected_history  # noqa: E402

refuse_unprotected_history()
