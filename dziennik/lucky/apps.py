from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LuckyConfig(AppConfig):
    name = "dziennik.lucky"
    label = "lucky"
    verbose_name = _("Lucky number")
