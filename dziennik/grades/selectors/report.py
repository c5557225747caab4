"""The student's grade page (parents, students, their teachers): everything it shows
in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import router
from django.db.models import Q
from django.db.models.utils import create_namedtuple_class
from django.utils import timezone
from django.utils.translation import get_language

from dziennik.core.cache import (
    Parts,
    cached,
    cached_parts,
    class_subject_scope,
    config_scope,
    subject_scope,
)
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
from dziennik.schools.viewer import Viewer

from .. import permissions
from ..models import (
    Assessment,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    GradeVisit,
    GradingSettings,
)
from ..outcomes import describe
from ..rules import (
    Entry,
    Rules,
    average_series,
    is_last_class,
    overall_average,
    overall_series,
    weighted_average,
)
from .comparisons import attach_comparisons
from .grading import entry_for, load_rules, pick_term, proposal_visible, settings_for, year_terms
from .prepared import Prepared


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
    # The subject's part of a page kept per subject (``student_report(parts=...)``), once
    # written (the overview's row: ``grades_tags.overview_rows``).
    html: str = ""
    # A kept part keeps no rows (its html shows them), only how many were new.
    kept_new: int | None = None
    # The shown term's proposal and grade, and the year's final ones (None: not given).
    proposed_term: ClassificationGrade | None = None
    term_grade: ClassificationGrade | None = None
    proposed_final: ClassificationGrade | None = None
    final_grade: ClassificationGrade | None = None

    @property
    def new_count(self) -> int:
        if self.kept_new is not None:
            return self.kept_new
        return sum(1 for row in self.rows if row.is_new)

    @property
    def exempt(self) -> bool:
        """Exempt (*zwolniony/-a*) in the shown term or the year: the subject does not
        count in the overall average (G-11)."""
        exempt = ClassificationGrade.Outcome.EXEMPT
        return any(
            cg is not None and cg.outcome == exempt for cg in (self.term_grade, self.final_grade)
        )


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
    # The subjects' parts kept in the cache (``student_report(parts=...)``), and the
    # subjects built afresh, whose parts ``keep_parts`` stores once written.
    parts: Parts | None = None
    fresh: tuple[int, ...] = ()

    @property
    def is_last_class(self) -> bool:
        """The last class of the school type: the final grades are the end-of-school ones
        (*oceny końcowe*, G-02)."""
        return self.school_class is not None and is_last_class(
            self.school_class.school.school_type, self.school_class.level
        )


@dataclass
class _ReportSetup:
    """What the grade page takes from the school's configuration for one student."""

    student: Student
    school_class: SchoolClass | None
    terms: list[Term]
    grading: GradingSettings
    rules: Rules
    subjects: dict[int, dict]


# The shapes of what the page keeps (``core.cache.cached(shape=)``): the setup
# (``_ReportSetup``) and a subject's part (``keep_parts``' tuple). Move one whenever what it
# holds changes shape, not its key: a deployed site's cache holds the old shape under the
# same versions, and the old release's processes still read it during a release.
SETUP_SHAPE = 1
ROW_SHAPE = 1


def _report_setup(student_id: int, school_id: int | None) -> _ReportSetup:
    """The student, their class, its year's terms and classes, the school's grading rules
    and the subjects the student is taught: all configuration
    (``core.cache.config_scope``), so kept per version of the school's configuration and
    read in one cache round trip when the page is built afresh after a new grade (six
    queries otherwise). No authorization: the caller's (the student is of the viewer's
    school, ``school_id``)."""

    def build() -> _ReportSetup:
        student = Student.objects.get(pk=student_id)
        enrolment = (
            Enrolment.objects.filter(student=student, end_date__isnull=True)
            .select_related("school_class__school")
            .first()
        )
        school_class = enrolment.school_class if enrolment else None
        grading = settings_for(student.school_id)
        return _ReportSetup(
            student=student,
            school_class=school_class,
            terms=year_terms(school_class.school_year_id) if school_class else [],
            grading=grading,
            rules=load_rules(student.school_id, grading),
            subjects=_student_subjects(school_class, student),
        )

    return cached(report_setup_key(student_id), [config_scope(school_id)], build, shape=SETUP_SHAPE)


