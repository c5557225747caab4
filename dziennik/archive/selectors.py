"""Reads of the year close: what is missing before a year can be closed (L-09, L-12), the
year's archives, and the register of a class as the archive prints it."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.attendance.models import AttendanceKind, AttendanceMark, Lesson
from dziennik.grades.models import BehaviourGrade, ClassificationGrade
from dziennik.schools.models import (
    ClassGroup,
    Enrolment,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
)
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import YearArchive

# How many of a check's items the screen lists (the count is always whole).
ITEMS_SHOWN = 20

# The deadline of the archive: 10 days after the year's end (L-10, C-01).
DEADLINE_DAYS = 10


@dataclass
class CheckItem:
    label: str
    url: str
    count: int = 1


@dataclass
class Check:
    """One kind of missing entry: how many, and the first ``ITEMS_SHOWN`` with links."""

    key: str
    title: str
    count: int = 0
    items: list[CheckItem] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, len(self.all_items) - len(self.items))

    all_items: list[CheckItem] = field(default_factory=list, repr=False)


@dataclass
class CloseChecks:
    school_year: SchoolYear
    checks: list[Check]

    @property
    def missing(self) -> int:
        return sum(check.count for check in self.checks)

    def summary(self) -> dict[str, int]:
        """Each check's count, as the archive keeps it (``YearArchive.missing``)."""
        return {check.key: check.count for check in self.checks}


def get_school_year_for(viewer: Viewer, school_year_id: int) -> SchoolYear:
    """The school year the viewer may close; 404 for anyone else's or any other."""
    year = SchoolYear.objects.filter(pk=school_year_id).select_related("school").first()
    if year is None or not permissions.may_close(viewer, year.school_id):
        raise Http404
    return year


def current_school_year(viewer: Viewer) -> SchoolYear | None:
    """The school's year that contains today, else its latest."""
    today = timezone.localdate()
    years = SchoolYear.objects.filter(school_id=viewer.school_id)
    return years.filter(start_date__lte=today, end_date__gte=today).first() or years.first()


def _lessons(school_year: SchoolYear):
    last_day = min(timezone.localdate(), school_year.end_date)
    return (
        Lesson.objects.filter(
            school_id=school_year.school_id,
            school_class__school_year=school_year,
            date__gte=school_year.start_date,
            date__lte=last_day,
        )
        .select_related("school_class", "subject", "slot", "group")
        .only(
            "date",
            "school_class__name",
            "subject__name",
            "slot__number",
            "group__name",
            "topic",
            "attendance_taken_at",
        )
        .order_by("date", "slot__number", "pk")
    )


def _lesson_check(key: str, title: str, lessons) -> Check:
    check = Check(key=key, title=title, count=lessons.count())
    for lesson in lessons[:ITEMS_SHOWN]:
        target = lesson.group.name if lesson.group_id else lesson.school_class.name
        label = _("%(date)s, lesson %(number)s: %(subject)s, %(target)s") % {
            "date": lesson.date.strftime("%d.%m.%Y"),
            "number": lesson.slot.number,
            "subject": lesson.subject.name,
            "target": target,
        }
        check.items.append(CheckItem(label, reverse("attendance:lesson", args=[lesson.pk])))
    check.all_items = list(check.items)
    return check


def _enrolled(school_year: SchoolYear) -> dict[int, list[int]]:
    """Class id → the ids of its students now (those who left are not classified)."""
    result: dict[int, list[int]] = defaultdict(list)
    rows = Enrolment.objects.filter(
        school_class__school_year=school_year, end_date__isnull=True
    ).values_list("school_class_id", "student_id")
    for class_id, student_id in rows:
        result[class_id].append(student_id)
    return result


