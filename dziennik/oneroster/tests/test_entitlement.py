"""The leaflet's e-learning offer switches a family's platform access on: on a platform
that needs the e-learning entitlement, a family logs in (single sign-on) and is in the
roster (CSV and API) only once its plan includes the platform; staff always."""

from decimal import Decimal

import pytest
from django.utils import timezone

from dziennik.oneroster import selectors
from dziennik.plans import services as plans_services
from dziennik.plans.models import Channel
from dziennik.plans.tests.factories import leaflet, paid_purchase
from dziennik.schools.viewer import get_viewer
from dziennik.sso import claims as sso_claims
from dziennik.sso import permissions as sso_permissions

from .factories import ROSTERING, access_token, api_get, roster_client


@pytest.fixture
def plans(world):
    return leaflet(world)


def _buy_elearning(world, plans, day):
    """Zofia's parent activates the extended plan, then buys the e-learning offer
    within its 30 days (the plans' own rule) and pays it."""
    paid_purchase(world, plans["single"], day=day)
    purchase = plans_services.offer_purchase_create(
        actor=world.user("own_parent"),
        offer=plans["offer"],
        student=world.student,
        channel=Channel.ONLINE,
        day=day,
    )
    plans_services.payment_record(
        actor=None,
        purchase=purchase,
        channel=Channel.ONLINE,
        amount=Decimal("21.00"),
        external_ref="EL-1",
        received_on=day,
    )


def _names(roster) -> set[str]:
    return {u["givenName"] for u in roster.users}


def test_a_platform_that_needs_the_entitlement_rosters_only_entitled_families(world, plans):
    today = timezone.localdate()
    client, secret = roster_client(world, needs_elearning=True)
    platform = client.platform
    staff = {"Tomasz", "Ewa", "Grażyna", "Halina"}
    before = selectors.school_roster(school=world.school, platform=platform)
    assert _names(before) == staff  # no pupil, no parent yet
    everyone = selectors.school_roster(school=world.school)  # the school's own export
    assert {"Zofia", "Kacper", "Anna", "Marek"} <= _names(everyone)

    token = access_token(client, secret)

    def students():
        return sorted(
            u["givenName"] for u in api_get(ROSTERING + "students", token).json()["users"]
        )

    assert students() == []
    # Unmarked, the platform gets every family; marked again, none (no answer of the
    # other setting is served from the cache).
    platform.needs_elearning = False
    platform.save(update_fields=["needs_elearning"])
    assert students() == ["Kacper", "Zofia"]
    platform.needs_elearning = True
    platform.save(update_fields=["needs_elearning"])
    assert students() == []

    _buy_elearning(world, plans, today)
    after = selectors.school_roster(school=world.school, platform=platform)
    assert _names(after) == staff | {"Zofia", "Anna"}  # Kacper's family did not buy it
    # The API's answer before the purchase is not served again (an access is no change
    # of the school's structure, the entitled families are part of its key).
    assert students() == ["Zofia"]


def test_a_family_logs_in_only_with_the_entitlement_staff_always(world, plans):
    today = timezone.localdate()
    client, _secret = roster_client(world, needs_elearning=True)
    platform = client.platform

    def refusal(role):
        return sso_permissions.login_refusal(platform, get_viewer(world.user(role)))

    assert refusal("teacher_in") is None and refusal("principal") is None
    for role in ("own_parent", "student", "other_parent"):
        assert refusal(role) is not None, role
    _buy_elearning(world, plans, today)
    assert refusal("own_parent") is None and refusal("student") is None
    assert refusal("other_parent") is not None
    # A platform not marked lets every family in.
    platform.needs_elearning = False
    platform.save(update_fields=["needs_elearning"])
    assert refusal("other_parent") is None


def test_the_classes_claim_names_only_the_entitled_childrens_classes(world, plans):
    """Anna's Zofia (4a) has no e-learning yet: the claim names no class; once bought,
    4a; on a platform without the mark, 4a whatever the plan."""
    client, _secret = roster_client(world, needs_elearning=True)
    platform = client.platform
    anna = world.user("own_parent")

    def classes():
        viewer = get_viewer(anna)
        return {c["name"] for c in sso_claims.claims_for(platform, anna, viewer)["classes"]}

    assert classes() == set()
    platform.needs_elearning = False
    platform.save(update_fields=["needs_elearning"])
    assert classes() == {world.school_class.name}
    platform.needs_elearning = True
    platform.save(update_fields=["needs_elearning"])
    _buy_elearning(world, plans, timezone.localdate())
    assert classes() == {world.school_class.name}
