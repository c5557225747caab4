"""The printing page: what the viewer may print, their printouts with their progress,
and the download of a finished one (its requester and the principal only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.http import content_disposition
from dziennik.core.params import query_id

from . import jobs, permissions, selectors, services
from .models import PrintJob


@login_required
def index(request):
    viewer = request.viewer
    if not permissions.may_print(viewer):
        raise Http404
    years = selectors.years_for(viewer)
    year_id = query_id(request.GET, "year")  # not a plain id: the same 404 as a missing one
    year = next((y for y in years if y.pk == year_id), None) if year_id else None
    if year_id and year is None:
        raise Http404
    year = year or (years[0] if years else None)
    jobs_list = selectors.jobs_for(viewer)
    context = {
        "year": year,
        "years": years,
        "rows": selectors.class_rows(viewer, year) if year else [],
        "school_wide": permissions.is_office(viewer),
        "jobs": jobs_list,
        "active": any(job.status in PrintJob.ACTIVE for job in jobs_list),
        "statuses": PrintJob.Status,
        "kinds": PrintJob.Kind,
    }
    if request.htmx:
        return render(request, "printing/_jobs.html", context)
    return render(request, "printing/index.html", context)


def _started(request, job: PrintJob, started: bool):
    if not started:
        messages.info(request, _("This printout is already being prepared."))
    return redirect("printing:job", job_id=job.pk)


@login_required
@require_POST
def class_start(request, class_id: int, kind: str):
    """Start a class's register or class teacher's pages in the background."""
    if kind not in (PrintJob.Kind.REGISTER, PrintJob.Kind.CLASS_TEACHER):
        raise Http404
    school_class = selectors.class_of(request.viewer, class_id)
    if kind not in [a.kind for a in permissions.allowed_for_class(request.viewer, school_class)]:
        raise Http404
    job, started = jobs.job_start(
        actor=request.user,
        kind=kind,
        school_year=school_class.school_year,
        school_class=school_class,
    )
    return _started(request, job, started)


@login_required
@require_POST
def school_start(request, year_id: int):
    """Start the whole school's printout of the year (a ZIP of every class's journals)."""
    year = selectors.year_of(request.viewer, year_id)
    if not permissions.may_print_school(request.viewer, year.school_id):
        raise Http404
    job, started = jobs.job_start(actor=request.user, kind=PrintJob.Kind.SCHOOL, school_year=year)
    return _started(request, job, started)


@login_required
def job(request, job_id: int):
    """A printout's progress; htmx polls its status part until it is done."""
    found = selectors.get_job_for(request.viewer, job_id)
    context = {"job": found, "statuses": PrintJob.Status}
    if request.htmx:
        return render(request, "printing/_job_status.html", context)
    return render(request, "printing/job.html", context)


@login_required
@require_POST
def download(request, job_id: int):
    """The finished printout, for its requester or the principal; recorded."""
    found = selectors.get_job_for(request.viewer, job_id)
    if found.status != PrintJob.Status.READY or not found.file:
        raise Http404
    services.job_downloaded(actor=request.user, job=found)
    what = found.school_class.name if found.school_class_id else found.school_year.name
    suffix = "zip" if found.is_zip else "pdf"
    response = FileResponse(
        found.file.open("rb"),
        content_type="application/zip" if found.is_zip else "application/pdf",
    )
    filename = f"wydruk-{found.kind}-{what}.{suffix}".replace("/", "-").replace(" ", "-")
    response["Content-Disposition"] = content_disposition(filename)
    # The register holds personal data: never kept by a cache on the way.
    response["Cache-Control"] = "no-store, private"
    return response
