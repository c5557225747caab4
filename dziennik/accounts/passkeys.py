"""Passkeys (WebAuthn, with the ``webauthn`` library): registering a key from the
account's settings, logging in with one as the second step or on its own, removing one,
and the principal's reset of a staff member's lost second factors.

Each ceremony starts with a challenge stored here (``WebAuthnChallenge``), good for
``CHALLENGE_SECONDS`` and used up by the first answer to it, right or wrong: an answer
cannot be replayed. The relying party (``WEBAUTHN_RP_ID``) and the origins the browser
may answer from (``WEBAUTHN_ORIGINS``) come from the settings. An authenticator that
counts its signatures must count up: an assertion whose counter did not grow is refused
(a cloned key), and the counter is moved only from the value the check read, so two
answers racing with one assertion cannot both get in.

Writes take ``actor`` and record the change in the history, never the key itself.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from dziennik.core.audit import build_entry
from dziennik.schools.viewer import get_viewer

from .models import Passkey, RecoveryCode, SecondFactorReset, TotpDevice, User, WebAuthnChallenge
from .permissions import users

logger = logging.getLogger(__name__)

CHALLENGE_SECONDS = 300
MAX_PASSKEYS = 10
NAME_MAX_LENGTH = 60
REASON_MAX_LENGTH = 300
# A browser's answer is a few kilobytes; anything much larger is no answer.
MAX_ANSWER_CHARS = 64 * 1024
Purpose = WebAuthnChallenge.Purpose


@dataclass(frozen=True)
class Ceremony:
    """A started ceremony: the challenge's id (for the session) and the options the
    browser's ``navigator.credentials`` call takes, as JSON."""

    challenge_id: int
    options_json: str


def _record(*, actor: User | None, passkey: Passkey, action: str, changes: dict) -> None:
    build_entry(
        actor=actor,
        instance=passkey,
        action=action,
        changes=changes,
        school_id=passkey.user.school_id,
        object_repr=str(
            _("Passkey %(name)s of %(user)s")
            % {"name": passkey.name, "user": passkey.user.username}
        ),
    ).save()


def _user_handle(user: User) -> bytes:
    """The account's handle in the authenticator: stable and meaningless outside."""
    return salted_hmac(
        "dziennik.accounts.passkeys.user_handle", str(user.pk), algorithm="sha256"
    ).digest()


def _new_challenge(*, purpose: str, user: User | None) -> WebAuthnChallenge:
    now = timezone.now()
    WebAuthnChallenge.objects.filter(expires_at__lte=now).delete()
    return WebAuthnChallenge.objects.create(
        purpose=purpose,
        user=user,
        challenge=secrets.token_bytes(32),
        expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
    )


def _use_challenge(challenge_id, *, purpose: str, user: User | None) -> bytes | None:
    """The challenge's bytes if it is still good for this ceremony; it is used up either
    way (its own statement, so that a refused answer cannot roll it back)."""
    if not isinstance(challenge_id, int):
        return None
    row = WebAuthnChallenge.objects.filter(
        pk=challenge_id,
        purpose=purpose,
        user_id=user.pk if user is not None else None,
        expires_at__gt=timezone.now(),
    ).first()
    deleted, _rows = WebAuthnChallenge.objects.filter(pk=challenge_id).delete()
    if row is None or not deleted:
        return None
    return bytes(row.challenge)


def discard_challenge(challenge_id) -> None:
    """Forget a challenge nobody answered (its session started another ceremony)."""
    if isinstance(challenge_id, int):
        WebAuthnChallenge.objects.filter(pk=challenge_id).delete()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for credential_id, transports in Passkey.objects.filter(user=user).values_list(
        "credential_id", "transports"
    ):
        known = [AuthenticatorTransport(t) for t in transports if t in _TRANSPORTS]
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(credential_id), transports=known or None
            )
        )
    return descriptors


_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


def passkeys_of(user: User):
    """The user's own passkeys, oldest first."""
    return Passkey.objects.filter(user=user).order_by("created_at", "pk")


def has_passkey(user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()


# --- registration ---------------------------------------------------------------------


def registration_start(*, actor: User) -> Ceremony:
    """A challenge and the options to create a new passkey for ``actor``'s account."""
    if Passkey.objects.filter(user=actor).count() >= MAX_PASSKEYS:
        raise ValidationError(
            _("You have %(count)d passkeys, the most an account may have. Remove one first.")
            % {"count": MAX_PASSKEYS}
        )
    row = _new_challenge(purpose=Purpose.REGISTER, user=actor)
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_name=actor.username,
        user_id=_user_handle(actor),
        user_display_name=actor.get_full_name() or actor.username,
        challenge=bytes(row.challenge),
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(actor),
    )
    return Ceremony(challenge_id=row.pk, options_json=options_to_json(options))


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError(_("Give the passkey a name, e.g. “my phone”."))
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("The name may have at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}
        )
    return name


