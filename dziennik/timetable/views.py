"""Timetable screens and the iCalendar feed. Thin: parse input, call selectors/services."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.accounts.children import active_child_id
from dziennik.core.extensions import annotate_week, collect_calendar_entries
from dziennik.core.forms import BoundedDateField
from dziennik.core.http import content_disposition
from dziennik.core.params import query_date
from dziennik.schools import selectors as school_selectors
from dziennik.schools.viewer import get_viewer

from . import permissions, selectors, services
from .models import TimetableChange


def _monday(request) -> datetime.date:
    """The Monday of ``?tydzien=`` (this week's when missing or malformed; a date out of
    ``core.params.date_bounds`` is a 400)."""
    return selectors.week_start(query_date(request.GET, "tydzien", timezone.localdate()))


def _week_context(occurrences, monday, school_id, **extra):
    grid = selectors.week_grid(occurrences, monday, selectors.slots_of(school_id))
    return {
        "grid": grid,
        "days": selectors.day_view(grid),
        "monday": monday,
        "previous_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "today": timezone.localdate(),
        "changes": [o for o in occurrences if o.change is not None],
        **extra,
    }


@login_required
def index(request):
    viewer = request.viewer
    if viewer.is_teacher:
        return redirect("timetable:teacher")
    if permissions.can_manage_timetable(viewer):
        return render(
            request,
            "timetable/index.html",
            {
                "classes": school_selectors.class_list(viewer),
                "rooms": selectors.room_list(viewer),
                "can_manage": permissions.can_manage_timetable(viewer),
            },
        )
    student_id = active_child_id(request)
    if student_id is None:
        raise Http404
    return redirect("timetable:student", student_id=student_id)


@login_required
def student_week(request, student_id: int):
    student = school_selectors.get_student_for(request.viewer, student_id)
    monday = _monday(request)
    occurrences = selectors.student_week(student, monday)
    return render(
        request,
        "timetable/week.html",
        _week_context(
            occurrences,
            monday,
            student.school_id,
            heading=student.full_name,
            show_class=False,
        ),
    )


@login_required
def class_week(request, class_id: int):
    viewer = request.viewer
    school_class = school_selectors.get_class_for(viewer, class_id)
    monday = _monday(request)
    occurrences = selectors.class_week(school_class, monday)
    return render(
        request,
        "timetable/week.html",
        _week_context(
            occurrences,
            monday,
            school_class.school_id,
            heading=_("Class %(name)s") % {"name": school_class.name},
            show_class=False,
            edit_url=reverse("timetable:editor", args=[school_class.pk])
            if permissions.class_plans.allows(viewer, "manage", school_class)
            else None,
        ),
    )


@login_required
def teacher_week(request):
    viewer = request.viewer
    if not permissions.is_school_staff(viewer):
        raise Http404
    monday = _monday(request)
    occurrences = selectors.teacher_occurrences(viewer, monday, monday + datetime.timedelta(days=6))
    for o in occurrences:
        o.lesson = None
    annotate_week(viewer, occurrences)  # the apps that keep lesson records fill ``o.lesson``
    return render(
        request,
        "timetable/week.html",
        _week_context(
            occurrences,
            monday,
            viewer.school_id,
            heading=request.user.get_full_name(),
            show_class=True,
            teacher_view=True,
        ),
    )


@login_required
def room_week(request, room_id: int):
    room = selectors.get_room_for(request.viewer, room_id)
    monday = _monday(request)
    occurrences = selectors.room_occurrences(room, monday, monday + datetime.timedelta(days=6))
    return render(
        request,
        "timetable/week.html",
        _week_context(
            occurrences,
            monday,
            room.school_id,
            heading=_("Room %(name)s") % {"name": room.name},
            show_class=True,
        ),
    )


class ChangeForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    date = BoundedDateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=gettext_lazy("Change"), choices=TimetableChange.Kind.choices)
    substitute_teacher = forms.TypedChoiceField(
        label=gettext_lazy("Substitute teacher"), required=False, coerce=int, empty_value=None
    )
    new_date = BoundedDateField(
        label=gettext_lazy("New date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    new_slot = forms.TypedChoiceField(
        label=gettext_lazy("New lesson number"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)


@login_required
def changes(request):
    """The principal's list of substitutions, cancellations and moves, and a form."""
    viewer = request.viewer
    if not permissions.can_manage_timetable(viewer):
        raise Http404
    day = query_date(request.GET, "dzien", timezone.localdate())
    teachers = selectors.school_teachers(viewer)
    slots = selectors.slots_of(viewer.school_id)
    form = ChangeForm(request.POST or None)
    form.fields["substitute_teacher"].choices = [("", "–")] + [
        (t.pk, t.get_full_name()) for t in teachers
    ]
    form.fields["new_slot"].choices = [("", "–")] + [(s.pk, str(s)) for s in slots]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entry = selectors.entry_queryset(viewer).filter(pk=data["entry"]).first()
        teacher = next((t for t in teachers if t.pk == data["substitute_teacher"]), None)
        slot = next((s for s in slots if s.pk == data["new_slot"]), None)
        if entry is None:
            raise Http404
        try:
            services.timetable_change_create(
                actor=request.user,
                entry=entry,
                date=data["date"],
                kind=data["kind"],
                substitute_teacher=teacher,
                new_date=data["new_date"],
                new_slot=slot,
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The change has been saved."))
            return redirect(f"{reverse('timetable:changes')}?dzien={data['date']:%Y-%m-%d}")
    occurrences = selectors.expand(
        selectors.entry_queryset(viewer), day, day, school_id=viewer.school_id
    )
    wanted = request.POST.get("entry") or request.GET.get("wpis")
    chosen = next((o for o in occurrences if str(o.entry.pk) == wanted and o.change is None), None)
    return render(
        request,
        "timetable/changes.html",
        {
            "day": day,
            "occurrences": occurrences,
            "chosen": chosen,
            "form": form,
            "change_list": selectors.change_list(viewer, day, day + datetime.timedelta(days=13)),
        },
        status=400 if form.errors else 200,
    )


# --- calendar feed ------------------------------------------------------------------
@login_required
def feed_settings(request):
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=request.user)
            messages.success(request, _("The calendar address has been revoked."))
        else:
            services.calendar_feed_create(actor=request.user, language=get_language())
            messages.success(request, _("A new calendar address has been created."))
        return redirect("timetable:feed_settings")
    feed = selectors.feed_for(request.viewer)
    url = request.build_absolute_uri(reverse("timetable:feed", args=[feed.token])) if feed else None
    return render(request, "timetable/feed_settings.html", {"feed": feed, "feed_url": url})


