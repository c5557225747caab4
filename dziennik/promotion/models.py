"""Promotion and graduation: a class's list (*lista promocyjna*) the principal prepares
from the year's classification, the teachers' council (*rada pedagogiczna*) decides and
the principal confirms; after that it is frozen, and changes only by a documented
correction (docs/rules.md G-15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.grades.models import BehaviourGrade
from dziennik.schools.models import School, SchoolClass, Student


class PromotionList(models.Model):
    """The promotion list of one class for its school year."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("prepared")
        DECIDED = "decided", _("decided by the teachers' council")
        CONFIRMED = "confirmed", _("confirmed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    # one list per class (a constraint, not a one-to-one field: the cache guard watches
    # the register data that points at a class by a foreign key)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="promotion_lists"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREPARED
    )
    prepared_at = models.DateTimeField(_("prepared"))
    council_date = models.DateField(_("date of the council's meeting"), null=True, blank=True)
    resolution_number = models.CharField(_("resolution number"), max_length=50, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("promotion list")
        verbose_name_plural = _("promotion lists")
        constraints = [
            models.UniqueConstraint(fields=["school_class"], name="uniq_promotion_list"),
        ]

    def __str__(self) -> str:
        return str(self.school_class)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.CONFIRMED


class PromotionEntry(models.Model):
    """One student's line of the list: the outcome, the average and behaviour it rests
    on, and why a student is not promoted."""

    class Outcome(models.TextChoices):
        PROMOTED = "promoted", _("promoted")
        PROMOTED_DISTINCTION = "promoted_d", _("promoted with distinction")
        NOT_PROMOTED = "repeats", _("not promoted")
        GRADUATED = "graduated", _("completed school")
        GRADUATED_DISTINCTION = "graduated_d", _("completed school with distinction")
        NOT_GRADUATED = "not_grad", _("did not complete school")

    promotion_list = models.ForeignKey(
        PromotionList, on_delete=models.CASCADE, related_name="entries"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    average = models.DecimalField(
        _("average"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    behaviour = models.CharField(_("behaviour"), max_length=4, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    correction = models.TextField(_("correction and its basis"), blank=True)

    class Meta:
        verbose_name = _("promotion list entry")
        verbose_name_plural = _("promotion list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["promotion_list", "student"], name="uniq_promotion_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.get_outcome_display()}"

    @property
    def behaviour_label(self) -> str:
        values = dict(BehaviourGrade.Value.choices)
        return str(values.get(self.behaviour, "")) if self.behaviour else ""
