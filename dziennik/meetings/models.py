"""Parent–teacher meetings: a teacher's consultation hours (*konsultacje*, *dni otwarte*)
that parents book slot by slot, and a class meeting (*wywiadówka*, *zebranie z
rodzicami*) to which every parent of a class is invited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import Guardian, School, SchoolClass, Student


class MeetingSettings(models.Model):
    """The school's rule for cancelling a booking: until so many hours before the slot.
    One row per school; none: the default (24 hours)."""

    DEFAULT_CANCEL_HOURS = 24

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="meeting_settings")
    cancel_hours = models.PositiveSmallIntegerField(
        _("a booking may be cancelled until (hours before the meeting)"),
        default=DEFAULT_CANCEL_HOURS,
    )

    class Meta:
        verbose_name = _("meeting settings")
        verbose_name_plural = _("meeting settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(cancel_hours__lte=336), name="meeting_cancel_hours_range"
            )
        ]

    def __str__(self) -> str:
        return str(_("meeting settings"))


class ConsultationSession(models.Model):
    """A teacher's consultation hours on one day (*konsultacje*), split into slots of
    ``slot_minutes`` that parents book one family at a time (``ConsultationSlot``)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="consultation_sessions"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="consultation_sessions",
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per conversation"))
    room = models.CharField(_("room"), max_length=50)
    note = models.CharField(_("note for parents"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation hours")
        verbose_name_plural = _("consultation hours")
        ordering = ["date", "starts_at", "pk"]
        indexes = [models.Index(fields=["school", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="consultation_time_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class ConsultationSlot(models.Model):
    """One conversation's time within consultation hours. The teacher may cancel it
    (``cancelled_at``); its booking is then cancelled too and the family told."""

    session = models.ForeignKey(ConsultationSession, on_delete=models.CASCADE, related_name="slots")
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation slot")
        verbose_name_plural = _("consultation slots")
        ordering = ["starts", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "starts"], name="consultation_slot_once")
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts):%d.%m.%Y %H:%M}"


class Booking(models.Model):
    """A parent's booking of one slot, to talk about one of their children.

    A slot holds at most one booking that is not cancelled, and a parent at most one of
    the same consultation hours (``session`` repeats the slot's, for that constraint).
    Cancelled by the parent until the school's deadline, or by the teacher
    (``cancelled_by_teacher``: the family's page says so)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="bookings")
    slot = models.ForeignKey(ConsultationSlot, on_delete=models.CASCADE, related_name="bookings")
    session = models.ForeignKey(
        ConsultationSession, on_delete=models.CASCADE, related_name="bookings"
    )
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("parent"), on_delete=models.CASCADE, related_name="bookings"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="bookings"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by_teacher = models.BooleanField(_("cancelled by the teacher"), default=False)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["slot__starts", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(cancelled_at__isnull=True),
                name="booking_one_per_slot",
            ),
            models.UniqueConstraint(
                fields=["session", "guardian"],
                condition=Q(cancelled_at__isnull=True),
                name="booking_one_per_parent_and_session",
            ),
        ]

    def __str__(self) -> str:
        return str(_("booking %(id)s") % {"id": self.pk})


class ClassMeeting(models.Model):
    """A class meeting (*wywiadówka*): the class teacher invites every parent of the
    class; nobody books. ``cancelled_at``: called off (the families see it so)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="class_meetings")
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="class_meetings",
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("class teacher"),
        on_delete=models.PROTECT,
        related_name="class_meetings",
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    room = models.CharField(_("room"), max_length=50)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("class meeting")
        verbose_name_plural = _("class meetings")
        ordering = ["date", "starts_at", "pk"]
        indexes = [models.Index(fields=["school_class", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="class_meeting_time_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.starts_at:%H:%M}"
