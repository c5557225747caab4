"""The lucky number (*szczęśliwy numerek*, C-07): a school custom, not law."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School


class LuckySettings(models.Model):
    """Whether the school draws a lucky number, and how. One row per school; none: on,
    fair."""

    class Mode(models.TextChoices):
        FAIR = "fair", _("fair: no number again until every number has been drawn")
        RANDOM = "random", _("plain random: any number any day")

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="lucky_settings")
    enabled = models.BooleanField(_("draw a lucky number every school day"), default=True)
    mode = models.CharField(_("drawing"), max_length=10, choices=Mode.choices, default=Mode.FAIR)

    class Meta:
        verbose_name = _("lucky number settings")
        verbose_name_plural = _("lucky number settings")

    def __str__(self) -> str:
        return str(_("lucky number settings"))


class LuckyNumber(models.Model):
    """The number drawn for one school day. One per school and day (the unique constraint
    makes two simultaneous first views of the day give one number). ``round`` counts the
    fair draw's rounds: within one, no number repeats."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lucky_numbers")
    date = models.DateField(_("date"))
    number = models.PositiveSmallIntegerField(_("number"))
    round = models.PositiveIntegerField(_("round"), default=1)

    class Meta:
        verbose_name = _("lucky number")
        verbose_name_plural = _("lucky numbers")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="lucky_number_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d.%m.%Y})"
