"""The principal's screens of the year close: thin, the rules are in the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.forms import add_service_errors

from . import builder, permissions, selectors, services
from .forms import CloseForm, CorrectionForm
from .models import YearArchive


@login_required
def index(request):
    """The school's years: the current one's close, and each year's archives."""
    viewer = request.viewer
    if not permissions.may_close(viewer, viewer.school_id):
        raise Http404
    year = selectors.current_school_year(viewer)
    if year is None:
        raise Http404
    return redirect("archive:close", school_year_id=year.pk)


def _close_page(request, school_year, form, correction_form, status=200):
    viewer = request.viewer
    return render(
        request,
        "archive/close.html",
        {
            "school_year": school_year,
            "checks": selectors.year_close_checks(viewer, school_year),
            "archives": selectors.year_archives(viewer, school_year),
            "deadline": selectors.deadline(school_year),
            "form": form,
            "correction_form": correction_form,
        },
        status=status,
    )


@login_required
def close(request, school_year_id: int):
    """The checks of the year, and its close: with nothing missing, or with a reason."""
    school_year = selectors.get_school_year_for(request.viewer, school_year_id)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            archive = services.year_close_start(
                actor=request.user,
                school_year=school_year,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("archive:archive", archive_id=archive.pk)
    status = 400 if form.errors else 200
    return _close_page(request, school_year, form, CorrectionForm(), status)


@login_required
@require_POST
def correction(request, school_year_id: int):
    """The principal opens a documented correction of the closed year."""
    school_year = selectors.get_school_year_for(request.viewer, school_year_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.year_correction_open(
                actor=request.user, school_year=school_year, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The correction is open: you may change the register of the year. Close "
                    "the year again when you are done; a new signed archive is written."
                ),
            )
            return redirect("archive:close", school_year_id=school_year.pk)
    return _close_page(request, school_year, CloseForm(), form, status=400)


@login_required
def archive(request, archive_id: int):
    """The progress of an archive; htmx polls its status part until it is done."""
    item = selectors.get_archive_for(request.viewer, archive_id)
    context = {
        "archive": item,
        "progress": builder.archive_progress(item.pk),
        "statuses": YearArchive.Status,
    }
    if request.htmx:
        return render(request, "archive/_status.html", context)
    return render(request, "archive/archive.html", context)


@login_required
def download(request, archive_id: int):
    """The archive file (zip), for the principal."""
    item = selectors.get_archive_for(request.viewer, archive_id)
    if item.status != YearArchive.Status.DONE:
        raise Http404
    try:
        handle = builder.archive_file(item).open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=builder.archive_file(item).name,
        content_type="application/zip",
    )
