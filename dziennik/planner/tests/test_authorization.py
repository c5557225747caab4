"""The POST matrices of the calendar: who may plan, correct, delete, make a gradebook
column and set the limits; refused requests change nothing."""

import datetime

from django.urls import reverse

from dziennik.grades import services as grades_services
from dziennik.grades.models import Assessment
from dziennik.planner.models import Event, PlannerSettings
from testsupport.url_matrix import expect

from .factories import maths_test, next_monday


def _state():
    return list(
        Event.objects.order_by("pk").values_list("pk", "title", "date", "location", "assessment")
    )


def _data(world, date, title="Nowy sprawdzian"):
    return {
        "kind": "test",
        "school_class": world.school_class.pk,
        "subject": world.subject.pk,
        "title": title,
        "date": date.isoformat(),
    }


def test_new_matrix(world, matrix):
    url = reverse("planner:new")
    monday = next_monday()
    # a class or subject outside the form's choices is an invalid choice (400), as in
    # another school
    expected = expect(
        404, teacher_in=302, principal=302, teacher_out=400, class_teacher=400, other_principal=400
    )
    refused = [r for r in expected if r not in ("teacher_in", "principal")]
    matrix.check(
        url, expected, method="post", data=_data(world, monday), state=_state, roles=refused
    )
    assert not Event.objects.exists()
    matrix.check(url, expected, method="post", data=_data(world, monday), roles=["teacher_in"])
    later = monday + datetime.timedelta(days=7)
    matrix.check(url, expected, method="post", data=_data(world, later), roles=["principal"])
    assert sorted(Event.objects.values_list("author__username", "date")) == [
        ("dyrektor-test", later),
        ("n-in", monday),
    ]


def test_edit_matrix(world, matrix):
    event = maths_test(world, next_monday(), title="Pierwsza wersja")
    url = reverse("planner:edit", args=[event.pk])
    expected = expect(404, teacher_in=302, principal=302)
    data = {"title": "Poprawiony", "date": event.date.isoformat(), "location": "sala 7"}
    refused = [r for r in expected if r not in ("teacher_in", "principal")]
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    event.refresh_from_db()
    assert (event.title, event.location) == ("Poprawiony", "sala 7")


def test_delete_matrix(world, matrix):
    event = maths_test(world, next_monday())
    url = reverse("planner:delete", args=[event.pk])
    expected = expect(404, teacher_in=302, principal=302)
    refused = [r for r in expected if r not in ("teacher_in", "principal")]
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=["teacher_in"])
    assert not Event.objects.exists()


def test_make_column_matrix(world, matrix):
    grades_services.grading_setup_defaults(school=world.school)
    event = maths_test(world, next_monday())
    url = reverse("planner:make_column", args=[event.pk])
    expected = expect(404, teacher_in=302, principal=302)
    refused = [r for r in expected if r not in ("teacher_in", "principal")]
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    assert not Assessment.objects.exists()
    matrix.check(url, expected, method="post", roles=["teacher_in"])
    assert Assessment.objects.get().name == event.title


def test_settings_matrix(world, matrix):
    url = reverse("planner:settings")
    data = {"tests_per_week": 2, "tests_per_day": 1, "notice_days": 5, "override_allowed": ""}
    expected = expect(404, principal=302, other_principal=302)
    refused = [r for r in expected if r not in ("principal", "other_principal")]

    def state():
        return list(PlannerSettings.objects.values_list("school_id", "tests_per_week"))

    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    assert not PlannerSettings.objects.exists()
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    row = PlannerSettings.objects.get()
    assert (row.school_id, row.tests_per_week, row.notice_days, row.override_allowed) == (
        world.school.pk,
        2,
        5,
        False,
    )
