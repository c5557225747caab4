"""KeyStroke's profile through its services: consent, learning, checking, the window, a
new password, switching off, what is stored and what the export gives."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from dziennik.accounts import encryption, typing_capture
from dziennik.accounts import services as account_services
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.core.models import AuditEntry
from dziennik.keystroke import export, services
from dziennik.keystroke.models import KeystrokeProfile, KeystrokeSettings, UnusualLogin
from dziennik.keystroke.tests import typing

pytestmark = pytest.mark.django_db
Outcome = KeystrokeProfile.Outcome


def _vector(person, rng) -> list[float]:
    return typing_capture.parse(typing.field(person, rng))


def _login(user, vector, *, second_step_possible=True, second_step=False) -> bool:
    """What the login does: the check after the password, the learning after success."""
    unusual = services.login_check(user, vector, second_step_possible=second_step_possible)
    if not unusual or second_step:
        services.login_learn(user, vector, second_step=second_step)
    return unusual


def _history(model=KeystrokeProfile):
    kind = ContentType.objects.get_for_model(model)
    return list(AuditEntry.objects.filter(content_type=kind).order_by("pk"))


@pytest.fixture
def user(world):
    return world.user("own_parent")


@pytest.fixture
def enrolled(user, owner_rhythm, rng):
    services.keystroke_enable(actor=user, consent=True)
    for _ in range(services.LEARNING_SAMPLES):
        assert _login(user, _vector(owner_rhythm, rng)) is False
    return user


def test_turning_on_needs_consent_and_records_it(user):
    with pytest.raises(ValidationError):
        services.keystroke_enable(actor=user, consent=False)
    assert not KeystrokeProfile.objects.exists() and _history() == []
    profile = services.keystroke_enable(actor=user, consent=True)
    [entry] = _history()
    assert entry.actor == user and entry.action == "create"
    assert entry.changes == {
        "consented_at": [None, profile.consented_at.isoformat()],
        "consent_version": [None, services.CONSENT_VERSION],
    }
    assert profile.sample_count == 0 and profile.samples == []
    with pytest.raises(ValidationError):
        services.keystroke_enable(actor=user, consent=True)


def test_a_young_profile_only_learns_then_checks(user, owner_rhythm, other_rhythm, rng):
    services.keystroke_enable(actor=user, consent=True)
    for count in range(1, services.LEARNING_SAMPLES + 1):
        # even another rhythm is only learned while the profile is young
        assert _login(user, _vector(owner_rhythm, rng)) is False
        profile = KeystrokeProfile.objects.get(user=user)
        assert (profile.sample_count, profile.last_outcome) == (count, Outcome.LEARNING)
    assert _login(user, _vector(owner_rhythm, rng)) is False
    profile = KeystrokeProfile.objects.get(user=user)
    assert profile.last_outcome == Outcome.MATCHED
    assert profile.sample_count == services.LEARNING_SAMPLES + 1
    assert UnusualLogin.objects.count() == 0

    assert _login(user, _vector(other_rhythm, rng)) is True
    profile = KeystrokeProfile.objects.get(user=user)
    assert profile.last_outcome == Outcome.UNUSUAL
    assert profile.sample_count == services.LEARNING_SAMPLES + 1  # nothing learned
    [event] = UnusualLogin.objects.all()
    assert (event.user, event.outcome) == (user, UnusualLogin.Outcome.SECOND_STEP)


def test_the_owners_rhythm_matches_and_others_do_not(enrolled, owner_rhythm, rng):
    checks = [_login(enrolled, _vector(owner_rhythm, rng)) for _ in range(20)]
    assert sum(checks) <= 2  # the owner is asked at most now and then
    others = [_login(enrolled, _vector(typing.rhythm(seed), rng)) for seed in range(3, 23)]
    assert sum(others) >= 16


def test_a_rhythm_confirmed_by_the_second_step_is_learned(enrolled, other_rhythm, rng):
    before = KeystrokeProfile.objects.get(user=enrolled).sample_count
    assert _login(enrolled, _vector(other_rhythm, rng), second_step=True) is True
    assert KeystrokeProfile.objects.get(user=enrolled).sample_count == before + 1


def test_without_a_second_factor_an_unusual_login_goes_through_and_is_recorded(
    enrolled, other_rhythm, rng
):
    before = KeystrokeProfile.objects.get(user=enrolled).sample_count
    vector = _vector(other_rhythm, rng)
    assert services.login_check(enrolled, vector, second_step_possible=False) is False
    services.login_learn(enrolled, vector, second_step=False)
    [event] = UnusualLogin.objects.all()
    assert event.outcome == UnusualLogin.Outcome.LET_THROUGH
    assert KeystrokeProfile.objects.get(user=enrolled).sample_count == before  # not learned


def test_no_timings_never_ask_and_teach_nothing(enrolled, user):
    before = KeystrokeProfile.objects.get(user=user).sample_count
    for _ in range(3):
        assert _login(user, None) is False
    profile = KeystrokeProfile.objects.get(user=user)
    assert (profile.sample_count, profile.last_outcome) == (before, Outcome.NO_TIMINGS)
    assert UnusualLogin.objects.count() == 0


def test_the_window_keeps_the_latest_typings(user, owner_rhythm, rng):
    services.keystroke_enable(actor=user, consent=True)
    vectors = [_vector(owner_rhythm, rng) for _ in range(services.WINDOW + 5)]
    for vector in vectors:
        services.login_check(user, vector, second_step_possible=True)
        services.login_learn(user, vector, second_step=True)
    profile = KeystrokeProfile.objects.get(user=user)
    assert profile.sample_count == services.WINDOW
    expected = [[round(v, 4) for v in vector] for vector in vectors[-services.WINDOW :]]
    assert profile.samples == expected


def test_a_new_password_starts_a_new_profile(enrolled, owner_rhythm, rng):
    account_services.password_change(
        actor=enrolled, user=enrolled, new_password="Zielona-Lampa-2026!"
    )
    enrolled.refresh_from_db()
    assert _login(enrolled, _vector(owner_rhythm, rng)) is False
    profile = KeystrokeProfile.objects.get(user=enrolled)
    assert (profile.sample_count, profile.last_outcome) == (1, Outcome.LEARNING)
    reset = _history()[-1]
    assert reset.action == "update"
    assert reset.changes["sample_count"][0] == services.LEARNING_SAMPLES


def test_turning_off_deletes_the_profile(enrolled):
    services.keystroke_disable(actor=enrolled)
    assert not KeystrokeProfile.objects.filter(user=enrolled).exists()
    entry = _history()[-1]
    assert entry.action == "delete" and entry.actor == enrolled
    assert entry.changes["sample_count"] == [services.LEARNING_SAMPLES, None]
    with pytest.raises(ValidationError):
        services.keystroke_disable(actor=enrolled)


def test_stored_rows_and_history_hold_no_character_and_no_timing(enrolled):
    row = KeystrokeProfile.objects.filter(user=enrolled).values().get()
    encrypted = row.pop("encrypted_samples")
    plain = encryption.decrypt(encrypted)
    assert re.fullmatch(r"[\[\]0-9., e-]*", plain), plain  # numbers only: no character
    assert TEST_PASSWORD not in json.dumps(row, default=str)
    samples = KeystrokeProfile.objects.get(user=enrolled).samples
    assert len(samples) == services.LEARNING_SAMPLES
    assert all(len(s) == 3 * typing.KEYS - 2 for s in samples)
    assert all(isinstance(v, float) for s in samples for v in s)
    # encrypted at rest: the timings themselves are not readable in the row
    assert str(samples[0][0]) not in encrypted and "[[" not in encrypted
    history = json.dumps([entry.changes for entry in _history()])
    assert str(samples[0][0]) not in history and "encrypted" not in history


def test_the_export_gives_a_summary_never_the_timings(enrolled, other_rhythm, rng):
    _login(enrolled, _vector(other_rhythm, rng))
    data = export.personal_data(enrolled)["keystroke"]
    profile = KeystrokeProfile.objects.get(user=enrolled)
    assert data == {
        "enabled": True,
        "consented_at": profile.consented_at.isoformat(),
        "consent_version": services.CONSENT_VERSION,
        "typings_in_profile": services.LEARNING_SAMPLES,
        "last_outcome": "unusual",
        "last_checked_at": profile.last_checked_at.isoformat(),
        "unusual_logins": [
            {"at": UnusualLogin.objects.get().at.isoformat(), "outcome": "second_step"}
        ],
    }
    services.keystroke_disable(actor=enrolled)
    assert export.personal_data(enrolled)["keystroke"]["enabled"] is False


def test_the_schools_threshold_decides(world, enrolled, other_rhythm, rng):
    principal = world.user("principal")
    services.keystroke_settings_update(
        actor=principal, required_for_staff=False, threshold=Decimal("4.00")
    )
    assert KeystrokeSettings.objects.get(school=world.school).threshold == Decimal("4.00")
    assert _login(enrolled, _vector(other_rhythm, rng)) is False  # every column capped at 4
    with pytest.raises(ValidationError):
        services.keystroke_settings_update(
            actor=principal, required_for_staff=False, threshold=Decimal("0.10")
        )


def test_the_persons_data_export_holds_the_summary_and_no_timing(world, enrolled):
    """Through the privacy page's export, as the person downloads it: KeyStroke's part is
    there (on, with its consent and typings), and no number of the profile is."""
    response = world.client("own_parent").post(
        reverse("privacy:export_user", args=[enrolled.pk, "json"])
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    profile = KeystrokeProfile.objects.get(user=enrolled)
    assert data["own"]["keystroke"]["enabled"] is True
    assert data["own"]["keystroke"]["typings_in_profile"] == services.LEARNING_SAMPLES
    assert "KeystrokeProfile" not in json.dumps(data["apps"])
    text = response.content.decode()
    assert profile.encrypted_samples not in text and "samples" not in text
