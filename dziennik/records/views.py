"""The principal's records page: the register as XML for a class (at once) or for the
whole school (in the background, with its status on the page)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.http import content_disposition
from dziennik.core.params import query_id

from . import jobs, selectors, services
from .models import RegisterExport
from .permissions import may_export
from .xml_export import SCHEMA_VERSION, Scope, export_filename


def _xml_response(handle, filename: str) -> FileResponse:
    response = FileResponse(handle, content_type="application/xml")
    response["Content-Disposition"] = content_disposition(filename)
    # The register holds personal data: never kept by a cache on the way.
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def index(request):
    viewer = request.viewer
    if not may_export(viewer):
        raise Http404
    year_id = query_id(request.GET, "year")  # not a plain id: the same 404 as a missing one
    years = list(selectors.years_for(viewer))
    # The chosen year, else the newest; a school without one has nothing to export yet.
    year = next((y for y in years if y.pk == year_id), None) if year_id else None
    if year_id and year is None:
        raise Http404
    year = year or (years[0] if years else None)
    exports = selectors.recent_exports(viewer)
    context = {
        "year": year,
        "years": years,
        "classes": selectors.classes_for(viewer, year) if year else [],
        "exports": exports,
        "active": any(e.status in RegisterExport.ACTIVE for e in exports),
        "statuses": RegisterExport.Status,
        "version": SCHEMA_VERSION,
    }
    if request.htmx:
        return render(request, "records/_exports.html", context)
    return render(request, "records/index.html", context)


@login_required
@require_POST
def class_export(request, class_id: int):
    """One class's register for its year, written and handed over at once."""
    school_class = selectors.class_of(request.viewer, class_id)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the FileResponse closes it
    services.export_class(actor=request.user, school_class=school_class, out=handle)
    handle.seek(0)
    scope = Scope(school_class.school, school_class.school_year, school_class)
    return _xml_response(handle, export_filename(scope))


@login_required
@require_POST
def school_export(request, year_id: int):
    """Queue the whole school's export of the year; the page shows when it is ready."""
    year = selectors.year_of(request.viewer, year_id)
    _export, started = jobs.export_school_start(actor=request.user, year=year)
    if started:
        messages.success(request, _("The export has been started. It appears below when ready."))
    else:
        messages.info(request, _("An export of the school is already being written."))
    return redirect(f"{reverse('records:index')}?year={year.pk}")


@login_required
@require_POST
def download(request, export_id: int):
    """A written export of the whole school, for the school office; recorded."""
    export = selectors.export_of(request.viewer, export_id)
    services.export_downloaded(actor=request.user, export=export)
    scope = Scope(export.school, export.school_year)
    return _xml_response(export.file.open("rb"), export_filename(scope))
