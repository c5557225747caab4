from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dziennik.schools.viewer import get_viewer

from . import selectors


@login_required
def class_list(request):
    viewer = get_viewer(request.user)
    classes = selectors.class_list(viewer)
    return render(request, "schools/class_list.html", {"classes": classes})


@login_required
def class_detail(request, class_id: int):
    viewer = get_viewer(request.user)
    school_class = selectors.get_class_for(viewer, class_id)
    enrolments = selectors.class_students(viewer, school_class)
    return render(
        request,
        "schools/class_detail.html",
        {
            "school_class": school_class,
            "enrolments": enrolments,
            "can_manage": viewer.leads_class(school_class.pk) or viewer.is_school_wide,
        },
    )


@login_required
def student_detail(request, student_id: int):
    viewer = get_viewer(request.user)
    student = selectors.get_student_for(viewer, student_id)
    return render(
        request,
        "schools/student_detail.html",
        {
            "student": student,
            "enrolment": selectors.current_enrolment(student),
            "guardianships": selectors.student_guardianships(viewer, student),
        },
    )
