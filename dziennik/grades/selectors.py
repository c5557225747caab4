"""Reads of grades, always through the viewer, in a fixed number of queries.

Averages are computed in Python from one query of the student's (or the class's) grades
with the school's ``Rules``; class and year statistics come from ``StudentAverage`` in
SQL and are withheld for groups of fewer than ``MIN_GROUP`` students.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from dziennik.core.cache import ENTRY_TIMEOUT, cache
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
from dziennik.schools.viewer import get_object_for, get_viewer

from . import permissions
from .models import (
    Assessment,
    AverageThreshold,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    GradeCategory,
    GradeVisit,
    GradingSettings,
    PointScaleStep,
    SpecialMark,
    StudentAverage,
)
from .rules import (
    Entry,
    MarkRule,
    Rules,
    average_series,
    overall_average,
    overall_series,
    quantize,
    weighted_average,
)

MIN_GROUP = 5  # never show an average of fewer students: it would reveal their grades


# --- rules --------------------------------------------------------------------------
def settings_for(school_id: int) -> GradingSettings:
    """The school's settings row, or unsaved defaults when the school has none yet."""
    found = GradingSettings.objects.filter(school_id=school_id).first()
    return found or GradingSettings(school_id=school_id)


def _rule_rows(school_id: int) -> list[tuple]:
    """The school's special marks, point scale and thresholds in one query (UNION ALL).

    Every row is ``(kind, symbol, rule, value, count, number, is_homework)``: a mark
    uses all of them, a point step puts its percentage in ``number``, a threshold its
    grade in ``count`` and its minimum average in ``value``.
    """
    text, flag = CharField(), BooleanField()
    small, count = DecimalField(max_digits=4, decimal_places=2), IntegerField()
    number = DecimalField(max_digits=5, decimal_places=2)
    columns = ("k", "s", "r", "v", "c", "n", "h")
    marks = (
        SpecialMark.objects.filter(school_id=school_id)
        .order_by()
        .annotate(
            k=Value("m", output_field=text),
            s=F("symbol"),
            r=F("rule"),
            v=F("value"),
            c=Cast("convert_count", count),
            n=F("converted_weight"),
            h=F("is_homework"),
        )
        .values_list(*columns)
    )
    steps = (
        PointScaleStep.objects.filter(school_id=school_id)
        .order_by()
        .annotate(
            k=Value("p", output_field=text),
            s=F("symbol"),
            r=Value("", output_field=text),
            v=Value(None, output_field=small),
            c=Value(None, output_field=count),
            n=F("min_percent"),
            h=Value(False, output_field=flag),
        )
        .values_list(*columns)
    )
    thresholds = (
        AverageThreshold.objects.filter(school_id=school_id)
        .order_by()
        .annotate(
            k=Value("t", output_field=text),
            s=Value("", output_field=text),
            r=Value("", output_field=text),
            v=F("min_average"),
            c=Cast("grade", count),
            n=Value(None, output_field=number),
            h=Value(False, output_field=flag),
        )
        .values_list(*columns)
    )
    return list(marks.union(steps, thresholds, all=True).order_by())


def load_rules(school_id: int, grading: GradingSettings | None = None) -> Rules:
    grading = grading or settings_for(school_id)
    rows = _rule_rows(school_id)
    marks = {
        symbol: MarkRule(
            symbol=symbol,
            rule=rule,
            value=value,
            convert_count=convert_count,
            converted_weight=number,
            is_homework=bool(is_homework),
        )
        for kind, symbol, rule, value, convert_count, number, is_homework in rows
        if kind == "m"
    }
    steps = tuple(
        sorted((number, symbol) for kind, symbol, _r, _v, _c, number, _h in rows if kind == "p")
    )
    thresholds = tuple(sorted((c, value) for kind, _s, _r, value, c, _n, _h in rows if kind == "t"))
    return Rules(
        plus=grading.plus_value,
        minus=grading.minus_value,
        policy=grading.correction_policy,
        marks=marks,
        point_steps=steps,
        thresholds=thresholds,
        pass_threshold=grading.pass_threshold,
    )


def categories(school_id: int, *, keep_id: int | None = None) -> list[GradeCategory]:
    """The categories a column may take: the active ones (and ``keep_id``, a column's
    current category, even when the principal has deactivated it since)."""
    return list(
        GradeCategory.objects.filter(Q(is_active=True) | Q(pk=keep_id), school_id=school_id)
    )


def entry_for(grade: Grade, assessment: Assessment, category_counts: bool) -> Entry:
    return Entry(
        key=grade.pk,
        symbol=grade.symbol,
        weight=assessment.weight,
        counts=category_counts and assessment.kind != Assessment.Kind.DESCRIPTIVE,
        points=grade.points,
        max_points=assessment.max_points,
        corrects=grade.corrects_id,
        order=(grade.created_at or timezone.now(), grade.pk or 0),
        date=assessment.date,
    )


