"""The student's grade sheet (*arkusz ocen*, L-13, L-19): the official record of each
school year the student spent in the school, kept 50 years (R-02), read from the
register.

The shape follows the MEN template: the student's personal data and their parents'
(names, address where it differs), then for every school year up to the one printed:
the class, the annual grade of every subject taught to the student in its full legal
name (G-01) or *nieklasyfikowany/-a* with the reason, *zwolniony/-a* (G-11), the
behaviour grade, the average, the attendance totals, the teachers' council's decision
with the date and number of its resolution (promotion, with distinction, completing the
school) and the lines for the class teacher's and the principal's signatures. Fields
the register does not hold (special achievements, the certificate's number) are left
empty for handwriting.

Reads go through the promotion lists' policy (``permissions.promotion_classes``, view:
the principal, the school office, the class's own class teacher): the family does not
get the sheet, a document of the school's own records (the parents see the grades
themselves, G-13). A class's sheets take a fixed number of queries, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404

from dziennik.attendance.models import AttendanceKind, AttendanceMark
from dziennik.core.params import MAX_ID
from dziennik.grades.models import BehaviourGrade, ClassificationGrade
from dziennik.grades.outcomes import describe, is_female
from dziennik.grades.rules import Rules
from dziennik.grades.selectors import load_rules, settings_for
from dziennik.schools.models import (
    ClassGroup,
    Enrolment,
    Guardianship,
    SchoolClass,
    SchoolYear,
    Student,
    TeachingAssignment,
)
from dziennik.schools.viewer import Viewer

from . import permissions, rules
from .models import PromotionEntry, PromotionList

FINAL = ClassificationGrade.Kind.FINAL
Base = AttendanceKind.Base
_ABSENT = {Base.ABSENT, Base.ABSENT_EXCUSED}
_LATE = {Base.LATE, Base.LATE_EXCUSED}


@dataclass
class Attendance:
    """A year's attendance totals as the sheet writes them (lessons marked, absences,
    of which excused and unexcused, late arrivals)."""

    marked: int = 0
    absent: int = 0
    excused: int = 0
    late: int = 0

    @property
    def unexcused(self) -> int:
        return self.absent - self.excused

    def add(self, base: str, n: int) -> None:
        self.marked += n
        if base in _ABSENT:
            self.absent += n
            if base == Base.ABSENT_EXCUSED:
                self.excused += n
        elif base in _LATE:
            self.late += n


@dataclass
class SubjectLine:
    """One subject of a year: its annual grade (``describe``d), or none yet."""

    name: str
    grade: ClassificationGrade | None = None

    @property
    def remark(self) -> str:
        """The reason for *nieklasyfikowany* in words (the school's or the kind's)."""
        cg = self.grade
        if cg is None or cg.outcome != ClassificationGrade.Outcome.UNCLASSIFIED:
            return ""
        return cg.reason_text or (str(cg.get_reason_display()) if cg.reason else "")


@dataclass
class SheetYear:
    """One school year of the sheet."""

    school_class: SchoolClass
    subjects: list[SubjectLine]
    behaviour: BehaviourGrade | None
    average: Decimal | None
    attendance: Attendance
    entry: PromotionEntry | None
    descriptive: bool

    @property
    def decided(self) -> bool:
        """The council has decided: the sheet shows the decision (else a blank line)."""
        return self.entry is not None and (
            self.entry.promotion_list.status != PromotionList.Status.PREPARED
        )

    @property
    def next_level(self) -> int:
        return self.school_class.level + 1


@dataclass
class GradeSheet:
    """A student's *arkusz ocen*: personal data and the years up to the one printed."""

    student: Student
    number: int
    female: bool
    guardians: list[Guardianship] = field(default_factory=list)
    years: list[SheetYear] = field(default_factory=list)


@dataclass
class ClassSheets:
    school_class: SchoolClass
    sheets: list[GradeSheet]


def _class_queryset():
    return SchoolClass.objects.select_related("school", "school_year", "class_teacher")


def class_students_for(viewer: Viewer, class_id: int) -> ClassSheets:
    """The class's students, each with an empty sheet (their number and name: the page
    that links their PDFs), for a class the viewer may read (404 otherwise)."""
    school_class = permissions.promotion_classes.get(viewer, class_id, queryset=_class_queryset())
    return ClassSheets(
        school_class,
        [
            GradeSheet(e.student, e.journal_number, False)
            for e in _current(school_class).order_by("journal_number")
        ],
    )


def _current(school_class: SchoolClass):
    return Enrolment.objects.filter(
        school_class=school_class, end_date__isnull=True
    ).select_related("student")


