"""The plans core: a purchase covers a family, payments are idempotent on their
reference, activation happens once, refunds and cancellations, and what the family's
accounts may use (``entitlements_for``). Every write is in the history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from dziennik.core.models import AuditEntry
from dziennik.plans import entitlements, selectors, services, titles
from dziennik.plans.models import Access, Channel, Payment, PlanSettings, Purchase
from dziennik.schools.viewer import get_viewer

from .factories import AUTUMN, WINTER, leaflet, paid_purchase, sibling


@pytest.fixture
def plans(world):
    return leaflet(world)


def _history(instance) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type__model=instance._meta.model_name, object_id=str(instance.pk)
        ).order_by("id")
    )


def test_a_parent_buys_for_their_child_at_the_days_price(world, plans):
    purchase = services.purchase_create(
        actor=world.user("own_parent"),
        package=plans["single"],
        students=[world.student],
        channel=Channel.ONLINE,
        day=AUTUMN,
    )
    assert purchase.amount == Decimal("22.00")  # the promotion is for lists at school only
    assert purchase.promotion is None
    assert purchase.status == Purchase.Status.PENDING
    assert purchase.payer == world.user("own_parent")
    assert titles.parse_title(purchase.title) == purchase.title
    assert titles.school_of(purchase.title) == world.school.pk
    [entry] = _history(purchase)
    assert entry.action == "create"
    assert entry.changes["students"] == [None, [world.student.pk]]
    assert entry.student_id == world.student.pk


def test_the_promotion_applies_at_school_in_its_dates(world, plans):
    purchase = services.purchase_create(
        actor=world.user("class_teacher"),
        package=plans["single"],
        students=[world.student],
        channel=Channel.SCHOOL,
        day=AUTUMN,
    )
    assert purchase.amount == Decimal("20.00")
    assert purchase.promotion == plans["single"].promotions.get()
    assert purchase.payer is None


def test_the_sibling_package_is_refused_online(world, plans):
    brother = sibling(world)
    with pytest.raises(ValidationError) as refused:
        services.purchase_create(
            actor=world.user("own_parent"),
            package=plans["siblings"],
            students=[world.student, brother],
            channel=Channel.ONLINE,
            day=WINTER,
        )
    assert "channel" in refused.value.message_dict
    assert not Purchase.objects.exists()


def test_the_sibling_package_must_name_every_child(world, plans):
    brother = sibling(world)
    with pytest.raises(ValidationError) as refused:
        services.purchase_create(
            actor=world.user("own_parent"),
            package=plans["siblings"],
            students=[world.student],
            channel=Channel.TRANSFER,
            day=WINTER,
        )
    assert "Jan Wiśniewski" in refused.value.message_dict["students"][0]
    purchase = services.purchase_create(
        actor=world.user("own_parent"),
        package=plans["siblings"],
        students=[world.student, brother],
        channel=Channel.TRANSFER,
        day=WINTER,
    )
    assert purchase.amount == Decimal("32.00")
    assert set(purchase.students.all()) == {world.student, brother}


def test_a_single_package_covers_one_child(world, plans):
    brother = sibling(world)
    with pytest.raises(ValidationError):
        services.purchase_create(
            actor=world.user("own_parent"),
            package=plans["single"],
            students=[world.student, brother],
            channel=Channel.TRANSFER,
            day=WINTER,
        )


@pytest.mark.parametrize("role", ["other_parent", "teacher_in", "teacher_out", "other_principal"])
def test_nobody_else_buys_for_the_child(world, plans, role):
    with pytest.raises(Http404):
        services.purchase_create(
            actor=world.user(role),
            package=plans["single"],
            students=[world.student],
            channel=Channel.TRANSFER,
            day=WINTER,
        )
    assert not Purchase.objects.exists()


def test_a_payment_activates_the_family_once_and_repeats_change_nothing(world, plans):
    purchase = services.purchase_create(
        actor=world.user("own_parent"),
        package=plans["single"],
        students=[world.student],
        channel=Channel.ONLINE,
        day=WINTER,
    )
    first = services.payment_record(
        actor=None,
        purchase=purchase,
        channel=Channel.ONLINE,
        amount=Decimal("22.00"),
        external_ref="ORDER-1",
        received_on=WINTER,
        details={"status": "COMPLETED"},
    )
    assert first.was_new
    entries = AuditEntry.objects.count()
    for _ in range(2):
        again = services.payment_record(
            actor=None,
            purchase=purchase,
            channel=Channel.ONLINE,
            amount=Decimal("22.00"),
            external_ref="ORDER-1",
            received_on=WINTER,
        )
        assert again.pk == first.pk and not again.was_new
    assert AuditEntry.objects.count() == entries
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID
    assert purchase.activated_on == WINTER
    [access] = Access.objects.all()
    assert (access.student, access.starts, access.ends) == (
        world.student,
        WINTER,
        datetime.date(2027, 11, 30),
    )
    assert entitlements.SMS in access.entitlements
    assert services.purchase_activate(actor=None, purchase=purchase, day=WINTER) == [access]
    assert Access.objects.count() == 1
    assert [e.action for e in _history(access)] == ["create"]
    assert [e.action for e in _history(purchase)] == ["create", "update", "update"]
    assert _history(first)[0].actor is None


def test_a_part_payment_activates_nothing_until_the_rest_comes(world, plans):
    purchase = services.purchase_create(
        actor=world.user("own_parent"),
        package=plans["single"],
        students=[world.student],
        channel=Channel.TRANSFER,
        day=WINTER,
    )
    secretary = world.user("secretary")
    kwargs = {"actor": secretary, "purchase": purchase, "channel": Channel.TRANSFER}
    services.payment_record(
        **kwargs, amount=Decimal("10.00"), external_ref="B-1", received_on=WINTER
    )
    assert not Access.objects.exists()
    later = WINTER + datetime.timedelta(days=3)
    services.payment_record(
        **kwargs, amount=Decimal("12.00"), external_ref="B-2", received_on=later
    )
    assert Access.objects.get().starts == later
    assert Payment.objects.get(external_ref="B-2").recorded_by == secretary


def test_a_sibling_purchase_covers_every_child_and_their_parent(world, plans):
    brother = sibling(world)
    paid_purchase(world, plans["siblings"], [world.student, brother])
    assert set(Access.objects.values_list("student_id", flat=True)) == {
        world.student.pk,
        brother.pk,
    }
    parent = get_viewer(world.user("own_parent"))
    for child in (world.student, brother):
        assert entitlements.SMS in selectors.entitlements_for(parent, child, WINTER)
    child_itself = get_viewer(world.user("student"))
    assert entitlements.SMS in selectors.entitlements_for(child_itself, world.student, WINTER)


def test_a_renewal_before_the_end_starts_the_day_after(world, plans):
    paid_purchase(world, plans["single"], ref="first")
    renewal_day = datetime.date(2027, 11, 1)
    paid_purchase(world, plans["single"], day=renewal_day, ref="second")
    second = Access.objects.order_by("id").last()
    assert second.starts == datetime.date(2027, 12, 1)
    assert second.ends == datetime.date(2028, 11, 30)


@pytest.mark.parametrize("role", ["own_parent", "class_teacher", "teacher_in", "other_principal"])
def test_only_the_office_records_payments(world, plans, role):
    purchase = services.purchase_create(
        actor=world.user("own_parent"),
        package=plans["single"],
        students=[world.student],
        channel=Channel.TRANSFER,
        day=WINTER,
    )
    with pytest.raises(Http404):
        services.payment_record(
            actor=world.user(role),
            purchase=purchase,
            channel=Channel.TRANSFER,
            amount=Decimal("22.00"),
            external_ref="X",
            received_on=WINTER,
        )
    assert not Payment.objects.exists()


def test_a_refund_ends_the_access_and_is_idempotent(world, plans):
    purchase = paid_purchase(world, plans["single"])
    day = WINTER + datetime.timedelta(days=10)
    kwargs = {
        "actor": world.user("principal"),
        "purchase": purchase,
        "amount": Decimal("22.00"),
        "external_ref": "R-1",
        "received_on": day,
    }
    refund = services.refund_record(**kwargs)
    assert refund.amount == Decimal("-22.00") and refund.is_refund
    assert services.refund_record(**kwargs).pk == refund.pk
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.REFUNDED
    assert Access.objects.get().ends == day - datetime.timedelta(days=1)
    parent = get_viewer(world.user("own_parent"))
    assert entitlements.SMS not in selectors.entitlements_for(parent, world.student, day)
    with pytest.raises(ValidationError):
        services.refund_record(**{**kwargs, "external_ref": "R-2"})


def test_a_pending_purchase_is_cancelled_by_its_family_not_by_another(world, plans):
    purchase = services.purchase_create(
        actor=world.user("own_parent"),
        package=plans["single"],
        students=[world.student],
        channel=Channel.TRANSFER,
        day=WINTER,
    )
    with pytest.raises(Http404):
        services.purchase_cancel(actor=world.user("other_parent"), purchase=purchase)
    services.purchase_cancel(actor=world.user("own_parent"), purchase=purchase)
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.purchase_cancel(actor=world.user("own_parent"), purchase=purchase)
    # money for a cancelled purchase is kept and activates nothing
    services.payment_record(
        actor=None,
        purchase=purchase,
        channel=Channel.TRANSFER,
        amount=Decimal("22.00"),
        external_ref="late",
        received_on=WINTER,
    )
    assert not Access.objects.exists()


def test_the_e_learning_offer_within_30_days_of_the_activation(world, plans):
    parent = world.user("own_parent")
    with pytest.raises(ValidationError):  # nothing activated yet
        services.offer_purchase_create(
            actor=parent,
            offer=plans["offer"],
            student=world.student,
            channel=Channel.ONLINE,
            day=WINTER,
        )
    paid_purchase(world, plans["single"])
    late = WINTER + datetime.timedelta(days=30)
    with pytest.raises(ValidationError):
        services.offer_purchase_create(
            actor=parent,
            offer=plans["offer"],
            student=world.student,
            channel=Channel.ONLINE,
            day=late,
        )
    purchase = services.offer_purchase_create(
        actor=parent,
        offer=plans["offer"],
        student=world.student,
        channel=Channel.ONLINE,
        day=late - datetime.timedelta(days=1),
    )
    assert purchase.amount == Decimal("21.00") and purchase.package is None
    services.payment_record(
        actor=None,
        purchase=purchase,
        channel=Channel.ONLINE,
        amount=Decimal("21.00"),
        external_ref="EL-1",
        received_on=late,
    )
    viewer = get_viewer(parent)
    assert entitlements.ELEARNING in selectors.entitlements_for(viewer, world.student, late)


def test_entitlements_of_a_basic_account_in_the_statutory_model(world, plans):
    parent = get_viewer(world.user("own_parent"))
    found = selectors.entitlements_for(parent, world.student, WINTER)
    assert found == entitlements.FREE_BY_LAW
    # even a free plan configured without them cannot take what the law keeps free
    plans["basic"].entitlements = []
    plans["basic"].save()
    assert selectors.entitlements_for(parent, world.student, WINTER) == entitlements.FREE_BY_LAW


def test_entitlements_in_the_at_school_model_are_the_free_plans(world, plans):
    world.school.is_public = False
    world.school.save()
    settings = PlanSettings.objects.get(school=world.school)
    settings.mode = PlanSettings.Mode.AT_SCHOOL
    settings.save()
    plans["basic"].entitlements = [entitlements.MESSAGES]
    plans["basic"].save()
    parent = get_viewer(world.user("own_parent"))
    assert selectors.entitlements_for(parent, world.student, WINTER) == {entitlements.MESSAGES}


def test_staff_are_not_limited_and_strangers_get_404(world, plans):
    teacher = get_viewer(world.user("teacher_in"))
    assert selectors.entitlements_for(teacher, world.student, WINTER) == entitlements.ALL
    for role in ("other_parent", "teacher_out", "other_principal"):
        with pytest.raises(Http404):
            selectors.entitlements_for(get_viewer(world.user(role)), world.student, WINTER)


def test_titles_catch_mistakes_and_are_found_in_a_bank_text():
    title = titles.make_title(12)
    assert titles.parse_title(title) == title
    code = title.split("-")[2]
    swapped = code[1] + code[0] + code[2:]
    if swapped != code:
        assert titles.parse_title(f"DZ-12-{swapped}") is None
    text = f"Oplata za dziennik {title.lower().replace('-', ' ')} Kowalski"
    assert titles.find_titles(text) == [title]
    wrong = "J" if titles.check_char(12, "ABCDEFGH") != "J" else "K"
    assert titles.find_titles(f"DZ-12-ABCDEFGH{wrong}") == []
    assert titles.find_titles("dz12abcdefgh" + titles.check_char(12, "ABCDEFGH")) == [
        "DZ-12-ABCDEFGH" + titles.check_char(12, "ABCDEFGH")
    ]


def test_an_offer_of_what_the_law_keeps_free_is_not_sold_in_the_statutory_model(world, plans):
    """An offer the 2012 model allowed (grades from home as an add-on) stays in the
    catalogue after the school goes back to the statutory model: nobody can buy it."""
    world.school.is_public = False
    world.school.save()
    PlanSettings.objects.update_or_create(
        school=world.school, defaults={"mode": PlanSettings.Mode.AT_SCHOOL}
    )
    offer = plans["offer"]
    offer.entitlement = entitlements.GRADES
    offer.save()
    paid_purchase(world, plans["single"])
    parent = world.user("own_parent")
    day = WINTER + datetime.timedelta(days=1)
    bought = services.offer_purchase_create(
        actor=parent, offer=offer, student=world.student, channel=Channel.ONLINE, day=day
    )
    assert bought.offer == offer
    settings = PlanSettings.objects.get(school=world.school)
    settings.mode = PlanSettings.Mode.STATUTORY
    settings.save()  # a configuration model: its save moves the school's version
    with pytest.raises(ValidationError) as refused:
        services.offer_purchase_create(
            actor=parent, offer=offer, student=world.student, channel=Channel.ONLINE, day=day
        )
    assert "L-05" in str(refused.value)
    assert Purchase.objects.filter(offer=offer).count() == 1
