"""The POST matrices of the notifications: marking one's own read, one's own settings,
the school office's retry of dead letters; refused requests change nothing."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from dziennik.notifications import events, services
from dziennik.notifications.models import Delivery, Notification, Preferences, PushSubscription
from testsupport.push import Device
from testsupport.url_matrix import MATRIX_ROLES, expect

from .helpers import at


def _notify_everyone(world):
    users = [world.user(role) for role in MATRIX_ROLES if world.user(role)]
    with transaction.atomic():
        services.notify(
            event=events.MESSAGE,
            school_id=world.school.pk,
            recipient_ids=[u.pk for u in users],
            key="m:1",
            params={"sender": "Sekretariat"},
        )
    return users


def test_mark_all_read_matrix(world, matrix):
    _notify_everyone(world)
    url = reverse("notifications:mark_all_read")
    expected = dict.fromkeys(MATRIX_ROLES, 302) | {"anonymous": 302}
    matrix.check(url, expected, method="post", data={})
    # each marked their own: nobody is left unread
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_marking_read_touches_only_ones_own(world):
    _notify_everyone(world)
    world.client("own_parent").post(reverse("notifications:mark_all_read"))
    unread = set(
        Notification.objects.filter(read_at__isnull=True).values_list(
            "recipient__username", flat=True
        )
    )
    assert world.user("own_parent").username not in unread
    assert world.user("other_parent").username in unread


def _preferences_data(**extra):
    return {
        "quiet_from": "22:00",
        "quiet_until": "06:30",
        "digest_at": "19:00",
        "digest": "on",
        f"{events.GRADE_NEW}__email": "on",
        **extra,
    }


def test_preferences_matrix(world, matrix):
    url = reverse("notifications:preferences")
    expected = dict.fromkeys(MATRIX_ROLES, 302) | {"anonymous": 302}
    matrix.check(url, expected, method="post", data=_preferences_data())
    saved = Preferences.objects.get(user=world.user("own_parent"))
    assert (saved.quiet_until.isoformat(), saved.digest, saved.sms_allowed) == (
        "06:30:00",
        True,
        False,
    )
    assert saved.channels[events.GRADE_NEW] == ["in_app", "email"]
    assert saved.channels[events.BEHAVIOUR_NOTE] == ["in_app"]
    # one row per person: everyone saved only their own
    assert Preferences.objects.count() == len([r for r in MATRIX_ROLES if world.user(r)])


def test_a_person_cannot_switch_sms_on_for_themself(world):
    client = world.client("own_parent")
    client.post(reverse("notifications:preferences"), _preferences_data(sms_allowed="on"))
    assert Preferences.objects.get(user=world.user("own_parent")).sms_allowed is False


def test_bad_preferences_save_nothing_and_say_why(world):
    client = world.client("own_parent")
    response = client.post(
        reverse("notifications:preferences"), _preferences_data(quiet_from="25:99")
    )
    assert response.status_code == 400
    assert "Wpisz poprawną godzinę" in response.content.decode()
    assert not Preferences.objects.exists()


def test_a_stale_preferences_form_is_refused(world):
    client = world.client("own_parent")
    url = reverse("notifications:preferences")
    client.post(url, _preferences_data(version="0"))
    response = client.post(url, _preferences_data(version="0", digest_at="20:00"))
    assert response.status_code == 400
    assert "w międzyczasie" in response.content.decode()
    assert Preferences.objects.get().digest_at.isoformat() == "19:00:00"


def _failed(world):
    parent = world.user("own_parent")
    _notify_everyone(world)
    return Delivery.objects.create(
        notification=Notification.objects.get(recipient=parent),
        school=world.school,
        recipient=parent,
        channel="email",
        status="failed",
        due_at=at(10, 0),
        attempts=10,
        last_error="SMTPServerDisconnected",
    )


def test_retry_matrix(world, matrix):
    delivery = _failed(world)
    url = reverse("notifications:dead_letters")
    expected = expect(404, principal=302, other_principal=302, secretary=302)
    refused = [r for r, s in expected.items() if s != 302 or r == "other_principal"]

    def state():
        return list(Delivery.objects.filter(channel="email").values_list("status", "attempts"))

    matrix.check(
        url, expected, method="post", data={"delivery": [delivery.pk]}, state=state, roles=refused
    )
    assert state() == [("failed", 10)]
    matrix.check(
        url, expected, method="post", data={"delivery": [delivery.pk]}, roles=["secretary"]
    )
    assert state() == [("queued", 0)]


def _device(user, name: str):
    device = Device()
    return services.push_subscribe(
        actor=user,
        endpoint=f"https://fcm.googleapis.com/fcm/send/{name}",
        p256dh=device.p256dh,
        auth=device.auth_secret,
        label=name,
    )


def test_push_subscribe_matrix(world, matrix):
    """Everyone may subscribe their own browser; a body that is no subscription is a
    clear 400 that stores nothing."""
    url = reverse("notifications:push_subscribe")
    expected = dict.fromkeys(MATRIX_ROLES, 400) | {"anonymous": 302}
    results = matrix.check(
        url, expected, method="post", data={}, state=lambda: PushSubscription.objects.count()
    )
    assert "subskrypcji" in results["own_parent"].content.decode()
    assert not PushSubscription.objects.exists()


def test_push_unsubscribe_matrix(world, matrix):
    """Only one's own device: another person's is the same 404 as a missing one."""
    mine = _device(world.user("own_parent"), "anna")
    _device(world.user("other_parent"), "marek")
    url = reverse("notifications:push_unsubscribe")
    expected = expect(404, own_parent=302)

    def state():
        return sorted(PushSubscription.objects.values_list("label", flat=True))

    refused = [role for role in expected if role != "own_parent"]
    matrix.check(
        url, expected, method="post", data={"subscription": mine.pk}, state=state, roles=refused
    )
    assert state() == ["anna", "marek"]
    matrix.check(url, expected, method="post", data={"subscription": mine.pk}, roles=["own_parent"])
    assert state() == ["marek"]
