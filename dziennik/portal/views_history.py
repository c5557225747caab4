"""The principal's view of the history of changes (read-only; GET only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dziennik.core.forms import BoundedDateField
from dziennik.core.params import MAX_ID

from . import history_text, permissions, selectors

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
        rows = history_text.rows(page)
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
