"""What the printouts hold, read for the system (the job was allowed when it was
started): a class's register of the year per subject (*dziennik lekcyjny*) and the class
teacher's pages (*strony wychowawcy*). Each reader makes a fixed number of queries,
whatever the number of students, lessons or grades."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncMonth

from dziennik.attendance.models import AttendanceKind, AttendanceMark, Lesson
from dziennik.grades.models import BehaviourGrade, ClassificationGrade, Grade
from dziennik.promotion.models import PromotionEntry
from dziennik.schools.models import Enrolment, Guardianship, SchoolClass, TeachingAssignment


@dataclass
class LessonLine:
    """A lesson as the register lists it: when, who taught what, who was not there."""

    date: object
    number: int
    topic: str
    teacher: str
    group: str
    # journal numbers by attendance code of those not simply present, e.g. "nb: 3, 7"
    marks: str


@dataclass
class TermGrades:
    grades: str
    classification: str


@dataclass
class GradeLine:
    number: int
    name: str
    terms: list[TermGrades]
    final: str


@dataclass
class SubjectSection:
    """One subject of the class's register: its teachers, lessons and grades."""

    name: str
    teachers: list[str]
    term_names: list[str]
    lessons: list[LessonLine] = field(default_factory=list)
    students: list[GradeLine] = field(default_factory=list)


def _enrolments(school_class: SchoolClass) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(school_class=school_class)
        .select_related("student")
        .order_by("journal_number", "pk")
    )


def _subjects(school_class: SchoolClass, teacher_id: int | None) -> dict[int, tuple[str, set]]:
    """Subject id → (name, teacher names), of the teacher's own assignments if given."""
    assignments = TeachingAssignment.objects.filter(school_class=school_class)
    if teacher_id is not None:
        assignments = assignments.filter(teacher_id=teacher_id)
    result: dict[int, tuple[str, set]] = {}
    for subject_id, name, first, last in assignments.values_list(
        "subject_id", "subject__name", "teacher__first_name", "teacher__last_name"
    ).order_by("subject__name"):
        result.setdefault(subject_id, (name, set()))[1].add(f"{first} {last}".strip())
    return result


def _lessons(school_class, subject_ids, numbers) -> dict[int, list[LessonLine]]:
    absent: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for lesson_id, student_id, code in (
        AttendanceMark.objects.filter(lesson__school_class=school_class)
        .exclude(kind__base=AttendanceKind.Base.PRESENT)
        .values_list("lesson_id", "student_id", "kind__code")
    ):
        absent[lesson_id][code].append(numbers.get(student_id, 0))
    result: dict[int, list[LessonLine]] = defaultdict(list)
    lessons = (
        Lesson.objects.filter(school_class=school_class, subject_id__in=subject_ids)
        .select_related("slot", "teacher", "group")
        .order_by("date", "slot__number", "pk")
    )
    for lesson in lessons:
        marks = "; ".join(
            f"{code}: {', '.join(str(n) for n in sorted(found))}"
            for code, found in sorted(absent[lesson.pk].items())
        )
        result[lesson.subject_id].append(
            LessonLine(
                date=lesson.date,
                number=lesson.slot.number,
                topic=lesson.topic,
                teacher=lesson.teacher.get_full_name(),
                group=lesson.group.name if lesson.group_id else "",
                marks=marks,
            )
        )
    return result


def register_sections(school_class: SchoolClass, *, teacher_id: int | None = None):
    """The class's register per subject (only the teacher's subjects if ``teacher_id``):
    the lessons with their date, number, topic, teacher and who was absent or late, and
    each student's grades per term with the term and annual grades."""
    enrolments = _enrolments(school_class)
    numbers = {e.student_id: e.journal_number for e in enrolments}
    subjects = _subjects(school_class, teacher_id)
    terms = list(school_class.school_year.terms.order_by("number"))
    lessons = _lessons(school_class, list(subjects), numbers)
    grades: dict[tuple[int, int, int], list[str]] = defaultdict(list)
    for grade in (
        Grade.objects.filter(
            assessment__school_class=school_class, assessment__subject_id__in=list(subjects)
        )
        .select_related("assessment")
        .order_by("assessment__date", "pk")
    ):
        key = (grade.student_id, grade.assessment.subject_id, grade.assessment.term_id)
        grades[key].append(grade.display)
    classified: dict[tuple, str] = {}
    for grade in ClassificationGrade.objects.filter(
        school_class=school_class, subject_id__in=list(subjects), is_proposal=False
    ):
        term_id = grade.term_id if grade.kind == ClassificationGrade.Kind.TERM else None
        classified[(grade.student_id, grade.subject_id, term_id)] = str(grade)
    sections = []
    for subject_id, (name, teachers) in subjects.items():
        section = SubjectSection(
            name=name,
            teachers=sorted(teachers),
            term_names=[str(term.number) for term in terms],
            lessons=lessons.get(subject_id, []),
        )
        for enrolment in enrolments:
            student = enrolment.student
            section.students.append(
                GradeLine(
                    number=enrolment.journal_number,
                    name=f"{student.last_name} {student.first_name}",
                    terms=[
                        TermGrades(
                            grades=" ".join(grades[(student.pk, subject_id, term.pk)]),
                            classification=classified.get((student.pk, subject_id, term.pk), ""),
                        )
                        for term in terms
                    ],
                    final=classified.get((student.pk, subject_id, None), ""),
                )
            )
        sections.append(section)
    return sections


