"""KeyStroke's writes: consent and switching off, the school's settings, and what a login
does to the profile (``login_checks.py`` calls ``login_check``/``login_learn``).

Every write takes the actor and records who, when and what in the history, never a
timing: turning on (with the consent's time and text version), a new profile after a
password change, turning off (the profile deleted), the school's settings.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit
from dziennik.core.audit import build_entry
from dziennik.core.cache import bump
from dziennik.schools.viewer import get_viewer

from . import detector, permissions
from .models import KeystrokeProfile, KeystrokeSettings, UnusualLogin
from .scopes import events_scope

# The version of the consent text (templates/keystroke/_consent.html): a new wording
# gets a new number, and the history says which one a person agreed to.
CONSENT_VERSION = 1
# Until the profile holds this many typings it only learns (docs/keystroke.md: the
# detector's mean EER is 0.142 at 20 enrolment typings, 0.191 at 10).
LEARNING_SAMPLES = 20
# The rolling window: the latest genuine typings kept (0.115 at 50, 0.079 at 100).
WINDOW = 60
# The mean per-column score above which a typing is unusual (docs/keystroke.md, from
# ``manage.py keystroke_benchmark --operating-points``): 1.5 asks the owner about 7 in 100
# logins with a 20-typing profile and 2 in 100 with 60, and about two in three typings of
# the password by someone else.
DEFAULT_THRESHOLD = Decimal("1.50")
THRESHOLD_RANGE = (Decimal("0.80"), Decimal("4.00"))
_MARKER_SALT = "dziennik.keystroke.password_marker"


def password_marker(user: User) -> str:
    """A keyed hash of the password's hash: changes whenever the password does."""
    return salted_hmac(_MARKER_SALT, user.password, algorithm="sha256").hexdigest()


def settings_of(school_id: int | None) -> KeystrokeSettings:
    """The school's settings, or the defaults (unsaved)."""
    found = KeystrokeSettings.objects.filter(school_id=school_id).first() if school_id else None
    return found or KeystrokeSettings(school_id=school_id, threshold=DEFAULT_THRESHOLD)


def _record(*, actor: User, profile: KeystrokeProfile, action: str, changes: dict) -> None:
    build_entry(
        actor=actor,
        instance=profile,
        action=action,
        changes=changes,
        school_id=profile.user.school_id,
        object_repr=str(_("KeyStroke of %(user)s") % {"user": profile.user.username}),
    ).save()


@transaction.atomic
def keystroke_enable(*, actor: User, consent: bool) -> KeystrokeProfile:
    """Turn KeyStroke on for ``actor`` after their explicit consent; the profile starts
    empty and learns from the next logins."""
    if not consent:
        raise ValidationError(_("KeyStroke is turned on only with your consent."))
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if KeystrokeProfile.objects.filter(user=actor).exists():
        raise ValidationError(_("KeyStroke is already on."))
    profile = KeystrokeProfile.objects.create(
        user=actor,
        consented_at=timezone.now(),
        consent_version=CONSENT_VERSION,
        password_marker=password_marker(actor),
    )
    _record(
        actor=actor,
        profile=profile,
        action="create",
        changes={
            "consented_at": [None, profile.consented_at.isoformat()],
            "consent_version": [None, CONSENT_VERSION],
        },
    )
    return profile


@transaction.atomic
def keystroke_disable(*, actor: User) -> None:
    """Turn KeyStroke off for ``actor``: the profile (every timing) is deleted."""
    profile = KeystrokeProfile.objects.select_for_update().filter(user=actor).first()
    if profile is None:
        raise ValidationError(_("KeyStroke is not on."))
    _record(
        actor=actor,
        profile=profile,
        action="delete",
        changes={
            "consented_at": [profile.consented_at.isoformat(), None],
            "sample_count": [profile.sample_count, None],
        },
    )
    profile.delete()


