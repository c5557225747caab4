"""The outbox: notifications are written with the change that caused them, once, and
delivered by the worker exactly once per channel."""

from __future__ import annotations

import pytest
from django.db import transaction

from dziennik.attendance.tests.factories import committed
from dziennik.grades.models import Grade
from dziennik.notifications import events, outbox, services
from dziennik.notifications.models import Delivery, Notification
from dziennik.schools.models import Guardianship
from testsupport.smtp import SMTPServer

from .helpers import column, grade, statuses, with_addresses


class Boom(Exception):
    pass


def test_the_notification_commits_with_the_grade(world):
    with_addresses(world)
    assessment = column(world)
    grade(world, assessment, "5")
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {world.user("student").username, world.user("own_parent").username}
    # in the register at once, by e-mail through the queue
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("email", "queued"),
        ("email", "queued"),
        ("in_app", "delivered"),
        ("in_app", "delivered"),
    ]


def test_the_notification_rolls_back_with_the_grade(world):
    with_addresses(world)
    assessment = column(world)
    with pytest.raises(Boom), transaction.atomic():
        grade(world, assessment, "5")
        assert Notification.objects.count() == 2  # written in the same transaction …
        raise Boom  # … the grade's save fails afterwards
    assert Grade.objects.count() == 0
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused(world):
    with pytest.raises(services.NotInTransaction):
        services.notify(
            event=events.ANNOUNCEMENT,
            school_id=world.school.pk,
            recipient_ids=[world.user("own_parent").pk],
            key="x",
        )


def test_the_same_event_is_stored_once(world):
    parent = world.user("own_parent")
    with transaction.atomic():
        for _ in range(3):
            services.notify(
                event=events.ANNOUNCEMENT,
                school_id=world.school.pk,
                recipient_ids=[parent.pk, parent.pk],
                key="announcement:1",
                params={"title": "Wycieczka"},
            )
    assert Notification.objects.filter(recipient=parent).count() == 1
    assert Delivery.objects.filter(recipient=parent).count() == 1


def test_a_changed_grade_is_a_new_notification_an_unchanged_save_is_not(world):
    assessment = column(world)
    grade(world, assessment, "5")
    grade(world, assessment, "5")  # saved again unchanged
    grade(world, assessment, "3")
    events_stored = sorted(
        Notification.objects.filter(recipient=world.user("own_parent")).values_list(
            "event", flat=True
        )
    )
    assert events_stored == [events.GRADE_CHANGED, events.GRADE_NEW]


def test_a_court_limited_parent_and_another_family_are_not_told(world):
    Guardianship.objects.filter(guardian=world.own_guardian).update(
        access=Guardianship.Access.COURT_LIMITED, court_order_reference="II RC 1/26"
    )
    grade(world, column(world), "5")
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {world.user("student").username}


def test_the_worker_queue_is_filled_after_the_commit_and_delivers(world, settings):
    with_addresses(world)
    assessment = column(world)
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        with committed():  # the on-commit callback queues the (immediate) worker task
            grade(world, assessment, "5")
        assert statuses() == ["sent", "sent"]
        assert sorted(r.recipients[0] for r in server.received) == [
            "anna.wisniewska@example.pl",
            "zofia@example.pl",
        ]


def test_each_delivery_goes_once_though_the_worker_runs_again(world, settings):
    with_addresses(world)
    grade(world, column(world), "5")
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        first = outbox.deliver_due()
        second = outbox.deliver_due()
    assert (first.settled, second.settled) == (2, 0)
    assert len(server.received) == 2
