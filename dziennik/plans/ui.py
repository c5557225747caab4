"""The plans in the navigation: the family's plan page, the class teacher's activation
lists, the office's lists and revenue report."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer


def nav_items(viewer: Viewer) -> list[NavItem]:
    if viewer.school_id is None or viewer.user_id is None:
        return []
    items = []
    if viewer.child_ids or viewer.student_id:
        items.append(NavItem(_("My plan"), reverse("plans:mine"), order=90, key="plans"))
    if viewer.is_school_wide or viewer.led_class_ids:
        items.append(
            NavItem(
                _("Activation lists"),
                reverse("plans:lists"),
                order=90,
                key="plans-lists",
                group="school",
            )
        )
    if viewer.is_school_wide:
        items.append(
            NavItem(
                _("Activations and revenue"),
                reverse("plans:report"),
                order=91,
                key="plans-report",
                group="school",
            )
        )
    if viewer.is_school_wide:
        items.append(
            NavItem(
                _("Bank statements"),
                reverse("payments:statements"),
                order=92,
                key="payments-statements",
                group="school",
            )
        )
        items.append(
            NavItem(
                _("Online payments"),
                reverse("payments:orders"),
                order=93,
                key="payments-orders",
                group="school",
            )
        )
    if viewer.is_principal:
        items.append(
            NavItem(
                _("The school's bank account"),
                reverse("payments:bank_account"),
                order=94,
                key="payments-account",
                group="school",
            )
        )
    return items
