from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeystrokeConfig(AppConfig):
    name = "dziennik.keystroke"
    label = "keystroke"
    verbose_name = _("KeyStroke")
