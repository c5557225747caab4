"""The plans in the navigation: the family's plan page, the office's activation lists and
revenue report; for a class teacher, a link to the activation lists on the class's grade
summary (their top bar stays one row)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dziennik.core.extensions import NavItem
from dziennik.schools.viewer import Viewer

# The school menu's plan pages: (label, URL name, order, key), for the school office;
# the bank account and the plans' configuration for the principal only.
OFFICE_PAGES = (
    (_lazy("Activation lists"), "plans:lists", 90, "plans-lists"),
    (_lazy("Activations and revenue"), "plans:report", 91, "plans-report"),
    (_lazy("Bank statements"), "payments:statements", 92, "payments-statements"),
    (_lazy("Online payments"), "payments:orders", 93, "payments-orders"),
)
PRINCIPAL_PAGES = (
    (_lazy("The school's bank account"), "payments:bank_account", 94, "payments-account"),
    (_lazy("Plans and prices"), "plans:config", 95, "plans-config"),
)


def nav_items(viewer: Viewer) -> list[NavItem]:
    if viewer.school_id is None or viewer.user_id is None:
        return []
    items = []
    if viewer.child_ids or viewer.student_id:
        items.append(NavItem(_("My plan"), reverse("plans:mine"), order=90, key="plans"))
    pages = (OFFICE_PAGES if viewer.is_school_wide else ()) + (
        PRINCIPAL_PAGES if viewer.is_principal else ()
    )
    items += [
        NavItem(str(label), reverse(name), order=order, key=key, group="school")
        for label, name, order, key in pages
    ]
    return items


def related_links(viewer: Viewer, place: str, obj) -> list[NavItem]:
    """The grade summary of a class the viewer leads links its activation lists."""
    if place != "class_grade_summary" or obj.pk not in viewer.led_class_ids:
        return []
    return [NavItem(_("Activation lists"), reverse("plans:lists"), key="plans-lists")]
