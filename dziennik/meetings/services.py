"""Writes of parent–teacher meetings: consultation hours and their slots, bookings,
class meetings, the school's cancellation deadline. Each in one transaction, with its
history; every write moves the school's meetings scope (the home panels)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dziennik.core import audit, cache
from dziennik.core.text import field_text
from dziennik.notifications import events
from dziennik.notifications import services as notifications
from dziennik.schools.models import SchoolClass, Student
from dziennik.schools.viewer import get_viewer

from . import permissions, selectors
from .models import Booking, ClassMeeting, ConsultationSession, ConsultationSlot, MeetingSettings
from .scopes import meetings_scope

# The lengths of one conversation a teacher may choose, in minutes.
SLOT_LENGTHS = (5, 10, 15, 20, 30, 45, 60)
# At most this many slots in one consultation session (a long afternoon of 5-minute talks).
MAX_SLOTS = 60
# Consultations and meetings are planned at most this far ahead.
MAX_AHEAD = datetime.timedelta(days=366)


def settings_of(school_id: int) -> MeetingSettings:
    """The school's meeting settings (an unsaved default row when it has none)."""
    found = MeetingSettings.objects.filter(school_id=school_id).first()
    return found or MeetingSettings(school_id=school_id)


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _moved(school_id: int) -> None:
    cache.bump(meetings_scope(school_id))


def _when(day: datetime.date, time: datetime.time) -> str:
    return f"{day:%d.%m.%Y} {time:%H:%M}"


def _tell(*, school_id: int, recipient_ids, key: str, title, values: dict) -> None:
    """Tell parents of a meeting (in the caller's transaction: a change that rolls back
    tells nobody). The title says what and when, never the topic; it is worded in the
    register's language (``LANGUAGE_CODE``), whoever's request or task makes the change."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(title) % values
    notifications.notify(
        event=events.MEETING,
        school_id=school_id,
        recipient_ids=recipient_ids,
        key=key,
        params={"title": text},
        url=reverse("meetings:index"),
    )


def _tell_class(meeting: ClassMeeting, key: str, title) -> None:
    _tell(
        school_id=meeting.school_id,
        recipient_ids=selectors.parents_of(school_class_id=meeting.school_class_id),
        key=key,
        title=title,
        values={"class": meeting.school_class.name, "when": _when(meeting.date, meeting.starts_at)},
    )


def _check_when(errors: dict, *, date, starts_at, ends_at) -> None:
    today = timezone.localdate()
    if date < today:
        errors["date"] = [ValidationError(_("The date has passed."))]
    elif date - today > MAX_AHEAD:
        errors["date"] = [ValidationError(_("Plan at most a year ahead."))]
    elif _aware(date, starts_at) <= timezone.now():
        errors["starts_at"] = [ValidationError(_("The time has passed."))]
    if ends_at <= starts_at:
        errors["ends_at"] = [ValidationError(_("The end is not after the start."))]


def _text(errors: dict, values: dict, model, name: str, value, *, required: bool) -> None:
    try:
        values[name] = field_text(model, name, value)
    except ValidationError as exc:
        errors.update(exc.error_dict)
        return
    if required and not values[name]:
        errors[name] = [ValidationError(_("This field is required."))]


def slot_times(
    date: datetime.date, starts_at: datetime.time, ends_at: datetime.time, minutes: int
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The slots of ``minutes`` that fit between the two times (a remainder is dropped)."""
    step = datetime.timedelta(minutes=minutes)
    start, end = _aware(date, starts_at), _aware(date, ends_at)
    times = []
    while start + step <= end:
        times.append((start, start + step))
        start += step
    return times


