"""Prices and validity: pure rules over the plan rows (no writes, no queries beyond the
rows given), so every rule is tested on its own (``tests/test_pricing.py``).

- ``access_ends(activated, months)``: the last day of access of a purchase activated on
  ``activated`` and lasting ``months``: the day before the same day ``months`` later;
  when that month is too short for the day (31 January + 1 month), access lasts to the
  end of that month – never shorter than the months paid for.
- ``quote(package, channel=, day=, vat_rate=)``: the price of a package paid through a
  channel on a day – the lowest applicable promotion's, else the package's – with its
  net amount and VAT (prices are gross; grosze rounded half up). A channel the package
  may not use is refused (``NotPayable``), e.g. the sibling package online.
- ``offer_quote(offer, activated=, day=, vat_rate=)``: an add-on's price, only within its
  window after the activation.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .models import Channel, Offer, Package

GROSZ = Decimal("0.01")


class NotPayable(ValueError):
    """The package or offer cannot be bought so: the message says why, for the person."""


@dataclass(frozen=True)
class Quote:
    amount: Decimal  # gross, what the family pays
    net: Decimal
    vat: Decimal
    promotion: str = ""  # the promotion's name when one applies


def _month_add(day: datetime.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + (day.month - 1) + months
    return index // 12, index % 12 + 1


def access_ends(activated: datetime.date, months: int) -> datetime.date:
    """The last day of access (inclusive); see the module's docstring."""
    if months < 1:
        raise ValueError("months must be positive")
    year, month = _month_add(activated, months)
    last = calendar.monthrange(year, month)[1]
    if activated.day > last:
        return datetime.date(year, month, last)
    return datetime.date(year, month, activated.day) - datetime.timedelta(days=1)


def split_vat(gross: Decimal, vat_rate: Decimal) -> Quote:
    gross = gross.quantize(GROSZ)
    net = (gross * 100 / (100 + vat_rate)).quantize(GROSZ, rounding=ROUND_HALF_UP)
    return Quote(amount=gross, net=net, vat=gross - net)


def quote(package: Package, *, channel: str, day: datetime.date, vat_rate: Decimal) -> Quote:
    """The price of ``package`` paid through ``channel`` on ``day`` (promotions are read
    from ``package.promotions.all()``: prefetch them for many packages)."""
    if channel not in package.channels:
        raise NotPayable(
            _("The package %(package)s cannot be paid this way (%(channel)s).")
            % {"package": package, "channel": Channel(channel).label}
        )
    applicable = [
        promotion
        for promotion in package.promotions.all()
        if promotion.date_from <= day <= promotion.date_to
        and (not promotion.channels or channel in promotion.channels)
    ]
    best = min(applicable, key=lambda promotion: promotion.amount, default=None)
    if best is None or best.amount >= package.amount:
        return split_vat(package.amount, vat_rate)
    price = split_vat(best.amount, vat_rate)
    return Quote(amount=price.amount, net=price.net, vat=price.vat, promotion=best.name)


def offer_open_until(offer: Offer, activated: datetime.date) -> datetime.date:
    """The last day the offer may be bought: ``window_days`` days from the activation,
    the activation day being the first."""
    return activated + datetime.timedelta(days=offer.window_days - 1)


def offer_quote(
    offer: Offer, *, activated: datetime.date, day: datetime.date, vat_rate: Decimal
) -> Quote:
    if not activated <= day <= offer_open_until(offer, activated):
        raise NotPayable(
            _("%(offer)s could be bought within %(days)s days of the activation (until %(day)s).")
            % {
                "offer": offer.name,
                "days": offer.window_days,
                "day": offer_open_until(offer, activated).strftime("%d.%m.%Y"),
            }
        )
    return split_vat(offer.amount, vat_rate)