def _missing_annual_grades(school_year: SchoolYear, enrolled: dict[int, list[int]]) -> Check:
    """Students without an annual (final) grade in a subject they are taught."""
    graded = set(
        ClassificationGrade.objects.filter(
            term__school_year=school_year,
            kind=ClassificationGrade.Kind.FINAL,
            is_proposal=False,
        ).values_list("student_id", "subject_id")
    )
    assignments = (
        TeachingAssignment.objects.filter(school_class__school_year=school_year)
        .select_related("school_class", "subject")
        .only("school_class__name", "subject__name", "group_id")
        .order_by("school_class__level", "school_class__name", "subject__name")
    )
    group_members: dict[int, set[int]] = defaultdict(set)
    group_ids = {a.group_id for a in assignments if a.group_id}
    if group_ids:
        rows = ClassGroup.students.through.objects.filter(classgroup_id__in=group_ids)
        for group_id, student_id in rows.values_list("classgroup_id", "student_id"):
            group_members[group_id].add(student_id)
    missing: Counter = Counter()
    labels: dict[tuple[int, int], tuple[str, str]] = {}
    seen: set[tuple[int, int]] = set()
    for assignment in assignments:
        students = enrolled.get(assignment.school_class_id, [])
        if assignment.group_id:
            students = [s for s in students if s in group_members[assignment.group_id]]
        key = (assignment.school_class_id, assignment.subject_id)
        labels[key] = (assignment.school_class.name, assignment.subject.name)
        for student_id in students:
            if (student_id, assignment.subject_id) in graded or (
                student_id,
                assignment.subject_id,
                assignment.school_class_id,
            ) in seen:
                continue
            seen.add((student_id, assignment.subject_id, assignment.school_class_id))
            missing[key] += 1
    check = Check(
        key="annual_grades",
        title=_("Students without an annual grade in a subject they are taught"),
        count=sum(missing.values()),
    )
    for key in labels:
        if missing[key]:
            class_name, subject_name = labels[key]
            check.all_items.append(
                CheckItem(
                    _("%(class)s, %(subject)s") % {"class": class_name, "subject": subject_name},
                    reverse("grades:classification", args=list(key)),
                    missing[key],
                )
            )
    check.items = check.all_items[:ITEMS_SHOWN]
    return check


def _missing_behaviour(school_year: SchoolYear, enrolled: dict[int, list[int]]) -> Check:
    """Classes whose students lack the annual behaviour grade."""
    graded = set(
        BehaviourGrade.objects.filter(
            term__school_year=school_year, kind=BehaviourGrade.Kind.FINAL
        ).values_list("student_id", flat=True)
    )
    classes = SchoolClass.objects.filter(school_year=school_year).order_by("level", "name")
    check = Check(
        key="behaviour_grades",
        title=_("Classes without annual behaviour grades"),
    )
    for school_class in classes.only("name"):
        lacking = [s for s in enrolled.get(school_class.pk, []) if s not in graded]
        if lacking:
            check.count += 1
            check.all_items.append(
                CheckItem(
                    _("%(class)s: %(n)s students without the grade")
                    % {"class": school_class.name, "n": len(lacking)},
                    reverse("grades:behaviour", args=[school_class.pk]),
                    len(lacking),
                )
            )
    check.items = check.all_items[:ITEMS_SHOWN]
    return check


def year_close_checks(viewer: Viewer, school_year: SchoolYear) -> CloseChecks:
    """What the register of the year lacks before it is closed: held lessons without a
    topic (L-09) or without attendance, students without annual grades in the subjects
    they are taught, classes without annual behaviour grades. Lessons are the ones
    opened in the register up to today (a lesson of the plan nobody opened is not
    counted). A fixed number of queries."""
    permissions.require_close(viewer, school_year.school_id)
    return close_checks_of(school_year)


def close_checks_of(school_year: SchoolYear) -> CloseChecks:
    """The checks of ``year_close_checks`` for the system (the archive's task, after the
    principal was allowed to close)."""
    lessons = _lessons(school_year)
    enrolled = _enrolled(school_year)
    return CloseChecks(
        school_year=school_year,
        checks=[
            _lesson_check("topics", _("Lessons held without a topic"), lessons.filter(topic="")),
            _lesson_check(
                "attendance",
                _("Lessons held without attendance taken"),
                lessons.filter(attendance_taken_at__isnull=True),
            ),
            _missing_annual_grades(school_year, enrolled),
            _missing_behaviour(school_year, enrolled),
        ],
    )


def year_archives(viewer: Viewer, school_year: SchoolYear) -> list[YearArchive]:
    permissions.require_close(viewer, school_year.school_id)
    return list(YearArchive.objects.filter(school_year=school_year).select_related("requested_by"))