def report_setup_key(student_id: int) -> str:
    """The cache key of a student's report setup (to ``core.cache.read_ahead`` it)."""
    return f"grade-setup:{student_id}"


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


_UNKNOWN = object()


def student_report(
    viewer: Viewer,
    student_id: int,
    *,
    term_id: int | None = None,
    today: datetime.date | None = None,
    last_seen=_UNKNOWN,
    series: bool = True,
    compare: bool = True,
    parts: str | None = None,
) -> StudentReport:
    """Everything the student's grade page shows, in a fixed number of queries (404 when
    the viewer may not see the student). ``last_seen``: when the viewer last saw it, if
    the caller knows (otherwise read here); newer grades are marked new. ``series``: the
    averages day by day for the charts (left empty when the page draws none).
    ``compare``: the class and year averages, when the school shows them (``False`` for
    a page that shows none: the overview; they cost three aggregates over the year).

    ``parts``: the name of a page that keeps each subject's part (``SubjectReport.html``)
    in the cache (``_kept_parts``): those found are not read again, ``keep_parts`` stores
    the others once written. Only for a page without comparisons and series."""
    permissions.require_student_grades(viewer, student_id)  # the family's: no query
    today = today or timezone.localdate()
    setup = _report_setup(student_id, viewer.school_id)
    student = setup.student
    school_class, terms, rules = setup.school_class, setup.terms, setup.rules
    grading = setup.grading
    term = pick_term(terms, term_id, today)
    subjects = setup.subjects
    if last_seen is _UNKNOWN:
        visit = GradeVisit.objects.filter(user_id=viewer.user_id, student=student).first()
        last_seen = visit.seen_at if visit else None

    staff = permissions.sees_unpublished_proposals(viewer, student.pk)
    kept = None
    if parts is not None and term and school_class:
        if series or compare:
            raise ValueError("a subject's part is kept only for a page without comparisons")
        kept = _kept_parts(parts, student, school_class, term, subjects, last_seen, staff, today)
    found = kept.found if kept is not None else {}
    known = {sid: _kept_report(subjects[sid], part) for sid, part in found.items()}

    grades = _term_grades(student, term, skip=known)
    reports = _subject_reports(student, subjects, grades, last_seen, skip=known)
    for report in reports.values():
        report.average = weighted_average(report.entries, rules)
        if series:
            report.series = average_series(report.entries, rules)
    if term and school_class:
        shown = _classification_grades(viewer, student, terms, grading, today, staff, skip=known)
        for cg in shown:
            if cg.subject_id in reports:
                key = f"{cg.kind}{'_proposal' if cg.is_proposal else ''}_{cg.term_id}"
                reports[cg.subject_id].classification[key] = describe(cg, rules, student)
                _file_classification(reports[cg.subject_id], cg, term)
    fresh = tuple(reports)
    reports.update(known)

    comparisons = bool(compare and grading.comparisons_enabled and school_class and term)
    ordered = sorted(reports.values(), key=lambda r: r.subject.name)
    if comparisons:
        year = school_selectors.student_year_class_ids(viewer.school_id, student.pk)
        attach_comparisons(ordered, school_class, term, year)
    counted = [r for r in ordered if r.subject.counts_towards_average and not r.exempt]
    return StudentReport(
        student=student,
        school_class=school_class,
        terms=terms,
        term=term,
        subjects=ordered,
        overall=overall_average(r.average for r in counted),
        overall_series=overall_series({r.subject.pk: r.series for r in counted if r.series}),
        comparisons=comparisons,
        behaviour=_behaviour_grades(student, terms),
        rules=rules,
        last_seen=last_seen,
        parts=kept,
        fresh=fresh,
    )


