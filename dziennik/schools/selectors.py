"""Reads of school structure, always through the viewer."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dziennik.core.cache import cached, config_scope, data_scope, student_scope

from . import permissions
from .models import (
    Enrolment,
    Guardian,
    Guardianship,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    TeachingAssignment,
    Term,
)
from .viewer import (  # noqa: F401 – re-exported
    ChildOption,
    Viewer,
    child_options,
    child_options_of,
    children_of,
    get_object_for,
    get_viewer,
)


def login_school() -> School | None:
    """The school a single-school installation names on its login page, with its crest;
    None when the installation serves several schools (or none yet): the login page
    then names no school, since it cannot know whose it is. Public data, no viewer."""
    schools = list(School.objects.only("pk", "name", "crest").order_by("pk")[:2])
    return schools[0] if len(schools) == 1 else None


def student_queryset(viewer: Viewer) -> QuerySet[Student]:
    return permissions.students.queryset(viewer)


def get_student_for(viewer: Viewer, student_id: int) -> Student:
    """The student, if the viewer may see them; otherwise 404 (same as missing)."""
    return permissions.students.get(viewer, student_id)


def class_queryset(viewer: Viewer) -> QuerySet[SchoolClass]:
    return permissions.classes.queryset(viewer)


def get_class_for(viewer: Viewer, class_id: int) -> SchoolClass:
    return permissions.classes.get(
        viewer,
        class_id,
        queryset=SchoolClass.objects.select_related("class_teacher", "school_year"),
    )


def class_list(viewer: Viewer, *, school_year: SchoolYear | None = None) -> QuerySet[SchoolClass]:
    qs = class_queryset(viewer).select_related("class_teacher", "school_year")
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    return qs.order_by("level", "name")


def class_students(viewer: Viewer, school_class: SchoolClass) -> list[Enrolment]:
    """Current enrolments of a class, limited to the students the viewer may see.

    Those who may see the class's whole roster (``permissions.classes``: the principal,
    the class teacher, whole-class teachers) get the whole list; a group's teacher gets
    the group; a parent or student only their own.
    """
    qs = (
        Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
        .select_related("student")
        .order_by("journal_number")
    )
    if not permissions.classes.allows(viewer, "roster", school_class):
        qs = qs.filter(student__in=student_queryset(viewer))
    return list(qs)


def student_cache_scopes(viewer: Viewer, student_id: int, *, year_level: bool = False) -> tuple:
    """The cache scopes (``core.cache``) of a page about one student: their school's
    configuration, the student, and their class's register data – or, with
    ``year_level``, that of every class of their year (for pages comparing with the year).

    No authorization here: the caller has authorized the viewer for the student first
    (``permissions.students.require_pk``), so the student is of the viewer's school."""

    config = config_scope(viewer.school_id)
    own, year = _student_classes(viewer.school_id, student_id)
    classes = year if year_level else own
    return (config, student_scope(student_id), *(data_scope(c) for c in classes))


def student_year_class_ids(school_id: int | None, student_id: int) -> tuple[int, ...]:
    """The ids of the classes of the student's year (their own among them), kept per
    version of the school's configuration; no authorization (the caller's)."""
    return _student_classes(school_id, student_id)[1]


