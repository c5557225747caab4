"""Authenticator apps (TOTP): enrolment, the login's second step, recovery codes,
turning off, and the school's requirement for staff."""

import time

import pyotp
import pytest
from axes.models import AccessAttempt
from cryptography.fernet import InvalidToken
from django.test import Client
from django.urls import reverse

from dziennik.accounts import totp
from dziennik.accounts.models import RecoveryCode, TotpDevice
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SECOND_STEP = reverse("accounts:login_second_step")
SETTINGS = reverse("accounts:second_factor")
LOCKED = 429


def code_at(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enrol(user) -> tuple[str, list[str]]:
    """Set up an authenticator app for ``user``; its secret and recovery codes."""
    device = totp.totp_enrol_start(actor=user)
    codes = totp.totp_enrol_confirm(actor=user, code=code_at(device.secret))
    return device.secret, codes


def password_step(username: str, ip: str = "10.1.0.1", next_url: str = "") -> Client:
    client = Client(REMOTE_ADDR=ip)
    data = {"username": username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN, data)
    assert response.status_code == 302
    assert response["Location"] == SECOND_STEP
    return client


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_enrolment_needs_the_first_code(world):
    teacher = world.user("teacher_in")
    client = world.client("teacher_in")
    assert client.get(SETTINGS).status_code == 200
    assert client.post(reverse("accounts:second_factor_enrol")).status_code == 302
    device = TotpDevice.objects.get(user=teacher)
    assert not device.is_confirmed
    page = client.get(SETTINGS).content.decode()
    assert device.secret in page
    assert "<svg" in page and 'id="second-factor-qr"' in page

    confirm = reverse("accounts:second_factor_confirm")
    wrong = str((int(code_at(device.secret)) + 1) % 1_000_000).zfill(6)
    response = client.post(confirm, {"code": wrong})
    assert response.status_code == 400
    assert not TotpDevice.objects.get(user=teacher).is_confirmed

    response = client.post(confirm, {"code": code_at(device.secret)})
    assert response.status_code == 200
    codes = response.context["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    assert TotpDevice.objects.get(user=teacher).is_confirmed
    # Stored hashed, never as typed.
    stored = list(RecoveryCode.objects.filter(user=teacher).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert all(stored_hash.startswith("argon2") for stored_hash in stored)
    # After enrolment the secret is never shown again, nor in the history.
    page = client.get(SETTINGS).content.decode()
    assert device.secret not in page and 'id="second-factor-qr"' not in page
    history = [
        str(entry.changes) for entry in AuditEntry.objects.filter(object_repr__contains="n-in")
    ]
    assert len(history) == 3  # created, confirmed, recovery codes
    assert all(device.secret not in text for text in history)
    assert not any(code.replace("-", "") in text for code in codes for text in history)
    # Only by POST, only logged in.
    assert client.get(confirm).status_code == 405
    assert Client().post(confirm, {"code": "123456"}).status_code == 302


def test_enrolling_again_is_refused_while_one_is_on(world):
    teacher = world.user("teacher_in")
    secret, _codes = enrol(teacher)
    client = world.client("teacher_in")
    response = client.post(reverse("accounts:second_factor_enrol"), follow=True)
    assert response.status_code == 200
    assert TotpDevice.objects.get(user=teacher).secret == secret


def test_login_asks_for_the_code_after_the_password(world):
    teacher = world.user("teacher_in")
    secret, _codes = enrol(teacher)
    client = password_step("n-in", next_url="/szkola/klasy/")
    # Not logged in until the second step passes.
    assert not is_logged_in(client)
    assert client.get("/szkola/klasy/").status_code == 302
    page = client.get(SECOND_STEP)
    assert page.status_code == 200
    assert 'id="second-step-form"' in page.content.decode()

    response = client.post(SECOND_STEP, {"code": "000000"})
    assert response.status_code == 400
    assert not is_logged_in(client)

    code = code_at(secret, 1)
    response = client.post(SECOND_STEP, {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/szkola/klasy/"
    assert is_logged_in(client)
    assert client.get("/szkola/klasy/").status_code == 200

    # The same code again, at the next login: refused (no reuse within its window).
    again = password_step("n-in", ip="10.1.0.2")
    assert again.post(SECOND_STEP, {"code": code}).status_code == 400
    assert not is_logged_in(again)


def test_a_second_step_without_the_password_step_goes_back_to_login(world):
    response = Client().get(SECOND_STEP)
    assert response.status_code == 302 and response["Location"] == LOGIN
    response = Client().post(SECOND_STEP, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_a_recovery_code_works_once(world):
    teacher = world.user("teacher_in")
    _secret, codes = enrol(teacher)
    client = password_step("n-in")
    response = client.post(SECOND_STEP, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert is_logged_in(client)
    assert RecoveryCode.objects.filter(user=teacher, used_at__isnull=True).count() == 9

    again = password_step("n-in", ip="10.1.0.3")
    assert again.post(SECOND_STEP, {"code": codes[0]}).status_code == 400
    assert not is_logged_in(again)
    assert again.post(SECOND_STEP, {"code": codes[1]}).status_code == 302
    assert is_logged_in(again)


def test_wrong_codes_count_toward_the_lockout(world):
    enrol(world.user("teacher_in"))
    client = password_step("n-in", ip="10.1.0.9")
    for _attempt in range(4):
        assert client.post(SECOND_STEP, {"code": "000000"}).status_code == 400
    assert client.post(SECOND_STEP, {"code": "000000"}).status_code == LOCKED
    assert AccessAttempt.objects.get(username="n-in").failures_since_start == 5
    assert not is_logged_in(client)
    # Locked out: not even the password step, from the same address.
    response = Client(REMOTE_ADDR="10.1.0.9").post(
        LOGIN, {"username": "n-in", "password": TEST_PASSWORD}
    )
    assert response.status_code == LOCKED


def test_forced_password_change_still_comes_after_the_second_step(world):
    teacher = world.user("teacher_in")
    secret, _codes = enrol(teacher)
    teacher.must_change_password = True
    teacher.save(update_fields=["must_change_password"])
    client = password_step("n-in")
    response = client.post(SECOND_STEP, {"code": code_at(secret, 1)})
    assert response.status_code == 302
    response = client.get("/szkola/klasy/")
    assert response["Location"] == reverse("accounts:password_change")


def test_disabling_needs_a_code_or_the_password(world):
    teacher = world.user("teacher_in")
    secret, _codes = enrol(teacher)
    client = world.client("teacher_in")
    disable = reverse("accounts:second_factor_disable")
    assert client.post(disable, {}).status_code == 400
    assert client.post(disable, {"password": "wrong"}).status_code == 400
    assert client.post(disable, {"code": "000000"}).status_code == 400
    assert TotpDevice.objects.filter(user=teacher).exists()
    assert client.post(disable, {"code": code_at(secret, 1)}).status_code == 302
    assert not TotpDevice.objects.filter(user=teacher).exists()
    assert not RecoveryCode.objects.filter(user=teacher).exists()
    entry = AuditEntry.objects.filter(action="delete", object_repr__contains="n-in").get()
    assert secret not in str(entry.changes)
    # Without a second factor, the password alone logs in again.
    response = Client().post(LOGIN, {"username": "n-in", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] != SECOND_STEP

    enrol(teacher)
    assert client.post(disable, {"password": TEST_PASSWORD}).status_code == 302
    assert not TotpDevice.objects.filter(user=teacher).exists()
    assert client.get(disable).status_code == 405
    assert Client().post(disable, {"password": TEST_PASSWORD}).status_code == 302


def test_new_recovery_codes_replace_the_old(world):
    teacher = world.user("teacher_in")
    _secret, old_codes = enrol(teacher)
    client = world.client("teacher_in")
    url = reverse("accounts:recovery_codes")
    response = client.post(url)
    assert response.status_code == 200
    new_codes = response.context["recovery_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert not totp.verify_second_factor(user=teacher, code=old_codes[0])
    assert totp.verify_second_factor(user=teacher, code=new_codes[0])
    # Without an app there is nothing to regenerate.
    other = world.client("teacher_out")
    assert other.post(url).status_code == 302
    assert not RecoveryCode.objects.filter(user=world.user("teacher_out")).exists()
    assert client.get(url).status_code == 405


def test_the_school_may_require_a_second_factor_of_staff(world):
    world.school.require_staff_second_factor = True
    world.school.save(update_fields=["require_staff_second_factor"])
    client = Client()
    response = client.post(LOGIN, {"username": "n-in", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert is_logged_in(client)
    # Every page sends the teacher to set up an authenticator app.
    response = client.get("/szkola/klasy/")
    assert response["Location"] == SETTINGS
    assert 'id="second-factor-required"' in client.get(SETTINGS).content.decode()
    client.post(reverse("accounts:second_factor_enrol"))
    secret = TotpDevice.objects.get(user=world.user("teacher_in")).secret
    response = client.post(reverse("accounts:second_factor_confirm"), {"code": code_at(secret)})
    assert response.status_code == 200
    assert client.get("/szkola/klasy/").status_code == 200

    # A parent of the same school is not asked.
    parent = Client()
    parent.post(LOGIN, {"username": "rodzic-test", "password": TEST_PASSWORD})
    assert is_logged_in(parent)
    assert parent.get("/").status_code == 200


def test_a_school_without_the_requirement_lets_staff_in(world):
    client = Client()
    client.post(LOGIN, {"username": "n-in", "password": TEST_PASSWORD})
    assert client.get("/szkola/klasy/").status_code == 200


def test_the_principal_sees_who_lacks_a_second_factor(world):
    enrol(world.user("teacher_in"))
    response = world.client("principal").get(reverse("accounts:staff_accounts"))
    rows = {row.user.username: row.has_second_factor for row in response.context["rows"]}
    assert rows["n-in"] is True
    assert rows["n-out"] is False and rows["wych"] is False and rows["sekr"] is False
    page = response.content.decode()
    assert page.count('class="second-factor"') == len(rows)


def test_the_secret_is_encrypted_at_rest_and_survives_a_key_rotation(world, settings):
    teacher = world.user("teacher_in")
    secret, codes = enrol(teacher)
    stored = TotpDevice.objects.values_list("encrypted_secret", flat=True).get(user=teacher)
    assert secret not in stored and len(secret) == 32
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert TotpDevice.objects.get(user=teacher).secret == secret
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidToken):
        TotpDevice.objects.get(user=teacher).secret  # noqa: B018
    # The key lost: the app's codes are refused (not a server error), recovery codes work.
    assert not totp.verify_second_factor(user=teacher, code=code_at(secret, 1))
    assert totp.verify_second_factor(user=teacher, code=codes[0])


@pytest.mark.parametrize(
    ("role", "sent"),
    [
        ("principal", True),
        ("secretary", True),
        ("teacher_out", True),
        ("class_teacher", True),
        ("student", False),
        ("other_principal", False),  # another school, which does not require it
    ],
)
def test_who_the_requirement_sends_to_enrolment(world, role, sent):
    world.school.require_staff_second_factor = True
    world.school.save(update_fields=["require_staff_second_factor"])
    client = Client()
    client.post(LOGIN, {"username": world.user(role).username, "password": TEST_PASSWORD})
    assert is_logged_in(client)
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 200  # the forced password change is never blocked
    response = client.get("/")
    assert (response.status_code == 302 and response["Location"] == SETTINGS) is sent


def test_the_history_tells_the_principal_without_the_secret(world):
    secret, codes = enrol(world.user("teacher_in"))
    page = world.client("principal").get("/historia/").content.decode()
    assert "Aplikacja uwierzytelniająca" in page
    assert "Kody zapasowe" in page and "nowe: 10" in page
    assert secret not in page
    assert not any(code in page or code.replace("-", "") in page for code in codes)
