"""The account services behind the administration panel: every change in the history
(a password never in clear), privileges only from the system administrator."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from dziennik.accounts import services
from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import UserFactory
from dziennik.core.models import AuditEntry


def user_entries(**filters):
    return AuditEntry.objects.filter(content_type__model="user", **filters).order_by("pk")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_the_office_opens_an_account_in_its_school(world):
    secretary = world.user("secretary")
    user = services.user_create(
        actor=secretary,
        username="nowa",
        school=world.school,
        password="Bardzo-dobre-haslo-2026!",
        first_name="Nina",
        last_name="Nowa",
        must_change_password=True,
    )
    assert user.check_password("Bardzo-dobre-haslo-2026!")
    entry = user_entries(action="create").get()
    assert (entry.actor, entry.school_id) == (secretary, world.school.pk)
    assert entry.changes["username"] == [None, "nowa"]
    assert entry.changes["password"] == [None, "***"]
    assert "Bardzo-dobre" not in str(entry.changes)


def test_accounts_elsewhere_and_weak_passwords_are_refused(world):
    secretary = world.user("secretary")
    count = User.objects.count()
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=secretary, username="obca", school=world.other_school, password=None
        )
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=world.user("teacher_in"), username="x", school=world.school, password=None
        )
    with pytest.raises(ValidationError):
        services.user_create(actor=secretary, username="slaba", school=world.school, password="123")
    assert User.objects.count() == count
    assert not user_entries().exists()


def test_changes_are_recorded_and_privileges_are_the_superusers(world, root):
    secretary = world.user("secretary")
    teacher = world.user("teacher_in")
    services.user_update(actor=secretary, user=teacher, last_name="Nowak", is_active=False)
    assert user_entries(action="update").get().changes == {
        "last_name": ["Lewandowski", "Nowak"],
        "is_active": [True, False],
    }
    group = Group.objects.create(name="obsługa")
    for privilege in ({"is_superuser": True}, {"groups": [group]}):
        with pytest.raises(PermissionDenied):
            services.user_update(actor=secretary, user=teacher, **privilege)
    with pytest.raises(PermissionDenied):  # moving an account to another school
        services.user_update(actor=secretary, user=teacher, school=world.other_school)
    teacher.refresh_from_db()
    assert (teacher.is_superuser, list(teacher.groups.all()), teacher.school) == (
        False,
        [],
        world.school,
    )
    services.user_update(actor=root, user=teacher, groups=[group])
    assert user_entries(action="update").last().changes == {"groups": [[], [group.pk]]}


def test_the_office_cannot_touch_the_system_administrators_account(world, root):
    root.school = world.school
    root.save()
    with pytest.raises(PermissionDenied):
        services.user_update(actor=world.user("secretary"), user=root, last_name="X")
    with pytest.raises(PermissionDenied):
        services.password_set(actor=world.user("secretary"), user=root, new_password=None)
    with pytest.raises(PermissionDenied):
        services.user_delete(actor=world.user("principal"), user=root)
    assert User.objects.filter(pk=root.pk, last_name=root.last_name).exists()
    assert not user_entries().exists()


def test_password_set_records_the_change_never_the_value(world):
    parent = world.user("own_parent")
    services.password_set(
        actor=world.user("secretary"), user=parent, new_password="Inne-dobre-haslo-2026!"
    )
    parent.refresh_from_db()
    assert parent.check_password("Inne-dobre-haslo-2026!")
    services.password_set(actor=world.user("secretary"), user=parent, new_password=None)
    parent.refresh_from_db()
    assert not parent.has_usable_password()
    assert [e.changes for e in user_entries()] == [{"password": ["***", "***"]}] * 2


def test_delete_records_the_last_values(world):
    gone = UserFactory(school=world.school, username="do-usuniecia", last_name="Zniknie")
    services.user_delete(actor=world.user("secretary"), user=gone)
    assert not User.objects.filter(pk=gone.pk).exists()
    entry = user_entries(action="delete").get()
    assert (entry.object_repr, entry.changes["last_name"]) == (
        f"{gone.first_name} Zniknie",
        ["Zniknie", None],
    )
