from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnerosterConfig(AppConfig):
    name = "dziennik.oneroster"
    label = "oneroster"
    verbose_name = _("OneRoster: rosters and results for e-learning platforms")
