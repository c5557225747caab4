"""The calendar's pages: thin, the rules are in the policy, the selectors and the
services. The month, week and list views show everything the person's calendar holds
(``core.extensions.collect_calendar_entries``: this app's events and days off, and what
other apps add), for a parent the chosen child's."""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.accounts.children import active_child_id
from dziennik.core.extensions import collect_calendar_entries
from dziennik.core.forms import add_service_errors
from dziennik.core.params import query_date, query_id, query_month

from . import permissions, selectors, services
from .forms import EventForm, EventTextForm, SettingsForm
from .models import CLASS_TEACHER_KINDS, SUBJECT_KINDS, Event

ONE_DAY = datetime.timedelta(days=1)
LIST_DAYS = 56


def _calendar_viewer(request):
    viewer = request.viewer
    if viewer.school_id is None or viewer.user_id is None:
        raise Http404
    return selectors.for_child(viewer, active_child_id(request))


def _class_filter(request) -> tuple[list, object]:
    """Staff narrow the calendar to one class (``?klasa=``): the classes offered and
    the one chosen (None: everything; an id not offered is ignored)."""
    classes = selectors.filter_classes(request.viewer)
    wanted = query_id(request.GET, "klasa")
    return classes, next((c for c in classes if c.pk == wanted), None)


def _entries(request, viewer, date_from, date_to) -> tuple[list, dict]:
    """The calendar's entries between the dates, narrowed to the chosen class (what is
    for the whole school stays), and the filter's context."""
    classes, chosen = _class_filter(request)
    entries = collect_calendar_entries(viewer, date_from, date_to)
    if chosen is not None:
        entries = [e for e in entries if e.class_id in (None, chosen.pk)]
    return entries, {
        "filter_classes": classes,
        "chosen_class": chosen,
        "class_query": f"&klasa={chosen.pk}" if chosen else "",
    }


def _by_day(entries) -> dict[datetime.date, list]:
    days: dict[datetime.date, list] = {}
    for entry in entries:
        days.setdefault(entry.date, []).append(entry)
    return days


def _page(request, template: str, context: dict):
    viewer = request.viewer
    context.update(
        today=timezone.localdate(),
        may_plan=permissions.plans_anything(viewer),
        manages_settings=permissions.manages_settings(viewer),
    )
    return render(request, template, context)


@login_required
def month(request):
    """The month view (``?miesiac=YYYY-MM``): weeks from Monday, each day's entries."""
    viewer = _calendar_viewer(request)
    first = query_month(request.GET, "miesiac", timezone.localdate())
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = first - datetime.timedelta(days=first.weekday())
    end = last + datetime.timedelta(days=6 - last.weekday())
    entries, filtered = _entries(request, viewer, start, end)
    days = _by_day(entries)
    weeks, day = [], start
    while day <= end:
        weeks.append(
            [
                {
                    "date": d,
                    "in_month": d.month == first.month,
                    "entries": days.get(d, []),
                }
                for d in (day + datetime.timedelta(days=i) for i in range(7))
            ]
        )
        day += datetime.timedelta(days=7)
    previous = (first - ONE_DAY).replace(day=1)
    following = last + ONE_DAY
    return _page(
        request,
        "planner/month.html",
        {
            "first": first,
            "weeks": weeks,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "has_entries": bool(days),
            "period_name": "miesiac",
            "period_value": f"{first:%Y-%m}",
            **filtered,
        },
    )


@login_required
def week(request):
    """The week view (``?od=YYYY-MM-DD``, any day of the week): Monday to Sunday."""
    viewer = _calendar_viewer(request)
    day = query_date(request.GET, "od", timezone.localdate())
    monday = day - datetime.timedelta(days=day.weekday())
    sunday = monday + datetime.timedelta(days=6)
    entries, filtered = _entries(request, viewer, monday, sunday)
    days = _by_day(entries)
    return _page(
        request,
        "planner/week.html",
        {
            "monday": monday,
            "sunday": sunday,
            "days": [
                {"date": d, "entries": days.get(d, [])}
                for d in (monday + datetime.timedelta(days=i) for i in range(7))
            ],
            "previous": f"{monday - datetime.timedelta(days=7):%Y-%m-%d}",
            "following": f"{monday + datetime.timedelta(days=7):%Y-%m-%d}",
            "period_name": "od",
            "period_value": f"{monday:%Y-%m-%d}",
            **filtered,
        },
    )


