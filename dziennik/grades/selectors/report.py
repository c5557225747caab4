"""The student's grade page (parents, students, their teachers): everything it shows
in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from dziennik.schools import selectors as school_selectors
from dziennik.schools.models import (
    ClassGroup,
    Enrolment,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)
from dziennik.schools.viewer import get_viewer

from ..models import Assessment, BehaviourGrade, ClassificationGrade, Grade, GradeVisit
from ..rules import Entry, Rules, average_series, overall_average, overall_series, weighted_average
from .comparisons import _attach_comparisons
from .grading import entry_for, load_rules, pick_term, proposal_visible, settings_for, year_terms
from .visits import last_visit


# --- the student's page -------------------------------------------------------------
@dataclass(slots=True)
class GradeView:
    """What the student's page shows of a grade (read from one lean query)."""

    pk: int
    symbol: str
    points: Decimal | None
    text: str
    comment: str

    display = property(Grade.display.fget)  # the same text as ``Grade.display``


@dataclass(slots=True)
class AssessmentView:
    """What the student's page shows of an assessment."""

    pk: int
    name: str
    date: datetime.date
    weight: Decimal
    kind: str
    max_points: Decimal | None


@dataclass
class GradeRow:
    grade: GradeView
    assessment: AssessmentView
    category_name: str
    colour: str
    teacher_name: str
    is_new: bool
    correction_of: Grade | None = None
    class_average: Decimal | None = None


@dataclass
class SubjectReport:
    subject: Subject
    teachers: list[str]
    rows: list[GradeRow] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    average: Decimal | None = None
    series: list = field(default_factory=list)
    class_average: Decimal | None = None
    level_average: Decimal | None = None
    classification: dict = field(default_factory=dict)
    chart: str = ""

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.is_new)


@dataclass
class StudentReport:
    student: Student
    school_class: SchoolClass | None
    terms: list[Term]
    term: Term | None
    subjects: list[SubjectReport]
    overall: Decimal | None
    overall_series: list
    comparisons: bool
    behaviour: list[BehaviourGrade]
    rules: Rules
    last_seen: datetime.datetime | None


def _student_subjects(school_class: SchoolClass | None, student: Student) -> dict[int, dict]:
    """Subjects the student is taught (whole class or their groups) with the teachers."""
    if school_class is None:
        return {}
    rows = (
        TeachingAssignment.objects.filter(school_class=school_class)
        .filter(
            Q(group__isnull=True)
            | Q(
                group_id__in=ClassGroup.students.through.objects.filter(
                    student_id=student.pk
                ).values("classgroup_id")
            )
        )
        .select_related("subject", "teacher")
        .only(
            "subject__name",
            "subject__counts_towards_average",
            "subject__school_id",
            "teacher__first_name",
            "teacher__last_name",
            "school_class_id",
        )
        .order_by("subject__name")
    )
    result: dict[int, dict] = {}
    for assignment in rows:
        item = result.setdefault(
            assignment.subject_id, {"subject": assignment.subject, "teachers": []}
        )
        name = assignment.teacher.get_full_name()
        if name not in item["teachers"]:
            item["teachers"].append(name)
    return result


@dataclass(frozen=True)
class ReportCacheScope:
    """What the grade page of one student is computed from, as cache scopes."""

    student_id: int
    scopes: tuple
    last_seen: datetime.datetime | None


def report_cache_scope(viewer, student_id: int) -> ReportCacheScope:
    """What the student's grade page depends on (404 when the viewer may not see the
    student). Its year comparison moves with any class of the year, so all count."""
    v = get_viewer(viewer)
    scopes = school_selectors.student_cache_scopes(v, student_id, year_level=True)
    visit = last_visit(v.user_id, student_id)
    return ReportCacheScope(student_id, scopes, visit)


_UNKNOWN = object()


