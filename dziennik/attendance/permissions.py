"""Who may change the school's attendance rules and students' subject exemptions: one
place for the web views and any future API."""

from __future__ import annotations

from dziennik.schools.models import Enrolment, Student
from dziennik.schools.viewer import get_viewer


def can_manage_rules(viewer) -> bool:
    """The principal (or a deputy) sets the attendance kinds and the school's rules."""
    v = get_viewer(viewer)
    return v.is_authenticated and v.school_id is not None and v.is_principal


def can_manage_exemptions(viewer) -> bool:
    """Who may open the subject exemptions screen: the principal for the whole school, a
    class teacher (*wychowawca*) for the students of their classes."""
    v = get_viewer(viewer)
    return v.is_authenticated and v.school_id is not None and (v.is_principal or v.is_class_teacher)


def can_manage_exemptions_of(viewer, student: Student) -> bool:
    """The principal of the student's school, or the class teacher of the class the
    student is in now. (Exempting is the principal's decision, art. 44l UoSO; the class
    teacher records it for their class, as they decide on justifications.)"""
    v = get_viewer(viewer)
    if not v.is_authenticated or student.school_id != v.school_id:
        return False
    if v.is_principal:
        return True
    if not v.is_class_teacher:
        return False
    return Enrolment.objects.filter(
        student_id=student.pk, end_date__isnull=True, school_class_id__in=v.led_class_ids
    ).exists()
