"""The gradebook part of OneRoster 1.2, read-only: the school's grade categories as
``categories``, each gradebook column (*kolumna ocen*) of a rostered class as a
``lineItem``, and each student's current grade in it (the last of its corrections) as a
``result``. A fixed number of queries, like the roster."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from dziennik.grades.models import Assessment, Grade, GradeCategory

from .roster import Roster, sourced_id

STANDARD_RANGE = (Decimal(1), Decimal(6))


@dataclass
class Gradebook:
    categories: list[dict] = field(default_factory=list)
    line_items: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)


def _line_item(roster: Roster, assessment: Assessment, class_id: str) -> dict:
    if assessment.kind == Assessment.Kind.POINTS:
        low, high = Decimal(0), assessment.max_points
    elif assessment.kind == Assessment.Kind.STANDARD:
        low, high = STANDARD_RANGE
    else:
        low = high = None
    return {
        "sourcedId": sourced_id(roster.namespace, "lineItem", assessment.pk),
        "dateLastModified": assessment.created_at,
        "title": assessment.name,
        "description": "",
        "assignDate": assessment.date,
        "dueDate": assessment.date,
        "class": ("class", class_id),
        "school": ("org", roster.orgs[0]["sourcedId"]),
        "category": ("category", sourced_id(roster.namespace, "category", assessment.category_id)),
        "gradingPeriod": ("academicSession", roster.term_ids[assessment.term_id]),
        "resultValueMin": low,
        "resultValueMax": high,
    }


def result_row(namespace, student_ids: dict[int, str], grade: Grade, item: dict) -> dict:
    """A student's current grade in a column as a result (``student_ids``: the
    students' sourcedIds by their id)."""
    if grade.points is not None:
        score = grade.points
    elif grade.value is not None:
        score = grade.value
    else:
        score = None
    return {
        "sourcedId": sourced_id(namespace, "result", grade.assessment_id, grade.student_id),
        "dateLastModified": grade.updated_at,
        "lineItem": ("lineItem", item["sourcedId"]),
        "student": ("user", student_ids[grade.student_id]),
        "class": item["class"],
        "scoreStatus": "fully graded",
        "score": score,
        "textScore": grade.display,
        "scoreDate": grade.created_at.date(),
        "comment": grade.comment,
    }


def categories(roster: Roster) -> list[dict]:
    """The school's grade categories (one query)."""
    return [
        {
            "sourcedId": sourced_id(roster.namespace, "category", category.pk),
            "dateLastModified": datetime.datetime.combine(
                roster.year.start_date, datetime.time(), tzinfo=datetime.UTC
            ),
            "title": category.name,
            "weight": category.weight,
        }
        for category in GradeCategory.objects.filter(school=roster.school).order_by("name", "pk")
    ]


def line_items(roster: Roster) -> dict[int, dict]:
    """The gradebook columns of the roster's classes by their id (one query)."""
    assessments = Assessment.objects.filter(
        school=roster.school, term_id__in=list(roster.term_ids)
    ).order_by("date", "pk")
    items: dict[int, dict] = {}
    for assessment in assessments:
        key = (assessment.school_class_id, assessment.subject_id, assessment.group_id or 0)
        class_id = roster.class_ids.get(key)
        if class_id is not None:
            items[assessment.pk] = _line_item(roster, assessment, class_id)
    return items


def current_grades(student_ids, items: dict[int, dict]) -> QuerySet[Grade]:
    """The current grades (not corrected since) of the students in the columns, in the
    results' order (column, student): a page of them is a slice, their number a COUNT."""
    return Grade.objects.filter(
        assessment_id__in=list(items),
        student_id__in=list(student_ids),
        correction__isnull=True,
    ).order_by("assessment_id", "student_id", "pk")


def build_gradebook(roster: Roster) -> Gradebook:
    """The gradebook of the roster's classes and students (only theirs)."""
    book = Gradebook(categories=categories(roster))
    items = line_items(roster)
    book.line_items = list(items.values())
    book.results = [
        result_row(roster.namespace, roster.student_ids, grade, items[grade.assessment_id])
        for grade in current_grades(roster.student_ids, items)
    ]
    return book
