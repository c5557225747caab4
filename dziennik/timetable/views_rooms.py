"""The rooms screen (*Sale*) for those who manage the timetable: add, rename, deactivate,
delete a room never used. Thin: parse input, call one service or selector, render.
Missing and forbidden are the same 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dziennik.core.confirm import confirm_then_delete
from dziennik.core.forms import add_service_errors
from dziennik.schools.viewer import Viewer

from . import permissions, settings_selectors
from . import settings_services as services
from .forms import RoomForm


def _manager(request) -> Viewer:
    viewer = request.viewer
    if not permissions.can_manage_timetable(viewer):
        raise Http404
    return viewer


@login_required
@require_http_methods(["GET", "POST"])
def room_list(request):
    """The school's rooms, and the form to add one."""
    viewer = _manager(request)
    form = RoomForm(request.POST or None, adding=True)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_create(actor=request.user, name=form.cleaned_data["name"])
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The room %(name)s has been added.") % {"name": room.name})
            return redirect("timetable:rooms")
    return render(
        request,
        "timetable/rooms/list.html",
        {
            "rooms": settings_selectors.room_list(viewer, today=timezone.localdate()),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def room_edit(request, room_id: int):
    viewer = _manager(request)
    room = settings_selectors.get_room_for(viewer, room_id, today=timezone.localdate())
    form = RoomForm(request.POST or None, initial={"name": room.name, "is_active": room.is_active})
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(
                actor=request.user,
                room=room,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
                version=form.cleaned_data["version"] or None,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.StaleRoom as exc:
            stale = True
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The room has been saved."))
            return redirect("timetable:rooms")
    return render(
        request,
        "timetable/rooms/edit.html",
        {
            "room": room,
            "form": form,
            "stale": stale,
            "version": settings_selectors.room_version(room),
        },
        status=409 if stale else 400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def room_delete(request, room_id: int):
    """GET: confirm; POST: delete a room no lesson has named."""
    viewer = _manager(request)
    room = settings_selectors.get_room_for(viewer, room_id, today=timezone.localdate())
    return confirm_then_delete(
        request,
        delete=lambda: services.room_delete(actor=request.user, room=room),
        deleted=_("The room %(name)s has been deleted.") % {"name": room.name},
        done="timetable:rooms",
        template="timetable/rooms/delete.html",
        context={"room": room},
    )
