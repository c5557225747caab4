"""Who may see which students and classes: the policies every other app builds on.

The rules themselves are the viewer's filters (``viewer.Viewer.student_filter`` and
``class_filter``): a parent sees their own children (full access only), a student
themself, a teacher the classes and groups they teach, a class teacher their class, the
principal, deputy and secretary their whole school, nobody another school.
"""

from __future__ import annotations

from django.db.models import Q

from dziennik.core.policy import Policy

from .models import SchoolClass, Student
from .viewer import Viewer


class StudentPolicy(Policy):
    model = Student
    actions = ("view",)

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        return viewer.student_filter()

    def check(self, viewer: Viewer, action: str, obj: Student) -> bool | None:
        if obj.school_id != viewer.school_id:
            return False
        if viewer.is_school_wide or obj.pk in viewer.child_ids or obj.pk == viewer.student_id:
            return True
        return None  # a taught class or group: the enrolment decides

    def check_pk(self, viewer: Viewer, action: str, pk: int) -> bool | None:
        # the viewer's own children and the student themself: no query
        return True if pk in viewer.child_ids or pk == viewer.student_id else None


class SchoolClassPolicy(Policy):
    model = SchoolClass
    actions = ("view",)

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        return viewer.class_filter()

    def check(self, viewer: Viewer, action: str, obj: SchoolClass) -> bool | None:
        if obj.school_id != viewer.school_id:
            return False
        if viewer.is_school_wide or obj.pk in viewer.teaching_class_ids:
            return True
        return None  # a family's class: the current enrolment decides


students = StudentPolicy()
classes = SchoolClassPolicy()
