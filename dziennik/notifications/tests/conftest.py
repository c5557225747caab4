"""Fixtures of the notification tests."""

from __future__ import annotations

import pytest

from dziennik.notifications.management.commands.vapid_keys import new_pair


@pytest.fixture
def push_settings(settings):
    private, public = new_pair()
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_SUBJECT = "mailto:sekretariat@sp12.example.pl"
    settings.NOTIFICATION_CHANNELS = {
        **settings.NOTIFICATION_CHANNELS,
        "push": settings.PUSH_CHANNEL,
    }
    settings.PUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
    settings.PUSH_ENDPOINT_HTTP = True
    return settings