@transaction.atomic
def keystroke_settings_update(
    *, actor: User, required_for_staff: bool, threshold: Decimal
) -> KeystrokeSettings:
    """The school's settings (the principal or the school office)."""
    viewer = get_viewer(actor)
    if not permissions.manages_settings(viewer):
        raise Http404
    low, high = THRESHOLD_RANGE
    if not low <= threshold <= high:
        raise ValidationError(
            _("The threshold must be between %(low)s and %(high)s.") % {"low": low, "high": high}
        )
    settings = settings_of(viewer.school_id)
    if settings.pk is None:
        settings.required_for_staff, settings.threshold = bool(required_for_staff), threshold
        settings.save()
        audit.record_create(actor=actor, instance=settings)
        return settings
    before = audit.snapshot(settings, fields=["required_for_staff", "threshold"])
    settings.required_for_staff, settings.threshold = bool(required_for_staff), threshold
    settings.save()
    audit.record_update(actor=actor, instance=settings, before=before)
    return settings


def has_profile(user: User) -> bool:
    """Whether ``user`` has KeyStroke on (the login keeps the timings for the second step
    only then)."""
    return KeystrokeProfile.objects.filter(user=user).exists()


def _current_profile(user: User) -> KeystrokeProfile | None:
    """The user's profile, locked; started again (and recorded) when the password has
    changed since its typings were learned."""
    profile = KeystrokeProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        return None
    marker = password_marker(user)
    if profile.password_marker != marker:
        _record(
            actor=user,
            profile=profile,
            action="update",
            changes={"sample_count": [profile.sample_count, str(_("0: a new password"))]},
        )
        profile.password_marker = marker
        profile.samples = []
        profile.save(update_fields=["password_marker", "encrypted_samples", "sample_count"])
    return profile


def _unusual(profile: KeystrokeProfile, samples: list, typing: list[float]) -> bool:
    if len(typing) != len(samples[0]):
        return True  # the same password typed with a different number of keys
    model = detector.train(samples)
    per_column = detector.score(model, [typing])[0] / model.weights.sum()
    return per_column > float(settings_of(profile.user.school_id).threshold)


@transaction.atomic
def login_check(user: User, typing: list[float] | None, *, second_step_possible: bool) -> bool:
    """After the right password: whether the rhythm asks for the second step. A login
    without timings, or with a profile still learning, goes through as usual. An unusual
    one is recorded for the owner; without any second step possible it goes through."""
    profile = _current_profile(user)
    if profile is None:
        return False
    samples = profile.samples
    Outcome = KeystrokeProfile.Outcome
    if typing is None:
        outcome = Outcome.NO_TIMINGS
    elif len(samples) < LEARNING_SAMPLES:
        outcome = Outcome.LEARNING
    else:
        outcome = Outcome.UNUSUAL if _unusual(profile, samples, typing) else Outcome.MATCHED
    profile.last_outcome, profile.last_checked_at = outcome, timezone.now()
    profile.save(update_fields=["last_outcome", "last_checked_at"])
    if outcome != Outcome.UNUSUAL:
        return False
    UnusualLogin.objects.create(
        user=user,
        outcome=(
            UnusualLogin.Outcome.SECOND_STEP
            if second_step_possible
            else UnusualLogin.Outcome.LET_THROUGH
        ),
    )
    bump(events_scope(user.pk))
    return second_step_possible


@transaction.atomic
def login_learn(user: User, typing: list[float] | None, *, second_step: bool) -> None:
    """After a successful login: a genuine typing joins the rolling window. Genuine is a
    rhythm that matched (or a profile still learning), or any rhythm confirmed by the
    second step; a login let through without one teaches nothing, nor does one without
    timings."""
    profile = _current_profile(user)
    if profile is None or typing is None:
        return
    Outcome = KeystrokeProfile.Outcome
    if not second_step and profile.last_outcome not in (Outcome.LEARNING, Outcome.MATCHED):
        return
    samples = profile.samples
    if samples and len(samples[0]) != len(typing):
        if len(samples) >= LEARNING_SAMPLES:
            return  # a mature profile is not thrown away for one odd typing
        samples = []  # a young profile of another length restarts
    profile.samples = [*samples, [round(value, 4) for value in typing]][-WINDOW:]
    profile.save(update_fields=["encrypted_samples", "sample_count"])


@transaction.atomic
def unusual_logins_seen(*, actor: User) -> int:
    """The owner has seen their unusual logins: they leave the home page."""
    count = UnusualLogin.objects.filter(user=actor, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
    bump(events_scope(actor.pk))
    return count
