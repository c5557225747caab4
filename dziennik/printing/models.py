"""Print jobs: the journals of the register laid out as PDF in the background for the
person who asked (*wydruk dziennika*).

A job is one printout: a class's register for the year (*dziennik lekcyjny*: per
subject the lessons with dates, topics, teachers and attendance, and the grades), the
class teacher's pages (*strony wychowawcy*), or the whole school (every class's two
documents in one ZIP). The file waits in the private storage for its requester (and the
principal) for ``services.KEPT_FOR`` and is then deleted by ``tasks.print_jobs_purge``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School, SchoolClass, SchoolYear


def job_path(instance: PrintJob, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1]
    return f"printing/{instance.school_id}/{secrets.token_hex(16)}.{suffix}"


class PrintJob(models.Model):
    """A printout of the register being prepared in the background (*wydruk*)."""

    class Kind(models.TextChoices):
        REGISTER = "register", _("class register")
        CLASS_TEACHER = "class_teacher", _("class teacher's pages")
        SCHOOL = "school", _("the whole school (ZIP)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being printed")
        READY = "ready", _("ready")
        EXPIRED = "expired", _("deleted after its time")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.CASCADE, related_name="+"
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("printout"), max_length=15, choices=Kind.choices)
    # A teacher's printout of a class register holds only their own lessons and grades.
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("only the lessons of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    parts_done = models.PositiveIntegerField(default=0)
    parts_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=job_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "created_at"]),
            models.Index(fields=["school", "created_at"]),
        ]

    def __str__(self) -> str:
        what = self.school_class.name if self.school_class_id else str(_("whole school"))
        return f"{self.get_kind_display()} {what} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_zip(self) -> bool:
        return self.kind == self.Kind.SCHOOL
