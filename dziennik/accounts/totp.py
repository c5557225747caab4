"""Authenticator apps (RFC 6238 TOTP) and recovery codes: the second factor.

Writes take ``actor`` and record the change in the history without the secret or the
codes. ``verify_second_factor`` is what the login's second step and the "turn off" form
call: a current TOTP code (not reused) or an unused recovery code.
"""

from __future__ import annotations

import io
import re
import secrets

import pyotp
import segno
from cryptography.fernet import InvalidToken
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.audit import build_entry
from dziennik.schools.models import School
from dziennik.schools.viewer import get_viewer

from .models import Passkey, RecoveryCode, TotpDevice, User

ISSUER = "Dziennik"
RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6
# One step either side: a phone's clock may be half a minute off.
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _record(*, actor: User, device: TotpDevice, action: str, changes: dict) -> None:
    """The history entry of a device change: who, when, what; never the secret."""
    build_entry(
        actor=actor,
        instance=device,
        action=action,
        changes=changes,
        school_id=device.user.school_id,
        object_repr=str(_("Authenticator app of %(user)s") % {"user": device.user.username}),
    ).save()


def device_of(user: User) -> TotpDevice | None:
    """The user's own authenticator app, confirmed or still being set up, or None."""
    return TotpDevice.objects.filter(user=user).first()


def _confirmed(user: User):
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False)


def confirmed_device(user: User) -> TotpDevice | None:
    """The user's confirmed authenticator app, or None."""
    return _confirmed(user).first()


def has_second_factor(user: User) -> bool:
    """A confirmed authenticator app or a passkey (``accounts/passkeys.py``)."""
    return _confirmed(user).exists() or Passkey.objects.filter(user=user).exists()


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.username, issuer_name=ISSUER)


def qr_svg(device: TotpDevice) -> str:
    """The enrolment QR code as inline SVG, drawn here (no outside service)."""
    buffer = io.BytesIO()
    segno.make(provisioning_uri(device), error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title=_("QR code")
    )
    return buffer.getvalue().decode()


def _time_step(code: str, device: TotpDevice) -> int | None:
    """The time step ``code`` belongs to (within the window), if newer than the last one
    accepted. None also when the secret cannot be decrypted (``SECRET_KEY`` changed
    without its fallback): the app no longer works, recovery codes still do."""
    if not re.fullmatch(f"[0-9]{{{TOTP_DIGITS}}}", code):
        return None
    try:
        totp = pyotp.TOTP(device.secret)
    except InvalidToken:
        return None
    now = timezone.now()
    current = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current + offset
        if step > device.last_time_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def totp_enrol_start(*, actor: User) -> TotpDevice:
    """A new, unconfirmed authenticator app with a fresh secret for ``actor`` (replacing
    an unconfirmed one). Refused while a confirmed one exists: turn it off first."""
    existing = TotpDevice.objects.select_for_update().filter(user=actor).first()
    if existing is not None and existing.is_confirmed:
        raise ValidationError(_("An authenticator app is already set up."))
    if existing is not None:
        existing.delete()
    device = TotpDevice.objects.create(user=actor, secret=pyotp.random_base32())
    _record(actor=actor, device=device, action="create", changes={"confirmed_at": [None, None]})
    return device


@transaction.atomic
def totp_enrol_confirm(*, actor: User, code: str) -> list[str]:
    """Confirm ``actor``'s new authenticator app with its first code; returns the
    recovery codes (shown once)."""
    device = TotpDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or device.is_confirmed:
        raise ValidationError(_("There is no authenticator app waiting for confirmation."))
    step = _time_step(_normalise(code), device)
    if step is None:
        raise ValidationError(_("The code is not correct. Check the time on your phone."))
    device.confirmed_at = timezone.now()
    device.last_time_step = step
    device.save(update_fields=["confirmed_at", "last_time_step"])
    _record(
        actor=actor,
        device=device,
        action="update",
        changes={"confirmed_at": [None, device.confirmed_at.isoformat()]},
    )
    return _new_recovery_codes(actor=actor, device=device)


def _new_recovery_codes(*, actor: User, device: TotpDevice) -> list[str]:
    RecoveryCode.objects.filter(user=actor).delete()
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _position in range(10))
        for _code in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=actor, code_hash=make_password(code)) for code in codes
    )
    _record(
        actor=actor,
        device=device,
        action="update",
        changes={"recovery_codes": [None, str(_("%(count)d new") % {"count": len(codes)})]},
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@transaction.atomic
def recovery_codes_regenerate(*, actor: User) -> list[str]:
    """New recovery codes for ``actor``; the old ones stop working."""
    device = confirmed_device(actor)
    if device is None:
        raise ValidationError(_("Set up an authenticator app first."))
    return _new_recovery_codes(actor=actor, device=device)


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def verify_second_factor(*, user: User, code: str) -> bool:
    """Whether ``code`` is a current code of the user's authenticator app (never one
    accepted before) or one of their unused recovery codes, which is then used up."""
    code = _normalise(code)
    device = _confirmed(user).select_for_update().first()
    if device is None or not code:
        return False
    if len(code) == TOTP_DIGITS:
        step = _time_step(code, device)
        if step is None:
            return False
        TotpDevice.objects.filter(pk=device.pk).update(last_time_step=step)
        return True
    for recovery in RecoveryCode.objects.select_for_update().filter(
        user=user, used_at__isnull=True
    ):
        if check_password(code, recovery.code_hash):
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            _record(
                actor=user,
                device=device,
                action="update",
                changes={"recovery_codes": [None, str(_("one used"))]},
            )
            return True
    return False


@transaction.atomic
def totp_disable(*, actor: User, code: str = "", password: str = "") -> None:
    """Turn off ``actor``'s authenticator app, proven by a current code or the password;
    the recovery codes go with it."""
    device = confirmed_device(actor)
    if device is None:
        raise ValidationError(_("No authenticator app is set up."))
    proven = (password and actor.check_password(password)) or (
        code and verify_second_factor(user=actor, code=code)
    )
    if not proven:
        raise ValidationError(_("Enter a current code from the app or your password."))
    _record(
        actor=actor,
        device=device,
        action="delete",
        changes={"confirmed_at": [device.confirmed_at.isoformat(), None]},
    )
    RecoveryCode.objects.filter(user=actor).delete()
    device.delete()


def second_factor_missing(user: User) -> bool:
    """Whether the user is a member of staff (a teacher, class teacher or the school
    office) of a school that requires a second factor of its staff, and has none yet."""
    if user.school_id is None or not get_viewer(user).is_staff_member:
        return False
    required = School.objects.filter(pk=user.school_id, require_staff_second_factor=True)
    return required.exists() and not has_second_factor(user)