@login_required
def agenda(request):
    """The list view: the next eight weeks from a day (``?od=``, today by default), only
    the days that hold something."""
    viewer = _calendar_viewer(request)
    start = query_date(request.GET, "od", timezone.localdate())
    end = start + datetime.timedelta(days=LIST_DAYS - 1)
    entries, filtered = _entries(request, viewer, start, end)
    days = _by_day(entries)
    return _page(
        request,
        "planner/list.html",
        {
            "start": start,
            "end": end,
            "days": [{"date": d, "entries": days[d]} for d in sorted(days)],
            "following": f"{end + ONE_DAY:%Y-%m-%d}",
            "period_name": "od",
            "period_value": f"{start:%Y-%m-%d}",
            **filtered,
        },
    )


@login_required
def event_detail(request, event_id: int):
    viewer = request.viewer
    event = selectors.get_event_for(viewer, event_id)
    may_change = bool(permissions.events.check(viewer, "change", event))
    return render(
        request,
        "planner/event.html",
        {
            "event": event,
            "may_change": may_change,
            "may_make_column": selectors.may_make_column(viewer, event),
            "homework_not_graded": selectors.homework_not_graded(event),
        },
    )


@login_required
def event_attachment(request, event_id: int):
    """The event's attachment, to whoever may see the event (never a public address)."""
    event = selectors.get_event_for(request.viewer, event_id)
    if not event.attachment:
        raise Http404
    name = event.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(event.attachment.open("rb"), as_attachment=True, filename=name)


def _kinds(viewer) -> list[tuple[str, str]]:
    if viewer.is_principal:
        return list(Event.Kind.choices)
    allowed = set(SUBJECT_KINDS) | (set(CLASS_TEACHER_KINDS) if viewer.is_class_teacher else set())
    return [(value, label) for value, label in Event.Kind.choices if value in allowed]


def _form_page(request, form, *, event=None, over=None):
    return render(
        request,
        "planner/form.html",
        {"form": form, "event": event, "over": over},
        status=400 if (form.errors or over) else 200,
    )


def _text_values(data) -> dict:
    return {
        "title": data["title"],
        "description": data["description"],
        "date": data["date"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "location": data["location"],
        "confirm_over_limits": data["confirm_over_limits"],
    }


def _chosen(rows, pk):
    return next((row for row in rows if row.pk == pk), None)


@login_required
def event_new(request):
    viewer = request.viewer
    if not permissions.plans_anything(viewer):
        raise Http404
    choices = selectors.planning_choices(viewer)
    initial = {"date": timezone.localdate() + datetime.timedelta(days=7)}
    form = EventForm(
        request.POST or None,
        request.FILES or None,
        choices=choices,
        kinds=_kinds(viewer),
        initial=initial,
    )
    over = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.event_plan(
                actor=request.user,
                kind=data["kind"],
                school_class=_chosen(choices["classes"], data["school_class"]),
                group=_chosen(choices["groups"], data["group"]),
                subject=_chosen(choices["subjects"], data["subject"]),
                attachment=data["attachment"],
                **_text_values(data),
            )
        except services.OverLimits as exc:
            over = exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The event has been planned."))
            return redirect("planner:event", event.pk)
    return _form_page(request, form, over=over)


@login_required
def event_edit(request, event_id: int):
    event = selectors.get_event_for(request.viewer, event_id, "change")
    initial = {name: getattr(event, name) for name in services.EDITABLE_FIELDS}
    form = EventTextForm(request.POST or None, initial=initial)
    over = None
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                actor=request.user, event=event, **_text_values(form.cleaned_data)
            )
        except services.OverLimits as exc:
            over = exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The event has been corrected."))
            return redirect("planner:event", event.pk)
    return _form_page(request, form, event=event, over=over)


@login_required
@require_POST
def event_delete(request, event_id: int):
    event = selectors.get_event_for(request.viewer, event_id, "change")
    services.event_delete(actor=request.user, event=event)
    messages.success(request, _("The event has been deleted."))
    return redirect("planner:calendar")


@login_required
@require_POST
def event_make_column(request, event_id: int):
    """One click: the planned test's gradebook column (its name, date and category)."""
    event = selectors.get_event_for(request.viewer, event_id, "change")
    try:
        assessment = services.event_make_column(actor=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("planner:event", event.pk)
    messages.success(request, _("The gradebook column has been made."))
    return redirect("grades:gradebook", assessment.school_class_id, assessment.subject_id)


@login_required
def settings_page(request):
    """The school's limits on tests (the principal, G-14)."""
    viewer = request.viewer
    if not permissions.manages_settings(viewer):
        raise Http404
    limits = services.limits_for(viewer.school_id)
    form = SettingsForm(
        request.POST or None,
        initial={name: getattr(limits, name) for name in services.SETTINGS_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.planner_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The limits have been saved."))
            return redirect("planner:settings")
    return render(
        request, "planner/settings.html", {"form": form}, status=400 if form.errors else 200
    )
