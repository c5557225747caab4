"""The timetable CSV import page: upload, preview, confirm, download the template.

The same flow as the student import (``schools.views_import``): "Check the file" shows
what the import would do and keeps the checked file in the session; "Import this file"
imports exactly that file. Only those who manage the school's plan may open it; others
get 404.
"""

from __future__ import annotations

import base64
import datetime
import hashlib

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dziennik.core.csvexport import csv_response

from . import imports, selectors, services
from .forms import ImportForm

SESSION_KEY = "timetable_import_upload"


def _render(request, school, form, result=None, token=None, status=200):
    return render(
        request,
        "timetable/import.html",
        {
            "school": school,
            "form": form,
            "result": result,
            "token": token,
            "columns": imports.COLUMNS,
            "max_mb": imports.MAX_FILE_BYTES // (1024 * 1024),
        },
        status=status,
    )


def _refused(message: str) -> imports.TimetableImportResult:
    result = imports.TimetableImportResult()
    result.file_errors.append(message)
    return result


@login_required
@require_http_methods(["GET", "POST"])
def import_timetable(request):
    school = selectors.managed_school(request.viewer)
    if request.method == "GET":
        return _render(request, school, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, school, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > imports.MAX_FILE_BYTES:
        message = _("The file is too large (at most %(size)s MB).") % {
            "size": imports.MAX_FILE_BYTES // (1024 * 1024)
        }
        return _render(request, school, form, _refused(message), status=400)
    data = upload.read()
    valid_from = form.cleaned_data["valid_from"]
    dry_run = request.POST.get("action") != "import"
    result = services.timetable_import(
        actor=request.user,
        school=school,
        data=data,
        default_valid_from=valid_from,
        dry_run=dry_run,
    )
    token = None
    if result.ok and dry_run:
        # Keep the checked file so the principal confirms without choosing it again.
        token = hashlib.sha256(data + str(valid_from).encode()).hexdigest()
        request.session[SESSION_KEY] = {
            "token": token,
            "school": school.pk,
            "data": base64.b64encode(data).decode("ascii"),
            "valid_from": valid_from.isoformat() if valid_from else None,
        }
    initial = {"valid_from": valid_from}
    return _render(
        request, school, ImportForm(initial=initial), result, token, 200 if result.ok else 400
    )


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked in the preview (kept in the session)."""
    school = selectors.managed_school(request.viewer)
    stored = request.session.get(SESSION_KEY) or {}
    if stored.get("token") != request.POST.get("token") or stored.get("school") != school.pk:
        result = _refused(_("The checked file is no longer available. Please choose it again."))
        return _render(request, school, ImportForm(), result, status=400)
    valid_from = stored["valid_from"]
    result = services.timetable_import(
        actor=request.user,
        school=school,
        data=base64.b64decode(stored["data"]),
        default_valid_from=datetime.date.fromisoformat(valid_from) if valid_from else None,
    )
    if result.ok:
        del request.session[SESSION_KEY]
    return _render(request, school, ImportForm(), result, status=200 if result.ok else 400)


@login_required
@require_GET
def import_template(request):
    """The template CSV: header and example rows (UTF-8 with BOM for spreadsheets)."""
    selectors.managed_school(request.viewer)
    return csv_response(imports.template_csv(), "dziennik-plan-lekcji.csv")
