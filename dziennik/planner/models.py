"""The calendar (*Terminarz*) and homework (*zadania domowe*): what a class or a group of it
has planned – tests, quizzes, homework, trips, parent–teacher meetings, school events –
and the school's limits on tests (G-14). Days off are the school's own
(``schools.DayOff``): the calendar shows them, nothing here repeats them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.grades.models import Assessment
from dziennik.schools.models import ClassGroup, School, SchoolClass, Subject


class PlannerSettings(models.Model):
    """The school's limits on tests from its statute (G-14). One row per school; none:
    the common defaults (3 a week, 1 a day, announced 7 days ahead, quizzes not counted,
    a teacher may go over the limit after confirming)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="planner_settings")
    tests_per_week = models.PositiveSmallIntegerField(_("tests a week at most"), default=3)
    tests_per_day = models.PositiveSmallIntegerField(_("tests a day at most"), default=1)
    notice_days = models.PositiveSmallIntegerField(_("days of notice at least"), default=7)
    quizzes_count = models.BooleanField(_("quizzes count towards the limits"), default=False)
    override_allowed = models.BooleanField(
        _("a teacher may plan over the limits after confirming"), default=True
    )

    class Meta:
        verbose_name = _("test limits")
        verbose_name_plural = _("test limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(tests_per_week__lte=20, tests_per_day__lte=10, notice_days__lte=60),
                name="planner_settings_bounds",
            )
        ]

    def __str__(self) -> str:
        return str(_("test limits"))


def attachment_path(instance, filename: str) -> str:
    return f"homework/{instance.school_id}/{instance.school_class_id}/{filename}"


class Event(models.Model):
    """An entry of a class's calendar (*terminarz*): a test (*sprawdzian*), a quiz
    (*kartkówka*), homework (*zadanie domowe*, ``date`` is when it is due), a trip
    (*wycieczka*, *wyjście*), a parent–teacher meeting (*wywiadówka*) or a school event.

    It is for a class (``school_class``), a group of it (``group``) or – school events
    only – the whole school (no class). Tests, quizzes and homework name their subject.
    ``limits_overridden`` says that its author confirmed planning it over the school's
    limits (G-14); ``assessment`` is the gradebook column made from it. Plain text: the
    pages escape it."""

    class Kind(models.TextChoices):
        TEST = "test", _("written test")
        QUIZ = "quiz", _("quiz")
        HOMEWORK = "homework", _("homework")
        TRIP = "trip", _("trip or outing")
        MEETING = "meeting", _("parent–teacher meeting")
        SCHOOL_EVENT = "school_event", _("school event")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="planner_events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="planner_events",
    )
    group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="planner_events",
    )
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planner_events",
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="planner_events",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    limits_overridden = models.BooleanField(_("planned over the limits"), default=False)
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("gradebook column"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        ordering = ["date", "starts_at", "pk"]
        indexes = [
            models.Index(fields=["school_class", "date"]),
            models.Index(fields=["school", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False)
                | Q(kind="school_event", group__isnull=True),
                name="planner_event_target",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(starts_at__lt=models.F("ends_at")),
                name="planner_event_time_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d.%m.%Y})"

    @property
    def counts_as_test(self) -> bool:
        return self.kind in (self.Kind.TEST, self.Kind.QUIZ)

    @property
    def has_subject(self) -> bool:
        return self.kind in SUBJECT_KINDS


SUBJECT_KINDS = frozenset({Event.Kind.TEST, Event.Kind.QUIZ, Event.Kind.HOMEWORK})
# What the class teacher plans for their class.
CLASS_TEACHER_KINDS = frozenset({Event.Kind.TRIP, Event.Kind.MEETING})