def _calendar(occurrences, tz, *, host: str, entries=()) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Dziennik//plan lekcji//PL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Timetable"))
    for o in occurrences:
        if o.moved_away:
            continue
        event = icalendar.Event()
        suffix = f"-{o.change.pk}" if o.moved_here else ""
        event.add("uid", f"{o.entry.pk}-{o.date:%Y%m%d}{suffix}@{host}")
        group = f" ({o.entry.group.name})" if o.entry.group else ""
        summary = f"{o.entry.subject.name} – {o.entry.school_class.name}{group}"
        if o.cancelled:
            summary = _("Cancelled: %(lesson)s") % {"lesson": summary}
            event.add("status", "CANCELLED")
        event.add("summary", summary)
        event.add("dtstart", o.starts(tz))
        event.add("dtend", o.ends(tz))
        event.add("dtstamp", timezone.now())
        if o.room:
            event.add("location", o.room.name)
        teacher = o.teacher.get_full_name() if o.teacher else ""
        if o.is_substitution:
            teacher = _("substitution: %(teacher)s") % {"teacher": teacher}
        event.add("description", teacher)
        cal.add_component(event)
    # What the other apps put in the person's calendar (tests, homework, meetings).
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", f"{entry.uid}@{host}")
        event.add("summary", entry.title)
        if entry.starts is not None:
            event.add("dtstart", entry.starts.astimezone(tz))
            event.add("dtend", (entry.ends or entry.starts).astimezone(tz))
        else:
            event.add("dtstart", entry.date)
            event.add("dtend", entry.date + datetime.timedelta(days=1))
        event.add("dtstamp", timezone.now())
        if entry.description:
            event.add("description", entry.description)
        if entry.location:
            event.add("location", entry.location)
        if entry.kind:
            event.add("categories", [entry.kind_label or entry.kind])
        cal.add_component(event)
    return cal


def feed(request, token: str):
    """The iCalendar feed: no login, only the secret token in the address."""

    calendar_feed = selectors.feed_by_token(token)
    user = calendar_feed.user
    # Not the request's viewer (there is no login): the feed's owner's.
    viewer = get_viewer(user)
    today = timezone.localdate()
    date_from, date_to = today - datetime.timedelta(days=14), today + datetime.timedelta(days=56)
    occurrences = []
    if permissions.is_school_staff(viewer):
        occurrences = selectors.teacher_occurrences(viewer, date_from, date_to)
        occurrences = [o for o in occurrences if o.teacher.pk == viewer.user_id]
    else:
        for student in school_selectors.student_queryset(viewer).filter(
            pk__in=[*viewer.child_ids, *([viewer.student_id] if viewer.student_id else [])]
        ):
            occurrences += selectors.expand(
                selectors.student_entries(student, date_from),
                date_from,
                date_to,
                school_id=student.school_id,
            )
    tz = zoneinfo.ZoneInfo(user.school.time_zone if user.school else "Europe/Warsaw")
    # In the owner's language, whatever the calendar application's request asks for.
    with override(calendar_feed.language):
        entries = collect_calendar_entries(viewer, date_from, date_to)
        cal = _calendar(occurrences, tz, host=request.get_host().split(":")[0], entries=entries)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition("plan.ics", inline=True)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def change_delete(request, change_id: int):
    change = selectors.get_change_for(request.viewer, change_id)
    services.timetable_change_delete(actor=request.user, change=change)
    messages.success(request, _("The change has been removed."))
    return redirect(f"{reverse('timetable:changes')}?dzien={change.date:%Y-%m-%d}")