def _student_classes(
    school_id: int | None, student_id: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    def build() -> tuple[tuple[int, ...], tuple[int, ...]]:
        enrolment = (
            Enrolment.objects.filter(student_id=student_id, end_date__isnull=True)
            .select_related("school_class")
            .first()
        )
        if enrolment is None:
            return (), ()
        own = enrolment.school_class
        year = SchoolClass.objects.filter(school_year_id=own.school_year_id, level=own.level)
        return (own.pk,), tuple(year.order_by("pk").values_list("pk", flat=True))

    return cached(student_classes_key(student_id), [config_scope(school_id)], build)


def student_classes_key(student_id: int) -> str:
    """The cache key of what ``student_cache_scopes`` reads (to ``read_ahead`` it)."""
    return f"student-classes:{student_id}"


def family_cache_scopes(viewer: Viewer) -> tuple:
    """The cache scopes of a page about all the viewer's own students – a parent's
    children, or a student themself: their school's configuration, each student, and the
    register data of their current classes (one query when not kept, however many
    children). The viewer's own: nothing to authorize."""
    ids = sorted(set(viewer.child_ids) | ({viewer.student_id} if viewer.student_id else set()))

    def build() -> tuple[int, ...]:
        return tuple(
            sorted(
                set(
                    Enrolment.objects.filter(student_id__in=ids, end_date__isnull=True).values_list(
                        "school_class_id", flat=True
                    )
                )
            )
        )

    config = config_scope(viewer.school_id)
    classes = cached(family_classes_key(viewer.user_id), [config], build) if ids else ()
    return (config, *(student_scope(i) for i in ids), *(data_scope(c) for c in classes))


def family_classes_key(user_id: int) -> str:
    """The cache key of what ``family_cache_scopes`` reads (to ``read_ahead`` it)."""
    return f"family-classes:{user_id}"


def child_cache_scopes(viewer: Viewer, student_id: int) -> tuple:
    """The cache scopes of a part of a family's page about one of its students (the
    parent's chosen child, or the student themself): the school's configuration, the
    student, and the register data of the family's current classes (the student's own
    among them; a few more for a parent of several, but no query beyond
    ``family_cache_scopes``'s)."""
    return tuple(
        scope
        for scope in family_cache_scopes(viewer)
        if scope[0] != "student" or scope == student_scope(student_id)
    )


def current_school_year(school_id: int, day: datetime.date | None = None) -> SchoolYear | None:
    day = day or timezone.localdate()
    return (
        SchoolYear.objects.filter(school_id=school_id, start_date__lte=day, end_date__gte=day)
        .order_by("-start_date")
        .first()
    )


def current_term(school_id: int, day: datetime.date | None = None) -> Term | None:
    day = day or timezone.localdate()
    return (
        Term.objects.filter(
            school_year__school_id=school_id, start_date__lte=day, end_date__gte=day
        )
        .select_related("school_year")
        .first()
    )


def current_enrolment(student: Student) -> Enrolment | None:
    return (
        Enrolment.objects.filter(student=student, end_date__isnull=True)
        .select_related("school_class")
        .first()
    )


def teacher_assignments(viewer: Viewer) -> QuerySet[TeachingAssignment]:
    """The viewer's own teaching assignments, for their home page."""
    return (
        TeachingAssignment.objects.filter(teacher_id=viewer.user_id, school_id=viewer.school_id)
        .select_related("subject", "school_class", "group")
        .order_by("school_class__level", "school_class__name", "subject__name")
    )


def school_overview(viewer: Viewer) -> dict:
    """Counts for the principal's home page (the school's office only)."""
    if not permissions.manages_school(viewer):
        return {}
    school = (
        School.objects.filter(pk=viewer.school_id)
        .annotate(
            n_students=Count(
                "students",
                filter=Q(students__enrolments__end_date__isnull=True),
                distinct=True,
            ),
            n_classes=Count("classes", distinct=True),
            n_teachers=Count("roles", filter=Q(roles__role="teacher"), distinct=True),
        )
        .first()
    )
    return {
        "school": school,
        "students": school.n_students,
        "classes": school.n_classes,
        "teachers": school.n_teachers,
        "guardians": Guardian.objects.filter(school_id=viewer.school_id).count(),
    }


def student_guardianships(viewer: Viewer, student: Student) -> QuerySet[Guardianship]:
    """Guardians of a student, as ``permissions.guardianships`` shows them: staff see all
    links (with the court-limited ones marked); a family sees its own links with access."""
    return (
        permissions.guardianships.queryset(viewer)
        .filter(student=student)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name")
    )


def student_overview(viewer: Viewer, student: Student) -> dict:
    """What the home page shows about one student the viewer may see: the current class
    (with its class teacher and school year) and the subjects with their teachers (the
    whole-class ones and those of the student's own groups). Two queries."""

    if not permissions.students.allows(viewer, "view", student):
        return {"enrolment": None, "subjects": []}
    enrolment = (
        Enrolment.objects.filter(student=student, end_date__isnull=True)
        .select_related("school_class__class_teacher", "school_class__school_year")
        .first()
    )
    subjects = []
    if enrolment is not None:
        subjects = list(
            TeachingAssignment.objects.filter(
                Q(group__isnull=True) | Q(group__students=student),
                school_class_id=enrolment.school_class_id,
                school_id=student.school_id,
            )
            .select_related("subject", "teacher", "group")
            .order_by("subject__name", "group__name", "pk")
        )
    return {"enrolment": enrolment, "subjects": subjects}


def class_overview(viewer: Viewer) -> list[SchoolClass]:
    """The classes of the current school year with their number of students, for the
    office's home page (one query; empty for everyone else)."""
    if not permissions.manages_school(viewer):
        return []
    day = timezone.localdate()
    return list(
        class_list(viewer)
        .filter(school_year__start_date__lte=day, school_year__end_date__gte=day)
        .annotate(
            n_students=Count("enrolments", filter=Q(enrolments__end_date__isnull=True)),
        )
    )
