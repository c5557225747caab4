"""The weekly timetable (*plan lekcji*), its day-to-day changes, and calendar feeds.

A ``TimetableEntry`` is one weekly lesson of a class (or of a group of it) with its
validity dates, so the plan can change during the year without rewriting the past.
A ``TimetableChange`` alters one occurrence on one date: a substitution (*zastępstwo*),
a cancellation (*odwołana lekcja*) or a move to another date or lesson number.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import ClassGroup, LessonSlot, School, SchoolClass, Subject


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class Room(models.Model):
    """A classroom (*sala*) of a school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=50)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive room is not offered for new lessons; the plan keeps its past."),
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="uniq_room_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The room as a timetable names it: "sala 12", but "sala gimnastyczna 1" or "aula"
        as they are, since a name that is a word already says what the room is."""
        if NAMED_ROOM.search(self.name):
            return self.name
        return _("room %(name)s") % {"name": self.name}


# A room's name that holds a word of three letters or more ("aula", "pracownia 3") or
# starts with the abbreviation "s." ("s. 104") is not prefixed with "room"; a number or a
# short code ("12", "B2", "105a") is.
NAMED_ROOM = re.compile(r"[^\W\d_]{3,}|^\s*s\.", re.IGNORECASE)


class TimetableEntry(models.Model):
    """One weekly lesson of a class or group: weekday × lesson number × subject × teacher."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="timetable_entries"
    )
    group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timetable_entries",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    slot = models.ForeignKey(
        LessonSlot, on_delete=models.PROTECT, related_name="+", verbose_name=_("lesson number")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timetable_entries"
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="timetable_entries"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable entries")
        ordering = ["school_class", "weekday", "slot__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__lte=models.F("valid_to")),
                name="timetable_entry_validity_order",
            ),
        ]
        indexes = [
            models.Index(fields=["school_class", "weekday"]),
            models.Index(fields=["teacher", "weekday"]),
        ]

    def __str__(self) -> str:
        target = self.group or self.school_class
        return f"{self.get_weekday_display()} {self.slot.number}: {self.subject} – {target}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return (
            day.isoweekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class TimetableChange(models.Model):
    """A change to one occurrence of a timetable entry on one date."""

    class Kind(models.TextChoices):
        SUBSTITUTION = "substitution", _("substitution")
        CANCELLATION = "cancellation", _("cancelled")
        MOVED = "moved", _("moved")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(TimetableEntry, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField(_("date of the planned lesson"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    substitute_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions",
        verbose_name=_("substitute teacher"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_date = models.DateField(_("new date"), null=True, blank=True)
    new_slot = models.ForeignKey(
        LessonSlot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new lesson number"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("timetable change")
        verbose_name_plural = _("timetable changes")
        ordering = ["date", "entry__slot__number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "date"], name="uniq_change_per_occurrence"),
            models.CheckConstraint(
                condition=~Q(kind="substitution") | Q(substitute_teacher__isnull=False),
                name="substitution_needs_teacher",
            ),
            models.CheckConstraint(
                condition=~Q(kind="moved")
                | (Q(new_date__isnull=False) & Q(new_slot__isnull=False)),
                name="move_needs_target",
            ),
        ]
        indexes = [models.Index(fields=["school", "date"]), models.Index(fields=["new_date"])]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()}: {self.entry_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's secret iCalendar feed address. Revoking deletes it (the URL then 404s)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    # The language of the events' texts: the one its owner used when creating the
    # address (a calendar application that fetches it sends no choice of its own).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
