"""Two requests for the same slot at the same moment give exactly one booking (on
PostgreSQL the slot's row lock makes the second wait and then see the first; the partial
unique index backs it on any database); one parent asking for two slots of the same
consultation hours at once gets one."""

import pytest
from django.urls import reverse

from dziennik.meetings.models import Booking
from testsupport.race import race

from .factories import publish

pytestmark = pytest.mark.django_db(transaction=True)


def _slots(world):
    return list(publish(world.user("teacher_in")).slots.order_by("starts"))


def test_two_parents_booking_one_slot_at_once_get_one_booking(world):
    slot = _slots(world)[0]
    families = [("own_parent", world.student), ("other_parent", world.classmate)]

    def post(i):
        role, child = families[i]
        response = world.client(role).post(
            reverse("meetings:book", args=[slot.pk]), {"student": child.pk}, follow=True
        )
        return response.status_code, response.content.decode()

    outcome = race(post, 2)
    assert outcome.failures == []
    assert [status for status, _ in outcome.results] == [200, 200]
    assert Booking.objects.filter(slot=slot).count() == 1
    refused = [html for _, html in outcome.results if "Ktoś właśnie zarezerwował" in html]
    assert len(refused) == 1


def test_one_parent_booking_two_slots_of_one_session_at_once_gets_one(world):
    first, second = _slots(world)[:2]

    def book(i):
        slot = (first, second)[i]
        return (
            world.client("own_parent")
            .post(reverse("meetings:book", args=[slot.pk]), {"student": world.student.pk})
            .status_code
        )

    outcome = race(book, 2)
    assert outcome.failures == []
    assert outcome.results == [302, 302]
    assert Booking.objects.filter(guardian=world.own_guardian).count() == 1
