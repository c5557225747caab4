"""Grades: the school's grading rules (as data) and the grades themselves.

The rules of a school (modifier values, special marks, point scale, thresholds, the
correction policy) are rows here, never constants in code: every statute differs
(domain G-03…G-09). ``rules.py`` turns them into a pure-Python ``Rules`` object that
computes averages exactly, with ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.core.concurrency import row_version
from dziennik.schools.models import (
    ClassGroup,
    School,
    SchoolClass,
    Student,
    Subject,
    Term,
)

WEIGHT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
# The longest descriptive grade (the ``text`` of a grade, a term or final grade, a
# behaviour grade) the services accept. A descriptive term or final grade of classes 1–3
# goes onto the certificate and into the register of grades (*arkusz ocen*); schools
# write one to two thousand characters. 4000 is two standard typed pages (1800 characters
# each): more than any certificate field holds, and still a bounded page and PDF.
DESCRIPTIVE_MAX_LENGTH = 4000


class CorrectionPolicy(models.TextChoices):
    BOTH = "both", _("both grades count")
    BETTER = "better", _("only the better grade counts")
    LATEST = "latest", _("only the latest grade counts")


class GradingSettings(models.Model):
    """The school's grading rules from its statute (*statut*): one row per school."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="grading")
    plus_value = models.DecimalField(
        _("value of +"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text=_("Added to a grade written with +, e.g. 0.5 (4+ = 4.5) or 0.33."),
    )
    minus_value = models.DecimalField(
        _("value of -"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        help_text=_("Subtracted from a grade written with -, e.g. 0.25 (5- = 4.75)."),
    )
    # "++", "--" and "=" exist only in some statutes (G-03): empty means the school does
    # not use the modifier, and the grade parser refuses it.
    double_plus_value = models.DecimalField(
        _("value of ++"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Added to a grade written with ++, e.g. 0.75; empty: ++ is not used."),
    )
    double_minus_value = models.DecimalField(
        _("value of --"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Subtracted from a grade written with --, e.g. 0.5; empty: -- is not used."),
    )
    equals_value = models.DecimalField(
        _("value of ="),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Subtracted from a grade written with =, e.g. 0.5; empty: not used."),
    )
    distinction_average = models.DecimalField(
        _("lowest average for a distinction"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("4.75"),
        help_text=_("Promotion or graduation with distinction (z wyróżnieniem) from this average."),
    )
    distinction_behaviour = models.CharField(
        _("lowest behaviour grade for a distinction"),
        max_length=4,
        default="bdb",
        help_text=_("wz or bdb: the behaviour a distinction needs at least."),
    )
    unclassified_absence_percent = models.PositiveSmallIntegerField(
        _("absence that risks no classification, in percent"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("Over this share of a subject's lessons missed (u.s.o. art. 44k: half)."),
    )
    correction_policy = models.CharField(
        _("how a correction (poprawa) counts"),
        max_length=10,
        choices=CorrectionPolicy.choices,
        default=CorrectionPolicy.BOTH,
    )
    pass_threshold = models.DecimalField(
        _("lowest passing average"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.75"),
        help_text=_("Students below it are shown as at risk."),
    )
    proposal_notice_days = models.PositiveSmallIntegerField(
        _("proposed grades are published this many days before the term ends"),
        default=14,
    )
    comparisons_enabled = models.BooleanField(
        _("show parents the class and year averages"),
        default=False,
        help_text=_("Never shown for groups of fewer than 5 students."),
    )

    class Meta:
        verbose_name = _("grading rules")
        verbose_name_plural = _("grading rules")

    def __str__(self) -> str:
        return str(self.school)


class ScaleGradeName(models.Model):
    """The name and abbreviation of a grade 1–6 of the classification scale, as the
    school writes them in full (G-01): *celujący* (cel) … *niedostateczny* (ndst).
    A school without rows uses ``rules.DEFAULT_SCALE_NAMES``."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="scale_names")
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    name = models.CharField(_("name"), max_length=40)
    abbreviation = models.CharField(_("abbreviation"), max_length=8)

    class Meta:
        verbose_name = _("name of a grade")
        verbose_name_plural = _("names of the grades")
        ordering = ["school", "-grade"]
        constraints = [
            models.UniqueConstraint(fields=["school", "grade"], name="uniq_scale_grade_name"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} {self.name} ({self.abbreviation})"


class GradeCategory(models.Model):
    """A kind of grade (test, quiz, oral answer…) with its weight (*waga*)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="grade_categories")
    name = models.CharField(_("name"), max_length=60)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=WEIGHT_VALIDATORS
    )
    colour = models.CharField(_("colour"), max_length=7, default="#0b5cad")
    counts_towards_average = models.BooleanField(_("counts towards the average"), default=True)
    is_homework = models.BooleanField(
        _("homework"),
        default=False,
        help_text=_("Not graded in public primary schools since 1 April 2024."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive category is not offered for new columns; its columns keep it."),
    )

    class Meta:
        verbose_name = _("grade category")
        verbose_name_plural = _("grade categories")
        ordering = ["school", "-weight", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="uniq_grade_category"),
        ]

    def __str__(self) -> str:
        return self.name


class SpecialMark(models.Model):
    """A non-numeric mark (np, bz, 0, +, -) and how the school counts it (G-06)."""

    class Rule(models.TextChoices):
        IGNORED = "ignored", _("not counted")
        VALUE = "value", _("counted as a value")
        CONVERTED = "converted", _("several of them make one grade")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="special_marks")
    symbol = models.CharField(_("symbol"), max_length=5)
    name = models.CharField(_("meaning"), max_length=60)
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices, default=Rule.IGNORED)
    value = models.DecimalField(
        _("value"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Counted as this value, or the grade that several of them make."),
    )
    convert_count = models.PositiveSmallIntegerField(
        _("how many make one grade"), null=True, blank=True
    )
    converted_weight = models.DecimalField(
        _("weight of the grade they make"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=WEIGHT_VALIDATORS,
    )
    is_homework = models.BooleanField(_("about homework"), default=False)

    class Meta:
        verbose_name = _("special mark")
        verbose_name_plural = _("special marks")
        ordering = ["school", "symbol"]
        constraints = [
            models.UniqueConstraint(fields=["school", "symbol"], name="uniq_special_mark"),
            models.CheckConstraint(
                condition=Q(rule="ignored")
                | Q(rule="value", value__isnull=False)
                | Q(rule="converted", value__isnull=False, convert_count__gte=1),
                name="special_mark_rule_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.symbol


class PointScaleStep(models.Model):
    """Percentage of points → grade: the lowest percentage that earns ``value`` (G-09)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="point_scale")
    min_percent = models.DecimalField(_("from percent"), max_digits=5, decimal_places=2)
    symbol = models.CharField(_("grade"), max_length=3)

    class Meta:
        verbose_name = _("point scale step")
        verbose_name_plural = _("point scale")
        ordering = ["school", "min_percent"]
        constraints = [
            models.UniqueConstraint(fields=["school", "min_percent"], name="uniq_point_step"),
        ]

    def __str__(self) -> str:
        return f"{self.min_percent}% → {self.symbol}"


class AverageThreshold(models.Model):
    """Average → proposed classification grade: the lowest average for ``grade`` (G-05)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="average_thresholds")
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    min_average = models.DecimalField(_("from average"), max_digits=4, decimal_places=2)

    class Meta:
        verbose_name = _("average threshold")
        verbose_name_plural = _("average thresholds")
        ordering = ["school", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["school", "grade"], name="uniq_average_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.min_average} → {self.grade}"


class Assessment(models.Model):
    """A column of the gradebook: one test, quiz or answer for a class (or group)."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("grade 1–6")
        POINTS = "points", _("points")
        DESCRIPTIVE = "descriptive", _("descriptive")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="assessments")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="assessments"
    )
    group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="assessments"
    )
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="assessments")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="assessments")
    # A teacher's account may go; the grades stay (the history keeps who wrote them).
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
    )
    category = models.ForeignKey(
        # A category in use cannot be removed, except with its whole school.
        GradeCategory,
        on_delete=models.RESTRICT,
        related_name="assessments",
    )
    name = models.CharField(_("name"), max_length=120)
    date = models.DateField(_("date"))
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=WEIGHT_VALIDATORS
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.STANDARD)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["school_class", "subject", "term"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="points") | Q(max_points__gt=0), name="points_need_maximum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d.%m.%Y})"


class Grade(models.Model):
    """A current grade (*ocena bieżąca*) of one student in one assessment.

    ``symbol`` is what the teacher typed (``4+``, ``np``); ``value`` is its numeric value
    under the school's rules when written (kept for class statistics in SQL; the
    student's own averages are always recomputed from the symbols).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="grades")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="grades")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="grades")
    symbol = models.CharField(_("grade"), max_length=10, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("descriptive grade"), blank=True)
    value = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grades_given",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["assessment__date", "id"]
        indexes = [models.Index(fields=["student", "school"])]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "student"],
                condition=Q(corrects__isnull=True),
                name="one_grade_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def version(self) -> str:
        """What a gradebook cell showing this grade was based on (a stale edit is
        refused: docs/rules.md, "Concurrent edits")."""
        return row_version(self)

    @property
    def display(self) -> str:
        if self.points is not None:
            return f"{self.points.normalize():f} pkt"
        if self.text:
            return self.text  # a descriptive grade is shown whole (issue 10)
        return self.symbol


class StudentAverage(models.Model):
    """A student's average in a subject and term, kept up to date by the services.

    Only for class and year statistics (computed in SQL over many students); the
    student's own page always recomputes from the grades.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    average = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "term"], name="uniq_student_average"
            ),
        ]
        indexes = [models.Index(fields=["school_class", "term", "subject"])]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.subject_id}: {self.average}"


class ClassificationGrade(models.Model):
    """A term (*śródroczna*) or final (*roczna*) grade, or a proposal (*przewidywana*).

    Classes 1–3 get descriptive term and final grades (``text``), others a grade 1–6.
    Proposals are shown to parents once published.

    Instead of a grade, a term or final grade may be another outcome (G-11): *nieklasyfikowany/-a*
    (not classified, with its reason; the teachers' council may allow a classification
    exam, *egzamin klasyfikacyjny*, whose result grade then stands for it) or
    *zwolniony/-a* (exempt: the subject does not count in the average).
    """

    class Kind(models.TextChoices):
        TERM = "term", _("term grade")
        FINAL = "final", _("final grade")

    class Outcome(models.TextChoices):
        GRADE = "", _("grade")
        UNCLASSIFIED = "nkl", _("not classified")
        EXEMPT = "zw", _("exempt")

    class Reason(models.TextChoices):
        NONE = "", _("not given")
        ABSENCE = "absence", _("absence over the school's threshold")
        OTHER = "other", _("other")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="classification_grades"
    )
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    is_proposal = models.BooleanField(_("proposed"), default=False)
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    text = models.TextField(_("descriptive grade"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=3, choices=Outcome.choices, blank=True, default=""
    )
    reason = models.CharField(
        _("reason for no classification"),
        max_length=10,
        choices=Reason.choices,
        blank=True,
        default="",
    )
    reason_text = models.CharField(_("reason in words"), max_length=300, blank=True)
    exam_allowed_on = models.DateField(
        _("classification exam allowed by the council on"), null=True, blank=True
    )
    exam_grade = models.PositiveSmallIntegerField(
        _("classification exam result"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("classification grade")
        verbose_name_plural = _("classification grades")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "term", "kind", "is_proposal"],
                name="uniq_classification_grade",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=False) | ~Q(text="") | ~Q(outcome=""),
                name="classification_has_grade",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(grade__isnull=True, text=""),
                name="classification_outcome_alone",
            ),
        ]

    def __str__(self) -> str:
        if self.outcome:
            return self.outcome
        return str(self.grade) if self.grade else self.text

    @property
    def counts_in_average(self) -> bool:
        """An exempt subject does not count (G-11); a not-classified one counts with its
        classification exam's result once it has one."""
        if self.outcome == self.Outcome.EXEMPT:
            return False
        return self.effective_grade is not None

    @property
    def effective_grade(self) -> int | None:
        """The grade that stands: the grade, or a classification exam's result."""
        if self.outcome == self.Outcome.UNCLASSIFIED:
            return self.exam_grade if self.exam_allowed_on else None
        return self.grade


class BehaviourGrade(models.Model):
    """A behaviour grade (*ocena zachowania*) for a term or the year, set by the class
    teacher (*wychowawca*); descriptive in classes 1–3 (B-01, B-02, L-19)."""

    class Kind(models.TextChoices):
        TERM = "term", _("term grade")
        FINAL = "final", _("final grade")

    class Value(models.TextChoices):
        EXEMPLARY = "wz", _("exemplary (wzorowe)")
        VERY_GOOD = "bdb", _("very good (bardzo dobre)")
        GOOD = "db", _("good (dobre)")
        CORRECT = "popr", _("correct (poprawne)")
        INAPPROPRIATE = "ndp", _("inappropriate (nieodpowiednie)")
        REPREHENSIBLE = "ng", _("reprehensible (naganne)")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="behaviour_grades")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    value = models.CharField(_("grade"), max_length=4, choices=Value.choices, blank=True)
    text = models.TextField(_("descriptive grade"), blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("behaviour grade")
        verbose_name_plural = _("behaviour grades")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term", "kind"], name="uniq_behaviour_grade"
            ),
            models.CheckConstraint(
                condition=~Q(value="") | ~Q(text=""), name="behaviour_has_grade"
            ),
        ]

    def __str__(self) -> str:
        return self.get_value_display() or self.text


class GradeVisit(models.Model):
    """When a user last opened a student's grades: what is newer is marked "new"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "student"], name="uniq_grade_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.student_id}: {self.seen_at:%Y-%m-%d %H:%M}"
