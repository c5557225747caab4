"""The year close and its archive (L-10–L-12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School, SchoolYear


class YearArchive(models.Model):
    """One close of a school year (*zamknięcie roku szkolnego*) and the signed archive it
    wrote: who asked, what the checks found missing and the principal's reason to close
    anyway, the archive file's name, size and SHA-256, and the result of verifying it.

    A correction of a closed year ends with a new close, so a year may have several
    archives; the newest complete one is the year's archive."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(
        SchoolYear,
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="archives",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    missing = models.JSONField(_("missing at the close"), default=dict, blank=True)
    override_reason = models.TextField(_("reason to close despite missing entries"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    signer = models.CharField(_("signed by"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    verification = models.TextField(_("verification result"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("year archive")
        verbose_name_plural = _("year archives")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year"],
                condition=Q(status__in=["queued", "running"]),
                name="one_running_year_archive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_year} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
