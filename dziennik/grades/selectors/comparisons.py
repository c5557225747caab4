"""Class and year averages for the student's page, withheld for groups of fewer
than ``MIN_GROUP`` students.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, Sum

from dziennik.core.cache import cached, config_scope, data_scope
from dziennik.schools.models import SchoolClass, Term

from ..models import Grade, StudentAverage
from ..rules import quantize

if TYPE_CHECKING:
    from .report import SubjectReport

MIN_GROUP = 5  # never show an average of fewer students: it would reveal their grades


def _mean(total, count) -> Decimal | None:
    if not count or count < MIN_GROUP or total is None:
        return None
    return quantize(Decimal(str(total)) / count)


def attach_comparisons(
    reports: list[SubjectReport],
    school_class: SchoolClass,
    term: Term,
    year_class_ids: tuple[int, ...],
) -> None:
    """Class and year averages per subject and class averages per assessment (n ≥ 5).

    They are the same for every student of the class with the same assessments, and
    change only with the register data of the year's classes (``year_class_ids``) or the
    school's configuration: kept per version of those, so after a change of one student's
    data (an absence, a note) their page is built without the three aggregates, and after
    a new grade the first family of the class computes them for the others."""
    subject_ids = sorted(r.subject.pk for r in reports)
    assessment_ids = sorted({row.assessment.pk for r in reports for row in r.rows})
    digest = hashlib.sha256(repr((subject_ids, assessment_ids)).encode()).hexdigest()[:24]
    scopes = [config_scope(school_class.school_id), *(data_scope(c) for c in year_class_ids)]
    class_rows, level_rows, per_assessment = cached(
        f"grade-comparisons:{school_class.pk}:{term.pk}:{digest}",
        scopes,
        lambda: _comparisons(school_class, term, subject_ids, assessment_ids),
    )
    for report in reports:
        report.class_average = class_rows.get(report.subject.pk)
        report.level_average = level_rows.get(report.subject.pk)
        for row in report.rows:
            row.class_average = per_assessment.get(row.assessment.pk)


def _comparisons(
    school_class: SchoolClass, term: Term, subject_ids: list[int], assessment_ids: list[int]
) -> tuple[dict, dict, dict]:
    class_rows = {
        row["subject_id"]: _mean(row["total"], row["n"])
        for row in StudentAverage.objects.filter(
            school_class=school_class, term=term, subject_id__in=subject_ids
        )
        .values("subject_id")
        .annotate(total=Sum("average"), n=Count("id"))
    }
    level_rows = {
        row["subject_id"]: _mean(row["total"], row["n"])
        for row in StudentAverage.objects.filter(
            term=term,
            subject_id__in=subject_ids,
            school_class__level=school_class.level,
            school_class__school_year_id=school_class.school_year_id,
        )
        .values("subject_id")
        .annotate(total=Sum("average"), n=Count("id"))
    }
    # Corrections are left out with conditional aggregates rather than a WHERE clause, so
    # that the planner keeps using the assessment index (``corrects IS NULL`` matches
    # nearly every row and SQLite would otherwise pick the ``corrects`` index).
    first_grades = Q(corrects__isnull=True)
    per_assessment = {
        row["assessment_id"]: _mean(row["total"], row["n"])
        for row in Grade.objects.filter(assessment_id__in=assessment_ids, value__isnull=False)
        .values("assessment_id")
        .annotate(total=Sum("value", filter=first_grades), n=Count("id", filter=first_grades))
    }
    return class_rows, level_rows, per_assessment
