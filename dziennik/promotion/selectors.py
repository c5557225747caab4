"""Reads of the promotion lists, through the viewer, in a fixed number of queries.

``promotion_preview`` computes what the list would say now from the year's annual
grades and behaviour (``rules.decide``); ``promotion_page`` is a class's page: the saved
list, the preview for the principal while the list is not confirmed, and the students
left not classified with the share of the subject's lessons they missed (A-06).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404

from dziennik.attendance import selectors as attendance_selectors
from dziennik.attendance.models import AttendanceMark
from dziennik.grades.models import BehaviourGrade, ClassificationGrade
from dziennik.grades.outcomes import describe
from dziennik.grades.selectors import load_rules, settings_for
from dziennik.schools.models import ClassGroup, Enrolment, SchoolClass, Student, TeachingAssignment
from dziennik.schools.viewer import Viewer

from . import permissions, rules
from .models import PromotionEntry, PromotionList

FINAL = ClassificationGrade.Kind.FINAL


@dataclass
class PreviewRow:
    number: int
    student: Student
    outcome: str
    average: Decimal | None
    behaviour: str
    reasons: list[str]

    @property
    def outcome_label(self) -> str:
        return PromotionEntry.Outcome(self.outcome).label


@dataclass
class Unclassified:
    """A subject a student is not classified in, with the absence that explains it."""

    grade: ClassificationGrade
    student: Student
    absence_percent: Decimal | None
    over_threshold: bool


@dataclass
class PromotionPage:
    school_class: SchoolClass
    promotion_list: PromotionList | None
    entries: list[PromotionEntry]
    preview: list[PreviewRow] = field(default_factory=list)
    unclassified: list[Unclassified] = field(default_factory=list)
    can_manage: bool = False
    last_class: bool = False

    @property
    def numbers(self) -> dict[int, int]:
        return {row.student.pk: row.number for row in self.preview}


def _students(school_class: SchoolClass) -> list[tuple[int, Student]]:
    return [
        (e.journal_number, e.student)
        for e in Enrolment.objects.filter(school_class=school_class, end_date__isnull=True)
        .select_related("student")
        .order_by("journal_number")
    ]


def _subjects_of(school_class: SchoolClass) -> dict[int, set[int]]:
    """The subjects each student of the class is taught: whole-class assignments, and a
    group's for its members (student id → subject ids; key 0: the whole class's)."""
    result: dict[int, set[int]] = defaultdict(set)
    groups: dict[int, set[int]] = defaultdict(set)
    for subject_id, group_id in TeachingAssignment.objects.filter(
        school_class=school_class
    ).values_list("subject_id", "group_id"):
        if group_id is None:
            result[0].add(subject_id)
        else:
            groups[group_id].add(subject_id)
    if groups:
        for group_id, student_id in ClassGroup.students.through.objects.filter(
            classgroup_id__in=list(groups)
        ).values_list("classgroup_id", "student_id"):
            result[student_id] |= groups[group_id]
    return result


def promotion_preview(school_class: SchoolClass) -> list[PreviewRow]:
    """What the list says now for each student of the class (already authorized)."""
    school = school_class.school
    grading = settings_for(school.pk)
    rule = rules.SchoolRule(grading.distinction_average, grading.distinction_behaviour)
    last_class = rules.is_last_class(school.school_type, school_class.level)
    students = _students(school_class)
    ids = [s.pk for _n, s in students]
    annual: dict[int, dict[int, ClassificationGrade]] = defaultdict(dict)
    for cg in (
        ClassificationGrade.objects.filter(student_id__in=ids, kind=FINAL, is_proposal=False)
        .filter(term__school_year_id=school_class.school_year_id)
        .select_related("subject")
        .order_by("term__number")
    ):
        annual[cg.student_id][cg.subject_id] = cg  # the latest term's stands
    behaviour = dict(
        BehaviourGrade.objects.filter(
            student_id__in=ids, kind=FINAL, term__school_year_id=school_class.school_year_id
        ).values_list("student_id", "value")
    )
    taught = _subjects_of(school_class)
    names = dict(school_class.assignments.values_list("subject_id", "subject__name").distinct())
    counts = dict(
        school_class.assignments.values_list(
            "subject_id", "subject__counts_towards_average"
        ).distinct()
    )
    rows = []
    for number, student in students:
        grades = annual.get(student.pk, {})
        results = [
            rules.SubjectResult(
                subject=cg.subject.name,
                counts_towards_average=cg.subject.counts_towards_average,
                grade=cg.grade,
                text=cg.text,
                outcome=cg.outcome,
                exam_allowed=cg.exam_allowed_on is not None,
                exam_grade=cg.exam_grade,
            )
            for cg in grades.values()
        ]
        for subject_id in sorted((taught[0] | taught[student.pk]) - set(grades)):
            results.append(
                rules.SubjectResult(
                    subject=names.get(subject_id, ""),
                    counts_towards_average=counts.get(subject_id, True),
                )
            )
        decision = rules.decide(
            results,
            behaviour=behaviour.get(student.pk, ""),
            descriptive=school_class.has_descriptive_grades,
            last_class=last_class,
            rule=rule,
        )
        rows.append(
            PreviewRow(
                number,
                student,
                decision.outcome,
                decision.average,
                behaviour.get(student.pk, ""),
                decision.reasons,
            )
        )
    return rows


def _unclassified(school_class: SchoolClass, student_ids: list[int]) -> list[Unclassified]:
    """The annual grades "not classified" of the class, each with the student's absence
    in the subject over the year (A-06) against the school's threshold."""
    grading = settings_for(school_class.school_id)
    rules_ = load_rules(school_class.school_id, grading)
    grades = list(
        ClassificationGrade.objects.filter(
            student_id__in=student_ids,
            kind=FINAL,
            is_proposal=False,
            outcome=ClassificationGrade.Outcome.UNCLASSIFIED,
            term__school_year_id=school_class.school_year_id,
        )
        .select_related("student", "subject")
        .order_by("student__last_name", "student__first_name", "subject__name")
    )
    if not grades:
        return []
    year = school_class.school_year
    tallies = attendance_selectors.tally(
        AttendanceMark.objects.filter(
            student_id__in={g.student_id for g in grades},
            lesson__subject_id__in={g.subject_id for g in grades},
            date__range=(year.start_date, year.end_date),
        ),
        "student_id",
        "lesson__subject_id",
    )
    result = []
    for cg in grades:
        tally = tallies.get((cg.student_id, cg.subject_id))
        absence = None
        if tally is not None and tally.counted:
            absence = (Decimal(tally.absent) * 100 / tally.counted).quantize(Decimal("0.1"))
        over = absence is not None and absence > grading.unclassified_absence_percent
        result.append(Unclassified(describe(cg, rules_, cg.student), cg.student, absence, over))
    return result


