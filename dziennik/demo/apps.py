from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo school (``manage.py demo``): builds a school's structure and people, then
    asks every app's ``demo.populate(ctx)`` for its data. On the top floor with
    ``portal``: it imports any app; apps name its ``DemoContext`` only in type hints."""

    name = "dziennik.demo"
    label = "demo"
    verbose_name = _("Demo school")
