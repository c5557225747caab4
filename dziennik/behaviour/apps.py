from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BehaviourConfig(AppConfig):
    name = "dziennik.behaviour"
    label = "behaviour"
    verbose_name = _("Behaviour notes")