def promotion_page(viewer: Viewer, class_id: int) -> PromotionPage:
    """A class's promotion list as the viewer may see it (404 for anyone else)."""
    school_class = permissions.promotion_classes.get(
        viewer,
        class_id,
        queryset=SchoolClass.objects.select_related("school", "school_year", "class_teacher"),
    )
    can_manage = permissions.promotion_classes.allows(viewer, "manage", school_class)
    return _page(school_class, can_manage=can_manage)


def archive_page(school_class: SchoolClass) -> PromotionPage:
    """A class's promotion list as the year-end archive prints it (the system's work,
    run by the archive's task: no viewer)."""
    return _page(school_class, can_manage=False)


def _page(school_class: SchoolClass, *, can_manage: bool) -> PromotionPage:
    promotion_list = (
        PromotionList.objects.filter(school_class=school_class)
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=PromotionEntry.objects.select_related("student").order_by(
                    "student__last_name", "student__first_name", "pk"
                ),
            )
        )
        .first()
    )
    entries = list(promotion_list.entries.all()) if promotion_list else []
    page = PromotionPage(
        school_class,
        promotion_list,
        entries,
        can_manage=can_manage,
        last_class=rules.is_last_class(school_class.school.school_type, school_class.level),
    )
    if can_manage and not (promotion_list and promotion_list.is_frozen):
        page.preview = promotion_preview(school_class)
        page.unclassified = _unclassified(school_class, [r.student.pk for r in page.preview])
    return page


@dataclass
class ClassLine:
    school_class: SchoolClass
    status: str
    status_label: str


def promotion_classes(viewer: Viewer) -> list[ClassLine]:
    """The classes whose lists the viewer sees, each with its list's status (2 queries)."""
    classes = list(
        permissions.promotion_classes.queryset(viewer, "view")
        .select_related("school_year")
        .order_by("-school_year__start_date", "level", "name")
    )
    statuses = dict(
        PromotionList.objects.filter(school_class__in=[c.pk for c in classes]).values_list(
            "school_class_id", "status"
        )
    )
    labels = dict(PromotionList.Status.choices)
    return [
        ClassLine(c, statuses.get(c.pk, ""), str(labels.get(statuses.get(c.pk, ""), "")))
        for c in classes
    ]


def get_entry_for(viewer: Viewer, entry_id: int) -> PromotionEntry:
    """An entry of a list the viewer manages (404 otherwise)."""
    entry = (
        PromotionEntry.objects.filter(
            pk=entry_id,
            school_class__in=permissions.promotion_classes.queryset(viewer, "manage"),
        )
        .select_related("school_class")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def get_unclassified_for(viewer: Viewer, grade_id: int) -> ClassificationGrade:
    """An annual "not classified" of a class whose list the viewer manages (404
    otherwise)."""
    grade = ClassificationGrade.objects.filter(
        pk=grade_id,
        outcome=ClassificationGrade.Outcome.UNCLASSIFIED,
        school_class__in=permissions.promotion_classes.queryset(viewer, "manage"),
    ).first()
    if grade is None:
        raise Http404
    return grade
