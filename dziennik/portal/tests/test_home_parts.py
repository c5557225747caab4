"""A family's home page kept in parts (``portal/panels.py``): the parts still current
come from the cache when the page has moved on, the page is the same as one built
afresh, and what changed shows at once – for the right child, on the right day."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dziennik.core import cache
from dziennik.grades import services as grading
from dziennik.grades.models import GradeCategory
from dziennik.lucky.models import LuckyNumber
from dziennik.messaging.tests.factories import send
from dziennik.notices.tests.factories import publish
from dziennik.schools.tests import factories as sf

# A form's CSRF token is masked afresh at every render; everything else must be equal.
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')


def _page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def _tables(queries) -> set[str]:
    return {t for q in queries for t in re.findall(r'FROM "([a-z_]+)"', q["sql"])}


@pytest.fixture
def family(world):
    """The own parent's browser (with its CSRF cookie), a grade of their child and an
    announcement for everyone."""
    grading.grading_setup_defaults(school=world.school)
    _grade(world, world.student, "Sprawdzian – ułamki", "4+")
    publish(world.user("principal"), "Wycieczka do Krakowa")
    client = world.client("own_parent")
    client.get("/konto/logowanie/")
    return client


def _grade(world, student, name: str, raw: str, school_class=None):
    teacher = world.user("teacher_in")
    assessment = grading.assessment_create(
        actor=teacher,
        school_class=school_class or world.school_class,
        subject=world.subject,
        term=world.term1,
        name=name,
        date=world.term1.start_date + datetime.timedelta(days=10),
        category=GradeCategory.objects.get(school=world.school, name="Sprawdzian"),
    )
    grading.grade_set(actor=teacher, assessment=assessment, student=student, raw=raw)


def test_parts_kept_make_the_page_built_afresh(world, family):
    first = _page(family)
    assert "Sprawdzian – ułamki" in first and "Wycieczka do Krakowa" in first
    # what a new grade moves: the page and the grade panels, not the announcements
    cache.bump(cache.student_scope(world.student.pk), cache.data_scope(world.school_class.pk))
    with CaptureQueriesContext(connection) as queries:
        again = _page(family)
    assert again == first
    read = _tables(queries.captured_queries)
    assert "grades_grade" in read and "attendance_attendancemark" in read, " ".join(sorted(read))
    assert not read & {
        "notices_announcement",
        "messaging_delivery",
        "schools_teachingassignment",
    }, " ".join(sorted(read))
    cache.cache.clear()
    assert _page(family) == first  # every part built afresh


# the tables the family panels of the other apps read: a new grade reads none of them
OTHER_PANELS = {"attendance_attendancemark", "behaviour_behaviournote", "planner_event"}


def test_a_new_grade_shows_at_once_and_rebuilds_only_what_shows_grades(world, family):
    _page(family)
    _grade(world, world.student, "Kartkówka – procenty", "5")
    with CaptureQueriesContext(connection) as queries:
        html = _page(family)
    assert "Kartkówka – procenty" in html and "<strong>5</strong>" in html
    read = _tables(queries.captured_queries)
    assert "grades_grade" in read
    # the grades' share of the child's data moved, not the attendance's, notes' or plans'
    assert not read & (OTHER_PANELS | {"notices_announcement"}), " ".join(sorted(read))


def test_a_new_absence_shows_at_once_and_leaves_the_grades_kept(world, family):
    from dziennik.attendance.tests.factories import build_register, save_lesson

    reg = build_register(world)
    _page(family)
    save_lesson(world, reg, reg.math2, {world.student: "nb"}, day=reg.day)
    with CaptureQueriesContext(connection) as queries:
        html = _page(family)
    assert 'id="recent-absences"' in html and f"{reg.day:%d.%m.%Y}</a>" in html
    assert "Sprawdzian – ułamki" in html
    read = _tables(queries.captured_queries)
    assert "attendance_attendancemark" in read
    assert not read & {"grades_grade", "behaviour_behaviournote", "planner_event"}, read


def test_a_new_note_shows_at_once_and_leaves_grades_and_attendance_kept(world, family):
    from dziennik.behaviour.tests.factories import write_note

    _page(family)
    write_note(world.user("teacher_in"), world.student, "Pomógł koledze w lekcjach.")
    with CaptureQueriesContext(connection) as queries:
        html = _page(family)
    assert "Pomógł koledze w lekcjach." in html and "Sprawdzian – ułamki" in html
    read = _tables(queries.captured_queries)
    assert "behaviour_behaviournote" in read
    assert not read & {"grades_grade", "attendance_attendancemark", "planner_event"}, read


def test_a_bump_that_names_no_app_rebuilds_every_panel_of_the_child(world, family):
    """Derived data (the attendance warnings, the averages) moves the child's scope
    without saying whose: every panel of the child is built afresh."""
    first = _page(family)
    cache.bump(cache.student_scope(world.student.pk))
    with CaptureQueriesContext(connection) as queries:
        assert _page(family) == first
    read = _tables(queries.captured_queries)
    assert {"grades_grade", "attendance_attendancemark", "behaviour_behaviournote"} <= read
    # and a class's: the plans of the class are built afresh too
    cache.bump(cache.data_scope(world.school_class.pk))
    with CaptureQueriesContext(connection) as queries:
        assert _page(family) == first
    assert {"planner_event", "grades_grade"} <= _tables(queries.captured_queries)


def test_a_new_announcement_shows_at_once_and_leaves_the_grades_kept(world, family):
    _page(family)
    publish(world.user("principal"), "Zebranie z rodzicami")
    with CaptureQueriesContext(connection) as queries:
        html = _page(family)
    assert "Zebranie z rodzicami" in html and "Sprawdzian – ułamki" in html
    read = _tables(queries.captured_queries)
    assert "notices_announcement" in read
    assert not read & {
        "attendance_attendancemark",
        "planner_event",
        "behaviour_behaviournote",
        "grades_grade",
    }, " ".join(sorted(read))


def test_a_new_message_shows_at_once(world, family):
    assert "Pytanie o wycieczkę" not in _page(family)
    send(world.user("teacher_in"), [world.user("own_parent")], subject="Pytanie o wycieczkę")
    assert 'id="new-messages"' in (html := _page(family)) and "Pytanie o wycieczkę" in html


def test_parts_of_another_child_are_never_reused(world, family):
    second = sf.StudentFactory(school=world.school, first_name="Antoni")
    sf.EnrolmentFactory(student=second, school_class=world.school_class, journal_number=30)
    sf.GuardianshipFactory(guardian=world.own_guardian, student=second)
    _grade(world, second, "Dyktando Antoniego", "3")
    first = _page(family)
    assert "Sprawdzian – ułamki" in first and "Dyktando Antoniego" not in first
    family.post("/konto/dziecko/", {"student": second.pk, "next": "/"})
    html = _page(family)
    assert "Dyktando Antoniego" in html and "Sprawdzian – ułamki" not in html
    assert f'id="child-overview" data-student="{second.pk}"' in html
    family.post("/konto/dziecko/", {"student": world.student.pk, "next": "/"})
    assert _page(family) == first


def test_parts_are_not_kept_past_midnight(world, family, monkeypatch):
    today = timezone.localdate()
    LuckyNumber.objects.create(school=world.school, date=today, number=7)
    tomorrow = today + datetime.timedelta(days=1)
    LuckyNumber.objects.create(school=world.school, date=tomorrow, number=12)
    assert '<strong class="lucky-number" id="lucky-number-value">7<' in _page(family)
    # the clock moves past midnight (the session does not expire meanwhile)
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: tomorrow)
    assert '<strong class="lucky-number" id="lucky-number-value">12<' in _page(family)


def test_family_parts_are_per_user(world, family):
    own = _page(family)
    other = world.client("other_parent")
    other.get("/konto/logowanie/")
    html = _page(other)
    assert "Sprawdzian – ułamki" in own and "Sprawdzian – ułamki" not in html
    assert world.student.first_name not in html
