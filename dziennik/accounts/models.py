"""Accounts: everyone who logs in (parents, students, staff) has a ``User``."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login account (*konto*). Belongs to one school (none for the system administrator).

    ``must_change_password`` forces a new password at the next login (first passwords and
    resets). ``activated_at`` is set at the first successful login; a family's accounts
    activate together. ``session_generation`` is part of the session hash, so bumping it
    logs the user out everywhere.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("school"),
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # How many times every session was ended ("log out everywhere", a new password): the
    # history shows it under this name.
    session_generation = models.PositiveIntegerField(
        _("logouts from every device"), default=0, editable=False
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username

    def get_session_auth_hash(self) -> str:
        key_salt = "dziennik.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_fallback_hash(self):
        # Keep sessions valid across SECRET_KEY rotation, as Django does.

        key_salt = "dziennik.accounts.User.get_session_auth_hash"
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield salted_hmac(
                key_salt,
                f"{self.password}:{self.session_generation}",
                secret=fallback_secret,
                algorithm="sha256",
            ).hexdigest()
