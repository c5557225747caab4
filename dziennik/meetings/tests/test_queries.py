"""The meetings' pages make a fixed number of queries, with few or many consultation
hours, slots, bookings and class meetings."""

import pytest
from django.urls import reverse

from dziennik.accounts.tests.factories import UserFactory
from dziennik.schools.models import SchoolRole
from dziennik.schools.tests import factories as sf

from .factories import book, call_meeting, publish

pytestmark = pytest.mark.django_db


def _teacher_of_4a(world, i):
    teacher = UserFactory(school=world.school, first_name=f"Nauczyciel{i}")
    SchoolRole.objects.create(school=world.school, user=teacher, role="teacher")
    sf.TeachingAssignmentFactory(
        school_class=world.school_class,
        teacher=teacher,
        subject=sf.SubjectFactory(school=world.school, name=f"Przedmiot {i}"),
    )
    return teacher


def _fill(world, n):
    """``n`` teachers of 4a with consultation hours of 6 slots, the first booked by Zofia's
    mother and the second by Kacper's father; ``n`` consultation hours of Matematyka's
    teacher, each booked by both families; ``n`` class meetings of 4a."""
    for i in range(n):
        session = publish(_teacher_of_4a(world, i), days=2 + i)
        slots = list(session.slots.order_by("starts"))
        book(world.user("own_parent"), slots[0], world.student)
        book(world.user("other_parent"), slots[1], world.classmate)
        own = publish(world.user("teacher_in"), days=2 + i)
        own_slots = list(own.slots.order_by("starts"))
        book(world.user("own_parent"), own_slots[0], world.student)
        book(world.user("other_parent"), own_slots[1], world.classmate)
        call_meeting(world.user("class_teacher"), world.school_class, days=2 + i)


# role → the pinned number of queries of the meetings page. Every count includes the
# session read and write, the user and the viewer (cold), the layout.s child switcher.
INDEX = {"own_parent": 14, "teacher_in": 12, "class_teacher": 12, "principal": 11}
SESSION = {"own_parent": 18, "teacher_in": 13}


@pytest.mark.parametrize("n", [1, 12])
@pytest.mark.parametrize("role", list(INDEX))
def test_the_meetings_page_makes_a_fixed_number_of_queries(
    world, django_assert_num_queries, role, n
):
    _fill(world, n)
    client = world.client(role)
    with django_assert_num_queries(INDEX[role]):
        response = client.get(reverse("meetings:index"))
    assert response.status_code == 200
    html = response.content.decode()
    if role == "own_parent":
        assert html.count('id="booking-') == 2 * n
        assert html.count('id="class-meeting-') == n
    if role == "teacher_in":
        assert html.count('id="own-session-') == n


@pytest.mark.parametrize("minutes", [30, 5])
@pytest.mark.parametrize("role", list(SESSION))
def test_the_session_page_makes_a_fixed_number_of_queries(
    world, django_assert_num_queries, role, minutes
):
    session = publish(world.user("teacher_in"), minutes=minutes, end=(18, 0))
    slots = list(session.slots.order_by("starts"))
    book(world.user("other_parent"), slots[0], world.classmate)
    book(world.user("own_parent"), slots[1], world.student)
    client = world.client(role)
    with django_assert_num_queries(SESSION[role]):
        response = client.get(reverse("meetings:session", args=[session.pk]))
    assert response.content.decode().count('id="slot-') == len(slots)
