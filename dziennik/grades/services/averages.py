"""The stored values and averages (``Grade.value``, ``StudentAverage``) kept in step
with the grades and the school's rules, for class and year statistics.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from dziennik.core import cache
from dziennik.schools.models import Enrolment, Student

from .. import selectors
from ..models import Assessment, Grade, StudentAverage
from ..rules import InvalidGrade, Rules, weighted_average


def recompute_school(school_id: int) -> None:
    """Re-value every grade and average of the school after its rules changed.

    A handful of queries whatever the size of the school: one read of the grades, bulk
    updates, and the averages rebuilt in bulk.
    """
    rules = selectors.load_rules(school_id)
    grades = list(
        Grade.objects.filter(school_id=school_id)
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    )
    entries = defaultdict(list)
    revalued = []
    for g in grades:
        value = stored_value(rules, g.assessment, g.symbol, g.points)
        if value != g.value:
            g.value = value
            revalued.append(g)
        a = g.assessment
        entries[(g.student_id, a.subject_id, a.term_id)].append(
            selectors.entry_for(g, a, a.category.counts_towards_average)
        )
    # only the grades whose value moved: rewriting all of them is most of the cost
    Grade.objects.bulk_update(revalued, ["value"], batch_size=1000)
    class_of = dict(
        Enrolment.objects.filter(student__school_id=school_id, end_date__isnull=True).values_list(
            "student_id", "school_class_id"
        )
    )
    rows = []
    for (student_id, subject_id, term_id), items in entries.items():
        avg = weighted_average(items, rules)
        if avg is not None and student_id in class_of:
            rows.append(
                StudentAverage(
                    school_id=school_id,
                    student_id=student_id,
                    subject_id=subject_id,
                    term_id=term_id,
                    school_class_id=class_of[student_id],
                    average=avg,
                )
            )
    StudentAverage.objects.filter(school_id=school_id).delete()
    StudentAverage.objects.bulk_create(rows, batch_size=1000)
    # every value and average of the school may have moved
    cache.bump(cache.config_scope(school_id))


def stored_value(rules: Rules, assessment: Assessment, symbol: str, points) -> Decimal | None:
    """What a grade is worth under ``rules`` (``Grade.value``): none for a descriptive one."""
    if assessment.kind == Assessment.Kind.DESCRIPTIVE:
        return None
    try:
        if points is not None and assessment.max_points:
            return rules.value_of(rules.points_symbol(points, assessment.max_points))
    except InvalidGrade:
        return None
    return rules.value_of(symbol) if symbol else None


def refresh_average(*, student_id: int, subject_id: int, term_id: int, rules: Rules) -> None:
    """Keep ``StudentAverage`` (used for class statistics) in step with the grades."""
    grades = (
        Grade.objects.filter(
            student_id=student_id, assessment__subject_id=subject_id, assessment__term_id=term_id
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    )
    entries = [
        selectors.entry_for(g, g.assessment, g.assessment.category.counts_towards_average)
        for g in grades
    ]
    avg = weighted_average(entries, rules)
    if avg is None:
        StudentAverage.objects.filter(
            student_id=student_id, subject_id=subject_id, term_id=term_id
        ).delete()
        cache.bump_in("grades", cache.student_scope(student_id))  # derived, no history
        return
    class_id = (
        Enrolment.objects.filter(student_id=student_id, end_date__isnull=True)
        .values_list("school_class_id", flat=True)
        .first()
    )
    if class_id is None:
        return
    school_id = Student.objects.filter(pk=student_id).values_list("school_id", flat=True).get()
    StudentAverage.objects.update_or_create(
        student_id=student_id,
        subject_id=subject_id,
        term_id=term_id,
        defaults={"average": avg, "school_class_id": class_id, "school_id": school_id},
    )
    cache.bump_in("grades", cache.student_scope(student_id))  # derived, no history


def refresh_averages(
    *, student_ids, subject_id: int, term_id: int, school_id: int, rules: Rules
) -> None:
    """``refresh_average`` for many students at once (a column changed or went), in a
    fixed number of queries whatever the size of the class."""
    student_ids = set(student_ids)
    if not student_ids:
        return
    entries = defaultdict(list)
    for g in (
        Grade.objects.filter(
            student_id__in=student_ids,
            assessment__subject_id=subject_id,
            assessment__term_id=term_id,
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    ):
        entries[g.student_id].append(
            selectors.entry_for(g, g.assessment, g.assessment.category.counts_towards_average)
        )
    class_of = dict(
        Enrolment.objects.filter(student_id__in=student_ids, end_date__isnull=True).values_list(
            "student_id", "school_class_id"
        )
    )
    averages = {sid: weighted_average(entries.get(sid, []), rules) for sid in student_ids}
    # As in ``refresh_average``: no average, no row; a student who left keeps theirs.
    StudentAverage.objects.filter(
        student_id__in=[sid for sid, avg in averages.items() if avg is None or sid in class_of],
        subject_id=subject_id,
        term_id=term_id,
    ).delete()
    StudentAverage.objects.bulk_create(
        StudentAverage(
            school_id=school_id,
            student_id=sid,
            subject_id=subject_id,
            term_id=term_id,
            school_class_id=class_of[sid],
            average=avg,
        )
        for sid, avg in sorted(averages.items())
        if avg is not None and sid in class_of
    )
