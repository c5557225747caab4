import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Production refuses to start while its database role could rewrite the history.
from dziennik.core.history_checks import refuse_unprotected_history  # noqa: E402

refuse_unprotected_history()
