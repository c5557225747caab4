"""Password reset by the class teacher or the school office: new one-time password letter."""

import io

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from dziennik.accounts.models import User
from dziennik.accounts.services import password_reset
from dziennik.accounts.tests.factories import TEST_PASSWORD, UserFactory
from dziennik.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def reset_url(user) -> str:
    return reverse("accounts:password_reset", args=[user.pk])


def lock_out(username: str, ip: str = "10.0.0.1") -> None:
    """Five wrong passwords for ``username`` through the real login form."""
    client = Client(REMOTE_ADDR=ip)
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": username, "password": "wrong-one"})


def test_class_teacher_resets_a_students_password(world):
    student_user = world.user("student")
    other_device = Client()
    other_device.force_login(student_user)
    assert other_device.get("/").status_code == 200

    client = world.client("class_teacher")
    response = client.post(reset_url(student_user))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) == 1
    assert "Zofia Wiśniewska" in pages[0]
    assert "uczen-test" in pages[0]
    assert "4a" in pages[0]
    password = next(w for w in pages[0].split() if len(w) == 14 and w.count("-") == 2)

    student_user.refresh_from_db()
    assert student_user.must_change_password is True
    assert student_user.password.startswith("argon2")
    assert student_user.check_password(password)
    assert not student_user.check_password(TEST_PASSWORD)
    assert student_user.session_generation == 1
    # The other device's session ended.
    assert other_device.get("/").status_code == 302

    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(student_user.pk),
    )
    assert entry.actor_id == world.user("class_teacher").pk
    assert entry.student_id == world.student.pk
    assert entry.school_class_id == world.school_class.pk
    assert entry.changes["must_change_password"] == [False, True]
    assert password not in str(entry.changes)


def test_reset_lifts_the_account_lock(world):
    lock_out("uczen-test", ip="10.0.0.1")
    fresh = Client(REMOTE_ADDR="10.0.0.3")
    login = {"username": "uczen-test", "password": TEST_PASSWORD}
    assert fresh.post(reverse("accounts:login"), login).status_code == 429

    issued = password_reset(actor=world.user("class_teacher"), user=world.user("student"))
    assert not AccessAttempt.objects.filter(username="uczen-test").exists()
    response = fresh.post(
        reverse("accounts:login"), {"username": "uczen-test", "password": issued.password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert fresh.get("/").url == reverse("accounts:password_change")


def test_class_teacher_resets_a_guardian_of_the_class(world):
    issued = password_reset(actor=world.user("class_teacher"), user=world.user("own_parent"))
    assert issued.kind == "guardian"
    assert issued.about == ("Zofia Wiśniewska (4a)",)
    assert User.objects.get(username="rodzic-test").check_password(issued.password)


def test_class_teacher_cannot_reset_outside_their_class(world, letter_class):
    outside = UserFactory(username="ignacy", school=world.school)
    letter_class.ignacy.user = outside
    letter_class.ignacy.save()
    limited = UserFactory(username="jerzy", school=world.school)
    letter_class.jerzy.user = limited
    letter_class.jerzy.save()
    client = world.client("class_teacher")
    for user in (outside, limited, world.user("teacher_in"), world.user("principal")):
        assert client.get(reset_url(user)).status_code == 404
        assert client.post(reset_url(user)).status_code == 404
        with pytest.raises(PermissionDenied):
            password_reset(actor=world.user("class_teacher"), user=user)
    assert User.objects.get(username="jerzy").check_password(TEST_PASSWORD)


def test_secretary_resets_anyone_in_the_school_but_the_office(world, letter_class):
    secretary = world.client("secretary")
    limited = UserFactory(username="jerzy", school=world.school)
    letter_class.jerzy.user = limited
    letter_class.jerzy.save()
    for user in (world.user("teacher_in"), limited, world.user("student")):
        response = secretary.post(reset_url(user))
        assert response.status_code == 200, user.username
        user.refresh_from_db()
        assert user.must_change_password is True
    # Nobody takes over the principal's (or another school's) account with a reset.
    for user in (world.user("principal"), world.user("other_principal"), world.user("secretary")):
        assert secretary.post(reset_url(user)).status_code == 404
        user.refresh_from_db()
        assert user.must_change_password is False


def test_missing_account_is_the_same_404(world):
    client = world.client("principal")
    assert client.get(reverse("accounts:password_reset", args=[999999])).status_code == 404
