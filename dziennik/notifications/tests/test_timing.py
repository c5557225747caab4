"""Quiet hours, the digest and the person's choices, with a controlled clock (the
rule: ``notifications/timing.py``)."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from dziennik.notifications import events, outbox, services, timing
from dziennik.notifications.models import Delivery, Preferences
from testsupport.smtp import SMTPServer

from .helpers import at, with_addresses

NIGHT = at(23, 30)
MORNING = at(7, 0, day=8)


def _notify(world, key="n:1", *, now, urgent=None, event=events.GRADE_NEW):
    with transaction.atomic():
        services.notify(
            event=event,
            school_id=world.school.pk,
            recipient_ids=[world.user("own_parent").pk],
            key=key,
            params={"subject": "Matematyka", "child": "Zofia", "value": "5"},
            urgent=urgent,
            now=now,
        )


def _deliver(settings, now):
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        outbox.deliver_due(now=now)
    return [r.message["Subject"] for r in server.received]


@pytest.mark.parametrize(
    ("channel", "moment", "due", "held"),
    [
        ("sms", NIGHT, MORNING, "quiet"),
        ("push", NIGHT, MORNING, "quiet"),
        ("sms", at(6, 59), at(7, 0), "quiet"),
        ("sms", at(7, 0), at(7, 0), ""),
        ("sms", at(20, 59), at(20, 59), ""),
        ("push", at(21, 0), MORNING, "quiet"),
        ("email", NIGHT, NIGHT, ""),  # e-mail wakes nobody: sent at night
        ("in_app", NIGHT, NIGHT, ""),
    ],
)
def test_quiet_hours_hold_sms_and_push_until_morning(channel, moment, due, held):
    assert timing.due(channel, Preferences(), urgent=False, now=moment) == (due, held)


def test_urgent_events_bypass_quiet_hours_and_the_digest():
    prefs = Preferences(digest=True, quiet_email=True)
    for channel in ("sms", "push", "email"):
        assert timing.due(channel, prefs, urgent=True, now=NIGHT) == (NIGHT, "")


def test_quiet_hours_of_the_persons_choice_within_a_day():
    prefs = Preferences(quiet_from=datetime.time(13, 0), quiet_until=datetime.time(15, 0))
    assert timing.due("sms", prefs, urgent=False, now=at(14, 0)) == (at(15, 0), "quiet")
    assert timing.due("sms", prefs, urgent=False, now=at(23, 0)) == (at(23, 0), "")


def test_e_mail_held_at_night_only_for_who_asked(world, settings):
    with_addresses(world)
    Preferences.objects.create(user=world.user("own_parent"), quiet_email=True)
    _notify(world, now=NIGHT)
    assert _deliver(settings, NIGHT) == []
    assert _deliver(settings, at(6, 59, day=8)) == []
    assert _deliver(settings, MORNING) == ["Nowa ocena z przedmiotu Matematyka – Zofia"]


def test_an_urgent_event_is_sent_at_night(world, settings):
    with_addresses(world)
    Preferences.objects.create(user=world.user("own_parent"), quiet_email=True)
    _notify(world, now=NIGHT, urgent=True)
    assert _deliver(settings, NIGHT) == ["Nowa ocena z przedmiotu Matematyka – Zofia"]


def test_the_daily_digest_gathers_the_day_in_one_e_mail(world, settings):
    with_addresses(world)
    Preferences.objects.create(user=world.user("own_parent"), digest=True)
    _notify(world, "n:1", now=at(9, 0))
    _notify(world, "n:2", now=at(12, 0))
    assert _deliver(settings, at(17, 59)) == []
    assert _deliver(settings, at(18, 0)) == ["Dziennik: 2 nowe powiadomienia"]
    # the evening's notification waits for tomorrow's digest
    _notify(world, "n:3", now=at(18, 30))
    assert _deliver(settings, at(23, 0)) == []
    assert _deliver(settings, at(18, 0, day=8)) == ["Nowa ocena z przedmiotu Matematyka – Zofia"]


def test_an_event_switched_off_for_e_mail_stays_in_the_register(world, settings):
    with_addresses(world)
    services.preferences_update(
        actor=world.user("own_parent"),
        values={"channels": {events.GRADE_NEW: [events.IN_APP]}},
    )
    _notify(world, now=at(10, 0))
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["in_app"]
    assert _deliver(settings, at(10, 0)) == []


def test_announcements_go_to_the_register_only_unless_chosen(world):
    with_addresses(world)
    _notify(world, now=at(10, 0), event=events.ANNOUNCEMENT)
    services.preferences_update(
        actor=world.user("own_parent"),
        values={"channels": {events.ANNOUNCEMENT: [events.IN_APP, events.EMAIL]}},
    )
    _notify(world, "n:2", now=at(10, 0), event=events.ANNOUNCEMENT)
    assert list(Delivery.objects.order_by("pk").values_list("channel", flat=True)) == [
        "in_app",
        "in_app",
        "email",
    ]


def test_sms_only_where_the_school_allows_it(world, settings):
    settings.NOTIFICATION_CHANNELS = {
        "email": "dziennik.notifications.channels.EmailChannel",
        "sms": "dziennik.notifications.channels.EmailChannel",  # any sender: only who gets it
    }
    with_addresses(world)
    _notify(world, "n:1", now=at(10, 0), event=events.ABSENCE_UNEXCUSED)
    services.sms_switch(
        actor=world.user("principal"), user_id=world.user("own_parent").pk, allowed=True
    )
    _notify(world, "n:2", now=at(10, 0), event=events.ABSENCE_UNEXCUSED)
    channels = list(Delivery.objects.order_by("pk").values_list("channel", flat=True))
    assert channels == ["in_app", "email", "in_app", "email", "sms"]


def test_old_notifications_expire_instead_of_going_late(world, settings):
    with_addresses(world)
    _notify(world, now=at(10, 0))
    Delivery.objects.update(due_at=at(10, 0))
    assert _deliver(settings, at(10, 0, day=15)) == []
    assert list(Delivery.objects.filter(channel="email").values_list("status", flat=True)) == [
        "expired"
    ]