def class_sheets_for(viewer: Viewer, class_id: int) -> ClassSheets:
    """Every student's sheet of a class the viewer may read (404 otherwise)."""
    school_class = permissions.promotion_classes.get(viewer, class_id, queryset=_class_queryset())
    return class_sheets(school_class)


def student_sheet_for(viewer: Viewer, class_id: int, student_id: int) -> ClassSheets:
    """One student's sheet, through a class of theirs the viewer may read (404 for a
    student never in that class, or a class the viewer may not read)."""
    school_class = permissions.promotion_classes.get(viewer, class_id, queryset=_class_queryset())
    if not 1 <= student_id <= MAX_ID:
        raise Http404  # no row has such an id (and SQLite cannot even compare it)
    sheets = class_sheets(school_class, student_id=student_id)
    if not sheets.sheets:
        raise Http404
    return sheets


def class_sheets(school_class: SchoolClass, *, student_id: int | None = None) -> ClassSheets:
    """The sheets of the class's students (already authorized; the archive's task calls
    it with no viewer), each with the years up to the class's, in a fixed number of
    queries whatever the number of students."""
    if student_id is None:
        enrolments = _current(school_class)
    else:
        enrolments = Enrolment.objects.filter(
            school_class=school_class, student_id=student_id
        ).select_related("student")
    numbers: dict[int, tuple[int, Student]] = {}
    for e in enrolments.order_by("journal_number", "-start_date"):
        numbers.setdefault(e.student_id, (e.journal_number, e.student))
    if not numbers:
        return ClassSheets(school_class, [])
    ids = list(numbers)
    classes = _classes_by_student(ids, school_class.school_year)
    data = _YearData.load(school_class.school_id, ids, classes)
    sheets = []
    for student_id_, (number, student) in numbers.items():
        sheet = GradeSheet(
            student, number, is_female(student), guardians=data.guardians.get(student_id_, [])
        )
        for year_class in classes.get(student_id_, []):
            sheet.years.append(data.year(student, year_class))
        sheets.append(sheet)
    return ClassSheets(school_class, sheets)


def _classes_by_student(ids: list[int], up_to: SchoolYear) -> dict[int, list[SchoolClass]]:
    """Each student's class in every school year of theirs up to ``up_to`` (the last
    class of a year they changed class in), oldest first."""
    result: dict[int, dict[int, SchoolClass]] = defaultdict(dict)
    for e in (
        Enrolment.objects.filter(
            student_id__in=ids,
            school_class__school_year__school_id=up_to.school_id,
            school_class__school_year__start_date__lte=up_to.start_date,
        )
        .select_related("school_class__school_year", "school_class__class_teacher")
        .order_by("school_class__school_year__start_date", "start_date", "pk")
    ):
        result[e.student_id][e.school_class.school_year_id] = e.school_class
    return {student_id: list(years.values()) for student_id, years in result.items()}


