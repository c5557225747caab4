from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.accounts.children import active_child_id
from dziennik.core.cache import app_scopes, config_scope
from dziennik.core.extensions import HomePanel, NavItem
from dziennik.plans import entitlements, gating
from dziennik.schools import selectors as school_selectors
from dziennik.schools.viewer import Viewer

from . import permissions
from .selectors import recent_grades


def nav_items(viewer: Viewer) -> list[NavItem]:
    items = []
    if permissions.has_own_grades(viewer):
        items.append(NavItem(_("Grades"), reverse("grades:index"), order=30, key="grades"))
    if permissions.has_gradebooks(viewer):
        items.append(
            NavItem(_("Gradebook"), reverse("grades:gradebook_list"), order=31, key="gradebook")
        )
    return items


def home_panels(request, viewer: Viewer) -> list[HomePanel]:
    """Parents and students: the newest grades of the active child. Class teachers: the
    way to their class's grade summary, beside the attendance of their class."""
    if viewer.is_class_teacher and not permissions.has_own_grades(viewer):
        return [
            HomePanel(
                template="grades/_class_teacher_panel.html",
                context={"class_ids": sorted(viewer.led_class_ids)},
                order=21,
            )
        ]
    if not permissions.has_own_grades(viewer):
        return []

    student_id = active_child_id(request)
    if student_id is None:
        return []
    refused = gating.home_refusals(request).get((student_id, entitlements.GRADES))
    if refused is not None:
        # the family's plan does not show grades here and now: say why, show none
        return [gating.home_panel([refused])]
    grades = recent_grades(viewer, student_id)
    if not grades:
        return []  # the home page shows its own "nothing new yet"
    return [
        HomePanel(
            template="grades/_home_panel.html",
            context={"student_id": student_id, "grades": grades},
            order=30,
        )
    ]


def home_panel_scopes(request, viewer: Viewer) -> list[tuple]:
    """The chosen child's newest grades: the school's configuration, the child and their
    family's classes' register data (a grade moves the child's scope)."""
    student_id = active_child_id(request)
    if student_id is None:
        return [config_scope(viewer.school_id)]
    return list(app_scopes("grades", school_selectors.child_cache_scopes(viewer, student_id)))
