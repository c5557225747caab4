"""Parent–teacher meetings' pages: thin, the rules are in the policies and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.forms import add_service_errors

from . import permissions, selectors, services
from .forms import BookForm, ClassMeetingForm, SessionForm, SettingsForm


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
def index(request):
    """A teacher's consultation hours and class meetings; a parent's bookings, the
    consultation hours of their children's teachers, and their classes' meetings."""
    viewer = request.viewer
    if not permissions.uses_meetings(viewer):
        raise Http404
    context = {
        "may_publish": permissions.may_publish(viewer),
        "may_call": permissions.may_call_class_meeting(viewer),
        "may_manage": permissions.manages_settings(viewer),
        "class_meetings": selectors.upcoming_class_meetings(viewer),
    }
    if viewer.is_teacher:
        context["own_sessions"] = selectors.teacher_sessions(viewer)
    if viewer.is_parent:
        context["bookings"] = selectors.family_bookings(viewer)
        context["sessions"] = selectors.bookable_sessions(viewer)
    return render(request, "meetings/index.html", context)


@login_required
def session_new(request):
    viewer = request.viewer
    if not permissions.may_publish(viewer):
        raise Http404
    form = SessionForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.consultation_publish(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consultation hours have been published."))
            return redirect("meetings:session", session_id=session.pk)
    return render(
        request,
        "meetings/session_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def session_page(request, session_id: int):
    """The slots of consultation hours: the teacher sees who booked; a parent books a
    free time or cancels their own booking."""
    viewer = request.viewer
    session = selectors.get_session_for(viewer, session_id)
    manager = session.teacher_id == viewer.user_id
    children = selectors.children_by_teacher(viewer).get(session.teacher_id, [])
    rows = selectors.session_slots(viewer, session)
    own = next((row for row in rows if row.mine), None)
    deadline = None
    if own is not None:
        deadline = services.cancel_deadline(own.slot.starts, session.school_id)
    return render(
        request,
        "meetings/session.html",
        {
            "session": session,
            "rows": rows,
            "manager": manager,
            "children": children,
            "book_form": BookForm(child_choices=[(c.pk, c.full_name) for c in children]),
            "own": own,
            "deadline": deadline,
            "may_cancel_booking": (
                own is not None
                and own.booking.guardian_id == viewer.guardian_id
                and timezone.now() <= deadline
            ),
        },
    )


@login_required
@require_POST
def slot_book(request, slot_id: int):
    viewer = request.viewer
    slot = selectors.get_slot_for(viewer, slot_id, "book")
    children = selectors.children_by_teacher(viewer).get(slot.session.teacher_id, [])
    form = BookForm(request.POST, child_choices=[(c.pk, c.full_name) for c in children])
    if not form.is_valid():
        messages.error(request, _("Choose which of your children the conversation is about."))
        return redirect("meetings:session", session_id=slot.session_id)
    student = next(c for c in children if c.pk == form.cleaned_data["student"])
    try:
        services.booking_create(
            actor=request.user, slot=slot, student=student.as_student(viewer.school_id)
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Booked: %(time)s.")
            % {"time": timezone.localtime(slot.starts).strftime("%d.%m.%Y %H:%M")},
        )
    return redirect("meetings:session", session_id=slot.session_id)


@login_required
@require_POST
def booking_cancel(request, booking_id: int):
    booking = selectors.get_booking_for(request.viewer, booking_id, "cancel")
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The booking has been cancelled."))
    return redirect("meetings:session", session_id=booking.session_id)


@login_required
@require_POST
def slot_cancel(request, slot_id: int):
    slot = selectors.get_slot_for(request.viewer, slot_id, "manage")
    try:
        services.slot_cancel(actor=request.user, slot=slot)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The time has been cancelled; the family is told."))
    return redirect("meetings:session", session_id=slot.session_id)


@login_required
def class_meeting_new(request):
    viewer = request.viewer
    if not permissions.may_call_class_meeting(viewer):
        raise Http404
    classes = {c.pk: c for c in selectors.classes_to_call(viewer)}
    form = ClassMeetingForm(
        request.POST or None,
        class_choices=[(pk, c.name) for pk, c in classes.items()],
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values["school_class"] = classes[values["school_class"]]
        try:
            services.class_meeting_create(actor=request.user, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The class meeting has been called."))
            return redirect("meetings:index")
    return render(
        request,
        "meetings/class_meeting_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def class_meeting_cancel(request, meeting_id: int):
    meeting = selectors.get_class_meeting_for(request.viewer, meeting_id, "manage")
    services.class_meeting_cancel(actor=request.user, meeting=meeting)
    messages.success(request, _("The class meeting has been called off."))
    return redirect("meetings:index")


@login_required
def settings_page(request):
    viewer = request.viewer
    if not permissions.manages_settings(viewer):
        raise Http404
    current = services.settings_of(viewer.school_id)
    form = SettingsForm(request.POST or None, initial={"cancel_hours": current.cancel_hours})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_settings_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("meetings:index")
    return render(
        request, "meetings/settings.html", {"form": form}, status=400 if form.errors else 200
    )
