"""Reminders 30 and 7 days before a paid plan ends: to the child's family, once each,
however often the task runs; none for a renewed plan."""

from __future__ import annotations

import datetime

from dziennik.notifications.models import Notification
from dziennik.plans.tasks import plans_expiry_remind

from .factories import WINTER, leaflet, paid_purchase

ENDS = datetime.date(2027, 11, 30)  # a purchase activated on WINTER


def _reminded() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(event="plan_expires").values_list("recipient__username", "key")
    )


def test_thirty_and_seven_days_before_the_end_once_each(world):
    purchase = paid_purchase(world, leaflet(world)["single"])
    access = purchase.accesses.get()
    assert access.ends == ENDS
    plans_expiry_remind.call((ENDS - datetime.timedelta(days=31)).isoformat())
    assert _reminded() == []
    for _ in range(2):
        plans_expiry_remind.call((ENDS - datetime.timedelta(days=30)).isoformat())
    key = f"plan-expiry-30:{access.pk}"
    assert _reminded() == [("rodzic-test", key), ("uczen-test", key)]
    plans_expiry_remind.call((ENDS - datetime.timedelta(days=20)).isoformat())
    assert len(_reminded()) == 2
    plans_expiry_remind.call((ENDS - datetime.timedelta(days=7)).isoformat())
    week = f"plan-expiry-7:{access.pk}"
    assert ("rodzic-test", week) in _reminded() and len(_reminded()) == 4
    notification = Notification.objects.filter(key=week).first()
    assert notification.params["day"] == "30.11.2027"
    assert notification.url == "/plan-dostepu/"


def test_a_renewed_plan_is_not_reminded_of(world):
    plans = leaflet(world)
    paid_purchase(world, plans["single"], ref="first")
    paid_purchase(world, plans["single"], day=WINTER + datetime.timedelta(days=300), ref="again")
    plans_expiry_remind.call((ENDS - datetime.timedelta(days=7)).isoformat())
    assert _reminded() == []
