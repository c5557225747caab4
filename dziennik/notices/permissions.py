"""Who may publish announcements and who reads which.

* **Publish**: the school's staff – the principal and deputy, the secretary, every
  teacher – to the whole school or to any of its classes.
* **Change** (edit, withdraw): the author, and the school office (principal, deputy,
  secretary), within their school.
* **View**: the author and the school office see every announcement of their school,
  withdrawn or outside its display period too. Other readers see an announcement that is
  not withdrawn, inside its display period, and meant for them: for their kind
  (everyone, or parents only / students only / staff only) and, when it goes to chosen
  classes, for a class of theirs – a parent's child's (never a court-limited child,
  ``Viewer.child_ids``), the student's own, a class the teacher teaches or leads.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import Enrolment
from dziennik.schools.viewer import Viewer

from .models import Announcement

Audience = Announcement.Audience


def may_publish(viewer: Viewer) -> bool:
    return viewer.school_id is not None and viewer.is_staff_member


def _sent_to_family_classes(viewer: Viewer) -> Q:
    """The announcements sent to a class of the viewer's children or of the student
    themself, as a Q."""
    through = Announcement.classes.through.objects
    q = NOTHING
    family = set(viewer.child_ids) | ({viewer.student_id} if viewer.student_id else set())
    if family:
        classes = Enrolment.objects.filter(student_id__in=family, end_date__isnull=True).values(
            "school_class_id"
        )
        q |= Q(pk__in=through.filter(schoolclass_id__in=classes).values("announcement_id"))
    return q


def _meant_for(viewer: Viewer) -> Q:
    """Current announcements for the viewer's kinds of reader and classes."""
    q = NOTHING
    family_classes = _sent_to_family_classes(viewer)
    if viewer.is_parent:
        q |= Q(audience__in=[Audience.EVERYONE, Audience.PARENTS]) & (
            Q(for_whole_school=True) | family_classes
        )
    if viewer.is_student:
        q |= Q(audience__in=[Audience.EVERYONE, Audience.STUDENTS]) & (
            Q(for_whole_school=True) | family_classes
        )
    if viewer.is_staff_member:
        taught = Announcement.classes.through.objects.filter(
            schoolclass_id__in=list(viewer.teaching_class_ids)
        ).values("announcement_id")
        q |= Q(audience__in=[Audience.EVERYONE, Audience.STAFF]) & (
            Q(for_whole_school=True) | Q(pk__in=taught)
        )
    today = timezone.localdate()
    return q & Q(withdrawn_at__isnull=True, shown_from__lte=today, shown_until__gte=today)


class AnnouncementPolicy(Policy):
    model = Announcement
    actions = ("view", "change")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if viewer.user_id is None or viewer.school_id is None:
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if viewer.is_school_wide:
            return school
        if action == "change":
            return school & Q(author_id=viewer.user_id) if viewer.is_staff_member else NOTHING
        if viewer.is_staff_member:
            return school & (Q(author_id=viewer.user_id) | _meant_for(viewer))
        return school & _meant_for(viewer)

    def check(self, viewer: Viewer, action: str, obj: Announcement) -> bool | None:
        if viewer.school_id is None or obj.school_id != viewer.school_id:
            return False
        if viewer.is_staff_member and (viewer.is_school_wide or obj.author_id == viewer.user_id):
            return True
        if action == "change":
            return False
        return None


announcements = AnnouncementPolicy()
