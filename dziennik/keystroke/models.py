"""KeyStroke: a person's typing-rhythm profile, the unusual logins it found, and the
school's settings (docs/keystroke.md)."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.accounts import encryption


class KeystrokeProfile(models.Model):
    """A person's KeyStroke profile (*profil rytmu pisania*): biometric data, kept only
    with their consent and only as the detector needs it.

    ``encrypted_samples`` holds the rolling window of the latest genuine timing vectors
    of typing the current password (seconds; never a character), encrypted at rest
    (``accounts/encryption.py``). ``password_marker`` is a keyed hash of the password's
    hash: when the password changes, the marker no longer matches and the samples start
    again (the new password has its own rhythm and length). No staff screen and no admin
    page shows a profile; the owner sees its summary, the history records only consent,
    resets and deletion.
    """

    class Outcome(models.TextChoices):
        LEARNING = "learning", _("learned (the profile is still being built)")
        MATCHED = "matched", _("the rhythm matched")
        UNUSUAL = "unusual", _("the rhythm did not match")
        NO_TIMINGS = "no_timings", _("not checked: the password was not typed key by key")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="keystroke_profile",
        verbose_name=_("user"),
    )
    consented_at = models.DateTimeField(_("consent given at"))
    consent_version = models.PositiveSmallIntegerField(_("version of the consent text"))
    password_marker = models.CharField(max_length=64, editable=False)
    encrypted_samples = models.TextField(editable=False, default="")
    sample_count = models.PositiveSmallIntegerField(_("typings in the profile"), default=0)
    last_outcome = models.CharField(
        _("last login"), max_length=12, choices=Outcome.choices, blank=True
    )
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("KeyStroke profile")
        verbose_name_plural = _("KeyStroke profiles")

    def __str__(self) -> str:
        return str(_("KeyStroke profile"))

    @property
    def samples(self) -> list[list[float]]:
        """The timing vectors of the window, decrypted (oldest first)."""
        if not self.encrypted_samples:
            return []
        return json.loads(encryption.decrypt(self.encrypted_samples))

    @samples.setter
    def samples(self, rows: list[list[float]]) -> None:
        self.encrypted_samples = encryption.encrypt(json.dumps(rows)) if rows else ""
        self.sample_count = len(rows)


class UnusualLogin(models.Model):
    """A login whose password was right but whose typing rhythm did not match the
    owner's profile (*nietypowe logowanie*): shown to the owner, nobody else."""

    class Outcome(models.TextChoices):
        SECOND_STEP = "second_step", _("the second step of the login was asked for")
        LET_THROUGH = "let_through", _("let through: the account has no second factor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="unusual_logins",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    seen_at = models.DateTimeField(_("seen by the owner at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unusual login")
        verbose_name_plural = _("unusual logins")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return str(_("Unusual login"))


class KeystrokeSettings(models.Model):
    """A school's KeyStroke settings: whether staff are asked to turn it on, and how
    unlike the owner a typing may be before the second step is asked for."""

    school = models.OneToOneField(
        "schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    required_for_staff = models.BooleanField(
        _("staff are asked to turn KeyStroke on"), default=False
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=3,
        decimal_places=2,
        help_text=_("Higher: fewer questions, more impostors let through."),
    )

    class Meta:
        verbose_name = _("KeyStroke settings")
        verbose_name_plural = _("KeyStroke settings")

    def __str__(self) -> str:
        return str(_("KeyStroke settings"))
