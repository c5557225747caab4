from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "dziennik.lti"
    label = "lti"
    verbose_name = _("Learning tools (LTI 1.3)")
