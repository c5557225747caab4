"""Web Push as a local push service receives it: VAPID-signed, encrypted to the device's
keys and decrypted here with http_ece, Polish intact; 410 forgets the subscription, 503
and a service that is down are retried later, at most once per notification."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from dziennik.notifications import events, outbox, services
from dziennik.notifications.models import Delivery, Preferences, PushSubscription
from testsupport.push import Device, PushService

from .helpers import column, grade, statuses

NO_QUIET = {"quiet_from": datetime.time(0, 0), "quiet_until": datetime.time(0, 0)}


def _subscribe(user, service, name, **prefs) -> Device:
    device = Device()
    services.push_subscribe(
        actor=user,
        endpoint=service.endpoint(name),
        p256dh=device.p256dh,
        auth=device.auth_secret,
        label="Chrome, Android",
    )
    Preferences.objects.update_or_create(
        user=user,
        defaults={
            "channels": {events.GRADE_NEW: [events.IN_APP, events.PUSH]},
            **NO_QUIET,
            **prefs,
        },
    )
    return device


def test_a_push_arrives_signed_and_decrypted_with_polish_intact(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        phone = _subscribe(parent, service, "telefon")
        laptop = _subscribe(parent, service, "laptop")
        grade(world, column(world), "5")
        run = outbox.deliver_due()
    assert service.errors == []
    assert sorted(r.path for r in service.received) == ["/wpush/laptop", "/wpush/telefon"]
    notification = Delivery.objects.get(channel="push").notification
    for received, device in zip(
        sorted(service.received, key=lambda r: r.path), (laptop, phone), strict=True
    ):
        # signed by the register's key, for this push service's origin
        assert received.key == push_settings.VAPID_PUBLIC_KEY
        assert received.claims["aud"] == service.origin
        assert received.claims["sub"] == "mailto:sekretariat@sp12.example.pl"
        assert received.headers["content-encoding"] == "aes128gcm"
        assert int(received.headers["ttl"]) == 24 * 3600
        assert len(received.headers["topic"]) == 32
        # encrypted to the device: only its keys read it
        message = device.decrypt(received.body)
        assert message == {
            "title": "Dziennik",
            "body": "Nowa ocena z przedmiotu Matematyka – Zofia",
            "url": f"/powiadomienia/{notification.pk}/",
            "tag": message["tag"],
        }
        assert message["tag"].startswith("dz-")
        with pytest.raises(Exception):  # noqa: B017 (any failure: another device's keys)
            Device().decrypt(received.body)
    assert statuses("push") == ["sent"]
    assert (run.messages, run.settled) == (1, 1)  # one push for both devices
    assert PushSubscription.objects.filter(last_success_at__isnull=True).count() == 0


def test_a_parent_who_chose_details_gets_the_grade_in_the_push(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        device = _subscribe(parent, service, "telefon", details=True)
        grade(world, column(world), "5")
        outbox.deliver_due()
    [received] = service.received
    assert device.decrypt(received.body)["body"] == (
        "Nowa ocena z przedmiotu Matematyka – Zofia – Ocena: 5"
    )


def test_gone_410_forgets_the_subscription(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        _subscribe(parent, service, "stary")
        _subscribe(parent, service, "nowy")
        service.status_for = {"/wpush/stary": 410}
        grade(world, column(world), "5")
        outbox.deliver_due()
    assert statuses("push") == ["sent"]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        service.endpoint("nowy")
    ]


def test_when_every_device_is_gone_the_push_fails_for_good(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        _subscribe(parent, service, "stary")
        service.status = 410
        grade(world, column(world), "5")
        outbox.deliver_due()
    row = Delivery.objects.get(channel="push")
    assert (row.status, row.attempts) == ("failed", 1)
    assert "gone" in row.last_error
    assert not PushSubscription.objects.exists()


def test_503_is_retried_later_and_sent_once(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        device = _subscribe(parent, service, "telefon")
        service.status = 503
        grade(world, column(world), "5")
        first = outbox.deliver_due()
        row = Delivery.objects.get(channel="push")
        assert (row.status, row.attempts, row.last_error) == (
            "queued",
            1,
            "push service answered 503",
        )
        assert "push" in first.outages
        # not due again before its back-off
        assert outbox.deliver_due().messages == 0
        service.status = 201
        outbox.deliver_due(now=row.due_at + datetime.timedelta(seconds=1))
    assert statuses("push") == ["sent"]
    assert [device.decrypt(r.body)["body"] for r in service.received] == [
        "Nowa ocena z przedmiotu Matematyka – Zofia"
    ] * 2  # the refused one and the accepted one: the device got it once
    assert PushSubscription.objects.count() == 1


def test_a_push_service_that_is_down_is_an_outage(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        _subscribe(parent, service, "telefon")
    # the service is stopped: the connection is refused
    grade(world, column(world), "5")
    run = outbox.deliver_due()
    row = Delivery.objects.get(channel="push")
    assert (row.status, row.attempts) == ("queued", 1)
    assert "ConnectionError" in row.last_error
    assert run.outages == {"push"}
    assert PushSubscription.objects.count() == 1


def test_no_push_delivery_for_a_person_without_a_device(world, push_settings):
    Preferences.objects.create(
        user=world.user("own_parent"),
        channels={events.GRADE_NEW: [events.IN_APP, events.PUSH]},
        **NO_QUIET,
    )
    grade(world, column(world), "5")
    assert not Delivery.objects.filter(channel="push").exists()


def test_quiet_hours_hold_a_push(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        _subscribe(parent, service, "telefon", quiet_from=datetime.time(0, 0))
        Preferences.objects.filter(user=parent).update(
            quiet_from=datetime.time(0, 0), quiet_until=datetime.time(23, 59, 59)
        )
        grade(world, column(world), "5")
        outbox.deliver_due()
    assert service.received == []
    assert Delivery.objects.get(channel="push").held == "quiet"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://10.0.0.5/wpush/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://user:pw@fcm.googleapis.com/x",
        "file:///etc/passwd",
    ],
)
def test_only_known_push_services_over_https(world, settings, endpoint):
    device = Device()
    with pytest.raises(services.PushRefused):
        services.push_subscribe(
            actor=world.user("own_parent"),
            endpoint=endpoint,
            p256dh=device.p256dh,
            auth=device.auth_secret,
        )
    assert not PushSubscription.objects.exists()


def test_a_known_push_service_is_accepted(world):
    device = Device()
    services.push_subscribe(
        actor=world.user("own_parent"),
        endpoint="https://fcm.googleapis.com/fcm/send/abc:def",
        p256dh=device.p256dh,
        auth=device.auth_secret,
    )
    assert PushSubscription.objects.get().user == world.user("own_parent")


def test_keys_that_are_not_keys_are_refused(world):
    with pytest.raises(services.PushRefused):
        services.push_subscribe(
            actor=world.user("own_parent"),
            endpoint="https://fcm.googleapis.com/fcm/send/abc",
            p256dh="not-a-key",
            auth="x",
        )


def test_vapid_keys_prints_a_usable_pair(capsys):
    call_command("vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    from py_vapid import Vapid02

    key = Vapid02.from_raw(lines["VAPID_PRIVATE_KEY"].encode())
    headers = key.sign({"sub": "mailto:a@example.pl", "aud": "https://push.example"})
    assert headers["Authorization"].endswith("k=" + lines["VAPID_PUBLIC_KEY"])


def test_the_subscription_endpoints(world, push_settings, client):
    device = Device()
    parent = world.user("own_parent")
    client.force_login(parent)
    url = reverse("notifications:push_subscribe")
    body = {
        "endpoint": "http://127.0.0.1:9/wpush/a",
        "keys": {"p256dh": device.p256dh, "auth": device.auth_secret},
        "label": "Firefox, Linux",
    }
    answer = client.post(url, json.dumps(body), content_type="application/json")
    assert answer.status_code == 201
    row = PushSubscription.objects.get()
    assert (row.user, row.label) == (parent, "Firefox, Linux")
    # bad input: a clear error, nothing stored
    bad = client.post(url, "{", content_type="application/json")
    assert bad.status_code == 400
    assert "error" in bad.json()
    # another person cannot remove it
    other = world.client("other_parent")
    remove = reverse("notifications:push_unsubscribe")
    gone = other.post(remove, json.dumps({"endpoint": body["endpoint"]}), "application/json")
    assert gone.status_code == 404
    assert PushSubscription.objects.count() == 1
    done = client.post(remove, json.dumps({"endpoint": body["endpoint"]}), "application/json")
    assert done.status_code == 204
    assert not PushSubscription.objects.exists()


def test_the_settings_page_offers_push_and_lists_ones_devices(world, push_settings):
    parent = world.user("own_parent")
    with PushService() as service:
        _subscribe(parent, service, "telefon")
    _subscribe(world.user("other_parent"), service, "cudzy")
    page = world.client("own_parent").get(reverse("notifications:preferences")).content.decode()
    assert "Powiadomienia na tym urządzeniu" in page
    assert f'data-push-key="{push_settings.VAPID_PUBLIC_KEY}"' in page
    assert "/static/js/push.js" in page
    assert page.count('name="subscription"') == 1  # her device, not Marek's
    assert "Chrome, Android" in page


def test_without_vapid_keys_there_is_no_push(world, client):
    page = world.client("own_parent").get(reverse("notifications:preferences")).content.decode()
    assert "data-push-key" not in page
    assert "push" not in services.channels.names()
