import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dziennik.core.extensions import collect_related_links

from . import permissions, selectors


@login_required
def class_list(request):
    classes = selectors.class_list(request.viewer)
    return render(request, "schools/class_list.html", {"classes": classes})


@login_required
def class_detail(request, class_id: int):
    viewer = request.viewer
    school_class = selectors.get_class_for(viewer, class_id)
    enrolments = selectors.class_students(viewer, school_class)
    return render(
        request,
        "schools/class_detail.html",
        {
            "school_class": school_class,
            "enrolments": enrolments,
            "can_manage": permissions.classes.allows(viewer, "manage", school_class),
        },
    )


@login_required
def student_detail(request, student_id: int):
    viewer = request.viewer
    student = selectors.get_student_for(viewer, student_id)
    return render(
        request,
        "schools/student_detail.html",
        {
            "student": student,
            "enrolment": selectors.current_enrolment(student),
            "guardianships": selectors.student_guardianships(viewer, student),
            # what the apps above keep about the student (behaviour notes…)
            "related": collect_related_links(viewer, "student", student),
        },
    )


# The crest's file types a browser shows as an image (never SVG: it can carry scripts).
CREST_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}


@require_GET
def crest(request):
    """The crest of the school on the login page (public, like the page itself)."""
    school = selectors.login_school()
    if school is None or not school.crest:
        raise Http404
    content_type = mimetypes.guess_type(school.crest.name)[0]
    if content_type not in CREST_TYPES:
        raise Http404
    try:
        handle = school.crest.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response