def proposal_deadline(term: Term, grading: GradingSettings) -> datetime.date:
    """The day by which parents must have the term's proposed grades (*przewidywane*):
    ``proposal_notice_days`` before the term ends. From that day on the proposals count
    as published, whether or not the teacher pressed "publish"."""
    return term.end_date - datetime.timedelta(days=grading.proposal_notice_days)


def proposal_visible(
    cg: ClassificationGrade, terms: list[Term], grading: GradingSettings, today: datetime.date
) -> bool:
    """Whether parents and students see a classification grade of one of the year's
    ``terms``: a proposal only once published or once its deadline has come (for a
    final grade, the deadline before the year's last term ends)."""
    if not cg.is_proposal or cg.published_at is not None:
        return True
    if cg.kind == ClassificationGrade.Kind.FINAL:
        term = terms[-1]
    else:
        term = next(t for t in terms if t.pk == cg.term_id)
    return today >= proposal_deadline(term, grading)


def year_terms(school_year_id: int) -> list[Term]:
    return list(Term.objects.filter(school_year_id=school_year_id).order_by("number"))


def pick_term(terms: list[Term], term_id: int | None, today: datetime.date) -> Term | None:
    if term_id is not None:
        for term in terms:
            if term.pk == term_id:
                return term
        raise Http404
    for term in terms:
        if term.start_date <= today <= term.end_date:
            return term
    return terms[-1] if terms else None


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
    descriptive_classification: bool


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


def visit_cache_key(user_id: int, student_id: int) -> str:
    return f"grade-visit:{user_id}:{student_id}"


def last_visit(user_id: int, student_id: int) -> datetime.datetime | None:
    """When the user last saw the student's grades; the cache keeps a copy, written
    through by ``services.grade_visit_record``."""
    found = cache.get(visit_cache_key(user_id, student_id))
    if found is not None:
        return found[1]
    seen = (
        GradeVisit.objects.filter(user_id=user_id, student_id=student_id)
        .values_list("seen_at", flat=True)
        .first()
    )
    remember_visit(user_id, student_id, seen)
    return seen


def remember_visit(user_id: int, student_id: int, seen: datetime.datetime | None) -> None:
    """Keep the cached copy of the mark (``None``: no visit yet) in step with the row."""
    cache.set(visit_cache_key(user_id, student_id), ("seen", seen), ENTRY_TIMEOUT)


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
        descriptive_classification=bool(school_class and school_class.level <= 3),
    )


def _mean(total, count) -> Decimal | None:
    if not count or count < MIN_GROUP or total is None:
        return None
    return quantize(Decimal(str(total)) / count)


def _attach_comparisons(
    reports: list[SubjectReport], school_class: SchoolClass, term: Term
) -> None:
    """Class and year averages per subject and class averages per assessment (n ≥ 5)."""
    subject_ids = [r.subject.pk for r in reports]
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
    assessment_ids = [row.assessment.pk for r in reports for row in r.rows]
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
    for report in reports:
        report.class_average = class_rows.get(report.subject.pk)
        report.level_average = level_rows.get(report.subject.pk)
        for row in report.rows:
            row.class_average = per_assessment.get(row.assessment.pk)


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


# --- the teacher's grid ---------------------------------------------------------------
@dataclass
class GridRow:
    student: Student
    journal_number: int
    cells: list
    average: Decimal | None
    proposed: int | None


@dataclass
class Gradebook:
    school_class: SchoolClass
    subject: Subject
    group: ClassGroup | None
    term: Term
    terms: list[Term]
    assessments: list[Assessment]
    rows: list[GridRow]
    rules: Rules
    can_edit: bool
    categories: list[GradeCategory]


def gradebook_target(viewer, class_id: int, subject_id: int, group_id: int | None):
    """(class, subject, group, can_edit) if the viewer may open this gradebook, else 404."""
    v = get_viewer(viewer)
    school_class = get_object_for(
        v,
        SchoolClass.objects.filter(school_id=v.school_id).select_related("school_year"),
        pk=class_id,
    )
    subject = get_object_for(v, Subject.objects.filter(school_id=v.school_id), pk=subject_id)
    group = None
    if group_id is not None:
        group = get_object_for(v, ClassGroup.objects.filter(school_class=school_class), pk=group_id)
    can_edit = permissions.can_grade(
        v, school_class=school_class, subject_id=subject.pk, group_id=group_id
    )
    if not can_edit and not v.leads_class(school_class.pk):
        raise Http404
    return school_class, subject, group, can_edit


