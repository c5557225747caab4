"""The plans' screens over HTTP: gating of the family's grades and attendance in the
2012 model (the bar: a school network address in consultation hours answers, elsewhere
or at other hours an explanation; a public school is never gated), the activation list
from the class teacher to the office, the plan page, receipts, the revenue report."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dziennik.plans import entitlements, services
from dziennik.plans.models import Access, ActivationList, Payment, PlanSettings, Purchase
from testsupport.url_matrix import expect
from testsupport.world import cold_queries

from .factories import leaflet, paid_purchase, sibling

SCHOOL_NET = "192.0.2.0/24"
AT_SCHOOL = "192.0.2.10"
AT_HOME = "198.51.100.7"
PROXY = "10.0.0.5"


def _at_school_model(world, *, today: bool = True):
    """The world's school made non-public, running the 2012 model; its consultation
    hours all of today (or only on another weekday)."""
    world.school.is_public = False
    world.school.save()
    plans = leaflet(world)
    plans["basic"].entitlements = sorted(entitlements.FREE_BY_LAW - entitlements.AT_SCHOOL_ONLY)
    plans["basic"].save()
    weekday = timezone.localtime().isoweekday()
    if not today:
        weekday = weekday % 7 + 1
    services.plan_settings_update(
        actor=world.user("principal"),
        mode=PlanSettings.Mode.AT_SCHOOL,
        networks=SCHOOL_NET,
        consultation_hours=[{"weekday": weekday, "start": "00:00", "end": "23:59"}],
    )
    return plans


def _grades(world, role="own_parent", **extra):
    url = reverse("grades:student_overview", args=[world.student.pk])
    return world.client(role).get(url, **extra)


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_the_2012_model_shows_grades_only_from_school_in_consultation_hours(world):
    _at_school_model(world)
    assert _grades(world, REMOTE_ADDR=AT_SCHOOL).status_code == 200
    # through the trusted proxy: its header names the client
    behind = _grades(world, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=AT_SCHOOL)
    assert behind.status_code == 200
    refused = _grades(world, REMOTE_ADDR=AT_HOME)
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "00:00–23:59" in text and reverse("plans:mine") in text
    # a header from anyone but the trusted proxy is not believed
    spoofed = _grades(world, REMOTE_ADDR=AT_HOME, HTTP_X_FORWARDED_FOR=AT_SCHOOL)
    assert spoofed.status_code == 403
    # the page the school's network got is not served from the cache at home
    assert _grades(world, REMOTE_ADDR=AT_SCHOOL).status_code == 200
    assert _grades(world, REMOTE_ADDR=AT_HOME).status_code == 403
    attendance = reverse("attendance:student", args=[world.student.pk])
    assert world.client("student").get(attendance, REMOTE_ADDR=AT_HOME).status_code == 403
    assert world.client("student").get(attendance, REMOTE_ADDR=AT_SCHOOL).status_code == 200


def test_outside_consultation_hours_even_the_school_network_is_refused(world):
    _at_school_model(world, today=False)
    refused = _grades(world, REMOTE_ADDR=AT_SCHOOL)
    assert refused.status_code == 403
    # staff are never gated by a family's plan
    assert _grades(world, "class_teacher", REMOTE_ADDR=AT_HOME).status_code == 200


def test_the_extended_plan_shows_grades_from_anywhere(world):
    plans = _at_school_model(world, today=False)
    paid_purchase(world, plans["single"], day=timezone.localdate())
    assert _grades(world, REMOTE_ADDR=AT_HOME).status_code == 200


def test_a_public_school_is_never_gated_even_with_the_2012_rows(world):
    leaflet(world)
    PlanSettings.objects.filter(school=world.school).update(
        mode=PlanSettings.Mode.AT_SCHOOL, networks=SCHOOL_NET
    )
    assert world.school.is_public
    assert _grades(world, REMOTE_ADDR=AT_HOME).status_code == 200


def _send_list(world, plans, choices):
    teacher = world.user("class_teacher")
    client = world.client("class_teacher")
    response = client.post(
        reverse("plans:lists"), {"klasa": world.school_class.pk, "dzien": "2026-09-20"}
    )
    activation_list = ActivationList.objects.get()
    assert response.url == reverse("plans:list", args=[activation_list.pk])
    data = {"akcja": "zapisz"}
    data.update({f"pakiet-{pk}": package.pk for pk, package in choices.items()})
    client.post(response.url, data)
    client.post(response.url, {"akcja": "wyslij"})
    activation_list.refresh_from_db()
    assert activation_list.created_by == teacher
    return activation_list


def test_an_activation_list_from_the_meeting_to_the_accounts(world):
    plans = leaflet(world)
    brother = sibling(world)
    activation_list = _send_list(
        world, plans, {world.student.pk: plans["siblings"], world.classmate.pk: plans["single"]}
    )
    assert activation_list.status == ActivationList.Status.SENT
    # the autumn promotion at school: 30 zł for the siblings, 20 zł for one child
    assert sorted(activation_list.lines.values_list("amount", flat=True)) == [
        Decimal("20.00"),
        Decimal("30.00"),
    ]
    url = reverse("plans:list", args=[activation_list.pk])
    office = world.client("secretary")
    office.post(url, {"akcja": "zwroc", "powod": ""})  # a return needs its reason
    activation_list.refresh_from_db()
    assert activation_list.status == ActivationList.Status.SENT
    office.post(url, {"akcja": "zatwierdz"})
    activation_list.refresh_from_db()
    assert activation_list.status == ActivationList.Status.CONFIRMED
    assert set(Access.objects.values_list("student_id", flat=True)) == {
        world.student.pk,
        brother.pk,
        world.classmate.pk,
    }
    refs = sorted(Payment.objects.values_list("external_ref", "channel"))
    assert refs == sorted(
        (f"list-line-{line.pk}", "school") for line in activation_list.lines.all()
    )
    assert set(Purchase.objects.values_list("status", flat=True)) == {"paid"}
    # confirming again changes nothing
    office.post(url, {"akcja": "zatwierdz"})
    assert Access.objects.count() == 3


def test_a_bad_line_saves_nothing_and_is_named(world):
    plans = leaflet(world)
    activation_list = services.activation_list_create(
        actor=world.user("class_teacher"),
        school_class=world.school_class,
        collected_on=datetime.date(2026, 9, 20),
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.activation_list_save(
            actor=world.user("class_teacher"),
            activation_list=activation_list,
            choices={
                world.student.pk: plans["siblings"].pk,
                world.classmate.pk: plans["single"].pk,
            },
        )
    assert "Zofia Wiśniewska" in refused.value.message_dict["lines"][0]
    assert not activation_list.lines.exists()


def test_only_the_class_teacher_starts_a_list(world, matrix):
    leaflet(world)
    expected = expect(404, class_teacher=302)
    url = reverse("plans:lists")
    data = {"klasa": world.school_class.pk, "dzien": "2026-09-20"}
    refused = [role for role in expected if role != "class_teacher"]
    expected.update(principal=404, secretary=404, other_principal=404)
    matrix.check(
        url, expected, method="post", data=data, roles=refused, state=ActivationList.objects.count
    )
    matrix.check(url, expected, method="post", data=data, roles=["class_teacher"])
    assert ActivationList.objects.get().school_class == world.school_class


def test_list_posts_by_role(world, matrix):
    plans = leaflet(world)
    activation_list = _send_list(world, plans, {world.classmate.pk: plans["single"]})
    url = reverse("plans:list", args=[activation_list.pk])

    def state():
        activation_list.refresh_from_db()
        return activation_list.status, Access.objects.count()

    others = expect(404, class_teacher=302, principal=302, secretary=302)
    refused = [r for r in others if r not in ("class_teacher", "principal", "secretary")]
    matrix.check(
        url, others, method="post", data={"akcja": "zatwierdz"}, roles=refused, state=state
    )
    # the class teacher cannot confirm their own list
    world.client("class_teacher").post(url, {"akcja": "zatwierdz"})
    assert state() == ("sent", 0)
    matrix.check(url, others, method="post", data={"akcja": "zatwierdz"}, roles=["principal"])
    assert state() == ("confirmed", 1)


def test_the_plan_page_shows_the_familys_plan_payments_and_prices(world):
    plans = leaflet(world)
    brother = sibling(world)
    today = timezone.localdate()
    purchase = paid_purchase(world, plans["single"], day=today, ref="REF-ZOFII")
    client = world.client("own_parent")
    client.get(reverse("plans:mine"))  # the first visit of a session writes to it
    with cold_queries() as first:
        response = client.get(reverse("plans:mine"))
    text = response.content.decode()
    assert purchase.title in text and "REF-ZOFII" in text
    assert entitlements.label(entitlements.SMS) in text
    assert "22,00" in text and "32,00" in text
    # more purchases, payments and accesses cost no more queries
    paid_purchase(world, plans["single"], [brother], day=today, ref="REF-JANA")
    paid_purchase(world, plans["single"], day=today, ref="REF-ZOFII-2")
    with cold_queries() as second:
        assert "REF-JANA" in client.get(reverse("plans:mine")).content.decode()
    assert len(first) == len(second) == PLAN_PAGE_QUERIES
    other = world.client("other_parent").get(reverse("plans:mine")).content.decode()
    assert purchase.title not in other and "REF-ZOFII" not in other
    payment = purchase.payments.get()
    receipt = reverse("plans:receipt", args=[payment.pk])
    assert world.client("other_parent").get(receipt).status_code == 404
    assert purchase.title in client.get(receipt).content.decode()


def test_the_revenue_report_and_its_csv(world):
    plans = leaflet(world)
    today = timezone.localdate()
    brother = sibling(world)
    paid_purchase(world, plans["single"], day=today, ref="A")
    paid_purchase(world, plans["siblings"], [world.student, brother], day=today, ref="B")
    page = world.client("secretary").get(reverse("plans:report"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert page.context["report"].total.amount == Decimal("54.00")
    assert page.context["report"].total.activations == 2
    assert page.context["report"].by_class["4a"].amount == Decimal("54.00")
    csv = world.client("secretary").get(reverse("plans:report_csv")).content.decode("utf-8-sig")
    assert csv.count("\r\n") == 3 and "22.00" in csv and "32.00" in csv


PLAN_PAGE_QUERIES = 16