@dataclass
class GuardianLine:
    name: str
    relation: str
    phone: str
    email: str
    address: str


@dataclass
class PupilLine:
    """A student on the class teacher's pages: personal data, parents, behaviour, the
    monthly attendance and the year's outcome."""

    number: int
    name: str
    birth: str
    pesel: str
    address: str
    enrolled: str
    guardians: list[GuardianLine]
    behaviour: list[str]
    final_behaviour: str
    months: list[str]
    outcome: str


@dataclass
class ClassTeacherPages:
    school_class: SchoolClass
    term_names: list[str]
    months: list[str]
    students: list[PupilLine]


def _monthly_attendance(school_class: SchoolClass) -> tuple[list, dict]:
    """The months with lessons, and (student, month) → Counter of how marks count."""
    tally: dict[tuple[int, object], Counter] = defaultdict(Counter)
    months: set = set()
    for student_id, month, counts_as, n in (
        AttendanceMark.objects.filter(lesson__school_class=school_class)
        .annotate(month=TruncMonth("date"))
        .values_list("student_id", "month", "kind__counts_as")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = month.date() if hasattr(month, "date") else month
        months.add(month)
        tally[(student_id, month)][counts_as] += n
    return sorted(months), tally


def _attendance_cell(counter: Counter) -> str:
    """ "absent/counted (percent present)", the register's monthly summary."""
    present = counter[AttendanceKind.Counts.PRESENT]
    absent = counter[AttendanceKind.Counts.ABSENT]
    if not present + absent:
        return "–"
    return f"{absent}/{present + absent} ({round(100 * present / (present + absent))}%)"


def class_teacher_pages(school_class: SchoolClass) -> ClassTeacherPages:
    """The class teacher's pages of the register (*strony wychowawcy*)."""
    enrolments = _enrolments(school_class)
    terms = list(school_class.school_year.terms.order_by("number"))
    guardians: dict[int, list[GuardianLine]] = defaultdict(list)
    for link in (
        Guardianship.objects.filter(student_id__in=[e.student_id for e in enrolments])
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name", "pk")
    ):
        g = link.guardian
        guardians[link.student_id].append(
            GuardianLine(
                name=f"{g.first_name} {g.last_name}",
                relation=link.get_relation_display(),
                phone=g.phone,
                email=g.email,
                address=g.address,
            )
        )
    behaviour: dict[tuple, str] = {}
    for grade in BehaviourGrade.objects.filter(school_class=school_class):
        term_id = grade.term_id if grade.kind == BehaviourGrade.Kind.TERM else None
        behaviour[(grade.student_id, term_id)] = str(grade)
    outcomes = {
        entry.student_id: entry.get_outcome_display()
        for entry in PromotionEntry.objects.filter(school_class=school_class)
    }
    months, tally = _monthly_attendance(school_class)
    students = []
    for enrolment in enrolments:
        student = enrolment.student
        birth = student.birth_date.strftime("%d.%m.%Y") if student.birth_date else ""
        enrolled = enrolment.start_date.strftime("%d.%m.%Y")
        if enrolment.end_date:
            enrolled += " – " + enrolment.end_date.strftime("%d.%m.%Y")
        students.append(
            PupilLine(
                number=enrolment.journal_number,
                name=f"{student.last_name} {student.first_name} {student.second_name}".strip(),
                birth=", ".join(part for part in (birth, student.birth_place) if part),
                pesel=student.pesel,
                address=student.address,
                enrolled=enrolled,
                guardians=guardians[student.pk],
                behaviour=[behaviour.get((student.pk, term.pk), "") for term in terms],
                final_behaviour=behaviour.get((student.pk, None), ""),
                months=[_attendance_cell(tally[(student.pk, month)]) for month in months],
                outcome=outcomes.get(student.pk, ""),
            )
        )
    return ClassTeacherPages(
        school_class=school_class,
        term_names=[str(term.number) for term in terms],
        months=[month.strftime("%m.%Y") for month in months],
        students=students,
    )
