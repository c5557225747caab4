"""The gradebook part of OneRoster 1.2, read-only: the school's grade categories as
``categories``, each gradebook column (*kolumna ocen*) of a rostered class as a
``lineItem``, and each student's current grade in it (the last of its corrections) as a
``result``. A fixed number of queries, like the roster."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

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


def _result(roster: Roster, grade: Grade, item: dict) -> dict:
    if grade.points is not None:
        score = grade.points
    elif grade.value is not None:
        score = grade.value
    else:
        score = None
    return {
        "sourcedId": sourced_id(roster.namespace, "result", grade.assessment_id, grade.student_id),
        "dateLastModified": grade.updated_at,
        "lineItem": ("lineItem", item["sourcedId"]),
        "student": ("user", roster.student_ids[grade.student_id]),
        "class": item["class"],
        "scoreStatus": "fully graded",
        "score": score,
        "textScore": grade.display,
        "scoreDate": grade.created_at.date(),
        "comment": grade.comment,
    }


def build_gradebook(roster: Roster) -> Gradebook:
    """The gradebook of the roster's classes and students (only theirs)."""
    book = Gradebook()
    book.categories = [
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
    assessments = Assessment.objects.filter(
        school=roster.school, term_id__in=list(roster.term_ids)
    ).order_by("date", "pk")
    items: dict[int, dict] = {}
    for assessment in assessments:
        key = (assessment.school_class_id, assessment.subject_id, assessment.group_id or 0)
        class_id = roster.class_ids.get(key)
        if class_id is not None:
            items[assessment.pk] = _line_item(roster, assessment, class_id)
    book.line_items = list(items.values())
    grades = Grade.objects.filter(
        assessment_id__in=list(items),
        student_id__in=list(roster.student_ids),
        correction__isnull=True,
    ).order_by("assessment_id", "student_id", "pk")
    book.results = [_result(roster, grade, items[grade.assessment_id]) for grade in grades]
    return book
