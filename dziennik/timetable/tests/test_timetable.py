import datetime

import icalendar
import pytest
from django.core.exceptions import ValidationError

from dziennik.attendance.tests.factories import build_register
from dziennik.schools.models import DayOff
from dziennik.schools.viewer import get_viewer
from dziennik.timetable import selectors, services
from dziennik.timetable.models import CalendarFeed, TimetableChange
from testsupport.world import ROLES, STUDENT_PAGE


@pytest.fixture
def reg(world):
    return build_register(world)


def expect(default, **overrides):
    result = dict.fromkeys(ROLES, default)
    result["anonymous"] = 302
    result.update(overrides)
    return result


def summary(occurrences):
    return [
        (o.date, o.slot.number, o.entry.subject.name, o.teacher.username, o.takes_place)
        for o in occurrences
    ]


def test_student_week_follows_validity_days_off_and_changes(world, reg):
    monday = selectors.week_start(reg.day)
    week = selectors.student_week(world.student, monday)
    assert [(o.date, o.slot.number) for o in week] == [(reg.day, n) for n in (1, 2, 3, 4)]
    # the plan changes: lesson 4 ends before this week
    services.timetable_entry_end(
        actor=world.user("principal"),
        entry=reg.history4,
        last_day=reg.day - datetime.timedelta(days=1),
    )
    # lesson 1 has a substitute, lesson 3 is cancelled, lesson 2 moves to lesson 6 next day
    services.timetable_change_create(
        actor=world.user("principal"),
        entry=reg.history1,
        date=reg.day,
        kind=TimetableChange.Kind.SUBSTITUTION,
        substitute_teacher=world.user("teacher_out"),
    )
    services.timetable_change_create(
        actor=world.user("principal"), entry=reg.math3, date=reg.day, kind="cancellation"
    )
    tomorrow = reg.day + datetime.timedelta(days=1)
    services.timetable_change_create(
        actor=world.user("principal"),
        entry=reg.math2,
        date=reg.day,
        kind="moved",
        new_date=tomorrow,
        new_slot=reg.slots[6],
    )
    week = selectors.student_week(world.student, monday)
    expected = [
        (reg.day, 1, "Historia", "n-out", True),
        (reg.day, 2, "Matematyka", "n-in", False),
        (reg.day, 3, "Matematyka", "n-in", False),
    ]
    if tomorrow <= monday + datetime.timedelta(days=6):
        expected.append((tomorrow, 6, "Matematyka", "n-in", True))
    assert summary(week) == expected
    # the substitute sees the lesson; the absent teacher sees it as taken over
    substitute = selectors.teacher_occurrences(
        get_viewer(world.user("teacher_out")), reg.day, reg.day
    )
    assert [(o.entry.pk, o.teacher.username) for o in substitute] == [
        (reg.history1.pk, "n-out"),
        (reg.other.pk, "n-out"),
    ]
    own = selectors.teacher_occurrences(get_viewer(world.user("class_teacher")), reg.day, reg.day)
    assert [(o.entry.pk, o.is_substitution) for o in own] == [(reg.history1.pk, True)]
    # a day off removes the day
    DayOff.objects.create(
        school=world.school,
        school_year=world.year,
        kind="school_free_day",
        name="Dzień wolny",
        date_from=reg.day,
        date_to=reg.day,
    )
    assert [o.date for o in selectors.student_week(world.student, monday)] == (
        [tomorrow] if tomorrow <= monday + datetime.timedelta(days=6) else []
    )


def test_changes_are_validated(world, reg):
    with pytest.raises(ValidationError):
        services.timetable_change_create(
            actor=world.user("principal"),
            entry=reg.math2,
            date=reg.day + datetime.timedelta(days=1),
            kind="cancellation",
        )
    with pytest.raises(ValidationError):
        services.timetable_change_create(
            actor=world.user("principal"), entry=reg.math2, date=reg.day, kind="substitution"
        )
    with pytest.raises(ValidationError):
        services.timetable_entry_create(
            actor=world.user("principal"),
            school_class=world.other_class,
            weekday=reg.day.isoweekday(),
            slot=reg.slots[2],
            subject=world.subject,
            teacher=world.user("teacher_in"),
            valid_from=reg.day,
        )  # teacher_in already teaches 4a at lesson 2


def test_room_timetable(world, reg):
    occurrences = selectors.room_occurrences(reg.room, reg.day, reg.day)
    assert [o.slot.number for o in occurrences] == [1, 2, 3, 4]


def test_week_navigation_and_student_page_authorization(matrix, world, reg):
    url = f"/plan/uczen/{world.student.pk}/"
    matrix.check(url, STUDENT_PAGE, secrets=["Lewandowski"])
    client = world.client("own_parent")
    monday = selectors.week_start(reg.day)
    html = client.get(url).content.decode()
    assert f"?tydzien={(monday - datetime.timedelta(days=7)).isoformat()}" in html
    assert f"?tydzien={(monday + datetime.timedelta(days=7)).isoformat()}" in html
    assert html.count('class="lesson-cell') == 4
    next_week = client.get(url, {"tydzien": (monday + datetime.timedelta(days=7)).isoformat()})
    assert next_week.content.decode().count('class="lesson-cell') == 4


