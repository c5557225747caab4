"""Accounts: everyone who logs in (parents, students, staff) has a ``User``."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from . import encryption


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


class TotpDevice(models.Model):
    """An authenticator app (*aplikacja uwierzytelniająca*, RFC 6238 TOTP): the second
    factor of one account.

    The secret is encrypted at rest and shown only while the device is being enrolled
    (``confirmed_at`` is empty), never again; the history records that a device exists,
    never its secret.
    ``last_time_step`` is the 30-second step of the last accepted code: a code of that
    step or an earlier one is refused, so an overheard code cannot be replayed.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("user")
    )
    # Encrypted (accounts/encryption.py); read and set through ``secret``.
    encrypted_secret = models.CharField(_("secret (encrypted)"), max_length=255, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_time_step = models.BigIntegerField(_("last accepted time step"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return str(_("Authenticator app"))

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def secret(self) -> str:
        """The base32 TOTP secret, decrypted."""
        return encryption.decrypt(self.encrypted_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.encrypted_secret = encryption.encrypt(value)


class RecoveryCode(models.Model):
    """A one-time recovery code (*kod zapasowy*) for a lost authenticator app, stored
    hashed with the password hashers; shown once, when generated."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user")
    )
    code_hash = models.CharField(_("code hash"), max_length=200, editable=False)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return str(_("Recovery code"))


class LetterJob(models.Model):
    """A class's credential letters being prepared in the background (*listy z danymi
    logowania*) for the person who asked for them.

    The PDF carries one-time passwords: it is kept in ``content`` only until its
    requester downloads it, or until ``letter_jobs.LETTERS_KEPT_FOR`` has passed, and is
    served to nobody else. One job at a time per class (a second click finds the first).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being prepared")
        READY = "ready", _("ready to download")
        EMPTY = "empty", _("no letters: everyone has an account")
        DOWNLOADED = "downloaded", _("downloaded")
        EXPIRED = "expired", _("expired")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    regenerate = models.BooleanField(default=False)
    login_url = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    letters = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("credential letters")
        verbose_name_plural = _("credential letters")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_letter_job_per_class",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Passkey(models.Model):
    """A passkey (*klucz dostępu*, WebAuthn): a key pair kept by the person's phone,
    computer or security key, whose public half is stored here. It is a second factor,
    and, where the authenticator keeps it (a discoverable credential), a way to log in
    without a password.

    ``credential_id`` is the authenticator's name for the key (base64url). ``sign_count``
    is the counter of the last accepted assertion: an authenticator that counts must
    count up, or the key has been cloned (``accounts/passkeys.py``).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=60)
    credential_id = models.CharField(_("credential ID"), max_length=1400, unique=True)
    public_key = models.BinaryField(_("public key"), editable=False)
    sign_count = models.PositiveBigIntegerField(_("signature counter"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class WebAuthnChallenge(models.Model):
    """A challenge handed to the browser for one passkey ceremony: registering a key, or
    logging in with one. Kept here, not in the browser: it is used up by the first
    answer to it, right or wrong, and is good only until ``expires_at``."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("registration")
        SECOND_STEP = "second_step", _("second step of a login")
        LOGIN = "login", _("login with a passkey")

    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    # The account the ceremony is for; empty for a login that has not named anyone.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    challenge = models.BinaryField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("passkey challenge")
        verbose_name_plural = _("passkey challenges")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


class SecondFactorReset(models.Model):
    """The principal removed a staff member's second factors (a lost phone or key), with
    a reason. The person is told at their next login, once (``seen_at``)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="second_factor_resets", verbose_name=_("user")
    )
    reset_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("reset by")
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("reset at"), auto_now_add=True)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second factor reset")
        verbose_name_plural = _("second factor resets")

    def __str__(self) -> str:
        return str(_("Second factor reset of %(user)s") % {"user": self.user})


class EmailLoginCode(models.Model):
    """A one-time login code sent by e-mail (*kod jednorazowy*): the second step of a
    login for a person with no other second factor (``email_code.py``).

    Six digits, good for ten minutes and for one use; stored as a keyed hash, never the
    code. A new code replaces the one before; a code answered wrongly too often stops
    working. The rows stay (used or not) so that the sending limit can count them.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="email_login_codes", verbose_name=_("user")
    )
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        verbose_name = _("login code by e-mail")
        verbose_name_plural = _("login codes by e-mail")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return str(_("Login code by e-mail"))
