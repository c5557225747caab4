"""The principal's plan editor: add, change from a date and end a weekly lesson, with
the same collision rules as the import, through the services and over HTTP."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dziennik.core.concurrency import StaleEdit
from dziennik.core.models import AuditEntry
from dziennik.schools.models import ClassGroup
from dziennik.timetable import services
from dziennik.timetable.models import Room, TimetableChange, TimetableEntry

from .helpers import build, counts, lesson_on, next_monday, plan_of

DAY = datetime.timedelta(days=1)


@pytest.fixture
def reg(world):
    return build(world)


def groups(world):
    return {g.name: g for g in ClassGroup.objects.filter(school_class=world.school_class)}


def add(world, reg, **overrides):
    values = {
        "actor": world.user("principal"),
        "school_class": world.school_class,
        "weekday": 2,
        "slot": reg.slots[1],
        "subject": world.subject,
        "teacher": world.user("teacher_in"),
        "room": reg.room,
        "valid_from": next_monday(reg),
    }
    values.update(overrides)
    with translation.override("en"):
        return services.timetable_entry_create(**values)


def refused(call) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        call()
    return info.value.messages


# --- adding -------------------------------------------------------------------------


def test_add_a_lesson_from_a_date(world, reg):
    entry = add(world, reg)
    assert (entry.weekday, entry.slot.number, entry.valid_from, entry.valid_to) == (
        2,
        1,
        next_monday(reg),
        None,
    )
    assert (2, 1, "Matematyka", "", "n-in", "12") not in plan_of(world.school_class, reg.day)
    assert (2, 1, "Matematyka", "", "n-in", "12") in plan_of(world.school_class, next_monday(reg))
    history = AuditEntry.objects.get(object_id=str(entry.pk), content_type__model="timetableentry")
    assert (history.action, history.actor, history.school_class_id) == (
        "create",
        world.user("principal"),
        world.school_class.pk,
    )


def test_adding_refuses_each_kind_of_collision(world, reg):
    monday = {"weekday": 1, "slot": reg.slots[2]}  # 4a has Matematyka (n-in, room 12) then
    assert refused(lambda: add(world, reg, school_class=world.other_class, room=None, **monday))[
        0
    ].startswith("Monday, lesson 2: teacher Tomasz Lewandowski already teaches Matematyka – 4a")
    assert refused(
        lambda: add(
            world,
            reg,
            school_class=world.other_class,
            teacher=world.user("class_teacher"),
            **monday,
        )
    ) == [
        "Monday, lesson 2: room 12 is already taken by Matematyka – 4a "
        f"(in the plan from {reg.math2.valid_from:%d.%m.%Y}).",
        "Monday, lesson 2: class 4b already has Historia – 4b "
        f"(in the plan from {reg.other.valid_from:%d.%m.%Y}).",
    ]
    lesson5 = {"weekday": 1, "slot": reg.slots[5], "room": None}
    add(world, reg, group=groups(world)["gr. 1"], teacher=world.user("teacher_out"), **lesson5)
    assert refused(lambda: add(world, reg, teacher=world.user("class_teacher"), **lesson5)) == [
        "Monday, lesson 5: class 4a already has Matematyka – 4a (gr. 1) "
        f"(in the plan from {next_monday(reg):%d.%m.%Y})."
    ]
    # The other group at the same time is fine; the same group again is not.
    add(world, reg, group=groups(world)["gr. 2"], teacher=world.user("class_teacher"), **lesson5)
    assert refused(
        lambda: add(
            world, reg, group=groups(world)["gr. 2"], teacher=world.user("principal"), **lesson5
        )
    )[0].startswith("Monday, lesson 5: class 4a already has Matematyka – 4a (gr. 2)")


def test_a_lesson_that_ends_before_does_not_collide(world, reg):
    services.timetable_entry_end(
        actor=world.user("principal"), entry=reg.math2, last_day=next_monday(reg) - DAY
    )
    entry = add(
        world,
        reg,
        weekday=1,
        slot=reg.slots[2],
        subject=world.other_subject,
        teacher=world.user("class_teacher"),
    )
    assert entry.valid_from == next_monday(reg)
    # …but from an earlier date it would.
    assert refused(
        lambda: add(
            world,
            reg,
            weekday=1,
            slot=reg.slots[2],
            valid_from=reg.day,
            valid_to=reg.day,
            teacher=world.user("teacher_out"),
            room=None,
            school_class=world.other_class,
        )
    )


# --- changing from a date -------------------------------------------------------------


def test_change_from_a_date_ends_the_old_entry_and_starts_a_new_one(world, reg):
    start = next_monday(reg)
    cancelled = TimetableChange.objects.create(
        school=world.school, entry=reg.math2, date=start + 7 * DAY, kind="cancellation"
    )
    before = TimetableChange.objects.create(
        school=world.school, entry=reg.math2, date=reg.day, kind="cancellation"
    )
    lesson = lesson_on(reg.math2, reg.day)
    new = services.timetable_entry_change(
        actor=world.user("principal"),
        entry=reg.math2,
        from_date=start,
        weekday=1,
        slot=reg.slots[5],
        subject=world.subject,
        teacher=world.user("teacher_in"),
        room=None,
    )
    reg.math2.refresh_from_db()
    assert reg.math2.valid_to == start - DAY
    assert (new.valid_from, new.valid_to, new.slot.number, new.room) == (start, None, 5, None)
    assert (1, 2, "Matematyka", "", "n-in", "12") in plan_of(world.school_class, reg.day)
    assert (1, 5, "Matematyka", "", "n-in", "") in plan_of(world.school_class, start)
    assert (1, 2, "Matematyka", "", "n-in", "12") not in plan_of(world.school_class, start)
    # The later cancellation follows the lesson; the earlier one and the lesson stay.
    cancelled.refresh_from_db()
    before.refresh_from_db()
    assert (cancelled.entry_id, before.entry_id) == (new.pk, reg.math2.pk)
    lesson.refresh_from_db()
    assert lesson.timetable_entry_id == reg.math2.pk
    actions = AuditEntry.objects.filter(content_type__model="timetableentry").values_list(
        "action", "object_id"
    )
    assert sorted(actions) == sorted([("update", str(reg.math2.pk)), ("create", str(new.pk))])


def test_moving_a_lesson_to_another_day_drops_its_later_changes(world, reg):
    start = next_monday(reg)
    cancelled = TimetableChange.objects.create(
        school=world.school, entry=reg.math3, date=start, kind="cancellation"
    )
    services.timetable_entry_change(
        actor=world.user("principal"),
        entry=reg.math3,
        from_date=start,
        weekday=3,
        slot=reg.slots[3],
        subject=world.subject,
        teacher=world.user("teacher_in"),
        room=reg.room,
    )
    assert not TimetableChange.objects.filter(pk=cancelled.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", content_type__model="timetablechange", object_id=str(cancelled.pk)
    ).exists()


def test_change_from_the_first_day_corrects_the_entry_itself(world, reg):
    entry = add(world, reg)
    same = services.timetable_entry_change(
        actor=world.user("principal"),
        entry=entry,
        from_date=entry.valid_from,
        weekday=2,
        slot=reg.slots[1],
        subject=world.subject,
        teacher=world.user("teacher_in"),
        room=None,
    )
    assert same.pk == entry.pk and same.room is None
    assert TimetableEntry.objects.filter(school_class=world.school_class, weekday=2).count() == 1
    update = AuditEntry.objects.get(action="update", object_id=str(entry.pk))
    assert update.changes == {"room": [reg.room.pk, None]}


def test_change_is_checked(world, reg):
    start = next_monday(reg)

    def change(**overrides):
        values = {
            "actor": world.user("principal"),
            "entry": reg.math2,
            "from_date": start,
            "weekday": 1,
            "slot": reg.slots[2],
            "subject": world.subject,
            "teacher": world.user("teacher_in"),
            "room": reg.room,
        }
        return services.timetable_entry_change(**{**values, **overrides})

    assert refused(change) == ["Nothing has changed."]
    assert refused(lambda: change(from_date=reg.math2.valid_from - DAY))[0].startswith(
        "The change cannot start before the lesson does"
    )
    # teacher_out teaches 4b at that time
    assert refused(lambda: change(teacher=world.user("teacher_out")))[0].startswith(
        "Monday, lesson 2: teacher Ewa Kamińska already teaches Historia – 4b"
    )
    # …and its own old version is no collision
    change(teacher=world.user("class_teacher"), subject=world.other_subject)
    with pytest.raises(PermissionDenied):
        change(actor=world.user("teacher_in"), room=None)


# --- ending ---------------------------------------------------------------------------


def test_end_a_lesson_keeps_its_past_and_drops_its_later_changes(world, reg):
    start = next_monday(reg)
    later = TimetableChange.objects.create(
        school=world.school, entry=reg.history4, date=start, kind="cancellation"
    )
    kept = services.timetable_entry_end(
        actor=world.user("principal"), entry=reg.history4, last_day=start - DAY
    )
    assert kept.valid_to == start - DAY
    assert not TimetableChange.objects.filter(pk=later.pk).exists()
    assert (1, 4, "Historia", "", "wych", "12") in plan_of(world.school_class, reg.day)
    assert (1, 4, "Historia", "", "wych", "12") not in plan_of(world.school_class, start)
    assert refused(
        lambda: services.timetable_entry_end(
            actor=world.user("principal"), entry=reg.history4, last_day=start
        )
    ) == [f"The lesson already ends on {start - DAY:%d.%m.%Y}."]


def test_ending_before_the_first_day_removes_a_lesson_only_while_none_was_recorded(world, reg):
    entry = add(world, reg)
    gone = services.timetable_entry_end(
        actor=world.user("principal"), entry=entry, last_day=entry.valid_from - DAY
    )
    assert gone is None
    assert not TimetableEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(entry.pk)).exists()
    lesson_on(reg.math2, reg.day)
    assert refused(
        lambda: services.timetable_entry_end(
            actor=world.user("principal"), entry=reg.math2, last_day=reg.math2.valid_from - DAY
        )
    )[0].startswith("Lessons have already been recorded under this entry")
    with pytest.raises(PermissionDenied):
        services.timetable_entry_end(
            actor=world.user("class_teacher"), entry=reg.history1, last_day=reg.day
        )


# --- over HTTP --------------------------------------------------------------------------

MANAGERS_ONLY = {
    "anonymous": 302,
    "student": 404,
    "own_parent": 404,
    "other_parent": 404,
    "teacher_in": 404,
    "teacher_out": 404,
    "class_teacher": 404,
    "principal": 200,
    "secretary": 200,
    "other_principal": 404,
}
REFUSED = [role for role, status in MANAGERS_ONLY.items() if status != 200]


def form_data(world, reg, **overrides):
    data = {
        "weekday": 2,
        "slot": reg.slots[6].pk,
        "subject": world.subject.pk,
        "group": "",
        "teacher": world.user("teacher_in").pk,
        "room": "",
        "date": next_monday(reg).isoformat(),
        "valid_to": "",
    }
    data.update(overrides)
    return data


def test_editor_pages_matrix(world, matrix, reg):
    class_id = world.school_class.pk
    for url in (
        f"/plan/klasa/{class_id}/edycja/",
        f"/plan/klasa/{class_id}/edycja/dodaj/",
        f"/plan/wpis/{reg.math2.pk}/zmien/",
        f"/plan/wpis/{reg.math2.pk}/zakoncz/",
    ):
        matrix.check(url, MANAGERS_ONLY, secrets=["Lewandowski"])


def test_editor_writes_matrix(world, matrix, reg):
    class_id = world.school_class.pk
    add_url = f"/plan/klasa/{class_id}/edycja/dodaj/"
    data = form_data(world, reg)
    matrix.check(add_url, MANAGERS_ONLY, method="post", data=data, state=counts, roles=REFUSED)
    matrix.check(add_url, {"principal": 302}, method="post", data=data)
    entry = TimetableEntry.objects.get(weekday=2, slot=reg.slots[6])

    change_url = f"/plan/wpis/{entry.pk}/zmien/"
    data = form_data(world, reg, slot=reg.slots[7].pk)
    matrix.check(change_url, MANAGERS_ONLY, method="post", data=data, state=counts, roles=REFUSED)
    matrix.check(change_url, {"secretary": 302}, method="post", data=data)
    entry.refresh_from_db()
    assert entry.slot == reg.slots[7]  # from its first day: corrected in place

    end_url = f"/plan/wpis/{entry.pk}/zakoncz/"
    data = {"last_day": (entry.valid_from + 3 * DAY).isoformat()}
    matrix.check(end_url, MANAGERS_ONLY, method="post", data=data, state=counts, roles=REFUSED)
    matrix.check(end_url, {"principal": 302}, method="post", data=data)
    entry.refresh_from_db()
    assert entry.valid_to == entry.valid_from + 3 * DAY


def test_principal_edits_a_class_plan_over_http(world, reg):
    client = world.client("principal")
    start = next_monday(reg)
    editor = f"/plan/klasa/{world.school_class.pk}/edycja/?tydzien={start.isoformat()}"
    page = client.get(editor).content.decode()
    assert page.count('class="lesson-cell"') == 4
    assert f"/plan/wpis/{reg.math2.pk}/zmien/" in page
    add_link = (
        f"/plan/klasa/{world.school_class.pk}/edycja/dodaj/"
        f"?tydzien={start}&amp;dzien=2&amp;lekcja=6"
    )
    assert add_link in page
    form = client.get(add_link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{reg.slots[6].pk}" selected>' in form
    assert f'value="{start.isoformat()}"' in form  # the week being edited, not earlier
    # A collision keeps the input and explains.
    clash = client.post(
        f"/plan/klasa/{world.school_class.pk}/edycja/dodaj/",
        form_data(world, reg, weekday=1, slot=reg.slots[2].pk),
    )
    assert clash.status_code == 400
    assert 'id="form-errors"' in clash.content.decode()
    assert "Tomasz Lewandowski" in clash.content.decode()
    # Changing from a date: back on the editor of the week it starts.
    response = client.post(
        f"/plan/wpis/{reg.math2.pk}/zmien/",
        form_data(
            world,
            reg,
            weekday=1,
            slot=reg.slots[2].pk,
            room=reg.room.pk,
            teacher=world.user("class_teacher").pk,
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?tydzien={start.isoformat()}")
    page = client.get(response["Location"]).content.decode()
    assert "Grażyna Wójcik" in page
    assert (1, 2, "Matematyka", "", "wych", "12") in plan_of(world.school_class, start)
    assert (1, 2, "Matematyka", "", "n-in", "12") in plan_of(world.school_class, reg.day)


def test_links_to_the_editor_and_the_import_for_those_who_may_use_them(world, reg):
    principal = world.client("principal").get("/plan/").content.decode()
    assert f'href="/plan/klasa/{world.school_class.pk}/edycja/"' in principal
    assert 'href="/plan/import/"' in principal
    week = f"/plan/klasa/{world.school_class.pk}/"
    assert 'id="edit-plan"' in world.client("principal").get(week).content.decode()
    assert 'id="edit-plan"' not in world.client("class_teacher").get(week).content.decode()


EDITOR_QUERIES = 10  # session, user, viewer (5), class, its entries, lesson numbers


@pytest.mark.parametrize("extra", [0, 3])
def test_editor_query_count_does_not_grow_with_the_plan(
    world, reg, extra, django_assert_num_queries
):
    ClassGroup.objects.filter(school_class=world.school_class)  # groups exist
    rooms = [Room.objects.create(school=world.school, name=f"r{i}") for i in range(extra)]
    for weekday in range(2, 2 + extra):
        for number in (1, 2, 3):
            TimetableEntry.objects.create(
                school=world.school,
                school_class=world.school_class,
                group=groups(world)["gr. 1"],
                weekday=weekday,
                slot=reg.slots[number],
                subject=world.subject,
                teacher=world.user("teacher_in"),
                room=rooms[weekday - 2],
                valid_from=reg.math2.valid_from,
            )
    client = world.client("principal")
    url = f"/plan/klasa/{world.school_class.pk}/edycja/?tydzien={reg.day.isoformat()}"
    client.get(url)
    with django_assert_num_queries(EDITOR_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('class="lesson-cell"') == 4 + 3 * extra


def test_a_stale_change_form_is_refused(world, reg):
    """Two tabs change the same lesson from its first day: the second, based on the
    lesson before the first change, is refused instead of silently undoing it."""
    entry = add(world, reg)
    seen = services.entry_version(entry)
    values = {
        "actor": world.user("principal"),
        "entry": entry,
        "from_date": entry.valid_from,
        "weekday": 2,
        "slot": reg.slots[1],
        "subject": world.subject,
        "teacher": world.user("teacher_in"),
    }
    services.timetable_entry_change(**values, room=None, version=seen)
    with pytest.raises(StaleEdit):
        services.timetable_entry_change(**{**values, "slot": reg.slots[2]}, version=seen)
    entry.refresh_from_db()
    assert (entry.room, entry.slot) == (None, reg.slots[1])
    response = world.client("principal").post(
        f"/plan/wpis/{entry.pk}/zmien/",
        {
            "date": entry.valid_from.isoformat(),
            "weekday": 2,
            "slot": reg.slots[2].pk,
            "subject": world.subject.pk,
            "teacher": world.user("teacher_in").pk,
            "version": seen,
        },
    )
    assert response.status_code == 409
    assert f'name="version" value="{services.entry_version(entry)}"' in response.text
