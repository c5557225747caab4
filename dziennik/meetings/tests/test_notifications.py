"""The parents a meeting concerns are told of it (and nobody else); a change that rolls
back tells nobody."""

import pytest
from django.db import transaction

from dziennik.meetings import services
from dziennik.meetings.models import ClassMeeting
from dziennik.notifications import events
from dziennik.notifications.models import Notification

from .factories import book, call_meeting, publish


def _told(key: str) -> set[str]:
    return set(
        Notification.objects.filter(event=events.MEETING, key=key).values_list(
            "recipient__username", flat=True
        )
    )


def _a_booked_slot(world):
    slot = publish(world.user("teacher_in")).slots.order_by("starts").first()
    booking = book(world.user("own_parent"), slot, world.student)
    book(world.user("other_parent"), publish(world.user("teacher_in"), days=8).slots.first(),
         world.classmate)  # fmt: skip
    return slot, booking


def test_a_teacher_cancelling_a_booked_slot_tells_that_family_only(world):
    slot, booking = _a_booked_slot(world)
    assert not Notification.objects.exists()  # a booking itself tells nobody
    services.slot_cancel(actor=world.user("teacher_in"), slot=slot)
    assert _told(f"booking:{booking.pk}:cancelled") == {"rodzic-test"}
    assert Notification.objects.count() == 1  # not Kacper's father, not the student
    title = Notification.objects.get().params["title"]
    assert "16:00" in title and "odwołane" in title
    # cancelling again tells nobody again
    services.slot_cancel(actor=world.user("teacher_in"), slot=slot)
    assert Notification.objects.count() == 1


def test_a_slot_nobody_booked_tells_nobody(world):
    slot = publish(world.user("teacher_in")).slots.first()
    services.slot_cancel(actor=world.user("teacher_in"), slot=slot)
    assert not Notification.objects.exists()


def test_a_cancellation_that_rolls_back_tells_nobody(world):
    slot, _booking = _a_booked_slot(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.slot_cancel(actor=world.user("teacher_in"), slot=slot)
        raise RuntimeError("the request fails after the cancellation")
    slot.refresh_from_db()
    assert slot.cancelled_at is None
    assert not Notification.objects.exists()


def test_a_class_meeting_tells_the_parents_of_the_class_and_nobody_else(world):
    meeting = call_meeting(world.user("class_teacher"), world.school_class, topic="Oceny Zofii")
    # the parents of 4a (Zofia's mother, Kacper's father); not the students, not 4b
    assert _told(f"class_meeting:{meeting.pk}") == {"rodzic-test", "rodzic-inny"}
    assert Notification.objects.count() == 2
    title = Notification.objects.first().params["title"]
    assert world.school_class.name in title and "17:00" in title
    assert "Zofii" not in title  # the topic stays on the meetings page
    services.class_meeting_cancel(actor=world.user("class_teacher"), meeting=meeting)
    assert _told(f"class_meeting:{meeting.pk}:cancelled") == {"rodzic-test", "rodzic-inny"}


def test_a_class_meeting_that_rolls_back_tells_nobody(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        call_meeting(world.user("class_teacher"), world.school_class)
        raise RuntimeError("the request fails after the meeting is called")
    assert not ClassMeeting.objects.exists()
    assert not Notification.objects.exists()