@dataclass
class _YearData:
    """Everything the sheets show, read at once for all their students and years."""

    rules: Rules
    rule: rules.SchoolRule
    guardians: dict[int, list[Guardianship]]
    grades: dict[tuple[int, int], dict[int, ClassificationGrade]]
    behaviour: dict[tuple[int, int], BehaviourGrade]
    taught: dict[tuple[int, int], set[int]]
    subjects: dict[int, str]
    attendance: dict[tuple[int, int], Attendance]
    entries: dict[tuple[int, int], PromotionEntry]

    @classmethod
    def load(cls, school_id: int, ids: list[int], classes: dict[int, list[SchoolClass]]):
        grading = settings_for(school_id)
        all_classes = {c.pk: c for lst in classes.values() for c in lst}
        years = {c.school_year_id: c.school_year for c in all_classes.values()}
        taught, subjects = _taught(list(all_classes))
        return cls(
            rules=load_rules(school_id, grading),
            rule=rules.SchoolRule(grading.distinction_average, grading.distinction_behaviour),
            guardians=_guardians(ids),
            grades=_annual_grades(ids, list(years)),
            behaviour={
                (b.student_id, b.term.school_year_id): b
                for b in BehaviourGrade.objects.filter(
                    student_id__in=ids, kind=FINAL, term__school_year_id__in=list(years)
                )
                .select_related("term")
                .order_by("term__number")
            },
            taught=taught,
            subjects=subjects,
            attendance=_attendance(ids, list(years.values())),
            entries={
                (e.student_id, e.school_class_id): e
                for e in PromotionEntry.objects.filter(
                    student_id__in=ids, school_class_id__in=list(all_classes)
                ).select_related("promotion_list")
            },
        )

    def year(self, student: Student, school_class: SchoolClass) -> SheetYear:
        key = (student.pk, school_class.school_year_id)
        grades = self.grades.get(key, {})
        subject_ids = (
            self.taught.get((school_class.pk, 0), set())
            | self.taught.get((school_class.pk, student.pk), set())
            | set(grades)
        )
        lines = []
        for subject_id in subject_ids:
            cg = grades.get(subject_id)
            if cg is None:
                lines.append(SubjectLine(self.subjects[subject_id]))
            else:
                lines.append(SubjectLine(cg.subject.name, describe(cg, self.rules, student)))
        lines.sort(key=lambda line: line.name.lower())
        behaviour = self.behaviour.get(key)
        entry = self.entries.get((student.pk, school_class.pk))
        return SheetYear(
            school_class,
            lines,
            behaviour,
            entry.average if entry is not None else self._average(lines, school_class),
            self.attendance.get(key, Attendance()),
            entry,
            school_class.has_descriptive_grades,
        )

    def _average(self, lines: list[SubjectLine], school_class: SchoolClass) -> Decimal | None:
        """The average of the annual grades that count (``rules.decide``'s own), while
        the council has not saved one."""
        results = [
            rules.SubjectResult(
                subject=line.name,
                counts_towards_average=line.grade.subject.counts_towards_average,
                grade=line.grade.grade,
                outcome=line.grade.outcome,
                exam_allowed=line.grade.exam_allowed_on is not None,
                exam_grade=line.grade.exam_grade,
            )
            for line in lines
            if line.grade is not None
        ]
        decision = rules.decide(
            results,
            behaviour="",
            descriptive=school_class.has_descriptive_grades,
            last_class=False,
            rule=self.rule,
        )
        return decision.average


def _guardians(ids: list[int]) -> dict[int, list[Guardianship]]:
    result: dict[int, list[Guardianship]] = defaultdict(list)
    for g in (
        Guardianship.objects.filter(student_id__in=ids)
        .select_related("guardian")
        .order_by("relation", "guardian__last_name", "guardian__first_name")
    ):
        result[g.student_id].append(g)
    return result


def _annual_grades(
    ids: list[int], year_ids: list[int]
) -> dict[tuple[int, int], dict[int, ClassificationGrade]]:
    """(student, school year) → subject → the annual grade (the latest term's stands)."""
    result: dict[tuple[int, int], dict[int, ClassificationGrade]] = defaultdict(dict)
    for cg in (
        ClassificationGrade.objects.filter(
            student_id__in=ids, kind=FINAL, is_proposal=False, term__school_year_id__in=year_ids
        )
        .select_related("subject", "term")
        .order_by("term__number")
    ):
        result[(cg.student_id, cg.term.school_year_id)][cg.subject_id] = cg
    return result


def _taught(class_ids: list[int]) -> tuple[dict, dict[int, str]]:
    """The subjects taught in each class: (class, 0) → the whole class's, (class,
    student) → a group's for its members; and each subject's name."""
    taught: dict[tuple[int, int], set[int]] = defaultdict(set)
    groups: dict[int, tuple[int, set[int]]] = {}
    subjects: dict[int, str] = {}
    for class_id, subject_id, group_id, name in TeachingAssignment.objects.filter(
        school_class_id__in=class_ids
    ).values_list("school_class_id", "subject_id", "group_id", "subject__name"):
        subjects[subject_id] = name
        if group_id is None:
            taught[(class_id, 0)].add(subject_id)
        else:
            groups.setdefault(group_id, (class_id, set()))[1].add(subject_id)
    if groups:
        for group_id, student_id in ClassGroup.students.through.objects.filter(
            classgroup_id__in=list(groups)
        ).values_list("classgroup_id", "student_id"):
            class_id, subject_ids = groups[group_id]
            taught[(class_id, student_id)] |= subject_ids
    return taught, subjects


def _attendance(ids: list[int], years: list[SchoolYear]) -> dict[tuple[int, int], Attendance]:
    """(student, school year) → the year's attendance totals (one query)."""
    if not years:
        return {}
    year_of = Case(
        *(When(date__range=(y.start_date, y.end_date), then=Value(y.pk)) for y in years),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        AttendanceMark.objects.filter(
            student_id__in=ids,
            date__range=(min(y.start_date for y in years), max(y.end_date for y in years)),
        )
        .annotate(year=year_of)
        .values("student_id", "year", "kind__base")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[tuple[int, int], Attendance] = defaultdict(Attendance)
    for row in rows:
        result[(row["student_id"], row["year"])].add(row["kind__base"], row["n"])
    return dict(result)
