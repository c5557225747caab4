"""The mailbox pages make a fixed number of queries, however many messages, recipients
and attachments (pinned on the cold path: the cache emptied first)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dziennik.messaging.models import Attachment, Delivery, Message, Thread

# A parent's inbox: the session and user, the viewer, the nav, the page's rows and count.
INBOX_QUERIES = 13
SENT_QUERIES = 12
THREAD_QUERIES = 17


def _mail(world, count: int, recipients=None):
    """``count`` messages from the class teacher (each with an attachment) in the inbox
    of each of ``recipients`` (Zofia's mother by default)."""
    recipients = recipients or [world.user("own_parent")]
    sender = world.user("class_teacher")
    thread = Thread.objects.create(school=world.school, subject="Zebranie", started_by=sender)
    messages = Message.objects.bulk_create(
        Message(
            school=world.school,
            thread=thread,
            sender=sender,
            body=f"Treść {n}",
            fanned_out_at=timezone.now(),
        )
        for n in range(count)
    )
    Delivery.objects.bulk_create(
        Delivery(message=m, recipient=r) for m in messages for r in recipients
    )
    Attachment.objects.bulk_create(
        Attachment(
            school=world.school,
            message=m,
            token=f"t{m.pk}",
            file=f"messages/x/t{m.pk}",
            name="plan.pdf",
            kind="pdf",
            size=10,
        )
        for m in messages
    )
    return thread


@pytest.mark.parametrize("count", [1, 500])
def test_the_inbox_makes_the_same_queries_for_1_and_500_messages(
    world, django_assert_num_queries, count
):
    _mail(world, count)
    client = world.client("own_parent")
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(reverse("messaging:inbox"))
    assert response.content.decode().count("Zebranie") == min(count, 50)


@pytest.mark.parametrize("count", [1, 500])
def test_the_sent_folder_makes_the_same_queries(world, django_assert_num_queries, count):
    parents = [world.user("own_parent"), world.user("other_parent")]
    _mail(world, count, parents)
    client = world.client("class_teacher")
    with django_assert_num_queries(SENT_QUERIES):
        response = client.get(reverse("messaging:sent"))
    assert response.status_code == 200
    assert response.content.decode().count("0 / 2") == min(count, 50)


@pytest.mark.parametrize("count", [1, 60])
def test_a_thread_makes_the_same_queries_whatever_its_length_and_recipients(
    world, django_assert_num_queries, count
):
    thread = _mail(world, count, [world.user("own_parent"), world.user("other_parent")])
    client = world.client("class_teacher")
    with django_assert_num_queries(THREAD_QUERIES):
        response = client.get(reverse("messaging:thread", args=[thread.pk]))
    assert response.content.decode().count("Przeczytało 0 z 2") == count


def test_a_message_to_a_large_group_only_queues_its_fan_out_in_the_request(
    world, django_capture_on_commit_callbacks
):
    """The sender's request writes the message and queues the fan-out; the deliveries
    are made after it (in the background)."""
    client = world.client("principal")
    data = {"groups": ["school_parents"], "subject": "Dzień otwarty", "body": "Zapraszamy."}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("messaging:compose"), data)
    assert response.status_code == 302
    message = Message.objects.get()
    assert not message.deliveries.exists() and len(callbacks) >= 1