@transaction.atomic
def consultation_publish(
    *,
    actor,
    date: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time,
    slot_minutes: int,
    room: str,
    note: str = "",
) -> ConsultationSession:
    """Publish the actor's consultation hours on one day, split into slots of
    ``slot_minutes`` (a teacher only: ``Http404`` otherwise). Refused with every reason
    when the time has passed, no slot fits, there are too many, or they overlap other
    consultation hours of the teacher's."""
    viewer = get_viewer(actor)
    if not permissions.may_publish(viewer):
        raise Http404
    errors: dict[str, list] = {}
    values: dict = {}
    _check_when(errors, date=date, starts_at=starts_at, ends_at=ends_at)
    _text(errors, values, ConsultationSession, "room", room, required=True)
    _text(errors, values, ConsultationSession, "note", note, required=False)
    if slot_minutes not in SLOT_LENGTHS:
        errors["slot_minutes"] = [ValidationError(_("Choose one of the offered lengths."))]
    elif "ends_at" not in errors:
        count = len(slot_times(date, starts_at, ends_at, slot_minutes))
        if count == 0:
            errors["slot_minutes"] = [ValidationError(_("Not one conversation fits the time."))]
        elif count > MAX_SLOTS:
            errors["slot_minutes"] = [
                ValidationError(
                    _("At most %(n)s conversations at a time; choose longer ones.")
                    % {"n": MAX_SLOTS}
                )
            ]
    overlapping = ConsultationSession.objects.filter(
        teacher_id=actor.pk, date=date, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if not errors and overlapping.exists():
        errors["starts_at"] = [
            ValidationError(_("You already have consultation hours at that time."))
        ]
    if errors:
        raise ValidationError(errors)
    session = ConsultationSession.objects.create(
        school_id=viewer.school_id,
        teacher=actor,
        date=date,
        starts_at=starts_at,
        ends_at=ends_at,
        slot_minutes=slot_minutes,
        **values,
    )
    ConsultationSlot.objects.bulk_create(
        [
            ConsultationSlot(session=session, starts=start, ends=end)
            for start, end in slot_times(date, starts_at, ends_at, slot_minutes)
        ]
    )
    audit.record_create(actor=actor, instance=session)
    _moved(session.school_id)
    return session


def _taken() -> ValidationError:
    return ValidationError(
        _("Somebody has just booked this time. Please choose another one."), code="taken"
    )


@transaction.atomic
def booking_create(*, actor, slot: ConsultationSlot, student: Student) -> Booking:
    """Book ``slot`` for the actor (a parent) to talk about ``student``, a child of theirs
    whom the slot's teacher teaches (``Http404`` otherwise). A slot holds one booking: of
    two parents asking at the same moment one gets it and the other a clear refusal (the
    slot's row is locked while checked, and a partial unique index backs it); a parent
    holds one slot of the same consultation hours."""
    viewer = get_viewer(actor)
    if student.pk not in viewer.child_ids:
        raise Http404
    sessions = ConsultationSession.objects.filter(
        permissions.teachers_of([student.pk]), school_id=viewer.school_id, pk=slot.session_id
    )
    if not sessions.exists():
        raise Http404
    locked = ConsultationSlot.objects.select_for_update().select_related("session").get(pk=slot.pk)
    if locked.cancelled_at is not None:
        raise ValidationError(_("The teacher has cancelled this time."), code="cancelled")
    if locked.starts <= timezone.now():
        raise ValidationError(_("This time has passed."), code="past")
    active = Booking.objects.filter(cancelled_at__isnull=True)
    if active.filter(slot_id=locked.pk).exists():
        raise _taken()
    if active.filter(session_id=locked.session_id, guardian_id=viewer.guardian_id).exists():
        raise ValidationError(
            _("You have already booked a time with this teacher on that day."), code="twice"
        )
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                school_id=locked.session.school_id,
                slot=locked,
                session_id=locked.session_id,
                guardian_id=viewer.guardian_id,
                student=student,
            )
    except IntegrityError:
        # The constraint: a concurrent request that read before this one's lock (SQLite
        # has no row locks) booked the slot, or this parent another slot of the session.
        raise _taken() from None
    audit.record_create(actor=actor, instance=booking, student_id=student.pk)
    _moved(booking.school_id)
    return booking


def cancel_deadline(starts: datetime.datetime, school_id: int) -> datetime.datetime:
    """Until when a parent may cancel a booking of a slot starting at ``starts``."""
    return starts - datetime.timedelta(hours=settings_of(school_id).cancel_hours)


@transaction.atomic
def booking_cancel(*, actor, booking: Booking) -> Booking:
    """The parent cancels their booking, until the school's deadline (24 hours before by
    default); the slot is free again."""
    permissions.bookings.require(get_viewer(actor), "cancel", booking)
    slot = booking.slot
    deadline = cancel_deadline(slot.starts, booking.school_id)
    if timezone.now() > deadline:
        raise ValidationError(
            _("A booking can be cancelled until %(deadline)s. Please contact the teacher.")
            % {"deadline": timezone.localtime(deadline).strftime("%d.%m.%Y %H:%M")},
            code="late",
        )
    before = audit.snapshot(booking, fields=["cancelled_at"])
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    audit.record_update(actor=actor, instance=booking, before=before, student_id=booking.student_id)
    _moved(booking.school_id)
    return booking


