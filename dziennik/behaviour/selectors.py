"""Reads of behaviour notes, through the viewer (``permissions``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from dziennik.schools.models import Enrolment, SchoolClass, Student, Term
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import BehaviourCategory, BehaviourNote, Kind

# A class page lists this many of the newest notes.
CLASS_NOTES = 200


def _notes(viewer: Viewer):
    return (
        permissions.notes.queryset(viewer)
        .select_related("category", "author", "student")
        .only(
            "pk",
            "school_id",
            "student_id",
            "school_class_id",
            "author_id",
            "kind",
            "text",
            "points",
            "date",
            "withdrawn_at",
            "category__name",
            "author__first_name",
            "author__last_name",
            "student__first_name",
            "student__last_name",
        )
        .order_by("-date", "-pk")
    )


def _marked(viewer: Viewer, rows: list[BehaviourNote]) -> list[BehaviourNote]:
    for note in rows:
        note.may_change = bool(permissions.notes.check(viewer, "change", note))
    return rows


def student_notes(viewer: Viewer, student: Student) -> list[BehaviourNote]:
    """A student's notes the viewer may see, the newest first (one query)."""
    return _marked(viewer, list(_notes(viewer).filter(student_id=student.pk)))


def recent_notes(viewer: Viewer, student_id: int, *, days: int = 14, limit: int = 5):
    """The home page's newest notes of one student (the last ``days`` days)."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    return list(_notes(viewer).filter(student_id=student_id, date__gte=since)[:limit])


@dataclass
class ClassRow:
    number: int
    student: Student
    positive: int
    negative: int
    points: int


@dataclass
class ClassSummary:
    school_class: SchoolClass
    rows: list[ClassRow]
    notes: list[BehaviourNote]
    uses_points: bool
    terms: list[Term] = field(default_factory=list)
    term: Term | None = None


def class_terms(school_class: SchoolClass, term_id: int | None) -> tuple[list[Term], Term | None]:
    """The terms of the class's school year, and the chosen one (``term_id``), else the
    current one, else ``None`` (the whole year). One query."""
    terms = list(Term.objects.filter(school_year_id=school_class.school_year_id).order_by("number"))
    chosen = next((t for t in terms if t.pk == term_id), None)
    if chosen is None and term_id is None:
        today = timezone.localdate()
        chosen = next((t for t in terms if t.start_date <= today <= t.end_date), None)
    return terms, chosen


def class_summary(
    viewer: Viewer,
    school_class: SchoolClass,
    *,
    uses_points: bool,
    term_id: int | None = None,
) -> ClassSummary:
    """The class's students (journal order) with their counts of positive and negative
    notes and their points in the chosen term (B-03: a point balance is per term; the
    current term by default), and the class's newest notes of it: four queries, however
    many students and notes (the class page of the class teacher, B-03/B-04)."""
    terms, term = class_terms(school_class, term_id)
    enrolments = list(
        Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
        .select_related("student")
        .only("journal_number", "student__id", "student__first_name", "student__last_name")
        .order_by("journal_number")
    )
    visible = _notes(viewer).filter(school_class=school_class)
    if term is not None:
        visible = visible.filter(date__gte=term.start_date, date__lte=term.end_date)
    totals = {
        row["student_id"]: row
        for row in visible.order_by()
        .values("student_id")
        .annotate(
            positive=Count("pk", filter=Q(kind=Kind.POSITIVE)),
            negative=Count("pk", filter=Q(kind=Kind.NEGATIVE)),
            points=Sum("points"),
        )
    }
    rows = []
    for e in enrolments:
        total = totals.get(e.student_id, {})
        rows.append(
            ClassRow(
                number=e.journal_number,
                student=e.student,
                positive=total.get("positive", 0),
                negative=total.get("negative", 0),
                points=total.get("points") or 0,
            )
        )
    notes = _marked(viewer, list(visible[:CLASS_NOTES]))
    return ClassSummary(school_class, rows, notes, uses_points, terms, term)


def summary_classes(viewer: Viewer):
    """The classes whose notes the viewer may summarise (their index page)."""
    return (
        permissions.class_notes.queryset(viewer, "summary")
        .only("pk", "name", "level")
        .order_by("level", "name")
    )


def categories(school_id: int) -> list[BehaviourCategory]:
    return list(BehaviourCategory.objects.filter(school_id=school_id))
