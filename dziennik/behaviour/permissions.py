"""Who reads and writes behaviour notes (B-04).

* **A student's notes** (``student_notes``): ``view`` – whoever may see the student
  (``schools.permissions.students``: the student, their parents with full access and
  never a court-limited one, their teachers, the school office); ``write`` – a teacher of
  the student (whole class, a group of theirs, or the class teacher) and the principal
  or deputy. The secretary keeps no notes.
* **A note** (``notes``): ``view`` – as its student, while it is not withdrawn;
  ``change`` (correct, withdraw) – its author only, while it is not withdrawn.
* **A class's notes and point totals** (``class_notes``): the class teacher, the
  teachers of the whole class, the school office – what the class teacher needs when
  setting behaviour grades. A teacher of only a group of the class does not see the
  rest of the class; a family never sees a class summary.
* **Settings** (points or not): the principal or deputy.
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import ClassGroup, Enrolment, SchoolClass, Student
from dziennik.schools.permissions import students
from dziennik.schools.viewer import Viewer

from .models import BehaviourNote


def _in_school(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None


def manages_settings(viewer: Viewer) -> bool:
    return _in_school(viewer) and viewer.is_principal


def _taught(viewer: Viewer, lookup: str) -> Q:
    """``lookup`` (a student id) among the students the viewer teaches or leads now."""
    q = NOTHING
    class_ids = viewer.taught_class_ids | viewer.led_class_ids
    if class_ids:
        q |= Q(
            **{
                f"{lookup}__in": Enrolment.objects.filter(
                    school_class_id__in=list(class_ids), end_date__isnull=True
                ).values("student_id")
            }
        )
    if viewer.taught_group_ids:
        q |= Q(
            **{
                f"{lookup}__in": ClassGroup.students.through.objects.filter(
                    classgroup_id__in=list(viewer.taught_group_ids)
                ).values("student_id")
            }
        )
    return q


class StudentNotesPolicy(Policy):
    model = Student
    actions = ("view", "write")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if action == "view":
            return students.filter(viewer)
        if not _in_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if viewer.is_principal:
            return school
        if not viewer.is_teacher:
            return NOTHING
        return school & _taught(viewer, "pk")

    def check(self, viewer: Viewer, action: str, obj: Student) -> bool | None:
        if action == "view":
            return students.check(viewer, action, obj)
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if viewer.is_principal:
            return True
        return None if viewer.is_teacher else False

    def check_pk(self, viewer: Viewer, action: str, pk: int) -> bool | None:
        if action == "view":
            return students.check_pk(viewer, action, pk)
        return None


class NotePolicy(Policy):
    model = BehaviourNote
    actions = ("view", "change")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not _in_school(viewer):
            return NOTHING
        current = Q(school_id=viewer.school_id, withdrawn_at__isnull=True)
        if action == "change":
            if not viewer.is_staff_member:
                return NOTHING
            return current & Q(author_id=viewer.user_id)
        return current & viewer.student_filter("student__")

    def check(self, viewer: Viewer, action: str, obj: BehaviourNote) -> bool | None:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if obj.withdrawn_at is not None:
            return False
        if action == "change":
            return viewer.is_staff_member and obj.author_id == viewer.user_id
        if viewer.is_school_wide or obj.student_id in viewer.child_ids:
            return True
        if obj.student_id == viewer.student_id:
            return True
        return None


class ClassNotesPolicy(Policy):
    model = SchoolClass
    actions = ("summary",)

    def filter(self, viewer: Viewer, action: str = "summary") -> Q:
        if not _in_school(viewer) or not viewer.is_staff_member:
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if viewer.is_school_wide:
            return school
        ids = viewer.led_class_ids | viewer.taught_class_ids
        return school & Q(pk__in=list(ids)) if ids else NOTHING

    def check(self, viewer: Viewer, action: str, obj: SchoolClass) -> bool:
        if not _in_school(viewer) or not viewer.is_staff_member:
            return False
        if obj.school_id != viewer.school_id:
            return False
        return viewer.is_school_wide or obj.pk in (viewer.led_class_ids | viewer.taught_class_ids)


student_notes = StudentNotesPolicy()
notes = NotePolicy()
class_notes = ClassNotesPolicy()
