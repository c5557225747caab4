"""The demo school has announcements, behaviour notes and lucky numbers a new user sees
at once (the parent's unread announcements and the child's fresh notes on the home page),
and can still be reset."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts.models import User
from dziennik.behaviour.models import BehaviourNote
from dziennik.lucky.models import LuckyNumber
from dziennik.notices.models import Announcement, AnnouncementRead
from dziennik.schools.calendar import is_lesson_day
from dziennik.schools.models import School

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_school_talks_to_its_families():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    school = School.objects.get()
    assert Announcement.objects.filter(school=school).count() == 8
    assert Announcement.objects.filter(for_whole_school=False).exists()
    assert AnnouncementRead.objects.exists()
    notes = BehaviourNote.objects.filter(school=school)
    assert {n.kind for n in notes} >= {"positive", "negative"}
    assert all(n.points is not None for n in notes)
    # every note is by a teacher of its class
    for note in notes.select_related("school_class"):
        assert (
            note.school_class.assignments.filter(teacher_id=note.author_id).exists()
            or note.school_class.class_teacher_id == note.author_id
        )
    numbers = LuckyNumber.objects.filter(school=school)
    assert numbers.exists() and all(1 <= n.number <= 4 for n in numbers)

    parent_home = _client("rodzic").get("/").content.decode()
    assert 'id="new-announcements"' in parent_home
    student_home = _client("uczen").get("/").content.decode()
    assert 'id="recent-notes"' in student_home
    if is_lesson_day(school, timezone.localdate()):
        assert 'id="lucky-number-value"' in student_home
    board = _client("rodzic").get(reverse("notices:board")).content.decode()
    assert "unread-mark" in board
    # viewing writes no history: the demo can still be replaced
    call_command("demo", "--students-per-class", "4", "--reset", stdout=io.StringIO())
    assert Announcement.objects.count() == 8