def passkey_register(*, actor: User, challenge_id, answer: str, name: str) -> Passkey:
    """Store the passkey the browser created in answer to the challenge ``challenge_id``.

    Refused (``ValidationError``, nothing stored) when the name is empty or too long, the
    challenge is used up, expired or another account's, or the answer is not a valid
    registration for this relying party and origin.
    """
    name = _clean_name(name)
    challenge = _use_challenge(challenge_id, purpose=Purpose.REGISTER, user=actor)
    if challenge is None:
        raise ValidationError(_("The request has expired. Try again."))
    try:
        if not isinstance(answer, str) or len(answer) > MAX_ANSWER_CHARS:
            raise ValueError("answer too large")
        credential = parse_registration_credential_json(answer)
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ORIGINS),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        logger.info("Passkey registration refused for user %s: %s", actor.pk, exc)
        raise ValidationError(_("The passkey could not be registered. Try again.")) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    transports = [t.value for t in (credential.response.transports or [])]
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise ValidationError(_("This passkey is already registered."))
        if Passkey.objects.select_for_update().filter(user=actor).count() >= MAX_PASSKEYS:
            raise ValidationError(_("Remove a passkey first."))
        passkey = Passkey.objects.create(
            user=actor,
            name=name,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
        )
        _record(actor=actor, passkey=passkey, action="create", changes={"name": [None, name]})
    return passkey


@transaction.atomic
def passkey_remove(*, actor: User, passkey: Passkey, password: str) -> None:
    """Remove one of ``actor``'s own passkeys, proven by the account's password."""
    if passkey.user_id != actor.pk:
        raise PermissionDenied
    if not password or not actor.check_password(password):
        raise ValidationError(_("The password is not correct."))
    _record(actor=actor, passkey=passkey, action="delete", changes={"name": [passkey.name, None]})
    passkey.delete()


# --- logging in -----------------------------------------------------------------------


def authentication_start(*, user: User | None) -> Ceremony:
    """A challenge and the options to log in with a passkey: one of ``user``'s keys for
    the second step of their login, or (``user`` None) any key the authenticator keeps
    for this site, which then also has to verify the person (PIN, fingerprint)."""
    purpose = Purpose.SECOND_STEP if user is not None else Purpose.LOGIN
    row = _new_challenge(purpose=purpose, user=user)
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        challenge=bytes(row.challenge),
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(user) if user is not None else [],
        user_verification=(
            UserVerificationRequirement.PREFERRED
            if user is not None
            else UserVerificationRequirement.REQUIRED
        ),
    )
    return Ceremony(challenge_id=row.pk, options_json=options_to_json(options))


def passkey_verify(*, challenge_id, answer: str, user: User | None) -> User | None:
    """The account the browser's ``answer`` proves, or None.

    ``user`` is the account of the login's second step (the key must be theirs), or
    None for a login with a passkey alone (the key names the account; the authenticator
    must have verified the person). None when the challenge is used up, expired or not
    this ceremony's, the key is unknown, another account's or that of an inactive
    account, the signature, origin or relying party is wrong, or the signature counter
    did not grow.
    """
    purpose = Purpose.SECOND_STEP if user is not None else Purpose.LOGIN
    challenge = _use_challenge(challenge_id, purpose=purpose, user=user)
    if challenge is None or not isinstance(answer, str) or len(answer) > MAX_ANSWER_CHARS:
        return None
    try:
        credential = parse_authentication_credential_json(answer)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None
    found = Passkey.objects.select_related("user").filter(
        credential_id=bytes_to_base64url(credential.raw_id), user__is_active=True
    )
    if user is not None:
        found = found.filter(user=user)
    passkey = found.first()
    if passkey is None:
        return None
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ORIGINS),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=user is None,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        logger.warning("Passkey %s of user %s refused: %s", passkey.pk, passkey.user_id, exc)
        return None
    moved = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    return passkey.user if moved else None


# --- the principal's reset ------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError(_("Give the reason for the reset."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason may have at most %(count)d characters.") % {"count": REASON_MAX_LENGTH}
        )
    return reason


@transaction.atomic
def second_factor_reset(*, actor: User, user: User, reason: str) -> SecondFactorReset:
    """Remove ``user``'s authenticator app, recovery codes and passkeys (lost), by the
    principal of their school, with a reason. The history keeps who, when, why and
    what was removed; the person is told at their next login to set a second factor up
    again (and, where the school requires one, must)."""
    reason = _clean_reason(reason)
    if not users.allows(get_viewer(actor), "reset_second_factor", user):
        raise PermissionDenied
    user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    passkeys = list(Passkey.objects.filter(user=user))
    if device is None and not passkeys:
        raise ValidationError(_("This account has no second factor to reset."))
    removed = ([str(_("authenticator app"))] if device is not None else []) + [
        p.name for p in passkeys
    ]
    reset = SecondFactorReset.objects.create(user=user, reset_by=actor, reason=reason)
    build_entry(
        actor=actor,
        instance=reset,
        action="create",
        changes={"second_factors": [removed, None], "reason": [None, reason]},
        school_id=user.school_id,
        object_repr=str(_("Second factor reset of %(user)s") % {"user": user.username}),
    ).save()
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    Passkey.objects.filter(user=user).delete()
    return reset


def unseen_reset(user: User) -> SecondFactorReset | None:
    """The last reset of ``user``'s second factors they have not been told about yet,
    marked as told."""
    reset = (
        SecondFactorReset.objects.filter(user=user, seen_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if reset is not None:
        SecondFactorReset.objects.filter(user=user, seen_at__isnull=True).update(
            seen_at=timezone.now()
        )
    return reset
