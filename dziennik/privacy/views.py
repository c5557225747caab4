"""Data-subject rights' pages: thin, the rules are in ``permissions`` and ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.forms import add_service_errors
from dziennik.core.http import content_disposition
from dziennik.core.printing import pdf_response
from dziennik.schools.models import School

from . import export, export_jobs, permissions, selectors, services
from .forms import AnswerForm, PeopleSearchForm, RectificationForm
from .models import DataExport, RectificationRequest

FORMATS = ("json", "pdf")


@login_required
def index(request):
    """My data: the exports, the rectification requests, the read logs of the family."""
    viewer = request.viewer
    if viewer.school_id is None:
        raise Http404
    students = selectors.own_students(viewer)
    return render(
        request,
        "privacy/index.html",
        {
            "own_student_id": viewer.student_id,
            "children": [s for s in students if s.pk != viewer.student_id],
            "family_students": students,
            "own_requests": selectors.own_requests(viewer),
            "handles_requests": permissions.handles_requests(viewer),
            "may_export_anyone": permissions.may_export_anyone(viewer),
        },
    )


def _school_name(school_id) -> str:
    return School.objects.filter(pk=school_id).values_list("name", flat=True).first() or ""


def _send(request, subject, filename: str):
    """The JSON export, written in the request (fast)."""
    content = export.as_json(subject, school_name=_school_name(request.viewer.school_id))
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"{filename}.json")
    response["Cache-Control"] = "no-store, private"
    return response


def _export(request, fmt: str, user, student, subject):
    """JSON at once; a PDF is queued for the worker and its page shows when it is ready."""
    if fmt == "pdf":
        row = export_jobs.export_pdf_start(
            actor=request.user, user=user, student=student, language=get_language() or ""
        )
        return redirect("privacy:export_job", export_id=row.pk)
    services.export_record(actor=request.user, fmt=fmt, user=user, student=student)
    return _send(request, subject, _filename(subject.name))


def _filename(name: str) -> str:
    return f"dane-osobowe-{name}-{timezone.localdate():%Y-%m-%d}".replace(" ", "-")


@login_required
@require_POST
def export_user(request, user_id: int, fmt: str):
    """An account's data (with its student and guardian profiles): the person themself,
    or the principal for anyone of the school (recorded)."""
    if fmt not in FORMATS:
        raise Http404
    user, subject = selectors.export_user(request.viewer, user_id)
    return _export(request, fmt, user, subject.student, subject)


@login_required
@require_POST
def export_student(request, student_id: int, fmt: str):
    """A student's data: the student, a parent with access, or the principal (recorded)."""
    if fmt not in FORMATS:
        raise Http404
    student, subject = selectors.export_student(request.viewer, student_id)
    return _export(request, fmt, subject.user, student, subject)


@login_required
def export_job(request, export_id: int):
    """The PDF export's progress; htmx polls its status part until it is ready."""
    row = export_jobs.get_export_for(request.viewer, export_id)
    context = {"export": row, "statuses": DataExport.Status}
    if request.htmx:
        return render(request, "privacy/_export_job_status.html", context)
    return render(request, "privacy/export_job.html", context)


@login_required
@require_POST
def export_download(request, export_id: int):
    """The built PDF, for the person who asked for it."""
    row, content = services.export_content(actor=request.user, export_id=export_id)
    name = row.student.full_name if row.student_id else row.user.get_full_name() or "konto"
    response = pdf_response(content, f"{_filename(name)}.pdf", inline=False)
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def people(request):
    """The principal finds whose data to export."""
    viewer = request.viewer
    if not permissions.may_export_anyone(viewer):
        raise Http404
    form = PeopleSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    students, users = selectors.people(viewer, query)
    return render(
        request,
        "privacy/people.html",
        {"form": form, "query": query, "students": students, "users": users},
    )


@login_required
def reads(request, student_id: int):
    """Who viewed or changed the data of a student of the family (*Kto przeglądał dane*)."""
    viewer = request.viewer
    student = selectors.family_student(viewer, student_id)
    return render(
        request,
        "privacy/reads.html",
        {
            "student": student,
            "reads": selectors.reads_page(viewer, student, request.GET.get("odczyty")),
            "changes": selectors.changes_page(viewer, student, request.GET.get("zmiany")),
        },
    )


@login_required
def request_new(request):
    viewer = request.viewer
    if not permissions.may_file_request(viewer):
        raise Http404
    form = RectificationForm(
        request.POST or None,
        students=selectors.own_students(viewer),
        own_student_id=viewer.student_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.rectification_file(
                actor=request.user,
                student_id=form.student_id(),
                data=form.cleaned_data["data"],
                wrong=form.cleaned_data["wrong"],
                correct=form.cleaned_data["correct"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your request has been sent to the school office."))
            return redirect("privacy:request", request_id=filed.pk)
    return render(
        request, "privacy/request_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def requests_list(request):
    """The school office's tracked list of requests, open ones by status."""
    viewer = request.viewer
    status = request.GET.get("status", "")
    if status not in RectificationRequest.Status.values:
        status = ""
    page = selectors.office_requests(viewer, status, request.GET.get("strona"))
    return render(
        request,
        "privacy/requests.html",
        {"page": page, "status": status, "statuses": RectificationRequest.Status.choices},
    )


@login_required
def request_page(request, request_id: int):
    """A request: the requester sees its status and answer; the office answers it."""
    viewer = request.viewer
    found = selectors.request_for(viewer, request_id)
    may_answer = permissions.requests.allows(viewer, "answer", found) and found.is_open
    form = AnswerForm(request.POST or None) if may_answer else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.rectification_answer(
                    actor=request.user,
                    request_id=found.pk,
                    status=form.cleaned_data["status"],
                    answer=form.cleaned_data["answer"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The request has been updated."))
                return redirect("privacy:request", request_id=found.pk)
    return render(
        request,
        "privacy/request.html",
        {"item": found, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
