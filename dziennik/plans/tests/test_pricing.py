"""Every price rule of the leaflet's configuration, and the date arithmetic of validity
(property-based)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dziennik.plans import pricing
from dziennik.plans.models import Channel
from dziennik.plans.services import leaflet_configuration

VAT = Decimal("23.00")
# A loaded test machine draws slowly; the rules, not the speed, are under test.
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
days = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31))


@pytest.fixture
def leaflet(world):
    return leaflet_configuration(school=world.school, year_start=2026)


def _price(package, channel, day):
    return pricing.quote(package, channel=channel, day=day, vat_rate=VAT)


def test_single_and_sibling_prices_outside_the_promotion(leaflet):
    november = datetime.date(2026, 11, 15)
    assert _price(leaflet["single"], Channel.ONLINE, november).amount == Decimal("22.00")
    assert _price(leaflet["single"], Channel.SCHOOL, november).amount == Decimal("22.00")
    assert _price(leaflet["siblings"], Channel.TRANSFER, november).amount == Decimal("32.00")
    assert _price(leaflet["siblings"], Channel.SCHOOL, november).promotion == ""


@pytest.mark.parametrize(
    ("day", "channel", "single", "siblings"),
    [
        (datetime.date(2026, 9, 1), Channel.SCHOOL, "20.00", "30.00"),  # first day
        (datetime.date(2026, 10, 31), Channel.SCHOOL, "20.00", "30.00"),  # last day
        (datetime.date(2026, 8, 31), Channel.SCHOOL, "22.00", "32.00"),  # the day before
        (datetime.date(2026, 11, 1), Channel.SCHOOL, "22.00", "32.00"),  # the day after
        (datetime.date(2026, 9, 15), Channel.TRANSFER, "22.00", "32.00"),  # not at school
        (datetime.date(2027, 9, 15), Channel.SCHOOL, "22.00", "32.00"),  # the next year
    ],
)
def test_the_autumn_promotion_only_in_its_dates_and_at_school(
    leaflet, day, channel, single, siblings
):
    assert _price(leaflet["single"], channel, day).amount == Decimal(single)
    assert _price(leaflet["siblings"], channel, day).amount == Decimal(siblings)


def test_the_promotion_names_itself_on_the_quote(leaflet):
    quote = _price(leaflet["single"], Channel.SCHOOL, datetime.date(2026, 9, 10))
    assert quote.promotion == "Jesień w szkole"


def test_the_sibling_package_cannot_be_paid_online(leaflet):
    with pytest.raises(pricing.NotPayable, match="nie może być opłacony"):
        _price(leaflet["siblings"], Channel.ONLINE, datetime.date(2026, 11, 1))


def test_vat_is_split_from_the_gross_price_to_the_grosz(leaflet):
    quote = _price(leaflet["single"], Channel.ONLINE, datetime.date(2026, 11, 1))
    assert (quote.amount, quote.net, quote.vat) == (
        Decimal("22.00"),
        Decimal("17.89"),
        Decimal("4.11"),
    )
    assert pricing.split_vat(Decimal("32.00"), Decimal("0")).vat == Decimal("0.00")


def test_the_elearning_offer_inside_and_outside_its_30_days(leaflet):
    offer = leaflet["offer"]
    activated = datetime.date(2026, 9, 20)
    for day in (activated, activated + datetime.timedelta(days=29)):
        quote = pricing.offer_quote(offer, activated=activated, day=day, vat_rate=VAT)
        assert quote.amount == Decimal("21.00")
    for day in (activated - datetime.timedelta(days=1), activated + datetime.timedelta(days=30)):
        with pytest.raises(pricing.NotPayable, match=r"19\.10\.2026"):
            pricing.offer_quote(offer, activated=activated, day=day, vat_rate=VAT)


@pytest.mark.parametrize(
    ("activated", "months", "last"),
    [
        (datetime.date(2026, 9, 15), 12, datetime.date(2027, 9, 14)),
        (datetime.date(2026, 9, 1), 12, datetime.date(2027, 8, 31)),
        (datetime.date(2027, 1, 31), 1, datetime.date(2027, 2, 28)),  # no 31 February
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),  # leap day
        (datetime.date(2026, 12, 31), 12, datetime.date(2027, 12, 30)),
    ],
)
def test_access_ends_on_known_days(activated, months, last):
    assert pricing.access_ends(activated, months) == last


@relaxed
@given(days, st.integers(min_value=1, max_value=36))
def test_access_lasts_at_least_the_months_paid_for(activated, months):
    last = pricing.access_ends(activated, months)
    assert last >= activated
    # never shorter than the calendar: each month has at least 28 days
    assert (last - activated).days + 1 >= 28 * months
    # and not more than a month's worth longer than the shortest reading
    assert (last - activated).days + 1 <= 31 * months


@relaxed
@given(days, days, st.integers(min_value=1, max_value=36))
def test_a_later_activation_never_ends_sooner(first, second, months):
    early, late = sorted((first, second))
    assert pricing.access_ends(early, months) <= pricing.access_ends(late, months)


@relaxed
@given(days, st.integers(min_value=1, max_value=35))
def test_a_longer_purchase_never_ends_sooner(activated, months):
    assert pricing.access_ends(activated, months) < pricing.access_ends(activated, months + 1)


@relaxed
@given(
    st.integers(min_value=1, max_value=28).flatmap(
        lambda d: st.tuples(st.just(d), st.integers(2000, 2100), st.integers(1, 12))
    ),
    st.integers(min_value=1, max_value=36),
)
def test_a_day_every_month_has_ends_the_day_before_the_same_day(parts, months):
    day, year, month = parts
    activated = datetime.date(year, month, day)
    last = pricing.access_ends(activated, months)
    following = last + datetime.timedelta(days=1)
    assert following.day == day
    assert (following.year * 12 + following.month) - (year * 12 + month) == months
