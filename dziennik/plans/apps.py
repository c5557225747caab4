from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "dziennik.plans"
    label = "plans"
    verbose_name = _("Access plans")

    def ready(self) -> None:
        # The outbox asks this gate which families may hear by SMS or push: notifications
        # sit below plans and cannot import it (notifications/gates.py).
        from dziennik.notifications import gates

        from .channel_gate import PlanChannelGate

        gates.register(PlanChannelGate())