def get_archive_for(viewer: Viewer, archive_id: int) -> YearArchive:
    archive = (
        YearArchive.objects.filter(pk=archive_id)
        .select_related("school_year", "requested_by")
        .first()
    )
    if archive is None or not permissions.may_close(viewer, archive.school_id):
        raise Http404
    return archive


def deadline(school_year: SchoolYear) -> datetime.date:
    """10 days after the end of the school year (31 August → 10 September, L-10)."""
    return school_year.end_date + datetime.timedelta(days=DEADLINE_DAYS)


def due_archive(viewer: Viewer, today: datetime.date) -> tuple[SchoolYear, datetime.date] | None:
    """The year whose archive the principal must write now: from 1 August of the year's
    end until its archive exists (L-10). One query."""
    if not permissions.may_close(viewer, viewer.school_id):
        return None
    year = (
        SchoolYear.objects.filter(
            school_id=viewer.school_id,
            end_date__gte=today - datetime.timedelta(days=366),
            end_date__lte=today + datetime.timedelta(days=31),
        )
        .exclude(archives__status=YearArchive.Status.DONE)
        .order_by("end_date")
        .first()
    )
    if year is None or today < year.end_date.replace(month=8, day=1):
        return None
    return year, deadline(year)


# --- the register of a class, as the archive prints it ---------------------------------


@dataclass
class StudentLine:
    number: int
    name: str
    grades: list[str]
    behaviour: str
    present: int = 0
    absent: int = 0
    excluded: int = 0


@dataclass
class ClassJournal:
    school_class: SchoolClass
    subjects: list[str]
    students: list[StudentLine]
    lessons: list[Lesson]


def class_journal(school_class: SchoolClass) -> ClassJournal:
    """The class's register for the archive (the system reads it, for the principal's
    close): each student's annual grades and behaviour, attendance totals, and every
    lesson held with its topic. A fixed number of queries."""
    year = school_class.school_year
    enrolments = list(
        Enrolment.objects.filter(school_class=school_class)
        .select_related("student")
        .order_by("journal_number")
    )
    subject_rows = (
        TeachingAssignment.objects.filter(school_class=school_class)
        .values_list("subject_id", "subject__name")
        .distinct()
        .order_by("subject__name")
    )
    subjects = list(dict(subject_rows).items())
    finals: dict[tuple[int, int], str] = {}
    for student_id, subject_id, grade, text in ClassificationGrade.objects.filter(
        school_class=school_class,
        term__school_year=year,
        kind=ClassificationGrade.Kind.FINAL,
        is_proposal=False,
    ).values_list("student_id", "subject_id", "grade", "text"):
        finals[(student_id, subject_id)] = str(grade) if grade else text
    behaviour = {
        b.student_id: str(b)
        for b in BehaviourGrade.objects.filter(
            school_class=school_class, term__school_year=year, kind=BehaviourGrade.Kind.FINAL
        )
    }
    totals: dict[int, Counter] = defaultdict(Counter)
    for student_id, counts_as, n in (
        AttendanceMark.objects.filter(lesson__school_class=school_class)
        .values_list("student_id", "kind__counts_as")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        totals[student_id][counts_as] += n
    students = []
    for enrolment in enrolments:
        student = enrolment.student
        tally = totals[student.pk]
        students.append(
            StudentLine(
                number=enrolment.journal_number,
                name=f"{student.last_name} {student.first_name}",
                grades=[finals.get((student.pk, subject_id), "") for subject_id, _n in subjects],
                behaviour=behaviour.get(student.pk, ""),
                present=tally[AttendanceKind.Counts.PRESENT],
                absent=tally[AttendanceKind.Counts.ABSENT],
                excluded=tally[AttendanceKind.Counts.EXCLUDED],
            )
        )
    lessons = list(
        Lesson.objects.filter(school_class=school_class)
        .select_related("subject", "slot", "teacher", "group")
        .order_by("date", "slot__number", "pk")
    )
    return ClassJournal(
        school_class=school_class,
        subjects=[name for _id, name in subjects],
        students=students,
        lessons=lessons,
    )
