"""The mail server goes away in the middle of a batch: nothing is lost, nothing is sent
twice, and what keeps failing lands on the dead-letter list the school office retries."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse

from dziennik.accounts.tests.factories import UserFactory
from dziennik.notifications import events, outbox, services
from dziennik.notifications.models import Delivery, Notification
from testsupport.faults import free_port
from testsupport.smtp import SMTPServer

from .helpers import at

PEOPLE = 60


def _people(world, count=PEOPLE):
    users = [
        UserFactory(username=f"rodzic-{i}", school=world.school, email=f"rodzic{i}@example.pl")
        for i in range(count)
    ]
    with transaction.atomic():
        services.notify(
            event=events.MESSAGE,
            school_id=world.school.pk,
            recipient_ids=[u.pk for u in users],
            key="announcement:outage",
            params={"sender": "Dyrektor"},
            urgent=True,
            now=at(10, 0),
        )
    return users


def _stopping_clock(server, after: int, moment):
    """The worker reads the clock once per message: after ``after`` messages the server
    is shut down under it."""
    calls = {"n": 0}

    def clock():
        calls["n"] += 1
        if calls["n"] == after + 2:  # the first call is the run's expiry check
            server.__exit__(None, None, None)
        return moment

    return clock


def test_smtp_down_mid_batch_then_back_delivers_every_message_once(world, settings):
    settings.NOTIFICATION_CHANNELS = {"email": "dziennik.notifications.channels.EmailChannel"}
    users = _people(world)
    port = free_port()
    first = SMTPServer(port).__enter__()
    settings.MAILERS = first.mailers()
    run = outbox.deliver_due(clock=_stopping_clock(first, 20, at(10, 0)))
    assert len(first.received) == 20
    assert run.outages == {"email"}
    waiting = Delivery.objects.filter(status="queued", channel="email")
    assert waiting.count() == PEOPLE - 20
    # the message the outage hit waits its back-off; the rest were not tried (the channel
    # rests for the run instead of failing them all)
    assert sorted(d.attempts for d in waiting) == [0] * (PEOPLE - 21) + [1]
    assert "ConnectionResetError" in waiting.get(attempts=1).last_error or waiting.get(
        attempts=1
    ).last_error.startswith("SMTP")
    # while it is down, each run tries one message and rests again
    run = outbox.deliver_due(now=at(10, 0) + datetime.timedelta(seconds=30))
    assert (run.messages, run.outages) == (1, {"email"})
    assert waiting.count() == PEOPLE - 20
    # the server is back on its port
    with SMTPServer(port) as again:
        outbox.deliver_due(now=at(10, 10))
    received = [r.recipients[0] for r in first.received + again.received]
    assert sorted(received) == sorted(u.email for u in users)
    assert len(set(received)) == PEOPLE
    assert set(Delivery.objects.filter(channel="email").values_list("status", flat=True)) == {
        "sent"
    }


def test_what_keeps_failing_is_dead_lettered_and_retried_by_the_office(world, settings):
    _people(world, 3)
    Notification.objects.update(expires_at=at(10, 0) + datetime.timedelta(days=30))
    settings.MAILERS = {  # nobody listens on the port
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    moment = at(10, 0)
    for _ in range(3 * outbox.MAX_ATTEMPTS):  # a run tries one message, then rests
        outbox.deliver_due(now=moment)
        moment += outbox.BACKOFF_LONGEST
    emails = Delivery.objects.filter(channel="email").order_by("pk")
    assert list(emails.values_list("status", flat=True)) == ["failed"] * 3
    principal = world.client("principal")
    page = principal.get(reverse("notifications:dead_letters")).content.decode()
    assert page.count('name="delivery"') == 3
    assert "ConnectionRefusedError" in page
    ids = list(emails.values_list("pk", flat=True))
    response = principal.post(reverse("notifications:dead_letters"), {"delivery": ids[:2]})
    assert response.status_code == 302
    assert sorted(emails.values_list("status", flat=True)) == [
        "failed",
        "queued",
        "queued",
    ]
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        outbox.deliver_due(now=moment + datetime.timedelta(minutes=1))
    assert len(server.received) == 2


def test_backoff_doubles_up_to_six_hours():
    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert outbox.backoff(30) == datetime.timedelta(hours=6)