def test_authorization_of_the_other_pages(matrix, world, reg):
    matrix.check("/plan/", expect(302, principal=200, other_principal=200))
    matrix.check(
        f"/plan/klasa/{world.school_class.pk}/",
        expect(200, teacher_out=404, other_principal=404),
        secrets=["Lewandowski"],
    )
    matrix.check(
        "/plan/nauczyciel/",
        expect(200, student=404, own_parent=404, other_parent=404),
        secrets_for={"other_principal": ["Matematyka"]},
    )
    matrix.check(
        f"/plan/sala/{reg.room.pk}/",
        expect(200, student=404, own_parent=404, other_parent=404, other_principal=404),
        secrets=["Matematyka"],
    )
    matrix.check("/plan/kalendarz/", expect(200))


def test_changes_page_and_writes(matrix, world, reg):
    url = "/plan/zmiany/"
    page = expect(404, principal=200, other_principal=200)
    matrix.check(url, page, secrets_for={"other_principal": ["Matematyka"]})
    data = {"entry": reg.math2.pk, "date": reg.day.isoformat(), "kind": "cancellation"}
    refused = [r for r in ROLES if r != "principal"]
    matrix.check(
        url,
        dict(page, other_principal=404),
        method="post",
        data=data,
        state=TimetableChange.objects.count,
        roles=refused,
    )
    matrix.check(url, {"principal": 302}, method="post", data=data)
    change = TimetableChange.objects.get()
    delete = f"/plan/zmiany/{change.pk}/usun/"
    matrix.check(
        delete,
        expect(404),
        method="post",
        state=TimetableChange.objects.count,
        roles=refused,
    )
    matrix.check(delete, {"principal": 302}, method="post")
    assert not TimetableChange.objects.exists()


def test_calendar_feed_needs_only_the_token_and_revoking_kills_it(world, reg):
    parent = world.client("own_parent")
    parent.post("/plan/kalendarz/", {"action": "create"})
    feed = CalendarFeed.objects.get(user=world.user("own_parent"))
    url = f"/plan/kalendarz/{feed.token}.ics"
    from django.test import Client

    response = Client().get(url)  # no login
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = [e for e in calendar.walk("VEVENT")]
    today = [e for e in events if e.decoded("dtstart").date() == reg.day]
    assert sorted(str(e["summary"]) for e in today) == [
        "Historia – 4a",
        "Historia – 4a",
        "Matematyka – 4a",
        "Matematyka – 4a",
    ]
    assert "Historia – 4b" not in {str(e["summary"]) for e in events}
    assert Client().get(f"/plan/kalendarz/{feed.token}x.ics").status_code == 404
    # a new address replaces the old one; revoking removes it
    parent.post("/plan/kalendarz/", {"action": "create"})
    assert Client().get(url).status_code == 404
    new = CalendarFeed.objects.get(user=world.user("own_parent"))
    assert Client().get(f"/plan/kalendarz/{new.token}.ics").status_code == 200
    parent.post("/plan/kalendarz/", {"action": "revoke"})
    assert Client().get(f"/plan/kalendarz/{new.token}.ics").status_code == 404
    from dziennik.core.models import AuditEntry

    assert not AuditEntry.objects.filter(changes__icontains=new.token).exists()


def test_teacher_feed_lists_own_lessons(world, reg):
    feed = services.calendar_feed_create(actor=world.user("teacher_in"))
    from django.test import Client

    calendar = icalendar.Calendar.from_ical(
        Client().get(f"/plan/kalendarz/{feed.token}.ics").content
    )
    today = [e for e in calendar.walk("VEVENT") if e.decoded("dtstart").date() == reg.day]
    assert [str(e["summary"]) for e in today] == ["Matematyka – 4a", "Matematyka – 4a"]
    assert {str(e["location"]) for e in today} == {"12"}


def test_principal_records_a_substitution_that_parents_and_teachers_see(world, reg):
    principal = world.client("principal")
    day = reg.day.isoformat()
    page = principal.get("/plan/zmiany/", {"dzien": day, "wpis": reg.math2.pk})
    assert 'id="change-form"' in page.content.decode()
    response = principal.post(
        f"/plan/zmiany/?dzien={day}&wpis={reg.math2.pk}",
        {
            "entry": reg.math2.pk,
            "date": day,
            "kind": "substitution",
            "substitute_teacher": world.user("teacher_out").pk,
            "note": "",
        },
    )
    assert response.status_code == 302
    change = TimetableChange.objects.get()
    assert (change.kind, change.substitute_teacher) == ("substitution", world.user("teacher_out"))
    # a bad request keeps the input and explains
    again = principal.post(
        f"/plan/zmiany/?dzien={day}&wpis={reg.math3.pk}",
        {"entry": reg.math3.pk, "date": day, "kind": "substitution", "note": "x"},
    )
    assert again.status_code == 400 and 'id="form-errors"' in again.content.decode()
    parent = world.client("own_parent").get(f"/plan/uczen/{world.student.pk}/").content.decode()
    assert 'id="week-changes"' in parent and "Kamińska" in parent
    substitute = world.client("teacher_out").get("/plan/nauczyciel/").content.decode()
    assert f'data-entry="{reg.math2.pk}"' in substitute
