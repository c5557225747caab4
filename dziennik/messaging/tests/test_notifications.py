"""A new message tells each of its recipients (and nobody else) who wrote, never what."""

import pytest
from django.db import transaction
from django.urls import reverse

from dziennik.messaging import services
from dziennik.messaging.models import Message
from dziennik.notifications import events
from dziennik.notifications.models import Notification

from .factories import family_in, send


def _told(message) -> set[str]:
    return set(
        Notification.objects.filter(event=events.MESSAGE, key=f"message:{message.pk}").values_list(
            "recipient__username", flat=True
        )
    )


def test_each_recipient_is_told_who_wrote_and_not_what(world):
    message = send(
        world.user("class_teacher"),
        [world.user("own_parent"), world.user("principal")],
        subject="Wywiadówka",
        body="Proszę o kontakt w sprawie ocen Zofii.",
    )
    assert _told(message) == {"rodzic-test", "dyrektor-test"}  # not the sender
    notification = Notification.objects.get(recipient=world.user("own_parent"))
    assert notification.params == {"sender": str(world.user("class_teacher"))}
    assert notification.url == reverse("messaging:thread", args=[message.thread_id])
    assert "Zofii" not in str(notification.params) and "Wywiadówka" not in str(notification.params)


def test_the_members_of_a_group_are_told_when_it_reaches_them(world):
    family_in(world, world.school_class, "rodzic-4a")
    family_in(world, world.other_class, "rodzic-4b", journal_number=1)
    message = send(
        world.user("principal"),
        [world.user("own_parent")],
        groups=[f"class_parents:{world.school_class.pk}"],
    )
    # the parent named and in the group is told once; the parent of 4b not at all
    assert _told(message) == {"rodzic-test", "rodzic-inny", "rodzic-4a"}
    assert Notification.objects.filter(recipient=world.user("own_parent")).count() == 1


def test_a_reply_tells_the_one_it_answers(world):
    first = send(world.user("own_parent"), [world.user("class_teacher")])
    reply = services.message_reply(actor=world.user("class_teacher"), message=first, body="Tak.")
    assert _told(first) == {"wych"}
    assert _told(reply) == {"rodzic-test"}


def test_a_message_that_rolls_back_tells_nobody(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.message_send(
            actor=world.user("class_teacher"),
            subject="Pytanie",
            body="Dzień dobry.",
            recipient_ids=[world.user("own_parent").pk],
        )
        raise RuntimeError("the request fails after the send")
    assert not Message.objects.exists()
    assert not Notification.objects.exists()
