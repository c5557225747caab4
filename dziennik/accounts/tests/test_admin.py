"""The accounts in the administration panel, as the school's secretary (a Django-admin
staff user) sees them: she cannot take over, lock out, rename or remove the account of
anyone ranked at or above her (the principal, a deputy, another secretary, herself), nor
choose a password for a member of staff. The same rules as the screens
(``accounts.permissions.users``), through the real admin views."""

import pytest
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import TEST_PASSWORD, UserFactory
from dziennik.core.models import AuditEntry
from dziennik.schools import models as sm

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Przejecie-konta-2026!"


def staff_client(user: User) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def secretary(world) -> Client:
    return staff_client(world.user("secretary"))


@pytest.fixture
def above(world) -> dict[str, User]:
    """The accounts ranked at or above the secretary's: the principal, a deputy, a second
    secretary and her own."""
    deputy = UserFactory(username="wicedyr", school=world.school, last_name="Łukasiewicz")
    sm.SchoolRole.objects.create(school=world.school, user=deputy, role="deputy_principal")
    colleague = UserFactory(username="sekr-2", school=world.school, last_name="Sekretarska")
    sm.SchoolRole.objects.create(school=world.school, user=colleague, role="secretary")
    return {
        "principal": world.user("principal"),
        "deputy": deputy,
        "other_secretary": colleague,
        "herself": world.user("secretary"),
    }


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def user_entries():
    return AuditEntry.objects.filter(content_type__model="user")


@pytest.mark.parametrize("who", ["principal", "deputy", "other_secretary", "herself"])
def test_secretary_cannot_set_the_password_of_someone_ranked_at_or_above(
    world, secretary, above, who
):
    user = above[who]
    assert secretary.get(password_url(user)).status_code == 403
    response = secretary.post(
        password_url(user),
        {"set_usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert not user_entries().exists()


def test_secretary_cannot_choose_a_teachers_password(world, secretary):
    """A password she chose is a password she knows: staff passwords are the principal's
    to reset (``reset_password``); a parent's she may set."""
    teacher, parent = world.user("teacher_in"), world.user("own_parent")
    data = {"set_usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert secretary.post(password_url(teacher), data).status_code == 403
    assert User.objects.get(pk=teacher.pk).check_password(TEST_PASSWORD)
    assert secretary.post(password_url(parent), data).status_code == 302
    assert User.objects.get(pk=parent.pk).check_password(NEW_PASSWORD)
    assert user_entries().get().object_id == str(parent.pk)


def test_the_principal_sets_a_teachers_password(world):
    client = staff_client(world.user("principal"))
    teacher = world.user("teacher_in")
    data = {"set_usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(password_url(teacher), data).status_code == 302
    assert User.objects.get(pk=teacher.pk).check_password(NEW_PASSWORD)
    entry = user_entries().get()
    assert (entry.actor, entry.changes) == (world.user("principal"), {"password": ["***", "***"]})


@pytest.mark.parametrize("who", ["principal", "deputy", "other_secretary", "herself"])
def test_secretary_cannot_deactivate_rename_or_remove_those_ranked_at_or_above(
    world, secretary, above, who
):
    user = above[who]
    page = secretary.get(change_url(user))
    # She still sees the account, read-only.
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    response = secretary.post(
        change_url(user),
        {
            "username": "przejete",
            "first_name": user.first_name,
            "last_name": "Zmieniona",
            "email": "przejete@example.com",
            "school": world.school.pk,
            "date_joined_0": "2026-09-01",
            "date_joined_1": "08:00:00",
            # no "is_active": unchecked
        },
    )
    assert response.status_code == 403
    delete = reverse("admin:accounts_user_delete", args=[user.pk])
    assert secretary.post(delete, {"post": "yes"}).status_code == 403
    secretary.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"},
    )
    stored = User.objects.get(pk=user.pk)
    assert (stored.username, stored.last_name, stored.is_active) == (
        user.username,
        user.last_name,
        True,
    )
    assert not user_entries().exists()


def test_secretary_still_manages_teachers_and_families(world, secretary):
    teacher = world.user("teacher_out")
    response = secretary.post(
        change_url(teacher),
        {
            "username": teacher.username,
            "first_name": teacher.first_name,
            "last_name": teacher.last_name,
            "email": "",
            "school": world.school.pk,
            "date_joined_0": "2026-09-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=teacher.pk).is_active is False  # left the school
    assert user_entries().get().changes["is_active"] == [True, False]
    listed = secretary.get(reverse("admin:accounts_user_changelist")).context["cl"].queryset
    assert {world.user("principal"), teacher, world.user("own_parent")} <= set(listed)


def test_the_principal_manages_the_secretary_but_not_herself(world, above):
    client = staff_client(world.user("principal"))
    assert client.get(change_url(above["herself"])).context["has_change_permission"] is True
    assert client.get(change_url(above["deputy"])).context["has_change_permission"] is True
    assert client.get(change_url(world.user("principal"))).context["has_change_permission"] is (
        False
    )
