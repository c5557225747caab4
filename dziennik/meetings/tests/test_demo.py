"""The demo school has consultation hours with some times booked and a class meeting,
so the fixed parent and the class teacher see an upcoming meeting at once; the demo can
still be reset."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.meetings.models import Booking, ClassMeeting, ConsultationSession
from dziennik.schools.models import School

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_school_has_meetings():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    school = School.objects.get()
    sessions = ConsultationSession.objects.filter(school=school)
    assert sessions.count() >= 4
    assert all(s.slots.count() == 6 for s in sessions)
    bookings = Booking.objects.filter(school=school)
    assert bookings.exists()
    # every booking is of a teacher of the booked child, at most one per slot
    assert bookings.values("slot").distinct().count() == bookings.count()
    meeting = ClassMeeting.objects.select_related("school_class").get(school=school)
    assert meeting.teacher_id == meeting.school_class.class_teacher_id
    assert sessions.filter(teacher__username="wychowawca").exists()
    rodzic = User.objects.get(username="rodzic")
    assert bookings.filter(guardian__user=rodzic).count() == 1

    parent_home = _client("rodzic").get("/").content.decode()
    assert 'id="upcoming-meetings"' in parent_home
    page = _client("rodzic").get(reverse("meetings:index")).content.decode()
    assert 'id="booking-' in page and f'id="class-meeting-{meeting.pk}"' in page
    teacher_home = _client("wychowawca").get("/").content.decode()
    assert 'id="upcoming-meetings"' in teacher_home
    call_command("demo", "--students-per-class", "4", "--reset", stdout=io.StringIO())
    assert ClassMeeting.objects.count() == 1
