"""Who reads which message (M-03).

* **View** a message: its sender, and each of its recipients (a delivery row of theirs)
  while the sender has not withdrawn it. Nobody else, whatever their role: a message is
  private to its participants, the principal included. Its attachments go with it.
* **Withdraw**: its sender (the service adds "while nobody has read it").
* A **thread** is visible to whoever sees one of its messages, and shows them only
  those.
* The school's message **settings**: the principal (and deputy).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.viewer import Viewer

from .models import Delivery, Message, Thread


def manages_settings(viewer: Viewer) -> bool:
    return viewer.school_id is not None and viewer.is_principal


def may_write(viewer: Viewer) -> bool:
    """Anyone of a school may write (to whom: ``recipients``)."""
    return viewer.user_id is not None and viewer.school_id is not None


def _received(viewer: Viewer, prefix: str = "") -> Q:
    deliveries = Delivery.objects.filter(
        message_id=OuterRef(f"{prefix}pk"), recipient_id=viewer.user_id
    )
    return Q(Exists(deliveries)) & Q(**{f"{prefix}withdrawn_at__isnull": True})


class MessagePolicy(Policy):
    model = Message
    actions = ("view", "withdraw")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if viewer.user_id is None or viewer.school_id is None:
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if action == "withdraw":
            return school & Q(sender_id=viewer.user_id)
        return school & (Q(sender_id=viewer.user_id) | _received(viewer))

    def check(self, viewer: Viewer, action: str, obj: Message) -> bool | None:
        if viewer.school_id is None or obj.school_id != viewer.school_id:
            return False
        if obj.sender_id == viewer.user_id:
            return True
        if action == "withdraw":
            return False
        return None


class ThreadPolicy(Policy):
    model = Thread
    actions = ("view",)

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if viewer.user_id is None or viewer.school_id is None:
            return NOTHING
        visible = messages.queryset(viewer).filter(thread_id=OuterRef("pk"))
        return Q(school_id=viewer.school_id) & Q(Exists(visible))

    def check(self, viewer: Viewer, action: str, obj: Thread) -> bool | None:
        if viewer.school_id is None or obj.school_id != viewer.school_id:
            return False
        return None


messages = MessagePolicy()
threads = ThreadPolicy()
