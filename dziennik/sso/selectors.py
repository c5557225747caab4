"""Reads of single sign-on: the school's platforms, and what a token's owner may learn
about themselves (the claims' classes, the API's students)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from dziennik.schools import permissions as school_permissions
from dziennik.schools.models import Enrolment, SchoolClass, Student
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import Viewer, get_object_for

from . import entitlement, permissions
from .models import Platform


def platform_list(viewer: Viewer) -> QuerySet[Platform]:
    """The platforms of the viewer's school, for its principal (none for anyone else)."""
    return (
        permissions.platforms.queryset(viewer, "manage")
        .select_related("application")
        .order_by("name", "pk")
    )


def get_platform_for(viewer: Viewer, platform_id: int) -> Platform:
    """One platform the viewer manages, or the same 404 as a missing one."""
    return get_object_for(viewer, platform_list(viewer), pk=platform_id)


def platform_of_client(client_id: str) -> Platform | None:
    """The platform behind an OAuth client id (the authorization step, the validator):
    found by the credential the client presents, not by who asks."""
    if not client_id:
        return None
    return (
        Platform.objects.select_related("school", "application")
        .filter(application__client_id=client_id)
        .first()
    )


def class_ids_for_roles(
    viewer: Viewer, roles: list[str], platform: Platform | None = None
) -> set[int]:
    """The classes a person's roles on a platform give them: a student's own class, the
    classes a teacher teaches or leads, the classes of a parent's children – on a
    platform that needs the e-learning entitlement, only the children who have it."""
    ids: set[int] = set()
    if "teacher" in roles or "principal" in roles:
        ids |= viewer.teaching_class_ids
    family = set()
    if "parent" in roles:
        family |= set(viewer.child_ids)
    if "student" in roles and viewer.student_id is not None:
        family.add(viewer.student_id)
    entitled = entitlement.entitled_student_ids(platform, family, timezone.localdate())
    if entitled is not None:
        family &= entitled
    if family:
        ids |= set(
            Enrolment.objects.filter(student_id__in=family, end_date__isnull=True).values_list(
                "school_class_id", flat=True
            )
        )
    return ids


def classes_claim(viewer: Viewer, roles: list[str], platform: Platform | None = None) -> list[dict]:
    """The ``classes`` claim: id and name of each class of this school year (of every
    year when the school has no current one), by name."""
    ids = class_ids_for_roles(viewer, roles, platform)
    if not ids:
        return []
    classes = SchoolClass.objects.filter(pk__in=ids, school_id=viewer.school_id)
    year = current_school_year(viewer.school_id)
    if year is not None:
        classes = classes.filter(school_year=year)
    return [
        {"id": str(pk), "name": name}
        for pk, name in classes.order_by("name", "pk").values_list("pk", "name")
    ]


def _own_students(viewer: Viewer) -> QuerySet[Student]:
    current = Enrolment.objects.filter(end_date__isnull=True).select_related("school_class")
    return (
        school_permissions.students.queryset(viewer)
        .filter(pk__in=permissions.own_student_ids(viewer))
        .prefetch_related(Prefetch("enrolments", queryset=current, to_attr="current_enrolments"))
        .order_by("first_name", "pk")
    )


def own_students(viewer: Viewer) -> list[Student]:
    """The token owner's own students (themselves, their children), with their class."""
    if not permissions.own_student_ids(viewer):
        return []
    return list(_own_students(viewer))


def get_own_student(viewer: Viewer, student_id: int) -> Student:
    """One of the viewer's own students, or the same 404 for anyone else's or a missing
    one (a teacher's token reads no pupil here: the API is for families)."""
    return get_object_for(viewer, _own_students(viewer), pk=student_id)
