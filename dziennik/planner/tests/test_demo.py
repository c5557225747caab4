"""The demo school has a month of calendar events a new user sees at once, within the
common limits on tests (G-14), each planned by someone who may plan it."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.planner.models import Event
from dziennik.schools.models import School

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_school_has_a_month_of_plans():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    school = School.objects.get()
    events = list(Event.objects.filter(school=school).select_related("school_class"))
    kinds = Counter(e.kind for e in events)
    assert set(kinds) == {"test", "quiz", "homework", "trip", "meeting", "school_event"}
    assert kinds["school_event"] == 2
    dates = [e.date for e in events]
    assert max(dates) - min(dates) >= datetime.timedelta(days=20)
    tests_a_day = Counter((e.school_class_id, e.date) for e in events if e.kind == "test")
    assert max(tests_a_day.values()) == 1
    tests_a_week = Counter(
        (e.school_class_id, e.date.isocalendar()[:2]) for e in events if e.kind == "test"
    )
    assert max(tests_a_week.values()) <= 3
    for e in events:
        if e.kind in ("trip", "meeting"):
            assert e.author_id == e.school_class.class_teacher_id
        elif e.school_class_id:
            assert e.school_class.assignments.filter(
                teacher_id=e.author_id, subject_id=e.subject_id
            ).exists()

    assert 'id="upcoming-events"' in _client("rodzic").get("/").content.decode()
    assert 'class="planner-entry ' in _client("uczen").get(reverse("planner:list")).content.decode()
    call_command("demo", "--students-per-class", "4", "--reset", stdout=io.StringIO())
    assert Event.objects.filter(kind="school_event").count() == 2
