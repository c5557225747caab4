"""Reads of the register core: the history of changes, for the principal."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.models import AuditEntry
from dziennik.schools.models import Enrolment, SchoolClass, Student
from dziennik.schools.viewer import Viewer

from .permissions import can_browse_history, history


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries_for(
    viewer: Viewer,
    student_id: int | None = None,
    class_id: int | None = None,
    actor_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """History entries of the viewer's school, newest first; nothing for other viewers.

    ``class_id`` finds entries about the class and about its students (while the entry
    itself names no class); ``date_from``/``date_to`` are local days, both included.
    """
    if not can_browse_history(viewer):
        return AuditEntry.objects.none()
    qs = history.queryset(viewer)
    if student_id is not None:
        qs = qs.filter(student_id=student_id)
    if class_id is not None:
        members = Enrolment.objects.filter(school_class_id=class_id).values("student_id")
        qs = qs.filter(
            Q(school_class_id=class_id) | Q(school_class__isnull=True, student_id__in=members)
        )
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if date_from is not None:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to is not None:
        qs = qs.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return qs.select_related("actor", "content_type", "student", "school_class").order_by(
        "-at", "-id"
    )


@dataclass(frozen=True)
class StudentOption:
    pk: int
    label: str


def _student_options(school_id: int) -> list[StudentOption]:
    """The school's students as the filter lists them: "Wiśniewska Zofia (4a)", with the
    date of birth (or, failing it, the number) when two of the same name share a class,
    and the last class of a student who has left."""
    latest = Enrolment.objects.select_related("school_class").order_by("start_date", "pk")
    students = list(
        Student.objects.filter(school_id=school_id)
        .only("pk", "first_name", "last_name", "birth_date")
        .prefetch_related(Prefetch("enrolments", queryset=latest, to_attr="all_enrolments"))
        .order_by("last_name", "first_name", "pk")
    )
    labels = {}
    for student in students:
        current = [e.school_class.name for e in student.all_enrolments if e.end_date is None]
        if current:
            where = ", ".join(current)
        elif student.all_enrolments:
            where = _("left %(class)s") % {"class": student.all_enrolments[-1].school_class.name}
        else:
            where = _("no class")
        labels[student.pk] = f"{student.last_name} {student.first_name} ({where})"
    counts = Counter(labels.values())
    options = []
    for student in students:
        text = labels[student.pk]
        if counts[text] > 1:
            born = student.birth_date
            extra = (
                _("born %(date)s") % {"date": born.strftime("%d.%m.%Y")}
                if born
                else _("no. %(id)s") % {"id": student.pk}
            )
            text = f"{text}, {extra}"
        options.append(StudentOption(student.pk, text))
    return options


def history_filter_choices(viewer: Viewer, *, actor_id: int | None = None) -> dict:
    """Options for the history filters: the school's classes, students and staff.

    Anyone else who wrote (a parent excusing an absence) is reached through the author
    links of the entries; the currently chosen author is always among the options.
    """
    if not can_browse_history(viewer):
        return {"classes": [], "students": [], "actors": []}
    v = viewer
    actors = Q(school_roles__school_id=v.school_id)
    if actor_id is not None:
        actors |= Q(pk=actor_id)
    return {
        "classes": list(
            SchoolClass.objects.filter(school_id=v.school_id)
            .select_related("school_year")
            .only("pk", "name", "school_year__name", "school_year__start_date")
            .order_by("-school_year__start_date", "level", "name")
        ),
        "students": _student_options(v.school_id),
        "actors": list(
            get_user_model()
            .objects.filter(actors, school_id=v.school_id)
            .only("pk", "username", "first_name", "last_name")
            .distinct()
            .order_by("last_name", "first_name", "pk")
        ),
    }
