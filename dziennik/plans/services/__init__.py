"""Writes of the plans app: the school's configuration (``configuration``) and the
families' purchases, payments and accesses (``purchases``)."""

from .configuration import (
    check_free_plan,
    check_mode,
    leaflet_configuration,
    plan_settings_update,
)
from .purchases import (
    family_children,
    last_activation,
    offer_purchase_create,
    paid_total,
    payment_record,
    purchase_activate,
    purchase_cancel,
    purchase_create,
    refund_record,
    vat_rate_of,
)

__all__ = [
    "check_free_plan",
    "check_mode",
    "family_children",
    "last_activation",
    "leaflet_configuration",
    "offer_purchase_create",
    "paid_total",
    "payment_record",
    "plan_settings_update",
    "purchase_activate",
    "purchase_cancel",
    "purchase_create",
    "refund_record",
    "vat_rate_of",
]
