"""Who may do what in the lesson register: one place for the views, the services, the
selectors and any future API.

Each policy (``dziennik.core.policy.Policy``) answers "which rows may this viewer see or
change" (``queryset``/``filter``) and "may this viewer do X to this object" (``allows``,
``require``, ``get``) from the same rule, so the lists a screen shows and the writes a
service accepts cannot drift apart:

* ``lessons`` – a lesson: ``view`` (open its screen), ``edit`` (save its topic and marks);
* ``justifications`` – an excuse: ``view``, ``decide`` (L-19);
* ``absence_notices`` – a parent's announcement of a coming absence: ``view``,
  ``withdraw``;
* ``student_attendance`` – a student's attendance: ``view`` (their pages), ``justify``
  (submit an excuse, A-05), ``exempt`` (record a subject exemption, A-04);
* ``class_attendance`` – a class's attendance: ``summary`` (its statistics; a group's
  teacher sees the group's students only, ``summary_students``), ``lead`` (its warnings
  and monthly sheet);
* ``exemptions`` and ``kinds`` – the settings screens' rows.

Screen-wide questions without an object ("may this viewer use the register at all") are
plain functions at the end. Every function takes the request's ``Viewer``, never a user.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import ClassGroup, Enrolment, SchoolClass, Student
from dziennik.schools.permissions import students
from dziennik.schools.viewer import Viewer

from .config import settings_for
from .models import AbsenceNotice, AttendanceKind, Justification, Lesson, SubjectExemption

ADULT_AGE = 18


def _in_school(viewer: Viewer) -> bool:
    return viewer.is_authenticated and viewer.school_id is not None


def adult_students_may_justify(school_id: int) -> bool:
    """The school's statute lets adult students justify their own absences (A-05)."""
    return settings_for(school_id).adult_students_may_justify


def _adult_born_by(day: datetime.date) -> datetime.date:
    """The latest birth date of someone who is an adult on ``day`` (``Student.is_adult_on``)."""
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February: who was born on 28 February is of age
        return day.replace(year=day.year - ADULT_AGE, day=28)


# --- lessons ----------------------------------------------------------------------
class LessonPolicy(Policy):
    """A lesson (``Lesson``) of the register.

    ``view``: the lesson's teacher, the class teacher (*wychowawca*) of its class, and
    the principal, deputy and secretary of the school. ``edit``: the same people except
    the secretary, who reads the register but does not keep it. Opening a lesson of the
    plan (``may_open``) follows ``edit``: whoever may save the lesson may open it.
    """

    model = Lesson
    actions = ("view", "edit")

    @staticmethod
    def _whole_school(viewer: Viewer, action: str) -> bool:
        return viewer.is_principal if action == "edit" else viewer.is_school_wide

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not _in_school(viewer) or not viewer.is_staff_member:
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if self._whole_school(viewer, action):
            return school
        return school & (
            Q(teacher_id=viewer.user_id) | Q(school_class_id__in=list(viewer.led_class_ids))
        )

    def check(self, viewer: Viewer, action: str, obj: Lesson) -> bool:
        return self._allows(
            viewer,
            action,
            school_id=obj.school_id,
            teacher_id=obj.teacher_id,
            school_class_id=obj.school_class_id,
        )

    def _allows(
        self, viewer: Viewer, action: str, *, school_id: int, teacher_id: int, school_class_id: int
    ) -> bool:
        if not _in_school(viewer) or not viewer.is_staff_member or school_id != viewer.school_id:
            return False
        return (
            self._whole_school(viewer, action)
            or teacher_id == viewer.user_id
            or school_class_id in viewer.led_class_ids
        )

    def may_open(self, viewer: Viewer, *, school_id: int, teacher_id: int, school_class_id: int):
        """May ``viewer`` open the lesson a teacher takes (after substitutions) in a
        class: the ``edit`` rule, before the lesson exists."""
        return self._allows(
            viewer,
            "edit",
            school_id=school_id,
            teacher_id=teacher_id,
            school_class_id=school_class_id,
        )


