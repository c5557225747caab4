from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "dziennik.planner"
    label = "planner"
    verbose_name = _("Calendar and homework")
