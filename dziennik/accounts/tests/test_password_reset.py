"""Password reset by the class teacher or the school office: new one-time password letter."""

import io

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from dziennik.accounts import permissions
from dziennik.accounts.models import User
from dziennik.accounts.services import credentials_generate_for_class, password_reset
from dziennik.accounts.tests.factories import TEST_PASSWORD, UserFactory
from dziennik.core.models import AuditEntry
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from dziennik.schools.viewer import get_viewer

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


def test_secretary_resets_students_and_parents_only(world, letter_class):
    secretary = world.client("secretary")
    limited = UserFactory(username="jerzy", school=world.school)
    letter_class.jerzy.user = limited
    letter_class.jerzy.save()
    for user in (world.user("own_parent"), limited, world.user("student")):
        response = secretary.post(reset_url(user))
        assert response.status_code == 200, user.username
        user.refresh_from_db()
        assert user.must_change_password is True
    # Staff accounts are the principal's to reset: a secretary who could issue a teacher
    # (or the principal) a one-time password could act in their name.
    staff = ("teacher_in", "class_teacher", "principal", "other_principal", "secretary")
    for user in (world.user(role) for role in staff):
        assert secretary.post(reset_url(user)).status_code == 404
        user.refresh_from_db()
        assert user.must_change_password is False


def make_staff(world, kind: str, prefix: str = "kadra") -> User:
    """A member of staff of the world's school, staff in one way only (``kind``)."""
    user = UserFactory(username=f"{prefix}-{kind}", school=world.school)
    if kind in ("teacher", "secretary", "deputy_principal", "principal"):
        sm.SchoolRole.objects.create(school=world.school, user=user, role=kind)
    elif kind == "assignment":
        sm.TeachingAssignment.objects.create(
            school=world.school,
            teacher=user,
            subject=world.other_subject,
            school_class=world.other_class,
        )
    elif kind == "leads_class":
        world.other_class.class_teacher = user
        world.other_class.save()
    elif kind == "admin_flag":
        user.is_staff = True
        user.save()
    return user


STAFF_KINDS = ["teacher", "assignment", "leads_class", "secretary", "principal", "admin_flag"]


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_class_teacher_cannot_take_over_a_colleague_who_is_a_parent(world, kind):
    """A teacher (in any sense) who is also a guardian of a student of 4a keeps their
    password: the class teacher resets only accounts that are nothing but a student's or
    a parent's of the class, neither one by one nor by regenerating the class's letters."""
    colleague = make_staff(world, kind)
    guardian = sf.GuardianFactory(school=world.school, user=colleague, last_name="Rodzic")
    sf.GuardianshipFactory(guardian=guardian, student=world.classmate)
    class_teacher = world.user("class_teacher")
    client = world.client("class_teacher")
    assert client.get(reset_url(colleague)).status_code == 404
    assert client.post(reset_url(colleague)).status_code == 404
    with pytest.raises(PermissionDenied):
        password_reset(actor=class_teacher, user=colleague)
    issued = credentials_generate_for_class(
        actor=class_teacher, school_class=world.school_class, regenerate=True
    )
    assert colleague.pk not in {i.user_id for i in issued}
    assert world.user("other_parent").pk in {i.user_id for i in issued}  # a plain parent
    colleague.refresh_from_db()
    assert colleague.check_password(TEST_PASSWORD)
    assert colleague.must_change_password is False
    assert colleague.session_generation == 0


def test_a_parents_council_seat_is_no_staff_role(world):
    council = world.user("other_parent")
    sm.SchoolRole.objects.create(school=world.school, user=council, role="council_member")
    issued = password_reset(actor=world.user("class_teacher"), user=council)
    assert User.objects.get(pk=council.pk).check_password(issued.password)


@pytest.mark.parametrize(
    ("resetter", "allowed", "refused"),
    [
        # The principal resets every account ranked below her: teachers, the secretary,
        # deputies; never another principal's.
        (
            "principal",
            ["teacher", "assignment", "leads_class", "secretary", "deputy_principal"],
            ["principal"],
        ),
        # A deputy: teachers and the secretary; not a principal or another deputy.
        (
            "deputy_principal",
            ["teacher", "assignment", "leads_class", "secretary"],
            ["principal", "deputy_principal"],
        ),
        # The secretary resets families only.
        (
            "secretary",
            [],
            ["teacher", "assignment", "leads_class", "secretary", "deputy_principal"],
        ),
    ],
)
def test_staff_accounts_are_reset_by_those_ranked_above(world, resetter, allowed, refused):
    actor = make_staff(world, resetter) if resetter == "deputy_principal" else None
    actor = actor or world.user(resetter)
    kinds = {kind: make_staff(world, kind, prefix="cel") for kind in allowed + refused}
    viewer = get_viewer(actor)
    for kind in allowed:
        issued = password_reset(actor=actor, user=kinds[kind])
        assert User.objects.get(pk=kinds[kind].pk).check_password(issued.password), kind
        assert permissions.users.allows(viewer, "reset_password", kinds[kind])
    for kind in refused:
        with pytest.raises(PermissionDenied):
            password_reset(actor=actor, user=kinds[kind])
        assert User.objects.get(pk=kinds[kind].pk).check_password(TEST_PASSWORD), kind
    # Never one's own account, never the system administrator's.
    root = UserFactory(username="root", school=world.school, is_superuser=True)
    for user in (actor, root):
        with pytest.raises(PermissionDenied):
            password_reset(actor=actor, user=user)


def test_every_reset_is_in_the_history(world, letter_class):
    """One by one and by regenerating the class's letters: one entry per account, by the
    class teacher, with the student or the class, never the password."""
    class_teacher = world.user("class_teacher")
    issued = credentials_generate_for_class(
        actor=class_teacher, school_class=world.school_class, regenerate=True
    )
    existing = {world.user(r).pk for r in ("student", "own_parent", "other_parent")}
    user_type = ContentType.objects.get_for_model(User)
    resets = AuditEntry.objects.filter(
        content_type=user_type, object_id__in=[str(pk) for pk in existing], action="update"
    )
    assert {int(e.object_id) for e in resets} == existing
    for entry in resets:
        assert entry.actor == class_teacher
        assert entry.school_class_id == world.school_class.pk
        assert entry.changes["password"] == ["***", "*** (new one-time password)"]
        assert all(i.password not in str(entry.changes) for i in issued)
    password_reset(actor=world.user("principal"), user=world.user("teacher_in"))
    entry = AuditEntry.objects.filter(content_type=user_type).latest("pk")
    assert (entry.object_id, entry.actor) == (
        str(world.user("teacher_in").pk),
        world.user("principal"),
    )


def test_missing_account_is_the_same_404(world):
    client = world.client("principal")
    assert client.get(reverse("accounts:password_reset", args=[999999])).status_code == 404
