"""The promotion lists: the principal's screens (prepare, the council's decision,
confirm, correct) and the class teacher's view, and the list as a PDF; the students'
grade sheets (*arkusze ocen*) of a class, each or all as a PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.http import content_disposition
from dziennik.core.params import parse_date, parse_int
from dziennik.core.printing import pdf_response
from dziennik.grades import services as grade_services
from dziennik.grades.models import ClassificationGrade

from . import grade_sheets, permissions, selectors, services
from .models import PromotionEntry
from .pdf import grade_sheets_pdf, promotion_list_pdf


@login_required
def index(request):
    viewer = request.viewer
    if not permissions.uses_promotion(viewer):
        raise Http404
    return render(
        request,
        "promotion/index.html",
        {
            "classes": selectors.promotion_classes(viewer),
            "can_manage": permissions.can_manage(viewer),
        },
    )


def _page(request, class_id: int, *, errors=(), data=None, status: int = 200):
    page = selectors.promotion_page(request.viewer, class_id)
    context = {
        "page": page,
        "errors": list(errors),
        "data": data or {},
        "outcomes": PromotionEntry.Outcome.choices,
        "reasons": [c for c in ClassificationGrade.Reason.choices if c[0]],
    }
    return render(request, "promotion/class.html", context, status=status)


@login_required
def class_list(request, class_id: int):
    return _page(request, class_id)


def _managed(request, class_id: int):
    page = selectors.promotion_page(request.viewer, class_id)
    if not page.can_manage:
        raise Http404
    return page.school_class


@login_required
@require_POST
def prepare(request, class_id: int):
    school_class = _managed(request, class_id)
    try:
        services.promotion_list_prepare(actor=request.user, school_class=school_class)
    except ValidationError as exc:
        return _page(request, class_id, errors=exc.messages, status=400)
    messages.success(request, _("The list is prepared from the annual grades."))
    return redirect("promotion:class", class_id=class_id)


@login_required
@require_POST
def decide(request, class_id: int):
    school_class = _managed(request, class_id)
    try:
        services.promotion_decision_record(
            actor=request.user,
            school_class=school_class,
            council_date=parse_date(request.POST.get("council_date")),
            resolution_number=request.POST.get("resolution_number", ""),
        )
    except ValidationError as exc:
        return _page(request, class_id, errors=exc.messages, data=request.POST, status=400)
    messages.success(request, _("The council's decision is recorded."))
    return redirect("promotion:class", class_id=class_id)


@login_required
@require_POST
def confirm(request, class_id: int):
    school_class = _managed(request, class_id)
    try:
        services.promotion_list_confirm(actor=request.user, school_class=school_class)
    except ValidationError as exc:
        return _page(request, class_id, errors=exc.messages, status=400)
    messages.success(request, _("The list is confirmed."))
    return redirect("promotion:class", class_id=class_id)


@login_required
@require_POST
def correct(request, entry_id: int):
    entry = selectors.get_entry_for(request.viewer, entry_id)
    try:
        services.promotion_entry_correct(
            actor=request.user,
            entry=entry,
            outcome=request.POST.get("outcome", ""),
            basis=request.POST.get("basis", ""),
        )
    except ValidationError as exc:
        return _page(
            request, entry.school_class_id, errors=exc.messages, data=request.POST, status=400
        )
    messages.success(request, _("The correction is recorded."))
    return redirect("promotion:class", class_id=entry.school_class_id)


@login_required
@require_POST
def unclassified(request, grade_id: int):
    """The principal records why a student is not classified and the council's
    permission for a classification exam, with its result."""
    grade = selectors.get_unclassified_for(request.viewer, grade_id)
    try:
        grade_services.unclassified_details_set(
            actor=request.user,
            classification_grade=grade,
            reason=request.POST.get("reason", ""),
            reason_text=request.POST.get("reason_text", ""),
            exam_allowed_on=parse_date(request.POST.get("exam_allowed_on")),
            exam_grade=parse_int(request.POST.get("exam_grade"), min_value=1, max_value=6),
        )
    except ValidationError as exc:
        return _page(
            request, grade.school_class_id, errors=exc.messages, data=request.POST, status=400
        )
    messages.success(request, _("Saved."))
    return redirect("promotion:class", class_id=grade.school_class_id)


@login_required
def list_pdf(request, class_id: int):
    page = selectors.promotion_page(request.viewer, class_id)
    if page.promotion_list is None:
        raise Http404
    response = HttpResponse(bytes(promotion_list_pdf(page)), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"promocja-{page.school_class.name}.pdf", inline=True
    )
    return response


@login_required
def sheets(request, class_id: int):
    """The class's students, each with their grade sheet, and all of them at once."""
    class_sheets = grade_sheets.class_students_for(request.viewer, class_id)
    return render(request, "promotion/sheets.html", {"sheets": class_sheets})


@login_required
def sheets_pdf(request, class_id: int):
    class_sheets = grade_sheets.class_sheets_for(request.viewer, class_id)
    return pdf_response(
        grade_sheets_pdf(class_sheets), f"arkusze-ocen-{class_sheets.school_class.name}.pdf"
    )


@login_required
def sheet_pdf(request, class_id: int, student_id: int):
    class_sheets = grade_sheets.student_sheet_for(request.viewer, class_id, student_id)
    student = class_sheets.sheets[0].student
    return pdf_response(
        grade_sheets_pdf(class_sheets),
        f"arkusz-ocen-{student.last_name}-{student.first_name}.pdf",
    )