def roster(school_class: SchoolClass, group: ClassGroup | None) -> list[tuple[int, Student]]:
    qs = Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
    if group is not None:
        qs = qs.filter(
            student_id__in=ClassGroup.students.through.objects.filter(
                classgroup_id=group.pk
            ).values("student_id")
        )
    return [
        (e.journal_number, e.student)
        for e in qs.select_related("student")
        .only("journal_number", "student__first_name", "student__last_name", "student__school_id")
        .order_by("journal_number")
    ]


def gradebook(
    viewer,
    class_id: int,
    subject_id: int,
    *,
    group_id: int | None = None,
    term_id: int | None = None,
    today: datetime.date | None = None,
) -> Gradebook:
    school_class, subject, group, can_edit = gradebook_target(
        viewer, class_id, subject_id, group_id
    )
    terms = year_terms(school_class.school_year_id)
    term = pick_term(terms, term_id, today or timezone.localdate())
    if term is None:
        raise Http404
    rules = load_rules(school_class.school_id)
    assessments = list(
        Assessment.objects.filter(
            school_class=school_class, subject=subject, term=term, group=group
        ).select_related("category")
    )
    students = roster(school_class, group)
    grades = Grade.objects.filter(assessment__in=[a.pk for a in assessments]).order_by(
        "created_at", "pk"
    )
    by_cell: dict[tuple[int, int], Grade] = {}
    corrections: dict[int, Grade] = {}
    entries: dict[int, list[Entry]] = defaultdict(list)
    assessment_by_id = {a.pk: a for a in assessments}
    for g in grades:
        a = assessment_by_id[g.assessment_id]
        if g.corrects_id is None:
            by_cell[(g.student_id, g.assessment_id)] = g
        else:
            corrections[g.corrects_id] = g
        entries[g.student_id].append(entry_for(g, a, a.category.counts_towards_average))
    rows = []
    for number, student in students:
        cells = []
        for a in assessments:
            g = by_cell.get((student.pk, a.pk))
            cells.append(
                {
                    "assessment": a,
                    "grade": g,
                    "correction": corrections.get(g.pk) if g else None,
                }
            )
        avg = weighted_average(entries[student.pk], rules)
        rows.append(GridRow(student, number, cells, avg, rules.proposed_grade(avg)))
    return Gradebook(
        school_class=school_class,
        subject=subject,
        group=group,
        term=term,
        terms=terms,
        assessments=assessments,
        rows=rows,
        rules=rules,
        can_edit=can_edit,
        categories=categories(school_class.school_id) if can_edit else [],
    )


def get_assessment_for_grading(viewer, assessment_id: int) -> Assessment:
    """An assessment the viewer may grade in; 404 for missing and forbidden alike."""
    v = get_viewer(viewer)
    assessment = get_object_for(
        v,
        Assessment.objects.filter(school_id=v.school_id).select_related(
            "school_class", "category", "school", "term", "subject"
        ),
        pk=assessment_id,
    )
    if not permissions.can_grade(
        v,
        school_class=assessment.school_class,
        subject_id=assessment.subject_id,
        group_id=assessment.group_id,
    ):
        raise Http404
    return assessment


def column_grade_count(assessment: Assessment) -> int:
    """How many grades (corrections included) deleting the column would remove."""
    return Grade.objects.filter(assessment=assessment).count()


def cell_grade(assessment: Assessment, student: Student) -> Grade | None:
    """The student's own (not correcting) grade in a column the viewer may grade."""
    return Grade.objects.filter(
        assessment=assessment, student=student, corrects__isnull=True
    ).first()


