"""The record of each destruction of records whose retention period ended."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School


class DestructionProtocol(models.Model):
    """*Protokół brakowania*: the principal confirmed that one kind of record (a rule
    code of ``retention.rules``) of one school year, due for destruction, was destroyed:
    who, when, what and how many rows of each model. Written in the same transaction as
    the deletion, and recorded in the history of changes; never changed afterwards."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of record"), max_length=10)
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The calendar year the school year ends in.")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))
    due_from = models.DateField(_("due for destruction from"))
    counts = models.JSONField(_("rows destroyed per model"), default=dict)
    total = models.PositiveIntegerField(_("rows destroyed"))

    class Meta:
        verbose_name = _("destruction protocol")
        verbose_name_plural = _("destruction protocols")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "school_year", "confirmed_at"],
                name="retention_protocol_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.school_year - 1}/{self.school_year}"