def _kept_parts(
    page: str,
    student: Student,
    school_class: SchoolClass,
    term: Term,
    subjects: dict[int, dict],
    last_seen: datetime.datetime | None,
    staff: bool,
    today: datetime.date,
) -> Parts:
    """The page's parts of the subjects kept in the cache (``student_report(parts=...)``),
    each per version of the school's configuration and of the subject's data (the
    student's, ``core.cache.subject_scope``, and the class's columns), and per what else
    it shows: the term, the language, the "last seen" mark, the day (proposals become
    visible on their deadline) and whether the viewer sees unpublished proposals."""
    mark = last_seen.timestamp() if last_seen else "-"
    prefix = f"grade-row:{page}:{student.pk}:{term.pk}:{get_language()}:{mark}:{staff}:{today}"
    config = config_scope(student.school_id)
    return cached_parts(
        {
            sid: (
                f"{prefix}:{sid}",
                (
                    config,
                    subject_scope(student.pk, sid),
                    class_subject_scope(school_class.pk, sid),
                ),
            )
            for sid in subjects
        },
        shape=ROW_SHAPE,
    )


def _kept_report(item: dict, part: tuple) -> SubjectReport:
    """A subject's report from its kept part (``keep_parts``) and the configuration's
    subject and teachers."""
    html, average, new_count, term_grade, final_grade = part
    return SubjectReport(
        subject=item["subject"],
        teachers=item["teachers"],
        html=html,
        average=average,
        kept_new=new_count,
        term_grade=term_grade,
        final_grade=final_grade,
    )


def keep_parts(report: StudentReport) -> None:
    """Store the parts of the subjects built afresh for ``report`` (with ``parts=...``)
    once the page has written them: its html, average and new count, and its term and
    final grades (whether it counts in the overall average), as a plain tuple
    (``_kept_report``); not its rows, the entries of its average nor its subject (the
    report's configuration holds it), which its html shows and its average counts."""
    if report.parts is None:
        return
    by_id = {r.subject.pk: r for r in report.subjects}
    report.parts.keep(
        {
            sid: (r.html, r.average, r.new_count, r.term_grade, r.final_grade)
            for sid in report.fresh
            if (r := by_id[sid]).html
        }
    )


def _file_classification(report: SubjectReport, cg: ClassificationGrade, term: Term) -> None:
    """The overview's columns: the shown term's proposal and grade, the final ones."""
    if cg.kind == ClassificationGrade.Kind.FINAL:
        slot = "proposed_final" if cg.is_proposal else "final_grade"
    elif cg.term_id == term.pk:
        slot = "proposed_term" if cg.is_proposal else "term_grade"
    else:
        return
    setattr(report, slot, cg)


# The grade's own columns, first in both lean reads of grades: the page's
# (``_GRADE_COLUMNS``) and the home panel's (``_recent_read``, in ``RecentGrade``'s order).
_COMMON_COLUMNS = (
    "pk",
    "symbol",
    "points",
    "text",
    "comment",
    "corrects_id",
    "created_at",
)

