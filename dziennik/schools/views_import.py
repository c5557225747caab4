"""The secretary's CSV import page: upload, preview, import, download the template.

Only school-wide viewers (principal, deputy, secretary) may open it; others get 404.
"""

from __future__ import annotations

import base64
import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dziennik.core.csvexport import csv_response

from . import imports, permissions
from .models import School

SESSION_KEY = "schools_import_upload"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, separated by semicolons or commas, one student a row."),
    )


def _school_for(request) -> School:
    """The school whose office the user runs; 404 for everyone else."""
    return permissions.schools.get(request.viewer, request.viewer.school_id, "manage")


def _render(request, school, form, result=None, token=None, status=200):
    return render(
        request,
        "schools/import.html",
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


@login_required
@require_http_methods(["GET", "POST"])
def import_students(request):
    school = _school_for(request)
    if request.method == "GET":
        return _render(request, school, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, school, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > imports.MAX_FILE_BYTES:
        result = imports.ImportResult()
        result.file_errors.append(
            _("The file is too large (at most %(size)s MB).")
            % {"size": imports.MAX_FILE_BYTES // (1024 * 1024)}
        )
        return _render(request, school, form, result, status=400)
    data = upload.read()
    dry_run = request.POST.get("action") != "import"
    result = imports.students_import(actor=request.user, school=school, data=data, dry_run=dry_run)
    token = None
    if result.ok and dry_run:
        # Keep the checked file so the secretary confirms without choosing it again.
        token = hashlib.sha256(data).hexdigest()
        request.session[SESSION_KEY] = {
            "token": token,
            "school": school.pk,
            "data": base64.b64encode(data).decode("ascii"),
        }
    return _render(request, school, ImportForm(), result, token, 200 if result.ok else 400)


@login_required
@require_POST
def import_confirm(request):
    """Import the file checked in the preview (kept in the session)."""
    school = _school_for(request)
    stored = request.session.get(SESSION_KEY) or {}
    if stored.get("token") != request.POST.get("token") or stored.get("school") != school.pk:
        result = imports.ImportResult()
        result.file_errors.append(
            _("The checked file is no longer available. Please choose it again.")
        )
        return _render(request, school, ImportForm(), result, status=400)
    data = base64.b64decode(stored["data"])
    result = imports.students_import(actor=request.user, school=school, data=data)
    if result.ok:
        del request.session[SESSION_KEY]
    return _render(request, school, ImportForm(), result, status=200 if result.ok else 400)


@login_required
@require_GET
def import_template(request):
    """The template CSV: header and two example rows (UTF-8 with BOM for spreadsheets)."""
    _school_for(request)
    return csv_response(imports.template_csv(), "dziennik-import-uczniow.csv")
