"""The principal's configuration screens of plans (``/plan-dostepu/ustawienia/``): each
screen's happy path in the history (who, old, new), bad input answering 400 with nothing
saved, another school's ids and ids beyond 2**63 answering 404, L-05 through the screen,
the 2012 model gating a basic account at once, deletes refused while something was
bought, prices changed without touching purchases, the list page's queries pinned."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.plans import entitlements, services
from dziennik.plans.models import Offer, Package, Plan, PlanSettings, Promotion, Purchase
from testsupport.url_matrix import POST_ONLY, PRINCIPAL_OBJECT, PRINCIPAL_PAGE, expect
from testsupport.world import cold_queries

from .factories import WINTER, leaflet, paid_purchase
from .test_views import AT_HOME, AT_SCHOOL, SCHOOL_NET

HUGE = 2**63
FREE = sorted(entitlements.FREE_BY_LAW)
# The list page on a cold cache: the session and the viewer, the page's five reads
# (settings, plans, packages, promotions, offers) and the menu's; measured 12, whatever
# the number of plans, packages and promotions.
LIST_QUERIES = 12


def _entries(model, pk=None, action=None):
    found = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if pk is not None:
        found = found.filter(object_id=str(pk))
    if action is not None:
        found = found.filter(action=action)
    return list(found.order_by("pk"))


def _principal(world):
    return world.client("principal")


def _form(defaults: dict, **changes) -> dict:
    """A screen's form data: its ``defaults`` (``SETTINGS``, ``PROMOTION``, ``OFFER``)
    with ``changes``."""
    return {**defaults, **changes}


def _plan_with_package(actor, name: str, *, amount: str, channels: list, months: int = 12):
    """A plan of the free entitlements with a single child's package, through the
    services as ``actor``: ``(plan, package)``."""
    plan = services.plan_create(actor=actor, name=name, entitlements=FREE, validity_months=months)
    package = services.package_create(
        actor=actor, plan=plan, kind="single", amount=Decimal(amount), channels=channels
    )
    return plan, package


# The settings screen: the statutory model, VAT at 23 %, no NIP or REGON.
SETTINGS = {"mode": "statutory", "networks": "", "vat_rate": "23.00", "tax_id": "", "regon": ""}


def _state():
    return (
        list(PlanSettings.objects.values_list("mode", "networks", "vat_rate", "vat_exempt")),
        list(Plan.objects.order_by("pk").values_list("name", "is_free", "entitlements")),
        list(Package.objects.order_by("pk").values_list("kind", "amount", "channels")),
        list(Promotion.objects.order_by("pk").values_list("name", "amount", "date_to")),
        list(Offer.objects.order_by("pk").values_list("name", "amount", "window_days")),
    )


# --- the list, the menu, the leaflet ---------------------------------------------------


def test_the_list_starts_from_the_leaflet_with_history_and_pinned_queries(world):
    client = _principal(world)
    url = reverse("plans:config")
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="leaflet-start"' in page.content.decode()
    assert f'href="{url}"' in client.get(reverse("plans:report")).content.decode()
    assert f'href="{url}"' in page.content.decode()  # the principal's menu

    answer = client.post(reverse("plans:config_leaflet"))
    assert answer.status_code == 302
    plans = list(Plan.objects.filter(school=world.school).order_by("-is_free"))
    assert [p.is_free for p in plans] == [True, False]
    assert Package.objects.filter(school=world.school).count() == 2
    assert Promotion.objects.count() == 2 and Offer.objects.count() == 1
    created = AuditEntry.objects.filter(action="create", actor=world.user("principal"))
    # the settings, two plans, two packages, two promotions, one offer
    assert created.count() == 8
    # a second start is refused: the school has plans
    client.post(reverse("plans:config_leaflet"))
    assert Plan.objects.count() == 2

    client.get(url)  # the first visit of a session writes to it
    with cold_queries() as first:
        text = client.get(url).content.decode()
    assert "22,00" in text or "22.00" in text
    assert 'id="leaflet-start"' not in text
    # more plans, packages and promotions cost no more queries
    _extra, package = _plan_with_package(
        world.user("principal"), "Premium", amount="40.00", channels=["online"], months=6
    )
    services.promotion_create(
        actor=world.user("principal"),
        package=package,
        name="Zimowa",
        amount=Decimal("35.00"),
        date_from=WINTER,
        date_to=WINTER,
    )
    with cold_queries() as second:
        assert "Premium" in client.get(url).content.decode()
    assert len(first) == len(second) == LIST_QUERIES


@pytest.mark.parametrize(
    "role", ["student", "own_parent", "teacher_in", "class_teacher", "secretary"]
)
def test_no_one_but_the_principal_starts_from_the_leaflet(world, role):
    assert world.client(role).post(reverse("plans:config_leaflet")).status_code == 404
    assert not Plan.objects.exists()


def test_the_leaflet_post_matrix(world, matrix):
    url = reverse("plans:config_leaflet")
    assert world.client("principal").get(url).status_code == POST_ONLY["principal"]
    expected = expect(404, principal=302, other_principal=302)
    refused = [r for r in expected if r not in ("principal", "other_principal")]
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    assert _state()[1] == []
    matrix.check(url, expected, method="post", roles=["principal"])
    assert Plan.objects.filter(school=world.school).count() == 2


# --- the school's settings --------------------------------------------------------------


def test_the_settings_screen_saves_vat_nip_and_regon_in_the_history(world):
    client = _principal(world)
    url = reverse("plans:config_settings")
    assert client.get(url).status_code == 200
    answer = client.post(
        url, _form(SETTINGS, vat_exempt="on", tax_id="123-456-32-18", regon="123456785")
    )
    assert answer.status_code == 302
    settings = PlanSettings.objects.get(school=world.school)
    assert settings.vat_exempt and settings.tax_id == "1234563218"
    entry = _entries(PlanSettings, settings.pk)[-1]
    assert entry.actor == world.user("principal")
    assert entry.changes["tax_id"] == [None, "1234563218"]
    # and changed again: old and new
    version = client.get(url).context["version"]
    client.post(url, _form(SETTINGS, vat_rate="8.00", version=version))
    settings.refresh_from_db()
    assert settings.vat_rate == Decimal("8.00") and not settings.vat_exempt
    entry = _entries(PlanSettings, settings.pk, "update")[-1]
    assert entry.changes["vat_rate"] == ["23.00", "8.00"]
    assert entry.changes["vat_exempt"] == [True, False]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tax_id": "1234563219"}, "tax_id"),
        ({"regon": "123456786"}, "regon"),
        ({"vat_rate": "100"}, "vat_rate"),
        ({"vat_rate": ""}, "vat_rate"),
        ({"mode": "nonsense"}, "mode"),
        ({"weekday_0": "2", "start_0": "15:00"}, "weekday_0"),
        ({"weekday_0": "9", "start_0": "15:00", "end_0": "16:00"}, "weekday_0"),
    ],
)
def test_bad_settings_answer_400_and_save_nothing(world, changes, field):
    answer = _principal(world).post(reverse("plans:config_settings"), _form(SETTINGS, **changes))
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert not PlanSettings.objects.exists()


def test_a_public_school_choosing_the_2012_model_is_told_why_at_the_field(world):
    assert world.school.is_public
    data = _form(
        SETTINGS,
        mode="at_school",
        networks=SCHOOL_NET,
        weekday_0="2",
        start_0="15:00",
        end_0="17:00",
    )
    answer = _principal(world).post(reverse("plans:config_settings"), data)
    assert answer.status_code == 400
    errors = answer.context["form"].errors["mode"]
    assert "§ 21" in errors[0]
    assert "§ 21" in answer.content.decode()
    assert not PlanSettings.objects.exists()


def test_a_stale_settings_form_answers_409_and_saves_nothing(world):
    client = _principal(world)
    url = reverse("plans:config_settings")
    client.post(url, _form(SETTINGS))
    version = client.get(url).context["version"]
    client.post(url, _form(SETTINGS, vat_rate="8.00", version=version))
    answer = client.post(url, _form(SETTINGS, vat_rate="5.00", version=version))
    assert answer.status_code == 409
    assert PlanSettings.objects.get().vat_rate == Decimal("8.00")


def _grades(world, address):
    url = reverse("grades:student_overview", args=[world.student.pk])
    return world.client("own_parent").get(url, REMOTE_ADDR=address)


@override_settings(TRUSTED_PROXIES=[])
def test_a_non_public_school_switches_to_2012_and_the_basic_account_is_gated_at_once(world):
    world.school.is_public = False
    world.school.save()
    plans = leaflet(world)
    client = _principal(world)
    assert _grades(world, AT_HOME).status_code == 200  # cached at home, before the change
    weekday = timezone.localtime().isoweekday()
    answer = client.post(
        reverse("plans:config_settings"),
        _form(
            SETTINGS,
            mode="at_school",
            networks=SCHOOL_NET,
            weekday_0=str(weekday),
            start_0="00:00",
            end_0="23:59",
        ),
    )
    assert answer.status_code == 302
    assert PlanSettings.objects.get().mode == "at_school"
    # the basic plan still holds grades: nothing gated yet, and the list says so
    assert _grades(world, AT_HOME).status_code == 200
    assert 'id="free-plan-open"' in client.get(reverse("plans:config")).content.decode()
    # the free plan's grades and attendance only at school now
    basic = plans["basic"]
    url = reverse("plans:config_plan", args=[basic.pk])
    version = client.get(url).context["version"]
    kept = sorted(entitlements.FREE_BY_LAW - entitlements.AT_SCHOOL_ONLY)
    answer = client.post(
        url,
        {
            "name": basic.name,
            "is_free": "on",
            "entitlements": kept,
            "validity_months": "12",
            "version": version,
        },
    )
    assert answer.status_code == 302
    assert _grades(world, AT_HOME).status_code == 403
    assert _grades(world, AT_SCHOOL).status_code == 200
    assert 'id="free-plan-open"' not in client.get(reverse("plans:config")).content.decode()
    # and back to the statutory model: the register is free again at once
    version = client.get(reverse("plans:config_settings")).context["version"]
    client.post(reverse("plans:config_settings"), _form(SETTINGS, version=version))
    assert _grades(world, AT_HOME).status_code == 200


def _gated_free_plan(world):
    """A non-public school in the 2012 model whose free plan no longer opens grades and
    attendance from anywhere (set through the services, as the principal)."""
    world.school.is_public = False
    world.school.save()
    plans = leaflet(world)
    principal = world.user("principal")
    weekday = timezone.localtime().isoweekday()
    services.plan_settings_update(
        actor=principal,
        mode="at_school",
        networks=SCHOOL_NET,
        consultation_hours=[{"weekday": weekday, "start": "00:00", "end": "23:59"}],
    )
    basic = plans["basic"]
    services.plan_update(
        actor=principal,
        plan=basic,
        name=basic.name,
        entitlements=sorted(entitlements.FREE_BY_LAW - entitlements.AT_SCHOOL_ONLY),
        validity_months=basic.validity_months,
        is_free=True,
    )
    basic.refresh_from_db()
    return basic


def _attendance(world, address):
    url = reverse("attendance:student", args=[world.student.pk])
    return world.client("own_parent").get(url, REMOTE_ADDR=address)


@override_settings(TRUSTED_PROXIES=[])
def test_back_to_the_statutory_model_restores_the_free_plan_in_the_history(world):
    basic = _gated_free_plan(world)
    assert _grades(world, AT_HOME).status_code == 403
    assert _attendance(world, AT_HOME).status_code == 403
    gated = list(basic.entitlements)
    entries = len(_entries(Plan, basic.pk))
    client = _principal(world)
    url = reverse("plans:config_settings")
    version = client.get(url).context["version"]
    answer = client.post(url, _form(SETTINGS, version=version))
    assert answer.status_code == 302
    # the very next request of a basic parent at home sees the register
    assert _grades(world, AT_HOME).status_code == 200
    assert _attendance(world, AT_HOME).status_code == 200
    basic.refresh_from_db()
    assert set(basic.entitlements) >= entitlements.FREE_BY_LAW
    assert basic.entitlements == [c for c, _l in entitlements.CHOICES if c in basic.entitlements]
    # one more entry of the plan: the principal's, old and new
    entry = _entries(Plan, basic.pk)[-1]
    assert len(_entries(Plan, basic.pk)) == entries + 1
    assert entry.action == "update" and entry.actor == world.user("principal")
    assert entry.changes["entitlements"] == [gated, basic.entitlements]
    # the settings' own entry, and the message naming what was restored
    assert _entries(PlanSettings, action="update")[-1].changes["mode"] == [
        "at_school",
        "statutory",
    ]
    text = client.get(answer.url).content.decode()
    assert "plan bezpłatny znów obejmuje: Oceny z domu, Frekwencja z domu" in text
    # the plan's screen saves again as it is, with nothing to restore next time
    version = client.get(url).context["version"]
    assert client.post(url, _form(SETTINGS, version=version)).status_code == 302
    assert len(_entries(Plan, basic.pk)) == entries + 1
    assert "znów obejmuje" not in client.get(reverse("plans:config")).content.decode()


@pytest.mark.parametrize("problem", ["invalid", "stale"])
def test_a_refused_switch_back_leaves_the_free_plan_gated(world, problem):
    basic = _gated_free_plan(world)
    client = _principal(world)
    url = reverse("plans:config_settings")
    version = client.get(url).context["version"]
    if problem == "stale":  # someone saved the settings meanwhile
        data = _form(
            SETTINGS,
            mode="at_school",
            networks=SCHOOL_NET,
            weekday_0="1",
            start_0="08:00",
            end_0="09:00",
            version=version,
        )
        assert client.post(url, data).status_code == 302
        answer = client.post(url, _form(SETTINGS, version=version))
        assert answer.status_code == 409
    else:
        answer = client.post(url, _form(SETTINGS, vat_rate="100", version=version))
        assert answer.status_code == 400
    assert PlanSettings.objects.get().mode == "at_school"
    before = basic.entitlements
    basic.refresh_from_db()
    assert basic.entitlements == before
    assert not entitlements.AT_SCHOOL_ONLY & set(basic.entitlements)
    assert [e.actor for e in _entries(Plan, basic.pk, "update")] == [world.user("principal")]
    assert "znów obejmuje" not in answer.content.decode()


def test_the_service_restores_only_what_is_missing_and_only_in_the_statutory_model(world):
    principal = world.user("principal")
    # no free plan: nothing to restore (the gate grants the law's part anyway)
    settings = services.plan_settings_update(actor=principal, mode="statutory")
    assert settings.restored == []
    basic = _gated_free_plan(world)
    settings = services.plan_settings_update(
        actor=principal,
        version=services.settings_version(PlanSettings.objects.get()),
        mode="at_school",
        networks=SCHOOL_NET,
        consultation_hours=[{"weekday": 1, "start": "08:00", "end": "09:00"}],
    )
    assert settings.restored == []  # the 2012 model keeps the principal's choice
    basic.refresh_from_db()
    assert not entitlements.AT_SCHOOL_ONLY & set(basic.entitlements)
    settings = services.plan_settings_update(
        actor=principal, version=services.settings_version(settings), mode="statutory"
    )
    assert settings.restored == [entitlements.GRADES, entitlements.ATTENDANCE]
    basic.refresh_from_db()
    assert set(basic.entitlements) >= entitlements.FREE_BY_LAW
    # and the extras the principal gave the free plan stay
    basic.entitlements = [*basic.entitlements, entitlements.PUSH]
    basic.save()
    settings = services.plan_settings_update(
        actor=principal, version=services.settings_version(settings), mode="statutory"
    )
    assert settings.restored == []
    basic.refresh_from_db()
    assert entitlements.PUSH in basic.entitlements


# --- plans ------------------------------------------------------------------------------


def test_a_plan_is_added_and_changed_in_the_history(world):
    client = _principal(world)
    answer = client.post(
        reverse("plans:config_plan_new"),
        {"name": "Rozszerzony", "entitlements": [*FREE, "sms"], "validity_months": "12"},
    )
    assert answer.status_code == 302
    plan = Plan.objects.get(school=world.school)
    assert set(plan.entitlements) == {*FREE, "sms"}
    url = reverse("plans:config_plan", args=[plan.pk])
    page = client.get(url)
    data = {
        "name": "Rozszerzony+",
        "entitlements": [*FREE, "sms", "push"],
        "validity_months": "6",
        "version": page.context["version"],
    }
    assert client.post(url, data).status_code == 302
    entry = _entries(Plan, plan.pk, "update")[-1]
    assert entry.actor == world.user("principal")
    assert entry.changes["name"] == ["Rozszerzony", "Rozszerzony+"]
    assert entry.changes["validity_months"] == [12, 6]
    # a second save on the first version is stale: 409, nothing saved
    data["name"] = "Stary"
    assert client.post(url, data).status_code == 409
    assert Plan.objects.get().name == "Rozszerzony+"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "entitlements": FREE, "validity_months": "12"}, "name"),
        (
            {"name": "Darmowy", "is_free": "on", "entitlements": ["sms"], "validity_months": "12"},
            "entitlements",
        ),
        ({"name": "X", "entitlements": ["teleport"], "validity_months": "12"}, "entitlements"),
        ({"name": "X", "entitlements": FREE, "validity_months": "0"}, "validity_months"),
        ({"name": "X", "entitlements": FREE, "validity_months": "37"}, "validity_months"),
    ],
)
def test_bad_plans_answer_400_and_save_nothing(world, data, field):
    answer = _principal(world).post(reverse("plans:config_plan_new"), data)
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert not Plan.objects.exists()


def test_only_one_free_plan_and_it_is_not_sold(world):
    plans = leaflet(world)
    client = _principal(world)
    before = _state()
    answer = client.post(
        reverse("plans:config_plan_new"),
        {"name": "Drugi darmowy", "is_free": "on", "entitlements": FREE, "validity_months": "12"},
    )
    assert answer.status_code == 400 and "is_free" in answer.context["form"].errors
    answer = client.post(
        reverse("plans:config_package_new", args=[plans["basic"].pk]),
        {"kind": "single", "amount": "5.00", "channels": ["transfer"]},
    )
    assert answer.status_code == 400 and "kind" in answer.context["form"].errors
    assert _state() == before


def test_a_plan_with_purchases_is_not_deleted_one_without_is(world):
    plans = leaflet(world)
    purchase = paid_purchase(world, plans["single"])
    client = _principal(world)
    url = reverse("plans:config_plan_delete", args=[plans["extended"].pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="delete-confirm"' not in page.content.decode()
    refused = client.post(url)
    assert refused.status_code == 400
    assert 'id="delete-errors"' in refused.content.decode()
    assert Plan.objects.filter(pk=plans["extended"].pk).exists()
    assert Purchase.objects.get(pk=purchase.pk).package_id == plans["single"].pk
    # a plan nobody bought goes, with its packages and promotions, each in the history
    spare, package = _plan_with_package(
        world.user("principal"), "Zapas", amount="10.00", channels=["transfer"]
    )
    url = reverse("plans:config_plan_delete", args=[spare.pk])
    assert 'id="delete-confirm"' in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Plan.objects.filter(pk=spare.pk).exists()
    assert _entries(Plan, spare.pk, "delete")[0].actor == world.user("principal")
    assert _entries(Package, package.pk, "delete")


# --- packages and promotions -----------------------------------------------------------


def test_a_new_price_leaves_purchases_at_their_quoted_amount(world):
    plans = leaflet(world)
    purchase = paid_purchase(world, plans["single"])
    assert purchase.amount == Decimal("22.00")
    client = _principal(world)
    url = reverse("plans:config_package", args=[plans["single"].pk])
    version = client.get(url).context["version"]
    answer = client.post(
        url,
        {
            "kind": "single",
            "amount": "25.50",
            "channels": ["school", "online", "transfer"],
            "version": version,
        },
    )
    assert answer.status_code == 302
    assert Package.objects.get(pk=plans["single"].pk).amount == Decimal("25.50")
    purchase.refresh_from_db()
    assert purchase.amount == Decimal("22.00")
    entry = _entries(Package, plans["single"].pk, "update")[-1]
    assert entry.changes["amount"] == ["22.00", "25.50"]
    # the family's plan page quotes the new price at once
    assert "25,50" in world.client("own_parent").get(reverse("plans:mine")).content.decode()
    # its kind stays while something was bought of it
    version = client.get(url).context["version"]
    answer = client.post(
        url, {"kind": "siblings", "amount": "25.50", "channels": ["school"], "version": version}
    )
    assert answer.status_code == 400 and "kind" in answer.context["form"].errors


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "siblings", "amount": "40.00", "channels": ["online"]}, "channels"),
        ({"kind": "single", "amount": "-1.00", "channels": ["transfer"]}, "amount"),
        ({"kind": "single", "amount": "1.001", "channels": ["transfer"]}, "amount"),
        ({"kind": "single", "amount": "abc", "channels": ["transfer"]}, "amount"),
        ({"kind": "single", "amount": "10.00", "channels": []}, "channels"),
        ({"kind": "single", "amount": "10.00", "channels": ["cash-in-hand"]}, "channels"),
        ({"kind": "pair", "amount": "10.00", "channels": ["transfer"]}, "kind"),
    ],
)
def test_bad_packages_answer_400_and_save_nothing(world, data, field):
    plan = services.plan_create(
        actor=world.user("principal"), name="Extra", entitlements=FREE, validity_months=12
    )
    answer = _principal(world).post(reverse("plans:config_package_new", args=[plan.pk]), data)
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert not Package.objects.exists()


def test_the_sibling_package_online_is_refused_with_the_reason(world):
    plans = leaflet(world)
    client = _principal(world)
    url = reverse("plans:config_package", args=[plans["siblings"].pk])
    version = client.get(url).context["version"]
    answer = client.post(
        url,
        {"kind": "siblings", "amount": "32.00", "channels": ["online"], "version": version},
    )
    assert answer.status_code == 400
    assert "login" in " ".join(answer.context["form"].errors["channels"]).lower()
    assert Package.objects.get(pk=plans["siblings"].pk).channels == ["school", "transfer"]
    # a second package of a kind the plan has is refused
    answer = client.post(
        reverse("plans:config_package_new", args=[plans["extended"].pk]),
        {"kind": "single", "amount": "10.00", "channels": ["transfer"]},
    )
    assert answer.status_code == 400 and "kind" in answer.context["form"].errors


# A promotion of December, however the package is paid (no channel ticked).
PROMOTION = {
    "name": "Zimowa",
    "amount": "18.00",
    "date_from": "2026-12-01",
    "date_to": "2026-12-31",
    "channels": (),
}


def test_a_promotion_is_added_changed_and_deleted_in_the_history(world):
    plans = leaflet(world)
    client = _principal(world)
    answer = client.post(
        reverse("plans:config_promotion_new", args=[plans["single"].pk]),
        _form(PROMOTION, channels=["transfer"]),
    )
    assert answer.status_code == 302
    promotion = Promotion.objects.get(name="Zimowa")
    assert _entries(Promotion, promotion.pk, "create")[0].school_id == world.school.pk
    url = reverse("plans:config_promotion", args=[promotion.pk])
    version = client.get(url).context["version"]
    data = _form(
        PROMOTION, amount="19.00", date_to="2027-01-10", channels=["transfer"], version=version
    )
    assert client.post(url, data).status_code == 302
    entry = _entries(Promotion, promotion.pk, "update")[-1]
    assert entry.changes["amount"] == ["18.00", "19.00"]
    assert entry.changes["date_to"] == ["2026-12-31", "2027-01-10"]
    delete = reverse("plans:config_promotion_delete", args=[promotion.pk])
    assert client.post(delete).status_code == 302
    assert not Promotion.objects.filter(pk=promotion.pk).exists()
    assert _entries(Promotion, promotion.pk, "delete")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "22.00"}, "amount"),  # not lower than the package's 22 zł
        ({"amount": "-1"}, "amount"),
        ({"date_from": "2026-12-31", "date_to": "2026-12-01"}, "date_to"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "1900-01-01"}, "date_from"),
        ({"date_to": "31.13.2026"}, "date_to"),
        ({"channels": ["online"]}, "channels"),  # the siblings' package is not paid online
        ({"name": " "}, "name"),
    ],
)
def test_bad_promotions_answer_400_and_save_nothing(world, changes, field):
    plans = leaflet(world)
    data = _form(PROMOTION, **changes)
    package = plans["siblings"] if field == "channels" else plans["single"]
    before = _state()
    url = reverse("plans:config_promotion_new", args=[package.pk])
    answer = _principal(world).post(url, data)
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert _state() == before


# --- offers -----------------------------------------------------------------------------


# An offer of e-learning for six months, bought within two weeks.
OFFER = {
    "name": "Nowa",
    "entitlement": "elearning",
    "amount": "15.00",
    "validity_months": "6",
    "window_days": "14",
}


def test_an_offer_is_added_changed_and_its_delete_refused_once_bought(world):
    plans = leaflet(world)
    client = _principal(world)
    data = _form(OFFER, name="Korepetycje online")
    assert client.post(reverse("plans:config_offer_new"), data).status_code == 302
    offer = Offer.objects.get(name="Korepetycje online")
    assert _entries(Offer, offer.pk, "create")[0].actor == world.user("principal")
    url = reverse("plans:config_offer", args=[offer.pk])
    data.update(window_days="21", version=client.get(url).context["version"])
    assert client.post(url, data).status_code == 302
    assert _entries(Offer, offer.pk, "update")[-1].changes["window_days"] == [14, 21]
    # the leaflet's offer, bought, stays
    paid_purchase(world, plans["single"], day=WINTER)
    services.offer_purchase_create(
        actor=world.user("own_parent"),
        offer=plans["offer"],
        student=world.student,
        channel="transfer",
        day=WINTER,
    )
    delete = reverse("plans:config_offer_delete", args=[plans["offer"].pk])
    assert client.post(delete).status_code == 400
    assert Offer.objects.filter(pk=plans["offer"].pk).exists()
    assert client.post(reverse("plans:config_offer_delete", args=[offer.pk])).status_code == 302
    assert not Offer.objects.filter(pk=offer.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"entitlement": "grades"}, "entitlement"),  # L-05: the register is not sold
        ({"entitlement": "teleport"}, "entitlement"),
        ({"amount": "12.345"}, "amount"),
        ({"window_days": "0"}, "window_days"),
        ({"window_days": "400"}, "window_days"),
        ({"validity_months": "0"}, "validity_months"),
        ({"name": "E-learning"}, "name"),  # the school has it already
    ],
)
def test_bad_offers_answer_400_and_save_nothing(world, changes, field):
    services.offer_create(
        actor=world.user("principal"),
        name="E-learning",
        entitlement="elearning",
        amount=Decimal("21.00"),
        validity_months=12,
        window_days=30,
    )
    data = _form(OFFER, **changes)
    before = _state()
    answer = _principal(world).post(reverse("plans:config_offer_new"), data)
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert _state() == before


# --- who, whose ------------------------------------------------------------------------


def _other_schools_rows(world):
    other = world.user("other_principal")
    plan, package = _plan_with_package(other, "Obcy", amount="9.00", channels=["transfer"])
    promotion = services.promotion_create(
        actor=other,
        package=package,
        name="Obca",
        amount=Decimal("5.00"),
        date_from=WINTER,
        date_to=WINTER + datetime.timedelta(days=5),
    )
    offer = services.offer_create(
        actor=other,
        name="Obca oferta",
        entitlement="elearning",
        amount=Decimal("3.00"),
        validity_months=12,
        window_days=30,
    )
    return {"plan": plan, "package": package, "promotion": promotion, "offer": offer}


OBJECT_URLS = [
    ("plans:config_plan", "plan_id", "plan"),
    ("plans:config_plan_delete", "plan_id", "plan"),
    ("plans:config_package_new", "plan_id", "plan"),
    ("plans:config_package", "package_id", "package"),
    ("plans:config_package_delete", "package_id", "package"),
    ("plans:config_promotion_new", "package_id", "package"),
    ("plans:config_promotion", "promotion_id", "promotion"),
    ("plans:config_promotion_delete", "promotion_id", "promotion"),
    ("plans:config_offer", "offer_id", "offer"),
    ("plans:config_offer_delete", "offer_id", "offer"),
]


@pytest.mark.parametrize(("name", "keyword", "row"), OBJECT_URLS)
def test_another_schools_rows_and_huge_ids_answer_404(world, name, keyword, row):
    rows = _other_schools_rows(world)
    before = _state()
    client = _principal(world)
    url = reverse(name, kwargs={keyword: rows[row].pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Przejęty", "amount": "1.00"}).status_code == 404
    huge = reverse(name, kwargs={keyword: HUGE})
    assert client.get(huge).status_code == 404
    assert client.post(huge, {"name": "X"}).status_code == 404
    assert _state() == before
    # their own principal opens them
    assert world.client("other_principal").get(url).status_code == 200


@pytest.mark.parametrize(
    "role", ["student", "own_parent", "teacher_in", "class_teacher", "secretary"]
)
def test_the_screens_answer_404_to_everyone_else(world, role):
    plans = leaflet(world)
    client = world.client(role)
    before = _state()
    for url in (
        reverse("plans:config"),
        reverse("plans:config_settings"),
        reverse("plans:config_plan_new"),
        reverse("plans:config_offer_new"),
        reverse("plans:config_plan", args=[plans["extended"].pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "X", "mode": "statutory"}).status_code == 404, url
    assert _state() == before


def test_the_settings_post_matrix(world, matrix):
    url = reverse("plans:config_settings")
    expected = dict(PRINCIPAL_PAGE, principal=302, other_principal=302)
    refused = [r for r in expected if r not in ("principal", "other_principal")]
    data = _form(SETTINGS, vat_rate="8.00")
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    assert not PlanSettings.objects.exists()
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    assert PlanSettings.objects.get().vat_rate == Decimal("8.00")


def test_the_plan_post_matrix(world, matrix):
    plans = leaflet(world)
    url = reverse("plans:config_plan", args=[plans["extended"].pk])
    expected = dict(PRINCIPAL_OBJECT, principal=302)
    data = {"name": "Przejęty", "entitlements": FREE, "validity_months": "3"}
    refused = [r for r in expected if r != "principal"]
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    assert Plan.objects.get(pk=plans["extended"].pk).name != "Przejęty"
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    assert Plan.objects.get(pk=plans["extended"].pk).name == "Przejęty"
