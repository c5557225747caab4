"""Passkeys (WebAuthn): registration, the login's second step and the login with a key
alone, single-use challenges, the signature counter, removal, and what counts as a
second factor. Answers come from a software authenticator with a real key pair
(``soft_authenticator.py``); the browser tests use Chromium's virtual one."""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts import passkeys, totp
from dziennik.accounts.models import Passkey, WebAuthnChallenge
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.accounts.tests.soft_authenticator import SoftAuthenticator, b64url, from_b64url
from dziennik.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SECOND_STEP = reverse("accounts:login_second_step")
PASSKEYS = reverse("accounts:passkeys")
REGISTER_OPTIONS = reverse("accounts:passkey_register_options")
REGISTER = reverse("accounts:passkey_register")
LOGIN_OPTIONS = reverse("accounts:passkey_login_options")
PASSKEY_LOGIN = reverse("accounts:passkey_login")


def enrol(user, name: str = "Telefon", **kwargs) -> SoftAuthenticator:
    """A passkey for ``user``, made by a new software authenticator, which is returned."""
    authenticator = SoftAuthenticator(**kwargs)
    ceremony = passkeys.registration_start(actor=user)
    passkeys.passkey_register(
        actor=user,
        challenge_id=ceremony.challenge_id,
        answer=authenticator.register(ceremony.options_json),
        name=name,
    )
    return authenticator


def second_step(user, authenticator, **kwargs):
    ceremony = passkeys.authentication_start(user=user)
    answer = authenticator.assert_(ceremony.options_json, **kwargs)
    return passkeys.passkey_verify(challenge_id=ceremony.challenge_id, answer=answer, user=user)


def passkey_type() -> ContentType:
    return ContentType.objects.get_for_model(Passkey)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- registration ---------------------------------------------------------------------


def test_registration_stores_the_public_key_and_records_it(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent, name="  Mój   telefon ")
    passkey = Passkey.objects.get(user=parent)
    assert passkey.name == "Mój telefon"
    assert passkey.credential_id == b64url(authenticator.credential_id)
    assert passkey.transports == ["internal"]
    assert passkey.sign_count == 0 and passkey.last_used_at is None
    entry = AuditEntry.objects.get(
        object_id=str(passkey.pk), action="create", content_type=passkey_type()
    )
    assert entry.actor_id == parent.pk and entry.changes == {"name": [None, "Mój telefon"]}
    assert bytes(passkey.public_key).hex() not in json.dumps(entry.changes)
    # The options name the account by a handle that is not its id or login.
    options = json.loads(passkeys.registration_start(actor=parent).options_json)
    assert options["rp"] == {"id": "localhost", "name": "Dziennik"}
    assert options["user"]["name"] == parent.username
    assert options["user"]["id"] not in (str(parent.pk), parent.username)
    assert options["excludeCredentials"][0]["id"] == passkey.credential_id


@pytest.mark.parametrize(
    "spoil",
    ["wrong origin", "reused challenge", "another's challenge", "expired", "garbage", "no name"],
)
def test_a_bad_registration_stores_nothing(world, spoil):
    parent = world.user("own_parent")
    authenticator = SoftAuthenticator()
    ceremony = passkeys.registration_start(actor=parent)
    answer = authenticator.register(ceremony.options_json)
    name = "Telefon"
    actor = parent
    if spoil == "wrong origin":
        answer = authenticator.register(ceremony.options_json, origin="http://localhost:9999")
    elif spoil == "reused challenge":
        passkeys.passkey_register(
            actor=parent, challenge_id=ceremony.challenge_id, answer=answer, name="Drugi"
        )
        answer = SoftAuthenticator().register(ceremony.options_json)
    elif spoil == "another's challenge":
        actor = world.user("student")
    elif spoil == "expired":
        WebAuthnChallenge.objects.filter(pk=ceremony.challenge_id).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif spoil == "garbage":
        answer = '{"id": "x", "response": {}}'
    elif spoil == "no name":
        name = "   "
    before = Passkey.objects.count()
    with pytest.raises(ValidationError):
        passkeys.passkey_register(
            actor=actor, challenge_id=ceremony.challenge_id, answer=answer, name=name
        )
    assert Passkey.objects.count() == before
    if spoil != "no name":  # the name is checked before the challenge is touched
        assert not WebAuthnChallenge.objects.filter(pk=ceremony.challenge_id).exists()


