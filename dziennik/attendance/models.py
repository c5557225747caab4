"""The lesson register: lessons with their topics, attendance marks, justifications,
subject exemptions and the early-warning alerts that prevent truancy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import (
    ClassGroup,
    LessonSlot,
    School,
    SchoolClass,
    Student,
    Subject,
    Term,
)


class AttendanceSettings(models.Model):
    """A school's attendance rules that its statute sets."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="attendance_settings"
    )
    adult_students_may_justify = models.BooleanField(
        _("adult students may justify their own absences"), default=False
    )
    justification_deadline_days = models.PositiveSmallIntegerField(
        _("days after an absence to submit a justification"),
        default=7,
        help_text=_("0 means no deadline."),
    )
    risk_threshold_percent = models.PositiveSmallIntegerField(
        _("attendance below which non-classification risk is flagged (%)"), default=50
    )
    risk_minimum_lessons = models.PositiveSmallIntegerField(
        _("lessons needed before the risk is flagged"), default=4
    )

    class Meta:
        verbose_name = _("attendance settings")
        verbose_name_plural = _("attendance settings")

    def __str__(self) -> str:
        return str(self.school)


class AttendanceKind(models.Model):
    """A kind of attendance mark (*kategoria frekwencji*) and how it counts.

    Each school has its own kinds (defaults follow VULCAN and Librus, A-01…A-03); a kind
    has a base type, a rule for the attendance percentage and, for the unexcused kinds,
    the excused kind an accepted justification turns it into.
    """

    class Base(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent (unexcused)")
        ABSENT_EXCUSED = "absent_excused", _("absent (excused)")
        LATE = "late", _("late (unexcused)")
        LATE_EXCUSED = "late_excused", _("late (excused)")
        RELEASED = "released", _("released (zwolniony)")
        SCHOOL_REASONS = "school_reasons", _("absent for school reasons")

    class Counts(models.TextChoices):
        PRESENT = "present", _("counts as present")
        ABSENT = "absent", _("counts as absent")
        EXCLUDED = "excluded", _("left out of the percentage")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="attendance_kinds")
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=60)
    base = models.CharField(_("base type"), max_length=20, choices=Base.choices)
    counts_as = models.CharField(_("counts as"), max_length=10, choices=Counts.choices)
    shortcut = models.CharField(_("keyboard shortcut"), max_length=1, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#4a5560")
    excused_kind = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind after an accepted justification"),
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("attendance kind")
        verbose_name_plural = _("attendance kinds")
        ordering = ["school", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="uniq_attendance_code"),
            # Only the active kinds are offered on the lesson screen, so only they need
            # distinct keys: a deactivated kind may keep its old shortcut.
            models.UniqueConstraint(
                fields=["school", "shortcut"],
                condition=~Q(shortcut="") & Q(is_active=True),
                name="uniq_active_attendance_shortcut",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def is_present(self) -> bool:
        return self.base == self.Base.PRESENT

    @property
    def is_justifiable(self) -> bool:
        return self.excused_kind_id is not None


class Lesson(models.Model):
    """A lesson that took place (*lekcja*): date, lesson number, topic and attendance.

    Created when the teacher opens it. Entering the topic confirms that the lesson was
    conducted (RDPN § 21 ust. 5, L-09); ``conducted_at`` records when.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="lessons")
    group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="lessons"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="lessons")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons"
    )
    date = models.DateField(_("date"))
    slot = models.ForeignKey(
        LessonSlot, on_delete=models.PROTECT, related_name="+", verbose_name=_("lesson number")
    )
    timetable_entry = models.ForeignKey(
        "timetable.TimetableEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
    )
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    conducted_at = models.DateTimeField(_("topic entered at"), null=True, blank=True)
    attendance_taken_at = models.DateTimeField(_("attendance taken at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["-date", "slot__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "date", "slot"],
                condition=Q(group__isnull=True),
                name="uniq_class_lesson",
            ),
            models.UniqueConstraint(
                fields=["group", "date", "slot"],
                condition=Q(group__isnull=False),
                name="uniq_group_lesson",
            ),
        ]
        indexes = [
            models.Index(fields=["school_class", "date"]),
            models.Index(fields=["teacher", "date"]),
            models.Index(fields=["school", "date"]),
        ]

    def __str__(self) -> str:
        target = self.group or self.school_class
        return f"{self.date:%d.%m.%Y} {self.slot.number}. {self.subject} – {target}"

    @property
    def is_conducted(self) -> bool:
        return bool(self.topic.strip())


class AttendanceMark(models.Model):
    """One student's attendance at one lesson (*wpis frekwencji*)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="attendance")
    kind = models.ForeignKey(AttendanceKind, on_delete=models.PROTECT, related_name="+")
    # Denormalised from the lesson for statistics over a student's year without joins.
    date = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the mark is written, cleared once the early warnings of its student have
    # been re-checked in the background (``services.alerts_check_pending``).
    alerts_pending = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="uniq_mark_per_lesson"),
        ]
        indexes = [
            models.Index(fields=["student", "date"]),
            # the few marks still waiting for the warnings' check, found without a scan
            models.Index(
                fields=["id"], condition=Q(alerts_pending=True), name="mark_alerts_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} @ {self.lesson_id}: {self.kind_id}"


class SubjectExemption(models.Model):
    """Exemption from a subject (*zwolnienie z zajęć*, e.g. PE or religion), A-04.

    Not an attendance mark. When the student need not stay in the room, the lesson
    register leaves them out of that subject's attendance for the period.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="exemptions")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    must_attend = models.BooleanField(
        _("must stay at the lesson"),
        default=False,
        help_text=_("Unless the parent or adult student declared otherwise."),
    )
    basis = models.CharField(_("basis (decision, medical opinion)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("subject exemption")
        verbose_name_plural = _("subject exemptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__lte=models.F("date_to")), name="exemption_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.subject}"


def attachment_path(instance, filename: str) -> str:
    return f"justifications/{instance.school_id}/{instance.student_id}/{filename}"


class Justification(models.Model):
    """An excuse (*usprawiedliwienie*) for absences or lateness, and its decision (A-05)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        # Some of its lessons excused, the others refused (left unexcused): A-05.
        PARTIAL = "partial", _("accepted in part")
        REJECTED = "rejected", _("rejected")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="justifications")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="justifications"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    reason = models.TextField(_("reason"), max_length=2000)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True)
    marks = models.ManyToManyField(AttendanceMark, related_name="justifications")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("justification")
        verbose_name_plural = _("justifications")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["school_class", "status"])]

    def __str__(self) -> str:
        return f"{self.student} {self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y}"


