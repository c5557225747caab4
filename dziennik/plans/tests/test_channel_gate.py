"""SMS info and push follow the family's plan (``plans.channel_gate``, registered with the
outbox's fan-out): a basic family gets no SMS, an extended one does, through a real SMSC
(testsupport/smpp.py); the activation switches the family's SMS on and the end of the
access (a later day) off, in the history; staff are never gated; push is gated only
where the school's plans sell it; a fan-out to many families costs a fixed number of
queries."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dziennik.accounts.tests.factories import UserFactory
from dziennik.core.models import AuditEntry
from dziennik.notifications import events, outbox
from dziennik.notifications import services as notifications
from dziennik.notifications.models import Delivery, Preferences, PushSubscription
from dziennik.plans import entitlements, services
from dziennik.plans.channel_gate import PlanChannelGate
from dziennik.plans.models import Plan
from dziennik.plans.services import sms as plan_sms
from dziennik.plans.tasks import plans_accesses_close
from dziennik.schools.tests import factories as sf
from testsupport.smpp import SMPPServer

from .factories import WINTER, leaflet, paid_by_office, paid_purchase, sibling

SMPP = "dziennik.notifications.sms.smpp.SmppChannel"
PUSH = "dziennik.notifications.push.PushChannel"
PHONE = "+48601234567"
NOON = datetime.datetime(2026, 12, 7, 11, 0, tzinfo=datetime.UTC)


@pytest.fixture
def sms_world(world, settings):
    """SMS configured; the world's parent has a mobile number and chose SMS for every
    event; their switch is off (the plan switches it)."""
    settings.NOTIFICATION_CHANNELS = {"sms": SMPP}
    world.own_guardian.phone = "601 234 567"
    world.own_guardian.save(update_fields=["phone"])
    parent = world.user("own_parent")
    notifications.preferences_update(
        actor=parent, values={"channels": {name: ["in_app", "sms"] for name in events.EVENTS}}
    )
    return world


def _tell(world, student, key, *, now=NOON):
    with transaction.atomic():
        return notifications.notify_family(
            event=events.MESSAGE,
            school_id=world.school.pk,
            student_id=student.pk,
            key=key,
            params={"sender": "Wychowawczyni"},
            urgent=True,
            now=now,
        )


def _channels(user, key) -> set[str]:
    return set(
        Delivery.objects.filter(recipient=user, notification__key=key).values_list(
            "channel", flat=True
        )
    )


def _sms_allowed(user) -> bool:
    return Preferences.objects.filter(user=user, sms_allowed=True).exists()


def _switch_history(user) -> list[list]:
    prefs = Preferences.objects.get(user=user)
    return [
        entry.changes["sms_allowed"]
        for entry in AuditEntry.objects.filter(
            content_type__model="preferences", object_id=str(prefs.pk)
        ).order_by("id")
        if "sms_allowed" in entry.changes
    ]


def test_a_basic_family_gets_no_sms_even_with_the_switch_on(sms_world):
    leaflet(sms_world)
    parent = sms_world.user("own_parent")
    notifications.sms_switch(actor=sms_world.user("principal"), user_id=parent.pk, allowed=True)
    _tell(sms_world, sms_world.student, "basic:1")
    assert _channels(parent, "basic:1") == {"in_app"}


def test_a_school_without_plans_keeps_the_offices_switch(sms_world):
    parent = sms_world.user("own_parent")
    notifications.sms_switch(actor=sms_world.user("principal"), user_id=parent.pk, allowed=True)
    _tell(sms_world, sms_world.student, "noplans:1")
    assert _channels(parent, "noplans:1") == {"in_app", "sms"}


def test_activation_switches_sms_on_the_smsc_receives_it_and_the_end_switches_it_off(
    sms_world, settings
):
    plans = leaflet(sms_world)
    parent, student = sms_world.user("own_parent"), sms_world.user("student")
    assert not _sms_allowed(parent)
    purchase = paid_purchase(sms_world, plans["single"], day=WINTER)
    [access] = purchase.accesses.all()
    assert entitlements.SMS in access.entitlements
    assert _sms_allowed(parent) and _sms_allowed(student)
    assert _switch_history(parent) == [[False, True]]

    _tell(sms_world, sms_world.student, "paid:1")
    assert _channels(parent, "paid:1") == {"in_app", "sms"}
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=NOON)
        [message] = smsc.messages()
    assert message.destination == PHONE.lstrip("+")
    assert "Wychowawczyni" in message.text

    # the access's last day: still on; the day after, the worker's task switches it off
    assert plans_accesses_close.call(day=access.ends.isoformat()) == 0
    assert _sms_allowed(parent)
    assert plans_accesses_close.call(day=(access.ends + datetime.timedelta(days=1)).isoformat())
    assert not _sms_allowed(parent) and not _sms_allowed(student)
    assert _switch_history(parent) == [[False, True], [True, False]]
    access.refresh_from_db()
    assert access.closed_on == access.ends + datetime.timedelta(days=1)
    assert AuditEntry.objects.filter(
        content_type__model="access", object_id=str(access.pk), changes__has_key="closed_on"
    ).exists()
    # done once: a second run changes nothing
    assert (
        plans_accesses_close.call(day=(access.ends + datetime.timedelta(days=2)).isoformat()) == 0
    )

    # the office switches it on again: the gate still withholds SMS after the end
    notifications.sms_switch(actor=sms_world.user("principal"), user_id=parent.pk, allowed=True)
    after = datetime.datetime.combine(
        access.ends + datetime.timedelta(days=1), datetime.time(11), tzinfo=datetime.UTC
    )
    _tell(sms_world, sms_world.student, "ended:1", now=after)
    assert _channels(parent, "ended:1") == {"in_app"}


def test_a_refund_switches_sms_off(sms_world):
    plans = leaflet(sms_world)
    parent = sms_world.user("own_parent")
    purchase = paid_purchase(sms_world, plans["single"], day=WINTER)
    assert _sms_allowed(parent)
    services.refund_record(
        actor=sms_world.user("secretary"),
        purchase=purchase,
        amount=purchase.amount,
        external_ref="refund-1",
        received_on=WINTER + datetime.timedelta(days=3),
    )
    assert not _sms_allowed(parent)
    assert _switch_history(parent) == [[False, True], [True, False]]


def test_a_renewal_or_a_siblings_access_keeps_the_parents_sms(sms_world):
    plans = leaflet(sms_world)
    brother = sibling(sms_world)
    parent = sms_world.user("own_parent")
    first = paid_purchase(sms_world, plans["single"], day=WINTER)
    paid_purchase(
        sms_world, plans["single"], [brother], day=WINTER + datetime.timedelta(days=40), ref="ref-2"
    )
    [access] = first.accesses.all()
    # Zofia's access ends; Jan's goes on: the mother's SMS stays, about Jan only
    assert plan_sms.accesses_close(today=access.ends + datetime.timedelta(days=1)) == 1
    assert _sms_allowed(parent)
    later = datetime.datetime.combine(
        access.ends + datetime.timedelta(days=2), datetime.time(11), tzinfo=datetime.UTC
    )
    _tell(sms_world, sms_world.student, "zofia:1", now=later)
    _tell(sms_world, brother, "jan:1", now=later)
    assert _channels(parent, "zofia:1") == {"in_app"}
    assert _channels(parent, "jan:1") == {"in_app", "sms"}
    # a message about no child: SMS while any child's plan includes it
    with transaction.atomic():
        notifications.notify(
            event=events.MESSAGE,
            school_id=sms_world.school.pk,
            recipient_ids=[parent.pk],
            key="message:1",
            params={"sender": "Dyrektor"},
            urgent=True,
            now=later,
        )
    assert _channels(parent, "message:1") == {"in_app", "sms"}


def test_staff_are_never_gated_even_as_parents(sms_world):
    leaflet(sms_world)
    teacher = sms_world.user("teacher_in")
    guardian = sf.GuardianFactory(school=sms_world.school, user=teacher, phone="602 345 678")
    sf.GuardianshipFactory(guardian=guardian, student=sms_world.classmate)
    notifications.sms_switch(actor=sms_world.user("principal"), user_id=teacher.pk, allowed=True)
    notifications.preferences_update(
        actor=teacher, values={"channels": {name: ["in_app", "sms"] for name in events.EVENTS}}
    )
    _tell(sms_world, sms_world.classmate, "staff:1")
    assert _channels(teacher, "staff:1") == {"in_app", "sms"}


def _subscribe(user):
    PushSubscription.objects.create(
        user=user,
        endpoint=f"https://fcm.googleapis.com/fcm/send/{user.pk}",
        p256dh="x",
        auth="y",
        created_at=NOON,
    )


def test_push_is_gated_only_where_the_schools_plans_sell_it(world, settings):
    settings.NOTIFICATION_CHANNELS = {"push": PUSH}
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = "set"
    parent = world.user("own_parent")
    _subscribe(parent)
    notifications.preferences_update(
        actor=parent, values={"channels": {name: ["in_app", "push"] for name in events.EVENTS}}
    )
    plans = leaflet(world)  # the leaflet sells push in the extended plan only
    _tell(world, world.student, "push:1")
    assert _channels(parent, "push:1") == {"in_app"}
    # the school makes push free: the free plan includes it (configuration data)
    basic = plans["basic"]
    basic.entitlements = sorted({*basic.entitlements, entitlements.PUSH})
    basic.save(update_fields=["entitlements"])
    _tell(world, world.student, "push:2")
    assert _channels(parent, "push:2") == {"in_app", "push"}
    # and where no plan sells it at all, push is not gated either
    Plan.objects.filter(pk=plans["extended"].pk).update(entitlements=["grades"])
    basic.entitlements = ["grades"]
    basic.save(update_fields=["entitlements"])
    _tell(world, world.student, "push:3")
    assert _channels(parent, "push:3") == {"in_app", "push"}


def _families(world, count):
    """``count`` students, each with a parent with a mobile number and SMS switched on."""
    students = []
    for number in range(count):
        child = sf.StudentFactory(school=world.school)
        sf.EnrolmentFactory(
            student=child,
            school_class=world.school_class,
            journal_number=100 + Preferences.objects.count(),
        )
        guardian = sf.GuardianFactory(
            school=world.school,
            user=UserFactory(school=world.school),
            phone="601 000 00" + str(number % 10),
        )
        sf.GuardianshipFactory(guardian=guardian, student=child)
        Preferences.objects.create(
            user_id=guardian.user_id, sms_allowed=True, channels={events.MESSAGE: ["in_app", "sms"]}
        )
        students.append(child)
    return students


def _fan_out_queries(world, students, key) -> tuple[int, int]:
    items = [notifications.About(s.pk, f"{key}:{s.pk}", {"sender": "Dyrektor"}) for s in students]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        notifications.notify_families(
            event=events.MESSAGE, school_id=world.school.pk, items=items, urgent=True, now=NOON
        )
    sms = Delivery.objects.filter(notification__key__startswith=key, channel="sms").count()
    return len(queries), sms


def test_a_fan_out_to_many_families_costs_a_fixed_number_of_queries(sms_world):
    plans = leaflet(sms_world)
    few, many = _families(sms_world, 2), _families(sms_world, 12)
    for child in (few[0], many[0]):  # one paying family in each fan-out
        paid_by_office(sms_world, plans["single"], child, ref=f"office-{child.pk}")
    _fan_out_queries(sms_world, few, "warm")  # the school's plan rules, cached warm after
    notify_few, sms_few = _fan_out_queries(sms_world, few, "few")
    notify_many, sms_many = _fan_out_queries(sms_world, many, "many")
    assert (sms_few, sms_many) == (1, 1)  # only the paying family's parent
    # pinned: the outbox's 7 with SMS configured, the gate's 4, the savepoint's 2
    assert (notify_few, notify_many) == (13, 13)


WARSAW = ZoneInfo("Europe/Warsaw")


def _evening(day: datetime.date) -> datetime.datetime:
    """22:00 in Warsaw: within the default quiet hours (21:00–7:00)."""
    return datetime.datetime.combine(day, datetime.time(22), tzinfo=WARSAW)


def _morning(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=WARSAW)


def _held(world, student, key, *, day):
    """An SMS about ``student`` written at 22:00 on ``day``: held until 7:00."""
    with transaction.atomic():
        notifications.notify_family(
            event=events.MESSAGE,
            school_id=world.school.pk,
            student_id=student.pk,
            key=key,
            params={"sender": f"Wychowawczyni {student.first_name}a"},
            urgent=False,
            now=_evening(day),
        )
    sms = Delivery.objects.get(notification__key=key, channel="sms")
    assert sms.status == "queued" and sms.held
    return sms


def test_a_held_sms_is_not_sent_after_the_access_expired(sms_world, settings):
    plans = leaflet(sms_world)
    [access] = paid_purchase(sms_world, plans["single"], day=WINTER).accesses.all()
    # written on the access's last evening, due the next morning
    sms = _held(sms_world, sms_world.student, "late:1", day=access.ends)
    the_day_after = access.ends + datetime.timedelta(days=1)
    assert plans_accesses_close.call(day=the_day_after.isoformat()) == 1
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        run = outbox.deliver_due(now=_morning(the_day_after))
        assert smsc.messages() == [] and smsc.of("submit") == []
    assert (run.withheld, run.messages) == (1, 0)
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.WITHHELD
    assert sms.last_error == PlanChannelGate.delivery_reason
    assert sms.attempts == 0 and sms.sent_at is None
    # the in-app notification stays, and a second run sends nothing either
    assert _channels(sms_world.user("own_parent"), "late:1") == {"in_app", "sms"}
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        assert outbox.deliver_due(now=_morning(the_day_after)).settled == 0
        assert smsc.messages() == []
    # the office's SMS page counts it as not sent because of the plan
    page = sms_world.client("secretary").get(reverse("notifications:sms"))
    assert '<dd id="sms-withheld">1</dd>' in page.content.decode()


def test_a_held_sms_is_not_sent_after_a_refund(sms_world, settings):
    plans = leaflet(sms_world)
    purchase = paid_purchase(sms_world, plans["single"], day=WINTER)
    evening = WINTER + datetime.timedelta(days=5)
    sms = _held(sms_world, sms_world.student, "refund:1", day=evening)
    next_day = evening + datetime.timedelta(days=1)
    services.refund_record(
        actor=sms_world.user("secretary"),
        purchase=purchase,
        amount=purchase.amount,
        external_ref="refund-held",
        received_on=next_day,
    )
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=_morning(next_day))
        assert smsc.of("submit") == []
    sms.refresh_from_db()
    assert (sms.status, sms.last_error) == ("withheld", PlanChannelGate.delivery_reason)


def test_a_held_sms_goes_out_while_the_access_is_valid(sms_world, settings):
    plans = leaflet(sms_world)
    paid_purchase(sms_world, plans["single"], day=WINTER)
    evening = WINTER + datetime.timedelta(days=5)
    sms = _held(sms_world, sms_world.student, "valid:1", day=evening)
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        run = outbox.deliver_due(now=_morning(evening + datetime.timedelta(days=1)))
        [message] = smsc.messages()
    assert (run.withheld, run.messages) == (0, 1)
    assert message.destination == PHONE.lstrip("+") and "Wychowawczyni" in message.text
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT and sms.last_error == ""


def test_when_due_the_gate_asks_about_the_child_the_sms_is_about(sms_world, settings):
    """Zofia's access ends, Jan's goes on: of two SMS held overnight, the one about
    Zofia is withheld and the one about Jan is sent (one message)."""
    plans = leaflet(sms_world)
    brother = sibling(sms_world)
    [access] = paid_purchase(sms_world, plans["single"], day=WINTER).accesses.all()
    paid_purchase(
        sms_world, plans["single"], [brother], day=WINTER + datetime.timedelta(days=40), ref="j"
    )
    zofia = _held(sms_world, sms_world.student, "zofia:late", day=access.ends)
    jan = _held(sms_world, brother, "jan:late", day=access.ends)
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=_morning(access.ends + datetime.timedelta(days=1)))
        [message] = smsc.messages()
    assert "Wychowawczyni Jana" in message.text and "Zofia" not in message.text
    zofia.refresh_from_db()
    jan.refresh_from_db()
    assert (zofia.status, jan.status) == ("withheld", "sent")
