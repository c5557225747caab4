"""Screens that follow the family's plan outside the plans app: the notification
settings' SMS column (off, why, the plan page; a POST cannot switch it on), and the 2012
model's home page panels (grades and attendance only from the school's network in
consultation hours; the page cache keeps the two apart, in either order)."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.notifications.tests.helpers import column, grade

from .factories import WINTER, leaflet, paid_purchase
from .test_views import AT_HOME, AT_SCHOOL, _at_school_model

SMPP = "dziennik.notifications.sms.smpp.SmppChannel"
PREFERENCES = "/powiadomienia/ustawienia/"


def _sms_choices(user) -> dict[str, bool]:
    prefs = notifications.preferences_of(user)
    return {
        code: "sms" in prefs.channels.get(code, event.default_channels)
        for code, event in events.EVENTS.items()
    }


def test_the_sms_column_of_a_basic_family_says_why_and_cannot_be_switched_on(world, settings):
    settings.NOTIFICATION_CHANNELS = {"sms": SMPP}
    plans = leaflet(world)
    parent = world.user("own_parent")
    client = world.client("own_parent")
    assert reverse("notifications:preferences") == PREFERENCES
    page = client.get(PREFERENCES)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="withheld-sms"' in html
    assert 'href="/plan-dostepu/"' in html
    assert page.context["form"].fields["message__sms"].disabled
    before = _sms_choices(parent)

    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (False, None)}
    data.update({"message__sms": "on", "grade_new__sms": "on"})
    answer = client.post(PREFERENCES, data, follow=True)
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "nothing changed" in text or "nic się nie zmieniło" in text
    assert _sms_choices(parent) == before

    # with the extended plan the column is the family's own to tick
    paid_purchase(world, plans["single"], day=WINTER)
    page = client.get(PREFERENCES)
    assert 'id="withheld-sms"' not in page.content.decode()
    assert not page.context["form"].fields["message__sms"].disabled


def test_staff_and_schools_without_plans_see_no_withheld_sms(world, settings):
    settings.NOTIFICATION_CHANNELS = {"sms": SMPP}
    page = world.client("own_parent").get(PREFERENCES)
    assert 'id="withheld-sms"' not in page.content.decode()  # no plans: nothing sold
    leaflet(world)
    page = world.client("teacher_in").get(PREFERENCES)
    assert 'id="withheld-sms"' not in page.content.decode()


def _home(world, role, address):
    page = world.client(role).get("/", REMOTE_ADDR=address)
    assert page.status_code == 200
    return page.content.decode()


@override_settings(TRUSTED_PROXIES=[])
def test_the_2012_homes_grade_and_attendance_panels_only_at_school_in_either_order(world):
    _at_school_model(world)
    grade(world, column(world), raw="4")
    for role in ("own_parent", "student"):
        for address, inside in (
            (AT_HOME, False),
            (AT_SCHOOL, True),
            (AT_HOME, False),
            (AT_SCHOOL, True),
        ):
            html = _home(world, role, address)
            assert ('id="recent-grades"' in html) is inside, (role, address)
            assert ('id="gated-grades"' in html) is not inside, (role, address)
            assert ('id="gated-attendance"' in html) is not inside, (role, address)
            if not inside:
                assert 'href="/plan-dostepu/"' in html
                assert "recent-grade" not in html


@override_settings(TRUSTED_PROXIES=[])
def test_the_2012_home_outside_consultation_hours_and_with_the_extended_plan(world):
    plans = _at_school_model(world, today=False)
    grade(world, column(world), raw="4")
    html = _home(world, "own_parent", AT_SCHOOL)
    assert 'id="gated-grades"' in html and 'id="recent-grades"' not in html
    paid_purchase(world, plans["single"], day=WINTER)
    html = _home(world, "own_parent", AT_HOME)
    assert 'id="recent-grades"' in html and 'id="gated-grades"' not in html
