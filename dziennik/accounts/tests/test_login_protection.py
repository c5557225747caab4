"""Login protection: lockout per account and per address, the way back, session expiry,
logging out everywhere."""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.core.middleware import REFRESHED_KEY
from dziennik.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOCKED = 429


def attempt(username: str, password: str, ip: str):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": password})


def fail(username: str, ip: str):
    return attempt(username, "not-the-password", ip)


def test_limits_are_configured():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours: 15 minutes
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_wrong_password_keeps_the_login_page(world):
    response = fail("rodzic-test", "10.0.0.1")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AccessAttempt.objects.get(username="rodzic-test").failures_since_start == 1


def test_account_locks_after_five_failures_from_any_address(world):
    for number in range(4):
        assert fail("rodzic-test", f"10.0.0.{number + 1}").status_code == 200
    response = fail("rodzic-test", "10.0.0.5")
    assert response.status_code == LOCKED
    # Even the right password, from a new address, is refused while the lock lasts.
    response = attempt("rodzic-test", TEST_PASSWORD, "10.0.0.6")
    assert response.status_code == LOCKED
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert 'id="locked-out"' in response.content.decode()
    assert response.context["cooloff_timedelta"] == datetime.timedelta(minutes=15)
    assert 'data-minutes="15"' in response.content.decode()
    # Another account is not affected.
    assert attempt("rodzic-inny", TEST_PASSWORD, "10.0.0.7").status_code == 302


def test_success_before_the_limit_resets_the_count(world):
    for _ in range(4):
        fail("rodzic-test", "10.0.0.1")
    assert attempt("rodzic-test", TEST_PASSWORD, "10.0.0.1").status_code == 302
    for _ in range(4):
        assert fail("rodzic-test", "10.0.0.1").status_code == 200


def test_address_locks_after_five_failures_on_different_accounts(world):
    for number in range(4):
        assert fail(f"someone{number}", "192.0.2.10").status_code == 200
    assert fail("someone-else", "192.0.2.10").status_code == LOCKED
    # From that address nobody can log in, not even with a right password...
    response = attempt("rodzic-test", TEST_PASSWORD, "192.0.2.10")
    assert response.status_code == LOCKED
    assert 'id="locked-out"' in response.content.decode()
    # ...while the same account logs in from another address.
    assert attempt("rodzic-test", TEST_PASSWORD, "192.0.2.11").status_code == 302


def test_unknown_login_locks_the_same_way(world):
    """The lock does not reveal whether a login exists."""
    for _ in range(5):
        last = fail("nobody-here", "10.9.0.1")
    assert last.status_code == LOCKED
    assert fail("nobody-here", "10.9.0.2").status_code == LOCKED


def age_attempts(minutes: int, **lookup) -> None:
    """Move the recorded failures into the past, as if ``minutes`` had passed."""
    moved = timezone.now() - datetime.timedelta(minutes=minutes)
    assert AccessAttempt.objects.filter(**lookup).update(attempt_time=moved) >= 1


def test_account_lock_lifts_after_the_cool_off(world):
    for number in range(5):
        fail("rodzic-test", f"10.0.1.{number + 1}")
    age_attempts(14, username="rodzic-test")
    assert attempt("rodzic-test", TEST_PASSWORD, "10.0.1.9").status_code == LOCKED
    age_attempts(16, username="rodzic-test")
    response = attempt("rodzic-test", TEST_PASSWORD, "10.0.1.9")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_address_lock_lifts_after_the_cool_off(world):
    for number in range(5):
        fail(f"someone{number}", "192.0.2.20")
    age_attempts(16, ip_address="192.0.2.20")
    assert attempt("rodzic-test", TEST_PASSWORD, "192.0.2.20").status_code == 302


def test_class_teacher_reset_is_the_way_back_before_the_cool_off(world):
    for number in range(5):
        fail("uczen-test", f"10.0.2.{number + 1}")
    teacher = world.client("class_teacher")
    response = teacher.post(reverse("accounts:password_reset", args=[world.user("student").pk]))
    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(username="uczen-test").exists()
    # The old password no longer works, but the account is no longer locked: a wrong
    # password is an ordinary failure again.
    response = attempt("uczen-test", TEST_PASSWORD, "10.0.2.9")
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="uczen-test").failures_since_start == 1


# --- sessions --------------------------------------------------------------------


def logged_in_client(username: str = "rodzic-test", ip: str = "10.1.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_session_expires_after_inactivity(world):
    client = logged_in_client()
    assert client.get("/").status_code == 200
    expires = session_row(client).expire_date
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((expires - expected).total_seconds()) < 60
    # 29 minutes of inactivity: still logged in, and the request extends the session.
    session = client.session
    session[REFRESHED_KEY] = int(time.time()) - 29 * 60  # the last refresh was that long ago
    session.save()
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert client.get("/").status_code == 200
    assert session_row(client).expire_date > timezone.now() + datetime.timedelta(minutes=29)
    # 30 minutes of inactivity: the session is gone.
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_everywhere_ends_the_other_sessions(world):
    phone = logged_in_client(ip="10.1.0.1")
    laptop = logged_in_client(ip="10.1.0.2")
    assert phone.get("/").status_code == 200
    response = laptop.post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302
    assert User.objects.get(username="rodzic-test").session_generation == 1
    # The device that asked stays logged in, every other one is logged out.
    assert laptop.get("/").status_code == 200
    response = phone.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_everywhere_is_in_the_history(world):
    client = logged_in_client(ip="10.1.0.3")
    client.post(reverse("accounts:logout_everywhere"))
    parent = User.objects.get(username="rodzic-test")
    entries = AuditEntry.objects.filter(content_type__model="user", object_id=str(parent.pk))
    entry = entries.latest("pk")  # after the login's activation
    assert (entry.actor, entry.action, entry.school_id) == (parent, "update", world.school.pk)
    assert entry.changes == {"session_generation": [0, 1]}


def test_logout_everywhere_needs_post_and_login(world):
    client = logged_in_client()
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405
    response = Client().post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_ends_the_session(world):
    client = logged_in_client()
    key = client.session.session_key
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302
