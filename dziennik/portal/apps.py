from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: pages composed from every app (the home page per role, the history
    of changes), the layout's navigation and context. It imports any app; no app
    imports it."""

    name = "dziennik.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from dziennik.core import cache

        from .layout import read_header_ahead

        if read_header_ahead not in cache.render_listeners:
            cache.render_listeners.append(read_header_ahead)
