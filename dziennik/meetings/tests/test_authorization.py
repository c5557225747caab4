"""The POST matrices of parent–teacher meetings: who may publish, book, cancel and call
a meeting; refused requests change nothing."""

import datetime

from django.urls import reverse

from dziennik.meetings.models import (
    Booking,
    ClassMeeting,
    ConsultationSession,
    ConsultationSlot,
    MeetingSettings,
)
from testsupport.url_matrix import Scene, expect

from .factories import a_day


def _state():
    return (
        list(ConsultationSession.objects.order_by("pk").values_list("pk", "teacher_id")),
        list(ConsultationSlot.objects.order_by("pk").values_list("pk", "cancelled_at")),
        list(Booking.objects.order_by("pk").values_list("pk", "slot_id", "cancelled_at")),
        list(ClassMeeting.objects.order_by("pk").values_list("pk", "cancelled_at")),
        list(MeetingSettings.objects.order_by("pk").values_list("school_id", "cancel_hours")),
    )


def _split(expected, allowed):
    refused = [role for role in expected if role not in allowed]
    return refused, list(allowed)


def test_session_new_matrix(world, matrix):
    url = reverse("meetings:session_new")
    data = {
        "date": a_day(5).isoformat(),
        "starts_at": "16:00",
        "ends_at": "17:00",
        "slot_minutes": "10",
        "room": "12",
    }
    expected = expect(404, teacher_in=302, teacher_out=302, class_teacher=302)
    refused, allowed = _split(expected, ("teacher_in", "teacher_out", "class_teacher"))
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    assert not ConsultationSession.objects.exists()
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    assert sorted(ConsultationSession.objects.values_list("teacher__username", flat=True)) == [
        "n-in",
        "n-out",
        "wych",
    ]
    assert ConsultationSlot.objects.count() == 18


def test_book_matrix(world, matrix):
    scene = Scene(world)
    url = reverse("meetings:book", args=[scene.slot.pk])
    data = {"student": world.classmate.pk}
    expected = expect(404, own_parent=302, other_parent=302)
    # Zofia's mother may open the slot but not book it for another family's child
    refused, allowed = _split(expected, ("other_parent",))
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    booking = Booking.objects.get(slot=scene.slot)
    assert (booking.guardian, booking.student) == (world.other_guardian, world.classmate)


def test_slot_cancel_matrix(world, matrix):
    scene = Scene(world)
    first = scene.booking.slot
    url = reverse("meetings:slot_cancel", args=[first.pk])
    expected = expect(404, teacher_in=302)
    refused, allowed = _split(expected, ("teacher_in",))
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=allowed)
    scene.booking.refresh_from_db()
    assert scene.booking.cancelled_by_teacher


def test_booking_cancel_matrix(world, matrix):
    scene = Scene(world)
    url = reverse("meetings:booking_cancel", args=[scene.booking.pk])
    expected = expect(404, own_parent=302)
    refused, allowed = _split(expected, ("own_parent",))
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=allowed)
    scene.booking.refresh_from_db()
    assert scene.booking.cancelled_at is not None and not scene.booking.cancelled_by_teacher


def test_class_meeting_new_matrix(world, matrix):
    url = reverse("meetings:class_meeting_new")
    data = {
        "school_class": world.school_class.pk,
        "date": a_day(6).isoformat(),
        "starts_at": "17:00",
        "ends_at": "18:00",
        "room": "4",
        "topic": "Wycieczka",
    }
    expected = expect(404, class_teacher=302)
    refused, allowed = _split(expected, ("class_teacher",))
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    meeting = ClassMeeting.objects.get()
    assert (meeting.school_class, meeting.date) == (world.school_class, a_day(6))


def test_class_meeting_cancel_matrix(world, matrix):
    scene = Scene(world)
    url = reverse("meetings:class_meeting_cancel", args=[scene.class_meeting.pk])
    expected = expect(404, class_teacher=302)
    refused, allowed = _split(expected, ("class_teacher",))
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=allowed)
    scene.class_meeting.refresh_from_db()
    assert scene.class_meeting.cancelled_at is not None


def test_settings_matrix(world, matrix):
    url = reverse("meetings:settings")
    expected = expect(404, principal=302, other_principal=302)
    refused, allowed = _split(expected, ("principal", "other_principal"))
    matrix.check(
        url, expected, method="post", data={"cancel_hours": "48"}, state=_state, roles=refused
    )
    matrix.check(url, expected, method="post", data={"cancel_hours": "48"}, roles=allowed)
    assert sorted(MeetingSettings.objects.values_list("school_id", "cancel_hours")) == [
        (world.school.pk, 48),
        (world.other_school.pk, 48),
    ]


def test_a_bad_cancellation_deadline_is_refused_and_nothing_stored(world):
    response = world.client("principal").post(
        reverse("meetings:settings"), {"cancel_hours": "1000"}
    )
    assert response.status_code == 400
    assert not MeetingSettings.objects.exists()


def test_a_bad_consultation_form_says_why_and_stores_nothing(world):
    response = world.client("teacher_in").post(
        reverse("meetings:session_new"),
        {
            "date": (a_day(0) - datetime.timedelta(days=2)).isoformat(),
            "starts_at": "16:00",
            "ends_at": "15:00",
            "slot_minutes": "10",
            "room": "12",
        },
    )
    assert response.status_code == 400
    assert not ConsultationSession.objects.exists()
