from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "dziennik.meetings"
    label = "meetings"
    verbose_name = _("Parent–teacher meetings")
