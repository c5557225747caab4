"""Single sign-on: the school's e-learning platforms (*platformy e-learningowe*) that log
people in with their register account through OpenID Connect.

The OAuth 2 client itself is django-oauth-toolkit's ``Application`` (its client id, the
hash of its secret, redirect addresses, public or confidential); a ``Platform`` adds what
the register decides about it: the school it belongs to, the scopes the school allows,
who may log in through it, whether it is active, and when someone last did.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from dziennik.schools.models import School


def _new_pairwise_key() -> str:
    return secrets.token_hex(32)


class Platform(models.Model):
    """An e-learning platform the school registered as a client of the register's single
    sign-on (Moodle, Teams, Google Classroom, …). It belongs to one school: only that
    school's people may log in through it, and only those of the ``roles`` it allows.

    ``pairwise_key`` is the secret of this platform's subject identifiers (``sub``): a
    person's ``sub`` is a keyed hash of their account, stable for this platform and
    different on every other, so two platforms cannot match their users by it and the
    account's number never leaves the register. Never shown, never in the history.
    """

    class Role(models.TextChoices):
        STUDENT = "student", _("students")
        PARENT = "parent", _("parents")
        TEACHER = "teacher", _("teachers")
        PRINCIPAL = "principal", _("principal and deputies")
        SECRETARY = "secretary", _("school secretary")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="sso_platforms", verbose_name=_("school")
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="platform",
        verbose_name=_("OAuth client"),
    )
    name = models.CharField(_("name"), max_length=100)
    scopes = models.CharField(_("allowed scopes"), max_length=200, default="openid")
    roles = models.JSONField(_("who may log in"), default=list)
    active = models.BooleanField(_("active"), default=True)
    needs_elearning = models.BooleanField(
        _("needs the e-learning entitlement"),
        default=False,
        help_text=_(
            "Families log in and are in its roster only with the e-learning entitlement "
            "of their access plan; staff always."
        ),
    )
    pairwise_key = models.CharField(max_length=64, default=_new_pairwise_key, editable=False)
    last_login_at = models.DateTimeField(_("last login through it"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-learning platform")
        verbose_name_plural = _("e-learning platforms")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="uniq_sso_platform_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_public(self) -> bool:
        return self.application.client_type == Application.CLIENT_PUBLIC
