"""An announcement shown from a later day tells its readers on that day, once."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dziennik.notices import services
from dziennik.notices.tasks import notices_shown_today
from dziennik.notifications import events
from dziennik.notifications.models import Notification

from .factories import publish


def _told(announcement) -> set[int]:
    return set(
        Notification.objects.filter(
            event=events.ANNOUNCEMENT, key=f"announcement:{announcement.pk}"
        ).values_list("recipient_id", flat=True)
    )


def test_a_scheduled_announcement_is_told_on_its_first_day_once(world):
    today = timezone.localdate()
    later = today + datetime.timedelta(days=3)
    announcement = publish(
        world.user("principal"),
        "Dzień otwarty",
        shown_from=later,
        shown_until=later + datetime.timedelta(days=5),
    )
    assert _told(announcement) == set()
    assert announcement.notified_at is None
    # the days before: nothing
    assert services.announcements_shown_today_notify(today=later - datetime.timedelta(days=1)) == 0
    assert _told(announcement) == set()
    # its first day: every reader, once
    assert services.announcements_shown_today_notify(today=later) == 1
    readers = {world.user(role).pk for role in ("student", "own_parent", "teacher_in")}
    assert readers <= _told(announcement)
    count = Notification.objects.filter(event=events.ANNOUNCEMENT).count()
    announcement.refresh_from_db()
    assert announcement.notified_at is not None
    assert services.announcements_shown_today_notify(today=later) == 0
    assert notices_shown_today.call() == 0  # the task: today is before its first day
    assert Notification.objects.filter(event=events.ANNOUNCEMENT).count() == count


def test_one_shown_today_is_told_at_publication_and_not_again_by_the_task(world):
    announcement = publish(world.user("principal"), "Zebranie")
    told = _told(announcement)
    assert world.user("own_parent").pk in told
    announcement.refresh_from_db()
    assert announcement.notified_at is not None
    assert notices_shown_today.call() == 0
    assert _told(announcement) == told


def test_a_withdrawn_or_ended_one_is_never_told(world):
    today = timezone.localdate()
    later = today + datetime.timedelta(days=2)
    withdrawn = publish(world.user("principal"), "Odwołane", shown_from=later, shown_until=later)
    services.announcement_withdraw(actor=world.user("principal"), announcement=withdrawn)
    missed = publish(world.user("principal"), "Przegapione", shown_from=later, shown_until=later)
    assert services.announcements_shown_today_notify(today=later + datetime.timedelta(days=1)) == 0
    assert _told(withdrawn) == _told(missed) == set()
