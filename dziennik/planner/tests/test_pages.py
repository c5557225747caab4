"""The calendar pages: a fixed number of queries however many events (month, week,
list; a parent and a teacher), and a narrow screen gets the list of days."""

import datetime

import pytest
from django.urls import reverse

from dziennik.planner.models import Event
from dziennik.schools.models import SchoolClass

from .factories import next_monday


def _events(world, monday, n):
    """``n`` events of 4a in the week from ``monday`` (written in bulk: the page's cost,
    not the limits, is under test)."""
    kinds = ["test", "quiz", "homework", "trip", "meeting"]
    Event.objects.bulk_create(
        [
            Event(
                school=world.school,
                school_class=world.school_class,
                subject=world.subject if kinds[i % 5] in ("test", "quiz", "homework") else None,
                kind=kinds[i % 5],
                title=f"Wydarzenie {i}",
                date=monday + datetime.timedelta(days=i % 7),
                starts_at=datetime.time(8 + i % 8) if i % 2 else None,
                author=world.user("teacher_in"),
            )
            for i in range(n)
        ]
    )


PAGES = [
    ("planner:calendar", lambda monday: {"miesiac": f"{monday:%Y-%m}"}),
    ("planner:week", lambda monday: {"od": f"{monday:%Y-%m-%d}"}),
    ("planner:list", lambda monday: {"od": f"{monday:%Y-%m-%d}"}),
]
# The cold path (the cache emptied): session, user, the viewer's rows (roles, student,
# guardian, children or assignments and led classes), the layout's child switcher and
# navigation, then the events and the days off: two queries for the calendar itself.
# The calendar shows every app's entries (core.extensions.calendar_entries): the meetings
# add a parent's bookings and class meetings (2) and a teacher's consultation hours (1);
# staff get the class filter: the current year and its classes (2).
QUERIES = {"own_parent": 12, "teacher_in": 12, "student": 7}


@pytest.mark.parametrize(("name", "query"), PAGES)
@pytest.mark.parametrize("role", sorted(QUERIES))
def test_pages_make_a_fixed_number_of_queries(world, django_assert_num_queries, name, query, role):
    monday = next_monday()
    client = world.client(role)
    url = reverse(name)
    client.get(url, query(monday))  # the session's first request
    for n, shown in ((1, 1), (40, 41)):
        _events(world, monday, n)
        with django_assert_num_queries(QUERIES[role]):
            response = client.get(url, query(monday))
        assert response.status_code == 200
        assert response.content.decode().count('class="planner-entry ') == shown


def test_the_month_hides_empty_days_on_a_phone_and_marks_today(world):
    response = world.client("own_parent").get(reverse("planner:calendar"))
    page = response.content.decode()
    assert page.count('class="planner-day') >= 28
    assert page.count('class="planner-day today') == 1
    assert 'id="no-events"' in page


def test_staff_narrow_the_calendar_to_one_class_and_keep_it_when_paging(world):
    monday = next_monday()
    _events(world, monday, 3)  # 4a's
    school_wide = Event.objects.create(
        school=world.school,
        kind="school_event",
        title="Dzień sportu",
        date=monday,
        author=world.user("principal"),
    )
    client = world.client("principal")
    url = reverse("planner:week")
    page = client.get(url, {"od": f"{monday:%Y-%m-%d}"}).content.decode()
    assert 'id="class-filter"' in page
    assert page.count('class="planner-entry ') == 4
    # another class: only what is for the whole school
    second = world.other_class
    page = client.get(url, {"od": f"{monday:%Y-%m-%d}", "klasa": second.pk}).content.decode()
    assert page.count('class="planner-entry ') == 1
    assert school_wide.title in page
    assert f"&amp;klasa={second.pk}" in page or f"&klasa={second.pk}" in page
    # 4a: its events and the school's
    page = client.get(
        url, {"od": f"{monday:%Y-%m-%d}", "klasa": world.school_class.pk}
    ).content.decode()
    assert page.count('class="planner-entry ') == 4
    # a class of another school is not offered and filters nothing
    foreign = SchoolClass.objects.get(school=world.other_school, name="1a")
    page = client.get(url, {"od": f"{monday:%Y-%m-%d}", "klasa": foreign.pk}).content.decode()
    assert page.count('class="planner-entry ') == 4
    assert f'value="{foreign.pk}"' not in page
    # families have no filter: their calendar is their child's
    page = world.client("own_parent").get(url, {"od": f"{monday:%Y-%m-%d}"}).content.decode()
    assert 'id="class-filter"' not in page