@transaction.atomic
def slot_cancel(*, actor, slot: ConsultationSlot) -> ConsultationSlot:
    """The teacher cancels one time of their consultation hours; its booking is
    cancelled with it and the family's page says the teacher cancelled it."""
    viewer = get_viewer(actor)
    permissions.slots.require(viewer, "manage", slot)
    slot = ConsultationSlot.objects.select_for_update().select_related("session").get(pk=slot.pk)
    if slot.cancelled_at is not None:
        return slot
    if slot.starts <= timezone.now():
        raise ValidationError(_("This time has passed."), code="past")
    school_id = slot.session.school_id
    now = timezone.now()
    before = audit.snapshot(slot, fields=["cancelled_at"])
    slot.cancelled_at = now
    slot.save(update_fields=["cancelled_at"])
    audit.record_update(actor=actor, instance=slot, before=before, school_id=school_id)
    for booking in Booking.objects.filter(slot_id=slot.pk, cancelled_at__isnull=True):
        before = audit.snapshot(booking, fields=["cancelled_at", "cancelled_by_teacher"])
        booking.cancelled_at = now
        booking.cancelled_by_teacher = True
        booking.save(update_fields=["cancelled_at", "cancelled_by_teacher"])
        audit.record_update(
            actor=actor, instance=booking, before=before, student_id=booking.student_id
        )
        local = timezone.localtime(slot.starts)
        _tell(
            school_id=school_id,
            recipient_ids=selectors.parents_of(student_ids=[booking.student_id]),
            key=f"booking:{booking.pk}:cancelled",
            title=gettext_lazy("consultation on %(when)s cancelled by the teacher"),
            values={"when": _when(local.date(), local.time())},
        )
    _moved(school_id)
    return slot


@transaction.atomic
def class_meeting_create(
    *,
    actor,
    school_class: SchoolClass,
    date: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time,
    room: str,
    topic: str = "",
) -> ClassMeeting:
    """The class teacher calls a meeting of all parents of their class (``Http404`` for
    anyone else)."""
    viewer = get_viewer(actor)
    if school_class.school_id != viewer.school_id or school_class.pk not in viewer.led_class_ids:
        raise Http404
    errors: dict[str, list] = {}
    values: dict = {}
    _check_when(errors, date=date, starts_at=starts_at, ends_at=ends_at)
    _text(errors, values, ClassMeeting, "room", room, required=True)
    _text(errors, values, ClassMeeting, "topic", topic, required=False)
    if errors:
        raise ValidationError(errors)
    meeting = ClassMeeting.objects.create(
        school_id=school_class.school_id,
        school_class=school_class,
        teacher=actor,
        date=date,
        starts_at=starts_at,
        ends_at=ends_at,
        **values,
    )
    audit.record_create(actor=actor, instance=meeting, school_class_id=school_class.pk)
    _tell_class(
        meeting,
        f"class_meeting:{meeting.pk}",
        gettext_lazy("meeting of the parents of %(class)s, %(when)s"),
    )
    _moved(meeting.school_id)
    return meeting


@transaction.atomic
def class_meeting_cancel(*, actor, meeting: ClassMeeting) -> ClassMeeting:
    """The class teacher calls the meeting off; the families see it cancelled."""
    permissions.class_meetings.require(get_viewer(actor), "manage", meeting)
    if meeting.cancelled_at is not None:
        return meeting
    before = audit.snapshot(meeting, fields=["cancelled_at"])
    meeting.cancelled_at = timezone.now()
    meeting.save(update_fields=["cancelled_at"])
    audit.record_update(
        actor=actor, instance=meeting, before=before, school_class_id=meeting.school_class_id
    )
    _tell_class(
        meeting,
        f"class_meeting:{meeting.pk}:cancelled",
        gettext_lazy("meeting of the parents of %(class)s, %(when)s, cancelled"),
    )
    _moved(meeting.school_id)
    return meeting


@transaction.atomic
def meeting_settings_save(*, actor, cancel_hours: int) -> MeetingSettings:
    """The principal sets until how many hours before a meeting parents may cancel."""
    viewer = get_viewer(actor)
    if not permissions.manages_settings(viewer):
        raise Http404
    if not 0 <= cancel_hours <= 336:
        raise ValidationError(
            {"cancel_hours": [ValidationError(_("Between 0 and 336 hours (two weeks)."))]}
        )
    row, created = MeetingSettings.objects.get_or_create(school_id=viewer.school_id)
    before = audit.snapshot(row, fields=["cancel_hours"])
    row.cancel_hours = cancel_hours
    row.save()
    if created:
        audit.record_create(actor=actor, instance=row)
    else:
        audit.record_update(actor=actor, instance=row, before=before)
    _moved(viewer.school_id)
    return row