# What the page shows of each grade: read as plain (named) tuples in one lean query, not
# model instances over four joined tables.
_GRADE_COLUMNS = (
    *_COMMON_COLUMNS,
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


_GradeRow = create_namedtuple_class(*_GRADE_COLUMNS)


def _grades_of_term(student_id: int, term_id: int, skip: list[int]):
    rows = Grade.objects.filter(student_id=student_id, assessment__term_id=term_id)
    if skip:
        rows = rows.exclude(assessment__subject_id__in=skip)
    return rows.order_by("assessment__date", "created_at", "pk").values_list(*_GRADE_COLUMNS)


# Read on every grade page built afresh: its SQL built once (``prepared``).
_TERM_GRADES = Prepared(_grades_of_term)


def _term_grades(student: Student, term: Term | None, skip=()):
    """The student's grades of the term, but those of the subjects ``skip``."""
    if term is None:
        return []
    return [_GradeRow(*row) for row in _TERM_GRADES(student.pk, term.pk, sorted(skip))]


def _subject_reports(
    student: Student,
    subjects: dict[int, dict],
    grades,
    last_seen: datetime.datetime | None,
    skip=(),
) -> dict[int, SubjectReport]:
    """One report per subject the student is taught or has grades in (but ``skip``), with
    its rows and average entries; a correction's row links the grade it corrects."""
    reports: dict[int, SubjectReport] = {
        sid: SubjectReport(subject=item["subject"], teachers=item["teachers"])
        for sid, item in subjects.items()
        if sid not in skip
    }
    by_id: dict[int, GradeView] = {}
    assessments: dict[int, AssessmentView] = {}
    corrections: list[tuple[GradeRow, int]] = []
    for g in grades:
        report = reports.get(g.assessment__subject_id)
        if report is None:  # graded in a subject nobody teaches the class any more
            subject = Subject(
                pk=g.assessment__subject_id,
                school_id=student.school_id,
                name=g.assessment__subject__name,
                counts_towards_average=g.assessment__subject__counts_towards_average,
            )
            report = reports[subject.pk] = SubjectReport(subject=subject, teachers=[])
        row = _grade_row(g, assessments, last_seen)
        by_id[g.pk] = row.grade
        report.rows.append(row)
        report.entries.append(grade_entry(g))
        if g.corrects_id is not None:
            corrections.append((row, g.corrects_id))
    for row, corrects_id in corrections:
        row.correction_of = by_id.get(corrects_id)
    return reports


def _grade_row(g, assessments: dict[int, AssessmentView], last_seen) -> GradeRow:
    a = assessments.get(g.assessment_id)
    if a is None:
        a = assessments[g.assessment_id] = AssessmentView(
            g.assessment_id,
            g.assessment__name,
            g.assessment__date,
            g.assessment__weight,
            g.assessment__kind,
            g.assessment__max_points,
        )
    first, last = g.teacher__first_name, g.teacher__last_name
    return GradeRow(
        grade=GradeView(g.pk, g.symbol, g.points, g.text, g.comment),
        assessment=a,
        category_name=g.assessment__category__name,
        colour=g.assessment__category__colour,
        teacher_name=f"{first} {last}".strip() if first is not None else "",
        is_new=last_seen is None or g.updated_at > last_seen,
    )


def grade_entry(g) -> Entry:
    """The grade as the averages count it (``entry_for`` of a lean row)."""
    return Entry(
        key=g.pk,
        symbol=g.symbol,
        weight=g.assessment__weight,
        counts=g.assessment__category__counts_towards_average
        and g.assessment__kind != Assessment.Kind.DESCRIPTIVE,
        points=g.points,
        max_points=g.assessment__max_points,
        corrects=g.corrects_id,
        order=(g.created_at, g.pk),
        date=g.assessment__date,
    )


def _classification_grades(
    viewer: Viewer,
    student: Student,
    terms: list[Term],
    grading: GradingSettings,
    today: datetime.date,
    staff: bool,
    skip=(),
) -> list[ClassificationGrade]:
    """The student's term and final grades of the year that the viewer is shown (but
    those of the subjects ``skip``): proposals not yet published only to staff
    (``staff``: ``permissions.sees_unpublished_proposals``), and not on their own child's
    page."""
    rows = _instances(
        ClassificationGrade,
        _CLASSIFICATION_FIELDS,
        _CLASSIFICATION_GRADES(student.pk, [t.pk for t in terms], sorted(skip)),
    )
    return [cg for cg in rows if staff or proposal_visible(cg, terms, grading, today)]


def _instances(model, names: tuple[str, ...], rows) -> list:
    """Model instances of rows of ``names`` (attnames in the model's field order), as a
    queryset of those fields (``only``) would give them."""
    alias = router.db_for_read(model)
    return [model.from_db(alias, names, row) for row in rows]


def _field_names(model, only: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The attnames of ``model``'s concrete fields (those of ``only`` and the primary
    key), in the model's order: what ``Model.from_db`` takes."""
    return tuple(
        f.attname
        for f in model._meta.concrete_fields
        if only is None or f.primary_key or f.attname in only
    )


# What the page shows of a term or final grade (``_instances``).
_CLASSIFICATION_FIELDS = _field_names(
    ClassificationGrade,
    (
        "subject_id",
        "term_id",
        "kind",
        "is_proposal",
        "grade",
        "text",
        "outcome",
        "exam_allowed_on",
        "exam_grade",
        "published_at",
    ),
)


def _classification_rows(student_id: int, term_ids: list[int], skip: list[int]):
    rows = ClassificationGrade.objects.filter(student_id=student_id, term__in=term_ids)
    if skip:
        rows = rows.exclude(subject_id__in=skip)
    return rows.values_list(*_CLASSIFICATION_FIELDS)


_CLASSIFICATION_GRADES = Prepared(_classification_rows)
_BEHAVIOUR_FIELDS = _field_names(BehaviourGrade)
_BEHAVIOUR_GRADES = Prepared(
    lambda student_id, term_ids: (
        BehaviourGrade.objects.filter(student_id=student_id, term__in=term_ids)
        .order_by("kind")
        .values_list(*_BEHAVIOUR_FIELDS)
    )
)


def _behaviour_grades(student: Student, terms: list[Term]) -> list[BehaviourGrade]:
    term_by_id = {t.pk: t for t in terms}
    behaviour = sorted(
        _instances(
            BehaviourGrade, _BEHAVIOUR_FIELDS, _BEHAVIOUR_GRADES(student.pk, list(term_by_id))
        ),
        key=lambda b: term_by_id[b.term_id].number,
    )
    for b in behaviour:
        b.term = term_by_id[b.term_id]  # the page shows its number: no query per row
    return behaviour


def student_entries(viewer: Viewer, student: Student, subject_id: int, term: Term) -> list[Entry]:
    """The student's grades in one subject and term as average entries (one query)."""
    grades = (
        permissions.grades.queryset(viewer)
        .filter(student=student, assessment__subject_id=subject_id, assessment__term=term)
        .select_related("assessment__category")
        .order_by("assessment__date", "created_at", "pk")
    )
    return [
        entry_for(g, g.assessment, g.assessment.category.counts_towards_average) for g in grades
    ]


@dataclass(slots=True)
class RecentSubject:
    name: str


@dataclass(slots=True)
class RecentAssessment:
    name: str
    date: datetime.date
    subject: RecentSubject


@dataclass(slots=True)
class RecentGrade:
    """What the home panel shows of a grade (``recent_grades``), read in one lean query."""

    pk: int
    symbol: str
    points: Decimal | None
    text: str
    comment: str
    corrects_id: int | None
    created_at: datetime.datetime
    assessment: RecentAssessment

    display = property(Grade.display.fget)  # the same text as ``Grade.display``


_RECENT: dict[int, Prepared] = {}


def _recent_read(limit: int) -> Prepared:
    if limit not in _RECENT:
        _RECENT[limit] = Prepared(
            lambda student_id, school_id: (
                Grade.objects.filter(student_id=student_id, student__school_id=school_id)
                .order_by("-created_at", "-pk")
                .values_list(
                    *_COMMON_COLUMNS,
                    "assessment__name",
                    "assessment__date",
                    "assessment__subject__name",
                )[:limit]
            )
        )
    return _RECENT[limit]


def recent_grades(viewer: Viewer, student_id: int, *, limit: int = 5) -> list:
    """The newest grades of a child the viewer may see (for the home panel). The
    family's own child (the home page's case): one prepared read (``Prepared``) of what
    the panel shows (``RecentGrade``); anyone else's: through the grades' policy."""
    if viewer.school_id is not None and permissions.is_own_student(viewer, student_id):
        # the policy's filter for one's own student: the student, of the viewer's school
        return [
            RecentGrade(*grade, RecentAssessment(name, date, RecentSubject(subject)))
            for *grade, name, date, subject in _recent_read(limit)(student_id, viewer.school_id)
        ]
    return list(
        permissions.grades.queryset(viewer)
        .filter(student_id=student_id)
        .select_related("assessment__subject", "assessment__category")
        .order_by("-created_at", "-pk")[:limit]
    )
