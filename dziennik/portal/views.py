from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from dziennik.accounts.children import active_child_id, family_vary
from dziennik.core.cache import PageCache, own_data, reads_ahead
from dziennik.core.extensions import collect_home_panels, collect_home_scopes
from dziennik.plans import gating
from dziennik.plans.selectors import school_rules_key
from dziennik.schools import selectors as school_selectors

from . import panels as home_parts


def _family_home_vary(request) -> tuple[str, ...]:
    """The chosen child, and which panels the family's plan refuses now (in the 2012
    model they depend on the client's address and the time: ``plans.gating.home_vary``)."""
    return (*family_vary(request), *gating.home_vary(request))


def _family_home_scopes(request) -> tuple:
    return (
        *school_selectors.family_cache_scopes(request.viewer),
        *collect_home_scopes(request.viewer),
    )


# A family's home shows only its own students' data: kept whole per version of it (staff
# pages mix in their classes' and the school's, and are not kept), and per gate state.
# When it has moved on, its parts still current come from the cache (``panels``).
FAMILY_HOME = PageCache(
    "home",
    authorize=own_data,
    scopes=_family_home_scopes,
    vary=_family_home_vary,
)


def _home_reads(request) -> tuple:
    """What the home page reads from the cache first, with the viewer
    (``core.cache.reads_ahead``): a family's classes and the plan's rules."""
    return (
        school_selectors.family_classes_key(request.user.pk),
        school_rules_key(request.user.school_id),
    )


@login_required
@reads_ahead(_home_reads)
def home(request):
    """The home page per role; apps add their panels through ``<app>/ui.py``.

    Its query count does not depend on how many children, classes or assignments the
    user has (pinned in ``core/tests/test_screens_home.py``).
    """
    viewer = request.viewer
    if (viewer.is_parent or viewer.is_student) and not viewer.is_staff_member:
        return FAMILY_HOME.serve(request, lambda: _render_home(request, viewer))
    return _render_home(request, viewer)


CHILD_H = "child-subjects-h"


def _render_home(request, viewer):
    children, active = [], None
    if viewer.is_parent:
        # The same list as the layout's child switcher (cached with the viewer).
        children = school_selectors.child_options(viewer)
        wanted = active_child_id(request)
        active = next((child for child in children if child.pk == wanted), None)
        if active is not None:  # read with the panels
            home_parts.read_overview_ahead(request, viewer, active.pk, heading_id=CHILD_H)
    if (viewer.is_parent or viewer.is_student) and not viewer.is_staff_member:
        # rendered already, each app's from the cache while still current
        panels = home_parts.family_panels(request, viewer, _family_home_scopes(request))
    else:
        panels = collect_home_panels(request, viewer)
    context = {"panels": panels}
    if viewer.is_parent:
        context.update(children=children, active_child=active)
        if active is not None:
            context["child_overview"] = home_parts.student_overview(
                request,
                viewer,
                active,
                lambda: school_selectors.student_overview(
                    viewer, active.as_student(viewer.school_id)
                ),
                heading_id=CHILD_H,
            )
    if viewer.is_student:
        me = school_selectors.get_student_for(viewer, viewer.student_id)
        context["me"] = me
        context["my_overview"] = home_parts.student_overview(
            request,
            viewer,
            me,
            lambda: school_selectors.student_overview(viewer, me),
            heading_id="my-subjects-h",
        )
    if viewer.is_staff_member:
        context["my_assignments"] = list(school_selectors.teacher_assignments(viewer))
        context["my_led_classes"] = list(
            school_selectors.class_list(viewer).filter(pk__in=viewer.led_class_ids)
        )
    if viewer.is_school_wide:
        context["overview"] = school_selectors.school_overview(viewer)
        context["current_term"] = school_selectors.current_term(viewer.school_id)
        context["class_overview"] = school_selectors.class_overview(viewer)
    return render(request, "portal/home.html", context)


def healthz(request):
    """A trivial page on the full stack (also the benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")