def student_report(
    viewer,
    student_id: int,
    *,
    term_id: int | None = None,
    today: datetime.date | None = None,
    last_seen=_UNKNOWN,
) -> StudentReport:
    """Everything the parent's grade page shows, in a fixed number of queries."""
    v = get_viewer(viewer)
    student = school_selectors.get_student_for(v, student_id)
    today = today or timezone.localdate()
    enrolment = (
        Enrolment.objects.filter(student=student, end_date__isnull=True)
        .select_related("school_class")
        .first()
    )
    school_class = enrolment.school_class if enrolment else None
    terms = year_terms(school_class.school_year_id) if school_class else []
    term = pick_term(terms, term_id, today)
    grading = settings_for(student.school_id)
    rules = load_rules(student.school_id, grading)
    subjects = _student_subjects(school_class, student)

    if last_seen is _UNKNOWN:
        visit = GradeVisit.objects.filter(user_id=v.user_id, student=student).first()
        last_seen = visit.seen_at if visit else None

    # One lean query of the term's grades with what the rows show: plain tuples, not
    # model instances over four joined tables.
    grades = (
        Grade.objects.filter(student=student, assessment__term=term)
        .order_by("assessment__date", "created_at", "pk")
        .values_list(
            "pk",
            "symbol",
            "points",
            "text",
            "comment",
            "corrects_id",
            "created_at",
            "updated_at",
            "teacher__first_name",
            "teacher__last_name",
            "assessment_id",
            "assessment__name",
            "assessment__date",
            "assessment__weight",
            "assessment__kind",
            "assessment__max_points",
            "assessment__subject_id",
            "assessment__subject__name",
            "assessment__subject__counts_towards_average",
            "assessment__category__name",
            "assessment__category__colour",
            "assessment__category__counts_towards_average",
        )
        if term
        else []
    )
    reports: dict[int, SubjectReport] = {
        sid: SubjectReport(subject=item["subject"], teachers=item["teachers"])
        for sid, item in subjects.items()
    }
    by_id: dict[int, GradeView] = {}
    assessments: dict[int, AssessmentView] = {}
    corrections: list[tuple[GradeRow, int]] = []
    descriptive = Assessment.Kind.DESCRIPTIVE
    for (
        pk,
        symbol,
        points,
        text,
        comment,
        corrects_id,
        created_at,
        updated_at,
        teacher_first,
        teacher_last,
        assessment_id,
        assessment_name,
        day,
        weight,
        kind,
        max_points,
        subject_id,
        subject_name,
        subject_counts,
        category_name,
        colour,
        category_counts,
    ) in grades:
        grade = by_id[pk] = GradeView(pk, symbol, points, text, comment)
        a = assessments.get(assessment_id)
        if a is None:
            a = assessments[assessment_id] = AssessmentView(
                assessment_id, assessment_name, day, weight, kind, max_points
            )
        report = reports.get(subject_id)
        if report is None:
            subject = Subject(
                pk=subject_id,
                school_id=student.school_id,
                name=subject_name,
                counts_towards_average=subject_counts,
            )
            report = reports[subject_id] = SubjectReport(subject=subject, teachers=[])
        teacher_name = (
            f"{teacher_first} {teacher_last}".strip() if teacher_first is not None else ""
        )
        report.rows.append(
            GradeRow(
                grade=grade,
                assessment=a,
                category_name=category_name,
                colour=colour,
                teacher_name=teacher_name,
                is_new=last_seen is None or updated_at > last_seen,
            )
        )
        if corrects_id is not None:
            corrections.append((report.rows[-1], corrects_id))
        report.entries.append(
            Entry(
                key=pk,
                symbol=symbol,
                weight=weight,
                counts=category_counts and kind != descriptive,
                points=points,
                max_points=max_points,
                corrects=corrects_id,
                order=(created_at, pk),
                date=day,
            )
        )

    for row, corrects_id in corrections:
        row.correction_of = by_id.get(corrects_id)

    for report in reports.values():
        report.average = weighted_average(report.entries, rules)
        report.series = average_series(report.entries, rules)

    if term and school_class:
        for cg in ClassificationGrade.objects.filter(
            student=student, term__in=[t.pk for t in terms]
        ).only(
            "subject_id",
            "term_id",
            "kind",
            "is_proposal",
            "grade",
            "text",
            "published_at",
        ):
            if not v.is_staff_member and not proposal_visible(cg, terms, grading, today):
                continue
            if cg.subject_id in reports:
                reports[cg.subject_id].classification[
                    f"{cg.kind}{'_proposal' if cg.is_proposal else ''}_{cg.term_id}"
                ] = cg

    comparisons = bool(grading.comparisons_enabled and school_class and term)
    ordered = sorted(reports.values(), key=lambda r: r.subject.name)
    if comparisons:
        _attach_comparisons(ordered, school_class, term)

    term_by_id = {t.pk: t for t in terms}
    behaviour = sorted(
        BehaviourGrade.objects.filter(student=student, term__in=list(term_by_id)).order_by("kind"),
        key=lambda b: term_by_id[b.term_id].number,
    )
    for b in behaviour:
        b.term = term_by_id[b.term_id]  # the page shows its number: no query per row
    counted = [r for r in ordered if r.subject.counts_towards_average]
    return StudentReport(
        student=student,
        school_class=school_class,
        terms=terms,
        term=term,
        subjects=ordered,
        overall=overall_average(r.average for r in counted),
        overall_series=overall_series({r.subject.pk: r.series for r in counted if r.series}),
        comparisons=comparisons,
        behaviour=behaviour,
        rules=rules,
        last_seen=last_seen,
    )


def student_entries(viewer, student: Student, subject_id: int, term: Term) -> list[Entry]:
    """The student's grades in one subject and term as average entries (one query)."""
    grades = (
        Grade.objects.filter(
            get_viewer(viewer).student_filter("student__"),
            student=student,
            assessment__subject_id=subject_id,
            assessment__term=term,
        )
        .select_related("assessment__category")
        .order_by("assessment__date", "created_at", "pk")
    )
    return [
        entry_for(g, g.assessment, g.assessment.category.counts_towards_average) for g in grades
    ]


def recent_grades(viewer, student_id: int, *, limit: int = 5) -> list[Grade]:
    """The newest grades of a child the viewer may see (for the home panel)."""
    v = get_viewer(viewer)
    return list(
        Grade.objects.filter(v.student_filter("student__"), student_id=student_id)
        .select_related("assessment__subject", "assessment__category")
        .order_by("-created_at", "-pk")[:limit]
    )
