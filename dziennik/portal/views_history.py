"""The principal's view of the history of changes (read-only; GET only)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dziennik.core.forms import BoundedDateField
from dziennik.core.models import AuditEntry
from dziennik.core.params import MAX_ID

from . import permissions, selectors

PAGE_SIZE = 50


class HistoryFilterForm(forms.Form):
    student = forms.IntegerField(
        label=gettext_lazy("Student"), required=False, min_value=1, max_value=MAX_ID
    )
    school_class = forms.IntegerField(
        label=gettext_lazy("Class"), required=False, min_value=1, max_value=MAX_ID
    )
    actor = forms.IntegerField(
        label=gettext_lazy("Author"), required=False, min_value=1, max_value=MAX_ID
    )
    date_from = BoundedDateField(label=gettext_lazy("From"), required=False)
    date_to = BoundedDateField(label=gettext_lazy("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


@dataclass
class FieldChange:
    label: str
    old: Any
    new: Any


def _show(value: Any) -> Any:
    if value is None or value == "":
        return "–"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    return value


def _is_link(field) -> bool:
    return field is not None and field.concrete and bool(field.many_to_one or field.one_to_one)


def _pairs(entry: AuditEntry):
    """(field or None, name, old, new) for each change the entry records."""
    model = entry.content_type.model_class()
    for name, values in (entry.changes or {}).items():
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        field = None
        if model is not None:
            with contextlib.suppress(FieldDoesNotExist):
                field = model._meta.get_field(name)
        yield field, name, old, new


def related_names(entries) -> dict[tuple[type, Any], str]:
    """The names of the records the entries' foreign keys point to (history keeps ids):
    one query per kind of record on the page, whatever the number of entries. Records
    deleted since keep showing their id."""
    wanted: dict[type, set] = {}
    for entry in entries:
        for field, _name, old, new in _pairs(entry):
            if _is_link(field):
                ids = wanted.setdefault(field.related_model, set())
                # ids; a few services record a readable value instead (a kind's code)
                ids.update(v for v in (old, new) if type(v) is int)
    names = {}
    for related, ids in wanted.items():
        # the records' own links too, so that their names cost no further queries
        links = [f.name for f in related._meta.concrete_fields if _is_link(f)]
        records = related._default_manager.all()
        found = (records.select_related(*links) if links else records).in_bulk(ids)
        names.update({(related, pk): str(obj) for pk, obj in found.items()})
    return names


def field_changes(entry: AuditEntry, names: dict | None = None) -> list[FieldChange]:
    """The entry's ``{field: [old, new]}`` with the fields' own (translated) names, and
    the names of linked records (``related_names``) instead of their ids."""
    names = names or {}
    changes = []
    for field, name, old, new in _pairs(entry):
        label = str(getattr(field, "verbose_name", name))
        if _is_link(field):
            old = names.get((field.related_model, old), old)
            new = names.get((field.related_model, new), new)
        changes.append(FieldChange(label, _show(old), _show(new)))
    return changes


def _record_kind(entry: AuditEntry) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else entry.content_type.model


@login_required
@require_GET
def history(request):
    viewer = request.viewer
    if not permissions.can_browse_history(viewer):
        raise Http404
    form = HistoryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            filters = {
                "student_id": form.cleaned_data["student"],
                "class_id": form.cleaned_data["school_class"],
                "actor_id": form.cleaned_data["actor"],
                "date_from": form.cleaned_data["date_from"],
                "date_to": form.cleaned_data["date_to"],
            }
        else:
            status = 400
    page = None
    rows = []
    if status == 200:
        entries = selectors.audit_entries_for(viewer, **filters)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        names = related_names(page)
        rows = [(entry, _record_kind(entry), field_changes(entry, names)) for entry in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/history.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "choices": selectors.history_filter_choices(viewer, actor_id=filters.get("actor_id")),
            "selected": {
                "student": filters.get("student_id"),
                "school_class": filters.get("class_id"),
                "actor": filters.get("actor_id"),
            },
        },
        status=status,
    )
