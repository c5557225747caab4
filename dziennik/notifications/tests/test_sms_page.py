"""The school office's SMS page: this month's messages and parts, the school's choice of
letters (audited), each class's parents with their switch (bulk on/off, audited), a
fixed number of queries whatever their number; and ``manage.py sms_receipts``."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from dziennik.accounts.tests.factories import UserFactory
from dziennik.core.models import AuditEntry
from dziennik.notifications import events, outbox, services
from dziennik.notifications.models import Delivery, Preferences, SmsSettings
from dziennik.schools.tests.factories import (
    EnrolmentFactory,
    GuardianFactory,
    GuardianshipFactory,
    StudentFactory,
)
from testsupport.smpp import SMPPServer
from testsupport.url_matrix import expect

from .helpers import at, sms_on


def _page(world, role="secretary", **query):
    return world.client(role).get(reverse("notifications:sms"), query)


def test_sms_switch_matrix(world, matrix):
    parent = world.user("own_parent")
    url = reverse("notifications:sms") + f"?klasa={world.school_class.pk}"
    expected = expect(404, principal=302, other_principal=302, secretary=302)
    refused = [r for r, s in expected.items() if s != 302 or r == "other_principal"]

    def state():
        return list(Preferences.objects.filter(sms_allowed=True).values_list("user_id"))

    data = {"action": "on", "user": [parent.pk]}
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    assert state() == []
    matrix.check(url, expected, method="post", data=data, roles=["secretary"])
    assert state() == [(parent.pk,)]


def test_bulk_switch_on_and_off_is_recorded(world):
    world.own_guardian.phone = "601 234 567"
    world.own_guardian.save(update_fields=["phone"])
    parents = [world.user("own_parent").pk, world.user("other_parent").pk]
    client = world.client("secretary")
    url = reverse("notifications:sms") + f"?klasa={world.school_class.pk}"
    answer = client.post(url, {"action": "on", "user": parents})
    assert answer.status_code == 302 and answer["Location"] == url
    assert Preferences.objects.filter(sms_allowed=True).count() == 2
    page = client.get(url).content.decode()
    assert "+48601234567" in page
    assert page.count('name="user"') == 2
    assert "Wiśniewska Anna" in page and "Zofia" in page
    client.post(url, {"action": "off", "user": parents[:1]})
    assert list(Preferences.objects.filter(sms_allowed=True).values_list("user_id", flat=True)) == [
        parents[1]
    ]
    entries = AuditEntry.objects.filter(content_type__model="preferences").order_by("pk")
    changes = list(entries.values_list("changes", flat=True))
    assert changes[-3:] == [
        {"sms_allowed": [False, True]},
        {"sms_allowed": [False, True]},
        {"sms_allowed": [True, False]},
    ]
    # nothing chosen: said, nothing changes
    answer = client.post(url, {"action": "on"}, follow=True)
    assert "Wybierz najpierw rodziców" in answer.content.decode()


def test_the_school_chooses_cheaper_sms_and_it_is_recorded(world):
    client = world.client("principal")
    url = reverse("notifications:sms")
    sample = client.get(url).content.decode()
    assert "w UCS-2, części: 1" in sample and "Nieobecność" in sample
    client.post(url, {"action": "settings", "cheap": "1", "version": "0"})
    assert SmsSettings.objects.get(school=world.school).cheap is True
    entry = AuditEntry.objects.filter(content_type__model="smssettings").latest("pk")
    assert entry.changes == {"cheap": [False, True]}
    # a form of an older version is refused, nothing changes
    answer = client.post(url, {"action": "settings", "cheap": "0", "version": "0"}, follow=True)
    assert "zmienione" in answer.content.decode()
    assert SmsSettings.objects.get(school=world.school).cheap is True
    page = _page(world, "principal").content.decode()
    assert 'id="sms-cheap" checked' in page
    assert "w GSM-7, części: 1" in page and "Nieobecnosc" in page


def test_the_month_shows_messages_and_parts(world, settings):
    sms_on(world, settings)
    with transaction.atomic():
        services.notify(
            event=events.MESSAGE, school_id=world.school.pk,
            recipient_ids=[world.user("own_parent").pk], key="m:1",
            params={"sender": "Ż" * 100}, urgent=True,
        )  # fmt: skip
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due()
    page = _page(world).content.decode()
    assert '<dd id="sms-messages">1</dd>' in page
    assert '<dd id="sms-parts">2</dd>' in page
    assert 'id="sms-not-configured"' not in page


def _class_of(world, families: int):
    for i in range(families):
        child = StudentFactory(school=world.school, first_name=f"Dziecko{i}")
        EnrolmentFactory(student=child, school_class=world.school_class, journal_number=10 + i)
        for j in range(2):
            user = UserFactory(username=f"rodzic-sms-{i}-{j}", school=world.school)
            guardian = GuardianFactory(school=world.school, user=user, phone=f"60{i}{j}00000")
            GuardianshipFactory(guardian=guardian, student=child)


@pytest.mark.parametrize("families", [1, 12])
def test_the_parents_list_costs_the_same_whatever_their_number(
    world, families, django_assert_num_queries
):
    _class_of(world, families)
    client = world.client("secretary")
    client.get(reverse("notifications:sms"))  # the session and caches warm
    with django_assert_num_queries(SMS_PAGE_QUERIES):
        page = _page(world, klasa=world.school_class.pk)
    assert page.content.decode().count('name="user"') == 2 + 2 * families


# the gate (plans) asks one query more: the school has no plans here
SMS_PAGE_QUERIES = 37


def test_receipts_on_a_receiver_bind(world, settings):
    sms_on(world, settings)
    with transaction.atomic():
        services.notify(
            event=events.MESSAGE, school_id=world.school.pk,
            recipient_ids=[world.user("own_parent").pk], key="m:1",
            params={"sender": "Sekretariat"}, urgent=True, now=at(10, 0),
        )  # fmt: skip
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=at(10, 0))
        [submit] = smsc.of("submit")
        smsc.receipt(submit["id"], wait=False)  # nobody bound now: to the next bind
        smsc.receipt("unknown-7", stat="UNDELIV", wait=False)
        call_command("sms_receipts", seconds=2, keep=0.5)
        binds = [e["mode"] for e in smsc.of("bind")]
        answered = smsc.of("receipt_sent")
    assert binds == ["transceiver", "receiver"]
    assert {(e["id"], e["mode"], e["status"]) for e in answered} == {
        (submit["id"], "receiver", 0),
        ("unknown-7", "receiver", 0),
    }
    assert Delivery.objects.get(channel="sms").status == "delivered"
