from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: pages composed from every app (the home page per role, the history
    of changes), the layout's navigation and context. It imports any app; no app
    imports it."""

    name = "dziennik.portal"
    label = "portal"
    verbose_name = _("Portal")
