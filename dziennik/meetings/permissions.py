"""Who sees and books parent–teacher meetings.

* **Consultation hours** (``sessions``): ``view`` – the teacher who holds them, the
  school office, and the parents of a student the teacher teaches now (the whole class,
  a group of the child's, or as class teacher; never through a court-limited child,
  ``Viewer.child_ids``); ``manage`` (cancel a slot, see who booked) – their teacher only.
* **A slot** (``slots``): ``view`` as its consultation hours; ``book`` – a parent who
  may see them (the teacher teaches a child of theirs); ``manage`` – the teacher.
* **A booking** (``bookings``): ``view`` – the family of its student and the teacher it
  was made with (a parent never sees another family's booking; the school office keeps
  out of who talks to whom); ``cancel`` – the parent who made it, while it stands.
* **A class meeting** (``class_meetings``): ``view`` – the parents of the class's
  students, its teachers, the school office; ``manage`` – the class teacher who called
  it. Students take no part in the meetings.
* **Publishing**: consultation hours – every teacher; a class meeting – the class teacher
  of the class. **Settings** (the cancellation deadline): the principal or deputy.
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import ClassGroup, Enrolment, SchoolClass, TeachingAssignment
from dziennik.schools.viewer import Viewer

from .models import Booking, ClassMeeting, ConsultationSession, ConsultationSlot


def _in_school(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None


def may_publish(viewer: Viewer) -> bool:
    return _in_school(viewer) and viewer.is_teacher


def may_call_class_meeting(viewer: Viewer) -> bool:
    return _in_school(viewer) and viewer.is_class_teacher


def manages_settings(viewer: Viewer) -> bool:
    return _in_school(viewer) and viewer.is_principal


def uses_meetings(viewer: Viewer) -> bool:
    """Staff and parents have meeting pages; a student has none."""
    return _in_school(viewer) and (viewer.is_staff_member or viewer.is_parent)


def _current_classes(student_ids) -> object:
    return Enrolment.objects.filter(student_id__in=student_ids, end_date__isnull=True).values(
        "school_class_id"
    )


def teachers_of(student_ids, lookup: str = "teacher_id") -> Q:
    """``lookup`` (a user id) among the teachers of the students now: of their whole
    class, of a group of theirs, or their class teacher."""
    ids = list(student_ids)
    if not ids:
        return NOTHING
    classes = _current_classes(ids)
    groups = ClassGroup.students.through.objects.filter(student_id__in=ids).values("classgroup_id")
    whole = TeachingAssignment.objects.filter(school_class_id__in=classes, group__isnull=True)
    in_groups = TeachingAssignment.objects.filter(group_id__in=groups)
    leading = SchoolClass.objects.filter(pk__in=classes, class_teacher__isnull=False)
    return (
        Q(**{f"{lookup}__in": whole.values("teacher_id")})
        | Q(**{f"{lookup}__in": in_groups.values("teacher_id")})
        | Q(**{f"{lookup}__in": leading.values("class_teacher_id")})
    )


def _session_q(viewer: Viewer, action: str, prefix: str = "") -> Q:
    if not _in_school(viewer):
        return NOTHING
    p = prefix
    school = Q(**{f"{p}school_id": viewer.school_id})
    own = Q(**{f"{p}teacher_id": viewer.user_id})
    if action == "manage":
        return school & own
    if action == "book":
        return school & teachers_of(viewer.child_ids, f"{p}teacher_id")
    if viewer.is_school_wide:
        return school
    q = own
    if viewer.is_parent:
        q |= teachers_of(viewer.child_ids, f"{p}teacher_id")
    return school & q


class SessionPolicy(Policy):
    model = ConsultationSession
    actions = ("view", "book", "manage")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        return _session_q(viewer, action)

    def check(self, viewer: Viewer, action: str, obj: ConsultationSession) -> bool | None:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if action == "book":
            return None if viewer.child_ids else False
        if obj.teacher_id == viewer.user_id:
            return True
        if action == "manage":
            return False
        if viewer.is_school_wide:
            return True
        return None if viewer.is_parent else False


class SlotPolicy(Policy):
    model = ConsultationSlot
    actions = ("view", "book", "manage")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        return _session_q(viewer, action, "session__")


class BookingPolicy(Policy):
    model = Booking
    actions = ("view", "cancel")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not _in_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id)
        family = Q(student_id__in=list(viewer.child_ids))
        if action == "cancel":
            if not viewer.is_parent:
                return NOTHING
            return school & family & Q(guardian_id=viewer.guardian_id, cancelled_at__isnull=True)
        return school & (family | Q(session__teacher_id=viewer.user_id))

    def check(self, viewer: Viewer, action: str, obj: Booking) -> bool | None:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if action == "cancel":
            return (
                viewer.is_parent
                and obj.guardian_id == viewer.guardian_id
                and obj.student_id in viewer.child_ids
                and obj.cancelled_at is None
            )
        return True if obj.student_id in viewer.child_ids else None


class ClassMeetingPolicy(Policy):
    model = ClassMeeting
    actions = ("view", "manage")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not _in_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id)
        own = Q(teacher_id=viewer.user_id)
        if action == "manage":
            return school & own
        if viewer.is_school_wide:
            return school
        q = own | Q(school_class_id__in=list(viewer.teaching_class_ids))
        if viewer.child_ids:
            q |= Q(school_class_id__in=_current_classes(list(viewer.child_ids)))
        return school & q

    def check(self, viewer: Viewer, action: str, obj: ClassMeeting) -> bool | None:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if obj.teacher_id == viewer.user_id:
            return True
        if action == "manage":
            return False
        if viewer.is_school_wide or obj.school_class_id in viewer.teaching_class_ids:
            return True
        return None if viewer.child_ids else False


sessions = SessionPolicy()
slots = SlotPolicy()
bookings = BookingPolicy()
class_meetings = ClassMeetingPolicy()
