"""Writes to the school's rooms (*sale*): add, rename, deactivate (or reactivate), and
delete a room no lesson has ever named.

Each service takes the actor, checks through ``permissions`` that they manage the school's
timetable, runs in one transaction and records the change in the history. A room is
configuration: saving it moves the school's ``config_scope`` cache version (signals of
``core.apps``).
An inactive room is no longer offered for new lessons; the plan's past and present keep
it, so nothing else changes with it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit
from dziennik.core.concurrency import StaleEdit
from dziennik.core.text import clean_text
from dziennik.schools.models import School
from dziennik.schools.viewer import Viewer, get_viewer

from . import permissions, settings_selectors
from .models import Room, TimetableChange, TimetableEntry

MAX_NAME = 50


class StaleRoom(StaleEdit):
    """The form was based on a room someone else has changed since."""


def _manager(actor: User) -> Viewer:
    viewer = get_viewer(actor)
    if not permissions.can_manage_timetable(viewer):
        raise PermissionDenied
    return viewer


def _lock_school(school_id: int) -> None:
    """One school's room writes one at a time, so that distinct names hold."""
    list(School.objects.select_for_update(no_key=True).filter(pk=school_id).only("pk"))


def _clean_name(name: str, school_id: int, exclude: int | None = None) -> str:
    name = " ".join(clean_text(name).split())
    if not name:
        raise ValidationError({"name": _("Enter the room's name, e.g. 12 or sala gimnastyczna.")})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": _("The name is too long (at most 50 characters).")})
    others = Room.objects.filter(school_id=school_id).exclude(pk=exclude)
    if any(other.casefold() == name.casefold() for other in others.values_list("name", flat=True)):
        raise ValidationError(
            {"name": _("The school already has a room named “%(name)s”.") % {"name": name}}
        )
    return name


def _save(room: Room, **kwargs) -> None:
    try:
        with transaction.atomic():
            room.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError(
            _("Another change to the rooms was saved at the same time. Try again.")
        ) from exc


@transaction.atomic
def room_create(*, actor: User, name: str) -> Room:
    """Add a room to the school (active)."""
    viewer = _manager(actor)
    _lock_school(viewer.school_id)
    room = Room(school_id=viewer.school_id, name=_clean_name(name, viewer.school_id))
    _save(room)
    audit.record_create(actor=actor, instance=room)
    return room


def _locked(viewer: Viewer, room: Room) -> Room:
    if not permissions.rooms.allows(viewer, "manage", room):
        raise PermissionDenied
    _lock_school(viewer.school_id)
    current = Room.objects.select_for_update().filter(pk=room.pk).first()
    if current is None:
        raise PermissionDenied
    return current


@transaction.atomic
def room_update(
    *,
    actor: User,
    room: Room,
    name: str | None = None,
    is_active: bool | None = None,
    version: str | None = None,
) -> Room:
    """Rename a room, or (de)activate it. Past and present lessons keep the room."""
    viewer = _manager(actor)
    current = _locked(viewer, room)
    if version is not None and version != settings_selectors.room_version(current):
        raise StaleRoom(
            _(
                "Someone else changed this room while you were editing it. The page now "
                "shows what is saved; check your change and save again."
            )
        )
    before = audit.snapshot(current)
    if name is not None:
        current.name = _clean_name(name, viewer.school_id, exclude=current.pk)
    if is_active is not None:
        current.is_active = bool(is_active)
    fields = [f for f, value in audit.snapshot(current).items() if value != before[f]]
    if fields:
        _save(current, update_fields=fields)
        audit.record_update(actor=actor, instance=current, before=before)
    return current


@transaction.atomic
def room_delete(*, actor: User, room: Room) -> None:
    """Delete a room no lesson or change of the plan has ever named (a typo); a room
    that was used can only be deactivated, so that the plan's past keeps it."""
    viewer = _manager(actor)
    current = _locked(viewer, room)
    if (
        TimetableEntry.objects.filter(room=current).exists()
        or TimetableChange.objects.filter(room=current).exists()
    ):
        raise ValidationError(
            _(
                "Lessons of the plan are or were in the room %(name)s, so it cannot be "
                "deleted; deactivate it instead."
            )
            % {"name": current.name}
        )
    audit.record_delete(actor=actor, instance=current)
    current.delete()
