"""Data-subject rights (RODO): exports of a person's data, rectification requests and
the log of staff reads of a student's pages (docs/privacy.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DataExport(models.Model):
    """One export of a person's data (RODO art. 15 and 20): who produced it, about whom,
    in which format. Recorded in the history, so the family sees the principal's. The
    PDF is laid out in the background and waits here for its requester."""

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being prepared")
        READY = "ready", _("ready")
        EXPIRED = "expired", _("deleted after its time")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("produced by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    student = models.ForeignKey(
        "schools.Student",
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    at = models.DateTimeField(_("produced at"), default=timezone.now)
    # The PDF is laid out in the background (``tasks.data_export_build``: 30–47 s for a
    # student under load); the JSON is handed over at once, and its row is *ready*.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The PDF, kept in the database (no file a web server could serve) for its requester
    # only, until ``services.EXPORT_KEPT_FOR`` has passed.
    content = models.BinaryField(null=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.at:%Y-%m-%d %H:%M}"


class RectificationRequest(models.Model):
    """A request to correct a person's data (RODO art. 16, *wniosek o sprostowanie*):
    which data, what is wrong, what it should be; the school office answers it."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("rectification request", "new")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("corrected")
        REFUSED = "refused", _("refused")

    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="rectification_requests",
    )
    student = models.ForeignKey(
        "schools.Student",
        verbose_name=_("about the student"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rectification_requests",
        help_text=_("Empty when the request is about the requester's own data."),
    )
    data = models.CharField(_("which data"), max_length=200)
    wrong = models.TextField(_("what is wrong"), max_length=2000)
    correct = models.TextField(_("what it should be"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification request")
        verbose_name_plural = _("rectification requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.data} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.IN_PROGRESS)


class StudentRead(models.Model):
    """A member of staff opened one of a student's pages on a day (the read log).

    One row per reader, student, kind of page and day (the first time that day), kept for
    a year (``manage.py privacy_purge_reads``). Written by ``middleware.ReadLogMiddleware``
    with one ``INSERT … ON CONFLICT DO NOTHING``; not register data (no page cache shows
    it beside the family's own page of it, built per request).
    """

    class Kind(models.TextChoices):
        GRADES = "grades", _("grades")
        ATTENDANCE = "attendance", _("attendance")
        BEHAVIOUR = "behaviour", _("behaviour notes")
        PERSONAL = "personal", _("personal data")

    student = models.ForeignKey(
        "schools.Student", verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("first read at"))
    roles = models.CharField(_("roles"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("read of a student's data")
        verbose_name_plural = _("reads of students' data")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "reader", "kind", "day"], name="uniq_student_read_per_day"
            )
        ]
        indexes = [models.Index(fields=["student", "-at"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day:%Y-%m-%d}"
