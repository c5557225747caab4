"""Who plans and who sees what in the calendar.

* **Plan** (``may_plan``): a test, a quiz or homework – a teacher for a class or group
  and subject they teach (a teacher of the whole class also for a group of it); a trip
  or a parent–teacher meeting – the class teacher for their class; a school event – the
  principal (or deputy), for the whole school or a class. The principal plans anything
  for any class of the school. The secretary plans nothing.
* **View** (``events``): the school office sees every event of the school; a teacher the
  events of the classes they teach or lead; a family (a parent with full access, never
  a court-limited child: ``Viewer.child_ids``; the student themself) the events of the
  child's class – of a group only when the child belongs to it. School events without a
  class: everyone of the school.
* **Change** (correct, delete, make a gradebook column): the author, and the principal
  or deputy.
* **The limits** (G-14): the principal or deputy.
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import ClassGroup, Enrolment, SchoolClass, TeachingAssignment
from dziennik.schools.viewer import Viewer

from .models import CLASS_TEACHER_KINDS, SUBJECT_KINDS, Event


def _in_school(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None


def manages_settings(viewer: Viewer) -> bool:
    return _in_school(viewer) and viewer.is_principal


def plans_anything(viewer: Viewer) -> bool:
    """May the viewer plan some event (the "new event" page)."""
    if not _in_school(viewer):
        return False
    return viewer.is_principal or (viewer.is_teacher and bool(viewer.teaching_class_ids))


def may_plan(
    viewer: Viewer,
    *,
    kind: str,
    school_class: SchoolClass | None,
    group: ClassGroup | None = None,
    subject_id: int | None = None,
) -> bool:
    """May the viewer plan an event of ``kind`` for the class (or its group) and subject.
    One query for a teacher's test, quiz or homework; none otherwise."""
    if not _in_school(viewer):
        return False
    if school_class is not None and school_class.school_id != viewer.school_id:
        return False
    if group is not None and (school_class is None or group.school_class_id != school_class.pk):
        return False
    if viewer.is_principal:
        return True
    if school_class is None or not viewer.is_teacher:
        return False
    if kind in CLASS_TEACHER_KINDS:
        return school_class.pk in viewer.led_class_ids
    if kind not in SUBJECT_KINDS or subject_id is None:
        return False
    target = Q(group__isnull=True)
    if group is not None:
        target |= Q(group_id=group.pk)
    return TeachingAssignment.objects.filter(
        target,
        teacher_id=viewer.user_id,
        school_id=viewer.school_id,
        school_class_id=school_class.pk,
        subject_id=subject_id,
    ).exists()


def _family_events(viewer: Viewer) -> Q:
    family = set(viewer.child_ids) | ({viewer.student_id} if viewer.student_id else set())
    if not family:
        return NOTHING
    classes = Enrolment.objects.filter(student_id__in=family, end_date__isnull=True).values(
        "school_class_id"
    )
    groups = ClassGroup.students.through.objects.filter(student_id__in=family).values(
        "classgroup_id"
    )
    return Q(school_class_id__in=classes) & (Q(group__isnull=True) | Q(group_id__in=groups))


class EventPolicy(Policy):
    model = Event
    actions = ("view", "change")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not _in_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if action == "change":
            if viewer.is_principal:
                return school
            return school & Q(author_id=viewer.user_id) if viewer.is_teacher else NOTHING
        if viewer.is_school_wide:
            return school
        q = Q(school_class__isnull=True) | _family_events(viewer)
        if viewer.teaching_class_ids:
            q |= Q(school_class_id__in=sorted(viewer.teaching_class_ids))
        return school & q

    def check(self, viewer: Viewer, action: str, obj: Event) -> bool | None:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if action == "change":
            return viewer.is_principal or (viewer.is_teacher and obj.author_id == viewer.user_id)
        if viewer.is_school_wide or obj.school_class_id is None:
            return True
        if obj.school_class_id in viewer.teaching_class_ids:
            return True
        return None


events = EventPolicy()
