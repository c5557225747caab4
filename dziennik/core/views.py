from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from dziennik.schools import selectors as school_selectors

from .extensions import collect_home_panels
from .viewer import get_viewer


@login_required
def home(request):
    """The home page per role; apps add their panels through ``<app>/ui.py``."""
    viewer = get_viewer(request.user)
    context = {"panels": collect_home_panels(request, viewer)}
    if viewer.is_staff_member:
        context["my_assignments"] = school_selectors.teacher_assignments(viewer)
        context["my_led_classes"] = school_selectors.class_list(viewer).filter(
            pk__in=viewer.led_class_ids
        )
    if viewer.is_school_wide:
        context["overview"] = school_selectors.school_overview(viewer)
    return render(request, "core/home.html", context)


def healthz(request):
    """A trivial page on the full stack (also the benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")
