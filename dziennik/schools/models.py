"""School structure: schools, years and terms, days off, bells, classes, groups, subjects,
teaching assignments, students, guardians and families, staff roles.

Every school-owned row carries its school, so that no query can cross schools by accident.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _other_school(errors: dict, field: str, own_school_id, related_school_id) -> None:
    """Note in ``errors`` that ``field`` points into another school (rows never cross
    schools). Unknown ids (a form still being filled in) are not judged."""
    if None not in (own_school_id, related_school_id) and own_school_id != related_school_id:
        errors[field] = _("This belongs to another school.")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


class Voivodeship(models.TextChoices):
    DOLNOSLASKIE = "dolnoslaskie", "dolnośląskie"
    KUJAWSKO_POMORSKIE = "kujawsko-pomorskie", "kujawsko-pomorskie"
    LUBELSKIE = "lubelskie", "lubelskie"
    LUBUSKIE = "lubuskie", "lubuskie"
    LODZKIE = "lodzkie", "łódzkie"
    MALOPOLSKIE = "malopolskie", "małopolskie"
    MAZOWIECKIE = "mazowieckie", "mazowieckie"
    OPOLSKIE = "opolskie", "opolskie"
    PODKARPACKIE = "podkarpackie", "podkarpackie"
    PODLASKIE = "podlaskie", "podlaskie"
    POMORSKIE = "pomorskie", "pomorskie"
    SLASKIE = "slaskie", "śląskie"
    SWIETOKRZYSKIE = "swietokrzyskie", "świętokrzyskie"
    WARMINSKO_MAZURSKIE = "warminsko-mazurskie", "warmińsko-mazurskie"
    WIELKOPOLSKIE = "wielkopolskie", "wielkopolskie"
    ZACHODNIOPOMORSKIE = "zachodniopomorskie", "zachodniopomorskie"


class School(models.Model):
    """A school (*szkoła*): the tenant that owns all register data."""

    class Type(models.TextChoices):
        PRIMARY = "primary", _("primary school (szkoła podstawowa)")
        LYCEUM = "lyceum", _("general secondary school (liceum ogólnokształcące)")
        TECHNICAL = "technical", _("technical secondary school (technikum)")
        VOCATIONAL = "vocational", _("vocational school (szkoła branżowa)")
        POST_SECONDARY = "post_secondary", _("post-secondary school (szkoła policealna)")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    school_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    is_public = models.BooleanField(_("public school"), default=True)
    voivodeship = models.CharField(_("voivodeship"), max_length=30, choices=Voivodeship.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    rspo = models.CharField(_("RSPO number"), max_length=20, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=50, default="Europe/Warsaw")
    crest = models.ImageField(
        _("crest"),
        upload_to="schools/crests/",
        blank=True,
        help_text=_("The school's crest or logo, shown on the login page (PNG or JPEG)."),
    )
    electronic_only_consent = models.CharField(
        _("consent of the governing body for an electronic-only register"),
        max_length=200,
        blank=True,
        help_text=_("Date and reference number of the consent (RDPN § 21 ust. 1)."),
    )
    require_staff_second_factor = models.BooleanField(
        _("staff must use a second factor"),
        default=False,
        help_text=_(
            "Staff accounts without an authenticator app are sent to set one up after login."
        ),
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_primary(self) -> bool:
        return self.school_type == self.Type.PRIMARY


class SchoolYear(models.Model):
    """A school year (*rok szkolny*): 1 September to 31 August."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="school_years"
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("e.g. 2026/2027"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    classes_start = models.DateField(_("first day of lessons"))
    classes_end = models.DateField(_("last day of lessons"))
    # The year close (L-10, L-12): once closed, the register of the year is frozen
    # (``services.ensure_year_open``) but for the principal's documented correction.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    correction_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("correction by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    correction_reason = models.CharField(
        _("reason for the correction"), max_length=500, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start_date"], name="uniq_school_year"),
            models.CheckConstraint(
                condition=Q(start_date__lt=models.F("end_date")), name="school_year_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and (self.start_date.month, self.start_date.day) != (9, 1):
            raise ValidationError({"start_date": _("A school year starts on 1 September.")})
        if self.end_date and (self.end_date.month, self.end_date.day) != (8, 31):
            raise ValidationError({"end_date": _("A school year ends on 31 August.")})

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Term(models.Model):
    """A classification period (*okres*, *półrocze*) whose dates the school sets."""

    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="terms"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="uniq_term_number"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} – {_('term')} {self.number}"

    def clean(self) -> None:
        year = self.school_year if self.school_year_id else None
        if year is None or self.start_date is None or self.end_date is None:
            return
        if self.start_date > self.end_date:
            raise ValidationError({"end_date": _("A term ends after it starts.")})
        if not (year.contains(self.start_date) and year.contains(self.end_date)):
            raise ValidationError(_("A term lies within its school year."))


class DayOff(models.Model):
    """A day or range of days without lessons: national holidays, breaks, school free days."""

    class Kind(models.TextChoices):
        NATIONAL_HOLIDAY = "national_holiday", _("national holiday")
        CHRISTMAS_BREAK = "christmas_break", _("winter holiday break")
        WINTER_HOLIDAYS = "winter_holidays", _("winter holidays (ferie zimowe)")
        SPRING_BREAK = "spring_break", _("spring holiday break")
        SCHOOL_FREE_DAY = "school_free_day", _("additional day off set by the principal")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="days_off"
    )
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="days_off"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["date_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__lte=models.F("date_to")), name="day_off_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y})"

    def clean(self) -> None:
        if self.school_year_id:
            errors: dict = {}
            _other_school(errors, "school_year", self.school_id, self.school_year.school_id)
            _raise(errors)


