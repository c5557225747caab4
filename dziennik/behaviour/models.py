"""Behaviour notes (*uwagi*): what teachers note of a student's behaviour (B-04)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School, SchoolClass, Student


class Kind(models.TextChoices):
    """A note is praise, a reprimand, or neither (B-04; Librus ``Positive`` 1/0/2)."""

    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")
    NEUTRAL = "neutral", _("neutral")


class BehaviourSettings(models.Model):
    """How the school keeps behaviour notes, from its statute: whether notes carry points
    (B-03: point systems are common but optional). One row per school; none: defaults."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="behaviour_settings"
    )
    uses_points = models.BooleanField(
        _("notes carry points"),
        default=False,
        help_text=_("For schools that grade behaviour by points (B-03)."),
    )

    class Meta:
        verbose_name = _("behaviour settings")
        verbose_name_plural = _("behaviour settings")

    def __str__(self) -> str:
        return str(_("behaviour settings"))


class BehaviourCategory(models.Model):
    """A category of notes from the school's list (*aktywność*, *spóźnienia*…), with the
    kind and points a new note of it suggests."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="behaviour_categories"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    default_points = models.SmallIntegerField(_("suggested points"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("note category")
        verbose_name_plural = _("note categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="behaviour_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class BehaviourNote(models.Model):
    """A note (*uwaga*) about one student, by a teacher of theirs (B-04). Its author may
    correct or withdraw it; the history keeps every old value. A withdrawn note is no
    longer shown (``withdrawn_at``)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="behaviour_notes")
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="behaviour_notes"
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="behaviour_notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="behaviour_notes",
    )
    category = models.ForeignKey(
        BehaviourCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="notes",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=2000)
    points = models.SmallIntegerField(_("points"), null=True, blank=True)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("behaviour note")
        verbose_name_plural = _("behaviour notes")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["school_class", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.date:%d.%m.%Y})"
