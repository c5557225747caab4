"""SMS over SMPP 3.4 against a real SMSC the test starts (the npm ``smpp`` server,
testsupport/smpp.py): bind, submit_sm as received (Polish letters intact, GSM-7 and
UCS-2, concatenated parts), throttling, a refused number, receipts, and the bar: the
SMSC stopped in the middle of a batch of 1,000 notifications, each delivered exactly
once after it comes back."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import UserFactory
from dziennik.notifications import events, outbox, services
from dziennik.notifications.models import Delivery, Preferences
from dziennik.notifications.sms import encoding
from dziennik.schools.models import Guardian
from dziennik.schools.tests.factories import GuardianFactory
from testsupport.smpp import SMPPServer

from .helpers import OWN_PARENT_PHONE, at, sms_on


def _notify(world, key="n:1", params=None, event=events.MESSAGE, now=None):
    with transaction.atomic():
        services.notify(
            event=event,
            school_id=world.school.pk,
            recipient_ids=[world.user("own_parent").pk],
            key=key,
            params=params or {"sender": "Dyrektor Łucja Żółtowska"},
            urgent=True,
            now=now or at(10, 0),
        )


def _sms():
    return Delivery.objects.filter(channel="sms").order_by("pk")


def test_polish_letters_arrive_intact_as_ucs2_with_a_receipt(world, settings):
    sms_on(world, settings)
    _notify(world)
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        run = outbox.deliver_due(now=at(10, 0))
        [message] = smsc.messages()
        assert run.settled == 1
        assert message.destination == OWN_PARENT_PHONE.lstrip("+")
        assert message.data_coding == encoding.UCS2
        assert "Łucja Żółtowska" in message.text
        assert message.text.startswith("Dziennik: ")
        assert smsc.of("bind")[0]["mode"] == "transceiver"
        [submit] = smsc.of("submit")
        assert submit["registered_delivery"] == 1
        assert submit["source"] == "Dziennik"
        delivery = _sms().get()
        assert (delivery.status, delivery.receipt_id, delivery.parts) == (
            "sent",
            submit["id"],
            1,
        )
        # the SMSC's receipt on a receiver bind (manage.py sms_receipts), and a repeat
        services.delivery_receipt(receipt_id="nobody-knows", delivered=True)
        assert _sms().get().status == "sent"
        assert services.delivery_receipt(receipt_id=submit["id"], delivered=True) == 1
        assert services.delivery_receipt(receipt_id=submit["id"], delivered=True) == 0
        assert _sms().get().status == "delivered"


def test_a_cheap_school_sends_gsm7_and_counts_parts_as_received(world, settings):
    sms_on(world, settings)
    services.sms_settings_update(actor=world.user("principal"), cheap=True)
    long_name = "Źdźbło " + "ą" * 200  # 207 characters: 2 parts in GSM-7, 4 in UCS-2
    _notify(world, params={"sender": long_name})
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=at(10, 0))
        [message] = smsc.messages()
    expected = encoding.transliterate(outbox.compose(list(_sms())).text)
    assert message.data_coding == encoding.GSM7
    assert message.text == expected
    assert "Zdzblo " + "a" * 200 in message.text
    assert message.parts == encoding.segments(expected) == 2
    # only the last part asks for a receipt; its id is the delivery's
    submits = smsc.of("submit")
    assert [s["registered_delivery"] for s in submits] == [0, 1]
    assert [s["esm_class"] & 0x40 for s in submits] == [0x40, 0x40]
    assert _sms().get().receipt_id == submits[-1]["id"]
    assert _sms().get().parts == 2


def test_a_long_polish_text_goes_in_ucs2_parts_of_67(world, settings):
    sms_on(world, settings)
    _notify(world, params={"sender": "Ż" * 150})
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=at(10, 0))
        [message] = smsc.messages()
    assert message.data_coding == encoding.UCS2
    assert "Ż" * 150 in message.text
    assert message.parts == -(-len(message.text) // 67) == 3
    assert _sms().get().parts == 3


def test_throttling_is_retried_with_backoff(world, settings):
    sms_on(world, settings)
    _notify(world)
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        smsc.throttle(1)
        run = outbox.deliver_due(now=at(10, 0))
        assert run.outages == {"sms"}
        delivery = _sms().get()
        assert (delivery.status, delivery.attempts) == ("queued", 1)
        assert "ESME_RTHROTTLED" in delivery.last_error
        assert delivery.due_at == at(10, 1)
        outbox.deliver_due(now=at(10, 1))
        assert len(smsc.messages()) == 1
        assert _sms().get().status == "sent"


def test_a_refused_number_fails_at_once(world, settings):
    sms_on(world, settings)
    _notify(world)
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        smsc.refuse(OWN_PARENT_PHONE)
        outbox.deliver_due(now=at(10, 0))
    delivery = _sms().get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "ESME_RINVDSTADR" in delivery.last_error


def test_receipts_on_the_transceiver_are_recorded_after_the_run(world, settings):
    sms_on(world, settings)
    _notify(world, key="n:1")
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=at(10, 0))
        first = smsc.of("submit")[0]["id"]
        # the SMSC tells of the first message while the next run is bound and sending
        _notify(world, key="n:2", now=at(10, 5))
        sender_class = outbox.channels.configured()["sms"]
        original = sender_class._submit

        def submit_after_receipt(self, item):
            smsc.receipt(first, text_only=True, wait=False)  # read while submitting
            return original(self, item)

        sender_class._submit = submit_after_receipt
        try:
            outbox.deliver_due(now=at(10, 5))
        finally:
            sender_class._submit = original
        answered = smsc.wait(lambda e: e["event"] == "receipt_sent")
    assert (answered["id"], answered["mode"], answered["status"]) == (first, "transceiver", 0)
    assert list(_sms().values_list("status", flat=True)) == ["delivered", "sent"]


def test_a_failure_receipt_puts_the_delivery_on_the_dead_letter_list(world, settings):
    sms_on(world, settings)
    _notify(world)
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        outbox.deliver_due(now=at(10, 0))
        message_id = smsc.of("submit")[0]["id"]
    services.delivery_receipt(receipt_id=message_id, delivered=False, error="UNDELIV err:001")
    delivery = _sms().get()
    assert (delivery.status, delivery.last_error) == ("failed", "UNDELIV err:001")


def test_a_wrong_password_is_an_outage_not_a_loss(world, settings):
    sms_on(world, settings)
    _notify(world)
    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url.replace(":sekret@", ":zle@")
        run = outbox.deliver_due(now=at(10, 0))
        assert smsc.of("bind_refused")
    assert run.outages == {"sms"}
    assert _sms().get().status == "queued"


BATCH = 1000


def _parents(world, count):
    """``count`` parents with mobile numbers and SMS allowed (bulk: this is setup)."""
    users = [UserFactory.build(username=f"sms-{i}", school=world.school) for i in range(count)]
    for user in users:
        user.password = "!"
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="sms-").order_by("pk"))
    Guardian.objects.bulk_create(
        GuardianFactory.build(school=world.school, user=user, phone=f"+48 600 {i:06d}")
        for i, user in enumerate(users)
    )
    chosen = {name: ["in_app", "sms"] for name in events.EVENTS}
    Preferences.objects.bulk_create(
        Preferences(user=user, sms_allowed=True, channels=chosen) for user in users
    )
    return users


def test_smsc_down_mid_batch_of_1000_then_back_delivers_each_exactly_once(world, settings):
    settings.NOTIFICATION_CHANNELS = {"sms": "dziennik.notifications.sms.smpp.SmppChannel"}
    users = _parents(world, BATCH)
    with transaction.atomic():
        services.notify(
            event=events.ANNOUNCEMENT,
            school_id=world.school.pk,
            recipient_ids=[u.pk for u in users],
            key="announcement:storm",
            params={"title": "Szkoła zamknięta – awaria ogrzewania"},
            urgent=True,
            now=at(10, 0),
        )
    assert _sms().count() == BATCH
    smsc = SMPPServer().start()
    settings.SMPP_URL = smsc.url
    calls = {"n": 0}

    def clock():  # the SMSC dies under the worker after 300 messages
        calls["n"] += 1
        if calls["n"] == 300 + 2:
            smsc.stop()
        return at(10, 0)

    run = outbox.deliver_due(clock=clock)
    assert run.outages == {"sms"}
    assert len(smsc.of("submit")) == 300
    assert _sms().filter(status="queued").count() == BATCH - 300
    # while it is down each run probes once and rests
    run = outbox.deliver_due(now=at(10, 0) + datetime.timedelta(seconds=30))
    assert (run.messages, run.outages) == (1, {"sms"})
    smsc.start()  # back, on the same port
    try:
        outbox.deliver_due(now=at(10, 10))
        received = [m.destination for m in smsc.messages()]
    finally:
        smsc.stop()
    expected = sorted(f"48600{i:06d}" for i in range(BATCH))
    assert sorted(received) == expected  # every one, and none twice
    assert set(_sms().values_list("status", flat=True)) == {"sent"}
    assert _sms().exclude(receipt_id="").values("receipt_id").distinct().count() == BATCH


@pytest.mark.parametrize(
    ("channel", "setting", "value", "said"),
    [
        ("dziennik.notifications.sms.smpp.SmppChannel", "SMPP_URL", "", "SMPP_URL must"),
        ("dziennik.notifications.sms.http.HttpSmsChannel", "SMS_HTTP_URL", "", "ValueError"),
    ],
)
def test_a_misconfigured_gateway_holds_the_sms_and_says_why(
    world, settings, channel, setting, value, said
):
    sms_on(world, settings, channel=channel)
    setattr(settings, setting, value)
    _notify(world)
    run = outbox.deliver_due(now=at(10, 0))
    assert run.outages == {"sms"}
    delivery = _sms().get()
    assert delivery.status == "queued"
    assert said in delivery.last_error