def cell_state(assessment: Assessment, student: Student, rules: Rules):
    """After a cell is saved: the cell's grade, its correction, and the student's new
    average in the column's subject and term. One query."""
    grades = list(
        Grade.objects.filter(
            student=student,
            assessment__subject_id=assessment.subject_id,
            assessment__term_id=assessment.term_id,
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    )
    entries = [
        entry_for(g, g.assessment, g.assessment.category.counts_towards_average) for g in grades
    ]
    own = next(
        (g for g in grades if g.assessment_id == assessment.pk and g.corrects_id is None), None
    )
    correction = next((g for g in grades if own is not None and g.corrects_id == own.pk), None)
    return own, correction, weighted_average(entries, rules)


def teacher_gradebooks(viewer) -> QuerySet[TeachingAssignment]:
    """The gradebooks the viewer may open: their own assignments (principal: all)."""
    v = get_viewer(viewer)
    qs = TeachingAssignment.objects.filter(school_id=v.school_id).select_related(
        "subject", "school_class", "group", "teacher"
    )
    if not v.is_principal:
        qs = qs.filter(Q(teacher_id=v.user_id) | Q(school_class_id__in=list(v.led_class_ids)))
    return qs.order_by("school_class__level", "school_class__name", "subject__name", "group__name")


# --- analytics ------------------------------------------------------------------------
def class_analytics(book: Gradebook, today: datetime.date | None = None) -> dict:
    """Distribution of each assessment and the students at risk of failing."""
    today = today or timezone.localdate()
    rules = book.rules
    distributions = []
    for index, a in enumerate(book.assessments):
        counts: dict[int, int] = defaultdict(int)
        for row in book.rows:
            g = row.cells[index]["grade"]
            if g is None:
                continue
            value = rules.value_of(g.symbol) if g.points is None else None
            if g.points is not None and a.max_points:
                value = rules.value_of(rules.points_symbol(g.points, a.max_points))
            if value is not None:
                counts[int(max(1, min(6, value.to_integral_value(rounding="ROUND_FLOOR"))))] += 1
        total = sum(counts.values())
        distributions.append(
            {
                "assessment": a,
                "bars": [(grade, counts.get(grade, 0)) for grade in range(1, 7)],
                "total": total,
                "max": max(counts.values(), default=0),
            }
        )
    at_risk = [
        row for row in book.rows if row.average is not None and row.average < rules.pass_threshold
    ]
    days_left = (book.term.end_date - today).days
    return {
        "distributions": distributions,
        "at_risk": at_risk,
        "days_left": days_left,
        "warning_period": 0 <= days_left <= 31,
    }


# --- classification -------------------------------------------------------------------
def classification_sheet(book: Gradebook, viewer, today: datetime.date | None = None) -> dict:
    """Term/final grades and proposals of the gradebook's students, with suggestions,
    the proposals' deadline and the students still without the proposal it requires."""
    student_ids = [row.student.pk for row in book.rows]
    existing = defaultdict(dict)
    for cg in ClassificationGrade.objects.filter(
        student_id__in=student_ids, subject=book.subject, term=book.term
    ):
        existing[cg.student_id][f"{cg.kind}{'_proposal' if cg.is_proposal else ''}"] = cg
    grading = settings_for(book.school_class.school_id)
    deadline = proposal_deadline(book.term, grading)
    final_deadline = proposal_deadline(book.terms[-1], grading)
    today = today or timezone.localdate()
    # The proposal that matters this term: the final one in the year's last term.
    proposal_kind = (
        ClassificationGrade.Kind.FINAL
        if book.term.pk == book.terms[-1].pk
        else ClassificationGrade.Kind.TERM
    )
    missing = [
        row.student
        for row in book.rows
        if f"{proposal_kind}_proposal" not in existing.get(row.student.pk, {})
    ]
    # The final grade reflects the whole year (G-05): its suggestion uses every term so far.
    year_entries: dict[int, list[Entry]] = defaultdict(list)
    for g in (
        Grade.objects.filter(
            student_id__in=student_ids,
            assessment__subject=book.subject,
            assessment__term__in=[t.pk for t in book.terms if t.number <= book.term.number],
        )
        .select_related("assessment__category")
        .order_by("created_at", "pk")
    ):
        year_entries[g.student_id].append(
            entry_for(g, g.assessment, g.assessment.category.counts_towards_average)
        )
    year = {}
    for student_id in student_ids:
        avg = weighted_average(year_entries.get(student_id, []), book.rules)
        year[student_id] = (avg, book.rules.proposed_grade(avg))
    return {
        "existing": existing,
        "deadline": deadline,
        "deadline_passed": today >= deadline,
        # Proposals parents see whether published or not (their deadline has come).
        "shown_anyway": {
            key
            for key, day in (("term_proposal", deadline), ("final_proposal", final_deadline))
            if today >= day
        },
        "days_left": (deadline - today).days,
        "proposal_kind": proposal_kind,
        "missing_proposals": missing,
        "year": year,
    }


def behaviour_sheet(viewer, class_id: int, *, term_id: int | None = None) -> dict:
    v = get_viewer(viewer)
    school_class = school_selectors.get_class_for(v, class_id)
    if not (v.leads_class(school_class.pk) or v.is_principal):
        raise Http404
    terms = year_terms(school_class.school_year_id)
    term = pick_term(terms, term_id, timezone.localdate())
    if term is None:
        raise Http404
    students = roster(school_class, None)
    existing = defaultdict(dict)
    for bg in BehaviourGrade.objects.filter(student_id__in=[s.pk for _n, s in students], term=term):
        existing[bg.student_id][bg.kind] = bg
    return {
        "school_class": school_class,
        "terms": terms,
        "term": term,
        "rows": [(n, s, existing.get(s.pk, {})) for n, s in students],
        "descriptive": school_class.level <= 3,
        "can_edit": permissions.can_set_behaviour(v, school_class=school_class),
    }
