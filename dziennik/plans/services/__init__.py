"""Writes of the plans app: the school's configuration (``configuration``) and the
families' purchases, payments and accesses (``purchases``)."""

from .activation import (
    activation_list_confirm,
    activation_list_create,
    activation_list_return,
    activation_list_save,
    activation_list_send,
)
from .configuration import (
    check_free_plan,
    check_mode,
    leaflet_configuration,
    plan_settings_update,
)
from .purchases import (
    family_children,
    last_activation,
    new_payment_title,
    offer_purchase_create,
    paid_total,
    payment_record,
    purchase_activate,
    purchase_cancel,
    purchase_create,
    receipt_fields,
    refund_record,
    vat_rate_of,
)

__all__ = [
    "activation_list_confirm",
    "activation_list_create",
    "activation_list_return",
    "activation_list_save",
    "activation_list_send",
    "check_free_plan",
    "check_mode",
    "family_children",
    "last_activation",
    "leaflet_configuration",
    "new_payment_title",
    "offer_purchase_create",
    "paid_total",
    "payment_record",
    "plan_settings_update",
    "purchase_activate",
    "purchase_cancel",
    "purchase_create",
    "receipt_fields",
    "refund_record",
    "vat_rate_of",
]