class LessonSlot(models.Model):
    """A lesson number in the bell schedule (*dzwonki*) with its start and end time."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="lesson_slots"
    )
    number = models.PositiveSmallIntegerField(_("lesson number"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("bell schedule entry")
        verbose_name_plural = _("bell schedule")
        ordering = ["school", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="uniq_lesson_slot"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="lesson_slot_order"
            ),
            models.CheckConstraint(condition=Q(number__lte=15), name="lesson_slot_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Subject(models.Model):
    """A subject (*przedmiot*) of the curriculum as the school teaches it."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="subjects"
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    counts_towards_average = models.BooleanField(
        _("counts towards the overall average"),
        default=True,
        help_text=_("Religion and ethics: the school's choice."),
    )

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="uniq_subject_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """A class (*oddział*), e.g. "4b", in one school year, with its class teacher."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="classes"
    )
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="classes"
    )
    name = models.CharField(_("name"), max_length=20)
    level = models.PositiveSmallIntegerField(_("level"))
    class_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("class teacher (wychowawca)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_classes",
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "name"], name="uniq_class_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict = {}
        if self.school_year_id:
            _other_school(errors, "school_year", self.school_id, self.school_year.school_id)
        if self.class_teacher_id:
            _other_school(errors, "class_teacher", self.school_id, self.class_teacher.school_id)
        _raise(errors)

    @property
    def has_descriptive_grades(self) -> bool:
        """Classes 1–3 (early education, *edukacja wczesnoszkolna*) get descriptive term
        and final grades, behaviour included, instead of a grade on a scale (G-10, B-01)."""
        return self.level <= 3


class Family(models.Model):
    """A family (*rodzina*): siblings and their guardians, whose accounts are linked."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="families"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["school", "name"]

    def __str__(self) -> str:
        return self.name


class _Person(models.Model):
    """What a student and a guardian share: a name, and a family and an account that must
    belong to the person's own school."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        errors: dict = {}
        if self.family_id:
            _other_school(errors, "family", self.school_id, self.family.school_id)
        if self.user_id:
            _other_school(errors, "user", self.school_id, self.user.school_id)
        _raise(errors)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StudentQuerySet(models.QuerySet):
    def in_class(self, school_class_id: int) -> StudentQuerySet:
        return self.filter(
            enrolments__school_class_id=school_class_id, enrolments__end_date__isnull=True
        )


class Student(_Person):
    """A student (*uczeń*). Records stay with the student when they change class."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="students"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    second_name = models.CharField(_("second name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True)
    address = models.CharField(_("home address"), max_length=200, blank=True)
    external_id = models.CharField(
        _("import identifier"),
        max_length=50,
        blank=True,
        help_text=_("Identifier from the school's records, used to match re-imports."),
    )
    family = models.ForeignKey(
        Family,
        verbose_name=_("family"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student_profile",
    )
    restricts_parent_view = models.BooleanField(
        _("adult student restricts parents' view"),
        default=False,
        help_text=_("School policy for adult students (P-04); off by default."),
    )

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_student_external_id",
                violation_error_code="external_id_taken",
                violation_error_message=_("Another student has this import identifier."),
            ),
        ]

    @property
    def class_label(self) -> str:
        """The current class, when loaded as ``current_enrolments`` (``children_of``)."""
        return ", ".join(e.school_class.name for e in getattr(self, "current_enrolments", ()))

    def is_adult_on(self, day: datetime.date | None = None) -> bool:
        if self.birth_date is None:
            return False
        day = day or timezone.localdate()
        b = self.birth_date
        return (day.year - b.year - ((day.month, day.day) < (b.month, b.day))) >= 18


class Enrolment(models.Model):
    """A student's membership of a class for a period, with their journal number.

    A student who changes class gets a new enrolment; the old one keeps its end date.
    """

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="enrolments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="enrolments"
    )
    journal_number = models.PositiveSmallIntegerField(_("journal number"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["school_class", "journal_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(end_date__isnull=True),
                name="one_current_enrolment",
                violation_error_code="enrolled",
                violation_error_message=_("The student is in a class already."),
            ),
            models.UniqueConstraint(
                fields=["school_class", "journal_number"],
                condition=Q(end_date__isnull=True),
                name="uniq_current_journal_number",
                violation_error_code="journal_number_taken",
                violation_error_message=_("This journal number is taken in the class."),
            ),
        ]
        indexes = [models.Index(fields=["school_class", "end_date"])]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_class} ({self.journal_number})"

    def clean(self) -> None:
        errors: dict = {}
        if self.student_id and self.school_class_id:
            _other_school(
                errors, "school_class", self.student.school_id, self.school_class.school_id
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("An enrolment ends on or after the day it starts.")
        _raise(errors)


class ClassGroup(models.Model):
    """A group inside a class (language group, PE group) that students can belong to."""

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=50)
    students = models.ManyToManyField(
        Student, verbose_name=_("students"), related_name="class_groups", blank=True
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["school_class", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "name"], name="uniq_group_name"),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.name}"


class Guardian(_Person):
    """A parent or legal guardian (*rodzic*, *opiekun prawny*); each has their own account."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="guardians"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    external_id = models.CharField(_("import identifier"), max_length=50, blank=True)
    family = models.ForeignKey(
        Family,
        verbose_name=_("family"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardians",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian_profile",
    )
    students = models.ManyToManyField(
        Student, verbose_name=_("students"), through="Guardianship", related_name="guardians"
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_guardian_external_id",
                violation_error_code="external_id_taken",
                violation_error_message=_("Another guardian has this import identifier."),
            ),
        ]


