"""KeyStroke in the login, over HTTP: straight through with the owner's rhythm, the second
step with another (the authenticator app, or a code by e-mail sent to a real SMTP server
on loopback), never a lockout without timings or without any second factor."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts import email_code, totp
from dziennik.accounts.models import EmailLoginCode
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.keystroke import services
from dziennik.keystroke.models import KeystrokeProfile, UnusualLogin
from dziennik.keystroke.tests import typing
from testsupport.smtp import SMTPServer

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
EMAIL_STEP = reverse("accounts:login_email_code")
RESEND = reverse("accounts:login_email_code_resend")
SECOND_STEP = reverse("accounts:login_second_step")
USERNAME = "rodzic-test"
CODE = re.compile(r"^[ ]+([0-9]{6})\s*$", re.MULTILINE)


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        yield server


@pytest.fixture
def parent(world):
    user = world.user("own_parent")
    user.email = "anna.wisniewska@example.pl"
    user.save(update_fields=["email"])
    return user


def log_in(field: str, ip: str = "10.2.0.1", next_url: str = ""):
    client = Client(REMOTE_ADDR=ip)
    data = {"username": USERNAME, "password": TEST_PASSWORD, "keystroke": field}
    if next_url:
        data["next"] = next_url
    return client, client.post(LOGIN, data)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def enrol_by_logging_in(user, person, rng) -> None:
    """Turn KeyStroke on and log in until the profile is built, as its owner would."""
    services.keystroke_enable(actor=user, consent=True)
    for _ in range(services.LEARNING_SAMPLES):
        client, response = log_in(typing.field(person, rng))
        assert response.status_code == 302 and is_logged_in(client)
    assert KeystrokeProfile.objects.get(user=user).sample_count == services.LEARNING_SAMPLES


def code_in(received) -> str:
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    return CODE.search(body).group(1)


def test_an_unusual_rhythm_without_a_factor_asks_for_an_emailed_code(
    world, parent, smtp, owner_rhythm, other_rhythm, rng
):
    enrol_by_logging_in(parent, owner_rhythm, rng)
    assert smtp.received == []  # the owner's own rhythm never asked for anything

    client, response = log_in(typing.field(owner_rhythm, rng))
    assert response["Location"] == "/" and is_logged_in(client)

    client, response = log_in(typing.field(other_rhythm, rng), next_url="/oceny/")
    assert response.status_code == 302 and response["Location"] == EMAIL_STEP
    assert not is_logged_in(client)
    assert client.get("/").status_code == 302  # not in yet
    [received] = smtp.received
    assert received.recipients == [parent.email]
    code = code_in(received)
    assert code in received.message["Subject"]
    page = client.get(EMAIL_STEP)
    assert page.status_code == 200 and "a…@example.pl" in page.content.decode()

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert client.post(EMAIL_STEP, {"code": wrong}).status_code == 400
    assert not is_logged_in(client)
    response = client.post(EMAIL_STEP, {"code": code})
    assert response.status_code == 302 and response["Location"] == "/oceny/"
    assert is_logged_in(client)

    [event] = UnusualLogin.objects.all()
    assert (event.user, event.outcome) == (parent, UnusualLogin.Outcome.SECOND_STEP)
    # confirmed by the second step: the typing joined the profile
    assert KeystrokeProfile.objects.get(user=parent).sample_count == services.LEARNING_SAMPLES + 2
    home = client.get("/").content.decode()
    assert 'id="unusual-logins-panel"' in home and "Nietypowe logowanie" in home, home
    # seen: it leaves the home page (the family's cached home moves on too)
    client.post(reverse("keystroke:unusual_seen"))
    assert 'id="unusual-logins-panel"' not in client.get("/").content.decode()


def test_codes_are_rate_limited_single_use_and_expire(world, parent, smtp):
    services.keystroke_enable(actor=parent, consent=True)
    KeystrokeProfile.objects.filter(user=parent).update(last_outcome="")
    # Without a login waiting for its code, no code is sent.
    response = Client().post(RESEND)
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert smtp.received == []

    for _ in range(email_code.SENDS_PER_WINDOW):
        email_code.email_code_send(user=parent)
    with pytest.raises(ValidationError):
        email_code.email_code_send(user=parent)
    assert len(smtp.received) == email_code.SENDS_PER_WINDOW
    codes = [code_in(received) for received in smtp.received]
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    # Only the newest works, once; the stored rows hold no code.
    if codes[0] != codes[-1]:
        assert email_code.email_code_verify(user=parent, code=codes[0]) is False
    stored = list(EmailLoginCode.objects.values_list("code_hash", flat=True))
    assert not any(code in stored_hash for code in codes for stored_hash in stored)
    assert email_code.email_code_verify(user=parent, code=codes[-1]) is True
    assert email_code.email_code_verify(user=parent, code=codes[-1]) is False

    EmailLoginCode.objects.all().delete()  # a new window
    email_code.email_code_send(user=parent)
    code = code_in(smtp.received[-1])
    EmailLoginCode.objects.update(expires_at=timezone.now())
    assert email_code.email_code_verify(user=parent, code=code) is False  # ten minutes passed

    EmailLoginCode.objects.all().delete()
    email_code.email_code_send(user=parent)
    code = code_in(smtp.received[-1])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(email_code.MAX_ATTEMPTS):
        assert email_code.email_code_verify(user=parent, code=wrong) is False
    assert email_code.email_code_verify(user=parent, code=code) is False  # guessed too often


def test_the_resend_button_sends_a_new_code_within_the_limit(
    world, parent, smtp, owner_rhythm, other_rhythm, rng
):
    enrol_by_logging_in(parent, owner_rhythm, rng)
    client, response = log_in(typing.field(other_rhythm, rng))
    assert response["Location"] == EMAIL_STEP
    for _ in range(email_code.SENDS_PER_WINDOW):
        client.post(RESEND)
    assert len(smtp.received) == email_code.SENDS_PER_WINDOW  # the fourth was refused
    first = code_in(smtp.received[0])
    newest = code_in(smtp.received[-1])
    if first != newest:
        assert client.post(EMAIL_STEP, {"code": first}).status_code == 400
    assert client.post(EMAIL_STEP, {"code": newest}).status_code == 302
    assert is_logged_in(client)


def test_without_any_second_factor_the_login_goes_through_and_is_shown(
    world, owner_rhythm, other_rhythm, rng, smtp
):
    parent = world.user("own_parent")
    assert not parent.email
    enrol_by_logging_in(parent, owner_rhythm, rng)
    client, response = log_in(typing.field(other_rhythm, rng))
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_logged_in(client)
    [event] = UnusualLogin.objects.all()
    assert event.outcome == UnusualLogin.Outcome.LET_THROUGH
    assert KeystrokeProfile.objects.get(user=parent).sample_count == services.LEARNING_SAMPLES
    assert smtp.received == []
    assert 'id="unusual-logins-panel"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "field",
    ["", "not json", '{"v": 1, "t": []}', '{"v": 2, "t": [[0, 50], [100, 150]]}'],
    ids=["pasted", "garbage", "empty", "unknown-version"],
)
def test_a_login_without_timings_is_never_stopped(world, parent, smtp, owner_rhythm, rng, field):
    enrol_by_logging_in(parent, owner_rhythm, rng)
    for number in range(3):
        client, response = log_in(field, ip=f"10.3.0.{number}")
        assert response.status_code == 302 and response["Location"] == "/"
        assert is_logged_in(client)
    profile = KeystrokeProfile.objects.get(user=parent)
    assert profile.sample_count == services.LEARNING_SAMPLES  # nothing learned
    assert profile.last_outcome == KeystrokeProfile.Outcome.NO_TIMINGS
    assert UnusualLogin.objects.count() == 0 and smtp.received == []


def test_with_an_authenticator_app_the_app_answers_and_the_typing_is_learned(
    world, parent, smtp, owner_rhythm, other_rhythm, rng
):
    enrol_by_logging_in(parent, owner_rhythm, rng)
    device = totp.totp_enrol_start(actor=parent)
    totp.totp_enrol_confirm(actor=parent, code=pyotp.TOTP(device.secret).now())
    client, response = log_in(typing.field(other_rhythm, rng))
    assert response["Location"] == SECOND_STEP
    assert smtp.received == []  # the app is the second step, no e-mail
    # The e-mail step does not serve a login waiting for the app: no mail, back to login.
    assert client.post(RESEND)["Location"] == LOGIN
    assert client.get(EMAIL_STEP)["Location"] == LOGIN
    assert smtp.received == []
    client, response = log_in(typing.field(other_rhythm, rng), ip="10.2.0.9")
    code = pyotp.TOTP(device.secret).at(timezone.now().timestamp() + 30)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 302
    assert is_logged_in(client)
    assert {e.outcome for e in UnusualLogin.objects.all()} == {UnusualLogin.Outcome.SECOND_STEP}
    assert KeystrokeProfile.objects.get(user=parent).sample_count == services.LEARNING_SAMPLES + 1


def test_a_person_without_keystroke_logs_in_as_before(world, parent, smtp, other_rhythm, rng):
    client, response = log_in(typing.field(other_rhythm, rng))
    assert response["Location"] == "/" and is_logged_in(client)
    assert not KeystrokeProfile.objects.exists() and smtp.received == []


def test_timings_are_kept_for_the_second_step_only_with_keystroke_on(
    world, parent, other_rhythm, rng
):
    device = totp.totp_enrol_start(actor=parent)
    totp.totp_enrol_confirm(actor=parent, code=pyotp.TOTP(device.secret).now())
    client, response = log_in(typing.field(other_rhythm, rng))
    assert response["Location"] == SECOND_STEP
    assert client.session["login_check_typing"] == {"typing": None}  # no consent: not kept
    services.keystroke_enable(actor=parent, consent=True)
    client, response = log_in(typing.field(other_rhythm, rng), ip="10.2.0.7")
    kept = client.session["login_check_typing"]["typing"]
    assert len(kept) == 3 * typing.KEYS - 2 and all(isinstance(v, float) for v in kept)
