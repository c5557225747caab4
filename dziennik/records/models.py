"""Exports of the register: who exported which year or class, and when (L-06).

Every export is a row here and an entry in the history. A class's export is streamed to
its requester at once; the whole school's is written by a background task into the
private storage, where the principal downloads it from the records page.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School, SchoolClass, SchoolYear


def export_path(instance: RegisterExport, filename: str) -> str:
    return f"records/{instance.school_id}/{secrets.token_hex(16)}.xml"


class RegisterExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being written")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    class Via(models.TextChoices):
        DOWNLOAD = "download", _("downloaded at once")
        BACKGROUND = "background", _("written in the background")
        COMMAND = "command", _("written by a command")

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
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("how"), max_length=10, choices=Via.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        verbose_name = _("register export")
        verbose_name_plural = _("register exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "created_at"])]

    def __str__(self) -> str:
        what = self.school_class.name if self.school_class_id else str(_("whole school"))
        return f"{_('XML export')} {what} ({self.created_at:%Y-%m-%d %H:%M})"
