"""Who prints which journal (one place for the pages and the services).

- The school office (principal, deputy, secretary): every journal of its school, and
  the whole school as one ZIP.
- A class teacher (*wychowawca*): the register and the class teacher's pages of the
  classes they lead.
- A teacher: the register of a class they teach, holding only the subjects they teach
  there (their own lessons, attendance and grades).
- Nobody else, and nobody another school's; missing and forbidden answer the same 404.

A finished printout is handed to the person who asked for it, and to the school's
principal (who answers for the register), nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import Viewer

from .models import PrintJob


@dataclass(frozen=True)
class Allowed:
    """A printout the viewer may ask for; ``teacher_id`` limits it to their subjects."""

    kind: str
    teacher_id: int | None = None


def is_office(viewer: Viewer) -> bool:
    return (
        viewer.user_id is not None
        and viewer.school_id is not None
        and (viewer.is_principal or viewer.is_secretary)
    )


def may_print(viewer: Viewer) -> bool:
    """Whether the viewer has the printing page at all."""
    return is_office(viewer) or (
        viewer.user_id is not None and viewer.school_id is not None and viewer.is_teacher
    )


def allowed_for_class(viewer: Viewer, school_class: SchoolClass) -> list[Allowed]:
    """The printouts of ``school_class`` the viewer may ask for (none: a 404)."""
    if viewer.user_id is None or school_class.school_id != viewer.school_id:
        return []
    if is_office(viewer) or viewer.leads_class(school_class.pk):
        return [Allowed(PrintJob.Kind.REGISTER), Allowed(PrintJob.Kind.CLASS_TEACHER)]
    if viewer.teaches_class(school_class.pk):
        return [Allowed(PrintJob.Kind.REGISTER, teacher_id=viewer.user_id)]
    return []


def may_print_school(viewer: Viewer, school_id: int) -> bool:
    return is_office(viewer) and viewer.school_id == school_id


def may_take(viewer: Viewer, job: PrintJob) -> bool:
    """The requester, or the school's principal."""
    if viewer.user_id is None:
        return False
    return job.requested_by_id == viewer.user_id or (
        viewer.is_principal and viewer.school_id == job.school_id
    )
