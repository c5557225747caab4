"""The timetable's policies: who may change the plan, its changes and each class's plan,
who sees the rooms; the services and the pages ask the same rules."""

import pytest
from django.core.exceptions import PermissionDenied

from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import get_viewer
from dziennik.timetable import permissions, selectors, services
from dziennik.timetable.models import TimetableChange, TimetableEntry
from testsupport.policies import disagreements
from testsupport.world import ROLES

from .factories import RoomFactory, TimetableChangeFactory, TimetableEntryFactory, first_occurrence

pytestmark = pytest.mark.django_db

MANAGERS = {"principal", "secretary"}


@pytest.fixture
def plan(world):
    """A lesson of 4a with a cancellation, a room, and the same in the other school."""
    entry = TimetableEntryFactory(
        school_class=world.school_class, subject=world.subject, teacher=world.user("teacher_in")
    )
    other_class = SchoolClass.objects.get(school=world.other_school)  # its 1a
    other_entry = TimetableEntryFactory(school_class=other_class)
    return {
        "entry": entry,
        "change": TimetableChangeFactory(entry=entry),
        "room": RoomFactory(school=world.school),
        "other_entry": other_entry,
        "other_change": TimetableChangeFactory(entry=other_entry),
        "other_room": RoomFactory(school=world.other_school),
        "other_class": other_class,
    }


def roles_allowed(world, policy, action, obj):
    users = {r: world.user(r) for r in [*ROLES, "secretary"]}
    return {r for r, u in users.items() if policy.allows(get_viewer(u), action, obj)}


def test_every_policy_agrees_with_its_queryset_on_the_plan(world, plan):
    assert disagreements(world.users.values()) == []


def test_only_the_schools_management_changes_its_plan(world, plan):
    for policy, obj, other in (
        (permissions.entries, plan["entry"], plan["other_entry"]),
        (permissions.changes, plan["change"], plan["other_change"]),
        (permissions.class_plans, world.school_class, plan["other_class"]),
    ):
        assert roles_allowed(world, policy, "manage", obj) == MANAGERS
        assert roles_allowed(world, policy, "manage", other) == {"other_principal"}
    principal = get_viewer(world.user("principal"))
    assert list(selectors.entry_queryset(principal)) == [plan["entry"]]
    assert list(selectors.change_list(principal, plan["change"].date, plan["change"].date)) == [
        plan["change"]
    ]
    assert list(selectors.entry_queryset(get_viewer(world.user("class_teacher")))) == []


def test_the_schools_staff_see_its_rooms(world, plan):
    staff = {"teacher_in", "teacher_out", "class_teacher"} | MANAGERS
    assert roles_allowed(world, permissions.rooms, "view", plan["room"]) == staff
    assert roles_allowed(world, permissions.rooms, "view", plan["other_room"]) == {
        "other_principal"
    }


@pytest.mark.parametrize("role", ["teacher_in", "class_teacher", "own_parent", "other_principal"])
def test_services_refuse_whoever_may_not_manage_the_plan(world, plan, role):
    actor = world.user(role)
    entry, change = plan["entry"], plan["change"]
    with pytest.raises(PermissionDenied):
        services.timetable_change_delete(actor=actor, change=change)
    with pytest.raises(PermissionDenied):
        services.timetable_entry_end(actor=actor, entry=entry, last_day=entry.valid_from)
    with pytest.raises(PermissionDenied):
        services.timetable_change_create(
            actor=actor, entry=entry, date=change.date, kind=TimetableChange.Kind.CANCELLATION
        )
    with pytest.raises(PermissionDenied):
        services.timetable_entry_create(
            actor=actor,
            school_class=world.school_class,
            weekday=entry.weekday,
            slot=entry.slot,
            subject=entry.subject,
            teacher=entry.teacher,
            valid_from=entry.valid_from,
        )
    assert TimetableChange.objects.filter(pk=change.pk).exists()
    assert TimetableEntry.objects.get(pk=entry.pk).valid_to is None
    assert TimetableEntry.objects.filter(school=world.school).count() == 1


def test_the_secretary_removes_a_change_and_others_get_404(world, plan):
    change = plan["change"]
    url = f"/plan/zmiany/{change.pk}/usun/"
    for role in ("teacher_in", "class_teacher", "other_principal"):
        assert world.client(role).post(url).status_code == 404
    assert TimetableChange.objects.filter(pk=change.pk).exists()
    assert world.client("secretary").post(url).status_code == 302
    assert not TimetableChange.objects.filter(pk=change.pk).exists()


def test_factories_build_one_consistent_school(world):
    entry = TimetableEntryFactory(school_class=world.school_class)
    assert {entry.school, entry.slot.school, entry.subject.school, entry.teacher.school} == {
        world.school
    }
    change = TimetableChangeFactory(entry=entry)
    assert change.date == first_occurrence(entry) and entry.is_valid_on(change.date)
    assert change.school == world.school
