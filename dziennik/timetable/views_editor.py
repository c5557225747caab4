"""The principal's editor of a class's weekly plan: add a lesson, change one from a date,
end one. Thin: parse the form, call a service, show its answer.

Only those who manage the school's plan (``permissions.can_manage_timetable``) may open
these pages; everyone else gets 404, as for a missing page.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dziennik.core.concurrency import StaleEdit
from dziennik.core.params import parse_int

from . import selectors, services
from .forms import EndForm, EntryForm
from .views import _monday


def _editor_url(school_class_id: int, day: datetime.date) -> str:
    monday = selectors.week_start(day)
    return f"{reverse('timetable:editor', args=[school_class_id])}?tydzien={monday:%Y-%m-%d}"


def _first_day(request) -> datetime.date:
    """Changes apply from today, or from the Monday of a later week being edited."""
    return max(_monday(request), timezone.localdate())


@login_required
@require_GET
def editor(request, class_id: int):
    viewer = request.viewer
    school_class = selectors.get_managed_class_for(viewer, class_id)
    monday = _monday(request)
    occurrences = selectors.plan_week(school_class, monday)
    return render(
        request,
        "timetable/editor.html",
        {
            "school_class": school_class,
            "grid": selectors.plan_grid(
                occurrences, monday, selectors.slots_of(school_class.school_id)
            ),
            "monday": monday,
            "previous_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "today": timezone.localdate(),
        },
    )


def _form_page(request, template, context, form):
    return render(request, template, {**context, "form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request, class_id: int):
    viewer = request.viewer
    school_class = selectors.get_managed_class_for(viewer, class_id)
    options = selectors.editor_options(viewer, school_class)
    initial = {"date": _first_day(request)}
    for name, param in (("weekday", "dzien"), ("slot", "lekcja")):
        value = parse_int(request.GET.get(param), min_value=0, max_value=99)
        if value is not None:
            initial[name] = value
    if "slot" in initial:  # the grid links by lesson number
        initial["slot"] = next((s.pk for s in options.slots if s.number == initial["slot"]), None)
    form = EntryForm(request.POST or None, options=options, initial=initial)
    context = {"school_class": school_class, "entry": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.timetable_entry_create(
                actor=request.user,
                school_class=school_class,
                valid_from=data["date"],
                valid_to=data["valid_to"],
                **form.values(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The lesson has been added to the plan."))
            return redirect(_editor_url(school_class.pk, entry.valid_from))
    return _form_page(request, "timetable/entry_form.html", context, form)


@login_required
@require_http_methods(["GET", "POST"])
def entry_change(request, entry_id: int):
    viewer = request.viewer
    entry = selectors.get_managed_entry_for(viewer, entry_id)
    options = selectors.editor_options(viewer, entry.school_class)
    initial = {
        "weekday": entry.weekday,
        "slot": entry.slot_id,
        "subject": entry.subject_id,
        "group": entry.group_id,
        "teacher": entry.teacher_id,
        "room": entry.room_id,
        "date": max(_first_day(request), entry.valid_from),
    }
    form = EntryForm(request.POST or None, options=options, changing=True, initial=initial)
    context = {"school_class": entry.school_class, "entry": entry}
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            new = services.timetable_entry_change(
                actor=request.user,
                entry=entry,
                from_date=form.cleaned_data["date"],
                version=request.POST.get("version"),
                **form.values(),
            )
        except ValidationError as exc:
            stale = isinstance(exc, StaleEdit)
            form.add_error(None, exc)
        else:
            messages.success(request, _("The lesson has been changed in the plan."))
            return redirect(_editor_url(new.school_class_id, new.valid_from))
    if stale:  # the form is based on the lesson as it is now
        entry = selectors.get_managed_entry_for(viewer, entry_id)
        context["entry"] = entry
    context["version"] = services.entry_version(entry)
    response = _form_page(request, "timetable/entry_form.html", context, form)
    if stale:
        response.status_code = 409
    return response


@login_required
@require_http_methods(["GET", "POST"])
def entry_end(request, entry_id: int):
    viewer = request.viewer
    entry = selectors.get_managed_entry_for(viewer, entry_id)
    # The day before the week being edited (or today): the lesson is gone from that week.
    default = max(
        timezone.localdate(), _monday(request) - datetime.timedelta(days=1), entry.valid_from
    )
    form = EndForm(request.POST or None, initial={"last_day": default})
    context = {"school_class": entry.school_class, "entry": entry}
    if request.method == "POST" and form.is_valid():
        last_day = form.cleaned_data["last_day"]
        try:
            kept = services.timetable_entry_end(actor=request.user, entry=entry, last_day=last_day)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if kept is None:
                messages.success(
                    request, _("The lesson had not started yet and has been removed from the plan.")
                )
            else:
                messages.success(request, _("The lesson has been ended in the plan."))
            return redirect(_editor_url(entry.school_class_id, last_day))
    return _form_page(request, "timetable/entry_end.html", context, form)