# --- justifications -----------------------------------------------------------------
class JustificationPolicy(Policy):
    """An excuse (*usprawiedliwienie*): its reasons and attachments (a doctor's note) are
    read only by those who decide on it and by the family who sent it (L-19, P-08).

    ``view``: its student, their parents with full access, the class teacher of the class
    it was submitted in, and the principal or deputy – not the secretary, who keeps the
    register's set-up but decides no excuse, nor a subject teacher, who sees the marks
    turn excused. ``decide``: the class teacher of that class or the principal or deputy
    (L-19), whatever its status (the service refuses to decide one twice).
    """

    model = Justification
    actions = ("view", "decide")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not _in_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id)
        led = Q(school_class_id__in=list(viewer.led_class_ids))
        if viewer.is_principal:
            return school
        if action == "decide":
            return school & led
        own = Q(student_id__in=list(viewer.child_ids)) | led
        if viewer.student_id:
            own |= Q(student_id=viewer.student_id)
        return school & own

    def check(self, viewer: Viewer, action: str, obj: Justification) -> bool:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if viewer.is_principal or obj.school_class_id in viewer.led_class_ids:
            return True
        if action == "decide":
            return False
        return obj.student_id in viewer.child_ids or obj.student_id == viewer.student_id

    @staticmethod
    def decides_any(viewer: Viewer) -> bool:
        """Whether ``viewer`` decides some excuses (the list of excuses to decide)."""
        return _in_school(viewer) and (viewer.is_principal or viewer.is_class_teacher)

    @staticmethod
    def reads_any_of(viewer: Viewer, student: Student) -> bool:
        """Whether ``viewer`` is among those who may read some of ``student``'s excuses
        (the list on the student's page): the family, the principal or deputy, a class
        teacher (of the class an excuse was submitted in, which the list filters)."""
        if not _in_school(viewer) or student.school_id != viewer.school_id:
            return False
        return (
            viewer.is_principal
            or viewer.is_class_teacher
            or student.pk in viewer.child_ids
            or student.pk == viewer.student_id
        )


# --- absence notices ------------------------------------------------------------------
class AbsenceNoticePolicy(Policy):
    """A parent's announcement of a coming absence (*zgłoszenie nieobecności*).

    ``view``: its student, their parents with full access, the class teacher of the class
    it was sent in, and the principal or deputy (like an excuse: its reason is the
    family's, P-08). ``withdraw``: the parents with full access, and the student who
    may justify their own absences (adult students, when the statute allows, A-05).
    """

    model = AbsenceNotice
    actions = ("view", "withdraw")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if not _in_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id)
        family = Q(student_id__in=list(viewer.child_ids))
        if action == "withdraw":
            if viewer.student_id and adult_students_may_justify(viewer.school_id):
                family |= Q(
                    student_id=viewer.student_id,
                    student__birth_date__lte=_adult_born_by(timezone.localdate()),
                )
            return school & family
        if viewer.is_principal:
            return school
        own = family | Q(school_class_id__in=list(viewer.led_class_ids))
        if viewer.student_id:
            own |= Q(student_id=viewer.student_id)
        return school & own

    def check(self, viewer: Viewer, action: str, obj: AbsenceNotice) -> bool:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if obj.student_id in viewer.child_ids:
            return True
        if action == "withdraw":
            if obj.student_id == viewer.student_id and viewer.student_id:
                return None  # an adult student: the rule asks the birth date
            return False
        return (
            viewer.is_principal
            or obj.school_class_id in viewer.led_class_ids
            or obj.student_id == viewer.student_id
        )


# --- a student's attendance --------------------------------------------------------
class StudentAttendancePolicy(Policy):
    """A student's attendance.

    ``view``: whoever may see the student (``schools.permissions.students``: the family,
    the student, their teachers, the school's management).
    ``justify``: a parent with full access, or the adult student themself when the
    school's statute lets adult students justify (A-05).
    ``exempt``: the principal or deputy for every student of the school, a class teacher
    for the students in their class now. (Exempting is the principal's decision, art.
    44l UoSO; the class teacher records it for their class, as they decide on excuses.)
    """

    model = Student
    actions = ("view", "justify", "exempt")

    def filter(self, viewer: Viewer, action: str = "view") -> Q:
        if action == "view":
            return students.filter(viewer)
        if not _in_school(viewer):
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if action == "exempt":
            return school & _exempting(viewer, "pk__in")
        q = Q(pk__in=list(viewer.child_ids))
        if viewer.student_id and adult_students_may_justify(viewer.school_id):
            q |= Q(pk=viewer.student_id, birth_date__lte=_adult_born_by(timezone.localdate()))
        return school & q

    def check(self, viewer: Viewer, action: str, obj: Student) -> bool | None:
        if action == "view":
            return students.check(viewer, action, obj)
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if action == "exempt":
            if viewer.is_principal:
                return True
            return None if viewer.is_class_teacher else False
        if obj.pk in viewer.child_ids:
            return True
        return (
            obj.pk == viewer.student_id
            and obj.is_adult_on()
            and adult_students_may_justify(viewer.school_id)
        )


def _exempting(viewer: Viewer, lookup: str) -> Q:
    """``lookup`` (a student id) among the students whose exemptions ``viewer`` records:
    every student of the school for the principal, the students now in their classes
    for a class teacher, nobody otherwise. The school is filtered by the caller."""
    if viewer.is_principal:
        return Q()
    if not viewer.is_class_teacher:
        return NOTHING
    return Q(
        **{
            lookup: Enrolment.objects.filter(
                school_class_id__in=list(viewer.led_class_ids), end_date__isnull=True
            ).values("student_id")
        }
    )


