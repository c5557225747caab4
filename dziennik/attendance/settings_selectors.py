"""Reads for the attendance settings screens (kinds, the school's rules, subject
exemptions), always through the viewer. Whoever may not manage them gets an empty list
or the same 404 as for a missing object."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404

from dziennik.schools.models import Enrolment, SchoolClass, Subject
from dziennik.schools.viewer import Viewer

from . import config, permissions
from .models import AttendanceKind, AttendanceMark, AttendanceSettings, SubjectExemption


# --- attendance kinds ---------------------------------------------------------------
def kind_queryset(viewer: Viewer) -> QuerySet[AttendanceKind]:
    """The kinds of the viewer's school, for those who manage its rules; none otherwise."""
    return permissions.kinds.queryset(viewer, "manage")


def _with_use(queryset: QuerySet[AttendanceKind]) -> QuerySet[AttendanceKind]:
    """``in_use``: some attendance mark has the kind (its meaning is then fixed)."""
    return queryset.annotate(in_use=Exists(AttendanceMark.objects.filter(kind_id=OuterRef("pk"))))


def kind_list(viewer: Viewer) -> list[AttendanceKind]:
    """The school's kinds in register order, each with ``in_use`` and its excused
    counterpart loaded (one query)."""
    return list(
        _with_use(kind_queryset(viewer)).select_related("excused_kind").order_by("order", "code")
    )


def get_kind_for(viewer: Viewer, kind_id: int) -> AttendanceKind:
    """One kind of the viewer's school with ``in_use``; 404 when missing or forbidden."""
    return permissions.kinds.get(
        viewer, kind_id, "manage", queryset=_with_use(AttendanceKind.objects.all())
    )


def default_kind_of(kinds: list[AttendanceKind]) -> AttendanceKind | None:
    """The kind every student starts a lesson with (see ``config.default_kind``)."""
    try:
        return config.default_kind({k.pk: k for k in kinds})
    except LookupError:
        return None


# --- the school's rules -------------------------------------------------------------
def rules_for(viewer: Viewer) -> AttendanceSettings:
    """The viewer's school's attendance settings (unsaved defaults when never changed);
    404 for whoever may not manage them."""
    if not permissions.can_manage_rules(viewer):
        raise Http404
    return config.settings_for(viewer.school_id)


# --- subject exemptions -------------------------------------------------------------
def exemption_queryset(viewer: Viewer) -> QuerySet[SubjectExemption]:
    """Exemptions of the whole school for the principal, of the students of their
    classes for a class teacher; none for anyone else (``permissions.exemptions``)."""
    return permissions.exemptions.queryset(viewer, "manage")


def _class_name():
    return Subquery(
        Enrolment.objects.filter(student_id=OuterRef("student_id"), end_date__isnull=True)
        .order_by("-start_date")
        .values("school_class__name")[:1]
    )


def _class_id():
    return Subquery(
        Enrolment.objects.filter(student_id=OuterRef("student_id"), end_date__isnull=True)
        .order_by("-start_date")
        .values("school_class_id")[:1]
    )


def exemption_list(
    viewer: Viewer,
    *,
    today: datetime.date,
    include_ended: bool = False,
    class_id: int | None = None,
) -> list[SubjectExemption]:
    """The exemptions the viewer manages, each with the student's current
    ``class_name``, newest first: by default those not yet over on ``today`` (one query)."""
    qs = exemption_queryset(viewer)
    if not include_ended:
        qs = qs.filter(date_to__gte=today)
    qs = qs.annotate(class_name=_class_name(), class_id=_class_id())
    if class_id is not None:
        qs = qs.filter(class_id=class_id)
    return list(
        qs.select_related("student", "subject").order_by(
            "class_name", "student__last_name", "student__first_name", "-date_from", "pk"
        )
    )


def get_exemption_for(viewer: Viewer, exemption_id: int) -> SubjectExemption:
    """One exemption the viewer manages (with student, subject and the student's current
    ``class_id``); 404 when missing or forbidden."""
    return permissions.exemptions.get(
        viewer,
        exemption_id,
        "manage",
        queryset=SubjectExemption.objects.annotate(class_id=_class_id()).select_related(
            "student", "subject"
        ),
    )


@dataclass(frozen=True)
class StudentChoice:
    student_id: int
    label: str
    class_id: int
    class_name: str


def exemption_classes(viewer: Viewer) -> list[SchoolClass]:
    """The classes with students whose exemptions the viewer manages (one query)."""
    if not permissions.can_manage_exemptions(viewer):
        return []
    qs = SchoolClass.objects.filter(
        permissions.exemption_class_filter(viewer),
        pk__in=Enrolment.objects.filter(end_date__isnull=True).values("school_class_id"),
    )
    return list(qs.order_by("level", "name"))


def exemption_students(viewer: Viewer, *, class_id: int | None = None) -> list[StudentChoice]:
    """The students the viewer may exempt, by class and journal number (one query)."""
    if not permissions.can_manage_exemptions(viewer):
        return []
    qs = Enrolment.objects.filter(
        permissions.exemption_class_filter(viewer, "school_class__"), end_date__isnull=True
    )
    if class_id is not None:
        qs = qs.filter(school_class_id=class_id)
    rows = qs.values_list(
        "student_id",
        "student__last_name",
        "student__first_name",
        "journal_number",
        "school_class_id",
        "school_class__name",
    ).order_by("school_class__level", "school_class__name", "journal_number")
    return [
        StudentChoice(pk, f"{number}. {last} {first}", cid, cname)
        for pk, last, first, number, cid, cname in rows
    ]


def exemption_subjects(viewer: Viewer) -> list[Subject]:
    """The subjects of the viewer's school (one query)."""
    if not permissions.can_manage_exemptions(viewer):
        return []
    return list(Subject.objects.filter(school_id=viewer.school_id).order_by("name"))