class Guardianship(models.Model):
    """The link between a guardian and a student.

    Separated parents each keep full access. Only a court order limiting parental
    authority removes access, and then its basis is recorded (P-03).
    """

    class Relation(models.TextChoices):
        MOTHER = "mother", _("mother")
        FATHER = "father", _("father")
        LEGAL_GUARDIAN = "legal_guardian", _("legal guardian")
        FOSTER_PARENT = "foster_parent", _("foster parent")

    class Access(models.TextChoices):
        FULL = "full", _("full access")
        COURT_LIMITED = "court_limited", _("no access: limited by a court order")

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("guardian"), on_delete=models.CASCADE, related_name="guardianships"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="guardianships"
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    access = models.CharField(
        _("access"), max_length=20, choices=Access.choices, default=Access.FULL
    )
    court_order_reference = models.CharField(_("court order reference"), max_length=100, blank=True)
    court_order_date = models.DateField(_("court order date"), null=True, blank=True)
    court_order_scope = models.CharField(_("scope of the limitation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="uniq_guardianship"),
            models.CheckConstraint(
                condition=Q(access="full") | ~Q(court_order_reference=""),
                name="court_limit_needs_reference",
                violation_error_code="court_order_reference",
                violation_error_message=_("A limit by a court order needs its reference."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"

    def clean(self) -> None:
        errors: dict = {}
        if self.guardian_id and self.student_id:
            _other_school(errors, "student", self.guardian.school_id, self.student.school_id)
        _raise(errors)


class SchoolRole(models.Model):
    """A staff role (or a parents' council seat) a user holds in a school.

    The class teacher (*wychowawca*) is not a role here: it follows from
    ``SchoolClass.class_teacher``.
    """

    class Role(models.TextChoices):
        TEACHER = "teacher", _("teacher")
        PRINCIPAL = "principal", _("principal")
        DEPUTY_PRINCIPAL = "deputy_principal", _("deputy principal")
        SECRETARY = "secretary", _("secretary / administrator")
        COUNCIL_MEMBER = "council_member", _("member of the parents' council")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.CASCADE,
        related_name="school_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("school role")
        verbose_name_plural = _("school roles")
        constraints = [
            models.UniqueConstraint(fields=["school", "user", "role"], name="uniq_school_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"

    def clean(self) -> None:
        errors: dict = {}
        if self.user_id:
            _other_school(errors, "user", self.school_id, self.user.school_id)
        _raise(errors)


class TeachingAssignment(models.Model):
    """Who teaches what to whom: a teacher × a class (or a group of it) × a subject."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="assignments"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="teaching_assignments",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="assignments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="assignments"
    )
    group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        ordering = ["school_class", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "subject", "school_class"],
                condition=Q(group__isnull=True),
                name="uniq_class_assignment",
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "group"],
                condition=Q(group__isnull=False),
                name="uniq_group_assignment",
            ),
        ]

    def __str__(self) -> str:
        target = self.group or self.school_class
        return f"{self.subject} – {target} – {self.teacher}"

    def clean(self) -> None:
        errors: dict = {}
        if self.teacher_id:
            _other_school(errors, "teacher", self.school_id, self.teacher.school_id)
        if self.subject_id:
            _other_school(errors, "subject", self.school_id, self.subject.school_id)
        if self.school_class_id:
            _other_school(errors, "school_class", self.school_id, self.school_class.school_id)
        if (
            self.group_id
            and self.school_class_id
            and self.group.school_class_id != self.school_class_id
        ):
            errors["group"] = _("The group belongs to another class.")
        _raise(errors)
