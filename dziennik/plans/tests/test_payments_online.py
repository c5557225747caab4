"""Paying online against a local operator speaking PayU's REST API: one activation for
three notifications, out-of-order notifications, bad signatures, abandoned orders,
timeouts, the status check on the return page, refunds, and the history."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.plans.models import Access, Channel, OnlineOrder, Payment, Purchase
from dziennik.plans.operators.base import OperatorTimeout
from dziennik.plans.payments import online

from .payments_support import leaflet, operator

NOTIFY = reverse("payments:operator_notify")


@pytest.fixture
def plans(world):
    return leaflet(world)


def _start(world, plans, client=None):
    """The parent buys the single package online through the page; the answer (the
    operator's redirect)."""
    client = client or world.client("own_parent")
    response = client.post(
        reverse("payments:start"),
        {"package": plans["single"].pk, "students": [world.student.pk], "channel": "online"},
    )
    return response


def _post(client, server, order_id, status, **kwargs):
    body, headers = server.notification(order_id, status, **kwargs)
    return client.post(
        NOTIFY,
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_a_paid_order_activates_the_family_once_for_three_notifications(
    world, plans, settings, client
):
    with operator(settings) as server:
        response = _start(world, plans)
        order = OnlineOrder.objects.get()
        assert response.status_code == 302
        assert response["Location"] == order.redirect_uri
        assert response["Location"].startswith(server.url + "/pay/")
        sent = server.orders[order.order_id]
        assert sent["totalAmount"] == "2200"
        assert sent["notifyUrl"].endswith(NOTIFY)
        assert sent["extOrderId"] == order.ext_order_id
        assert order.ext_order_id.startswith(order.purchase.title + "-")
        for _attempt in range(3):
            assert _post(client, server, order.order_id, "COMPLETED").status_code == 200
    purchase = Purchase.objects.get()
    assert purchase.status == Purchase.Status.PAID
    payment = Payment.objects.get()
    assert (payment.channel, payment.amount, payment.external_ref) == (
        Channel.ONLINE,
        purchase.amount,
        order.order_id,
    )
    assert payment.recorded_by is None
    access = Access.objects.get()
    assert access.student == world.student
    order.refresh_from_db()
    assert order.status == OnlineOrder.Status.COMPLETED
    # In the history: the order, its status, the payment, the purchase paid, the access.
    kinds = set(AuditEntry.objects.values_list("content_type__model", "action"))
    assert {
        ("onlineorder", "create"),
        ("onlineorder", "update"),
        ("payment", "create"),
        ("purchase", "update"),
        ("access", "create"),
    } <= kinds


def test_out_of_order_notifications_leave_a_completed_order_completed(
    world, plans, settings, client
):
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        assert _post(client, server, order.order_id, "COMPLETED").status_code == 200
        assert _post(client, server, order.order_id, "PENDING").status_code == 200
        assert _post(client, server, order.order_id, "WAITING_FOR_CONFIRMATION").status_code == 200
        assert _post(client, server, order.order_id, "CANCELED").status_code == 200
    order.refresh_from_db()
    assert order.status == OnlineOrder.Status.COMPLETED
    assert Purchase.objects.get().status == Purchase.Status.PAID
    assert Payment.objects.count() == 1
    assert Access.objects.count() == 1


def test_pending_then_completed_moves_forward(world, plans, settings, client):
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        _post(client, server, order.order_id, "PENDING")
        order.refresh_from_db()
        assert order.status == OnlineOrder.Status.PENDING
        assert Payment.objects.count() == 0
        _post(client, server, order.order_id, "COMPLETED", algorithm="SHA-256")
    assert Purchase.objects.get().status == Purchase.Status.PAID


def test_a_bad_signature_answers_400_and_changes_nothing(world, plans, settings, client):
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        entries = AuditEntry.objects.count()
        response = _post(client, server, order.order_id, "COMPLETED", bad_signature=True)
        assert response.status_code == 400
        body, headers = server.notification(order.order_id, "COMPLETED")
        unsigned = client.post(NOTIFY, data=body, content_type="application/json")
        assert unsigned.status_code == 400
        tampered = body.replace(b'"2200"', b'"1"')
        forged = client.post(
            NOTIFY, data=tampered, content_type="application/json", headers=headers
        )
        assert forged.status_code == 400
    order.refresh_from_db()
    assert order.status == OnlineOrder.Status.NEW
    assert Payment.objects.count() == 0
    assert Access.objects.count() == 0
    assert Purchase.objects.get().status == Purchase.Status.PENDING
    assert AuditEntry.objects.count() == entries


def test_an_abandoned_order_activates_nothing_and_cancels_the_purchase(
    world, plans, settings, client
):
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        assert _post(client, server, order.order_id, "CANCELED").status_code == 200
        # A late COMPLETED of a cancelled order changes nothing.
        assert _post(client, server, order.order_id, "COMPLETED").status_code == 200
    assert Purchase.objects.get().status == Purchase.Status.CANCELLED
    assert Payment.objects.count() == 0
    assert Access.objects.count() == 0


def test_a_timeout_gives_a_clear_message_and_loses_nothing(world, plans, settings):
    with operator(settings, delay=1.5) as server:
        settings.PAYMENT_OPERATOR = server.config(timeout=0.3)
        client = world.client("own_parent")
        response = _start(world, plans, client)
        purchase = Purchase.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("payments:purchase", args=[purchase.pk])
        assert purchase.status == Purchase.Status.PENDING
        assert OnlineOrder.objects.count() == 0
        page = client.get(response["Location"])
        assert "nie odpowiedział" in page.text
        assert 'action="{}"'.format(reverse("payments:pay_online", args=[purchase.pk])) in page.text
        server.delay = 0
        again = client.post(reverse("payments:pay_online", args=[purchase.pk]))
    order = OnlineOrder.objects.get()
    assert again["Location"] == order.redirect_uri
    assert Purchase.objects.count() == 1


def test_an_order_lost_in_a_timeout_is_still_found_by_its_title(world, plans, settings, client):
    """The operator made the order but our request timed out: its notification names
    our payment title in extOrderId, so the payment is not lost."""
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        OnlineOrder.objects.all().delete()  # as if we never heard the operator's answer
        assert _post(client, server, order.order_id, "COMPLETED").status_code == 200
    assert Purchase.objects.get().status == Purchase.Status.PAID
    assert OnlineOrder.objects.get().order_id == order.order_id


def test_a_notification_about_no_order_of_ours_is_refused(world, plans, settings, client):
    with operator(settings):
        response = client.post(NOTIFY, data=b'{"order": {}}', content_type="application/json")
        assert response.status_code == 400
        assert client.get(NOTIFY).status_code == 405


def test_the_return_page_asks_the_operator_before_the_notification(world, plans, settings):
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        client = world.client("own_parent")
        page = client.get(reverse("payments:purchase", args=[order.purchase_id]))
        assert page.status_code == 200
        assert Purchase.objects.get().status == Purchase.Status.PENDING
        server.orders[order.order_id]["status"] = "COMPLETED"
        page = client.get(reverse("payments:purchase", args=[order.purchase_id]))
        assert page.status_code == 200
        assert ("GET", f"/api/v2_1/orders/{order.order_id}", b"") in server.requests
    assert Purchase.objects.get().status == Purchase.Status.PAID
    assert Access.objects.count() == 1
    assert str(Purchase.Status.PAID.label) in page.text


def test_the_sibling_package_cannot_be_bought_online(world, plans, settings):
    with operator(settings) as server:
        response = world.client("own_parent").post(
            reverse("payments:start"),
            {"package": plans["siblings"].pk, "students": [world.student.pk], "channel": "online"},
        )
        assert response.status_code == 400
        assert server.orders == {}
    assert Purchase.objects.count() == 0


def test_the_office_refunds_a_paid_order_through_the_operator(world, plans, settings, client):
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        _post(client, server, order.order_id, "COMPLETED")
        refused = world.client("own_parent").post(
            reverse("payments:order_refund", args=[order.pk]), {"amount": "22.00"}
        )
        assert refused.status_code == 404
        office = world.client("secretary")
        response = office.post(reverse("payments:order_refund", args=[order.pk]), {"amount": ""})
        assert response.status_code == 302
        assert len(server.refunds) == 1
        assert server.refunds[0][1]["amount"] == "2200"
        # The same refund asked again is not paid twice.
        office.post(reverse("payments:order_refund", args=[order.pk]), {"amount": ""})
        assert len(server.refunds) == 1
    purchase = Purchase.objects.get()
    assert purchase.status == Purchase.Status.REFUNDED
    refund = Payment.objects.get(amount__lt=0)
    assert refund.amount == -purchase.amount
    assert refund.recorded_by == world.user("secretary")


def test_a_refund_the_operator_does_not_answer_records_nothing(world, plans, settings, client):
    with operator(settings) as server:
        _start(world, plans)
        order = OnlineOrder.objects.get()
        _post(client, server, order.order_id, "COMPLETED")
        settings.PAYMENT_OPERATOR = server.config(timeout=0.3)
        server.delay = 1.5
        with pytest.raises(OperatorTimeout):
            online.online_refund(actor=world.user("principal"), order=order)
        assert Purchase.objects.get().status == Purchase.Status.PAID
        assert Payment.objects.filter(amount__lt=0).count() == 0
        # The operator made the refund after all; asked again, it is not paid twice.
        time.sleep(1.5)
        server.delay = 0
        online.online_refund(actor=world.user("principal"), order=order)
        assert len(server.refunds) == 1
    assert Purchase.objects.get().status == Purchase.Status.REFUNDED
    assert Payment.objects.filter(amount__lt=0).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_operator_posts_its_notifications_over_http(live_server, settings):
    """The whole way over real HTTP: the operator server posts signed notifications to
    our live callback, three times and out of order."""
    from testsupport.world import build_world

    world = build_world()
    plans = leaflet(world)
    with operator(settings) as server:
        purchase = online.online_payment_start(
            actor=world.user("own_parent"),
            package=plans["single"],
            students=[world.student],
            day=timezone.localdate(),
        )
        order = online.online_order_create(
            actor=world.user("own_parent"),
            purchase=purchase,
            notify_url=live_server.url + NOTIFY,
            continue_url=live_server.url + "/",
            customer_ip="192.0.2.10",
        )
        assert server.notify(order.order_id, "PENDING", bad_signature=True) == 400
        assert server.notify(order.order_id, "COMPLETED") == 200
        assert server.notify(order.order_id, "PENDING") == 200
        assert server.notify(order.order_id, "COMPLETED") == 200
    assert Payment.objects.count() == 1
    assert Access.objects.filter(student=world.student).count() == 1


ORDERS_PAGE = 8


def test_the_orders_page_costs_the_same_for_many_orders(world, plans, django_assert_num_queries):
    office = world.client("secretary")
    for count in (1, 6):
        while OnlineOrder.objects.count() < count:
            bought = online.online_payment_start(
                actor=world.user("own_parent"),
                package=plans["single"],
                students=[world.student],
                day=timezone.localdate(),
            )
            OnlineOrder.objects.create(
                school=world.school,
                purchase=bought,
                operator="payu",
                order_id=f"ORD{bought.pk}",
                ext_order_id=f"{bought.title}-X",
                amount=bought.amount,
                status=OnlineOrder.Status.COMPLETED,
            )
        office.get(reverse("payments:orders"))  # the office's own caches warm
        with django_assert_num_queries(ORDERS_PAGE):
            page = office.get(reverse("payments:orders"))
        assert page.text.count("<td>ORD") == count