def test_the_same_key_is_not_registered_twice(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    ceremony = passkeys.registration_start(actor=parent)
    with pytest.raises(ValidationError, match="już zarejestrowany"):
        passkeys.passkey_register(
            actor=parent,
            challenge_id=ceremony.challenge_id,
            answer=authenticator.register(ceremony.options_json),
            name="Znowu",
        )
    assert Passkey.objects.filter(user=parent).count() == 1


def test_an_account_has_at_most_ten_passkeys(world):
    parent = world.user("own_parent")
    for number in range(passkeys.MAX_PASSKEYS):
        enrol(parent, name=f"Klucz {number}")
    with pytest.raises(ValidationError):
        passkeys.registration_start(actor=parent)


# --- logging in -----------------------------------------------------------------------


def test_the_second_step_accepts_the_owners_key_and_moves_the_counter(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    assert second_step(parent, authenticator) == parent
    passkey = Passkey.objects.get(user=parent)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert second_step(parent, authenticator) == parent
    assert Passkey.objects.get(user=parent).sign_count == 2
    options = json.loads(passkeys.authentication_start(user=parent).options_json)
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.credential_id]


def test_a_replayed_answer_is_refused(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    ceremony = passkeys.authentication_start(user=parent)
    answer = authenticator.assert_(ceremony.options_json)
    assert passkeys.passkey_verify(challenge_id=ceremony.challenge_id, answer=answer, user=parent)
    # The same answer to the same challenge: used up.
    assert (
        passkeys.passkey_verify(challenge_id=ceremony.challenge_id, answer=answer, user=parent)
        is None
    )
    # The same answer to a new challenge: it signs the old one.
    fresh = passkeys.authentication_start(user=parent)
    assert (
        passkeys.passkey_verify(challenge_id=fresh.challenge_id, answer=answer, user=parent) is None
    )


def test_a_counter_that_does_not_grow_is_refused(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    assert second_step(parent, authenticator, count=5) == parent
    assert second_step(parent, authenticator, count=5) is None  # equal: a clone
    assert second_step(parent, authenticator, count=3) is None  # lower: a clone
    assert Passkey.objects.get(user=parent).sign_count == 5
    assert second_step(parent, authenticator, count=6) == parent


@pytest.mark.parametrize("spoil", ["other key", "wrong origin", "wrong rp id", "garbage"])
def test_a_wrong_answer_is_refused(world, spoil):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    kwargs = {}
    if spoil == "other key":  # the same credential id, signed by another key
        impostor = SoftAuthenticator()
        impostor.credential_id = authenticator.credential_id
        authenticator = impostor
    elif spoil == "wrong origin":
        kwargs["origin"] = "https://dziennik.example.com"
    elif spoil == "wrong rp id":
        kwargs["rp_id"] = "example.com"
    ceremony = passkeys.authentication_start(user=parent)
    answer = authenticator.assert_(ceremony.options_json, **kwargs)
    if spoil == "garbage":
        answer = answer.replace('"signature": "', '"signature": "AAAA')
    assert (
        passkeys.passkey_verify(challenge_id=ceremony.challenge_id, answer=answer, user=parent)
        is None
    )
    assert Passkey.objects.get(user=parent).sign_count == 0


def test_the_second_step_wants_the_key_of_that_account(world):
    parent, student = world.user("own_parent"), world.user("student")
    enrol(parent)
    students_key = enrol(student)
    assert second_step(parent, students_key) is None
    assert second_step(student, students_key) == student


def test_a_login_with_a_key_alone_needs_the_person_verified(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    ceremony = passkeys.authentication_start(user=None)
    options = json.loads(ceremony.options_json)
    assert options["userVerification"] == "required" and options.get("allowCredentials") in (
        None,
        [],
    )
    answer = authenticator.assert_(ceremony.options_json, user_verified=False)
    assert (
        passkeys.passkey_verify(challenge_id=ceremony.challenge_id, answer=answer, user=None)
        is None
    )
    ceremony = passkeys.authentication_start(user=None)
    answer = authenticator.assert_(ceremony.options_json)
    assert (
        passkeys.passkey_verify(challenge_id=ceremony.challenge_id, answer=answer, user=None)
        == parent
    )
    # A second-step challenge is no login challenge, and the other way round.
    step = passkeys.authentication_start(user=parent)
    answer = authenticator.assert_(step.options_json)
    assert passkeys.passkey_verify(challenge_id=step.challenge_id, answer=answer, user=None) is None


def test_an_inactive_account_does_not_log_in_with_its_key(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    parent.is_active = False
    parent.save(update_fields=["is_active"])
    assert second_step(parent, authenticator) is None


# --- what a passkey counts for ---------------------------------------------------------


def test_a_passkey_is_a_second_factor_and_meets_the_schools_requirement(world):
    world.school.require_staff_second_factor = True
    world.school.save(update_fields=["require_staff_second_factor"])
    teacher = world.user("teacher_in")
    assert not totp.has_second_factor(teacher) and totp.second_factor_missing(teacher)
    enrol(teacher)
    assert totp.has_second_factor(teacher) and not totp.second_factor_missing(teacher)
    client = Client()
    response = client.post(LOGIN, {"username": "n-in", "password": TEST_PASSWORD})
    assert response["Location"] == SECOND_STEP  # the password alone no longer logs in


def test_removing_a_key_needs_the_password_and_is_recorded(world):
    parent = world.user("own_parent")
    enrol(parent)
    passkey = Passkey.objects.get(user=parent)
    with pytest.raises(ValidationError):
        passkeys.passkey_remove(actor=parent, passkey=passkey, password="wrong")
    with pytest.raises(PermissionDenied):
        passkeys.passkey_remove(
            actor=world.user("student"), passkey=passkey, password=TEST_PASSWORD
        )
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    passkey_id = passkey.pk
    passkeys.passkey_remove(actor=parent, passkey=passkey, password=TEST_PASSWORD)
    assert not Passkey.objects.filter(user=parent).exists()
    entry = AuditEntry.objects.get(
        object_id=str(passkey_id), action="delete", content_type=passkey_type()
    )
    assert entry.actor_id == parent.pk and entry.changes == {"name": ["Telefon", None]}


# --- on screen ------------------------------------------------------------------------


def register_through_pages(client: Client, name: str = "Laptop") -> tuple:
    options = client.post(REGISTER_OPTIONS)
    assert options.status_code == 200 and options["Content-Type"] == "application/json"
    authenticator = SoftAuthenticator()
    answer = authenticator.register(options.content.decode())
    return authenticator, client.post(REGISTER, {"name": name, "credential": answer})


def test_the_passkey_pages_register_list_and_remove(world):
    parent = world.user("own_parent")
    client = world.client("own_parent")
    page = client.get(PASSKEYS).content.decode()
    assert 'id="passkey-none"' in page and 'data-passkey="register"' in page
    _authenticator, response = register_through_pages(client)
    assert response.status_code == 302 and response["Location"] == PASSKEYS
    passkey = Passkey.objects.get(user=parent, name="Laptop")
    page = client.get(PASSKEYS).content.decode()
    assert "Laptop" in page and 'id="passkey-list"' in page
    settings_page = client.get(reverse("accounts:second_factor")).content.decode()
    assert 'id="second-factor-passkeys-on"' in settings_page
    assert 'id="second-factor-state"' not in settings_page
    # The answer again (its challenge used up): refused with a message, nothing stored.
    response = client.post(REGISTER, {"name": "Znowu", "credential": "{}"})
    assert response.status_code == 400
    assert 'id="passkey-add-errors"' in response.content.decode()
    assert Passkey.objects.filter(user=parent).count() == 1
    remove = reverse("accounts:passkey_remove", args=[passkey.pk])
    response = client.post(remove, {"password": "wrong"})
    assert response.status_code == 400 and Passkey.objects.filter(pk=passkey.pk).exists()
    response = client.post(remove, {"password": TEST_PASSWORD})
    assert response.status_code == 302 and not Passkey.objects.filter(pk=passkey.pk).exists()


def test_passkey_post_matrix(world):
    """Registering and removing need a login; nobody removes another person's key."""
    parent = world.user("own_parent")
    enrol(parent)
    passkey = Passkey.objects.get(user=parent)
    remove = reverse("accounts:passkey_remove", args=[passkey.pk])
    for url in (REGISTER_OPTIONS, REGISTER, remove):
        response = Client().post(url, {"password": TEST_PASSWORD})
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    for role in ("student", "other_parent", "principal", "other_principal"):
        assert world.client(role).post(remove, {"password": TEST_PASSWORD}).status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    # A challenge made for one account does not register a key on another.
    options = world.client("own_parent").post(REGISTER_OPTIONS).content.decode()
    answer = SoftAuthenticator().register(options)
    other = world.client("student")
    response = other.post(REGISTER, {"name": "Cudzy", "credential": answer})
    assert response.status_code == 400
    assert not Passkey.objects.filter(name="Cudzy").exists()


def test_the_login_takes_the_passkey_as_its_second_step(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    client = Client(REMOTE_ADDR="10.2.0.1")
    response = client.post(
        LOGIN, {"username": "rodzic-test", "password": TEST_PASSWORD, "next": "/oceny/"}
    )
    assert response["Location"] == SECOND_STEP and not is_logged_in(client)
    page = client.get(SECOND_STEP).content.decode()
    assert 'id="passkey-second-step-form"' in page
    options = client.post(LOGIN_OPTIONS, {"step": "second"}).content.decode()
    answer = authenticator.assert_(options)
    response = client.post(PASSKEY_LOGIN, {"step": "second", "credential": answer})
    assert response.status_code == 302 and response["Location"] == "/oceny/"
    assert is_logged_in(client) and client.session["_auth_user_id"] == str(parent.pk)


def test_wrong_passkeys_in_the_second_step_count_toward_the_lockout(world):
    parent = world.user("own_parent")
    enrol(parent)
    impostor = SoftAuthenticator()
    impostor.credential_id = from_b64url(Passkey.objects.get(user=parent).credential_id)
    client = Client(REMOTE_ADDR="10.2.0.2")
    client.post(LOGIN, {"username": "rodzic-test", "password": TEST_PASSWORD})
    for _attempt in range(2):
        options = client.post(LOGIN_OPTIONS, {"step": "second"}).content.decode()
        response = client.post(
            PASSKEY_LOGIN, {"step": "second", "credential": impostor.assert_(options)}
        )
        assert response.status_code == 302 and response["Location"] == SECOND_STEP
    assert not is_logged_in(client)
    assert AccessAttempt.objects.get(username="rodzic-test").failures_since_start == 2


def test_the_login_page_logs_in_with_a_passkey_alone(world):
    parent = world.user("own_parent")
    authenticator = enrol(parent)
    client = Client()
    assert 'id="passkey-login-form"' in client.get(LOGIN).content.decode()
    options = client.post(LOGIN_OPTIONS).content.decode()
    response = client.post(
        PASSKEY_LOGIN, {"credential": authenticator.assert_(options), "next": "/oceny/"}
    )
    assert response.status_code == 302 and response["Location"] == "/oceny/"
    assert client.session["_auth_user_id"] == str(parent.pk)
    # A second try with a spoilt answer: back to the login page, not logged in.
    other = Client()
    options = other.post(LOGIN_OPTIONS).content.decode()
    answer = authenticator.assert_(options, user_verified=False)
    response = other.post(PASSKEY_LOGIN, {"credential": answer})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not is_logged_in(other)


def test_passkey_login_post_matrix(world):
    """The login options and the login take POST only; the second step's options need
    the password step first; an answer without a challenge in the session is refused."""
    assert Client().get(LOGIN_OPTIONS).status_code == 405
    assert Client().get(PASSKEY_LOGIN).status_code == 405
    assert Client().post(LOGIN_OPTIONS, {"step": "second"}).status_code == 404
    response = Client().post(PASSKEY_LOGIN, {"step": "second", "credential": "{}"})
    assert response.status_code == 302 and response["Location"] == LOGIN
    authenticator = enrol(world.user("own_parent"))
    ceremony = passkeys.authentication_start(user=None)  # not this session's challenge
    client = Client()
    response = client.post(
        PASSKEY_LOGIN, {"credential": authenticator.assert_(ceremony.options_json)}
    )
    assert response["Location"] == LOGIN and not is_logged_in(client)


def test_a_new_ceremony_ends_the_sessions_previous_one(world):
    authenticator = enrol(world.user("own_parent"))
    client = Client()
    first = client.post(LOGIN_OPTIONS).content.decode()
    second = client.post(LOGIN_OPTIONS).content.decode()
    assert json.loads(first)["challenge"] != json.loads(second)["challenge"]
    assert WebAuthnChallenge.objects.filter(purpose="login").count() == 1
    response = client.post(PASSKEY_LOGIN, {"credential": authenticator.assert_(first)})
    assert response["Location"] == LOGIN and not is_logged_in(client)
    # Challenges nobody answered go when they have expired and the next one is made.
    Client().post(LOGIN_OPTIONS)
    Client().post(LOGIN_OPTIONS)
    assert WebAuthnChallenge.objects.count() == 2
    WebAuthnChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.post(LOGIN_OPTIONS)
    assert WebAuthnChallenge.objects.count() == 1