# --- a class's attendance ----------------------------------------------------------
class ClassAttendancePolicy(Policy):
    """A class's attendance as a whole.

    ``summary`` (the statistics of the class's students and of its subjects): the
    school's management and every teacher of the class – the class teacher, whoever
    teaches the whole class, and whoever teaches only a group of it. A group's teacher
    sees only the group's students in it, totals included (``summary_students``): the
    rest of the list would tell who does not attend the group – who is not at religion
    is a special category of data (RODO art. 9). A parent or a student never sees a
    class summary, even of their own class.
    ``lead`` (the class's warnings and its monthly sheet): the class teacher and the
    school's management.
    """

    model = SchoolClass
    actions = ("summary", "lead")

    def filter(self, viewer: Viewer, action: str = "summary") -> Q:
        if not _in_school(viewer) or not viewer.is_staff_member:
            return NOTHING
        school = Q(school_id=viewer.school_id)
        if viewer.is_school_wide:
            return school
        ids = viewer.led_class_ids if action == "lead" else viewer.teaching_class_ids
        return school & Q(pk__in=list(ids))

    def check(self, viewer: Viewer, action: str, obj: SchoolClass) -> bool:
        if not _in_school(viewer) or not viewer.is_staff_member:
            return False
        if obj.school_id != viewer.school_id:
            return False
        if viewer.is_school_wide:
            return True
        ids = viewer.led_class_ids if action == "lead" else viewer.teaching_class_ids
        return obj.pk in ids

    @staticmethod
    def summary_students(viewer: Viewer, school_class: SchoolClass) -> Q:
        """Which students of ``school_class`` (a class whose ``summary`` the viewer may
        see) its summary shows, as a ``Q`` on a ``student_id``: all of them to the
        management, the class teacher and whoever teaches the whole class; to a teacher
        of only groups of it, the members of those groups."""
        whole = viewer.led_class_ids | viewer.taught_class_ids
        if viewer.is_school_wide or school_class.pk in whole:
            return Q()
        members = ClassGroup.students.through.objects.filter(
            classgroup_id__in=list(viewer.taught_group_ids),
            classgroup__school_class_id=school_class.pk,
        )
        return Q(student_id__in=members.values("student_id"))


# --- the settings screens ----------------------------------------------------------
class SubjectExemptionPolicy(Policy):
    """A subject exemption (*zwolnienie z zajęć*, A-04): managed by whoever may exempt
    its student (``student_attendance``'s ``exempt``)."""

    model = SubjectExemption
    actions = ("manage",)

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not _in_school(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id) & _exempting(viewer, "student_id__in")

    def check(self, viewer: Viewer, action: str, obj: SubjectExemption) -> bool | None:
        if not _in_school(viewer) or obj.school_id != viewer.school_id:
            return False
        if viewer.is_principal:
            return True
        return None if viewer.is_class_teacher else False


class AttendanceKindPolicy(Policy):
    """An attendance kind of the school: managed by the principal or deputy, who set the
    school's attendance rules."""

    model = AttendanceKind
    actions = ("manage",)

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not can_manage_rules(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: AttendanceKind) -> bool:
        return can_manage_rules(viewer) and obj.school_id == viewer.school_id


lessons = LessonPolicy()
justifications = JustificationPolicy()
absence_notices = AbsenceNoticePolicy()
student_attendance = StudentAttendancePolicy()
class_attendance = ClassAttendancePolicy()
exemptions = SubjectExemptionPolicy()
kinds = AttendanceKindPolicy()


# --- screens without an object -----------------------------------------------------
def uses_register(viewer: Viewer) -> bool:
    """Members of staff keep the register: their day's lessons, lessons without a
    topic, class summaries."""
    return _in_school(viewer) and viewer.is_staff_member


def sees_school_attendance(viewer: Viewer) -> bool:
    """The principal, deputy and secretary see the attendance of every class."""
    return _in_school(viewer) and viewer.is_school_wide


def can_manage_rules(viewer: Viewer) -> bool:
    """The principal (or a deputy) sets the attendance kinds and the school's rules."""
    return _in_school(viewer) and viewer.is_principal


def can_manage_exemptions(viewer: Viewer) -> bool:
    """Who may open the subject exemptions screen: the principal for the whole school, a
    class teacher for the students of their classes."""
    return _in_school(viewer) and (viewer.is_principal or viewer.is_class_teacher)


def exemption_class_filter(viewer: Viewer, prefix: str = "") -> Q:
    """A Q on classes (or on a relation to them via ``prefix``): those whose students'
    exemptions ``viewer`` records."""
    if not can_manage_exemptions(viewer):
        return NOTHING
    school = Q(**{f"{prefix}school_id": viewer.school_id})
    if viewer.is_principal:
        return school
    return school & Q(**{f"{prefix}pk__in": list(viewer.led_class_ids)})