class AttendanceAlert(models.Model):
    """An early warning about a student's attendance, shown to parents and the class
    teacher (and later sent through notifications). ``key`` makes creation idempotent;
    an alert whose cause disappears (a mark corrected) becomes inactive."""

    class Kind(models.TextChoices):
        UNEXCUSED = "unexcused", _("unexcused absence today")
        SELECTIVE = "selective", _("selective absence")
        RISK = "risk", _("risk of non-classification")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=100)
    date = models.DateField()
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attendance alert")
        verbose_name_plural = _("attendance alerts")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], name="uniq_alert_key"),
        ]
        indexes = [
            models.Index(fields=["student", "is_active", "date"]),
            models.Index(fields=["school_class", "is_active", "date"]),
        ]

    def __str__(self) -> str:
        return self.key


class AbsenceNotice(models.Model):
    """A parent's announcement of a coming absence (*zgłoszenie nieobecności*): the days
    (and lessons) the child will miss, and why. The class teacher sees it; when those
    lessons are taken, the child's mark starts as an excused absence."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("announced")
        CANCELLED = "cancelled", _("withdrawn")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="absence_notices")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="absence_notices"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    # Lesson numbers (inclusive); none: the whole day.
    lesson_from = models.PositiveSmallIntegerField(_("from lesson"), null=True, blank=True)
    lesson_to = models.PositiveSmallIntegerField(_("to lesson"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = _("absence notice")
        verbose_name_plural = _("absence notices")
        ordering = ["date_from", "id"]
        indexes = [models.Index(fields=["school_class", "date_to"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__lte=models.F("date_to")), name="absence_notice_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y}"

    def covers(self, day, lesson_number: int) -> bool:
        """Whether the notice covers lesson ``lesson_number`` on ``day``."""
        if self.status != self.Status.ACTIVE or not self.date_from <= day <= self.date_to:
            return False
        low = self.lesson_from or 0
        high = self.lesson_to if self.lesson_to is not None else 99
        return low <= lesson_number <= high
